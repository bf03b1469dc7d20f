import os
import re
import threading
import time
import tty

import pytest

from kiosk.devices.base import DeviceNotFound
from kiosk.devices.printer.driver import EscposPrinter
from kiosk.devices.printer.simulator import REPLIES
from kiosk.devices.printer.transports import MissingDependency, PrinterAddressError, open_transport, parse_uri
from kiosk.i18n import say
from kiosk.printing.escpos_parse import EscposParser
from kiosk.printing.escpos_render import to_escpos
from kiosk.printing.layout import Cut, Slip, Text


def test_parse_every_uri_form():
    assert parse_uri("file:/tmp/x.bin").target == "/tmp/x.bin"
    tcp = parse_uri("tcp://192.168.1.50:9100")
    assert (tcp.kind, tcp.target, tcp.options) == ("tcp", "192.168.1.50", {"port": 9100})
    serial = parse_uri("serial:/dev/ttyUSB0?baudrate=19200&dsrdtr=0")
    assert (serial.target, serial.options) == ("/dev/ttyUSB0", {"baudrate": 19200, "dsrdtr": False})
    assert parse_uri("serial:/dev/ttyS0").options == {"baudrate": 9600}
    assert parse_uri("usb:0416:5011").options == {"vid": 0x0416, "pid": 0x5011}


@pytest.mark.parametrize("uri, message", [
    ("usb:0416", "needs usb:VID:PID"),
    ("tcp://host", "needs HOST:PORT, e.g. tcp://"),
    ("lpt:1", "unknown scheme 'lpt'"),
    ("serial:/dev/ttyS0?baudrate=fast", "baudrate must be a number"),
    ("serial:/dev/ttyS0?dsrdtr=maybe", "dsrdtr must be 0 or 1"),
    ("serial:/dev/ttyS0?parity=E", "unknown option"),
])
def test_bad_uris_say_what_is_expected(uri, message):
    with pytest.raises(PrinterAddressError, match=message):
        parse_uri(uri)


def test_usb_without_pyusb_says_what_to_install():
    try:
        import usb.core  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependency, match="pip install pyusb"):
            open_transport("usb:0416:5011")
    else:
        pytest.skip("pyusb is installed here")


def test_usb_printer_that_is_not_plugged_in_says_what_to_check():
    pytest.importorskip("usb.core", reason="pyusb is not installed (the test above covers that)")
    with pytest.raises(DeviceNotFound) as info:
        open_transport("usb:0416:5011")
    assert re.search("找不到 USB 打印机 0416:5011.*lsusb", say(info.value, "zh_CN"))


def test_nothing_listening_is_device_not_found():
    with pytest.raises(DeviceNotFound) as info:
        open_transport("tcp://127.0.0.1:1", connect_timeout=1)
    assert re.search("127.0.0.1:1 没有应答.*电源", say(info.value, "zh_CN"))
    assert re.search("nothing answers at 127.0.0.1:1; check the printer is on", say(info.value, "en")) and info.value.reason.code.startswith("printer.")


class PtyPrinter:
    """The far end of a pty pair behaving like a serial printer: records bytes, answers DLE EOT and GS r."""

    def __init__(self, state="ok"):
        self.master, slave = os.openpty()
        self.path = os.ttyname(slave)
        self._slave = slave
        self.state, self.received, self.slips = state, bytearray(), []
        self._parser = EscposParser(58, on_status=self._answer, on_transmit=self._paper_sensor)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _answer(self, n):
        replies = REPLIES[self.state]
        if replies:
            os.write(self.master, bytes([replies[n]]))

    def _paper_sensor(self, n):
        os.write(self.master, b"\x03" if self.state == "near_end" else b"\x00")

    def _run(self):
        import select

        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    return
                self.received += data
                self.slips += self._parser.feed(data)

    def close(self):
        self._stop.set()
        self._thread.join(2)
        os.close(self.master)
        os.close(self._slave)


def test_serial_printer_over_a_pty_prints_and_answers_status():
    far = PtyPrinter("near_end")
    try:
        # raw mode on the slave so the tty layer passes bytes untouched (a real UART does)
        tty.setraw(far._slave)
        printer = EscposPrinter(f"serial:{far.path}?baudrate=9600&dsrdtr=0", width_mm=58, status_timeout_s=1)
        slip = Slip([Text("串口测试"), Cut()], width_mm=58)
        result = printer.print_slip(slip)
        assert result.status.paper == "near_end"
        deadline = time.monotonic() + 3
        while not far.slips and time.monotonic() < deadline:
            time.sleep(0.02)
        assert far.slips and far.slips[0].blocks[0] == Text("串口测试")
        assert far.received.endswith(to_escpos(slip) + b"\x1d\x72\x01")  # GS r 1: the paper, once printed
        printer.close()
    finally:
        far.close()
