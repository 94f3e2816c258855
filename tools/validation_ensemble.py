#!/usr/bin/python3
"""Would a geometric self-ensemble lift `satsr train`'s held-out score? Scores bicubic, a base and a tuned
SRVGGNetCompact on the CBERS benchmark strip (0,2530,2952,280) as the trainer validates it (the strip's HR
area-averaged by 4, super-resolved alone), plain and as the mean of the 8 flips/transposes of the input mapped back
(what `upscale --tta` does). Debian's python3-torch and python3-gdal.

Usage: /usr/bin/python3 tools/validation_ensemble.py HR.tif BASE.pth TUNED.pth
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from osgeo import gdal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from before_after import load, psnr  # noqa: E402


def ensemble(net, rgb):
    outputs = []
    for t in range(8):
        a = rgb
        if t & 1: a = a.flip(-1)
        if t & 2: a = a.flip(-2)
        if t & 4: a = a.transpose(-1, -2)
        o = net(a.contiguous())
        if t & 4: o = o.transpose(-1, -2)
        if t & 2: o = o.flip(-2)
        if t & 1: o = o.flip(-1)
        outputs.append(o.mean(1)[0])
    return torch.stack(outputs).mean(0).numpy()


def main():
    hr_path, base, tuned = sys.argv[1:4]
    torch.set_num_threads(2)
    gdal.UseExceptions()
    source = gdal.Open(hr_path)  # held while its band is read
    hr = source.GetRasterBand(1).ReadAsArray(0, 2530, 2952, 280).astype(np.float32) / 255
    valid = hr > 0
    lr = F.avg_pool2d(torch.from_numpy(hr)[None, None], 4)
    bicubic = F.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False)[0, 0].numpy()
    print(f"bicubic {psnr(bicubic, hr, valid):.2f} dB")
    with torch.no_grad():
        for name, path in (("base", base), ("tuned", tuned)):
            net = load(path)
            rgb = lr.expand(1, 3, -1, -1).contiguous()
            plain = net(rgb).mean(1)[0].numpy()
            print(f"{name} plain {psnr(plain, hr, valid):.2f} dB, 8-fold ensemble {psnr(ensemble(net, rgb), hr, valid):.2f} dB")


if __name__ == "__main__":
    main()
