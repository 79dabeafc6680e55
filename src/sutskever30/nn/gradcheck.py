"""Numerical gradient checks by central differences, in float64.

Two checks, both driven by a *random* upstream gradient ``dout`` (never all-ones and
never a plain ``sum()``: the gradient of ``sum(softmax(x))`` is exactly zero, so a
wrong softmax backward would pass such a check):

* ``numerical_grad`` / ``check_pair``: every coordinate of every input, perturbed in
  turn (CS231n's ``eval_numerical_gradient_array``). Exact, O(n) forward calls.
* ``directional_check``: one random direction per input; compares the analytic
  directional derivative ⟨g, u⟩ with (f(x + hu) − f(x − hu)) / 2h (HIPS/autograd's
  check by random projection). Two forward calls per direction, for big inputs.

The scalar that is differentiated is L = Σ dout ⊙ f(x), so ∂L/∂x is exactly what a
backward receives as ``dout`` and returns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| / max(|a| + |b|, 1e-8), elementwise; 0 for two empty arrays."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ, {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _dot(outs, douts: tuple) -> float:
    """L = Σ dout ⊙ out over every output."""
    return float(sum(np.sum(o * d) for o, d in zip(_as_tuple(outs), douts) if d is not None))


def _scalar(f: Callable, douts: tuple) -> Callable[[], float]:
    return lambda: _dot(f(), douts)


def numerical_grad(L: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """∂L/∂x by central differences, perturbing ``x`` in place (restored afterwards)."""
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"numerical_grad: x must be a float64 array (perturbed in place), got {got}")
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = L()
        x[i] = old - h
        fm = L()
        x[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


def random_dout(out, rng: np.random.Generator):
    """A random upstream gradient with the structure of ``out`` (array or tuple)."""
    if isinstance(out, tuple):
        return tuple(rng.standard_normal(o.shape) for o in out)
    return rng.standard_normal(np.shape(out))


def check_pair(
    forward: Callable,
    backward: Callable,
    inputs: Sequence,
    kwargs: dict | None = None,
    wrt: Sequence[int] | None = None,
    rng: np.random.Generator | None = None,
    h: float = 1e-5,
) -> float:
    """Largest relative error between a pair's backward and central differences.

    ``inputs`` are the positional arguments of ``forward`` (float64 arrays are checked,
    anything else is passed through); ``wrt`` picks which positions to check (default:
    every float64 array). Forward is re-run on each perturbed input, so a pair that keeps
    state (batch norm's running statistics) should be checked in a mode where that
    state does not feed the output.
    """
    kwargs = kwargs or {}
    rng = rng or np.random.default_rng(0)
    inputs = list(inputs)
    for i, x in enumerate(inputs):
        if isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.dtype != np.float64:
            raise TypeError(f"check_pair: input {i} is {x.dtype}; gradient checks need float64")
    if wrt is None:
        wrt = [i for i, x in enumerate(inputs) if isinstance(x, np.ndarray) and x.dtype == np.float64]
    for i in wrt:
        if not isinstance(i, int) or not 0 <= i < len(inputs):
            raise IndexError(f"check_pair: wrt index {i} is out of range for {len(inputs)} inputs")
    out, cache = forward(*inputs, **kwargs)
    dout = random_dout(out, rng)
    grads = _as_tuple(backward(dout, cache))
    douts = _as_tuple(dout)
    L = _scalar(lambda: forward(*inputs, **kwargs)[0], douts)
    worst = 0.0
    for i in wrt:
        num = numerical_grad(L, inputs[i], h)
        if grads[i] is None:
            raise AssertionError(f"check_pair: backward returned None for input {i}")
        worst = max(worst, rel_error(grads[i], num))
    return worst


def directional_check(
    f: Callable[..., np.ndarray],
    grads: Sequence[np.ndarray],
    inputs: Sequence[np.ndarray],
    dout,
    rng: np.random.Generator | None = None,
    h: float = 1e-5,
    n_dirs: int = 3,
) -> float:
    """Relative error of ⟨∂L/∂x, u⟩ against a central difference along random u.

    ``f(*inputs)`` returns the output(s); ``grads`` are the analytic gradients of
    L = Σ dout ⊙ f with respect to ``inputs``. All inputs are perturbed together.
    """
    if len(grads) != len(inputs):
        raise ValueError(f"directional_check: {len(grads)} grads for {len(inputs)} inputs; expected one per input")
    rng = rng or np.random.default_rng(0)
    douts = _as_tuple(dout)
    worst = 0.0
    for _ in range(n_dirs):
        us = [rng.standard_normal(x.shape) for x in inputs]
        analytic = sum(float(np.sum(g * u)) for g, u in zip(grads, us))
        Lp = _dot(f(*[x + h * u for x, u in zip(inputs, us)]), douts)
        Lm = _dot(f(*[x - h * u for x, u in zip(inputs, us)]), douts)
        numeric = (Lp - Lm) / (2 * h)
        worst = max(worst, abs(analytic - numeric) / max(abs(analytic) + abs(numeric), 1e-8))
    return worst
