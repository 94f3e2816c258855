#!/usr/bin/python3
"""What encoding an output costs per codec: each FILE's full resolution (all bands) and, apart, its overview levels
are read, then written as tiled 512² GeoTIFFs with PREDICTOR=2 (SatSR's default options) in memory (/vsimem/), once
with DEFLATE at GDAL's default level (SatSR's default) and once with LZW, on one thread; CPU time (median of 3) and size.

    bench/output_codecs.py FILE [FILE ...]
"""
import sys
import time

from osgeo import gdal

gdal.UseExceptions()
driver = gdal.GetDriverByName("GTiff")
codecs = {"DEFLATE": ["COMPRESS=DEFLATE"], "LZW": ["COMPRESS=LZW"]}


def read(path):
    ds = gdal.Open(path)
    full = [ds.GetRasterBand(k + 1).ReadAsArray() for k in range(ds.RasterCount)]
    first = ds.GetRasterBand(1)
    levels = [[ds.GetRasterBand(k + 1).GetOverview(i).ReadAsArray() for k in range(ds.RasterCount)]
              for i in range(first.GetOverviewCount())]
    return full, levels, first.DataType


def write(planes, data_type, options):
    height, width = planes[0].shape
    ds = driver.Create("/vsimem/o.tif", width, height, len(planes), data_type,
                       ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "PREDICTOR=2"] + options)
    for k, plane in enumerate(planes):
        ds.GetRasterBand(k + 1).WriteArray(plane)
    ds = None
    size = gdal.VSIStatL("/vsimem/o.tif").size
    gdal.Unlink("/vsimem/o.tif")
    return size


for path in sys.argv[1:]:
    full, levels, data_type = read(path)
    for part, images in (("full resolution", [full]), ("overviews", levels)):
        if not images:
            continue
        megapixels = sum(planes[0].size for planes in images) / 1e6
        figures = []
        for name, options in codecs.items():
            times = []
            for _ in range(3):
                start = time.process_time()
                size = sum(write(planes, data_type, options) for planes in images)
                times.append(time.process_time() - start)
            figures.append(f"{name} {sorted(times)[1]:.2f} s, {size / 2**20:.2f} MiB")
        print(f"{path}, {part}, {len(full)} × {megapixels:.1f} MP {gdal.GetDataTypeName(data_type)}: " + "; ".join(figures), flush=True)
