
from kiosk.devices.printer.simulator import PrinterSimulator
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.layout import Cut, Slip, Text
from tests.devices.printer.conftest import send


def test_records_to_memory_and_file_and_previews_each_cut(tmp_path):
    record = tmp_path / "rec.bin"
    two = to_escpos(Slip([Text("一"), Cut()])) + to_escpos(Slip([Text("二"), Cut()]))
    with PrinterSimulator(out_dir=tmp_path / "png", record_path=record) as sim:
        send(sim.uri, two)
        assert sim.wait_for_slips(2)
        assert [s.blocks[0].text for s in sim.slips] == ["一", "二"]
        assert [p.name for p in sim.previews] == ["slip-0001.png", "slip-0002.png"]
    assert bytes(sim.received) == two and record.read_bytes() == two


def test_a_slip_without_cut_is_kept_when_the_connection_closes(tmp_path):
    with PrinterSimulator() as sim:
        send(sim.uri, b"\x1b@\x1c&" + "未切纸".encode("gbk") + b"\n")
        assert sim.wait_for_slips(1) and sim.slips[0].blocks[0].text == "未切纸"


def test_out_of_paper_answers_status_and_prints_nothing(tmp_path):
    with PrinterSimulator(state="out", out_dir=tmp_path) as sim:
        reply = send(sim.uri, b"\x10\x04\x01\x10\x04\x02\x10\x04\x04", read=3)
        assert reply == b"\x1a\x32\x7e"
        send(sim.uri, to_escpos(Slip([Text("x"), Cut()])))
        assert sim.wait_for_slips(1)
        assert len(sim.lost) == 1 and not sim.slips and not sim.previews
        sim.set_state("ok")
        assert send(sim.uri, b"\x10\x04\x04", read=1) == b"\x12"
        assert sim.status_queries == [1, 2, 4, 4]
