#!/usr/bin/python3
"""Reference figures for tests/SatSR.Tests/Quality and Pipeline/EvaluationTests, computed independently of SatSR.

Debian 12: apt-get install python3-skimage python3-scipy python3-pil; run from the repository root:
    /usr/bin/python3 tools/references/quality_reference.py
SSIM and PSNR come from scikit-image 0.19 (structural_similarity with Wang et al.'s Gaussian window), bicubic and
Lanczos-3 from PIL 9.4's float resampler, the MTF blur from scipy.ndimage. The tests hold the printed values; they
never need Python.
"""
import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

TOWN = "tests/SatSR.Tests/Fixtures/cbers2b_pan_town_256.tif"
EDGE = "samples/cbers2b_pan_edge_512.tif"


def ssim(x, y, data_range=255.0):
    return structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=data_range)


def psnr(x, y, data_range=255.0):
    return peak_signal_noise_ratio(x, y, data_range=data_range)


def round_half_up(v):
    # SatSR rounds half away from zero; numpy's round is half to even. Values here are positive.
    return np.floor(v + 0.5)


def area(hr, s):
    h, w = hr.shape
    return hr.reshape(h // s, s, w // s, s).mean(axis=(1, 3))


def mtf(hr, s, gain=0.3):
    # Gaussian with MTF gain `gain` at the coarse Nyquist 1/(2s): sigma = s/pi * sqrt(-2 ln gain). Sampled at the
    # block centres (half-way between fine pixels for even s): an even-length kernel at half-pixel offsets, cut at 4 sigma.
    sigma = s / np.pi * np.sqrt(-2 * np.log(gain))
    r = int(np.ceil(4 * sigma))
    offsets = np.arange(2 * r) - r + 0.5
    k = np.exp(-offsets ** 2 / (2 * sigma ** 2))
    k /= k.sum()
    blurred = ndimage.correlate1d(ndimage.correlate1d(hr, k, axis=0, mode="nearest"), k, axis=1, mode="nearest")
    return blurred[s // 2::s, s // 2::s], sigma


def upsample(lr, s, method):
    # PIL's resampler clips its kernel at the image edge and renormalises; padding by replication and resizing the
    # inner box gives edge replication instead, as SatSR does.
    pad = 3
    padded = np.pad(lr, pad, mode="edge").astype(np.float32)
    h, w = lr.shape
    image = Image.fromarray(padded, mode="F")
    out = image.resize((w * s, h * s), method, box=(pad, pad, pad + w, pad + h))
    return np.asarray(out, dtype=np.float64)


def load(path):
    return np.asarray(Image.open(path), dtype=np.float64)


def main():
    town = load(TOWN)
    rows, cols = np.indices(town.shape)
    shifted = town[:, np.maximum(np.arange(town.shape[1]) - 1, 0)]
    noisy = np.clip(town + (7 * rows + 13 * cols) % 11 - 5, 0, 255)
    print("# SSIM / PSNR of the town crop against a copy shifted one column right (first column repeated)")
    print(f"shifted: ssim={ssim(town, shifted):.10f} psnr={psnr(town, shifted):.10f}")
    print("# ... and against town + ((7r + 13c) mod 11) - 5, clipped to 0..255")
    print(f"noisy:   ssim={ssim(town, noisy):.10f} psnr={psnr(town, noisy):.10f}")

    lr = area(town[:32, :32], 4)
    print("# Unrounded upsampling x4 of the 8x8 area mean of the town's top-left 32x32, pixels (row, col)")
    for name, method in (("bicubic", Image.BICUBIC), ("lanczos", Image.LANCZOS)):
        up = upsample(lr, 4, method)
        picks = [(0, 0), (3, 17), (16, 16), (31, 5), (22, 29)]
        print(f"{name}: " + ", ".join(f"({r},{c})={up[r, c]:.6f}" for r, c in picks))

    edge = load(EDGE)
    x, y, w, h = 320, 64, 128, 128
    hr = edge[y:y + h, x:x + w]
    for degradation in ("area", "mtf"):
        if degradation == "area":
            low, sigma = area(hr, 4), None
        else:
            low, sigma = mtf(hr, 4)
        low = round_half_up(low)
        line = f"eval {EDGE} --region {x},{y},{w},{h} --degradation {degradation}"
        if sigma is not None:
            line += f" (sigma {sigma:.6f})"
        print("# " + line)
        for name, method in (("bicubic", Image.BICUBIC), ("lanczos", Image.LANCZOS)):
            up = np.clip(round_half_up(upsample(low, 4, method)), 0, 255)
            print(f"{degradation} {name}: psnr={psnr(hr, up):.10f} ssim={ssim(hr, up):.10f}")


if __name__ == "__main__":
    main()
