#!/usr/bin/python3
"""Reference figures for the degradation and SSIM shared by `satsr eval` and the trainer, computed independently of SatSR.

Debian 12's python3-numpy and python3-gdal only; run from the repository root:
    /usr/bin/python3 tools/references/degradation_reference.py
The MTF taps come from their definition (a Gaussian with MTF `gain` at the coarse Nyquist 1/(2s), sampled at the
fine pixels' distances from the block centre, cut at 4 sigma), the LR values from applying them with numpy, the SSIM
from Wang et al.'s formula. tests/SatSR.Tests/Quality and tests/SatSR.Training.Tests/DegradationTests hold the printed
values; they never need Python.
"""
import numpy as np
from osgeo import gdal

TOWN = "tests/SatSR.Tests/Fixtures/cbers2b_pan_town_256.tif"


def taps(s, gain):
    # Even s: the block centre lies half-way between fine pixels, and the cut keeps every pixel nearer than r.
    assert s % 2 == 0
    sigma = s / np.pi * np.sqrt(-2 * np.log(gain))
    r = int(np.ceil(4 * sigma))
    centre = (s - 1) / 2
    pixels = np.arange(int(np.floor(centre - r)) + 1, int(np.ceil(centre + r)))
    w = np.exp(-(pixels - centre) ** 2 / (2 * sigma ** 2))
    return int(pixels[0]), w / w.sum()


def degrade(plane, s, gain):
    # Coarse pixel x takes fine pixels x*s + offset + j, an edge pixel standing in for those past it.
    offset, w = taps(s, gain)
    n = plane.shape[0]
    index = np.clip(np.arange(n // s)[:, None] * s + offset + np.arange(len(w))[None, :], 0, n - 1)
    rows = (plane[index] * w[None, :, None]).sum(axis=1)          # down the columns
    return (rows[:, index] * w[None, None, :]).sum(axis=2)        # across the rows


def ssim(x, y, valid, data_range):
    # Wang et al. 2004: 11x11 Gaussian window of sigma 1.5, C1 = (0.01 L)^2, C2 = (0.03 L)^2, population statistics;
    # the mean over the windows inside the image that hold only valid pixels.
    g = np.exp(-(np.arange(11) - 5) ** 2 / (2 * 1.5 ** 2))
    g /= g.sum()
    window = np.outer(g, g)
    view = np.lib.stride_tricks.sliding_window_view
    f = lambda a: np.einsum("ijkl,kl->ij", view(a, (11, 11)), window)
    mx, my = f(x), f(y)
    vx, vy, cxy = f(x * x) - mx * mx, f(y * y) - my * my, f(x * y) - mx * my
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    m = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    keep = view(valid, (11, 11)).all(axis=(2, 3))
    return m[keep].mean(), int(keep.sum())


def main():
    for s, gain in ((4, 0.3), (2, 0.5)):
        offset, w = taps(s, gain)
        print(f"# MTF taps x{s}, gain {gain}: offset {offset}")
        print("taps: " + ", ".join(f"{v:.12f}" for v in w))

    # The training tests' texture: plane 0 of 0.5 + 0.4 sin(0.37 i) cos(0.011 i), i = 0..4095, as float32, 64x64.
    i = np.arange(64 * 64)
    plane = (0.5 + 0.4 * np.sin(i * 0.37) * np.cos(i * 0.011)).astype(np.float32).astype(np.float64).reshape(64, 64)
    picks = [(0, 0), (0, 15), (7, 9), (15, 15)]
    for s, gain in ((4, 0.3), (2, 0.5)):
        low = degrade(plane, s, gain)
        print(f"# texture degraded x{s}, gain {gain}, LR pixels (row, col)")
        print(", ".join(f"({r},{c})={low[r, c]:.9f}" for r, c in picks))

    town = gdal.Open(TOWN).ReadAsArray().astype(np.float64)
    rows, cols = np.indices(town.shape)
    noisy = np.clip(town + (7 * rows + 13 * cols) % 11 - 5, 0, 255)
    valid = np.ones(town.shape, bool)
    valid[100:103, 100:103] = False
    value, windows = ssim(town / 255, noisy / 255, valid, 1.0)
    print("# SSIM of town/255 against noisy/255 (tools/quality_reference.py), data range 1, rows and columns 100-102 nodata")
    print(f"ssim={value:.12f} windows={windows}")


if __name__ == "__main__":
    main()
