#!/usr/bin/python3
"""What limits a fine-tuned model on `satsr train`'s held-out window? Independent of SatSR (Debian's python3-torch and
python3-gdal). For the window (default 0,2530,2952,280, the CBERS benchmark's strip), area-averaged by 4 as the trainer
does, it prints:

- the scene's grey values: how many distinct ones it holds and their spacing (a posterised image has few);
- the enlargements that need no training: PyTorch's bicubic (a = -0.75, the trainer's "bicubic"), Keys' a = -0.5
  (`satsr eval`'s), Lanczos-3, each with replicated edges, on pixel centres;
- an estimate of the HR's pixel noise, from the diagonal Haar detail (a-b-c+d)/2 of 2x2 blocks: its mean square is
  the noise variance for white noise, plus whatever signal sits at that frequency, so it is an upper estimate; of
  white noise, 15/16 of the variance is what no estimate from 4x4 block means can recover;
- for each model given (SRVGGNetCompact .pth, EMA weights): its PSNR, and, next to bicubic's, the squared error in
  the window's four activity quarters (LR gradient), and split into the error of the 4x4 block means (what
  `--consistency` would remove) and the error within blocks (an exact split where every pixel of the window is valid).

8-bit, one band; 0 counts as nodata. Bad input is one line on stderr and exit 1; the tool writes nothing.

Usage: /usr/bin/python3 tools/studies/heldout_limits.py HR.tif [MODEL.pth …] [--window x,y,w,h]
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from before_after import load, window  # noqa: E402


def cubic(x, a):
    x = np.abs(x)
    return np.where(x <= 1, (a + 2) * x**3 - (a + 3) * x**2 + 1, np.where(x < 2, a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a, 0))


def lanczos3(x):
    return np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0)


def enlarge(image, scale, kernel, radius):
    """Separable enlargement on pixel centres, edges replicated, taps normalised to sum 1. By hand, not PIL's
    resampler (tools/references/quality_reference.py): this tool needs only the test suite's python3-torch and python3-gdal."""
    for axis in (0, 1):
        n = image.shape[axis]
        centres = (np.arange(n * scale) + 0.5) / scale - 0.5
        left = np.floor(centres).astype(int)
        shape = [1, 1]
        shape[axis] = n * scale
        total, weights = 0, 0
        for tap in range(1 - radius, radius + 1):
            w = kernel(centres - (left + tap)).reshape(shape)
            total = total + np.take(image, np.clip(left + tap, 0, n - 1), axis=axis) * w
            weights = weights + w
        image = total / weights
    return image


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("hr")
    p.add_argument("models", nargs="*")
    p.add_argument("--window", type=window, default=(0, 2530, 2952, 280))
    a = p.parse_args()
    torch.set_num_threads(2)
    gdal.UseExceptions()
    try:
        source = gdal.Open(a.hr)  # held while its band is read
    except RuntimeError as e:
        fail(f"{a.hr}: not a raster GDAL can open ({e})")
    band = source.GetRasterBand(1)
    if band.DataType != gdal.GDT_Byte:
        fail(f"{a.hr}: is {gdal.GetDataTypeName(band.DataType)}; this tool reads 8-bit rasters")
    x, y, w, h = a.window
    w, h = w // 4 * 4, h // 4 * 4
    if min(x, y) < 0 or w < 4 or h < 4 or x + w > source.RasterXSize or y + h > source.RasterYSize:
        fail(f"--window {x},{y},{w},{h}: lies outside {a.hr} ({source.RasterXSize}×{source.RasterYSize}) or holds no 4×4 block")
    nets = []
    for path in a.models:  # all loaded before anything is printed, so a bad one stops the tool at once
        try:
            nets.append((path, load(path)))
        except Exception as e:  # a file torch.load or the state dict refuses, however it fails
            fail(f"{path}: not an SRVGGNetCompact ×4 .pth this tool can load ({type(e).__name__}: {e})")
    levels = np.nonzero(band.GetHistogram(-0.5, 255.5, 256, include_out_of_range=0, approx_ok=0))[0]
    steps = np.diff(levels[levels > 0])
    print(f"scene: {len(levels)} distinct values ({levels.min()}..{levels.max()}), spacing of the non-zero ones "
          f"{steps.min()}..{steps.max()} (mean {steps.mean():.2f})")

    hr = band.ReadAsArray(x, y, w, h).astype(np.float64)
    valid = hr > 0
    lr = hr.reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3))

    def mse(estimate, where=valid):
        return float(((np.clip(estimate, 0, 255) - hr) ** 2)[where].mean())

    def psnr(estimate):
        return 10 * np.log10(255**2 / mse(estimate))

    torch_bicubic = F.interpolate(torch.from_numpy(lr)[None, None], scale_factor=4, mode="bicubic", align_corners=False)[0, 0].numpy()
    print(f"window {x},{y},{w},{h}: bicubic (PyTorch, a=-0.75) {psnr(torch_bicubic):.2f} dB, "
          f"Keys a=-0.5 {psnr(enlarge(lr, 4, lambda t: cubic(t, -0.5), 2)):.2f} dB, "
          f"Lanczos-3 {psnr(enlarge(lr, 4, lanczos3, 3)):.2f} dB")

    diagonal = (hr[0::2, 0::2] - hr[0::2, 1::2] - hr[1::2, 0::2] + hr[1::2, 1::2]) / 2
    whole = valid[0::2, 0::2] & valid[0::2, 1::2] & valid[1::2, 0::2] & valid[1::2, 1::2]
    noise = float((diagonal[whole] ** 2).mean())
    print(f"HR noise variance at most {noise:.2f} (σ {np.sqrt(noise):.2f}); were all of it white noise, no estimate "
          f"from block means could beat {10 * np.log10(255**2 / (noise * 15 / 16)):.2f} dB")

    gradient = np.abs(np.gradient(lr, axis=0)) + np.abs(np.gradient(lr, axis=1))
    activity = np.repeat(np.repeat(gradient, 4, 0), 4, 1)
    edges = np.quantile(activity[valid], [0, 0.25, 0.5, 0.75, 1])
    quarters = [valid & (activity >= lo) & (activity <= hi) for lo, hi in zip(edges, edges[1:])]

    def block_split(estimate):
        error = (np.clip(estimate, 0, 255) - hr) * valid
        means = error.reshape(h // 4, 4, w // 4, 4).mean(axis=(1, 3))
        block = float((means**2).sum() * 16 / valid.sum())
        return block, mse(estimate) - block

    rows = [("bicubic", torch_bicubic)]
    with torch.no_grad():
        for path, net in nets:
            rows.append((os.path.basename(path), net(torch.from_numpy(lr / 255).float()[None, None].expand(1, 3, -1, -1)).mean(1)[0].double().numpy() * 255))
    for name, estimate in rows:
        block, within = block_split(estimate)
        by_quarter = " ".join(f"{mse(estimate, q):.2f}" for q in quarters)
        print(f"{name:24s} {psnr(estimate):.2f} dB; squared error by activity quarter (flattest first) {by_quarter}; "
              f"block means {block:.2f}, within blocks {within:.2f}")


if __name__ == "__main__":
    main()
