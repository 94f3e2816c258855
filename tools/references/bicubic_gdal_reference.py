#!/usr/bin/python3
"""Bicubic-baseline PSNR of `satsr eval` on a region, computed independently of SatSR with GDAL's cubic resampling.

Debian 12: apt-get install python3-gdal; run from the repository root:
    /usr/bin/python3 tools/references/bicubic_gdal_reference.py samples/cbers2b_pan_edge_512.tif X Y W H
The region (whole 4×4 blocks, all valid) is block-averaged ×4 and stored as Byte (rounded half up, a valid value never
0), enlarged ×4 by GDAL's cubic kernel (Keys, a = −0.5) with edges replicated, rounded to Byte, and compared with the
region: PSNR with peak 255. For 320 64 128 128 it prints tools/references/quality_reference.py's PIL figure, 35.5464881363.
"""
import sys

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
S = 4


def main():
    path, x, y, w, h = sys.argv[1], *map(int, sys.argv[2:6])
    hr = gdal.Open(path).ReadAsArray(x, y, w, h).astype(np.float64)
    lw, lh = w // S, h // S
    lr = np.maximum(np.floor(hr.reshape(lh, S, lw, S).mean(axis=(1, 3)) + 0.5), 1)
    # GDAL's resampled read uses the pixels around the source window: padding by replication gives SatSR's edges.
    pad = 3
    padded = np.pad(lr, pad, mode="edge").astype(np.float32)
    src = gdal.GetDriverByName("MEM").Create("", padded.shape[1], padded.shape[0], 1, gdal.GDT_Float32)
    src.GetRasterBand(1).WriteArray(padded)
    up = gdal.Translate("", src, format="MEM", srcWin=[pad, pad, lw, lh], width=w, height=h, resampleAlg="cubic",
                        outputType=gdal.GDT_Float32).ReadAsArray().astype(np.float64)
    up = np.clip(np.floor(up + 0.5), 0, 255)
    print(f"{10 * np.log10(255 ** 2 / np.mean((hr - up) ** 2)):.10f}")


if __name__ == "__main__":
    main()
