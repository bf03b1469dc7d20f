"""The reader driver against the protocol simulator over real serial transports (socket:// and a pty)."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

from kiosk.devices.base import DeviceNotFound, DeviceTimeout, HealthState
from kiosk.devices.idcard.card import CardType
from kiosk.devices.idcard.errors import CardError, ModuleError
from kiosk.devices.idcard.identities import IDENTITIES
from kiosk.devices.idcard.protocol import ChecksumError, Command
from kiosk.devices.idcard.sim_server import SimulatorServer
from kiosk.devices.idcard.simulator import SamModule
from kiosk.i18n import say


def wait_for(condition, timeout: float = 5.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.mark.parametrize("key", list(IDENTITIES))
def test_every_identity_reads_over_both_transports(make_sim, make_reader, key: str) -> None:  # noqa: ANN001
    sim = make_sim(key)
    reader = make_reader(sim.url)
    card = reader.read_card(timeout=1)
    expected = IDENTITIES[key]
    assert card == expected
    assert bytes(card.photo_raw) == bytes(expected.photo_raw)
    assert card.appended_address == expected.appended_address
    assert reader.health().state is HealthState.CONNECTED
    # the module sequence really happened on the wire
    assert list(sim.module.requests)[:3] == [Command.FIND.value, Command.SELECT.value, Command.READ.value]


def test_fingerprint_variant_and_no_appended_address(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san")
    reader = make_reader(sim.url, read_fingerprint=True, read_appended_address=False)
    card = reader.read_card(timeout=1)
    assert card.card_type is CardType.RESIDENT
    assert bytes(card.fingerprint_raw) == bytes(IDENTITIES["zhang_san"].fingerprint_raw)
    assert Command.READ_WITH_FINGERPRINT.value in sim.module.requests
    assert Command.READ_APPENDED_ADDRESS.value not in sim.module.requests


def test_same_card_is_not_read_twice_until_it_leaves(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("rare_ext_a")
    reader = make_reader(sim.url)
    assert reader.read_card(timeout=1) is not None
    assert reader.read_card(timeout=0.2) is None
    sim.module.remove()
    sim.module.present("rare_ext_a")
    assert reader.read_card(timeout=1).name == "刘䶮"


def test_no_card(make_sim, make_reader) -> None:  # noqa: ANN001
    for sim in (make_sim(None), make_sim("zhang_san", faults=("no_card",))):
        reader = make_reader(sim.url)
        start = time.monotonic()
        assert reader.read_card(timeout=0.3) is None
        assert time.monotonic() - start >= 0.3
        assert reader.health().state is HealthState.CONNECTED


def test_card_presented_while_waiting(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim(None)
    reader = make_reader(sim.url)
    threading.Timer(0.2, sim.module.present, args=("hk_resident",)).start()
    card = reader.read_card(timeout=3)
    assert card is not None and card.card_type is CardType.HK_MO_TW


def test_card_removed_mid_read(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=("removed_mid_read",))
    reader = make_reader(sim.url)
    with pytest.raises(CardError) as info:
        reader.read_card(timeout=1)
    assert info.value.code == 0x41 and "请重新放卡" in say(info.value)
    assert reader.health().state is HealthState.CONNECTED  # the module is fine; the card left
    assert reader.read_card(timeout=0.1) is None


def test_bad_checksum(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=("bad_checksum",))
    reader = make_reader(sim.url)
    with pytest.raises(ChecksumError):
        reader.read_card(timeout=1)
    health = reader.health()
    assert health.state is HealthState.ERROR and "校验" in say(health.reason)
    sim.module.set_fault("bad_checksum", False)
    assert reader.find_card() is True
    assert reader.health().state is HealthState.CONNECTED


def test_garbage_between_frames_is_skipped(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("foreign_2023", faults=("garbage",))
    reader = make_reader(sim.url)
    for _ in range(20):
        card = reader.read_card(timeout=1)
        assert card == IDENTITIES["foreign_2023"]
        sim.module.present("foreign_2023")


def test_silence_times_out_with_a_clear_reason(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=("silence",))
    reader = make_reader(sim.url, command_timeout=0.3)
    start = time.monotonic()
    with pytest.raises(DeviceTimeout) as info:
        reader.read_card(timeout=1)
    assert 0.25 <= time.monotonic() - start < 1.0
    assert "没有应答" in say(info.value) and "find" in say(info.value)
    assert reader.health().state is HealthState.ERROR


@pytest.mark.parametrize(("fault", "code", "words"), [("not_authorized", 0x66, "未经授权"),
                                                      ("self_test_failed", 0x60, "自检失败")])
def test_module_faults(make_sim, make_reader, fault: str, code: int, words: str) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=(fault,))
    reader = make_reader(sim.url)
    with pytest.raises(ModuleError) as info:
        reader.read_card(timeout=1)
    assert info.value.code == code and words in say(info.value)
    health = reader.health()
    assert health.state is HealthState.ERROR and words in say(health.reason)
    result = reader.self_test()
    assert not result.ok and words in say(result.message)


def test_slow_9600_baud_link_with_real_wire_timing(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=("slow",), wire_timing=True)
    reader = make_reader(sim.url, read_appended_address=False, read_timeout=3)
    start = time.monotonic()
    card = reader.read_card(timeout=1)
    elapsed = time.monotonic() - start
    wire = (10 + 15 + 10 + 19 + 10 + 1295) * 10 / 9600
    assert card == dataclasses.replace(IDENTITIES["zhang_san"])
    assert wire <= elapsed < wire + 0.5


def test_slow_link_with_a_short_read_timeout_says_so(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=("slow",), wire_timing=True)
    reader = make_reader(sim.url, read_timeout=0.5)
    with pytest.raises(DeviceTimeout, match="read"):
        reader.read_card(timeout=1)


def test_self_test_reports_the_sam_id(make_sim, make_reader) -> None:  # noqa: ANN001
    reader = make_reader(make_sim("zhang_san").url)
    result = reader.self_test()
    assert result.ok and "05.01-20240315-0000123456-1234567890" in say(result.message)


def test_sam_id_fields_are_little_endian_16_and_32_bit_numbers_as_the_vendor_sdks_read_them(
        make_sim, make_reader) -> None:  # noqa: ANN001
    from kiosk.devices.idcard.protocol import Command
    from kiosk.devices.idcard.reader import format_sam_id

    reader = make_reader(make_sim("zhang_san").url)
    data = bytes(reader.link.command(Command.MODULE_ID).data)  # the module's reply over the wire
    assert data[:4] == b"\x05\x00\x01\x00" and len(data) == 16
    assert reader.sam_id() == "05.01-20240315-0000123456-1234567890"
    other = bytes.fromhex("0500 0200 ffffffff 01000000 00000000".replace(" ", ""))
    assert format_sam_id(other) == "05.02-4294967295-0000000001-0000000000"
    assert format_sam_id(b"\x05\x01") == "0501"  # not 16 bytes: shown as hex, never guessed


def test_missing_port_is_device_not_found_with_backoff(make_reader) -> None:  # noqa: ANN001
    reader = make_reader("socket://127.0.0.1:1")
    with pytest.raises(DeviceNotFound) as first:
        reader.read_card()
    assert "无法打开" in say(first.value)
    with pytest.raises(DeviceNotFound) as again:  # within the backoff delay: no new attempt
        reader.read_card()
    assert "重试" in say(again.value)
    assert reader.health().state is HealthState.DISCONNECTED
    reader2 = make_reader("/dev/does-not-exist")
    with pytest.raises(DeviceNotFound, match="/dev/does-not-exist"):
        reader2.find_card()


def test_polling_survives_one_garbled_read_reply(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", faults=("glitch",))  # a GA/T 467 module: the card is found once only
    reader = make_reader(sim.url)
    cards, errors = [], []
    reader.start(cards.append, errors.append)
    try:
        deadline = time.monotonic() + 10
        while not cards and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        reader.stop()
    assert [c.name for c in cards] == ["张三"] and errors == []
    assert "glitch" not in sim.module.faults and reader.health().state is HealthState.CONNECTED


def test_polling_reads_each_card_once(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san")
    reader = make_reader(sim.url)
    cards, errors = [], []
    reader.start(cards.append, errors.append)
    try:
        assert wait_for(lambda: len(cards) == 1)
        time.sleep(0.4)  # several polls with the card still there
        assert len(cards) == 1
        sim.module.remove()
        time.sleep(0.15)
        sim.module.present("elder_long_term")
        assert wait_for(lambda: len(cards) == 2)
        assert cards[1].valid_until == "长期"
        assert errors == []
    finally:
        reader.stop()


def test_polling_copes_with_modules_that_keep_finding_a_read_card(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san", refind_after_read=True)
    reader = make_reader(sim.url)
    cards: list = []
    reader.start(cards.append)
    try:
        assert wait_for(lambda: len(cards) == 1)
        time.sleep(0.4)
        assert len(cards) == 1
        sim.module.remove()
        time.sleep(0.2)
        sim.module.present()
        assert wait_for(lambda: len(cards) == 2)
    finally:
        reader.stop()


def test_polling_reports_each_error_once_and_recovers(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim(None, faults=("not_authorized",))
    reader = make_reader(sim.url)
    cards, errors = [], []
    reader.start(cards.append, errors.append)
    try:
        assert wait_for(lambda: len(errors) == 1)
        time.sleep(0.3)
        assert len(errors) == 1 and isinstance(errors[0], ModuleError)
        sim.module.set_fault("not_authorized", False)
        sim.module.present("rare_ext_b")
        assert wait_for(lambda: len(cards) == 1)
        assert cards[0].name == "𠮷桂芳"
        assert reader.health().state is HealthState.CONNECTED
    finally:
        reader.stop()


def test_unplug_and_replug_over_tcp(make_reader) -> None:  # noqa: ANN001
    module = SamModule(None)
    server = SimulatorServer(module, wire_timing=False)
    url = server.start_tcp()
    port = int(url.rsplit(":", 1)[1])
    reader = make_reader(url)
    states: list[HealthState] = []
    reader.subscribe(lambda h: states.append(h.state))
    cards, errors = [], []
    reader.start(cards.append, errors.append)
    try:
        assert wait_for(lambda: reader.health().state is HealthState.CONNECTED)
        server.stop()  # unplugged
        assert wait_for(lambda: reader.health().state is HealthState.DISCONNECTED)
        assert any(isinstance(e, DeviceNotFound) for e in errors)
        assert "重连" in say(reader.health().reason)
        server = SimulatorServer(module, wire_timing=False)
        server.start_tcp(port=port)  # plugged back in
        assert wait_for(lambda: reader.health().state is HealthState.CONNECTED)
        module.present("hk_resident")
        assert wait_for(lambda: len(cards) == 1)
        assert states[:3] == [HealthState.CONNECTED, HealthState.DISCONNECTED, HealthState.CONNECTED] or (
            HealthState.DISCONNECTED in states and states[-1] is HealthState.CONNECTED)
    finally:
        reader.stop()
        server.stop()


def test_unplug_over_pty_marks_disconnected() -> None:
    from kiosk.devices.base import Backoff
    from kiosk.devices.idcard.reader import SamReader

    server = SimulatorServer(SamModule("zhang_san"), wire_timing=False)
    reader = SamReader(server.start_pty(), command_timeout=0.3, poll_interval=0.05, backoff=Backoff(0.05, 0.2))
    try:
        assert reader.read_card(timeout=1) is not None
        server.stop()
        with pytest.raises(DeviceNotFound):
            reader.find_card()
        assert reader.health().state is HealthState.DISCONNECTED
    finally:
        reader.close()
        server.stop()


def test_from_config_through_the_registry(make_sim) -> None:  # noqa: ANN001
    from kiosk.config.devices import IdCardConfig
    from kiosk.devices import registry

    sim = make_sim("foreign_2017")
    reader = registry.create("idcard", IdCardConfig(port=sim.url, poll_interval_s=0.1, command_timeout_s=0.5))
    try:
        assert reader.command_timeout == 0.5 and reader.poll_interval == 0.1
        assert reader.read_card(timeout=1).english_name == "SMITH, JOHN WILLIAM"
    finally:
        reader.close()


class TruncatingModule(SamModule):
    """Answers the read with a reply whose length fields do not add up (a broken module firmware)."""

    def reply(self, frame):  # noqa: ANN001, ANN201
        if frame.command == Command.READ.value:
            from kiosk.devices.idcard.protocol import build_response

            return build_response(0x90, b"\x01\x00\x04\x00" + bytes(300))
        return super().reply(frame)


def test_inconsistent_read_reply_is_a_card_data_error(make_reader) -> None:  # noqa: ANN001
    from kiosk.devices.idcard.layout import CardDataError

    server = SimulatorServer(TruncatingModule("zhang_san"), wire_timing=False)
    try:
        reader = make_reader(server.start_tcp())
        with pytest.raises(CardDataError, match="idcard.reader.card_data"):
            reader.read_card(timeout=1)
    finally:
        server.stop()


def test_commands_from_several_threads_never_interleave(make_sim, make_reader) -> None:  # noqa: ANN001
    sim = make_sim("zhang_san")
    reader = make_reader(sim.url, command_timeout=3.0)  # 30 self-tests queue behind the poller: at load 14 on
    cards: list = []                                     # two cores a 0.5 s answer window is too tight
    results: list = []
    reader.start(cards.append)

    def hammer() -> None:
        for _ in range(15):
            results.append(reader.self_test().ok)

    threads = [threading.Thread(target=hammer) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for i in range(3):
            assert wait_for(lambda i=i: len(cards) == i + 1, timeout=30)
            sim.module.remove()
            time.sleep(0.1)
            sim.module.present()
        for t in threads:
            t.join(timeout=60)
        assert results == [True] * 30
        assert wait_for(lambda: len(cards) == 4, timeout=30)
        assert all(card == IDENTITIES["zhang_san"] for card in cards)
    finally:
        reader.stop()
