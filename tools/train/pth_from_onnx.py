#!/usr/bin/python3
"""Writes an SRVGGNetCompact ONNX graph that SatSR wrote or ships as a .pth `satsr train --base` takes (it reads zoo
names and .pth files, not ONNX graphs): a model no longer in the zoo (an earlier satsr-sat-x4, from git history) can
then be trained on. With --x2 it derives a ×2 network from a ×4 one: the body is kept, and each ×2
sub-pixel of the last convolution is the mean of the four ×4 sub-pixels it covers. The network's own skip is the input
repeated (nearest), whose ×4 repeat averages to its ×2 repeat, so the ×2 network computes exactly the ×4 network's
output averaged over 2×2 blocks: what `satsr upscale --scale 2` made of the ×4 model, as the starting point of a ×2
fine-tuning. Writes Real-ESRGAN's checkpoint layout ({'params_ema', 'params'}).

    tools/train/pth_from_onnx.py MODEL.onnx MODEL.pth
    tools/train/pth_from_onnx.py X4.onnx X2.pth --x2
"""
import sys

import onnx
import torch
from onnx import numpy_helper

source, target = sys.argv[1], sys.argv[2]
x2 = sys.argv[3:] == ["--x2"]
weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(source).graph.initializer if t.name.startswith("body.")}
last = max(int(name.split(".")[1]) for name in weights)
w, b = weights[f"body.{last}.weight"], weights[f"body.{last}.bias"]
channels = w.shape[0] // 16
if x2 and channels * 16 != w.shape[0]:
    sys.exit(f"pth_from_onnx: {source}: the last convolution has {w.shape[0]} outputs, not 16 per channel (×4)")
# PixelShuffle(4) puts output channel c·16 + dy·4 + dx at (4y + dy, 4x + dx); with dy = 2i + a and dx = 2j + b, the ×2
# sub-pixel (i, j) averages a, b (axes 2 and 4 below), and PixelShuffle(2) reads it from channel c·4 + i·2 + j.
if x2:
    weights[f"body.{last}.weight"] = w.reshape(channels, 2, 2, 2, 2, *w.shape[1:]).mean(axis=(2, 4)).reshape(channels * 4, *w.shape[1:])
    weights[f"body.{last}.bias"] = b.reshape(channels, 2, 2, 2, 2).mean(axis=(2, 4)).reshape(channels * 4)
# PReLU slopes: SatSR's graphs hold them as [C, 1, 1], torch's state_dict as [C].
state = {name: torch.tensor(a.reshape(a.shape[0]) if a.ndim == 3 and a.shape[1:] == (1, 1) else a)
         for name, a in weights.items()}
torch.save({"params_ema": state, "params": state}, target)
print(f"wrote {target}: {'×2 from ' if x2 else ''}{source} ({sum(t.numel() for t in state.values()):,} parameters)")
