import re
import time

import pytest
from PIL import Image

from kiosk.config.devices import PrinterConfig
from kiosk.devices import registry
from kiosk.devices.base import Backoff, DeviceError, HealthState
from kiosk.devices.printer.driver import (
    CoverOpenError,
    EscposPrinter,
    PaperOutError,
    PrinterOfflineError,
    PrinterUnavailable,
)
from kiosk.devices.printer.simulator import PrinterSimulator
from kiosk.devices.printer.test_slip import build_test_slip
from kiosk.i18n import say
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.layout import Cut, Slip, Text

DLE_EOT_ROUND = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"
PAPER_AFTER = b"\x1d\x72\x01"  # GS r 1: the paper sensor, answered once the slip is printed


def slip(text="取号 A001") -> Slip:
    return Slip([Text(text, size=2, align="center"), Cut()])


def test_prints_exact_bytes_between_status_rounds_and_the_simulator_saves_a_preview(sim, printer):
    result = printer.print_slip(slip())
    assert sim.wait_for_slips(1)
    assert bytes(sim.received) == DLE_EOT_ROUND + to_escpos(slip()) + PAPER_AFTER
    assert result.bytes_sent == len(to_escpos(slip())) and result.status.paper == "ok"
    assert sim.slips[0].lines()[0].strip() == "取号 A001"
    with Image.open(sim.previews[0]) as image:
        assert image.width == 576
    assert printer.health().state == HealthState.CONNECTED and printer.health().reason == ""


@pytest.mark.parametrize("state, paper, online, cover", [
    ("ok", "ok", True, False), ("near_end", "near_end", True, False), ("out", "out", False, False),
    ("cover_open", "ok", False, True), ("silent", "unknown", None, None),
])
def test_status_in_every_simulator_state(sim, printer, state, paper, online, cover):
    sim.set_state(state)
    started = time.monotonic()
    status = printer.status()
    assert (status.paper, status.online, status.cover_open) == (paper, online, cover)
    assert time.monotonic() - started < 1.5


def test_paper_out_refuses_with_a_clear_error_and_keeps_the_slip(sim, printer):
    sim.set_state("out")
    ticket = slip()
    with pytest.raises(PaperOutError) as err:
        printer.print_slip(ticket)
    assert "缺纸" in say(err.value, "zh_CN") and "out of paper" in say(err.value, "en")
    assert err.value.slip is ticket and err.value.status.paper == "out"
    assert isinstance(err.value, DeviceError)
    assert bytes(sim.received) == DLE_EOT_ROUND  # nothing but the status queries reached the printer
    health = printer.health()
    assert health.state == HealthState.ERROR and health.detail == {"paper": "out"}
    sim.set_state("ok")  # a new roll: the same slip prints
    printer.print_slip(err.value.slip)
    assert sim.wait_for_slips(1) and printer.health().state == HealthState.CONNECTED


def test_cover_open_refuses(sim, printer):
    sim.set_state("cover_open")
    with pytest.raises(CoverOpenError) as err:
        printer.print_slip(slip())
    assert "盖" in say(err.value, "zh_CN")


def test_a_cutter_jam_refuses_and_keeps_the_slip(sim, printer):
    """The jam is told in n=2 (error) and n=3 (cutter error) while n=1 still reads online: nothing is sent."""
    sim.set_state("cutter_error")
    with pytest.raises(PrinterOfflineError) as caught:
        printer.print_slip(slip())
    assert caught.value.slip == slip() and "cutter error" in str(caught.value)
    assert bytes(sim.received) == DLE_EOT_ROUND and sim.slips == [] and sim.lost == []
    assert printer.health().state == HealthState.ERROR


def test_near_end_prints_and_warns_in_health(sim, printer):
    sim.set_state("near_end")
    printer.print_slip(slip())
    health = printer.health()
    assert health.state == HealthState.CONNECTED
    assert health.detail["warning"] == "paper_near_end" and "快用完" in say(health.reason, "zh_CN")


def test_a_silent_printer_still_prints(sim, printer):
    sim.set_state("silent")
    result = printer.print_slip(slip())
    assert result.status.paper == "unknown" and sim.wait_for_slips(1)


def test_reconnects_after_the_printer_restarts(tmp_path):
    first = PrinterSimulator().start()
    port = first.port
    driver = EscposPrinter(first.uri, status_timeout_s=0.5, backoff=Backoff(0.05, 0.2))
    try:
        driver.print_slip(slip("一"))
        first.stop()
        with pytest.raises(PrinterUnavailable) as err:
            driver.print_slip(slip("二"))
        assert err.value.slip.blocks[0].text == "二"
        assert driver.health().state == HealthState.DISCONNECTED
        with PrinterSimulator(port=port) as second:
            deadline = time.monotonic() + 5
            while True:
                try:
                    driver.print_slip(err.value.slip)
                    break
                except PrinterUnavailable:
                    assert time.monotonic() < deadline, "did not reconnect"
                    time.sleep(0.05)
            assert second.wait_for_slips(1)
            assert second.slips[0].blocks[0].text == "二"
            assert driver.health().state == HealthState.CONNECTED
    finally:
        driver.close()
        first.stop()


def test_monitor_notices_unplug_and_return():
    sim = PrinterSimulator().start()
    port = sim.uri.rsplit(":", 1)[1]
    driver = EscposPrinter(sim.uri, status_timeout_s=0.3, backoff=Backoff(0.05, 0.1))
    seen = []
    driver.subscribe(lambda health: seen.append(health.state))
    try:
        driver.start_monitor(0.05)
        deadline = time.monotonic() + 5
        while HealthState.CONNECTED not in seen and time.monotonic() < deadline:
            time.sleep(0.02)
        sim.stop()
        while seen[-1] != HealthState.DISCONNECTED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen[-1] == HealthState.DISCONNECTED
        sim = PrinterSimulator(port=int(port)).start()
        while seen[-1] != HealthState.CONNECTED and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen[-1] == HealthState.CONNECTED
    finally:
        driver.close()
        sim.stop()


def test_submit_runs_off_the_calling_thread_and_queues(sim, printer):
    import threading

    caller = threading.get_ident()
    futures = [printer.submit(slip(str(i))) for i in range(3)]
    results = [f.result(timeout=5) for f in futures]
    assert all(r.bytes_sent > 0 for r in results)
    assert sim.wait_for_slips(3)
    assert [s.blocks[0].text for s in sim.slips] == ["0", "1", "2"]
    sim.set_state("out")
    with pytest.raises(PaperOutError):
        printer.submit(slip()).result(timeout=5)
    assert threading.get_ident() == caller


def test_file_printer_gets_only_the_slip_bytes(tmp_path):
    out = tmp_path / "printer.bin"
    with EscposPrinter(f"file:{out}") as driver:
        result = driver.print_slip(slip())
        assert result.status.paper == "unknown"
        assert driver.status().error == "file: no status channel"
    assert out.read_bytes() == to_escpos(slip())


def test_unreachable_printer(tmp_path):
    driver = EscposPrinter("tcp://127.0.0.1:1", connect_timeout_s=1)
    assert driver.status().paper == "unknown"
    with pytest.raises(PrinterUnavailable) as err:
        driver.print_slip(slip())
    assert re.search("连不上打印机|暂不可用", say(err.value, "zh_CN"))
    test = driver.self_test()
    assert not test.ok and "127.0.0.1:1" in say(test.message)
    assert driver.health().state == HealthState.DISCONNECTED


def test_from_config_through_the_registry(sim):
    section = PrinterConfig(uri=sim.uri, paper_width_mm=58, profile="TM-T20II", status_timeout_s=0.5)
    sim.set_state("near_end")
    driver = registry.create("printer", section)
    try:
        assert isinstance(driver, EscposPrinter) and driver.width_mm == 58
        deadline = time.monotonic() + 5  # the monitor's first check runs at once, off the caller's thread
        while driver.health().detail.get("paper") != "near_end":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        sim.set_state("ok")
        assert driver.self_test().ok
        driver.print_slip(build_test_slip(58, sim.uri))
        assert sim.wait_for_slips(1)
        text = "\n".join(sim.slips[0].lines())
        assert "测试" in text and time.strftime("%Y-%m-%d") in text
        assert any(type(b).__name__ == "QR" for b in sim.slips[0].blocks)
    finally:
        driver.close()


@pytest.mark.parametrize("settings, sent", [
    ({}, 8),  # no profile: most printers take 1–8
    ({"profile": "TM-T88V"}, 12),  # Epson: 1–16
    ({"profile": "TM-T88V", "qr_module_sizes": [2, 5]}, 5),  # the config wins
    ({"qr_module_sizes": [14, 16]}, 14),  # clamped up too
])
def test_qr_module_size_comes_from_the_profile_and_config(settings, sent):
    from kiosk.printing.layout import QR

    with PrinterSimulator() as sim:
        section = PrinterConfig(uri=sim.uri, monitor_interval_s=0, **settings)
        printer = EscposPrinter.from_config(section)
        try:
            printer.print_slip(Slip([QR("BBDB1|T|A001", size=12), Cut()]))
        finally:
            printer.close()
        assert sim.wait_for_slips(1)
    assert [b.size for b in sim.slips[0].blocks if isinstance(b, QR)] == [sent]


def test_four_byte_codes_off_in_the_config_prints_them_as_an_image():
    from kiosk.printing.layout import Raster

    with PrinterSimulator(font="gb18030-2byte") as sim:
        section = PrinterConfig(uri=sim.uri, encoding="gb18030", four_byte_codes=False, monitor_interval_s=0)
        printer = EscposPrinter.from_config(section)
        try:
            result = printer.print_slip(Slip([Text("王𠮷祥"), Text("张三"), Cut()]))
        finally:
            printer.close()
        assert sim.wait_for_slips(1)
    blocks = sim.slips[0].blocks
    assert isinstance(blocks[0], Raster) and blocks[1].text == "张三"
    assert result.image_chars == ("𠮷",) and result.image_lines == 1


def test_a_printer_answering_noise_is_unknown_and_its_self_test_warns(sim, printer):
    sim.set_state("garbled")  # 00 / FF to every DLE EOT
    status = printer.status()
    assert (status.online, status.paper, status.cover_open) == (None, "unknown", None)
    assert status.can_print is None and not status.answered and "invalid reply to n=1 (0x00)" in status.error
    assert printer.health().detail.get("paper") == "unknown"
    check = printer.self_test()
    assert check.ok and check.warning  # it prints, but what the printer says cannot be read
    printer.print_slip(slip())  # unknown never blocks a ticket
    assert sim.wait_for_slips(1) and not sim.lost
