"""Printed content of the held-out documents: ID-1 cards (resident ID, bank, social security), a 户口簿
page and an A4 form, drawn with PIL and a CJK font at a few pixels a millimetre.

Written apart from ``kiosk.devices.camera.synth`` (other layouts, real glyphs, guilloche patterns,
printed photos, gradients, rounded corners): the detector is never tuned on what this draws.
Every canvas is RGBA (alpha 0 outside the rounded corners); sizes are in millimetres.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZES_MM = {"id_card": (85.6, 53.98), "bank_card": (85.6, 53.98), "ss_card": (85.6, 53.98),
            "hukou": (105.0, 143.0), "a4": (210.0, 297.0)}
CARDS = ("id_card", "bank_card", "ss_card")
_HANZI = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
          "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使"
          "点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明"
          "看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料"
          "姓名性别民族出生住址公民身份号码户主常住人口登记卡籍贯派出所承办人签章")
_FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf")


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.ImageFont:
    for path in _FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _words(rng: np.random.Generator, n: int) -> str:
    return "".join(_HANZI[int(i)] for i in rng.integers(0, len(_HANZI), n))


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def _rgb(rng: np.random.Generator, lo: int, hi: int) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(lo, hi, 3))


def _guilloche(draw: ImageDraw.ImageDraw, w: int, h: int, rng: np.random.Generator, colour) -> None:
    """Fine wavy security lines, as printed on ID and social-security cards."""
    a, f, ph = rng.uniform(3, 9), rng.uniform(0.01, 0.04), rng.uniform(0, 6)
    xs = np.arange(0, w, 3)
    for y0 in range(-20, h + 20, int(rng.integers(6, 12))):
        ys = y0 + a * np.sin(xs * f + ph + y0 * 0.05)
        draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=colour, width=1)


def _photo(img: Image.Image, box: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    """A printed portrait: a pale ground, a head and shoulders."""
    draw = ImageDraw.Draw(img)
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=_rgb(rng, 190, 250))
    cx, w, h = (x0 + x1) / 2, x1 - x0, y1 - y0
    draw.ellipse((x0 + 0.05 * w, y0 + 0.62 * h, x1 - 0.05 * w, y1 + 0.4 * h), fill=_rgb(rng, 20, 90))
    skin = (int(rng.integers(170, 235)), int(rng.integers(130, 190)), int(rng.integers(100, 160)))
    draw.ellipse((cx - 0.22 * w, y0 + 0.2 * h, cx + 0.22 * w, y0 + 0.68 * h), fill=skin)
    draw.chord((cx - 0.25 * w, y0 + 0.12 * h, cx + 0.25 * w, y0 + 0.5 * h), 180, 360, fill=_rgb(rng, 5, 50))


def _id_card(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    img = Image.new("RGB", (w, h), (int(rng.integers(228, 248)), int(rng.integers(226, 245)), int(rng.integers(222, 240))))
    draw = ImageDraw.Draw(img)
    _guilloche(draw, w, h, rng, (int(rng.integers(190, 225)), int(rng.integers(205, 230)), 238))
    if rng.random() < 0.5:  # the back: emblem and the issuing office
        draw.ellipse((0.06 * w, 0.08 * h, 0.3 * w, 0.46 * h), outline=(200, 40, 40), width=max(2, w // 120))
        draw.text((0.38 * w, 0.14 * h), "中华人民共和国", fill=(30, 30, 30), font=_font(int(h * 0.1)))
        draw.text((0.32 * w, 0.3 * h), "居民身份证", fill=(30, 30, 30), font=_font(int(h * 0.14)))
        for i, label in enumerate(("签发机关", "有效期限")):
            draw.text((0.16 * w, (0.66 + i * 0.13) * h), f"{label}  {_words(rng, 6)}", fill=(40, 40, 40),
                      font=_font(int(h * 0.065)))
        return img
    _photo(img, (int(0.62 * w), int(0.12 * h), int(0.92 * w), int(0.72 * h)), rng)
    small = _font(int(h * 0.06))
    for i, label in enumerate(("姓名", "性别", "出生", "住址")):
        y = (0.1 + i * 0.14) * h
        draw.text((0.06 * w, y), label, fill=(40, 90, 160), font=small)
        draw.text((0.18 * w, y), _words(rng, int(rng.integers(2, 9))), fill=(20, 20, 20), font=small)
    draw.text((0.06 * w, 0.8 * h), "公民身份号码", fill=(40, 90, 160), font=small)
    draw.text((0.3 * w, 0.79 * h), _digits(rng, 18), fill=(20, 20, 20), font=_font(int(h * 0.075)))
    return img


def _bank_card(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    a, b = np.array(_rgb(rng, 0, 255), np.float32), np.array(_rgb(rng, 0, 255), np.float32)
    t = np.linspace(0, 1, w, dtype=np.float32)[None, :, None] * 0.7 + np.linspace(0, 0.3, h, dtype=np.float32)[:, None, None]
    img = Image.fromarray((a + (b - a) * t).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(0, 4))):  # swooshes and logos
        c = rng.uniform(0, 1, 2) * (w, h)
        r = rng.uniform(0.1, 0.5) * h
        draw.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), outline=_rgb(rng, 0, 255), width=int(rng.integers(2, 8)))
    draw.rounded_rectangle((0.1 * w, 0.35 * h, 0.24 * w, 0.55 * h), radius=h * 0.02, fill=(205, 175, 95),
                           outline=(150, 120, 60), width=2)  # chip
    ink = (245, 245, 245) if a.mean() + b.mean() < 260 else (25, 25, 25)
    draw.text((0.08 * w, 0.1 * h), _words(rng, 4) + "银行", fill=ink, font=_font(int(h * 0.1)))
    num = " ".join(_digits(rng, 4) for _ in range(4))
    draw.text((0.08 * w, 0.62 * h), num, fill=ink, font=_font(int(h * 0.095)))
    draw.text((0.7 * w, 0.82 * h), "银联", fill=(200, 30, 40), font=_font(int(h * 0.1)))
    return img


def _ss_card(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    img = Image.new("RGB", (w, h), _rgb(rng, 215, 250))
    draw = ImageDraw.Draw(img)
    band = (int(rng.integers(0, 60)), int(rng.integers(60, 140)), int(rng.integers(140, 220)))
    if rng.random() < 0.4:
        band = band[::-1]  # red-toned provinces
    draw.rectangle((0, 0, w, 0.26 * h), fill=band)
    draw.text((0.22 * w, 0.05 * h), "社会保障卡", fill=(255, 255, 255), font=_font(int(h * 0.13)))
    _guilloche(draw, w, int(h), rng, tuple(min(255, c + 100) for c in band))
    draw.rectangle((0, 0, w, 0.26 * h), outline=band, width=1)
    _photo(img, (int(0.06 * w), int(0.36 * h), int(0.28 * w), int(0.86 * h)), rng)
    draw.rounded_rectangle((0.36 * w, 0.38 * h, 0.5 * w, 0.58 * h), radius=4, fill=(210, 180, 100))
    for i in range(3):
        draw.text((0.55 * w, (0.38 + i * 0.13) * h), _words(rng, int(rng.integers(3, 7))), fill=(30, 30, 30),
                  font=_font(int(h * 0.07)))
    draw.text((0.36 * w, 0.8 * h), _digits(rng, 18), fill=(30, 30, 30), font=_font(int(h * 0.07)))
    return img


def _hukou(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    """常住人口登记卡: a pale patterned page with a ruled table and a red seal."""
    img = Image.new("RGB", (w, h), (int(rng.integers(225, 245)), int(rng.integers(225, 240)), int(rng.integers(205, 235))))
    draw = ImageDraw.Draw(img)
    _guilloche(draw, w, h, rng, (int(rng.integers(200, 230)), int(rng.integers(185, 215)), int(rng.integers(190, 225))))
    draw.text((0.3 * w, 0.03 * h), "常住人口登记卡", fill=(40, 30, 30), font=_font(int(w * 0.06)))
    x0, x1, y0, rows = 0.06 * w, 0.94 * w, 0.1 * h, 12
    step = 0.8 * h / rows
    line = (90, 60, 60)
    for r in range(rows + 1):
        draw.line((x0, y0 + r * step, x1, y0 + r * step), fill=line, width=2)
    for x in (x0, 0.26 * w, 0.55 * w, 0.7 * w, x1):
        draw.line((x, y0, x, y0 + rows * step), fill=line, width=2)
    font = _font(int(step * 0.45))
    for r in range(rows):
        y = y0 + r * step + step * 0.25
        draw.text((x0 + 4, y), _words(rng, 4), fill=(50, 40, 40), font=font)
        draw.text((0.28 * w, y), _words(rng, int(rng.integers(1, 6))), fill=(30, 30, 90), font=font)
        draw.text((0.57 * w, y), _words(rng, 2), fill=(50, 40, 40), font=font)
    c, r = rng.uniform([0.55, 0.7], [0.8, 0.85]) * (w, h), 0.12 * w
    draw.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), outline=(200, 40, 50), width=max(2, w // 90))
    return img


def _a4(w: int, h: int, rng: np.random.Generator) -> Image.Image:
    tone = int(rng.integers(225, 255))
    img = Image.new("RGB", (w, h), (tone, tone, max(200, tone - int(rng.integers(0, 12)))))
    draw = ImageDraw.Draw(img)
    margin = int(w * rng.uniform(0.08, 0.14))
    draw.text((w * 0.3, h * 0.05), _words(rng, int(rng.integers(5, 10))), fill=(10, 10, 10), font=_font(int(w * 0.04)))
    font = _font(int(w * rng.uniform(0.02, 0.028)))
    y = h * 0.12
    while y < h * 0.9:
        if rng.random() < 0.06:  # a form table
            rows, cols = int(rng.integers(3, 7)), int(rng.integers(2, 5))
            rh = h * 0.03
            for rr in range(rows + 1):
                draw.line((margin, y + rr * rh, w - margin, y + rr * rh), fill=(20, 20, 20), width=2)
            for x in np.linspace(margin, w - margin, cols + 1):
                draw.line((x, y, x, y + rows * rh), fill=(20, 20, 20), width=2)
            y += rows * rh + h * 0.02
            continue
        n = int((w - 2 * margin) / (font.size + 1) * (0.4 if rng.random() < 0.2 else 1.0))
        draw.text((margin, y), _words(rng, n), fill=(15, 15, 15), font=font)
        y += font.size * rng.uniform(1.5, 2.0)
    if rng.random() < 0.6:
        c, r = rng.uniform([0.55, 0.75], [0.8, 0.9]) * (w, h), 0.09 * w
        draw.ellipse((c[0] - r, c[1] - r, c[0] + r, c[1] + r), outline=(210, 30, 40), width=max(2, w // 120))
    return img


def document(kind: str, rng: np.random.Generator, px_per_mm: float) -> np.ndarray:
    """The flat document as float32 RGBA (0..255): its printed face and, for cards, rounded corners."""
    wmm, hmm = SIZES_MM[kind]
    w, h = int(round(wmm * px_per_mm)), int(round(hmm * px_per_mm))
    face = {"id_card": _id_card, "bank_card": _bank_card, "ss_card": _ss_card, "hukou": _hukou, "a4": _a4}[kind](w, h, rng)
    face = face.filter(ImageFilter.GaussianBlur(0.6))
    alpha = Image.new("L", (w, h), 0)
    radius = 3.18 * px_per_mm if kind in CARDS else (1.0 * px_per_mm if kind == "hukou" else 0)
    ImageDraw.Draw(alpha).rounded_rectangle((0, 0, w - 1, h - 1), radius=radius, fill=255)
    return np.dstack([np.asarray(face, np.float32), np.asarray(alpha, np.float32)])
