"""A QR block drawn as a bitmap (``qrcode``): for the preview and for printers without native QR."""

from __future__ import annotations

from PIL import Image

from kiosk.printing.layout import QR, Raster

_EC = {"L": 1, "M": 0, "Q": 3, "H": 2}  # qrcode.constants.ERROR_CORRECT_*


def _matrix(block: QR) -> list[list[bool]]:
    import qrcode

    code = qrcode.QRCode(error_correction=_EC[block.error_correction], box_size=1, border=0)
    code.add_data(block.data.encode("utf-8"))
    code.make(fit=True)
    return code.get_matrix()


def qr_image(block: QR, max_dots: int) -> Image.Image:
    """The symbol as a grayscale image, ``block.size`` dots a module (shrunk to fit ``max_dots``), no quiet
    zone (the paper margin serves as one), like a printer's native ``GS ( k`` output."""
    matrix = _matrix(block)
    modules = len(matrix)
    size = max(1, min(block.module_size(max_dots), max_dots // modules))  # the module size the paper gets
    image = Image.new("L", (modules, modules), 255)
    image.putdata([0 if cell else 255 for row in matrix for cell in row])
    return image.resize((modules * size, modules * size), Image.NEAREST)


def qr_raster(block: QR, paper_dots: int) -> Raster:
    """The symbol as a :class:`Raster` placed at the block's alignment across ``paper_dots``."""
    symbol = qr_image(block, paper_dots)
    x = {"left": 0, "center": (paper_dots - symbol.width) // 2, "right": paper_dots - symbol.width}[block.align]
    canvas = Image.new("L", (min(paper_dots, x + symbol.width), symbol.height), 255)
    canvas.paste(symbol, (x, 0))
    return Raster.from_image(canvas, align="left")
