#!/usr/bin/python3
"""Writes the hostile checkpoints under tests/SatSR.Tests/Fixtures/models/pth/hostile/, each with torch.save itself.

Run with Debian's python3-torch (1.13): /usr/bin/python3 tools/make_hostile_checkpoints.py
Nothing is ever loaded here, only saved. Each file is a real checkpoint (a params_ema state dict holding one tensor)
with one more entry whose __reduce__ is an attack, so the pickle reaches the attack after the globals every
checkpoint uses:

  global-MODULE.NAME-pP.pth  the entry calls MODULE.NAME, the way real attacks do, pickled with protocol P:
                             2 (torch.save's default: GLOBAL opcodes) or 4 (STACK_GLOBAL from strings on the stack).
                             Protocol 2 writes Python 3's builtins as __builtin__ (pickle's fix_imports).
  forged-WHAT.pth            the entry calls an allowed global (torch._utils._rebuild_tensor_v2…) with forged arguments.
  stride0-expand.pth         a 1-element storage viewed as 64×64×3×3 with strides 0 (torch.zeros(1).expand), which
                             torch.save writes as it is.
"""
import contextlib
import importlib
import os
import sys
import types
from collections import OrderedDict

import torch
import torch._utils

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "SatSR.Tests", "Fixtures", "models", "pth", "hostile")


class Call:
    """Pickles as a call of function(*args): what an attacker's __reduce__ returns."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args

    def __call__(self, *_):
        # pickle wants what a REDUCE calls to be callable, for a call whose result is called in turn (getattr's).
        raise AssertionError("only ever pickled")


@contextlib.contextmanager
def global_named(qualified):
    """The callable pickle writes as MODULE.NAME: the real one where pickle already names it so; otherwise (os.system is
    posix.system on Linux, nt exists only on Windows, torch.load is torch.serialization.load) a stand-in put under
    that name for the dump, which makes pickle write the bytes an attacker writes by hand."""
    module, name = qualified.rsplit(".", 1)
    try:
        parent = importlib.import_module(module)
    except ImportError:
        parent = None
    real = getattr(parent, name, None)
    if real is not None and getattr(real, "__module__", None) == module:
        yield real
        return

    def stand_in(*_):
        raise AssertionError("only ever pickled")

    stand_in.__module__, stand_in.__qualname__ = module, name
    if parent is None:
        parent = sys.modules[module] = types.ModuleType(module)
    try:
        setattr(parent, name, stand_in)
        yield stand_in
    finally:
        if real is None:
            delattr(parent, name)
        else:
            setattr(parent, name, real)
        if sys.modules.get(module) is parent and parent.__spec__ is None:
            del sys.modules[module]


# What each global is called with in an attack. getattr is the usual way round a block on os.system itself:
# getattr(__import__('os'), 'system')('…'), so getattr is the first global that pickle reaches.
SHELL = "echo pwned"
ATTACKS = {
    "os.system": lambda f: Call(f, SHELL),
    "posix.system": lambda f: Call(f, SHELL),
    "nt.system": lambda f: Call(f, SHELL),
    "builtins.eval": lambda f: Call(f, f"__import__('os').system('{SHELL}')"),
    "builtins.exec": lambda f: Call(f, f"import os; os.system('{SHELL}')"),
    "builtins.getattr": lambda f: Call(Call(f, Call(__import__, "os"), "system"), SHELL),
    "builtins.__import__": lambda f: Call(f, "os"),
    "subprocess.Popen": lambda f: Call(f, SHELL.split()),
    "runpy._run_code": lambda f: Call(f, f"import os; os.system('{SHELL}')", {}),
    "torch.load": lambda f: Call(f, "another.pth"),
    "torch.serialization.load": lambda f: Call(f, "another.pth"),
}


def storage(n):
    return torch.arange(n, dtype=torch.float32).storage()


# torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks) with arguments no
# tensor has; and the two other allowed callables called with what they do not take.
REBUILD = torch._utils._rebuild_tensor_v2
FORGED = {
    "not-a-storage": Call(REBUILD, "storage", 0, (4,), (1,), False, OrderedDict()),
    "negative-stride": Call(REBUILD, storage(4), 0, (4,), (-1,), False, OrderedDict()),
    "size-stride-mismatch": Call(REBUILD, storage(4), 0, (2, 2), (1,), False, OrderedDict()),
    "huge-size": Call(REBUILD, storage(4), 0, (1 << 40,), (1,), False, OrderedDict()),
    "overflowing-size": Call(REBUILD, storage(4), 0, (1 << 32, 1 << 32, 1 << 32), (1, 1, 1), False, OrderedDict()),
    "offset-past-storage": Call(REBUILD, storage(4), 1000, (4,), (1,), False, OrderedDict()),
    "parameter-of-a-string": Call(torch._utils._rebuild_parameter, "weights", False, OrderedDict()),
    "storage-type-called": Call(torch.FloatStorage, 10 ** 12),
}


def checkpoint(extra):
    return {"params_ema": OrderedDict([("conv.weight", torch.zeros(1, 1, 3, 3)), ("conv.bias", extra)])}


def main():
    os.makedirs(OUT, exist_ok=True)
    for qualified, attack in ATTACKS.items():
        for protocol in (2, 4):
            with global_named(qualified) as function:
                torch.save(checkpoint(attack(function)), os.path.join(OUT, f"global-{qualified}-p{protocol}.pth"), pickle_protocol=protocol)
    for what, forged in FORGED.items():
        torch.save(checkpoint(forged), os.path.join(OUT, f"forged-{what}.pth"))
    torch.save({"params_ema": OrderedDict([("conv.weight", torch.zeros(1).expand(64, 64, 3, 3))])}, os.path.join(OUT, "stride0-expand.pth"))


if __name__ == "__main__":
    main()
