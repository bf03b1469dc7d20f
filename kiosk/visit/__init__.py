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
- Result: complete → a :class:`~kiosk.visit.tickets.Ticket` and ``PrintSlip("ticket")``; 帮办 also
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

Modules: :mod:`.steps` (steps, kinds, :data:`TRANSITIONS`, errors), :mod:`.identity` (ID number check,
:class:`Identity`), :mod:`.intents` (:class:`SiteInfo`, the intents), :mod:`.core` (:class:`Visit`
and its steps), its mixins :mod:`.materials`, :mod:`.result`, :mod:`.help`, :mod:`.devices`,
:mod:`.idle`, and :mod:`.wipe` (zeroing buffers, shredding temp files). Import from ``kiosk.visit``.
"""

from kiosk.catalog import MaterialStatus
from kiosk.visit.core import Visit
from kiosk.visit.identity import Identity, InvalidIdNumber, validate_id_number
from kiosk.visit.idle import IdleStatus
from kiosk.visit.intents import (
    CallHelper,
    Intent,
    PrintSlip,
    RateHelp,
    ReportDevice,
    SiteInfo,
    TellHelper,
    VisitReset,
)
from kiosk.visit.result import Result
from kiosk.visit.steps import BACK, TRANSITIONS, Kind, Step, TransitionError, VisitError

__all__ = [
    "Step", "Kind", "MaterialStatus", "TRANSITIONS", "BACK", "TransitionError", "VisitError", "InvalidIdNumber",
    "Identity", "SiteInfo", "Result", "IdleStatus", "PrintSlip", "CallHelper", "TellHelper",
    "ReportDevice", "RateHelp", "VisitReset", "Intent", "Visit", "validate_id_number",
]
