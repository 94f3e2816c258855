#!/usr/bin/python3
"""PSNR (peak 255) of raster B against raster A over the pixels valid in both (GDAL's masks), all bands.

Usage: bench/psnr.py A.tif B.tif   — used for docs/BENCHMARKS.md's "int8 vs fp32" figures.
"""
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()


def read(path):
    ds = gdal.Open(path)
    bands = [ds.GetRasterBand(i + 1) for i in range(ds.RasterCount)]
    values = np.stack([b.ReadAsArray().astype(np.float64) for b in bands])
    valid = np.stack([b.GetMaskBand().ReadAsArray() > 0 for b in bands])
    return values, valid


a, va = read(sys.argv[1])
b, vb = read(sys.argv[2])
if a.shape != b.shape:
    sys.exit(f"{sys.argv[2]}: shape {b.shape} differs from {sys.argv[1]}'s {a.shape}")
valid = va & vb
mse = np.mean((a[valid] - b[valid]) ** 2)
print(f"{10 * np.log10(255 ** 2 / mse):.2f} dB over {valid.sum()} values" if mse > 0 else f"identical over {valid.sum()} values")
