"""DeviceHub: creates every configured device, survives the failing ones, reports and pushes health,
self-tests with timeouts. The button is real (serial, against its simulator); the other kinds are
tiny test-only devices registered by monkeypatching the registry (and the real SAM reader against its
simulator where that driver exists)."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.config.devices import ButtonConfig, CameraConfig, DevicesConfig, IdCardConfig, PrinterConfig
from kiosk.devices import registry
from kiosk.devices.base import DeviceError, Health, HealthState, HealthTracker, SelfTestResult
from kiosk.devices.button.events import ButtonEvent
from kiosk.devices.button.simulator import ButtonSimulator
from kiosk.devices.hub import KINDS, DeviceHub
from kiosk.i18n import say, tr
from tests.devices.waiting import wait_for

RELEASE = threading.Event()  # lets "hanging" test devices finish once a test is done


class StubDevice:
    """A minimal device: health settable from the test, self_test / close behaviours by mode."""

    instances: list[StubDevice] = []

    def __init__(self, name: str, mode: str = "ok"):
        self.name, self.mode = name, mode
        self.state = HealthState.CONNECTED
        self.reason = ""
        self.closed = 0
        StubDevice.instances.append(self)

    def health(self) -> Health:
        if self.mode == "health_raises":
            raise RuntimeError("sensor on fire")
        return Health(self.name, self.state, self.reason)

    def self_test(self) -> SelfTestResult:
        if self.mode == "hang":
            RELEASE.wait(10)
        if self.mode == "raises":
            raise RuntimeError("boom")
        if self.mode == "fail":
            return SelfTestResult(self.name, False, "缺纸 paper out: load a new roll", 3.0)
        return SelfTestResult(self.name, True, f"{self.name} fine", 2.0)

    def close(self) -> None:
        self.closed += 1
        if self.mode == "hang_close":
            RELEASE.wait(10)


class PushingDevice(StubDevice):
    def __init__(self, name: str):
        super().__init__(name)
        self.tracker = HealthTracker(name, HealthState.CONNECTED)

    def health(self) -> Health:
        return self.tracker.get()

    def subscribe_health(self, listener) -> None:
        self.tracker.subscribe(listener)


def ok_printer(section) -> StubDevice:
    return StubDevice("printer")


def failing_idcard(section) -> StubDevice:
    raise DeviceError("读卡器端口 /dev/ttyUSB0 不存在：请检查连接线")


def hanging_camera(section) -> StubDevice:
    RELEASE.wait(10)
    return StubDevice("camera")


def crashing_printer(section) -> StubDevice:
    raise ZeroDivisionError("division by zero")


def make_factory(mode: str):
    def factory(section) -> StubDevice:
        kind = {IdCardConfig: "idcard", CameraConfig: "camera", PrinterConfig: "printer"}[type(section)]
        return StubDevice(kind, mode)
    return factory


@pytest.fixture(autouse=True)
def _release():
    RELEASE.clear()
    StubDevice.instances.clear()
    yield
    RELEASE.set()


def register(monkeypatch, kind: str, type_: str, target: str) -> None:
    monkeypatch.setitem(registry.DRIVERS[kind], type_, f"tests.devices.test_hub:{target}")


@pytest.fixture
def sim():
    with ButtonSimulator("socket") as simulator:
        yield simulator


def config(sim: ButtonSimulator | None = None, **types: str) -> DevicesConfig:
    button = (ButtonConfig(type="serial", port=sim.url, min_interval_s=0) if sim
              else ButtonConfig(type=types.get("button", "keyboard")))
    return DevicesConfig(idcard=IdCardConfig(type=types.get("idcard", "sam")),
                         camera=CameraConfig(type=types.get("camera", "simulator")),
                         printer=PrinterConfig(type=types.get("printer", "escpos")),
                         button=button)



def test_failing_devices_get_error_health_and_the_rest_still_work(monkeypatch, sim):
    register(monkeypatch, "idcard", "sam", "failing_idcard")
    monkeypatch.setitem(registry.DRIVERS["camera"], "simulator", "tests.devices.no_such_module:Camera.make")
    register(monkeypatch, "printer", "escpos", "ok_printer")
    with DeviceHub(config(sim), poll_s=None) as hub:
        health = {h.device: h for h in hub.health()}
        assert list(health) == list(KINDS)
        assert health["idcard"].state is HealthState.ERROR
        assert say(health["idcard"].reason) == "读卡器端口 /dev/ttyUSB0 不存在：请检查连接线"
        assert health["camera"].state is HealthState.ERROR
        assert "simulator" in say(health["camera"].reason) and "no_such_module" in say(health["camera"].reason)
        assert health["printer"].state is HealthState.CONNECTED
        assert hub.get("idcard") is None and set(hub.devices) == {"printer", "button"}
        assert hub.button.wait_connected(3)
        assert hub.health()[3].state is HealthState.CONNECTED
        got: list[ButtonEvent] = []
        hub.button.subscribe(got.append)
        assert sim.wait_connected(3)
        sim.press()
        assert wait_for(lambda: len(got) == 1)
    assert StubDevice.instances[0].closed == 1


def test_unexpected_exception_and_disabled_devices(monkeypatch):
    register(monkeypatch, "printer", "escpos", "crashing_printer")
    with DeviceHub(config(idcard="none", camera="none", button="none"), poll_s=None) as hub:
        states = [(h.device, h.state) for h in hub.health()]
        assert states == [("idcard", HealthState.DISABLED), ("camera", HealthState.DISABLED),
                          ("printer", HealthState.ERROR), ("button", HealthState.DISABLED)]
        assert "ZeroDivisionError" in say(hub.health()[2].reason)
        assert all(h.ok for h in hub.health() if h.device != "printer")


def test_a_hanging_driver_times_out_at_creation(monkeypatch):
    register(monkeypatch, "camera", "simulator", "hanging_camera")
    started = time.monotonic()
    hub = DeviceHub(config(idcard="none", printer="none"), create_timeout_s=0.3, poll_s=None)
    try:
        assert time.monotonic() - started < 2
        camera = hub.device_health("camera")
        assert camera.state is HealthState.ERROR
        assert say(camera.reason) == tr("devices.create_timeout", kind="camera", seconds="0.3")
        assert hub.device_health("button").state is HealthState.CONNECTED
        RELEASE.set()                                  # the driver finally returns: it is closed, not adopted
        assert wait_for(lambda: StubDevice.instances and StubDevice.instances[0].closed == 1)
        assert hub.get("camera") is None
    finally:
        hub.close()


def test_self_tests_run_in_parallel_with_a_timeout_each(monkeypatch):
    register(monkeypatch, "idcard", "sam", "HANG")
    register(monkeypatch, "camera", "simulator", "RAISES")
    register(monkeypatch, "printer", "escpos", "FAILS")
    with DeviceHub(config(), poll_s=None) as hub:
        started = time.monotonic()
        reports = {r.device: r for r in hub.self_test_all(timeout_s=0.5)}
        assert time.monotonic() - started < 1.5
        assert reports["idcard"].status == "fail"
        assert say(reports["idcard"].message) == tr("devices.timeout", seconds="0.5")
        assert reports["camera"].status == "fail" and "boom" in say(reports["camera"].message)
        assert reports["printer"].status == "fail" and say(reports["printer"].message).startswith("缺纸")
        assert reports["button"].status == "ok" and reports["button"].passed and reports["button"].ok
        single = hub.self_test("printer", timeout_s=0.5)
        assert not single.ok and say(single.message) == say(reports["printer"].message)
        assert not reports["printer"].passed
        assert reports["printer"].as_dict()["status"] == "fail"
        RELEASE.set()


HANG = make_factory("hang")
RAISES = make_factory("raises")
FAILS = make_factory("fail")
HEALTH_RAISES = make_factory("health_raises")
HANG_CLOSE = make_factory("hang_close")


def test_health_changes_are_pushed_and_polled(monkeypatch, sim):
    monkeypatch.setitem(registry.DRIVERS["printer"], "escpos", "tests.devices.test_hub:pushing_printer")
    register(monkeypatch, "idcard", "sam", "polled_idcard")
    seen: list[tuple[str, HealthState]] = []
    with DeviceHub(config(sim, camera="none"), poll_s=0.05) as hub:
        assert hub.button.wait_connected(3)
        time.sleep(0.1)
        unsubscribe = hub.subscribe_health(lambda h: seen.append((h.device, h.state)))
        sim.unplug()                                   # pushed by the button
        assert wait_for(lambda: ("button", HealthState.DISCONNECTED) in seen)
        sim.replug()
        assert wait_for(lambda: ("button", HealthState.CONNECTED) in seen)
        idcard = hub.get("idcard")                     # has no subscribe_health: polled
        idcard.state, idcard.reason = HealthState.ERROR, "模块未授权"
        assert wait_for(lambda: ("idcard", HealthState.ERROR) in seen)
        printer = hub.get("printer")
        printer.tracker.set(HealthState.ERROR, "缺纸")
        assert wait_for(lambda: ("printer", HealthState.ERROR) in seen)
        count = len(seen)
        time.sleep(0.2)
        assert len(seen) == count                      # no repeats while nothing changes
        unsubscribe()
        printer.tracker.set(HealthState.CONNECTED)
        time.sleep(0.2)
        assert len(seen) == count


def pushing_printer(section) -> PushingDevice:
    return PushingDevice("printer")


def polled_idcard(section) -> StubDevice:
    return StubDevice("idcard")


def test_health_that_raises_and_close_that_hangs(monkeypatch):
    register(monkeypatch, "idcard", "sam", "HEALTH_RAISES")
    register(monkeypatch, "printer", "escpos", "HANG_CLOSE")
    hub = DeviceHub(config(camera="none"), poll_s=None)
    idcard = hub.device_health("idcard")
    assert idcard.state is HealthState.ERROR and "sensor on fire" in say(idcard.reason)
    started = time.monotonic()
    hub.close(timeout_s=0.3)
    assert time.monotonic() - started < 1.5
    hub.close()                                        # idempotent
    assert hub.button.health().state is HealthState.DISCONNECTED


def test_real_sam_reader_through_the_hub(monkeypatch):
    sim_server = pytest.importorskip("kiosk.devices.idcard.sim_server")
    pytest.importorskip("kiosk.devices.idcard.reader")
    with sim_server.SimulatorServer() as server:
        url = server.start_tcp()
        cfg = DevicesConfig(idcard=IdCardConfig(type="sam", port=url), camera=CameraConfig(type="none"),
                            printer=PrinterConfig(type="none"), button=ButtonConfig(type="keyboard"))
        with DeviceHub(cfg, poll_s=None) as hub:
            reports = {r.device: r for r in hub.self_test_all(timeout_s=5)}
            assert reports["idcard"].status == "ok", reports["idcard"]
            assert reports["camera"].status == "disabled"
            assert hub.self_test("camera").passed and not hub.self_test("camera").ok


@pytest.mark.parametrize(("camera", "status"), [
    ({"type": "simulator", "scenario": "page"}, "ok"),
    ({"type": "opencv", "source": "/dev/video9"}, "fail"),         # no such camera here
])
def test_real_camera_drivers_through_the_hub(camera, status):
    pytest.importorskip("kiosk.devices.camera.simulator")
    cfg = DevicesConfig(idcard=IdCardConfig(type="none"), camera=CameraConfig(**camera),
                        printer=PrinterConfig(type="none"), button=ButtonConfig(type="none"))
    with DeviceHub(cfg, poll_s=None) as hub:
        report = hub.self_test("camera", timeout_s=8)
        assert report.status == status, report
        assert report.message
        assert hub.device_health("camera").ok is (status == "ok")
