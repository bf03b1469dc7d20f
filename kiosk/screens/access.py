"""The screens and overlays of issue 12's access features (green channel, attract loop, …), put on the
root by :func:`kiosk.screens.root.build_root` through :func:`install` and :func:`handle_event`."""

from __future__ import annotations


def install(root) -> None:
    """Adds the screens (built when shown: see :mod:`kiosk.screens.on_demand`) and starts the attract
    loop's driver (``root.attract``)."""
    from kiosk.screens.enterprise import EnterpriseScreen
    from kiosk.screens.green import GreenScreen
    from kiosk.screens.hours import HoursScreen
    from kiosk.screens.widgets.attract import install as install_attract

    root.add_screen(GreenScreen())  # 绿色通道 answers at once (0.7 MB); the other two are rarely shown (5.6 MB)
    for name, cls in (("hours", HoursScreen), ("enterprise", EnterpriseScreen)):
        root.sm.register(name, cls)
    install_attract(root)
    root.sm.bind(current=lambda sm, name: _redirect_to_materials(root, sm, name))


def _redirect_to_materials(root, _sm, name: str) -> None:
    """The enterprise flow chose its matter as soon as the 经办人 identified: the matter list is skipped."""
    if name == "matter" and root.controller.visit.step.value == "materials":
        from kivy.clock import Clock

        Clock.schedule_once(lambda _dt: root.go("materials"), 0)


def call_helper(root) -> bool:
    """呼叫帮办员 (screen or hardware button) after hours: the hours screen says when helpers are back and
    takes a callback number, instead of a request nobody would answer now. False: call as usual."""
    controller = root.controller
    if controller.hours.closed() and root.sm.current not in ("manager", "hours"):
        if root.sm.current != "start":  # during a visit: 上一步 leads back to where the resident was
            root.screen("hours").came_from = root.sm.current
        root.go("hours")
        return True
    return False


def handle_event(root, event: str, payload) -> bool:
    """Shows what a controller event of these features asks for; False when the event is not theirs."""
    if event == "senior":
        from kiosk.screens.widgets.senior import show_senior_offer

        show_senior_offer(root, int(payload))
        return True
    return False
