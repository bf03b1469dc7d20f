"""Slips for the ticket printer: one device-independent layout, two renderings.

- :mod:`kiosk.printing.layout`: ``Slip`` and its blocks (``Text``, ``Columns``, ``Rule``, ``Feed``, ``QR``,
  ``Raster``, ``Cut``) and CJK-aware wrapping. Pure Python; import this to build tickets and notices.
- :mod:`kiosk.printing.escpos_render`: Slip → ESC/POS bytes for Chinese printers (GBK in Chinese mode,
  ``GS !`` sizes, native QR, characters outside GBK as raster lines).
- :mod:`kiosk.printing.preview`: Slip → PNG preview laid out like the paper (Pillow).
- :mod:`kiosk.printing.escpos_parse`: ESC/POS bytes → Slips (what a printer makes of a stream).

Nothing here imports Kivy; Pillow is imported only by the preview and for raster lines.
"""
