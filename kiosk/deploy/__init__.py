"""Running the kiosk as an appliance: ``kiosk install`` / ``kiosk uninstall`` (system user, folders, the
systemd unit under the ``cage`` kiosk compositor, udev rules, log and core-dump limits), talking to
systemd (:mod:`kiosk.deploy.sdnotify`) and the process's own hardening (:mod:`kiosk.deploy.hardening`).
Nothing here imports Kivy; the terminal's Kivy side is :mod:`kiosk.terminal.appliance`."""
