"""The :class:`Visit`: one resident's session through the steps (see the package docstring).

The class holds the state and the step methods; the rest is in mixins named for what they do:
:mod:`~kiosk.visit.materials`, :mod:`~kiosk.visit.result`, :mod:`~kiosk.visit.help`,
:mod:`~kiosk.visit.devices`, :mod:`~kiosk.visit.idle` and :mod:`~kiosk.visit.wipe`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from kiosk.catalog import Catalog, MaterialStatus, Matter
from kiosk.visit.devices import DeviceState
from kiosk.visit.enterprise import Enterprise
from kiosk.visit.handover import Handover
from kiosk.visit.help import HelpRequests, HelpStatus
from kiosk.visit.identity import Identity, consume_card, validate_id_number
from kiosk.visit.idle import Idle
from kiosk.visit.intents import Intent, SiteInfo, VisitReset
from kiosk.visit.materials import Materials
from kiosk.visit.rating import Rating
from kiosk.visit.result import Outcome, Result
from kiosk.visit.steps import BACK, Kind, Step, TransitionError, VisitError, check_move, check_step
from kiosk.visit.tickets import Ticket
from kiosk.visit.wipe import PersonalData


class Visit(Materials, Outcome, HelpRequests, Handover, Rating, DeviceState, Idle, PersonalData):
    """One resident's session. Create once per kiosk; :meth:`reset` makes it a fresh visit.

    ``tickets`` is a callable returning a new :class:`~kiosk.visit.tickets.Ticket` (a ``TicketIssuer``).
    ``clock`` returns monotonic seconds. ``capture_dir`` is where :meth:`temp_file` creates files.
    """

    def __init__(self, catalog: Catalog, site: SiteInfo, *, tickets: Callable[[], Ticket],
                 clock: Callable[[], float] = time.monotonic, idle_timeout_s: float = 90,
                 countdown_s: float = 15, elderly_factor: float = 2.0, elderly: bool = False,
                 capture_dir: str | Path | None = None, help_wait_s: float = 1200, done_s: float = 10):
        self.catalog, self.site = catalog, site
        self._tickets, self._clock = tickets, clock
        self.idle_timeout_s, self.countdown_s = idle_timeout_s, countdown_s
        self.help_wait_s, self.done_s = help_wait_s, done_s
        self.elderly_factor = elderly_factor
        self.elderly_default = elderly
        self._capture_dir = Path(capture_dir) if capture_dir else None
        self._listeners: list[Callable[[Visit], None]] = []
        self.reader_available = True
        self.camera_available = True
        self.printer_ok = True
        self._clear()

    # ----- state ---------------------------------------------------------------------------------
    def _clear(self) -> None:
        self.visit_id: str = uuid.uuid4().hex
        self.step: Step = Step.START
        self.kind: Kind | None = None
        self.elderly: bool = self.elderly_default
        self.priority: str = "normal"  # green (绿色通道) or elderly (65+ accepted it); see visit.priority
        self.enterprise: Enterprise | None = None  # 为企业办事: the enterprise the 经办人 acts for
        self.identity: Identity | None = None
        self.handover_agreed: bool = False  # 代办: the resident agreed to hand their identity to the helper
        self.matter: Matter | None = None
        self.statuses: dict[str, MaterialStatus] = {}
        self.checked_by: dict[str, str] = {}
        self.from_card: set[str] = set()
        self.captures: dict[str, list[Any]] = {}  # material id → captured images (ndarray / bytearray / doc)
        self.result: Result | None = None
        self.help_request_id: str | None = None
        self.rating_token: str | None = None  # 好差评 by the slip's QR code: sent with the request, printed
        self._ticket: Ticket | None = None  # kept when going back, so one visit never takes two numbers
        self.help = HelpStatus()
        self._temp_files: list[Path] = []
        self._last_touch: float = self._clock()

    def subscribe(self, listener: Callable[[Visit], None]) -> None:
        """``listener(visit)`` runs after every change of step or data."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _go(self, new: Step) -> None:
        check_move(self.step, new)
        self.step = new
        self._last_touch = self._clock()

    def _need(self, *steps: Step) -> None:
        check_step(self.step, *steps)

    # ----- the steps ------------------------------------------------------------------------------
    def start(self, kind: Kind | str) -> None:
        """START → IDENTIFY (帮办, 代办) or → MATTER (咨询)."""
        self._need(Step.START)
        self.kind = Kind(kind)
        self._go(Step.MATTER if self.kind is Kind.CONSULT else Step.IDENTIFY)
        self._changed()

    def set_elderly(self, on: bool) -> None:
        """长辈模式: larger text on screen, longer idle times, priority in the help request."""
        self.elderly = bool(on)
        self.touch()
        self._changed()

    def set_priority(self, priority: str) -> None:
        """绿色通道 (``green``) or a 65+ resident's priority (``elderly``) for this visit's help request."""
        self.priority = priority
        self.touch()
        self._changed()

    def go_identify(self) -> None:
        """咨询 chose to identify after all (MATTER → IDENTIFY), or back from MATTER."""
        self._go(Step.IDENTIFY)
        self._changed()

    def identify_with_card(self, card: Any, *, consume: bool = True) -> None:
        """IDENTIFY → MATTER with a card read by the reader.

        ``card`` is a ``kiosk.devices.idcard.card.IdCard`` or any object with ``name``, ``id_number``,
        ``card_type`` and optionally ``gender``, ``birth_date``, ``address``/``current_address`` and the
        photo as ``photo_raw`` (bytearray) or ``photo`` (bytes). The fields are copied (the photo into a
        private bytearray that :meth:`wipe` zeroes). With ``consume`` (the default: the reader hands over
        a fresh card) the card's own buffers are zeroed at once (``card.wipe()``, or its bytearrays), so
        the only copy left is the visit's; pass ``consume=False`` for a card object that is kept (a shared
        sample). No reference to ``card`` is kept: the caller drops its own.
        """
        self._need(Step.IDENTIFY)
        self.identity = Identity.from_card(card)
        if consume:
            consume_card(card)
        self._go(Step.MATTER)
        self._changed()

    def identify_manually(self, id_number: str, name: str = "") -> None:
        """IDENTIFY → MATTER with a typed ID number; raises :class:`InvalidIdNumber` (step unchanged)."""
        self._need(Step.IDENTIFY)
        number = validate_id_number(id_number)
        self.identity = Identity(name=name.strip(), id_number=number, card_type="manual", source="manual")
        self._go(Step.MATTER)
        self._changed()

    def skip_identify(self) -> None:
        """IDENTIFY → MATTER without identity: only for 咨询 (others raise VisitError)."""
        self._need(Step.IDENTIFY)
        if self.kind is not Kind.CONSULT:
            raise VisitError("帮办 and 代办 need the resident's identity; read the card or type the number")
        self._go(Step.MATTER)
        self._changed()

    def choose_matter(self, matter_id: str) -> None:
        """MATTER → MATERIALS with the matter's checklist all UNSET (KeyError for an unknown id)."""
        self._need(Step.MATTER)
        matter = self.catalog.get(matter_id)
        if self.matter is None or self.matter.id != matter.id:  # a new checklist: nothing answered yet
            self._drop_captures()
            self.statuses = {m.id: MaterialStatus.UNSET for m in matter.materials}
            self.checked_by, self.from_card = {}, set()
        self.matter = matter
        self._answer_from_card()
        self._go(Step.MATERIALS)
        self._changed()

    def back(self) -> None:
        """One step back (MATTER → IDENTIFY, MATERIALS → MATTER, RESULT → MATERIALS); at START or
        IDENTIFY use :meth:`reset`. 咨询 without identity goes from MATTER back to START."""
        if self.step is Step.MATTER and self.kind is Kind.CONSULT and self.identity is None:
            self.reset("manual")
            return
        if self.step not in BACK:
            raise TransitionError(f"no step before {self.step.value}; use reset()")
        if self.step is Step.RESULT:
            self.result = None  # the ticket stays with the visit and is reused if it completes again
        self._go(BACK[self.step])
        self._changed()

    def done(self) -> None:
        """RESULT → DONE: the thank-you screen. Personal data is wiped now; :meth:`reset` follows (by
        itself after ``done_s``, longer in elderly mode; while a helper is on the way it waits for them,
        at most ``help_wait_s``: see :meth:`idle_status`)."""
        self._go(Step.DONE)
        self._wipe_personal()
        self._changed()

    def reset(self, reason: Literal["idle", "done", "manual"] = "manual") -> list[Intent]:
        """Any step → START as a new visit; wipes every piece of personal data first."""
        abandoned = self.help_request_id
        self.wipe()
        self._clear()
        self._changed()
        return [VisitReset(reason, abandoned)]
