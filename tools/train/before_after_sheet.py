#!/usr/bin/python3
"""One picture of the default model per source: HR | bicubic | realesr-general-x4v3 | the default, at ×4 (area): the
default is satsr-sat-x4; with SCALE=2 in the environment, at ×2, satsr-sat-x2 (the default there).

Usage: [SCALE=2] /usr/bin/python3 tools/train/before_after_sheet.py DATA_DIR OUT.png [SIDE]
For each source's test window (docs/MODELS.md) the SIDE×SIDE HR pixels at its centre (default 128; the whole image
when smaller) are block-averaged by the scale into an LR GeoTIFF of the same type and nodata, enlarged by GDAL's cubic
and super-resolved by `./satsr upscale --scale S` with each model; rows are sources, panels 1:1, 4 px of white between them.
Multi-band data shows its first three bands as RGB; data other than 8-bit is stretched between the HR crop's 1st and
99th percentiles (all panels of a row share the stretch). Needs Debian's python3-gdal and numpy.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from osgeo import gdal

gdal.UseExceptions()
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = [  # name, file, test window (x, y, w, h) as in tools/train/score-models
    ("cbers-hrc", "cbers2b_hrc_pan_2p5m.tif", (0, 2104, 2954, 706)),
    ("cbers-ccd", "cbers_rgb342_20m.tif", (0, 752, 875, 257)),
    ("landsat7", "landsat7_etm_6band.tif", (0, 264, 349, 88)),
    ("berlin", "berlin_ortho_rgb_0p25m.tif", (0, 712, 1363, 238)),
    ("landsat5-b4", "landsat5_b4_nodata255.tif", (0, 0, 101, 101)),
    ("landsat8-b4", "landsat8_b4_int16_nodata.tif", (0, 0, 41, 41)),
    ("landsat8-b8", "landsat8_b8_pan_int16_nodata.tif", (0, 0, 82, 82)),
]
SCALE = int(os.environ.get("SCALE", "4"))
MODELS = ["realesr-general-x4v3", "satsr-sat-x4" if SCALE == 4 else "satsr-sat-x2"]


def crop(path, window, side):
    x, y, w, h = window
    cw, ch = min(side, w) // 4 * 4, min(side, h) // 4 * 4
    cx, cy = x + (w - cw) // 2, y + (h - ch) // 2
    ds = gdal.Open(path)
    bands = [b for b in range(1, ds.RasterCount + 1)
             if ds.GetRasterBand(b).GetColorInterpretation() != gdal.GCI_AlphaBand][:3]
    data = np.stack([ds.GetRasterBand(b).ReadAsArray(cx, cy, cw, ch).astype(np.float64) for b in bands])
    return ds, bands, data


def write_lr(ds, bands, hr, path):
    c, h, w = hr.shape
    lr = hr.reshape(c, h // SCALE, SCALE, w // SCALE, SCALE).mean(axis=(2, 4))
    kind = ds.GetRasterBand(1).DataType
    if kind != gdal.GDT_Float32:
        lr = np.rint(lr)
    out = gdal.GetDriverByName("GTiff").Create(path, w // SCALE, h // SCALE, c, kind)
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    for i in range(c):
        band = out.GetRasterBand(i + 1)
        band.WriteArray(lr[i])
        if nodata is not None:
            band.SetNoDataValue(nodata)
    out = None


def read(path):
    ds = gdal.Open(path)
    return np.stack([ds.GetRasterBand(b).ReadAsArray().astype(np.float64) for b in range(1, ds.RasterCount + 1)])


def to_rgb8(data, low, high):
    scaled = np.clip((data - low) / max(high - low, 1e-9) * 255, 0, 255).astype(np.uint8)
    return np.repeat(scaled, 3, axis=0) if scaled.shape[0] == 1 else scaled


def main():
    data_dir, out_png = sys.argv[1], sys.argv[2]
    side = int(sys.argv[3]) if len(sys.argv) > 3 else 128
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, file, window in SOURCES:
            ds, bands, hr = crop(os.path.join(data_dir, file), window, side)
            lr_path = os.path.join(work, name + ".lr.tif")
            write_lr(ds, bands, hr, lr_path)
            c, h, w = hr.shape
            cubic = os.path.join(work, name + ".cubic.tif")
            gdal.Translate(cubic, lr_path, width=w, height=h, resampleAlg="cubic")
            panels = [hr, read(cubic)]
            for model in MODELS:
                out = os.path.join(work, f"{name}.{model}.tif")
                subprocess.run([os.path.join(ROOT, "satsr"), "upscale", lr_path, out, "--model", model, "--scale", str(SCALE), "--overviews", "none"],
                               check=True, stdout=subprocess.DEVNULL)
                panels.append(read(out))
            eight = ds.GetRasterBand(1).DataType == gdal.GDT_Byte
            low, high = (0, 255) if eight else np.percentile(hr, [1, 99])
            rows.append([to_rgb8(p, low, high) for p in panels])
    gap = 4
    width = max(sum(p.shape[2] for p in r) + gap * (len(r) - 1) for r in rows)
    height = sum(r[0].shape[1] for r in rows) + gap * (len(rows) - 1)
    sheet = np.full((3, height, width), 255, np.uint8)
    y = 0
    for r in rows:
        x = 0
        for p in r:
            sheet[:, y:y + p.shape[1], x:x + p.shape[2]] = p
            x += p.shape[2] + gap
        y += r[0].shape[1] + gap
    mem = gdal.GetDriverByName("MEM").Create("", width, height, 3, gdal.GDT_Byte)
    for i in range(3):
        mem.GetRasterBand(i + 1).WriteArray(sheet[i])
    gdal.GetDriverByName("PNG").CreateCopy(out_png, mem)
    print(f"wrote {out_png}: rows {', '.join(s[0] for s in SOURCES)}; columns HR, bicubic, {', '.join(MODELS)}; ×{SCALE}")


if __name__ == "__main__":
    main()
