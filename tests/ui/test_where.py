"""Where to go (issue 12, item 13), with real touches: the result names this hall's place (not every
level's), the hall's window for the department when configured, and the queue number from the hall's
queuing system (a simulator here); with none connected, or when it fails, the resident is told plainly.
Without a help queue the ticket says plainly it has no QR code to rate by."""

import pytest

from kiosk.catalog import load_catalog
from kiosk.config.settings import DEFAULT_CATALOG
from kiosk.terminal.queuing import QueuingUnavailable, SimulatedQueuing
from kiosk.visit.place import place_here
from tests.ui.kit import ID_NUMBER, close, config, kiosk, wait

MATTER = "pension-enrol"


@pytest.fixture
def h(window, tmp_path):
    harness = kiosk(config(tmp_path), queue=False)
    yield harness
    close(harness)


def complete(h) -> str:
    h.start("assist")
    h.type_id(ID_NUMBER)
    h.choose_matter(MATTER)
    h.mark_all("paper")
    h.press("检查材料")
    h.settle(10)
    wait(h, lambda: h.controller.visit.result.queue_state not in ("", "asking"), 10, "the queue number")
    h.pump(4)
    return h.screen("result").next_text


class Broken:
    def take_number(self, department, matter_id):
        raise QueuingUnavailable("connection refused")


def test_without_a_queuing_system_the_result_says_so_and_names_only_this_halls_place(h):
    text = complete(h)
    assert "办理地点：二楼 人社综合窗口" in text and "便民服务室" not in text and "各镇" not in text
    assert "到窗口办事还要排队：请在窗口另外取号" in text  # what to do, not which system is missing


def test_the_queue_number_and_who_is_ahead_from_the_halls_system(h):
    h.controller.where.queuing = SimulatedQueuing(waiting=3)
    text = complete(h)
    assert "听到叫大厅排队号 A004 再去窗口" in text
    screen = h.screen("result")  # two numbers: the one the window calls is the large one
    assert screen.ids.number.text == "A004" and screen.ids.ahead.text == "前面还有 3\u00a0人"
    assert screen.ids.kiosk_ref.text.startswith("本机小票号 ") and "A004" not in screen.ids.kiosk_ref.text
    h.press("修改材料")
    assert h.current == "materials"
    h.press("检查材料")
    h.settle(10)
    h.pump(4)
    assert "A004" in h.screen("result").next_text  # checked again: the same number, not a second one


def test_a_queuing_system_that_fails_is_said_plainly(h):
    h.controller.where.queuing = Broken()
    assert "叫号系统暂时连不上" in complete(h)


def test_the_place_for_each_level_and_the_halls_own_window():
    catalog = load_catalog(DEFAULT_CATALOG)
    m = catalog.get(MATTER)
    assert place_here(m, "district").here == "二楼 人社综合窗口"
    assert place_here(m, "town").here == "社保窗口"
    assert place_here(m, "village").here == ""  # this hall itself
    assert place_here(m, "town", {m.department: "一楼 3 号窗口"}).window == "一楼 3 号窗口"
    invoice = catalog.get("invoice")
    p = place_here(invoice, "town")
    assert not p.in_hall and p.here.startswith("区政务服务中心") and p.also


def test_the_simulator_counts_down_as_people_are_called():
    now = [0.0]
    q = SimulatedQueuing(clock=lambda: now[0], served_per_min=1, waiting=2)
    first = q.take_number("区民政局", "marriage")
    assert (first.number, first.ahead) == ("A003", 2)
    assert q.take_number("区医疗保障局", "medical-enrol").number == "B003"  # another department, another letter
    now[0] = 120
    later = q.take_number("区民政局", "marriage")
    assert (later.number, later.ahead) == ("A004", 1)


def test_the_ticket_slip_says_plainly_it_has_no_qr_code_without_a_queue(h):
    complete(h)  # this kiosk runs no help-queue client (a ticket with the rating QR: tests/ui/test_slip_rating.py)
    from kiosk.printing.layout import QR
    from kiosk.terminal import slips

    slip = slips.build("ticket", h.controller.visit)
    words = "".join(getattr(b, "text", "") for b in slip.blocks)
    assert not any(isinstance(b, QR) for b in slip.blocks)
    assert "不能扫码评价" in words and "12345" in words and "二楼 人社综合窗口" in words
