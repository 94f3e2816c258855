#!/usr/bin/python3
"""Compares the weights of two ONNX graphs, initializer by initializer (by name, values in order: converters differ in
how they shape a PReLU's slopes): prints how many are bit-identical, the largest absolute difference, and exits 1
unless every weight of the first is in the second with as many values and the same bits.

    tools/train/same_weights.py A.onnx B.onnx
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def weights(path):
    return {t.name: numpy_helper.to_array(t).ravel() for t in onnx.load(path).graph.initializer}


a, b = weights(sys.argv[1]), weights(sys.argv[2])
same, largest, missing = 0, 0.0, []
for name, x in a.items():
    y = b.get(name)
    if y is None or y.shape != x.shape:
        missing.append(name)
        continue
    if x.tobytes() == y.tobytes():
        same += 1
    largest = max(largest, float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0)
print(f"{same} of {len(a)} weight tensors bit-identical ({sum(x.size for x in a.values()):,} values); largest difference {largest:.3g}"
      + (f"; missing or of another size in {sys.argv[2]}: {', '.join(missing)}" if missing else ""))
sys.exit(0 if same == len(a) and not missing else 1)
