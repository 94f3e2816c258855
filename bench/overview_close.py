#!/usr/bin/python3
"""Where GDAL 3.6 compresses an overview's cached blocks: a 2× overview of FILE's first band is written through the
overview's dataset in block rows (as SatSR's writers do) into a new tiled DEFLATE GeoTIFF with NUM_THREADS=ALL_CPUS,
then either closed at once (GDAL compresses the cached blocks at the close) or flushed first; wall and CPU time of the
step that compresses, each way.

    bench/overview_close.py FILE
"""
import os
import sys
import tempfile
import time

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
source = gdal.Open(sys.argv[1])
level = np.ascontiguousarray(source.GetRasterBand(1).ReadAsArray())
source = None
height, width = level.shape
for way in ("close", "flush, then close"):
    path = os.path.join(tempfile.mkdtemp(), "o.tif")
    ds = gdal.GetDriverByName("GTiff").Create(path, width * 2, height * 2, 1, gdal.GDT_Byte, [
        "TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "PREDICTOR=2", "NUM_THREADS=ALL_CPUS"])
    ds.BuildOverviews("NONE", [2])
    overview = ds.GetRasterBand(1).GetOverview(0).GetDataset()
    for row in range(0, height, 512):
        rows = np.ascontiguousarray(level[row:row + 512])
        overview.WriteRaster(0, row, width, rows.shape[0], rows.tobytes(), band_list=[1])
    wall, cpu = time.perf_counter(), time.process_time()
    if way != "close":
        overview.FlushCache()
    overview = None
    ds = None
    print(f"{way}: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU for {level.size / 1e6:.1f} MP")
    os.remove(path)
    os.rmdir(os.path.dirname(path))
