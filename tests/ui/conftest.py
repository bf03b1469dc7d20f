"""One offscreen Kivy window (1080×1920, the kiosk's portrait screen) for the whole UI test session, and
the simulators the kiosk's real drivers talk to."""

import os
import tempfile

import pytest

os.environ.setdefault("KIVY_NO_ARGS", "1")
os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kivy-home-"))  # (tests/conftest.py set one per worker)


@pytest.fixture(scope="session")
def window():
    from kiosk.screens.shots import make_env, shot_config
    from kiosk.terminal.app import prepare_kivy

    prepare_kivy(shot_config(make_env()).ui, fullscreen=False, size=(1080, 1920))
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    return Window


@pytest.fixture(scope="module")
def sims():
    """A SAM card reader simulator and a printer simulator on loopback TCP, shared by a module."""
    from kiosk.devices.idcard.sim_server import SimulatorServer
    from kiosk.devices.idcard.simulator import SamModule
    from kiosk.devices.printer.simulator import PrinterSimulator

    sam = SamModule(identity=None)
    server = SimulatorServer(sam, wire_timing=False)
    url = server.start_tcp()
    printer = PrinterSimulator().start()
    yield {"sam": sam, "idcard_url": url, "printer": printer}
    printer.stop()
    server.stop()


@pytest.fixture
def shot_kiosks(window):
    """``shot_kiosks(**kw)`` builds a :func:`tests.ui.kit.shot_kiosk`; all are closed after the test."""
    from tests.ui.kit import close, shot_kiosk

    made = []

    def build(**kw):
        made.append(shot_kiosk(**kw))
        return made[-1]

    yield build
    for h in made:
        close(h)
