#!/usr/bin/python3
"""Checks, in PyTorch, that `satsr train` exports the EMA of its weights as 'params_ema' and the raw ones as 'params'.

Usage: /usr/bin/python3 tools/references/check_ema_export.py BASE.pth ONE.pth TWO.pth DECAY
  BASE.pth: the starting weights; ONE.pth, TWO.pth: the same run stopped after one and after two steps.
With e ← d·e + (1−d)·p after each step, from e = base: after two steps e = d²·base + d(1−d)·p₁ + (1−d)·p₂, where p₁ is
ONE.pth's 'params' and p₂ TWO.pth's. Exits 1, saying why, unless TWO.pth's 'params_ema' is that within 1e-6 and its
'params' are p₂ and far enough from it (1e-4) for a swap to show. Needs Debian's python3-torch.
"""
import sys

import torch


def load(path, key):
    return torch.load(path, map_location="cpu", weights_only=True)[key]


def main():
    base_path, one_path, two_path, decay = sys.argv[1:]
    d = float(decay)
    base, p1 = load(base_path, "params"), load(one_path, "params")
    ema, p2 = load(two_path, "params_ema"), load(two_path, "params")
    worst = apart = 0.0
    for name, b in base.items():
        expected = d * d * b.double() + d * (1 - d) * p1[name].double() + (1 - d) * p2[name].double()
        worst = max(worst, (ema[name].double() - expected).abs().max().item())
        apart = max(apart, (p2[name].double() - expected).abs().max().item())
    if worst > 1e-6:
        sys.exit(f"params_ema is {worst:g} from the EMA of the raw weights")
    if apart < 1e-4:
        sys.exit(f"params is only {apart:g} from the EMA: the check cannot tell them apart")


if __name__ == "__main__":
    main()
