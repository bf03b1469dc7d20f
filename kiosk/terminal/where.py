"""Where to go once the materials are complete (issue 12, item 13): this hall's place for the matter
(:mod:`kiosk.visit.place`), its window or area (``site.windows``) and, when the hall's queuing system is
connected (:mod:`kiosk.terminal.queuing`), the real queue number and how many are ahead; when none is
connected the resident is told plainly to take a number at the window.

:func:`attach_where` makes the controller take the queue number off the UI thread as soon as a complete
result exists (once a visit and matter: going back and checking again keeps the number), then re-shows
the result. :func:`where_text` words it for the result screen, :func:`where_line` for the slip. No Kivy.
"""

from __future__ import annotations

import logging
import threading

from kiosk.i18n import tr
from kiosk.terminal.queuing import QueuingSystem, from_config
from kiosk.visit import Kind
from kiosk.visit.place import place_here

log = logging.getLogger(__name__)


def _place(visit):
    return place_here(visit.matter, visit.site.level, dict(visit.site.windows))


def where_line(visit) -> str:
    """One line: where to go in this hall for the visit's matter."""
    p = _place(visit)
    if p.window:
        return p.window
    if not p.in_hall:
        return tr("where.elsewhere", place=p.here)
    return p.here or tr("where.this_hall")


def where_text(visit) -> str:
    """The result screen's lines: where to go, and the queue number (or why there is none). For 代办 the
    agent goes, not the resident: where it is handled, and no queue number to take or wait for."""
    if visit.kind is Kind.PROXY:
        return tr("where.go_proxy", place=where_line(visit))
    lines = [tr("where.go", place=where_line(visit))]
    r = visit.result
    state = r.queue_state if r is not None else ""
    if state == "got":
        q = r.queue
        lines.append(tr("where.queue", number=q.number))  # the number itself is large above it
        if q.window:
            lines.append(tr("where.queue_window", window=q.window))
    elif state == "asking":
        lines.append(tr("where.queue_asking"))
    elif state == "failed":
        lines.append(tr("where.queue_failed"))
    elif state == "none":
        lines.append(tr("where.queue_none"))
    return "\n".join(lines)


class WhereToGo:
    """Takes the queue number for a complete result (once a visit and matter) and shows it."""

    def __init__(self, controller, queuing: QueuingSystem | None):
        self.controller, self.queuing = controller, queuing
        self._taken: tuple[str, str, object] | None = None  # (visit id, matter id, QueueNumber)
        controller.visit.subscribe(self._changed)

    def _changed(self, visit) -> None:
        r = visit.result
        if r is None or not r.complete or visit.matter is None or r.queue_state or visit.kind is Kind.PROXY:
            return  # 代办: the agent queues when they run the errand, not the resident now
        if self.queuing is None:
            r.queue_state = "none"
            return
        key = (visit.visit_id, visit.matter.id)
        if self._taken is not None and self._taken[:2] == key:  # back and checked again: the same number
            r.queue, r.queue_state = self._taken[2], "got"
            return
        r.queue_state = "asking"
        threading.Thread(target=self._take, args=(r, key, visit.matter.department), name="queuing",
                         daemon=True).start()

    def _take(self, result, key: tuple[str, str], department: str) -> None:
        try:
            number, state = self.queuing.take_number(department, key[1]), "got"
        except Exception as err:  # unreachable, refused: said plainly, never a stuck screen
            log.warning("queuing system gave no number: %s", err)
            number, state = None, "failed"
        self.controller.later(self._got, result, key, number, state)

    def _got(self, result, key, number, state: str) -> None:
        if state == "got":
            self._taken = (*key, number)
        if self.controller.visit.result is not result:  # the visit moved on meanwhile
            return
        result.queue, result.queue_state = number, state
        view = self.controller.result_view()
        if view is not None:
            self.controller.emit("result", view)


def attach_where(controller, config) -> WhereToGo:
    where = WhereToGo(controller, from_config(config))
    controller.where = where
    return where
