"""What the SAM module's SW3 status codes mean, as exceptions that say what happened and what to do.

Three families, so callers can branch on what to do next:

- :class:`CardError`: the module is fine, the card read went wrong (no card, read failed, card not
  authentic…). Tell the resident to place the card again; the device stays healthy.
- :class:`ModuleError`: the module itself cannot work (self-test failed, not authorized). A technician
  is needed; the device health turns to *error*.
- :class:`FrameRejected`: the module rejected our frame (bad checksum / length / command, or a command
  out of order). Usually line noise or a wrong baud rate; retrying may help.

Each carries a :class:`~kiosk.devices.base.Reason` (``idcard.sw3.status`` around ``idcard.sw3.<hex>``);
whoever shows it words it with :func:`kiosk.i18n.say`.
"""

from __future__ import annotations

from kiosk.devices.base import DeviceError, Reason

SUCCESS = 0x90
CARD_FOUND = 0x9F
ITEM_EMPTY = 0x91

# The vendors' SW3 tables (新中新 Synjones SynjonesIDCardRetCode, 神思 com.sdtapi.jni.JNISDTReader) also list
# 37 指纹信息验证错误 and 3F 信息长度错误: the card's data, so the resident places the card again.
CARD_CODES = frozenset({0x24, 0x31, 0x32, 0x33, 0x37, 0x3F, 0x40, 0x41, 0x47, 0x80, 0x81})
MODULE_CODES = frozenset({0x60, 0x66})
FRAME_CODES = frozenset({0x10, 0x11, 0x21, 0x23})
KNOWN_CODES = CARD_CODES | MODULE_CODES | FRAME_CODES | {SUCCESS, CARD_FOUND, ITEM_EMPTY}


class SamStatusError(DeviceError):
    """The module answered with an SW3 other than the one the command succeeds with.

    ``code`` is the SW3 byte; ``text`` the reason in plain words (a :class:`Reason`); ``reason`` adds the
    code and the command for technicians.
    """

    def __init__(self, code: int, text: Reason, command: str = ""):
        self.code = code
        self.text = text
        self.command = command
        super().__init__(Reason("idcard.sw3.status", text=text, code=f"{code:02X}",
                                where=f", {command}" if command else ""))


class CardError(SamStatusError):
    """The card could not be found, selected, authenticated or read: place it again."""


class NoCardError(CardError):
    """SW3 80: no card in the field."""


class ModuleError(SamStatusError):
    """The security module cannot work (self-test failed, not authorized): needs a technician."""


class FrameRejected(SamStatusError):
    """The module rejected the frame we sent (checksum, length, command, sequence)."""


def describe(code: int) -> Reason:
    """What an SW3 code means, also for codes no document lists (``idcard.sw3.unknown``)."""
    return Reason(f"idcard.sw3.x{code:02x}") if code in KNOWN_CODES else Reason("idcard.sw3.unknown",
                                                                                code=f"{code:02X}")


def status_error(code: int, command: str = "") -> SamStatusError:
    """The exception for an unexpected SW3 ``code`` in reply to ``command`` (a name like ``find``)."""
    text = describe(code)
    if code == 0x80:
        return NoCardError(code, text, command)
    if code in MODULE_CODES:
        return ModuleError(code, text, command)
    if code in FRAME_CODES:
        return FrameRejected(code, text, command)
    if code in CARD_CODES:
        return CardError(code, text, command)
    # A code no document lists: treat it as a module problem, the safe side for health reporting.
    return ModuleError(code, text, command)
