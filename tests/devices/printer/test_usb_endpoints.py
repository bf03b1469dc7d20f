"""USB printers whose endpoints are not python-escpos's fixed 0x82 IN / 0x01 OUT.

python-escpos ``Usb`` writes to ``out_ep=0x01`` and reads ``in_ep=0x82`` unless told otherwise
(src/escpos/printer/usb.py); Chinese 58 mm printers use others and fail with "Invalid endpoint address"
(python-escpos issues #636, 0416:5011 "POS58 Printer USB"; #646, 0483:5743). DantSu's Android driver finds the
bulk OUT endpoint from the descriptors (ESCPOS-ThermalPrinter-Android PR #28); so does the driver now.
The descriptor values below are those printed in the threads named on each case.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kiosk.devices.printer.transports import choose_endpoints, use_device_endpoints

BULK, INTERRUPT = 2, 3
PRINTER_CLASS, VENDOR_CLASS, HID_CLASS = 7, 255, 3


@pytest.mark.parametrize("interfaces, expected", [
    # Epson-like: python-escpos's own defaults
    ([(0, PRINTER_CLASS, [(0x82, BULK), (0x01, BULK)])], (0, 0x82, 0x01)),
    # raspberrypi/linux#722 (a POSbox printer): vendor class, 0x81 IN, 0x02 OUT
    ([(0, VENDOR_CLASS, [(0x81, BULK), (0x02, BULK)])], (0, 0x81, 0x02)),
    # raspberrypi/linux#957 (PL2305 parallel adapter): unidirectional printer class, OUT only: no status
    ([(0, PRINTER_CLASS, [(0x01, BULK)])], (0, None, 0x01)),
    # several interfaces, the printer's not first (constructed: DantSu PR #28's MUNBYN had "multiple interfaces
    # and endpoints on a different order"); interrupt endpoints are not the data pipe
    ([(0, HID_CLASS, [(0x81, INTERRUPT), (0x01, INTERRUPT)]), (1, PRINTER_CLASS, [(0x83, BULK), (0x04, BULK)])],
     (1, 0x83, 0x04)),
])
def test_endpoints_come_from_the_descriptors(interfaces, expected):
    assert choose_endpoints(interfaces) == expected


def test_a_device_without_a_bulk_out_endpoint_is_no_printer():
    assert choose_endpoints([(0, HID_CLASS, [(0x81, INTERRUPT)])]) is None


def test_the_opened_printer_gets_the_endpoints_of_its_active_configuration():
    """pyusb's descriptor objects, by the attributes pyusb gives them (iterating a configuration gives its
    interfaces, an interface its endpoints)."""
    def ep(address: int, attributes: int = BULK) -> SimpleNamespace:
        return SimpleNamespace(bEndpointAddress=address, bmAttributes=attributes)

    class Interface(list):
        bInterfaceNumber, bInterfaceClass = 0, VENDOR_CLASS

    config = [Interface([ep(0x81), ep(0x02)])]
    printer = SimpleNamespace(device=SimpleNamespace(get_active_configuration=lambda: config), in_ep=0x82, out_ep=0x01)
    use_device_endpoints(printer)
    assert (printer.in_ep, printer.out_ep) == (0x81, 0x02)


def test_descriptors_that_cannot_be_read_keep_the_endpoints_given():
    def fail():
        raise OSError("[Errno 19] No such device")

    printer = SimpleNamespace(device=SimpleNamespace(get_active_configuration=fail), in_ep=0x82, out_ep=0x01)
    use_device_endpoints(printer)
    assert (printer.in_ep, printer.out_ep) == (0x82, 0x01)
