#!/usr/bin/python3
"""Does the held-out strip's border hold `satsr train`'s validation score back? Scores bicubic, a base and a tuned
SRVGGNetCompact on the CBERS benchmark strip (0,2530,2952,280) four ways: the strip's LR alone (the trainer's
validation), with CONTEXT LR rows of the image above it (as `upscale` gives a tile its neighbours), each also
reflect-padded by 16 LR px instead of the network's zero padding; PSNR over the strip, over its interior (40 px in
from every side) and per band of 20 rows. Debian's python3-torch and python3-gdal.

Usage: /usr/bin/python3 tools/studies/validation_edges.py HR.tif BASE.pth TUNED.pth [CONTEXT=40]
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from before_after import load, psnr  # noqa: E402


def main():
    hr_path, base, tuned = sys.argv[1:4]
    context = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    torch.set_num_threads(2)
    x, y, w, h = 0, 2530, 2952, 280
    gdal.UseExceptions()
    source = gdal.Open(hr_path)  # held while its band is read
    full = source.GetRasterBand(1).ReadAsArray(x, y - 4 * context, w, h + 4 * context).astype(np.float32) / 255
    hr = full[4 * context:]
    valid = hr > 0
    lr_full = F.avg_pool2d(torch.from_numpy(full)[None, None], 4)
    lr = lr_full[..., context:, :]
    results = {
        "bicubic alone": F.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False)[0, 0].numpy(),
        "bicubic context": F.interpolate(lr_full, scale_factor=4, mode="bicubic", align_corners=False)[0, 0, 4 * context:].numpy(),
    }
    pad = 16
    with torch.no_grad():
        for name, path in (("base", base), ("tuned", tuned)):
            net = load(path)
            for how, source_lr, top in (("alone", lr, 0), ("context", lr_full, 4 * context)):
                rgb = source_lr.expand(1, 3, -1, -1)
                results[f"{name} {how}"] = net(rgb).mean(1)[0, top:].numpy()
                out = net(F.pad(rgb, (pad,) * 4, mode="reflect")).mean(1)[0, 4 * pad:-4 * pad, 4 * pad:-4 * pad]
                results[f"{name} {how}+reflect"] = out[top:].numpy()
    inner = (slice(40, h - 40), slice(40, w - 40))
    for name, image in results.items():
        bands = " ".join(f"{psnr(image[r:r + 20], hr[r:r + 20], valid[r:r + 20]):.1f}" for r in range(0, h, 20))
        print(f"{name:22s} strip {psnr(image, hr, valid):.2f} dB, interior {psnr(image[inner], hr[inner], valid[inner]):.2f} dB; rows by 20: {bands}")


if __name__ == "__main__":
    main()
