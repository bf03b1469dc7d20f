"""A printer simulator on a TCP port and the driver talking to it, for the printer tests."""

from __future__ import annotations

import socket

import pytest

from kiosk.devices.base import Backoff
from kiosk.devices.printer.driver import EscposPrinter
from kiosk.devices.printer.simulator import PrinterSimulator


@pytest.fixture
def sim(tmp_path):
    with PrinterSimulator(out_dir=tmp_path / "slips") as simulator:
        yield simulator


@pytest.fixture
def status_timeout_s() -> float:
    """How long the driver waits for a status answer (a module overrides this fixture to change it)."""
    return 0.5


@pytest.fixture
def printer(sim, status_timeout_s):
    driver = EscposPrinter(sim.uri, status_timeout_s=status_timeout_s, backoff=Backoff(0.05, 0.2))
    yield driver
    driver.close()


def send(uri: str, data: bytes, read: int = 0) -> bytes:
    """Raw bytes to a ``tcp://`` printer; its first ``read`` bytes of answer."""
    host, port = uri[len("tcp://"):].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=2) as conn:
        conn.sendall(data)
        reply = b""
        while len(reply) < read:
            reply += conn.recv(16)
        return reply
