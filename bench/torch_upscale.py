#!/usr/bin/python3
"""The PyTorch reference run for the throughput benchmark: Real-ESRGAN's official architectures (tools/fixtures/make_model_fixtures.py)
in Debian's PyTorch, fp32 on the CPU, end to end like `satsr upscale` with default options: read the GeoTIFF with GDAL,
scale 8-bit to 0..1, a 1-band image replicated to RGB and the output averaged back (as SatSR does), the whole image in one
forward pass (inference_realesrgan.py's default, --tile 0), rounded to 8 bits, written as a GeoTIFF with SatSR's creation
options and scaled georeference, and the same overview levels built (average).

    bench/torch_upscale.py IN.tif OUT.tif MODEL.pth srvgg|rrdb THREADS
"""
import os
import sys

import numpy as np
import torch
from osgeo import gdal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "fixtures"))
from make_model_fixtures import RRDBNet, SRVGGNetCompact  # noqa: E402


def main(src_path, out_path, weights, arch, threads):
    torch.set_num_threads(int(threads))
    gdal.UseExceptions()
    src = gdal.Open(src_path)
    bands = src.RasterCount
    image = np.stack([src.GetRasterBand(b + 1).ReadAsArray() for b in range(bands)]).astype(np.float32) / 255.0
    state = torch.load(weights, map_location="cpu")
    state = state.get("params_ema", state.get("params", state))
    model = SRVGGNetCompact(3, 3, num_feat=64, num_conv=32, upscale=4) if arch == "srvgg" else RRDBNet(3, 3, scale=4, num_feat=64, num_block=23, num_grow_ch=32)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = torch.from_numpy(np.repeat(image, 3, axis=0) if bands == 1 else image[:3]).unsqueeze(0)
    with torch.no_grad():
        y = model(x)[0].numpy()
    y = y.mean(axis=0, keepdims=True) if bands == 1 else y
    out = np.clip(np.round(y * 255.0), 0, 255).astype(np.uint8)

    h, w = out.shape[1:]
    dst = gdal.GetDriverByName("GTiff").Create(out_path, w, h, out.shape[0], gdal.GDT_Byte,
                                               ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "PREDICTOR=2",
                                                "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS"])
    gt = src.GetGeoTransform()
    dst.SetGeoTransform((gt[0], gt[1] / 4, gt[2] / 4, gt[3], gt[4] / 4, gt[5] / 4))
    dst.SetProjection(src.GetProjection())
    for b in range(out.shape[0]):
        dst.GetRasterBand(b + 1).WriteArray(out[b])
    levels, f = [], 2
    while max(w, h) > 256 * (f // 2):
        levels.append(f); f *= 2
    dst.BuildOverviews("AVERAGE", levels)
    dst = None


if __name__ == "__main__":
    main(*sys.argv[1:])
