import os

import pytest

from kiosk.printing.escpos_parse import EscposParser
from kiosk.printing.escpos_render import EscposOptions, encode_line, render, to_escpos
from kiosk.printing.glyphs import DEFAULT_FONT, FALLBACK_FONTS
from kiosk.printing.layout import QR, Columns, Cut, Feed, Rule, Slip, Text

HEAD = b"\x1b@\x1c&"  # ESC @ init, FS & Chinese mode
GBK_ONLY = EscposOptions(fonts=(DEFAULT_FONT,))


def test_chinese_text_is_sent_as_gbk_in_chinese_mode():
    data = to_escpos(Slip([Text("测试")]))
    assert data == HEAD + b"\xb2\xe2\xca\xd4\n"


def test_chinese_punctuation_only_and_rare_but_gbk_characters_are_not_question_marks():
    data = to_escpos(Slip([Text("：，【】"), Text("囍")]))
    assert data == HEAD + "：，【】".encode("gbk") + b"\n" + b"\x87\xd6\n"
    assert b"?" not in data


def test_sizes_use_gs_excl_not_esc_excl_and_style_is_sent_only_when_it_changes():
    data = to_escpos(Slip([Text("A001", size=2, align="center", bold=True), Text("B", size=2, align="center",
                                                                                 bold=True), Text("c")]))
    assert data == (HEAD + b"\x1ba\x01" + b"\x1d!\x11" + b"\x1bE\x01" + b"A001\n" + b"B\n"
                    + b"\x1ba\x00" + b"\x1d!\x00" + b"\x1bE\x00" + b"c\n")
    assert b"\x1b!" not in data
    assert to_escpos(Slip([Text("x", size=3)])) == HEAD + b"\x1d!\x22x\n"


def test_underline_is_set_for_latin_and_chinese():
    assert to_escpos(Slip([Text("下划线", underline=True)])) == (
        HEAD + b"\x1b-\x01\x1c-\x01" + "下划线".encode("gbk") + b"\n")


def test_native_qr_bytes():
    data = to_escpos(Slip([QR("AB", size=6, error_correction="M")]))
    assert data == HEAD + (
        b"\x1ba\x01"
        b"\x1d(k\x04\x001A2\x00"          # model 2
        b"\x1d(k\x03\x001C\x06"           # module size 6
        b"\x1d(k\x03\x001E\x31"           # error correction M
        b"\x1d(k\x05\x001P0AB"            # store "AB"
        b"\x1d(k\x03\x001Q0"              # print
        b"\n")


def test_cut_feeds_then_cuts_and_profiles_without_cutter_only_feed():
    assert to_escpos(Slip([Cut()])) == HEAD + b"\x1bd\x04\x1dV\x01"
    assert to_escpos(Slip([Cut(feed=2, partial=False)])) == HEAD + b"\x1bd\x02\x1dV\x00"
    no_cutter = EscposOptions.for_profile("ZJ-5870")
    assert (no_cutter.cutter, no_cutter.native_qr) == (False, False)
    data = to_escpos(Slip([QR("x"), Cut()]), no_cutter)
    assert data.endswith(b"\x1bd\x04") and b"\x1dV" not in data
    assert b"\x1d(k" not in data and b"\x1dv0" in data  # the QR goes as a raster image instead


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown printer profile 'NOPE'"):
        EscposOptions.for_profile("NOPE")


def test_feed_rule_and_columns():
    data = to_escpos(Slip([Feed(3), Rule(), Columns("号", "A1")], width_mm=58))
    assert data == HEAD + b"\x1bd\x03" + b"-" * 32 + b"\n" + "号".encode("gbk") + b" " * 28 + b"A1\n"


def test_character_outside_gbk_prints_its_line_as_an_image_never_as_a_question_mark():
    result = render(Slip([Text("张三"), Text("王𠮷祥", align="center")]), GBK_ONLY)
    assert result.data.startswith(HEAD + "张三".encode("gbk") + b"\n")
    parsed = EscposParser(80).feed(result.data + b"\x1dV\x00")[0].blocks
    assert [type(b).__name__ for b in parsed] == ["Text", "Raster", "Cut"]  # the line went as an image
    assert "?" not in parsed[0].text
    assert result.image_lines == 1 and result.image_chars == ("𠮷",)
    # wqy-microhei has no glyph for it either: drawn as a code-point box and flagged for the caller
    assert result.missing_glyphs == ("𠮷",) and result.flagged
    start = result.data.index(b"\x1dv0\x00")
    width_bytes = int.from_bytes(result.data[start + 4:start + 6], "little")
    height = int.from_bytes(result.data[start + 6:start + 8], "little")
    assert height == 30 and width_bytes * 8 >= (576 + 72) // 2  # a centred line reaches past the middle


@pytest.mark.skipif(not all(os.path.exists(f) for f in FALLBACK_FONTS), reason="fonts-hanazono not installed")
def test_rare_characters_are_drawn_with_an_installed_fallback_font():
    result = render(Slip([Text("王𠮷祥 䶮")]))
    assert result.image_chars == ("䶮", "𠮷") and result.missing_glyphs == () and not result.flagged


def test_gb18030_printers_get_rare_characters_as_four_byte_text():
    result = render(Slip([Text("王𠮷祥")]), EscposOptions(encoding="gb18030"))
    assert result.data == HEAD + "王𠮷祥".encode("gb18030") + b"\n"
    assert result.image_lines == 0


def test_encode_line_refuses_what_the_printer_would_misread():
    assert encode_line("abc测") == b"abc\xb2\xe2"
    assert encode_line("𠮷") is None
    assert encode_line("😀", "gb18030") == "😀".encode("gb18030")


def ticket(width_mm: int = 80) -> Slip:
    return Slip(width_mm=width_mm, title="ticket").add(
        Text("曾都区政务服务中心", align="center", bold=True), Text("帮办取号凭条", align="center"), Rule(),
        Text("A012", size=3, align="center", bold=True), Columns("事项", "养老保险待遇申领"),
        Columns("取号时间", "2026-11-28 09:30"), Columns("前面等待", "3 人"), Rule(),
        Text("请在等候区稍候，帮办员会到自助机旁引导您到窗口办理。"),
        QR("https://zwfw.example.cn/t/A012?k=7f3a", size=6), Text("扫码查看进度", align="center"), Cut())


def test_a_ticket_with_chinese_and_a_native_qr_is_under_1_5_kb():
    for width in (58, 80):
        assert len(to_escpos(ticket(width))) < 1536


def test_what_the_printer_parses_is_what_was_laid_out():
    slip = ticket()
    data = to_escpos(slip)
    parser = EscposParser(80)
    slips = [s for i in range(len(data)) for s in parser.feed(data[i:i + 1])]  # one byte at a time
    assert len(slips) == 1
    assert slips[0].lines() == slip.lines()
    qr = [b for b in slips[0].blocks if isinstance(b, QR)][0]
    assert (qr.data, qr.size, qr.error_correction, qr.align) == ("https://zwfw.example.cn/t/A012?k=7f3a", 6, "M",
                                                                  "center")
    big = [b for b in slips[0].blocks if isinstance(b, Text) and b.text == "A012"][0]
    assert (big.size, big.bold, big.align) == (3, True, "center")


def test_a_qr_code_too_wide_for_the_paper_gets_smaller_modules():
    long_link = QR("https://zwfw.example.cn/" + "x" * 280, size=8)
    narrow = to_escpos(Slip([long_link], width_mm=58))
    wide = to_escpos(Slip([long_link], width_mm=80))
    module = narrow[narrow.index(b"\x1d(k\x03\x001C") + 7]
    assert module < 8 and module * 57 <= 384  # the data needs version ≥ 10 (57 modules)
    assert wide[wide.index(b"\x1d(k\x03\x001C") + 7] == 8


def test_gb2312_sends_only_gb2312_codes_and_rasters_the_rest():
    assert encode_line("王", "gb2312") == b"\xcd\xf5"
    assert encode_line("·—", "gb2312") == b"\xa1\xa4\xa1\xaa"  # as GB2312 printers print A1A4 and A1AA
    for name in ("喆", "堃", "昇", "𠮷"):  # GBK 86 B4, 88 D2, 95 4E; GB18030 four bytes
        assert encode_line(name, "gb2312") is None
    assert encode_line("喆", "gbk") == b"\x86\xb4"
    result = render(Slip([Text("王喆"), Text("张三")]), EscposOptions(encoding="gb2312", fonts=(DEFAULT_FONT,)))
    assert result.image_chars == ("喆",) and result.image_lines == 1 and "张三".encode("gb2312") in result.data


def test_gb18030_without_the_four_byte_area():
    assert encode_line("𠮷", "gb18030") == "𠮷".encode("gb18030")
    assert encode_line("𠮷", "gb18030", four_byte=False) is None
    assert encode_line("喆", "gb18030", four_byte=False) == b"\x86\xb4"


def test_qr_module_size_is_clamped_to_the_printer_range():
    from kiosk.printing.escpos_render import qr_module_size
    from kiosk.printing.layout import QR

    code = QR("BBDB1|T|A001", size=6)
    assert qr_module_size(code, 576, (1, 16)) == 6 and qr_module_size(code, 576, (2, 5)) == 5
    assert qr_module_size(QR("x", size=1), 576, (2, 5)) == 2
    assert qr_module_size(QR("x" * 2000, size=6), 384, (3, 8)) is None  # too wide at 3: printed as an image
    data = render(Slip([QR("x" * 2000, size=6)], width_mm=58), EscposOptions(qr_sizes=(3, 8))).data
    assert b"\x1d(k" not in data and b"\x1dv0" in data
