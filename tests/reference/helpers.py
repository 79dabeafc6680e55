"""One helper for every PyTorch twin (tinygrad's ``helper_test_op``): the same expression
runs on our Tensors and on torch tensors, in float64, and forward outputs and input
gradients must agree to 1e-6 under one *random* upstream gradient per output.

    check_op([(3, 5)], lambda x: x.softmax(-1))                   # a Tensor method
    check_op([(3, 5)], lambda x, F: F.gelu(x, approximate="tanh"))  # F = our / torch's functional
    check_op([(4, 3)], lambda x, F, T: F.cross_entropy(x, T(y)))    # T builds a constant of that library

A lambda with a parameter named ``F`` receives ``sutskever30.nn.functional`` on our side and
``torch.nn.functional`` on torch's; one named ``T`` a constructor for a non-differentiable
constant (``nn.Tensor`` / ``torch.as_tensor``). Pass ``torch_fn`` only where the names differ.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import functional as ours_F

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-6, 1e-9


def _call(fn: Callable, tensors: list, F, T):
    names = set(inspect.signature(fn).parameters)
    kwargs = {k: v for k, v in (("F", F), ("T", T)) if k in names}
    return fn(*tensors, **kwargs)


def _outputs(out) -> list:
    """The float outputs of an op (a named tuple's integer indices are compared separately)."""
    return list(out) if isinstance(out, tuple) else [out]


def _numpy(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else t.data


def check_op(
    inputs: Sequence,
    ours: Callable,
    torch_fn: Callable | None = None,
    *,
    positive: bool = False,
    grad: bool = True,
    seed: int = 0,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> None:
    """Compare ``ours`` with ``torch_fn`` (default: the same expression) on random inputs.

    ``inputs``: a shape (random standard normal, |x| + 0.5 with ``positive``) or an
    explicit array, per differentiable input. Outputs must match in value and dtype kind;
    then one random upstream gradient per float output is pushed back through both, and
    every input's gradient must match (``grad=False`` compares the forward only).
    """
    rng = np.random.default_rng(seed)
    arrays = []
    for spec in inputs:
        a = np.array(spec, dtype=np.float64) if isinstance(spec, np.ndarray) else rng.standard_normal(spec)
        arrays.append(np.abs(a) + 0.5 if positive and not isinstance(spec, np.ndarray) else a)
    ts = [nn.Tensor(a.copy(), requires_grad=grad) for a in arrays]
    tt = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]
    out = _outputs(_call(ours, ts, ours_F, nn.Tensor))
    tout = _outputs(_call(torch_fn or ours, tt, torch.nn.functional, torch.as_tensor))
    assert len(out) == len(tout), f"{len(out)} outputs, torch gives {len(tout)}"
    for o, t in zip(out, tout):
        assert o.shape == tuple(t.shape), f"shape {o.shape}, torch {tuple(t.shape)}"
        assert o.dtype.kind == ("f" if t.dtype.is_floating_point else "b" if t.dtype == torch.bool else "i")
        np.testing.assert_allclose(_numpy(o), _numpy(t), rtol=rtol, atol=atol)
    if not grad:
        return
    floats = [(o, t) for o, t in zip(out, tout) if t.dtype.is_floating_point and t.requires_grad]
    assert floats, "no differentiable output: pass grad=False"
    douts = [rng.standard_normal(o.shape) for o, _ in floats]
    loss = sum(((o * nn.Tensor(d)).sum() for (o, _), d in zip(floats, douts)), start=nn.Tensor(0.0).double())
    tloss = sum((t * torch.tensor(d)).sum() for (_, t), d in zip(floats, douts))
    loss.backward()
    tloss.backward()
    for i, (a, b) in enumerate(zip(ts, tt)):
        if b.grad is None:
            assert a.grad is None or not np.any(a.grad), f"input {i}: torch has no gradient, ours does"
            continue
        assert a.grad is not None, f"input {i}: no gradient on our side"
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")
