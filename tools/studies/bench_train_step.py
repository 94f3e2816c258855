#!/usr/bin/python3
"""Times the training step `satsr train` takes, in Debian's PyTorch 1.13, for comparison with TorchSharp.

Usage: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/studies/bench_train_step.py srvgg|rrdb [BATCH] [LR_PATCH] [STEPS] [THREADS]
Defaults: srvgg = realesr-general-x4v3's shape (64 feat, 32 conv), batch 8, LR patch 32 (HR 128), as satsr train's
defaults; rrdb = RealESRGAN_x4plus's (64 feat, 23 blocks, grow 32), batch 2, LR patch 32. One step: forward, L1,
backward, Adam (lr 1e-4, betas 0.9/0.99), EMA 0.999. Prints seconds per step (median of STEPS after one warm-up).
THREADS: torch's intra-op threads (default: its own choice; Debian's 1.13 picks 1 on this 2-core VM).
`satsr train benchmark srvgg|rrdb [--batch B] [--lr-patch P] [--steps N] [--threads T]` times the same step in TorchSharp.
"""
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_model_fixtures import RRDBNet, SRVGGNetCompact  # noqa: E402

arch = sys.argv[1]
batch = int(sys.argv[2]) if len(sys.argv) > 2 else (8 if arch == "srvgg" else 2)
patch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
steps = int(sys.argv[4]) if len(sys.argv) > 4 else 5
if len(sys.argv) > 5:
    torch.set_num_threads(int(sys.argv[5]))
torch.manual_seed(0)
net = (SRVGGNetCompact(num_feat=64, num_conv=32, upscale=4) if arch == "srvgg"
       else RRDBNet(scale=4, num_feat=64, num_block=23, num_grow_ch=32))
ema = [p.detach().clone() for p in net.parameters()]
opt = torch.optim.Adam(net.parameters(), lr=1e-4, betas=(0.9, 0.99))
hr = torch.rand(batch, 3, patch * 4, patch * 4)
lr = F.avg_pool2d(hr, 4)
times = []
for i in range(steps + 1):
    start = time.perf_counter()
    loss = F.l1_loss(net(lr), hr)
    opt.zero_grad()
    loss.backward()
    opt.step()
    with torch.no_grad():
        for e, p in zip(ema, net.parameters()):
            e.mul_(0.999).add_(p, alpha=0.001)
    if i > 0:
        times.append(time.perf_counter() - start)
print(f"PyTorch {torch.__version__} {arch} batch {batch} LR {patch}² threads {torch.get_num_threads()}: {statistics.median(times):.3f} s/step")
