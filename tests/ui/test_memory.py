"""The kiosk's memory savings keep the kiosk working: Pillow without numpy, and the rarely used screens
built when shown and let go between visits (``bench/bench_kiosk.py`` measures what they save)."""

import subprocess
import sys
import textwrap
import time

import pytest


def test_pillow_comes_in_without_numpy_and_numpy_still_works_when_needed():
    code = textwrap.dedent("""
        import sys
        from kiosk.screens.memory import pil_without_numpy
        assert pil_without_numpy()
        from PIL import Image, ImageDraw
        assert "numpy" not in sys.modules, "Pillow brought numpy in"
        im = Image.new("L", (8, 4), 0)
        ImageDraw.Draw(im).rectangle((0, 0, 3, 3), fill=255)
        import numpy as np  # the camera's OpenCV needs it later: it must still import
        a = np.asarray(im)
        assert a.shape == (4, 8) and a[0, 0] == 255 and a[0, 7] == 0
        assert Image.fromarray(a).getpixel((0, 0)) == 255
        assert not pil_without_numpy()  # Pillow is in already: nothing to do
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.fixture
def h(window):
    from kiosk.screens.harness import Harness
    from kiosk.screens.shots import ShotDevices, make_env, shot_config

    harness = Harness(shot_config(make_env()), ShotDevices())
    run(harness, 1.0)  # the built UI is frozen out of the collector's sight (see memory.freeze_built_ui)
    yield harness
    harness.close()


RARE = ("manager", "hours", "enterprise")


def run(h, seconds: float) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        h.pump(1)


def home(h) -> None:
    """Back to the start screen and the kiosk's pause between visits (the root lets go after 0.5 s)."""
    h.root.go("start")
    run(h, 1.0)


def test_rarely_used_screens_are_built_when_shown_and_let_go_when_the_visit_ends(h):
    sm = h.root.sm
    assert [n for n in RARE if sm.built(n) is not None] == []
    assert all(sm.has_screen(n) for n in RARE)
    h.root.on_controller_event("health", None)  # a device's health changed: no manager screen is built for it
    assert sm.built("manager") is None

    h.root.header.dispatch("on_manager")  # staff open manager mode: the PIN pad is there and works
    h.pump(4)
    assert h.current == "manager"
    m = h.screen("manager")
    assert m.controller is h.controller and m.kiosk_root is h.root
    h.keys(m.ids.pinpad, "12")
    assert m.pin == "12"
    h.root.let_go()  # between visits only: the screen showing stays
    assert sm.built("manager") is m

    home(h)
    assert sm.built("manager") is None
    h.root.go("hours")  # built anew, with fresh state
    h.pump(4)
    assert h.current == "hours" and h.screen("hours").typed == ""
    home(h)
    assert [n for n in RARE if sm.built(n) is not None] == []


def test_a_screen_let_go_no_longer_follows_the_elderly_mode(h):
    import gc
    import weakref

    from kiosk.screens.theme import THEME

    h.root.go("enterprise")
    h.pump(4)
    gone = weakref.ref(h.screen("enterprise"))
    home(h)
    gc.collect()
    THEME.elderly = not THEME.elderly  # nothing left behind answers (a dead screen would raise or leak)
    THEME.elderly = not THEME.elderly
    h.pump(2)
    assert gone() is None, "the dropped screen is still referenced"
