"""The system files that make a Debian 12 machine a kiosk: the systemd unit, its PAM service, and
drop-ins for logind, journald, systemd-coredump and sysctl. Each is plain text built from a few values;
:mod:`kiosk.deploy.kiosk_plan` decides where they go.

Why ``cage``: Debian 12 ships it (0.1.4, 22 KB, on wlroots). It shows exactly one application full
screen and has no desktop, panel, launcher or window switching; its only key binding is the VT switch,
enabled by ``-s`` only (we never pass it); its Escape-to-quit exists in debug builds only; it has no touch
gestures. A minimal X window manager would need its key bindings, the X server's own
Ctrl+Alt+Backspace (DontZap) and VT switching (DontVTSwitch) turned off one by one. Kivy's SDL2 wheel
has no Wayland video driver, so the app draws through cage's Xwayland (package ``xwayland``).
"""

from __future__ import annotations

import shlex

HEADER = "# Written by `kiosk install`; rerun it (or `kiosk uninstall`) instead of editing this file.\n"


def kiosk_service(*, user: str, python: str, config: str, home: str, tty: int, rotate: int = 0,
                  watchdog_s: int = 30, groups: tuple[str, ...] = ("video", "render", "input", "dialout", "audio")) -> str:
    """The unit that runs the terminal at boot on ``tty``, under cage, restarted on a crash or a hang."""
    cage = ["/usr/bin/cage", "-d"] + ["-r"] * rotate + ["--", python, "-m", "kiosk", "run", "--config", config]
    return HEADER + f"""[Unit]
Description=帮办代办自助终端 kiosk terminal (full screen under cage)
After=systemd-user-sessions.service plymouth-quit-wait.service network-online.target
Wants=network-online.target
# the kiosk owns the console: no login prompt on tty{tty}
Conflicts=getty@tty{tty}.service
After=getty@tty{tty}.service
# restart for ever: a kiosk that gave up is a dark screen in the hall
StartLimitIntervalSec=0

[Service]
# READY=1 once the start screen is drawn, WATCHDOG=1 from the UI thread, STATUS= device health.
# The kiosk is cage's child, not the main process: NotifyAccess=all lets systemd take its messages.
Type=notify
NotifyAccess=all
WatchdogSec={watchdog_s}
TimeoutStartSec=180
TimeoutStopSec=20
Restart=always
RestartSec=2
User={user}
Group={user}
SupplementaryGroups={' '.join(groups)}
# a logind session on the seat gives cage the screen, touch and keyboard
PAMName=kiosk
TTYPath=/dev/tty{tty}
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
StandardInput=tty-fail
StandardOutput=journal
StandardError=journal
UtmpIdentifier=tty{tty}
UtmpMode=user
WorkingDirectory={home}
Environment=KIOSK_CONFIG={config}
Environment=KIVY_HOME={home}/kivy
Environment=KIVY_NO_ARGS=1
Environment=KIVY_NO_CONSOLELOG=1
# Kivy's SDL2 has no Wayland driver: it draws through cage's Xwayland
Environment=SDL_VIDEODRIVER=x11
# no XKB options: nothing like terminate:ctrl_alt_bksp reaches the keymap
Environment=XKB_DEFAULT_OPTIONS=
# captured images and other temp files live in RAM: a power cut leaves none on disk
Environment=TMPDIR=/run/kiosk
RuntimeDirectory=kiosk
RuntimeDirectoryMode=0700
# cage without -s: Ctrl+Alt+F1..F12 switch nowhere
ExecStart={shlex.join(cage)}
# nothing a resident leaves behind outlives the visit: no core dumps, private files
LimitCORE=0
UMask=0077
PrivateTmp=yes
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictSUIDSGID=yes
RestrictRealtime=yes
RestrictNamespaces=yes
# netlink: libinput and wlroots watch udev for a replugged touch screen or keyboard
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
# the kiosk user needs no capability: logind hands cage the devices
CapabilityBoundingSet=
AmbientCapabilities=
LockPersonality=yes
PrivateMounts=yes
ProtectProc=invisible
RemoveIPC=yes
SystemCallArchitectures=native
# not MemoryDenyWriteExecute: Mesa compiles shaders to machine code at run time

[Install]
WantedBy=graphical.target
"""


PAM_SERVICE = HEADER + """# The kiosk's seat session: pam_systemd registers it with logind, which hands cage the display and
# the input devices. systemd opens the session; nobody logs in through this service.
auth      required  pam_unix.so nullok
account   required  pam_unix.so
session   required  pam_unix.so
session   required  pam_systemd.so
"""

LOGIND = HEADER + """[Login]
# no login prompts on the other consoles, and the keys of a USB keyboard do not power off or suspend
NAutoVTs=0
ReserveVT=0
HandlePowerKey=ignore
HandleSuspendKey=ignore
HandleHibernateKey=ignore
HandleRebootKey=ignore
HandleLidSwitch=ignore
"""


def journald(max_use_mb: int = 200) -> str:
    return HEADER + f"""[Journal]
# logs never fill the disk (the kiosk's own log file rotates at 5 MB x 4 as well)
SystemMaxUse={max_use_mb}M
SystemKeepFree=1G
RuntimeMaxUse=50M
MaxRetentionSec=1month
"""


SYSTEM = HEADER + """[Manager]
# Ctrl+Alt+Del is masked (ctrl-alt-del.target -> /dev/null); pressed 7 times in 2 s systemd would still
# force a reboot unless told not to
CtrlAltDelBurstAction=none
"""

COREDUMP = HEADER + """[Coredump]
# a crash after a card read must not store the resident's data
Storage=none
ProcessSizeMax=0
"""

SYSCTL = HEADER + """# no core files anywhere on the kiosk, and no magic SysRq keys from a USB keyboard
kernel.core_pattern = |/bin/false
fs.suid_dumpable = 0
kernel.sysrq = 0
"""
