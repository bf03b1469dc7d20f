from hypothesis import given, settings
from hypothesis import strategies as hs

from kiosk.printing.escpos_parse import EscposParser
from kiosk.printing.layout import QR, Cut, Feed, Raster, Text


def parse(data: bytes, **kw):
    parser = EscposParser(80, **kw)
    slips = parser.feed(data)
    return slips, parser


def test_text_styles_and_cut_make_one_slip():
    data = (b"\x1b@\x1c&\x1ba\x01\x1d!\x11\x1bE\x01" + "取号".encode("gbk") + b"\n\x1ba\x00\x1d!\x00\x1bE\x00"
            + b"ok\n\x1bd\x02\x1dV\x01")
    slips, _ = parse(data)
    assert len(slips) == 1
    blocks = slips[0].blocks
    assert blocks[0] == Text("取号", size=2, align="center", bold=True)
    assert blocks[1] == Text("ok")
    assert blocks[2] == Feed(2) and blocks[3] == Cut(feed=0, partial=True)


def test_commands_split_across_chunks_are_kept_until_whole():
    data = b"\x1b@\x1d!\x11" + "测试".encode("gbk") + b"\n\x1dV\x00"
    parser = EscposParser(80)
    slips = []
    for i in range(len(data)):
        slips += parser.feed(data[i:i + 1])
    assert [b for b in slips[0].blocks] == [Text("测试", size=2), Cut(feed=0, partial=False)]


def test_status_queries_are_reported_and_not_printed():
    asked = []
    slips, parser = parse(b"\x10\x04\x01A\x10\x04\x04\n", on_status=asked.append)
    assert asked == [1, 4]
    assert parser.flush().blocks == [Text("A")]


def test_gs_r_status_requests_are_reported_in_the_order_of_the_data_and_not_printed():
    events = []
    parser = EscposParser(80, on_status=lambda n: events.append(("DLE EOT", n)),
                          on_transmit=lambda n: events.append(("GS r", n)))
    slips = parser.feed(b"A\n\x1dV\x01\x1dr\x01\x10\x04\x04\x1dr1")
    assert [s.blocks for s in slips] == [[Text("A"), Cut(feed=0, partial=True)]]
    assert events == [("GS r", 1), ("DLE EOT", 4), ("GS r", 0x31)] and parser.flush() is None


def test_leaving_chinese_mode_reads_single_byte_code_page_characters():
    slips, parser = parse(b"\x1c.\x82\x1c&" + "中".encode("gbk") + b"\n")
    assert parser.flush().blocks == [Text("é中")]


def test_four_byte_gb18030_and_legacy_esc_excl_sizes():
    slips, parser = parse(b"\x1b!\x30" + "𠮷".encode("gb18030") + b"\n")
    assert parser.flush().blocks == [Text("𠮷", size=2)]


def test_native_qr_raster_and_unknown_commands():
    qr = (b"\x1ba\x01\x1d(k\x04\x001A2\x00\x1d(k\x03\x001C\x05\x1d(k\x03\x001E\x33"
          b"\x1d(k\x04\x001P0Z\x1d(k\x03\x001Q0\n")
    raster = b"\x1dv0\x00\x01\x00\x02\x00\xff\x81"
    slips, parser = parse(qr + raster + b"\x1b\xee" + b"\x1dVA\x03")
    blocks = slips[0].blocks
    assert blocks[0] == QR("Z", size=5, error_correction="H", align="center")
    assert blocks[1] == Raster(8, 2, b"\xff\x81", "center")
    assert isinstance(blocks[2], Cut) and parser.skipped == 2


@settings(max_examples=300, deadline=None)
@given(hs.binary(max_size=400))
def test_random_bytes_never_raise(data):
    parser = EscposParser(58, on_status=lambda n: None)
    parser.feed(data)
    parser.feed(b"\n" * 4)
    parser.flush()
