"""What the visit asks the outside world to do (intents the controller carries out), and where it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class SiteInfo:
    """Where the kiosk stands: carried by help requests and printed on slips."""

    kiosk_id: str
    site_code: str
    site_name: str
    level: str = "district"
    address: str = ""
    phone: str = ""
    location: str = ""
    help_desk: str = ""  # where the 帮办代办 window is
    complaints: str = ""  # where to complain (监督电话); empty: the 12345 hotline
    windows: tuple[tuple[str, str], ...] = ()  # (department, this hall's window or area)
    queue: bool = False  # a help-queue client runs: requests reach the helpers
    rating_base: str = ""  # the queue server's address phones reach (its /r/<token> page); "": none

    @classmethod
    def from_config(cls, config, queue: bool = False) -> SiteInfo:  # config: kiosk.config.settings.KioskConfig
        s = config.site
        rating = config.queue.rating_base() if queue else ""
        return cls(config.kiosk_id, s.code, s.name, s.level, s.address, s.phone, config.location,
                   s.help_desk, s.complaints, tuple(s.windows.items()), queue, rating)


@dataclass(frozen=True)
class PrintSlip:
    """Build ``kiosk.terminal.slips.build(slip, visit)`` and print it, then report with print_done/print_failed."""

    slip: Literal["ticket", "notice", "authorization", "directions"]


@dataclass(frozen=True)
class CallHelper:
    """Create one help request (``request_id`` is client-generated; replays must not double it)."""

    request_id: str
    reason: Literal["resident", "lead", "handover", "printer", "unsure"]
    payload: dict
    resident: dict | None = field(default=None, repr=False)  # 代办 agreed: name, id_number (never logged)


@dataclass(frozen=True)
class TellHelper:
    """Add a note to the existing request ``request_id`` (e.g. the printer is out of paper)."""

    request_id: str
    message_key: str
    payload: dict


@dataclass(frozen=True)
class RateHelp:
    """Send the resident's 好差评 of the visit's resolved request ``request_id`` (score 4 满意, 3 基本满意,
    2 不满意 with ``reasons``: codes of ``kiosk.queue.rating_codes.REASONS``)."""

    request_id: str
    score: int
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportDevice:
    """Report a device problem as device health (``device``: idcard, camera, printer)."""

    device: str
    problem: str


@dataclass(frozen=True)
class VisitReset:
    """The visit went back to START and was wiped; ``help_request_id`` is the abandoned one, if any."""

    reason: Literal["idle", "done", "manual"]
    help_request_id: str | None


Intent = PrintSlip | CallHelper | TellHelper | RateHelp | ReportDevice | VisitReset
