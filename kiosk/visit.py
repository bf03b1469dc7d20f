"""The resident's visit: explicit steps, allowed transitions, the personal data and its wipe.

Plain Python: no Kivy, no network, no device I/O. The screens show a :class:`Visit` and call its
methods; methods that need the outside world return **intents** (:class:`PrintSlip`,
:class:`CallHelper`, :class:`TellHelper`, :class:`ReportDevice`, :class:`VisitReset`) which the
controller carries out. Listeners registered with :meth:`Visit.subscribe` are called after every change
(on the caller's thread) so screens can refresh.

Steps and transitions (:data:`TRANSITIONS`; anything else raises :class:`TransitionError`)::

    START ──start(assist|proxy)──> IDENTIFY ──identify_*()──> MATTER ──choose_matter()──> MATERIALS
      └────start(consult)─────────────────────────────────────┘    ↑ back()                 │
                                       finish_materials() → RESULT ──done()──> DONE ──reset()──> START
    reset() from every step → START (and wipes every piece of personal data).

- 咨询 (``Kind.CONSULT``) skips IDENTIFY; it may still go there with :meth:`Visit.go_identify`.
- Result: complete → a :class:`~kiosk.tickets.Ticket` and ``PrintSlip("ticket")``; 帮办 also
  ``CallHelper(reason="lead")``; 代办 also ``PrintSlip("authorization")`` and
  ``CallHelper(reason="handover")`` (a ``TellHelper`` instead when a request exists already).
  Incomplete → ``PrintSlip("notice")`` (一次性告知单).
- Call a helper (:meth:`Visit.call_helper`) from every step; once a request exists further presses
  return no new request (``help_request_id`` is remembered until the visit resets).
- Device failures: :meth:`reader_missing` (manual entry only), :meth:`camera_lost` (only paper /
  missing marks), :meth:`print_failed` (``Result.print_failed``; ``Result.show_number_large`` when
  there is a ticket number to show; the helper is told); each
  also returns a :class:`ReportDevice`.
- Idle: :meth:`touch` on every touch; :meth:`idle_status` gives the countdown; :meth:`tick` resets
  the visit once the countdown ran out. Times come from the injectable ``clock`` (seconds, monotonic).

Thread-safety: a Visit is used from the UI thread only; device callbacks must be moved there first.
"""

from __future__ import annotations

import enum
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from kiosk.catalog import Catalog, Completeness, MaterialStatus, Matter, check_completeness
from kiosk.devices.idcard.idnumber import PROVINCES, check_char, normalize
from kiosk.privacy import mask_id_number, mask_name
from kiosk.tickets import Ticket

log = logging.getLogger(__name__)

__all__ = [
    "Step", "Kind", "MaterialStatus", "TRANSITIONS", "TransitionError", "VisitError", "InvalidIdNumber",
    "Identity", "SiteInfo", "Result", "IdleStatus", "PrintSlip", "CallHelper", "TellHelper",
    "ReportDevice", "VisitReset", "Intent", "Visit", "validate_id_number",
]


class Step(enum.StrEnum):
    START = "start"
    IDENTIFY = "identify"
    MATTER = "matter"
    MATERIALS = "materials"
    RESULT = "result"
    DONE = "done"


class Kind(enum.StrEnum):
    CONSULT = "consult"  # 咨询
    ASSIST = "assist"  # 帮办
    PROXY = "proxy"  # 代办


TRANSITIONS: dict[Step, frozenset[Step]] = {
    Step.START: frozenset({Step.IDENTIFY, Step.MATTER}),
    Step.IDENTIFY: frozenset({Step.MATTER}),
    Step.MATTER: frozenset({Step.MATERIALS, Step.IDENTIFY}),
    Step.MATERIALS: frozenset({Step.RESULT, Step.MATTER}),
    Step.RESULT: frozenset({Step.DONE, Step.MATERIALS}),
    Step.DONE: frozenset({Step.START}),
}
"""Allowed moves besides :meth:`Visit.reset`, which goes to START from every step."""

BACK: dict[Step, Step] = {
    Step.MATTER: Step.IDENTIFY, Step.MATERIALS: Step.MATTER, Step.RESULT: Step.MATERIALS,
}


class VisitError(Exception):
    """A call that does not fit the visit's state; the message says what is expected instead."""


class TransitionError(VisitError):
    """A move that :data:`TRANSITIONS` does not allow."""


class InvalidIdNumber(VisitError):
    """A typed ID number failed its format or check digit; ``key`` is the i18n key of the reason."""

    def __init__(self, key: str):
        self.key = key
        super().__init__(key)


def validate_id_number(value: str, today: date | None = None) -> str:
    """Normalises and checks an 18-character ID number (GB 11643: area, birth date, check character;
    also HK/Macau/Taiwan residence permits and the 2023 foreign permanent residence card).

    Full-width digits, spaces and dashes are accepted. Returns the number upper-cased; raises
    :class:`InvalidIdNumber` whose ``key`` is one of ``visit.id.length|chars|birth|check`` (the screens
    map these to their texts). The rules are ``kiosk.devices.idcard.idnumber``'s; an unknown area code
    counts as a check failure (a typo to re-check digit by digit).
    """
    v = normalize(value)
    if len(v) != 18:
        raise InvalidIdNumber("visit.id.length")
    if not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        raise InvalidIdNumber("visit.id.chars")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise InvalidIdNumber("visit.id.birth") from None
    if born.year < 1880 or born > (today or date.today()):
        raise InvalidIdNumber("visit.id.birth")
    if (v[0] != "9" and v[:2] not in PROVINCES) or check_char(v[:17]) != v[17]:
        raise InvalidIdNumber("visit.id.check")
    return v


@dataclass(eq=False)
class Identity:
    """Who the resident is. ``source`` is ``card`` or ``manual``; ``photo`` is a private copy."""

    name: str
    id_number: str
    card_type: str = "resident"  # resident | hk_mo_tw | foreign_2017 | foreign_2023 | manual
    source: Literal["card", "manual"] = "card"
    gender: str = ""
    birth_date: str = ""
    address: str = ""
    photo: bytearray | None = field(default=None, repr=False)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id(self) -> str:
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:  # never a full name or number in logs or tracebacks
        return f"Identity({self.masked_name!r}, {self.masked_id!r}, {self.card_type!r}, {self.source!r})"


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

    @classmethod
    def from_config(cls, config) -> SiteInfo:  # config: kiosk.config.settings.KioskConfig
        s = config.site
        return cls(config.kiosk_id, s.code, s.name, s.level, s.address, s.phone, config.location)


@dataclass
class Result:
    """The completeness check's outcome and what was printed."""

    check: Completeness
    ticket: Ticket | None = None
    printed: dict[str, bool] = field(default_factory=dict)  # slip kind → printed
    show_number_large: bool = False  # the ticket could not be printed: show its number large on screen
    print_failed: bool = False  # some slip could not be printed (or no number could be issued): helper told
    no_ticket: bool = False  # complete, but the ticket counter failed: the helper was called instead

    @property
    def complete(self) -> bool:
        return self.check.complete


@dataclass(frozen=True)
class IdleStatus:
    phase: Literal["active", "warning", "expired"]
    seconds_left: float  # until the reset; during "warning" it is the visible countdown
    deadline: float  # clock value at which the visit resets (inf at an empty start screen)


@dataclass(frozen=True)
class PrintSlip:
    """Build ``kiosk.slips.build(slip, visit)`` and print it, then report with print_done/print_failed."""

    slip: Literal["ticket", "notice", "authorization"]


@dataclass(frozen=True)
class CallHelper:
    """Create one help request (``request_id`` is client-generated; replays must not double it)."""

    request_id: str
    reason: Literal["resident", "lead", "handover", "printer"]
    payload: dict


@dataclass(frozen=True)
class TellHelper:
    """Add a note to the existing request ``request_id`` (e.g. the printer is out of paper)."""

    request_id: str
    message_key: str
    payload: dict


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


Intent = PrintSlip | CallHelper | TellHelper | ReportDevice | VisitReset


class Visit:
    """One resident's session. Create once per kiosk; :meth:`reset` makes it a fresh visit.

    ``tickets`` is a callable returning a new :class:`~kiosk.tickets.Ticket` (a ``TicketIssuer``).
    ``clock`` returns monotonic seconds. ``capture_dir`` is where :meth:`temp_file` creates files.
    """

    def __init__(self, catalog: Catalog, site: SiteInfo, *, tickets: Callable[[], Ticket],
                 clock: Callable[[], float] = time.monotonic, idle_timeout_s: float = 90,
                 countdown_s: float = 15, elderly_factor: float = 2.0, elderly: bool = False,
                 capture_dir: str | Path | None = None):
        self.catalog, self.site = catalog, site
        self._tickets, self._clock = tickets, clock
        self.idle_timeout_s, self.countdown_s = idle_timeout_s, countdown_s
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
        self.identity: Identity | None = None
        self.matter: Matter | None = None
        self.statuses: dict[str, MaterialStatus] = {}
        self.captures: dict[str, list[Any]] = {}  # material id → captured images (ndarray / bytearray / doc)
        self.result: Result | None = None
        self.help_request_id: str | None = None
        self._ticket: Ticket | None = None  # kept when going back, so one visit never takes two numbers
        self.helper_eta_s: float | None = None
        self._temp_files: list[Path] = []
        self._last_touch: float = self._clock()

    def subscribe(self, listener: Callable[[Visit], None]) -> None:
        """``listener(visit)`` runs after every change of step or data."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def _go(self, new: Step) -> None:
        if new not in TRANSITIONS[self.step]:
            raise TransitionError(f"cannot go from {self.step.value} to {new.value}; "
                                  f"allowed: {sorted(s.value for s in TRANSITIONS[self.step])} or reset()")
        self.step = new
        self._last_touch = self._clock()

    def _need(self, *steps: Step) -> None:
        if self.step not in steps:
            raise TransitionError(f"not allowed at step {self.step.value}; "
                                  f"expected {[s.value for s in steps]}")

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
        photo = getattr(card, "photo_raw", None)
        if not isinstance(photo, (bytes, bytearray, memoryview)):
            photo = getattr(card, "photo", None)
        card_type = getattr(card, "card_type", "resident")
        born = getattr(card, "birth_date", "") or ""
        self.identity = Identity(
            name=str(card.name), id_number=str(card.id_number),
            card_type=str(getattr(card_type, "value", card_type)),
            source="card", gender=str(getattr(card, "gender", "") or ""),
            birth_date=born.isoformat() if hasattr(born, "isoformat") else str(born),
            address=str(getattr(card, "current_address", None) or getattr(card, "address", "") or ""),
            photo=bytearray(photo) if isinstance(photo, (bytes, bytearray, memoryview)) else None)
        if consume:
            if callable(getattr(card, "wipe", None)):
                card.wipe()
            else:
                for name in ("photo_raw", "fingerprint_raw"):
                    _zero(getattr(card, name, None))
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
        self.matter = matter
        self._go(Step.MATERIALS)
        self._changed()

    def _material(self, material_id: str):
        if self.matter is None:
            raise VisitError("no matter chosen yet; choose_matter() first")
        return self.matter.material(material_id)

    def allowed_marks(self, material_id: str) -> tuple[MaterialStatus, ...]:
        """The choices the materials screen offers for one material right now."""
        material = self._material(material_id)
        marks = (MaterialStatus.PAPER, MaterialStatus.MISSING)
        if material.capturable and self.camera_available:
            return (MaterialStatus.CAPTURED, *marks)
        return marks

    def mark(self, material_id: str, status: MaterialStatus | str) -> None:
        """Sets one material's status. CAPTURED only via :meth:`attach_capture`; leaving CAPTURED
        drops (and zeroes) that material's images."""
        self._need(Step.MATERIALS)
        status = MaterialStatus(status)
        self._material(material_id)
        if status is MaterialStatus.CAPTURED:
            raise VisitError("use attach_capture() to mark a material as captured")
        if self.statuses.get(material_id) is MaterialStatus.CAPTURED:
            for image in self.captures.pop(material_id, []):
                _zero(image)
        self.statuses[material_id] = status
        self.touch()
        self._changed()

    def attach_capture(self, material_id: str, image: Any) -> None:
        """Keeps a captured image of one material and marks it CAPTURED.

        ``image``: a numpy array, bytes/bytearray (copied into a bytearray), or an object with an
        ``image`` array (a ``CapturedDocument``). The visit takes ownership: the wipe zeroes it.
        """
        self._need(Step.MATERIALS)
        if MaterialStatus.CAPTURED not in self.allowed_marks(material_id):
            raise VisitError(f"material '{material_id}' cannot be captured now "
                             "(camera lost or not capturable); "
                             "mark it paper or missing")
        if isinstance(image, (bytes, memoryview)):
            image = bytearray(image)
        self.captures.setdefault(material_id, []).append(image)
        self.statuses[material_id] = MaterialStatus.CAPTURED
        self.touch()
        self._changed()

    def completeness(self) -> Completeness:
        if self.matter is None:
            raise VisitError("no matter chosen yet")
        return check_completeness(self.matter, self.statuses)

    def finish_materials(self) -> list[Intent]:
        """MATERIALS → RESULT: runs the completeness check, issues a ticket when complete, and returns
        what to print and whom to call (see the module docstring)."""
        self._need(Step.MATERIALS)
        check = self.completeness()
        self._go(Step.RESULT)
        self.result = Result(check)
        intents: list[Intent] = []
        if check.complete:
            try:
                self._ticket = self._ticket or self._tickets()
            except Exception as err:  # a broken state disk must not strand the resident
                log.error("ticket counter failed: %s", err)
                intents.append(ReportDevice("storage", f"ticket counter failed: {err}"))
                intents.extend(self._helper("printer"))
            self.result.ticket = self._ticket
            self.result.no_ticket = self.result.print_failed = self._ticket is None
            intents.append(PrintSlip("ticket"))
            if self.kind is Kind.PROXY:
                intents.append(PrintSlip("authorization"))
            if self.kind in (Kind.ASSIST, Kind.PROXY):
                purpose = "handover" if self.kind is Kind.PROXY else "lead"
                called = self._helper(purpose)
                if not called and self.help_request_id:  # already called: tell the helper what is next
                    called = [TellHelper(self.help_request_id, f"visit.helper.ready_{purpose}",
                                         self.request_payload())]
                intents.extend(called)
        else:
            intents.append(PrintSlip("notice"))
        self._changed()
        return intents

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
        """RESULT → DONE: the thank-you screen. Personal data is wiped now; :meth:`reset` follows."""
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

    # ----- help, devices, printing -------------------------------------------------------------
    def request_payload(self) -> dict:
        """What a help request carries: kiosk, site, step, matter so far; the name masked, no ID number."""
        return {
            "visit_id": self.visit_id, "kiosk_id": self.site.kiosk_id, "site_code": self.site.site_code,
            "location": self.site.location, "step": self.step.value,
            "kind": self.kind.value if self.kind else None,
            "matter_id": self.matter.id if self.matter else None,
            "matter_name": self.matter.name if self.matter else None,
            "ticket": self.result.ticket.number if self.result and self.result.ticket else None,
            "name_masked": self.identity.masked_name if self.identity else None,
            "priority": "elderly" if self.elderly else "normal",
        }

    def _helper(self, reason: str) -> list[Intent]:
        if self.help_request_id is not None:
            return []
        self.help_request_id = uuid.uuid4().hex
        return [CallHelper(self.help_request_id, reason, self.request_payload())]  # type: ignore[arg-type]

    def call_helper(self) -> list[Intent]:
        """The call-helper button (screen or hardware), from any step. A second press returns []."""
        self.touch()
        intents = self._helper("resident")
        self._changed()
        return intents

    def helper_update(self, eta_s: float | None) -> None:
        """The queue said roughly how long until a helper comes (None: unknown / offline)."""
        self.helper_eta_s = eta_s
        self._changed()

    def reader_missing(self, problem: str = "reader not answering") -> list[Intent]:
        """The card reader failed: the identify screen offers manual entry only."""
        self.reader_available = False
        self._changed()
        return [ReportDevice("idcard", problem)]

    def camera_lost(self, problem: str = "camera lost") -> list[Intent]:
        """The camera failed: materials can be marked paper or missing only (captures so far stay)."""
        self.camera_available = False
        self._changed()
        return [ReportDevice("camera", problem)]

    def device_back(self, device: Literal["idcard", "camera", "printer"]) -> None:
        flags = {"idcard": "reader_available", "camera": "camera_available", "printer": "printer_ok"}
        setattr(self, flags[device], True)
        self._changed()

    def print_done(self, slip: str) -> None:
        if self.result is not None:
            self.result.printed[slip] = True
        self._changed()

    def print_failed(self, slip: str, problem: str = "out of paper") -> list[Intent]:
        """Printing failed: show the ticket number large, tell the helper, report the printer."""
        self.printer_ok = False
        intents: list[Intent] = [ReportDevice("printer", problem)]
        if self.result is not None:
            self.result.printed[slip] = False
            self.result.print_failed = True
            self.result.show_number_large = self.result.ticket is not None
        if self.help_request_id is None:
            intents.extend(self._helper("printer"))
        else:
            intents.append(TellHelper(self.help_request_id, "visit.helper.printer_failed",
                                      self.request_payload()))
        self._changed()
        return intents

    # ----- idle ------------------------------------------------------------------------------------
    @property
    def timeouts(self) -> tuple[float, float]:
        """(quiet time before the countdown, countdown), longer in elderly mode."""
        f = self.elderly_factor if self.elderly else 1.0
        return self.idle_timeout_s * f, self.countdown_s * f

    def touch(self) -> None:
        """Any touch or device event from the resident: restarts the idle time."""
        self._last_touch = self._clock()

    def idle_status(self) -> IdleStatus:
        if self.step is Step.START and not self.has_personal_data():
            return IdleStatus("active", float("inf"), float("inf"))
        quiet, countdown = self.timeouts
        deadline = self._last_touch + quiet + countdown
        left = deadline - self._clock()
        if left <= 0:
            return IdleStatus("expired", 0.0, deadline)
        return IdleStatus("warning" if left <= countdown else "active", left, deadline)

    def tick(self) -> list[Intent]:
        """Called about once a second: resets the visit when its countdown ran out."""
        if self.idle_status().phase == "expired":
            return self.reset("idle")
        return []

    # ----- personal data ---------------------------------------------------------------------------
    def temp_file(self, suffix: str = "") -> Path:
        """A new private (0600) temp file for this visit (e.g. a preview image); the wipe deletes it."""
        if self._capture_dir:
            self._capture_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(suffix=suffix, prefix="visit-", dir=self._capture_dir)
        os.close(fd)
        self._temp_files.append(Path(name))
        return Path(name)

    def has_personal_data(self) -> bool:
        return bool(self.identity or self.captures or self._temp_files)

    def _drop_captures(self) -> None:
        for images in self.captures.values():
            for image in images:
                _zero(image)
        self.captures.clear()

    def _wipe_personal(self) -> None:
        if self.identity is not None:
            if self.identity.photo is not None:
                _zero(self.identity.photo)
            self.identity.name = self.identity.id_number = self.identity.address = ""
            self.identity.photo = None
            self.identity = None
        self._drop_captures()
        for path in self._temp_files:
            _shred(path)
        self._temp_files.clear()

    def wipe(self) -> None:
        """Zeroes and drops every piece of personal data: card fields, the card photo, captured images
        (numpy buffers and bytearrays are overwritten with zeros), and deletes (after overwriting) the
        temp files this visit created. Python strings cannot be overwritten in place; the visit drops
        every reference to them. Step, kind and matter stay until :meth:`reset`."""
        self._wipe_personal()


def _zero(obj: Any) -> None:
    """Overwrites a buffer in place: a bytearray, a numpy array, or every such buffer held by an object
    (a ``CapturedDocument``'s image, thumbnail …; its ``wipe()`` is called when it has one)."""
    if obj is None:
        return
    if isinstance(obj, bytearray):
        obj[:] = bytes(len(obj))
    elif hasattr(obj, "fill") and hasattr(obj, "flags"):  # numpy, without importing it
        try:
            if not obj.flags.writeable:
                obj.setflags(write=True)
            obj.fill(0)
        except ValueError:  # a read-only view of someone else's buffer: nothing we own to zero
            pass
    elif not isinstance(obj, (str, bytes, int, float)):
        if callable(getattr(obj, "wipe", None)):
            obj.wipe()
        held = list(getattr(obj, "__dict__", {}).values())
        held += [getattr(obj, s, None) for s in getattr(type(obj), "__slots__", ())]
        for value in held:
            if isinstance(value, bytearray) or (hasattr(value, "fill") and hasattr(value, "flags")):
                _zero(value)


def _shred(path: Path) -> None:
    try:
        size = path.stat().st_size
        with path.open("r+b") as fh:
            fh.write(bytes(size))
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
    except FileNotFoundError:
        pass
