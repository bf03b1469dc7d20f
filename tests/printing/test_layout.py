import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from kiosk.printing.layout import (
    QR,
    Columns,
    Cut,
    Feed,
    Raster,
    Rule,
    Slip,
    Text,
    columns_for,
    columns_lines,
    display_width,
    wrap,
)


def test_columns_per_paper_and_size():
    assert columns_for(80) == 48 and columns_for(58) == 32
    assert columns_for(80, 2) == 24 and columns_for(58, 2) == 16 and columns_for(80, 3) == 16
    with pytest.raises(ValueError, match="58 or 80"):
        Slip(width_mm=76)


def test_display_width_counts_every_non_ascii_character_as_two_columns():
    assert display_width("A1 ") == 3
    assert display_width("测试") == 4
    assert display_width("：，【】·—×é") == 16  # all double-byte in GBK, so full width on the printer


def test_chinese_wraps_at_24_per_line_on_80mm_and_16_on_58mm():
    text = "一二三四五六七八九十" * 5
    assert [len(line) for line in wrap(text, columns_for(80))] == [24, 24, 2]
    assert [len(line) for line in wrap(text, columns_for(58))] == [16, 16, 16, 2]


def test_latin_wraps_at_word_boundaries_and_long_words_are_cut():
    assert wrap("the quick brown fox jumps", 12) == ["the quick", "brown fox", "jumps"]
    assert wrap("x" * 30, 12) == ["x" * 12, "x" * 12, "x" * 6]


def test_closing_punctuation_never_starts_a_line():
    lines = wrap("一二三四五六七八，九十", 16)
    assert lines == ["一二三四五六七", "八，九十"]
    opening = wrap("一二三四五六七（八九）", 16)
    assert not opening[0].endswith("（")


def test_newlines_make_paragraphs_and_controls_are_dropped():
    assert wrap("甲\n\n乙\x07\t丙", 48) == ["甲", "", "乙 丙"]


def test_columns_put_the_value_flush_right_or_below():
    assert columns_lines("事项", "养老保险", 20) == ["事项" + " " * 8 + "养老保险"]
    lines = columns_lines("办理地点", "三楼社保窗口十二号至十五号窗口", 20)
    assert lines[0] == "办理地点"
    assert all(display_width(line) <= 20 for line in lines)
    assert lines[-1].endswith("窗口") and display_width(lines[-1]) == 20


def test_plain_text_lines_of_a_slip():
    slip = Slip(width_mm=58).add(Text("取号", size=2, align="center"), Rule(), Columns("号码", "A001"),
                                 Feed(1), QR("x"), Cut())
    assert slip.lines() == ["      取号", "-" * 32, "号码" + " " * 24 + "A001", "", "[QR: x]", "", "", "", ""]


@pytest.mark.parametrize("make, message", [
    (lambda: Text("x", size=5), "size must be 1–4"),
    (lambda: Text("x", align="middle"), "align"),
    (lambda: QR(""), "empty"),
    (lambda: QR("x", size=17), "1–16"),
    (lambda: Feed(21), "0–20"),
    (lambda: Rule("测"), "ASCII"),
    (lambda: Raster(7, 1, b"\x00"), "multiple of 8"),
    (lambda: Raster(8, 2, b"\x00"), "needs 2"),
])
def test_bad_blocks_are_refused_with_what_is_expected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_slip_refuses_things_that_are_not_blocks():
    with pytest.raises(TypeError, match="not a slip block"):
        Slip().add("text")  # type: ignore[arg-type]


def test_raster_from_image_packs_dark_pixels_as_ink():
    from PIL import Image

    image = Image.new("L", (10, 2), 255)
    image.putpixel((0, 0), 0)
    image.putpixel((9, 1), 0)
    raster = Raster.from_image(image)
    assert (raster.width, raster.height) == (16, 2)
    assert raster.data == bytes([0x80, 0x00, 0x00, 0x40])


@settings(max_examples=200, deadline=None)
@given(hs.text(alphabet=hs.sampled_from("测试，。（）《》ab c1 2、：𠮷"), max_size=80), hs.integers(4, 48))
def test_wrap_never_overflows_and_keeps_every_visible_character(text, columns):
    lines = wrap(text, columns)
    assert all(display_width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_qr_version_and_module_size_follow_the_capacity_table():
    assert QR("x" * 14, error_correction="M").modules() == 21  # version 1 holds 14 bytes at M
    assert QR("x" * 15, error_correction="M").modules() == 25
    assert QR("x" * 300, size=8).module_size(384) == 384 // QR("x" * 300).modules()
    assert QR("x", size=8).module_size(384) == 8
    with pytest.raises(ValueError, match="2953 bytes"):
        QR("x" * 2954, error_correction="L")
