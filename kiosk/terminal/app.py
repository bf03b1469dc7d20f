"""The Kivy app: wiring only. Builds the controller from a config and shows the screens.

:func:`prepare_kivy` must run before anything imports ``kivy.core.window`` (it sets the window size and
the offscreen/fullscreen choice). :func:`build_controller` needs no Kivy; :class:`KioskApp` shows it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class _FollowRootLevel(logging.Filter):
    """Passes a record only at or above the root logger's level."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.getLogger().getEffectiveLevel()


def prepare_kivy(ui, *, fullscreen: bool | None = None, size: tuple[int, int] | None = None) -> None:
    """Configures Kivy's window (before ``kivy.core.window`` is imported) and registers the CJK font."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    # The window's settings come from kiosk.toml, never from ~/.kivy/config.ini; and without the file Kivy
    # would warn a fresh user of an "Older configuration version detected" while it writes one.
    os.environ.setdefault("KIVY_NO_CONFIG", "1")
    # Kivy's default log mode makes its logger the root's (level NOTSET: DEBUG from every library reaches
    # the console) and redirects stderr; in PYTHON mode it leaves logging to the app (kiosk.logsetup).
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kiosk.screens.memory import drop_text_surfaces, pil_without_numpy

    pil_without_numpy()  # before Kivy's image providers import Pillow (14 MB of numpy, unused)
    kivy_log = logging.getLogger("kivy")
    if not any(isinstance(f, _FollowRootLevel) for f in kivy_log.filters):
        kivy_log.addFilter(_FollowRootLevel())  # Kivy sets its logger to INFO while it imports
    from kivy.config import Config

    logging.getLogger("kivy").setLevel(logging.NOTSET)  # Kivy set it to INFO; follow the root's level instead

    width, height = size or (ui.width, ui.height)
    full = ui.fullscreen if fullscreen is None else fullscreen
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if full else "0")
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "multisamples", "0")  # MSAA costs much on software GL and adds nothing here
    Config.set("input", "mouse", "mouse,disable_multitouch")
    # Touches come through SDL as mouse events (cage's Xwayland, a desktop, kmsdrm alike). Kivy's Linux
    # default also reads /dev/input itself (probesysfs → mtdev), which the kiosk user in group `input` may:
    # every tap on a multitouch panel would then arrive twice, the second copy unrotated under --rotate.
    for name, value in Config.items("input", raw=True):
        if value.split(",")[0] in ("probesysfs", "mtdev", "hidinput", "linuxwacom"):
            Config.remove_option("input", name)
    Config.set("kivy", "exit_on_escape", "0")
    from kiosk.screens.theme import THEME, register_font

    drop_text_surfaces()
    register_font(ui.font)
    THEME.fit_window(width, height)


def ui_dispatch() -> Callable[..., None]:
    """A function that runs ``fn(*args)`` on Kivy's UI thread, callable from any thread."""
    from kivy.clock import mainthread

    @mainthread
    def run(fn: Callable, *args: Any) -> None:
        fn(*args)

    return run


def build_controller(config, *, devices=None, queue=None, dispatch: Callable | None = None, voice=None,
                     on_slip=None, clock=None, now=None):
    """The controller for ``config``: catalogue (for the site's level), tickets, visit, PIN check.

    ``devices`` (a device port), ``queue`` (a ``HelpQueueClient``) and ``voice`` are optional; ``clock``
    is monotonic seconds, ``now`` the wall clock (a naive local ``datetime``) for ages and opening hours.
    """
    import threading
    import time

    from kiosk.catalog import load_catalog
    from kiosk.terminal.controller import KioskController, call_now
    from kiosk.terminal.manager_auth import ManagerAuth
    from kiosk.visit import SiteInfo, Visit
    from kiosk.visit.tickets import TicketIssuer

    catalog = load_catalog(config.catalog_file).for_level(config.site.level)  # catalog_version: a file beside
    # the search index, built now off the UI thread by a child process: the first search is instant and
    # pypinyin's dictionaries (~55 MB) never load into the kiosk
    threading.Thread(target=catalog.prepare_search, name="search-index", daemon=True).start()
    ui = config.ui
    visit = Visit(catalog, SiteInfo.from_config(config, queue=queue is not None), tickets=TicketIssuer.from_config(config),
                  clock=clock or time.monotonic, idle_timeout_s=ui.idle_timeout_s, countdown_s=ui.countdown_s,
                  elderly_factor=ui.elderly_timeout_factor, elderly=ui.elderly_mode_default,
                  capture_dir=config.privacy.capture_dir, help_wait_s=ui.help_wait_max_s, done_s=ui.done_return_s)
    auth = ManagerAuth.from_config(config.manager, config.state_dir)
    controller = KioskController(config, visit, auth=auth, devices=devices, queue=queue,
                                 dispatch=dispatch or call_now, voice=voice, on_slip=on_slip)
    from kiosk.terminal.access import attach
    from kiosk.terminal.where import attach_where

    attach(controller, now)
    attach_where(controller, config)  # where to go, and the hall's queue number once complete
    return controller


def make_app(controller, *, locked: bool = False, link=None):
    """The Kivy ``App`` showing ``controller``'s visit (call :func:`prepare_kivy` first). ``locked``: no
    way out to a desktop (:func:`kiosk.terminal.appliance.lock_down`); ``link``: a ``SystemdLink``."""
    from kivy.app import App
    from kivy.core.window import Window

    from kiosk.screens.root import build_root

    class KioskApp(App):
        title = "帮办代办自助终端"

        def build(self):
            root = build_root(controller)
            root.on_quit = self.stop
            Window.bind(on_key_down=lambda _w, key, *_a: self._key(key, True),
                        on_key_up=lambda _w, key, *_a: self._key(key, False))
            if locked:
                from kiosk.terminal.appliance import lock_down

                lock_down(self)
            return root

        def on_start(self):
            if link is not None:
                link.start()

        def _key(self, key: int, down: bool) -> bool:
            """Feeds the kiosk keyboard's keys to a keyboard-type call button."""
            if controller.devices is None:
                return False
            from kivy.core.window import Keyboard

            names = {code: name for name, code in Keyboard.keycodes.items()}
            return bool(controller.devices.key(names.get(key, str(key)), down))

        def on_stop(self):
            if link is not None:
                link.stop()
            self.root.stop()
            controller.close()

    return KioskApp()


def start_devices_and_queue(config, remote=None):
    """Creates the device hub (each device off the UI thread, failures reported as health) and starts the
    help-queue client with heartbeats. Returns ``(hub, port, queue)``; the queue is None when it cannot
    start (then requests are only logged)."""
    from kiosk.devices.hub import DeviceHub
    from kiosk.terminal.device_port import HubPort

    hub = DeviceHub(config.devices)
    port = HubPort(hub, still_frames=config.devices.camera.still_frames)
    queue = None
    try:
        from kiosk.queue.client import HelpQueueClient

        queue = HelpQueueClient(config, health_source=hub.health, remote=remote)
        queue.start()
    except Exception as err:  # the kiosk works without the queue: tickets and notices never wait for it
        log.error("help-queue client not started: %s", err)
    return hub, port, queue


def run_kiosk(config, *, fullscreen: bool | None = None, size: tuple[int, int] | None = None,
              log_file=None, locked: bool = False) -> int:
    """Runs the kiosk in a window until it is closed (manager mode: 退出自助模式) or sent SIGTERM.

    Logging goes to ``log_file`` (default ``STATE_DIR/logs/kiosk.log``; ``False``: left as it is) at INFO
    with ID numbers masked; the console keeps warnings and errors only. ``locked``: kiosk mode (see
    :func:`kiosk.terminal.appliance.lock_down`). Under systemd it notifies readiness, the watchdog and
    device health (:class:`kiosk.terminal.appliance.SystemdLink`)."""
    from kiosk.logsetup import log_to_file

    if log_file is not False:
        where = log_to_file(log_file or config.state_dir / "logs" / "kiosk.log")
        log.info("kiosk %s at %s starting; log in %s", config.kiosk_id, config.site.code, where)
    from kiosk.config.remote_apply import RemoteSettings, boot_config

    config, base, cached = boot_config(config)  # central settings cached at the last heartbeat, if they fit
    remote = RemoteSettings(config, base, cached)
    prepare_kivy(config.ui, fullscreen=fullscreen, size=size)
    from kiosk.terminal.appliance import SystemdLink, install_sigterm, status_line

    install_sigterm()  # before SDL starts (the window is made in make_app)
    from kiosk.i18n import set_language
    from kiosk.voice import Voice

    set_language(config.ui.language)
    hub, port, queue = start_devices_and_queue(config, remote)
    controller = build_controller(config, devices=port, queue=queue, dispatch=ui_dispatch(),
                                  voice=Voice.create(config.ui.voice, volume=config.ui.voice_volume,
                                                     prompts=config.ui.voice_prompts))
    from kiosk.deploy.sdnotify import Notifier

    app = None
    link = SystemdLink(Notifier.from_environment(), lambda: status_line(hub.health(), queue),
                       screen=lambda: app.root.sm.current if app and app.root else "")
    app = make_app(controller, locked=locked, link=link)
    from kiosk.terminal.remote_link import attach

    attach(remote, controller, report_now=(lambda: queue.heartbeat(hub.health())) if queue else None,
           stop_app=lambda: app.stop())
    try:
        app.run()
    finally:
        port.close()
        hub.close()
        if queue is not None:
            queue.stop()
    return 0
