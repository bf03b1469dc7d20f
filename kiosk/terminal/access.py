"""Attaches the collaborators that make the visit right for everyone it serves (issue 12): the green
channel (:mod:`kiosk.terminal.green`), the attract loop (:mod:`kiosk.terminal.attract`), service hours (:mod:`kiosk.terminal.hours`). Called by :func:`kiosk.terminal.app.build_controller`; each one is
an attribute of the controller (``controller.green``), so the controller itself does not grow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.hall_time import hall_now
from kiosk.terminal.attract import Attract
from kiosk.terminal.enterprise import EnterpriseFlow
from kiosk.terminal.green import GreenChannel
from kiosk.terminal.hours import AfterHours


def local_now() -> datetime:
    """The kiosk's wall clock: the hall's time (Beijing time, naive), not the machine's zone, which many
    images leave at UTC (09:00 in the hall would read 01:00). The same zone as the ticket counter's day."""
    return hall_now().replace(tzinfo=None)


def attach(controller, now: Callable[[], datetime] | None = None) -> None:
    clock = now or local_now
    controller.wall_clock = clock
    access = controller.config.access
    controller.green = GreenChannel(controller, clock, senior=access.senior_offer_age)
    controller.attract = Attract(controller, access.attract_after_s)
    controller.hours = AfterHours(controller, access.hours, clock)
    controller.enterprise = EnterpriseFlow(controller)
