#!/usr/bin/python3
"""Writes the .pth fixtures and PyTorch reference outputs under tests/SatSR.Tests/Fixtures/models/pth/.

Run with Debian's python3-torch (1.13): /usr/bin/python3 tools/make_model_fixtures.py
The networks below are written from the published architecture descriptions (BasicSR's RRDBNet and
Real-ESRGAN's SRVGGNetCompact) with the official state_dict key names, so a checkpoint saved here has the
same layout as the released ones. Weights are seeded and small, so activations stay near 0..1.

For each variant: NAME.pth, NAME.input.bin and NAME.output.bin (raw little-endian float32, NCHW) and
NAME.json (shapes, scale, hyper-parameters, how it was saved).
"""
import io
import json
import os
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "SatSR.Tests", "Fixtures", "models", "pth")


def conv(cin, cout):
    return nn.Conv2d(cin, cout, 3, 1, 1)


class ResidualDenseBlock(nn.Module):
    def __init__(self, feat, grow):
        super().__init__()
        for i in range(1, 5):
            setattr(self, f"conv{i}", conv(feat + (i - 1) * grow, grow))
        self.conv5 = conv(feat + 4 * grow, feat)

    def forward(self, x):
        features = [x]
        for i in range(1, 5):
            features.append(F.leaky_relu(getattr(self, f"conv{i}")(torch.cat(features, 1)), 0.2))
        return self.conv5(torch.cat(features, 1)) * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, feat, grow):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(feat, grow)
        self.rdb2 = ResidualDenseBlock(feat, grow)
        self.rdb3 = ResidualDenseBlock(feat, grow)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """×4 directly; ×2 and ×1 pixel-unshuffle the input by 2 and 4 first (RealESRGAN_x2plus)."""

    def __init__(self, in_ch=3, out_ch=3, scale=4, num_feat=64, num_block=23, num_grow_ch=32):
        super().__init__()
        self.unshuffle = {4: 1, 2: 2, 1: 4}[scale]
        self.conv_first = conv(in_ch * self.unshuffle ** 2, num_feat)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = conv(num_feat, num_feat)
        self.conv_up1 = conv(num_feat, num_feat)
        self.conv_up2 = conv(num_feat, num_feat)
        self.conv_hr = conv(num_feat, num_feat)
        self.conv_last = conv(num_feat, out_ch)

    def forward(self, x):
        if self.unshuffle > 1:
            x = F.pixel_unshuffle(x, self.unshuffle)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


class SRVGGNetCompact(nn.Module):
    """body = conv, PReLU, (conv, PReLU) × num_conv, conv to out·upscale²; PixelShuffle; + nearest-upsampled input."""

    def __init__(self, in_ch=3, out_ch=3, num_feat=64, num_conv=16, upscale=4):
        super().__init__()
        self.upscale = upscale
        layers = [conv(in_ch, num_feat), nn.PReLU(num_feat)]
        for _ in range(num_conv):
            layers += [conv(num_feat, num_feat), nn.PReLU(num_feat)]
        layers.append(conv(num_feat, out_ch * upscale * upscale))
        self.body = nn.ModuleList(layers)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        return F.pixel_shuffle(out, self.upscale) + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


def randomise(model, seed):
    """Seeded weights, scaled to keep activations of these tiny untrained nets in a sane range."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 4:
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                p.copy_(torch.randn(p.shape, generator=g) * (1.0 / fan_in) ** 0.5)
            elif name.endswith(".bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
            else:  # PReLU slopes
                p.copy_(0.1 + 0.2 * torch.rand(p.shape, generator=g))
    return model


def write(name, model, hyper, saving, seed):
    sd = model.state_dict()
    if saving["dtype"] == "float16":
        sd = OrderedDict((k, v.half()) for k, v in sd.items())
        # The reference runs in fp32 on exactly the fp16-rounded weights that the file holds.
        model.load_state_dict(OrderedDict((k, v.float()) for k, v in sd.items()), strict=True)
    if saving.get("prefix"):
        sd = OrderedDict((saving["prefix"] + k, v) for k, v in sd.items())
    wrapper = saving["wrapper"]
    obj = sd if wrapper is None else {wrapper: sd}
    path = os.path.join(OUT, name + ".pth")
    if saving.get("archive"):
        buffer = io.BytesIO()  # saving to a buffer names the zip folder "archive/"
        torch.save(obj, buffer)
        with open(path, "wb") as f:
            f.write(buffer.getvalue())
    else:
        torch.save(obj, path)  # the zip folder is the file's stem

    x = torch.rand((1, 3, 12, 16), generator=torch.Generator().manual_seed(seed + 1000))
    with torch.no_grad():
        y = model(x)
    x.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(OUT, name + ".output.bin"))
    meta = dict(hyper, file=name + ".pth", input_shape=list(x.shape), output_shape=list(y.shape),
                parameters=sum(p.numel() for p in model.parameters()), saved=saving,
                output_min=float(y.min()), output_max=float(y.max()))
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(f"{name}: output {tuple(y.shape)} range {y.min():.3f}..{y.max():.3f}")


def tensors_fixture():
    """Dtypes, a view with a storage offset, a transposed (non-contiguous) tensor, a scalar: for the reader alone."""
    base = torch.arange(12, dtype=torch.float32)
    sd = OrderedDict()
    sd["f32"] = base.reshape(3, 4)
    sd["f16"] = (base.reshape(3, 4) / 8).half()
    sd["f64"] = (base.reshape(3, 4) / 3).double()
    sd["bf16"] = (base.reshape(3, 4) / 4).bfloat16()
    sd["offset"] = base[5:9]
    sd["transposed"] = base.reshape(3, 4).t()
    sd["scalar"] = torch.tensor(2.5)
    torch.save({"params_ema": sd, "epoch": 7}, os.path.join(OUT, "tensors.pth"))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    rrdb = [
        ("rrdbnet_x4", dict(scale=4, num_block=1, num_feat=8, num_grow_ch=4), dict(wrapper="params_ema", dtype="float32")),
        ("rrdbnet_x2", dict(scale=2, num_block=2, num_feat=16, num_grow_ch=8), dict(wrapper="params", dtype="float32", archive=True)),
        ("rrdbnet_x1", dict(scale=1, num_block=1, num_feat=8, num_grow_ch=8), dict(wrapper=None, dtype="float32")),
    ]
    for seed, (name, hyper, saving) in enumerate(rrdb):
        model = randomise(RRDBNet(**hyper), seed).eval()
        write(name, model, dict(hyper, arch="RRDBNet"), saving, seed)
    srvgg = [
        ("srvgg_x4", dict(num_conv=2, num_feat=8, upscale=4), dict(wrapper="params_ema", dtype="float16")),
        ("srvgg_x2", dict(num_conv=3, num_feat=16, upscale=2), dict(wrapper="params_ema", dtype="float32")),
        ("srvgg_x3", dict(num_conv=1, num_feat=4, upscale=3), dict(wrapper="state_dict", dtype="float32", prefix="module.")),
    ]
    for seed, (name, hyper, saving) in enumerate(srvgg, start=10):
        model = randomise(SRVGGNetCompact(**hyper), seed).eval()
        write(name, model, dict(hyper, arch="SRVGGNetCompact", scale=hyper["upscale"]), saving, seed)
    tensors_fixture()


if __name__ == "__main__":
    main()
