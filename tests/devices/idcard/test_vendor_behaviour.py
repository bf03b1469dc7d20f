"""What real modules and vendors' SDKs do that the reader must cope with.

Timing that real modules take (not only the wire): the reader must wait as long as vendors' SDKs do.
YinanSoft ``SerialReader`` (Android SDK for serial SAM readers, ``com/YinanSoft/CardReaders/SerialReader.java``)
waits 2000 ms for a 30 01 reply, 3000 ms for 30 10 and 1500 ms for 30 03 (appended address) at 115200 baud:
each is an RF exchange with the card through the SAM, not only bytes on the line.
"""

from __future__ import annotations

import pytest

from kiosk.devices.idcard.errors import CardError
from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.protocol import Command
from kiosk.i18n import say


def test_a_slow_appended_address_read_is_waited_for_not_dropped(make_sim, make_reader) -> None:  # noqa: ANN001
    """30 03 reads the card like 30 01; with the 1 s command timeout a module taking 1.2 s (the vendor waits
    1.5 s) lost the resident's newer address without a word: the form got the old one."""
    sim = make_sim("elder_long_term", latency={Command.READ_APPENDED_ADDRESS: 1.2})
    reader = make_reader(sim.url, command_timeout=1.0, read_timeout=3.0)
    card = reader.read_card(timeout=1)
    assert card is not None
    assert card.appended_address == IDENTITIES["elder_long_term"].appended_address


def test_a_9600_baud_reader_gets_the_wire_time_of_its_reply_on_top(make_sim, make_reader) -> None:  # noqa: ANN001
    """The 30 10 reply with a 1024-byte fingerprint block is 2321 bytes: 2.4 s on a 9600 baud line before the
    module's own time. ``read_timeout`` is what the module may take; the reply's wire time at the configured
    baud comes on top (at 115200 that is 0.2 s, at 9600 it alone was more than the whole timeout)."""
    sim = make_sim("zhang_san", faults=("slow",), wire_timing=True,
                   latency={Command.READ_WITH_FINGERPRINT: 0.3})
    reader = make_reader(sim.url, baud=9600, read_fingerprint=True, read_appended_address=False, read_timeout=1.0)
    card = reader.read_card(timeout=1)
    assert card is not None
    assert bytes(card.fingerprint_raw) == bytes(IDENTITIES["zhang_san"].fingerprint_raw)


@pytest.mark.parametrize("code", [0x37, 0x3F])
def test_fingerprint_and_length_failures_are_the_cards_not_the_readers(make_sim, make_reader, code: int) -> None:  # noqa: ANN001
    """The vendors' SW3 tables (新中新 Synjones ``SynjonesIDCardRetCode``, 神思 ``com.sdtapi.jni.JNISDTReader``)
    list 0x37 指纹信息验证错误 and 0x3F 信息长度错误 beside 0x31–0x33. Taken as unknown codes they were a
    ModuleError: the kiosk called the reader broken and sent the resident to manual entry."""
    sim = make_sim("zhang_san", read_status=code)
    reader = make_reader(sim.url, read_fingerprint=True)
    with pytest.raises(CardError) as caught:
        reader.read_card(timeout=1)
    assert caught.value.code == code
    assert caught.value.text.code == f"idcard.sw3.x{code:02x}" and "未知" not in say(caught.value, "zh_CN")


def test_a_card_whose_read_ends_after_stop_is_not_handed_on(make_sim, make_reader) -> None:  # noqa: ANN001
    """A real read takes the module about a second; ``stop()`` (the visit moved on) during it waits for the
    read, and the card must not reach the next visit's callback: it is wiped instead."""
    import threading
    import time

    sim = make_sim("zhang_san", latency={Command.READ: 0.8})
    reader = make_reader(sim.url, read_appended_address=False)
    cards: list = []
    reader.start(cards.append)
    deadline = time.monotonic() + 5
    while Command.READ.value not in sim.module.requests:
        assert time.monotonic() < deadline, "the poll never read"
        time.sleep(0.01)
    stopper = threading.Thread(target=reader.stop)
    stopper.start()
    stopper.join(timeout=5)
    assert cards == []
