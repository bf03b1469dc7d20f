"""Manager mode's self-test button says what happened, with devices and without any."""

from types import SimpleNamespace

from kiosk.devices.base import SelfTestResult
from kiosk.i18n import set_language
from kiosk.terminal.events import Events
from kiosk.terminal.manager_desk import ManagerDesk
from kiosk.terminal.worker import Worker, call_now


def desk(devices):
    events = Events(call_now)
    seen: list = []
    events.subscribe(lambda event, payload: seen.append((event, payload)))
    worker = Worker("test-self-test")
    return ManagerDesk(SimpleNamespace(), devices, None, worker=worker, events=events), worker, seen


def test_a_self_test_without_devices_says_the_device_is_not_configured():
    set_language("zh_CN")
    d, worker, seen = desk(None)
    d.self_test("printer")
    assert worker.join_idle(10)
    worker.stop()
    assert ("self_test", "打印机: 未配置") in seen and ("health", None) in seen


def test_a_self_test_says_passed_with_a_warning_or_failed():
    set_language("zh_CN")
    results = {"printer": SelfTestResult("printer", True, "纸将尽", 3.0, warning=True),
               "camera": SelfTestResult("camera", False, "打不开", 3.0)}
    d, worker, seen = desk(SimpleNamespace(self_test=lambda kind: results[kind]))
    d.self_test("printer")
    d.self_test("camera")
    assert worker.join_idle(10)
    worker.stop()
    texts = [p for e, p in seen if e == "self_test"]
    assert texts == ["打印机: ⚠ 纸将尽", "摄像头: ✗ 打不开"]
