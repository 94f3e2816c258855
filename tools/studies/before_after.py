#!/usr/bin/python3
"""Before/after picture of `satsr train`'s held-out window: HR | bicubic | base model | fine-tuned, side by side.

Usage: /usr/bin/python3 tools/studies/before_after.py HR.tif BASE.pth TUNED.pth OUT.png [--window x,y,w,h] [--show x,y,w,h]
                                              [--weights params_ema|params]
  --window: the held-out validation window (default 0,2530,2952,280, the CBERS benchmark's strip);
  --show:   the part of it drawn, relative to the window (default 1100,0,400,280);
  --weights: which of TUNED.pth's state dicts to run (default params_ema, the EMA `satsr train` validates).
Recomputes what the trainer's validation scores, independently, in Debian's PyTorch (python3-torch, python3-gdal):
the window /255 (8-bit), block-averaged by 4, super-resolved (the pan band replicated to RGB and the output averaged
back, as inference does) or bicubic-upsampled, and prints PSNR over the whole window's valid (non-0) pixels and over
the part drawn. Panels are 8-bit grey at 1:1, 4 px of white between them.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from osgeo import gdal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_model_fixtures import SRVGGNetCompact  # noqa: E402


def window(text):
    return tuple(int(v) for v in text.split(","))


def load(path, key="params_ema"):
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    state = checkpoint.get(key, checkpoint.get("params", checkpoint))
    feat = state["body.0.weight"].shape[0]
    # body: conv, PReLU, (conv, PReLU) × num_conv, conv: 2·num_conv + 3 weights.
    convs = (len([k for k in state if k.startswith("body.") and k.endswith(".weight")]) - 3) // 2
    net = SRVGGNetCompact(num_feat=feat, num_conv=convs, upscale=4)
    net.load_state_dict(state, strict=True)
    return net.eval()


def psnr(estimate, reference, valid):
    mse = float(((estimate.clip(0, 1) - reference) ** 2)[valid].mean())
    return 10 * np.log10(1 / mse)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("hr")
    p.add_argument("base")
    p.add_argument("tuned")
    p.add_argument("out")
    p.add_argument("--window", type=window, default=(0, 2530, 2952, 280))
    p.add_argument("--show", type=window, default=(1100, 0, 400, 280))
    p.add_argument("--weights", choices=("params_ema", "params"), default="params_ema")
    a = p.parse_args()
    torch.set_num_threads(2)

    x, y, w, h = a.window
    w, h = w // 4 * 4, h // 4 * 4
    gdal.UseExceptions()
    source = gdal.Open(a.hr)  # held while its band is read: a band outliving its dataset crashes GDAL's bindings
    hr = source.GetRasterBand(1).ReadAsArray(x, y, w, h).astype(np.float32) / 255
    valid = hr > 0
    lr = F.avg_pool2d(torch.from_numpy(hr)[None, None], 4)
    results = {"bicubic": F.interpolate(lr, scale_factor=4, mode="bicubic", align_corners=False)[0, 0].numpy()}
    with torch.no_grad():
        for name, path, key in (("base", a.base, "params_ema"), ("fine-tuned", a.tuned, a.weights)):
            results[name] = load(path, key)(lr.expand(1, 3, -1, -1)).mean(1)[0].numpy()

    sx, sy, sw, sh = a.show
    part = (slice(sy, sy + sh), slice(sx, sx + sw))
    for name, image in results.items():
        print(f"{name:10s} PSNR window {psnr(image, hr, valid):.2f} dB, drawn part {psnr(image[part], hr[part], valid[part]):.2f} dB")

    gap = 4
    panels = [hr] + list(results.values())
    canvas = np.full((sh, len(panels) * (sw + gap) - gap), 255, np.uint8)
    for i, image in enumerate(panels):
        canvas[:, i * (sw + gap):i * (sw + gap) + sw] = np.round(image[part].clip(0, 1) * 255).astype(np.uint8)
    mem = gdal.GetDriverByName("MEM").Create("", canvas.shape[1], canvas.shape[0], 1, gdal.GDT_Byte)
    mem.GetRasterBand(1).WriteArray(canvas)
    gdal.GetDriverByName("PNG").CreateCopy(a.out, mem, options=["ZLEVEL=9"])
    aux = a.out + ".aux.xml"
    if os.path.exists(aux):
        os.remove(aux)


if __name__ == "__main__":
    main()
