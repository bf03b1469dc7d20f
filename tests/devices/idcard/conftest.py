"""Simulators on real transports (TCP on a free port, a pty pair) for the reader tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from kiosk.devices.base import Backoff
from kiosk.devices.idcard.reader import SamReader
from kiosk.devices.idcard.sim_server import SimulatorServer
from kiosk.devices.idcard.simulator import SamModule


@pytest.fixture(params=["tcp", "pty"])
def transport(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_sim(transport: str) -> Iterator[Callable[..., SimulatorServer]]:
    """``make_sim(identity, faults=…, wire_timing=False)`` → a started server on this test's transport."""
    servers: list[SimulatorServer] = []

    def make(identity: str | None = "zhang_san", faults: tuple[str, ...] = (), wire_timing: bool = False,
             baud: int = 115200, **module_args: object) -> SimulatorServer:
        server = SimulatorServer(SamModule(identity, faults=faults, seed=7, **module_args), baud=baud,
                                 wire_timing=wire_timing)
        server.start_tcp() if transport == "tcp" else server.start_pty()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def make_reader() -> Iterator[Callable[..., SamReader]]:
    readers: list[SamReader] = []

    def make(url: str, **kwargs: object) -> SamReader:
        kwargs.setdefault("command_timeout", 0.5)
        kwargs.setdefault("poll_interval", 0.05)
        kwargs.setdefault("backoff", Backoff(0.05, 0.2))
        reader = SamReader(url, **kwargs)  # type: ignore[arg-type]
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        reader.close()
