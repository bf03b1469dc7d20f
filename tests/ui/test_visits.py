"""Every path of a visit, driven with real touches on the real screens, over the real drivers talking to
the card reader and printer simulators, with a real (offline) help-queue outbox."""

import pytest

from tests.ui.kit import ID_NUMBER, close, requests, sim_kiosk, wait

MATTER = "pension-enrol"


@pytest.fixture
def h(window, sims, tmp_path):
    harness = sim_kiosk(sims, tmp_path, card=True, printer=True)
    yield harness
    close(harness)


def slips_after(h, before: int, count: int) -> list:
    assert h.sims["printer"].wait_for_slips(before + count, 10)
    return h.sims["printer"].slips[before:]


def to_result(h, missing: str | None = None) -> None:
    h.choose_matter(MATTER)
    assert h.current == "materials"
    first = h.material_rows()[0].material_id
    h.mark_all("paper", {first: "missing"} if missing else None)
    h.press("检查材料")
    h.settle(10)
    wait(h, lambda: not h.controller.result_view().working, 10, "printing")


def test_assist_complete_with_card_read_prints_ticket_and_calls_one_helper(h):
    before = len(h.sims["printer"].slips)
    h.start("assist")
    assert h.current == "identify" and h.screen().manual is False
    h.sims["sam"].present("zhang_san")
    wait(h, lambda: h.current == "matter", 10, "the card read")
    assert h.controller.visit.identity.source == "card"
    to_result(h)
    result = h.screen("result")
    assert result.complete and result.ticket_no.startswith("A") and not result.big_number
    assert len(slips_after(h, before, 1)) >= 1
    h.controller.wait_idle()
    assert len(requests(h)) == 1  # the helper who leads the resident to the window
    # the queue server is unreachable here: the resident is told so, and where the 帮办代办 window is,
    # and gets that on a slip (once)
    wait(h, lambda: h.controller.visit.help.directions == "printed", 10, "the directions slip")
    h.controller.wait_idle()
    h.pump(4)
    banner = h.root.header.help_text
    assert "网络恢复后自动发送" in banner and "一楼大厅\u00a03\u00a0号帮办代办窗口" in banner and "已打印" in banner
    printed = slips_after(h, before, 2)
    words = ["".join(getattr(b, "text", "") + getattr(b, "left", "") + getattr(b, "right", "")
                     for b in slip.blocks).replace(" ", "") for slip in printed]
    assert sum("请到帮办代办窗口" in w and "一楼大厅3号帮办代办窗口" in w for w in words) == 1
    h.press("完成")
    assert h.current == "done"
    h.tap(h.screen("done").ids.home)
    assert h.current == "start" and h.controller.visit.identity is None


def test_assist_incomplete_prints_the_one_time_notice_and_can_still_call(h):
    before = len(h.sims["printer"].slips)
    h.start("assist")
    h.type_id(ID_NUMBER)
    assert h.current == "matter" and h.controller.visit.identity.source == "manual"
    to_result(h, missing="first")
    result = h.screen("result")
    assert not result.complete and result.ticket_no == "" and result.missing_count == 1
    assert len(slips_after(h, before, 1)) == 1
    h.controller.wait_idle()
    notices = [i for state in ("pending", "sent", "dead") for i in h.queue.outbox.items(state, 1000)
               if i.kind == "notice"]  # for the supervision figures, and nothing about the resident
    assert [(n.body["matter_id"], n.body["missing"]) for n in notices] == [(MATTER, 1)]
    assert ID_NUMBER not in str(notices[0].body) and "identity" not in notices[0].body
    assert requests(h) == []  # nobody is called unless the resident asks
    h.tap(h.root.header.ids.call_helper)
    h.controller.wait_idle()
    assert len(requests(h)) == 1


def test_proxy_complete_prints_ticket_and_authorization(h):
    before = len(h.sims["printer"].slips)
    h.start("proxy")
    h.type_id(ID_NUMBER)
    to_result(h)
    assert h.screen("result").complete
    printed = slips_after(h, before, 2)
    titles = [next(b.text for b in slip.blocks if getattr(b, "size", 1) == 2) for slip in printed]
    assert [t for t in titles if "帮办代办窗口" not in t] == ["帮办代办小票", "授权委托书"]  # (and the way to the window)
    h.controller.wait_idle()
    assert [r.body["kind"] for r in requests(h)] == ["proxy"]


def test_consult_skips_identity_and_finds_a_matter_by_pinyin_initials(h):
    h.start("consult")
    s = h.screen("identify")
    assert s.can_skip
    h.tap(s.ids.skip)
    assert h.current == "matter" and h.controller.visit.identity is None
    m = h.screen("matter")
    h.tap(m.ids.search_box)
    h.keys(m.ids.keyboard, "ylbx")
    h.pump(6)
    names = [b.matter_id for b in m.ids.item_box.children if hasattr(b, "matter_id")]
    assert MATTER in names
    found = [b for b in m.ids.item_box.children if getattr(b, "matter_id", "") == MATTER][0]
    h.tap(found)
    assert h.current == "materials"


def test_bad_id_number_is_refused_in_plain_words(h):
    h.start("assist")
    h.type_id("110105194912310021")
    s = h.screen("identify")
    assert h.current == "identify" and "一位不对" in s.message and s.message_tone == "error"
    assert "校验" not in s.message  # no jargon


def test_call_helper_from_every_step_creates_one_request(h):
    h.start("assist")
    steps = []
    for _ in range(2):
        h.tap(h.root.header.ids.call_helper)
    steps.append(h.current)
    h.type_id(ID_NUMBER)
    h.tap(h.root.header.ids.call_helper)
    steps.append(h.current)
    h.choose_matter(MATTER)
    h.tap(h.root.header.ids.call_helper)
    steps.append(h.current)
    h.root._last_touch = 0
    h.hub.get("button").feed("F12", True)  # the hardware button
    h.hub.get("button").feed("F12", False)
    h.controller.wait_idle()
    h.pump(4)
    assert steps == ["identify", "matter", "materials"]
    reqs = requests(h)
    assert len(reqs) == 1 and reqs[0].body["step"] == "identify"
    assert h.root.header.help_text


def test_printer_out_of_paper_shows_the_number_large_and_tells_the_helper(h):
    h.sims["printer"].set_state("out")
    h.start("assist")
    h.type_id(ID_NUMBER)
    to_result(h)
    result = h.screen("result")
    assert result.big_number and result.ticket_no
    assert "缺纸" in result.print_text
    h.controller.wait_idle()
    assert len(requests(h)) == 1  # the helper is called (and told about the printer)
    assert not h.hub.device_health("printer").ok  # reported as device health


def test_paper_ending_in_the_middle_of_the_ticket_is_the_paper_out_screen_not_printed(h):
    """The roll ends 40 bytes into the ticket: the printer simulator loses the rest; the driver's status
    round after the slip sees the paper end, so the resident sees the number large and is not told
    "printed"."""
    lost = len(h.sims["printer"].lost)
    h.sims["printer"].set_state("ok", paper_left=40)
    h.start("assist")
    h.type_id(ID_NUMBER)
    to_result(h)
    result = h.screen("result")
    assert result.big_number and result.ticket_no
    assert "缺纸" in result.print_text and "已打印" not in result.print_text
    assert h.sims["printer"].wait_for_slips(len(h.sims["printer"].slips) + lost + 1, 10)
    assert len(h.sims["printer"].lost) > lost  # the torn ticket
    h.controller.wait_idle()
    assert len(requests(h)) == 1  # the helper is called (and told about the printer)
    assert not h.hub.device_health("printer").ok


def test_printer_failure_after_the_call_adds_a_note_to_the_same_request(h):
    from kiosk.queue.client import HelpQueueClient

    if not hasattr(HelpQueueClient, "add_note"):
        pytest.skip("HelpQueueClient.add_note has not landed")
    h.sims["printer"].set_state("out")
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.tap(h.root.header.ids.call_helper)  # the resident calls a helper first
    h.controller.wait_idle()
    assert len(requests(h)) == 1
    to_result(h)
    h.controller.wait_idle()
    assert len(requests(h)) == 1  # still the one request: the printer failure is a note on it
    rid = requests(h)[0].id
    notes = [i for state in ("pending", "sent", "dead") for i in h.queue.outbox.items(state, 1000)
             if i.kind == "note"]
    assert all(n.path == f"/api/v1/requests/{rid}/notes" for n in notes)
    texts = [n.body["text"] for n in notes]
    ticket = h.screen("result").ticket_no
    assert any("窗口" in t for t in texts)  # materials complete: lead the resident to the window
    assert any("缺纸" in t and ticket in t for t in texts)  # and the number to tell the resident
    assert len(notes) == 2
