#!/usr/bin/python3
"""Loads a .pth written by `satsr train` in PyTorch as a user would, and runs it once.

Usage: /usr/bin/python3 tools/references/check_training_export.py MODEL.pth ARCH key=value... INPUT.bin OUTPUT.bin
  ARCH: SRVGGNetCompact (num_feat, num_conv, upscale) or RRDBNet (num_feat, num_block, num_grow_ch, scale);
  INPUT.bin: raw float32 [1, 3, H, W] with H=W given as size=N; OUTPUT.bin: the network's output, raw float32.
torch.load(weights_only=True) refuses anything but tensors and plain containers; load_state_dict(strict=True)
refuses missing or extra keys and wrong shapes, for both 'params_ema' and 'params'. The networks are
tools/fixtures/make_model_fixtures.py's, written from Real-ESRGAN's / BasicSR's definitions with the official names.
Needs Debian's python3-torch.
"""
import os
import sys

import numpy as np
import torch


here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "..", "fixtures")]  # the tests copy both files into one folder
# The official architectures, as the model fixtures are made with them (one definition for both tools).
from make_model_fixtures import RRDBNet, SRVGGNetCompact  # noqa: E402


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
