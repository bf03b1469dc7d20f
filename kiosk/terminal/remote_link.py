"""Central settings on a running terminal: what applies at once, and the restart at the start screen.

:func:`attach` connects a :class:`kiosk.config.remote_apply.RemoteSettings` to the controller: live keys
(idle times, elderly defaults, the hall's name, help desk and the kiosk's place) reach the visit on the UI
thread at once (the next countdown uses them; the visit under way keeps its elderly mode); a refused version
is reported by an immediate heartbeat; other keys (devices, language, voice) wait for the next idle reset,
where the terminal ends itself under systemd (``Restart=always`` starts it again with the cached version).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)


def apply_live(controller, keys: set[str]) -> None:
    """Copies the running config's live settings into the visit (call on the UI thread)."""
    from kiosk.visit import SiteInfo

    ui, visit = controller.config.ui, controller.visit
    visit.idle_timeout_s, visit.countdown_s = ui.idle_timeout_s, ui.countdown_s
    visit.elderly_factor, visit.elderly_default = ui.elderly_timeout_factor, ui.elderly_mode_default
    visit.help_wait_s, visit.done_s = ui.help_wait_max_s, ui.done_return_s
    visit.site = SiteInfo.from_config(controller.config)
    controller.hall_name = controller.config.site.name
    controller.emit("settings", sorted(keys))


def attach(remote, controller, *, report_now: Callable[[], None] | None = None,
           stop_app: Callable[[], None] | None = None, under_systemd: bool | None = None) -> None:
    """Wires ``remote`` to ``controller``: live keys, refusals, and the restart at the idle reset."""
    systemd = bool(os.environ.get("INVOCATION_ID")) if under_systemd is None else under_systemd
    remote.catalog_version = controller.visit.catalog.info.version or None
    remote.on_live = lambda keys: controller.later(apply_live, controller, keys)
    remote.on_refused = report_now

    def restart() -> None:
        if systemd and stop_app is not None:
            log.info("central settings need a restart: ending at the start screen; systemd starts the kiosk again")
            stop_app()
        else:
            log.warning("central settings wait for a restart of the kiosk (not run by systemd)")

    remote.on_restart = restart
    controller.subscribe(lambda event, payload: remote.at_idle_reset() if event == "reset" else None)
