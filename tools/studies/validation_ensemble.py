#!/usr/bin/python3
"""Would a geometric self-ensemble or the consistency projection lift `satsr train`'s held-out score? Scores bicubic,
a base and a tuned SRVGGNetCompact on the CBERS benchmark strip (0,2530,2952,280) as the trainer validates it (the
strip's HR area-averaged by 4, super-resolved alone): plain, as the mean of the 8 flips/transposes of the input mapped
back (what `upscale --tta` does), and each projected onto the images that area-average back to the input (what
`upscale --consistency` does to a band's prediction: the residual input − average added over each 4×4 block). The HR
itself averages back to this input, so the projection can only move an estimate closer to it (in L2, before the
clip to 0..1 that PSNR applies). Debian's python3-torch and python3-gdal.

Usage: /usr/bin/python3 tools/studies/validation_ensemble.py HR.tif BASE.pth TUNED.pth
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


def held_out(hr_path):
    """The benchmark strip's HR (0..1), its valid (non-0) pixels, its LR (block means by 4) and that LR bicubic-upsampled."""
    torch.set_num_threads(2)
    gdal.UseExceptions()
    source = gdal.Open(hr_path)  # held while its band is read
    hr = source.GetRasterBand(1).ReadAsArray(0, 2530, 2952, 280).astype(np.float32) / 255
    lr = F.avg_pool2d(torch.from_numpy(hr)[None, None], 4)
    bicubic = F.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False)[0, 0].numpy()
    return hr, hr > 0, lr, bicubic


def project(estimate, lr):
    """The estimate (H×W numpy) plus the residual lr − avgpool₄(estimate), repeated over each 4×4 block."""
    sr = torch.from_numpy(np.ascontiguousarray(estimate))[None, None]
    residual = lr - F.avg_pool2d(sr, 4)
    return (sr + F.interpolate(residual, scale_factor=4, mode="nearest"))[0, 0].numpy()


def main():
    hr_path, base, tuned = sys.argv[1:4]
    hr, valid, lr, bicubic = held_out(hr_path)
    print(f"bicubic plain {psnr(bicubic, hr, valid):.2f} dB, projected {psnr(project(bicubic, lr), hr, valid):.2f} dB")
    with torch.no_grad():
        for name, path in (("base", base), ("tuned", tuned)):
            net = load(path)
            rgb = lr.expand(1, 3, -1, -1).contiguous()
            plain = net(rgb).mean(1)[0].numpy()
            both = ensemble(net, rgb)
            print(f"{name} plain {psnr(plain, hr, valid):.2f} dB, projected {psnr(project(plain, lr), hr, valid):.2f} dB; "
                  f"8-fold ensemble {psnr(both, hr, valid):.2f} dB, projected {psnr(project(both, lr), hr, valid):.2f} dB")


if __name__ == "__main__":
    main()
