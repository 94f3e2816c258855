#!/usr/bin/python3
"""Whether two outputs have the same pixels: size, bands, georeference, nodata and overview count must match, and the
largest absolute difference over every band and every overview level is printed (0: identical).

Usage: bench/same_pixels.py A.tif B.tif   — used for the before/after check of a refactoring (issue 32).
"""
import sys

from osgeo import gdal
import numpy as np
gdal.UseExceptions()
a, b = gdal.Open(sys.argv[1]), gdal.Open(sys.argv[2])
assert (a.RasterXSize, a.RasterYSize, a.RasterCount) == (b.RasterXSize, b.RasterYSize, b.RasterCount)
assert a.GetGeoTransform() == b.GetGeoTransform() and a.GetProjection() == b.GetProjection()
worst = 0
for i in range(1, a.RasterCount + 1):
    ba, bb = a.GetRasterBand(i), b.GetRasterBand(i)
    assert ba.GetNoDataValue() == bb.GetNoDataValue() and ba.GetOverviewCount() == bb.GetOverviewCount()
    levels = [(ba, bb)] + [(ba.GetOverview(k), bb.GetOverview(k)) for k in range(ba.GetOverviewCount())]
    for la, lb in levels:
        for y in range(0, la.YSize, 1024):
            h = min(1024, la.YSize - y)
            d = np.abs(la.ReadAsArray(0, y, la.XSize, h).astype(np.int64) - lb.ReadAsArray(0, y, lb.XSize, h).astype(np.int64)).max()
            worst = max(worst, int(d))
print(f"{a.RasterXSize}x{a.RasterYSize} bands={a.RasterCount} overviews={a.GetRasterBand(1).GetOverviewCount()} max_abs={worst}")
