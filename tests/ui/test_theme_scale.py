"""The UI's scale for other screens than the designed 1080 × 1920 portrait one."""

import pytest


@pytest.mark.parametrize("size, scale", [
    ((1080, 1920), 1.0),      # as designed
    ((800, 1280), 800 / 1080),  # a smaller portrait screen: by its width
    ((2160, 3840), 2.0),
    ((1920, 1080), 1080 / 1920 * 1.25),  # landscape: what its height can hold, not 1.78 × (would overflow)
    ((1280, 800), 0.52),
    ((480, 640), 0.44),
    ((320, 480), 0.4),        # never below 0.4
])
def test_scale_fits_the_screen(size, scale):
    from kiosk.screens.theme import Theme  # Kivy only after the UI tests' environment is set (conftest)

    t = Theme()
    t.fit_window(*size)
    assert t.scale == pytest.approx(scale, abs=0.01)
