import numpy as np
import pytest
from PIL import Image, ImageChops

from kiosk.printing.escpos_parse import EscposParser
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.glyphs import DEFAULT_FONT
from kiosk.printing.layout import QR, Cut, Rule, Slip, Text
from kiosk.printing.preview import render_preview, save_preview
from tests.printing.test_escpos_render import ticket


@pytest.mark.parametrize("width_mm, dots", [(58, 384), (80, 576)])
def test_preview_is_as_wide_as_the_paper_in_dots(tmp_path, width_mm, dots):
    path = save_preview(ticket(width_mm), tmp_path / "sub" / "t.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width == dots and image.height > 400


def ink_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    return ImageChops.invert(image.convert("L")).point(lambda v: 255 if v > 128 else 0).getbbox()


def test_lines_are_placed_like_on_paper():
    centred = render_preview(Slip([Text("测试", align="center")])).image
    left, _, right, _ = ink_box(centred)
    assert abs((left + right) / 2 - 288) <= 3  # centred on 576 dots
    right_aligned = render_preview(Slip([Text("测试", align="right")])).image
    assert ink_box(right_aligned)[2] >= 570
    double = render_preview(Slip([Text("测", size=2)])).image
    single = render_preview(Slip([Text("测")])).image
    assert double.height == 54 and single.height == 30
    assert ink_box(double)[3] - ink_box(double)[1] > 1.8 * (ink_box(single)[3] - ink_box(single)[1])


def test_a_rule_spans_the_paper():
    box = ink_box(render_preview(Slip([Rule()], width_mm=58)).image)
    assert box[0] < 6 and box[2] > 378


def test_the_qr_code_in_the_preview_decodes_to_its_data():
    import cv2

    data = "https://zwfw.example.cn/t/A012?k=7f3a"
    image = render_preview(Slip([Text("扫码"), QR(data, size=6)])).image
    padded = Image.new("L", (image.width + 80, image.height + 80), 255)
    padded.paste(image, (40, 40))
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(np.array(padded))
    assert decoded == data


def test_preview_of_what_the_printer_received_matches_the_layout():
    slip = ticket()
    parsed = EscposParser(80).feed(to_escpos(slip))[0]
    a, b = render_preview(slip).image, render_preview(parsed).image
    assert a.size == b.size
    assert ImageChops.difference(a, b).getbbox() is None


def test_missing_glyphs_are_boxed_and_reported():
    preview = render_preview(Slip([Text("王𠮷祥")]), fonts=(DEFAULT_FONT,))
    assert preview.missing_glyphs == ("𠮷",)
    assert preview.png().startswith(b"\x89PNG")


def test_a_missing_font_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="fonts-wqy-microhei"):
        render_preview(Slip([Text("x")]), fonts=("/nope/font.ttf",))


def test_cut_is_marked(tmp_path):
    image = render_preview(Slip([Text("x"), Cut(feed=0)])).image
    assert 100 < min(image.crop((0, image.height - 8, 576, image.height)).getdata()) < 255
