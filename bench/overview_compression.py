#!/usr/bin/python3
"""What compressing a GeoTIFF's overview pixels costs on their own, per DEFLATE level: each overview level of FILE is
read, then written alone as a tiled 512² GeoTIFF with DEFLATE and PREDICTOR=2 (SatSR's default options) on one thread,
in memory (/vsimem/), timed, and its size summed. Levels: 6 is GDAL's (and libtiff's) default.

    bench/overview_compression.py FILE [ROUNDS]
"""
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
path = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
source = gdal.Open(path)  # kept: a band outlives no dataset
band = source.GetRasterBand(1)
levels = [band.GetOverview(i).ReadAsArray() for i in range(band.GetOverviewCount())]
driver = gdal.GetDriverByName("GTiff")
print(f"{path}: {len(levels)} overview levels, {sum(a.size for a in levels) / 1e6:.1f} MP")
for zlevel in (6, 5, 4, 1):
    times, size = [], 0
    for _ in range(rounds):
        start, size = time.perf_counter(), 0
        for a in levels:
            ds = driver.Create("/vsimem/o.tif", a.shape[1], a.shape[0], 1, gdal.GDT_Byte,
                               ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "PREDICTOR=2", f"ZLEVEL={zlevel}"])
            ds.GetRasterBand(1).WriteArray(a)
            ds = None
            size += gdal.VSIStatL("/vsimem/o.tif").size
            gdal.Unlink("/vsimem/o.tif")
        times.append(time.perf_counter() - start)
    print(f"ZLEVEL {zlevel}: {sorted(times)[len(times) // 2]:.2f} s (median of {rounds}), {size / 2**20:.2f} MiB")
