#!/usr/bin/python3
"""PyTorch's answer for RealESRGAN_x4plus.pth on a seeded input, for comparing SatSR's ONNX graph of it (docs/MODELS.md).

    /usr/bin/python3 tools/references/check_x4plus.py /path/RealESRGAN_x4plus.pth /tmp/x4plus

loads the checkpoint strictly into this repo's own RRDBNet (tools/fixtures/make_model_fixtures.py) and writes
input.bin (1×3×32×32, torch.rand with seed 0) and output.bin (1×3×128×128), raw little-endian float32 NCHW.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_model_fixtures import RRDBNet  # noqa: E402


def main(checkpoint, out):
    os.makedirs(out, exist_ok=True)
    state = torch.load(checkpoint, map_location="cpu")
    state = state.get("params_ema", state.get("params", state))
    model = RRDBNet(3, 3, scale=4, num_feat=64, num_block=23, num_grow_ch=32)
    model.load_state_dict(state, strict=True)
    model.eval()
    x = torch.rand((1, 3, 32, 32), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = model(x)
    x.numpy().astype("<f4").tofile(os.path.join(out, "input.bin"))
    y.numpy().astype("<f4").tofile(os.path.join(out, "output.bin"))
    print(f"{sum(p.numel() for p in model.parameters())} parameters; output {tuple(y.shape)} range {y.min():.4f}..{y.max():.4f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
