"""The thank-you screen while a helper is on the way: it asked the resident to wait, or to "press the button
below" to leave, without saying that leaving cancels the call. Pressing 回到首页 there does cancel it (the
helper is told the resident left); the screen now names the button and says so, and these tests hold both."""

from __future__ import annotations

from tests.ui.kit import wait


def waiting_done(h):
    h.to_result()  # 帮办 complete: a helper is called to lead the resident
    h.controller._help_status(h.controller.visit.help_request_id, {"state": "waiting", "expected_wait_s": 120},
                              True)
    h.pump(2)
    h.press("完成")
    d = h.screen("done")
    d._tick(0)
    return d


def outbox(h, kind: str) -> list:
    return [i for state in ("pending", "sent", "dead") for i in h.queue.outbox.items(state, 1000) if i.kind == kind]


def test_leaving_while_a_helper_comes_cancels_the_call_and_the_screen_says_so(shot_kiosks):
    from kiosk.i18n import tr

    h = shot_kiosks(queue=True)
    d = waiting_done(h)
    assert d.waiting
    assert tr("kiosk.done.home") in d.ids.when.text and "取消" in d.ids.when.text, d.ids.when.text
    rid = h.controller.visit.help_request_id
    assert rid and not outbox(h, "cancel")
    h.tap(d.ids.home)
    h.pump(3)
    assert h.current == "start"
    wait(h, lambda: outbox(h, "cancel"), 30, "the cancel in the outbox")  # sent by the queue worker
    cancels = outbox(h, "cancel")
    assert len(cancels) == 1 and cancels[0].body == {"reason": "resident_left"}


def test_with_no_helper_coming_the_screen_counts_down_and_promises_nothing(shot_kiosks):
    h = shot_kiosks(queue=True)
    h.to_result()
    h.controller.visit.help_request_id = None
    h.controller.visit.help.phase = "none"
    h.press("完成")
    d = h.screen("done")
    d._tick(0)
    assert not d.waiting and "取消" not in d.ids.when.text

