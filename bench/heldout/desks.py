"""Desk surfaces of the held-out renderer, from spectrally shaped (1/f^β) noise: pale maple and dark
walnut, white laminate, a beige service counter, marble, granite, felt, a rubber mat and dark glass.

RGB float32, 0..255. Independent of ``kiosk.devices.camera.backdrops`` (another noise model, other
materials, other colours).
"""

from __future__ import annotations

import numpy as np

DESKS = ("maple", "walnut", "white_laminate", "counter", "marble", "granite", "felt", "rubber_mat", "dark_glass")


def spectral_noise(rng: np.random.Generator, h: int, w: int, beta: float, stretch: float = 1.0) -> np.ndarray:
    """Zero-mean, unit-std noise whose power falls as 1/f^β; ``stretch`` > 1 elongates it along x."""
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :] * stretch
    f = np.sqrt(fx ** 2 + fy ** 2)
    f[0, 0] = 1.0
    spectrum = (rng.normal(size=f.shape) + 1j * rng.normal(size=f.shape)) / f ** (beta / 2)
    spectrum[0, 0] = 0
    out = np.fft.irfft2(spectrum, s=(h, w)).astype(np.float32)
    return out / (out.std() + 1e-6)


def desk(name: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A desk surface, RGB float32 of ``h``×``w``."""
    def paint(base, grain, amp):
        return np.asarray(base, np.float32)[None, None, :] * (1 + amp * grain[..., None])

    if name == "maple":
        grain = spectral_noise(rng, h, w, 2.2, stretch=12.0) + 0.3 * spectral_noise(rng, h, w, 1.2)
        img = paint(rng.uniform([205, 175, 130], [235, 205, 165]), grain, 0.05)
    elif name == "walnut":
        grain = spectral_noise(rng, h, w, 2.0, stretch=10.0)
        img = paint(rng.uniform([80, 50, 30], [120, 80, 50]), grain, 0.15)
    elif name == "white_laminate":
        img = paint([rng.uniform(205, 235)] * 3, spectral_noise(rng, h, w, 2.5), 0.015)
    elif name == "counter":
        img = paint(rng.uniform([200, 185, 155], [225, 210, 180]), spectral_noise(rng, h, w, 1.8), 0.03)
    elif name == "marble":
        turb = np.abs(spectral_noise(rng, h, w, 2.6))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        veins = np.abs(np.sin((xx * 0.01 + yy * 0.004) + 3 * turb)) ** 0.3
        img = paint([rng.uniform(200, 235)] * 3, veins - 1, 0.2)
    elif name == "granite":
        speck = spectral_noise(rng, h, w, 0.2)
        img = paint(rng.uniform([90, 85, 85], [150, 140, 135]), speck, 0.25)
    elif name == "felt":
        base = rng.choice([[30, 80, 50], [40, 60, 130], [120, 30, 40], [60, 60, 65]])
        img = paint(np.asarray(base, np.float32) * rng.uniform(0.8, 1.3), spectral_noise(rng, h, w, 0.6), 0.08)
    elif name == "rubber_mat":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(10, 22)
        dots = ((np.mod(xx, period) - period / 2) ** 2 + (np.mod(yy, period) - period / 2) ** 2 < (period / 4) ** 2)
        img = paint([rng.uniform(50, 95)] * 3, dots.astype(np.float32) * 2 - 1 + 0.2 * spectral_noise(rng, h, w, 1.0), 0.06)
    else:  # dark_glass: near black with a broad reflection
        yy = np.linspace(0, 1, h, dtype=np.float32)[:, None]
        xx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
        sheen = np.exp(-((xx - rng.uniform(0.2, 0.8)) * 2 + (yy - 0.5)) ** 2 * 4) * rng.uniform(20, 60)
        img = np.repeat((rng.uniform(15, 30) + sheen)[..., None], 3, axis=2) + 3 * spectral_noise(rng, h, w, 1.5)[..., None]
    return np.clip(img, 0, 255).astype(np.float32)
