#!/usr/bin/python3
"""Loads a .pth written by `satsr train` in PyTorch as a user would, and runs it once.

Usage: /usr/bin/python3 tools/check_training_export.py MODEL.pth ARCH key=value... INPUT.bin OUTPUT.bin
  ARCH: SRVGGNetCompact (num_feat, num_conv, upscale) or RRDBNet (num_feat, num_block, num_grow_ch, scale);
  INPUT.bin: raw float32 [1, 3, H, W] with H=W given as size=N; OUTPUT.bin: the network's output, raw float32.
torch.load(weights_only=True) refuses anything but tensors and plain containers; load_state_dict(strict=True)
refuses missing or extra keys and wrong shapes, for both 'params_ema' and 'params'. The networks are written
from Real-ESRGAN's / BasicSR's definitions with the official names (as tools/make_model_fixtures.py does).
Needs Debian's python3-torch.
"""
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SRVGGNetCompact(nn.Module):
    def __init__(self, num_feat, num_conv, upscale, num_in_ch=3, num_out_ch=3):
        super().__init__()
        self.upscale = upscale
        self.body = nn.ModuleList([nn.Conv2d(num_in_ch, num_feat, 3, 1, 1), nn.PReLU(num_parameters=num_feat)])
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(nn.PReLU(num_parameters=num_feat))
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        return F.pixel_shuffle(out, self.upscale) + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


class RDB(nn.Module):
    def __init__(self, f, g):
        super().__init__()
        for i in range(1, 5):
            setattr(self, f"conv{i}", nn.Conv2d(f + (i - 1) * g, g, 3, 1, 1))
        self.conv5 = nn.Conv2d(f + 4 * g, f, 3, 1, 1)

    def forward(self, x):
        feats = [x]
        for i in range(1, 5):
            feats.append(F.leaky_relu(getattr(self, f"conv{i}")(torch.cat(feats, 1)), 0.2))
        return self.conv5(torch.cat(feats, 1)) * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, f, g):
        super().__init__()
        self.rdb1, self.rdb2, self.rdb3 = RDB(f, g), RDB(f, g), RDB(f, g)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, num_feat, num_block, num_grow_ch, scale, num_in_ch=3, num_out_ch=3):
        super().__init__()
        self.unshuffle = {4: 1, 2: 2, 1: 4}[scale]
        self.conv_first = nn.Conv2d(num_in_ch * self.unshuffle ** 2, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)

    def forward(self, x):
        if self.unshuffle > 1:
            x = F.pixel_unshuffle(x, self.unshuffle)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


def main():
    path, arch, *rest = sys.argv[1:]
    params = dict(a.split("=") for a in rest[:-2])
    size = int(params.pop("size"))
    net = {"SRVGGNetCompact": SRVGGNetCompact, "RRDBNet": RRDBNet}[arch](**{k: int(v) for k, v in params.items()})
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    assert set(checkpoint) == {"params_ema", "params"}, f"top-level keys {sorted(checkpoint)}"
    net.load_state_dict(checkpoint["params"], strict=True)
    net.load_state_dict(checkpoint["params_ema"], strict=True)
    x = torch.from_numpy(np.fromfile(rest[-2], dtype="<f4").reshape(1, 3, size, size))
    with torch.no_grad():
        net(x).numpy().astype("<f4").tofile(rest[-1])


if __name__ == "__main__":
    main()
