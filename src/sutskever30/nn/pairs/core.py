"""Forward/backward pairs on plain ndarrays.

Every differentiable primitive in the engine is a pair::

    out, cache = x_forward(*arrays, **options)
    grads = x_backward(dout, cache)

* ``out`` is one ndarray, or a tuple of ndarrays for ops with several outputs
  (``lstm_cell``'s ``(h, c)``); ``dout`` then has the same structure.
* ``grads`` is one ndarray when the op has one array input, otherwise a tuple with one
  entry per positional array input, ``None`` where the input is not differentiable
  (class ids, masks, a missing bias).

The pairs are all the maths there is: ``autograd.Tensor`` only records which pair ran
and calls its backward. Read a pair here and you have read everything the tape does.

The pairs in this file are the core: elementwise ops and activations, reductions,
matmul/linear, the softmax family and losses, embedding, dropout and shape ops.
Convolution/pooling/normalisation, recurrent cells, attention, CTC and graph (segment
sum) ops live beside it in ``conv.py``, ``recurrent.py``, ``attention.py``, ``ctc.py`` and
``graph.py``; ``pairs/__init__.py`` re-exports them all.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from ..checks import check_array, check_dim, check_dims, check_ids, check_reduction

__all__ = [
    "cast_backward",
    "cast_forward",
    "add_backward",
    "add_forward",
    "amax_backward",
    "amax_forward",
    "amin_backward",
    "amin_forward",
    "binary_cross_entropy_backward",
    "binary_cross_entropy_forward",
    "binary_cross_entropy_with_logits_backward",
    "binary_cross_entropy_with_logits_forward",
    "concat_backward",
    "concat_forward",
    "cosine_similarity_backward",
    "cosine_similarity_forward",
    "cross_entropy_backward",
    "cross_entropy_forward",
    "div_backward",
    "div_forward",
    "dropout_backward",
    "dropout_forward",
    "embedding_backward",
    "embedding_forward",
    "exp_backward",
    "exp_forward",
    "gather_backward",
    "gather_forward",
    "gelu_backward",
    "gelu_forward",
    "index_backward",
    "index_forward",
    "kl_div_backward",
    "kl_div_forward",
    "linear_backward",
    "linear_forward",
    "log_backward",
    "log_forward",
    "log_softmax_backward",
    "log_softmax_forward",
    "logsigmoid_backward",
    "logsigmoid_forward",
    "logsumexp_backward",
    "logsumexp_forward",
    "masked_fill_backward",
    "masked_fill_forward",
    "matmul_backward",
    "matmul_forward",
    "max_backward",
    "max_dim_backward",
    "max_dim_forward",
    "max_forward",
    "mean_backward",
    "mean_forward",
    "min_dim_backward",
    "min_dim_forward",
    "mse_backward",
    "mse_forward",
    "mul_backward",
    "mul_forward",
    "neg_backward",
    "neg_forward",
    "nll_loss_backward",
    "nll_loss_forward",
    "normalize_backward",
    "normalize_forward",
    "pow_backward",
    "pow_forward",
    "relu_backward",
    "relu_forward",
    "reshape_backward",
    "reshape_forward",
    "roll_backward",
    "roll_forward",
    "sigmoid",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_backward",
    "softmax_forward",
    "softplus_backward",
    "softplus_forward",
    "split_backward",
    "split_forward",
    "sqrt_backward",
    "sqrt_forward",
    "stack_backward",
    "stack_forward",
    "sub_backward",
    "sub_forward",
    "sum_backward",
    "sum_forward",
    "tanh_backward",
    "tanh_forward",
    "transpose_backward",
    "transpose_forward",
    "unbroadcast",
    "where_backward",
    "where_forward",
]

# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int | np.integer):
        axis = (axis,)
    return tuple(a % ndim for a in axis)


def _same_float_dtype(op: str, **arrays) -> None:
    """Products refuse mixed dtypes, as torch (``f32 @ f64`` is an error, not a promotion)."""
    named = [(n, a) for n, a in arrays.items() if a is not None]
    ref_name, ref = named[0]
    for name, a in named[1:]:
        if a.dtype != ref.dtype:
            raise TypeError(
                f"{op}: {ref_name} is {ref.dtype} but {name} is {a.dtype}; "
                "expected one dtype (cast with .float() or .double())"
            )


def _expand(g: np.ndarray, shape: tuple[int, ...], axis, keepdims: bool) -> np.ndarray:
    """Undo a reduction's dropped axes so ``g`` broadcasts against the input again."""
    if not keepdims:
        for a in sorted(_axes(axis, len(shape))):
            g = np.expand_dims(g, a)
    return g


# --------------------------------------------------------------------------------------
# elementwise binary ops (with broadcasting)
# --------------------------------------------------------------------------------------


def add_forward(a, b):
    """a (...), b (...) broadcastable -> a + b."""
    return a + b, (np.shape(a), np.shape(b))


def add_backward(dout, cache):
    sa, sb = cache
    return unbroadcast(dout, sa), unbroadcast(dout, sb)


def sub_forward(a, b):
    """a (...), b (...) broadcastable -> a − b."""
    return a - b, (np.shape(a), np.shape(b))


def sub_backward(dout, cache):
    sa, sb = cache
    return unbroadcast(dout, sa), unbroadcast(-dout, sb)


def mul_forward(a, b):
    """a (...), b (...) broadcastable -> a * b."""
    return a * b, (a, b)


def mul_backward(dout, cache):
    a, b = cache
    return unbroadcast(dout * b, np.shape(a)), unbroadcast(dout * a, np.shape(b))


def div_forward(a, b):
    """a (...), b (...) broadcastable -> a / b."""
    out = a / b
    return out, (a, b, out)


def div_backward(dout, cache):
    a, b, out = cache
    da = dout / b
    return unbroadcast(da, np.shape(a)), unbroadcast(-da * out, np.shape(b))


def pow_forward(a, b):
    """a (...) ** b (scalar or broadcastable array) -> (...). An array ``b`` gets a gradient
    a^b·log a where a > 0 and 0 elsewhere (torch: NaN for a < 0; 0 at a = 0 as here)."""
    out = a**b
    return out, (a, b, out)


def pow_backward(dout, cache):
    a, b, out = cache
    with np.errstate(divide="ignore", invalid="ignore"):
        da = dout * b * a ** (b - 1)
    if np.any(b == 0):  # d(x^0)/dx = 0 everywhere, also at x = 0 where 0 · 0^-1 is NaN
        da = np.where(b == 0, np.zeros((), da.dtype), da)
    if np.ndim(b) == 0 and not isinstance(b, np.ndarray):
        return unbroadcast(da, np.shape(a)), None
    with np.errstate(divide="ignore", invalid="ignore"):
        db = dout * out * np.log(np.where(a > 0, a, 1))
    return unbroadcast(da, np.shape(a)), unbroadcast(db, np.shape(b))


def cast_forward(x, dtype):
    """x (...) -> x as ``dtype`` (a copy); the gradient is cast back (``Tensor.to``)."""
    return x.astype(dtype), x.dtype


def cast_backward(dout, dtype):
    return dout.astype(dtype)


def neg_forward(x):
    """x (...) -> −x (...)."""
    return -x, None


def neg_backward(dout, cache):
    return -dout


# --------------------------------------------------------------------------------------
# elementwise unary ops
# --------------------------------------------------------------------------------------


def exp_forward(x):
    """x (...) -> exp(x) (...)."""
    out = np.exp(x)
    return out, out


def exp_backward(dout, out):
    return dout * out


def log_forward(x):
    """x (...) -> log(x) (...)."""
    return np.log(x), x


def log_backward(dout, x):
    return dout / x


def sqrt_forward(x):
    """x (...) -> √x (...)."""
    out = np.sqrt(x)
    return out, out


def sqrt_backward(dout, out):
    return dout / (2 * out)


def tanh_forward(x):
    """x (...) -> tanh(x) (...)."""
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, out):
    return dout * (1 - out * out)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function (no overflow for large |x|)."""
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_forward(x):
    """x (...) -> σ(x) (...), stable for large |x|."""
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout, out):
    return dout * out * (1 - out)


def relu_forward(x):
    """max(x, 0), elementwise. x (...) -> out (...). relu(−inf) = 0 and NaN propagates, as
    torch; a negative input gives +0.0 (``x * (x > 0)`` gave −0.0 and NaN at −inf)."""
    mask = x > 0
    return np.maximum(x, np.zeros((), x.dtype)), mask


def relu_backward(dout, mask):
    return dout * mask


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def gelu_forward(x, approximate="none"):
    """GELU (Hendrycks & Gimpel 2016), as ``torch.nn.functional.gelu``. x (...) -> (...).

    approximate="none": x·Φ(x) = ½x(1 + erf(x/√2)); "tanh": ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    """
    if approximate == "none":
        cdf = 0.5 * (1.0 + erf(x / math.sqrt(2.0)))  # Φ(x)
        return (x * cdf).astype(x.dtype, copy=False), (x, cdf, approximate)
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
        return (0.5 * x * (1.0 + t)).astype(x.dtype, copy=False), (x, t, approximate)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


def gelu_backward(dout, cache):
    x, c, approximate = cache
    if approximate == "none":  # Φ(x) + x·φ(x)
        g = c + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    else:
        g = 0.5 * (1.0 + c) + 0.5 * x * (1.0 - c * c) * _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
    return (dout * g).astype(dout.dtype, copy=False)


def softplus_forward(x, beta=1.0, threshold=20.0):
    """log(1 + exp(βx))/β, and x itself where βx > threshold (torch's linear cut-off).
    x (...) -> (...). Stable: never overflows."""
    if not beta > 0:
        raise ValueError(f"softplus: beta must be > 0, got {beta!r}")
    bx = beta * x
    sp = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
    linear = bx > threshold
    return np.where(linear, x, sp).astype(x.dtype, copy=False), (bx, linear)


def softplus_backward(dout, cache):
    bx, linear = cache
    return np.where(linear, dout, dout * sigmoid(bx)).astype(dout.dtype, copy=False)


def logsigmoid_forward(x):
    """log σ(x) = −softplus(−x), stable for large |x|. x (...) -> (...)."""
    out = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    return out.astype(x.dtype, copy=False), x


def logsigmoid_backward(dout, x):
    return (dout * sigmoid(-x)).astype(dout.dtype, copy=False)  # 1 − σ(x)


# --------------------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------------------


def sum_forward(x, axis=None, keepdims=False):
    """Sum over ``axis`` (int, list/tuple of ints, or None for all). x (...) -> reduced."""
    axis = check_dims("sum", axis, x.ndim)
    return x.sum(axis=axis, keepdims=keepdims), (x.shape, axis, keepdims)


def sum_backward(dout, cache):
    shape, axis, keepdims = cache
    return np.broadcast_to(_expand(dout, shape, axis, keepdims), shape).copy()


def mean_forward(x, axis=None, keepdims=False):
    """Mean over ``axis`` (int, list/tuple of ints, or None for all). x (...) -> reduced."""
    axis = check_dims("mean", axis, x.ndim)
    n = int(np.prod([x.shape[a] for a in _axes(axis, x.ndim)]))
    return x.mean(axis=axis, keepdims=keepdims), (x.shape, axis, keepdims, n)


def mean_backward(dout, cache):
    shape, axis, keepdims, n = cache
    g = _expand(dout, shape, axis, keepdims) / n
    return np.broadcast_to(g, shape).astype(dout.dtype, copy=True)


def max_forward(x, axis=None, keepdims=False):
    """Max over ``axis`` (int, list/tuple or None). The gradient goes to the maximal
    entries, split evenly on ties (``torch.amax`` semantics). x (...) -> reduced."""
    axis = check_dims("amax", axis, x.ndim)
    if x.size == 0:
        raise ValueError(f"amax: x has shape {x.shape}; expected a non-empty tensor")
    out = x.max(axis=axis, keepdims=keepdims)
    return out, (x, axis, keepdims, out)


def max_backward(dout, cache):
    x, axis, keepdims, out = cache
    full = _expand(out, x.shape, axis, keepdims)
    mask = x == full
    count = mask.sum(axis=_axes(axis, x.ndim), keepdims=True)
    return mask * (_expand(dout, x.shape, axis, keepdims) / count).astype(x.dtype)


amax_forward, amax_backward = max_forward, max_backward


def amin_forward(x, axis=None, keepdims=False):
    """Min over ``axis``; ties share the gradient evenly (``torch.amin``). x (...) -> reduced."""
    axis = check_dims("amin", axis, x.ndim)
    if x.size == 0:
        raise ValueError(f"amin: x has shape {x.shape}; expected a non-empty tensor")
    out = x.min(axis=axis, keepdims=keepdims)
    return out, (x, axis, keepdims, out)


amin_backward = max_backward  # the same routing: to the entries equal to the result


def max_dim_forward(x, axis, keepdims=False):
    """``torch.max(x, dim)``: (values, indices) along one ``axis``; the first maximum wins a
    tie and takes the whole gradient (as torch). x (...) -> values, indices (reduced)."""
    axis = check_dim("max", axis, x.ndim)
    if x.shape[axis] == 0:
        raise IndexError(f"max: dim {axis} has size 0; expected a non-empty dim")
    idx = np.expand_dims(np.argmax(x, axis=axis), axis)  # (..., 1, ...)
    values = np.take_along_axis(x, idx, axis=axis)
    if not keepdims:
        values, idx = values.squeeze(axis), idx.squeeze(axis)
    return (values, idx), (x.shape, axis, keepdims, idx)


def max_dim_backward(douts, cache):
    shape, axis, keepdims, idx = cache
    dvalues = douts[0] if isinstance(douts, tuple) else douts
    if not keepdims:
        dvalues, idx = np.expand_dims(dvalues, axis), np.expand_dims(idx, axis)
    dx = np.zeros(shape, dtype=dvalues.dtype)
    np.put_along_axis(dx, idx, dvalues, axis=axis)
    return dx


def min_dim_forward(x, axis, keepdims=False):
    """``torch.min(x, dim)``: (values, indices); the first minimum takes the gradient."""
    axis = check_dim("min", axis, x.ndim)
    if x.shape[axis] == 0:
        raise IndexError(f"min: dim {axis} has size 0; expected a non-empty dim")
    idx = np.expand_dims(np.argmin(x, axis=axis), axis)
    values = np.take_along_axis(x, idx, axis=axis)
    if not keepdims:
        values, idx = values.squeeze(axis), idx.squeeze(axis)
    return (values, idx), (x.shape, axis, keepdims, idx)


min_dim_backward = max_dim_backward


def logsumexp_forward(x, axis=-1, keepdims=False):
    """log Σ exp(x) over ``axis``, shifted by the max so it never overflows.
    x (...) -> reduced. An all −inf row gives −inf and a +inf entry +inf, as torch."""
    axis = check_dims("logsumexp", axis, x.ndim)
    m = x.max(axis=axis, keepdims=True)
    finite = np.isfinite(m).all()
    if not finite:  # ±inf max: shift by 0 instead (inf − inf would be NaN)
        m = np.where(np.isfinite(m), m, np.zeros((), m.dtype))
    with np.errstate(divide="ignore", invalid="warn" if finite else "ignore"):  # log 0: an all −inf row
        s = np.exp(x - m)
        lse = np.log(s.sum(axis=axis, keepdims=True)) + m  # keepdims shape (log 0 = −inf: an all −inf row)
        p = np.exp(x - lse)  # softmax, what the backward needs (NaN on infinite rows, as torch's)
    out = lse if keepdims else np.squeeze(lse, axis=axis)
    return out, (p, axis, keepdims)


def logsumexp_backward(dout, cache):
    p, axis, keepdims = cache
    if not keepdims:
        dout = _expand(dout, p.shape, axis, keepdims)
    return dout * p


# --------------------------------------------------------------------------------------
# matmul and linear
# --------------------------------------------------------------------------------------


def matmul_forward(a, b):
    """a (..., n, k) @ b (..., k, m) -> (..., n, m); batch dims broadcast. 1-D inputs are
    treated as NumPy does (a vector on the left is a row, on the right a column)."""
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: inputs must have at least 1 dimension (use * for scalars), got {a.shape} @ {b.shape}"
        )
    _same_float_dtype("matmul", a=a, b=b)
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul: a has shape {a.shape} and b {b.shape}; expected a (..., n, k) and b (..., k, m) with the same k"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: batch dims of a {a.shape} and b {b.shape} do not broadcast together") from None
    return a @ b, (a, b)


def matmul_backward(dout, cache):
    a, b = cache
    a2 = a[None, :] if a.ndim == 1 else a  # (1, k) for a vector
    b2 = b[:, None] if b.ndim == 1 else b  # (k, 1) for a vector
    # dout with the vector dims put back: (..., n, m); a reshape, so (k,) @ (k,) works too
    d2 = dout.reshape(*np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]), a2.shape[-2], b2.shape[-1])
    da = d2 @ np.swapaxes(b2, -1, -2)  # (..., n, k)
    db = np.swapaxes(a2, -1, -2) @ d2  # (..., k, m)
    da = unbroadcast(da, a2.shape).reshape(a.shape)
    db = unbroadcast(db, b2.shape).reshape(b.shape)
    return da, db


def linear_forward(x, W, b=None):
    """y = x Wᵀ + b.  x (..., in), W (out, in) (PyTorch's layout), b (out,) or None -> y (..., out)."""
    x = check_array("linear: x", x, shape_doc="(..., in)")
    W = check_array("linear: weight", W, shape_doc="(out, in)")
    if b is not None:
        b = check_array("linear: bias", b, shape_doc="(out,)")
    _same_float_dtype("linear", x=x, weight=W, bias=b)
    if x.ndim == 0 or W.ndim != 2 or x.shape[-1] != W.shape[1]:
        raise ValueError(
            f"linear: x has shape {x.shape} and weight {W.shape}; expected x (..., in) "
            f"and weight (out, in) with the same in"
        )
    if b is not None and b.shape != (W.shape[0],):
        raise ValueError(f"linear: bias has shape {b.shape}; expected ({W.shape[0]},)")
    # Flatten to one 2-D matmul: a strided 3-D view (after a permute) would make NumPy
    # fall back from BLAS to its slow generic loop.
    x2 = x.reshape(-1, x.shape[-1])  # (N, in), copies only when x is not contiguous
    y = x2 @ W.T  # (N, out)
    if b is not None:
        y += b
    return y.reshape(*x.shape[:-1], W.shape[0]), (x2, W, b is not None, x.shape)  # (..., out)


def linear_backward(dout, cache, input_grad: bool = True):
    """dout (..., out) -> (dx (..., in), dW (out, in), db (out,) | None).

    ``input_grad=False`` skips dx (returned as None), as ``conv2d_backward`` does: a first
    layer reads the data, which needs no gradient, and dx there is the layer's costliest
    product (PyTorch's addmm backward skips it the same way).
    """
    x2, W, has_b, x_shape = cache
    d2 = dout.reshape(-1, dout.shape[-1])  # (N, out)
    dx = (d2 @ W).reshape(x_shape) if input_grad else None  # (..., in)
    dW = d2.T @ x2  # (out, in)
    db = d2.sum(axis=0) if has_b else None  # (out,)
    return dx, dW, db


# --------------------------------------------------------------------------------------
# softmax family and losses
# --------------------------------------------------------------------------------------


def softmax_forward(x, axis=-1):
    """Softmax over ``axis``; shifted by the max so exp never overflows. x (...) -> (...)."""
    axis = check_dim("softmax", axis, x.ndim)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)
    return out, (out, axis)


def softmax_backward(dout, cache):
    p, axis = cache
    # Jacobian-vector product: p ⊙ (dout − Σ dout·p)
    return p * (dout - (dout * p).sum(axis=axis, keepdims=True))


def log_softmax_forward(x, axis=-1):
    """log softmax = x − logsumexp(x) over ``axis``. x (...) -> (...)."""
    axis = check_dim("log_softmax", axis, x.ndim)
    m = x.max(axis=axis, keepdims=True)
    z = x - m
    out = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return out, (out, axis)


def log_softmax_backward(dout, cache):
    out, axis = cache
    return dout - np.exp(out) * dout.sum(axis=axis, keepdims=True)


def cross_entropy_forward(logits, target, ignore_index=-100, label_smoothing=0.0, reduction="mean", weight=None):
    """Softmax cross-entropy from logits, as ``torch.nn.functional.cross_entropy``.

    logits (N, C); target (N,) integer class ids, or (N, C) class probabilities (a float
    array, torch's "soft" targets); weight (C,) or None, a rescaling weight per class.
    Rows whose target is ``ignore_index`` add nothing and are not counted in the mean.
    With label smoothing ε the target distribution is (1 − ε)·target + ε/C.
    reduction: "mean" | "sum" | "none" -> () or (N,). As torch, "mean" with a ``weight``
    and class ids divides by Σ weight[target] (of the rows not ignored); with
    probabilities it divides by N. Differs from torch on purpose: only (N, C) logits
    (torch also takes (N, C, d1, ...)); move the class axis last and flatten first.
    """
    logits = check_array("cross_entropy: logits", logits, ndim=2, shape_doc="(N, C)")
    N, C = logits.shape
    check_reduction("cross_entropy", reduction)
    if not isinstance(label_smoothing, int | float) or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be a float in [0, 1], got {label_smoothing!r}")
    if weight is not None:
        weight = check_array("cross_entropy: weight", weight, ndim=1, shape_doc=f"({C},)")
        if weight.shape != (C,) or weight.dtype != logits.dtype:
            raise ValueError(
                f"cross_entropy: weight has shape {weight.shape} and dtype {weight.dtype}; "
                f"expected ({C},) {logits.dtype}, one weight per class"
            )
    if isinstance(target, np.ndarray) and target.dtype.kind == "f" and target.ndim == 2:
        return _soft_cross_entropy(logits, target, label_smoothing, reduction, weight)
    target = check_ids("target", target, C, shape=(N,), ignore_index=ignore_index)
    valid = target != ignore_index  # (N,)
    t = np.where(valid, target, 0)  # (N,) safe ids for indexing
    logp, _ = log_softmax_forward(logits, axis=1)  # (N, C)
    if weight is not None:
        return _weighted_cross_entropy(logp, t, valid, label_smoothing, reduction, weight)
    nll = -logp[np.arange(N), t]  # (N,)
    if label_smoothing > 0:
        nll = (1 - label_smoothing) * nll - label_smoothing * logp.mean(axis=1)
    nll = np.where(valid, nll, 0).astype(logits.dtype)  # (N,)
    n_valid = int(valid.sum())
    if reduction == "mean":
        # every row ignored: NaN, as PyTorch (0/0), rather than a silent 0
        out = np.asarray(nll.sum() / n_valid if n_valid else np.nan, dtype=logits.dtype)
    elif reduction == "sum":
        out = np.asarray(nll.sum(), dtype=logits.dtype)
    else:
        out = nll
    return out, ("ids", logp, t, valid, label_smoothing, reduction, n_valid)


def _reduce_rows(per_row: np.ndarray, reduction: str, denom) -> np.ndarray:
    """(N,) losses -> "none": (N,), "sum": (), "mean": Σ / denom (NaN when denom is 0, as torch)."""
    if reduction == "none":
        return per_row
    total = per_row.sum()
    if reduction == "sum":
        return np.asarray(total, dtype=per_row.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(total / denom, dtype=per_row.dtype)


def _weighted_cross_entropy(logp, t, valid, eps, reduction, weight):
    """Class ids with a per-class ``weight``: loss_i = −Σ_c q_ic log p_ic, where
    q_i = (1 − ε)·w[t_i]·onehot(t_i) + ε/C·w (torch's label smoothing with weights)."""
    N, C = logp.shape
    w_t = weight[t] * valid  # (N,) 0 for ignored rows
    q = np.zeros_like(logp)  # (N, C) coefficient of each log-probability
    q[np.arange(N), t] = (1 - eps) * w_t
    if eps > 0:
        q += (eps / C) * weight * valid[:, None]
    per_row = -(q * logp).sum(axis=1)  # (N,)
    denom = w_t.sum()
    return _reduce_rows(per_row, reduction, denom), ("q", logp, q, reduction, denom)


def _soft_cross_entropy(logits, target, eps, reduction, weight):
    """Class probabilities (N, C): loss_i = −Σ_c w_c q_ic log p_ic, q = (1 − ε)·target + ε/C."""
    N, C = logits.shape
    if target.shape != (N, C) or target.dtype != logits.dtype:
        raise ValueError(
            f"cross_entropy: target has shape {target.shape} and dtype {target.dtype}; expected class "
            f"probabilities ({N}, {C}) {logits.dtype} like logits, or integer class ids ({N},)"
        )
    logp, _ = log_softmax_forward(logits, axis=1)  # (N, C)
    q = target * (1 - eps) + eps / C if eps > 0 else target  # (N, C)
    if weight is not None:
        q = q * weight  # (N, C)
    per_row = -(q * logp).sum(axis=1)  # (N,)
    return _reduce_rows(per_row, reduction, N), ("q", logp, q, reduction, N)


def cross_entropy_backward(dout, cache):
    if cache[0] == "q":  # weighted or soft targets: ∂/∂z of −Σ q log softmax(z) = (Σ q)·p − q
        _, logp, q, reduction, denom = cache
        g = q.sum(axis=1, keepdims=True) * np.exp(logp) - q  # (N, C)
        if reduction == "mean":
            g *= dout / (denom if denom else 1)
        elif reduction == "sum":
            g *= dout
        else:
            g *= dout[:, None]
        return g, None
    _, logp, t, valid, eps, reduction, n_valid = cache
    N, C = logp.shape
    q = np.zeros_like(logp)  # (N, C) target distribution
    q[np.arange(N), t] = 1 - eps
    q += eps / C
    g = np.exp(logp) - q  # (N, C): softmax − target
    g *= valid[:, None]
    if reduction == "mean":
        g *= dout / max(n_valid, 1)
    elif reduction == "sum":
        g *= dout
    else:
        g *= dout[:, None]
    return g, None


def nll_loss_forward(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class ids, as ``torch.nn.functional.nll_loss``.

    logp (N, C) log-probabilities; target (N,) ids; weight (C,) or None -> () or (N,):
    loss_i = −weight[t_i]·logp[i, t_i]; "mean" divides by Σ weight[t_i] over rows that
    are not ``ignore_index`` (the count of them without a weight).
    """
    logp = check_array("nll_loss: input", logp, ndim=2, shape_doc="(N, C)")
    N, C = logp.shape
    check_reduction("nll_loss", reduction)
    target = check_ids("target", target, C, shape=(N,), ignore_index=ignore_index)
    if weight is not None:
        weight = check_array("nll_loss: weight", weight, ndim=1, shape_doc=f"({C},)")
        if weight.shape != (C,) or weight.dtype != logp.dtype:
            raise ValueError(f"nll_loss: weight has shape {weight.shape} {weight.dtype}; expected ({C},) {logp.dtype}")
    valid = target != ignore_index  # (N,)
    t = np.where(valid, target, 0)  # (N,)
    w_t = (weight[t] if weight is not None else np.ones(N, logp.dtype)) * valid  # (N,)
    per_row = -logp[np.arange(N), t] * w_t  # (N,)
    denom = w_t.sum()
    return _reduce_rows(per_row, reduction, denom), (logp.shape, t, w_t, reduction, denom)


def nll_loss_backward(dout, cache):
    shape, t, w_t, reduction, denom = cache
    g = np.zeros(shape, dtype=w_t.dtype)  # (N, C)
    scale = dout / (denom if denom else 1) if reduction == "mean" else dout  # () or (N,)
    g[np.arange(shape[0]), t] = -w_t * scale
    return g, None, None


def _check_same(op: str, a, b, a_name: str = "input", b_name: str = "target") -> None:
    if not isinstance(b, np.ndarray) or b.shape != a.shape or b.dtype != a.dtype:
        got = f"{b.shape} {b.dtype}" if isinstance(b, np.ndarray) else type(b).__name__
        raise ValueError(f"{op}: {b_name} is {got}; expected the shape and dtype of {a_name}, {a.shape} {a.dtype}")


def binary_cross_entropy_forward(p, target, weight=None, reduction="mean"):
    """−w·(t·log p + (1 − t)·log(1 − p)), as ``torch.nn.functional.binary_cross_entropy``.

    p (...) probabilities in [0, 1]; target (...) same shape; weight broadcastable or
    None -> () or (...). As torch, each log is clamped at −100 (so p = 0 is finite), and
    the backward divides by max(p(1 − p), 1e-12).
    """
    p = check_array("binary_cross_entropy: input", p, shape_doc="(...)")
    _check_same("binary_cross_entropy", p, target)
    check_reduction("binary_cross_entropy", reduction)
    if ((p < 0) | (p > 1)).any():
        raise ValueError("binary_cross_entropy: input must hold probabilities in [0, 1]; use *_with_logits for logits")
    with np.errstate(divide="ignore"):
        loss = -(target * np.maximum(np.log(p), -100) + (1 - target) * np.maximum(np.log1p(-p), -100))
    if weight is not None:
        loss = loss * weight
    return _reduce_all(loss, reduction), (p, target, weight, reduction)


def _reduce_all(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return loss
    return np.asarray(loss.mean() if reduction == "mean" else loss.sum(), dtype=loss.dtype)


def _scale_all(dout, shape, reduction: str, n: int):
    """The upstream gradient of an elementwise loss, spread back over the elements."""
    if reduction == "none":
        return dout
    return np.broadcast_to(dout / n if reduction == "mean" else dout, shape)


def binary_cross_entropy_backward(dout, cache):
    p, t, w, reduction = cache
    g = _scale_all(dout, p.shape, reduction, p.size) * (p - t) / np.maximum(p * (1 - p), 1e-12)
    if w is not None:
        g = g * w
    return g.astype(p.dtype, copy=False), None


def binary_cross_entropy_with_logits_forward(x, target, weight=None, pos_weight=None, reduction="mean"):
    """Sigmoid + binary cross-entropy in one stable step, as
    ``torch.nn.functional.binary_cross_entropy_with_logits``.

    x (...) logits; target (...) same shape; weight broadcastable to x, pos_weight
    broadcastable to the last dim (C,) or None -> () or (...):
    loss = w·((1 − t)·x + (1 + (pos_weight − 1)·t)·softplus(−x)).
    """
    x = check_array("binary_cross_entropy_with_logits: input", x, shape_doc="(...)")
    _check_same("binary_cross_entropy_with_logits", x, target)
    check_reduction("binary_cross_entropy_with_logits", reduction)
    sp = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))  # softplus(−x), never overflows
    lw = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
    loss = (1 - target) * x + lw * sp
    if weight is not None:
        loss = loss * weight
    return _reduce_all(loss, reduction), (x, target, weight, lw, reduction)


def binary_cross_entropy_with_logits_backward(dout, cache):
    x, t, w, lw, reduction = cache
    g = (1 - t) - lw * sigmoid(-x)  # ∂/∂x
    g = _scale_all(dout, x.shape, reduction, x.size) * g
    if w is not None:
        g = g * w
    return g.astype(x.dtype, copy=False), None


def kl_div_forward(logq, target, reduction="mean", log_target=False):
    """Pointwise KL divergence, as ``torch.nn.functional.kl_div``: ``input`` holds log q.

    logq (...), target (...) same shape -> () or (...):
    log_target=False: target·(log target − logq) (0 where target = 0);
    log_target=True:  exp(target)·(target − logq).
    reduction: "mean" (over all elements, torch's default), "batchmean" (Σ / N, the
    true KL), "sum", "none". Both inputs get gradients.
    """
    logq = check_array("kl_div: input", logq, shape_doc="(...)")
    _check_same("kl_div", logq, target)
    check_reduction("kl_div", reduction, ("mean", "batchmean", "sum", "none"))
    if log_target:
        pt = np.exp(target)
        loss = pt * (target - logq)
    else:
        if (target < 0).any():
            raise ValueError("kl_div: target must be probabilities >= 0 (or pass log_target=True)")
        with np.errstate(divide="ignore"):
            logt = np.where(target > 0, np.log(np.where(target > 0, target, 1)), 0)
        loss = target * (logt - logq)
        pt = target
    n = logq.size if reduction == "mean" else (logq.shape[0] if logq.ndim and reduction == "batchmean" else 1)
    if reduction == "none":
        out = loss
    else:
        out = np.asarray(loss.sum() / n if reduction in ("mean", "batchmean") else loss.sum(), dtype=loss.dtype)
    return out, (logq, target, pt, log_target, reduction, n)


def kl_div_backward(dout, cache):
    logq, t, pt, log_target, reduction, n = cache
    g = dout if reduction == "none" else np.broadcast_to(dout / n if reduction != "sum" else dout, logq.shape)
    dlogq = -pt * g
    if log_target:
        dt = pt * (t - logq + 1) * g
    else:
        with np.errstate(divide="ignore"):
            dt = np.where(t > 0, np.log(np.where(t > 0, t, 1)) + 1 - logq, 0) * g
    return dlogq.astype(logq.dtype, copy=False), dt.astype(logq.dtype, copy=False)


def mse_forward(pred, target, reduction="mean"):
    """Mean squared error, as ``torch.nn.functional.mse_loss``. pred (...), target (...) -> () or (...)."""
    check_reduction("mse_loss", reduction)
    if np.shape(pred) != np.shape(target):
        raise ValueError(f"mse: pred has shape {np.shape(pred)} but target {np.shape(target)}; expected equal shapes")
    d = pred - target
    if reduction == "mean":
        out = np.asarray((d * d).mean(), dtype=d.dtype)
    elif reduction == "sum":
        out = np.asarray((d * d).sum(), dtype=d.dtype)
    elif reduction == "none":
        out = d * d
    else:
        raise ValueError(f"mse: reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
    return out, (d, reduction)


def mse_backward(dout, cache):
    d, reduction = cache
    if reduction == "mean":
        g = 2 * d * (dout / d.size)
    else:
        g = 2 * d * dout
    return g, -g


# --------------------------------------------------------------------------------------
# embedding and dropout
# --------------------------------------------------------------------------------------


def embedding_forward(ids, W, padding_idx=None):
    """Rows of W (V, D) picked by integer ``ids`` (...) -> (..., D). The row
    ``padding_idx`` (if given) gets no gradient, as torch."""
    W = check_array("embedding: weight", W, ndim=2, shape_doc="(V, D)")
    ids = check_ids("ids", ids, W.shape[0])
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, int | np.integer):
            raise TypeError(f"embedding: padding_idx must be an int or None, got {padding_idx!r}")
        if not -W.shape[0] <= padding_idx < W.shape[0]:
            raise ValueError(f"embedding: padding_idx must be in [-{W.shape[0]}, {W.shape[0]}), got {padding_idx}")
        padding_idx = int(padding_idx) % W.shape[0]
    return W[ids], (ids, W.shape, padding_idx)


def embedding_backward(dout, cache):
    ids, shape, padding_idx = cache
    dW = np.zeros(shape, dtype=dout.dtype)  # (V, D)
    np.add.at(dW, ids.reshape(-1), dout.reshape(-1, shape[1]))  # repeated ids accumulate
    if padding_idx is not None:
        dW[padding_idx] = 0
    return None, dW


def dropout_forward(x, p=0.5, rng=None, training=True):
    """Inverted dropout: zero each entry with probability p, scale the rest by 1/(1−p), so
    eval mode is the identity. ``rng`` (np.random.Generator) is required in training."""
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be a float in [0, 1), got {p!r}")
    if not training or p == 0.0:
        return x, None
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"dropout: pass rng=np.random.Generator in training mode, got {type(rng).__name__}")
    mask = (rng.random(x.shape) >= p).astype(x.dtype) / (1 - p)  # (same as x)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask


# --------------------------------------------------------------------------------------
# shape ops
# --------------------------------------------------------------------------------------


def reshape_forward(x, shape):
    """x (...) -> x.reshape(shape); one −1 is inferred, as torch."""
    shape = tuple(shape)
    if not all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in shape):
        raise TypeError(f"reshape: shape must be ints, got {shape!r}")
    known = math.prod(n for n in shape if n != -1)
    bad = sum(n == -1 for n in shape) > 1 or any(n < -1 for n in shape)
    if bad or (-1 not in shape and known != x.size) or (-1 in shape and (known == 0 or x.size % known)):
        raise ValueError(f"reshape: shape {list(shape)} is invalid for x of shape {x.shape} ({x.size} elements)")
    return x.reshape(shape), x.shape


def reshape_backward(dout, shape):
    return dout.reshape(shape)


def transpose_forward(x, axes=None):
    """Permute axes (``axes=None`` reverses them, as ``np.transpose``). x (...) -> permuted.
    Each axis must be in [−ndim, ndim) and appear once (torch raises, NumPy would wrap)."""
    if axes is None:
        axes = tuple(range(x.ndim))[::-1]
    else:
        axes = tuple(check_dim("permute", a, x.ndim) for a in axes)
        if len(axes) != x.ndim or len(set(axes)) != x.ndim:
            raise ValueError(f"permute: dims {list(axes)} must be a permutation of the {x.ndim} dims of {x.shape}")
    return x.transpose(axes), axes


def transpose_backward(dout, axes):
    return dout.transpose(np.argsort(axes))


def _check_join(op: str, xs, axis: int, new_axis: bool) -> int:
    """torch.cat/stack's checks: a non-empty sequence of arrays of one dtype whose shapes
    agree except (for cat) along ``axis``; returns ``axis`` non-negative."""
    if len(xs) == 0:
        raise ValueError(f"{op}: tensors must be a non-empty sequence of tensors, got an empty one")
    for i, x in enumerate(xs):
        if not isinstance(x, np.ndarray):
            raise TypeError(f"{op}: tensors[{i}] must be a Tensor or ndarray, got {type(x).__name__}")
    ref = xs[0]
    axis = check_dim(op, axis, ref.ndim + new_axis)
    for i, x in enumerate(xs[1:], 1):
        if x.dtype != ref.dtype:
            raise TypeError(f"{op}: tensors[{i}] is {x.dtype} but tensors[0] is {ref.dtype}; expected one dtype")
        same = (
            x.shape == ref.shape
            if new_axis
            else (x.ndim == ref.ndim and all(a == b for d, (a, b) in enumerate(zip(x.shape, ref.shape)) if d != axis))
        )
        if not same:
            want = "the same shape" if new_axis else f"the same shape except in dim {axis}"
            raise ValueError(f"{op}: tensors[{i}] has shape {x.shape} and tensors[0] {ref.shape}; expected {want}")
    return axis


def concat_forward(*xs, axis=0):
    """Join arrays along an existing axis (``torch.cat``). xs[i] (..., n_i, ...) -> (..., Σ n_i, ...)."""
    axis = _check_join("cat", xs, axis, new_axis=False)
    sizes = [x.shape[axis] for x in xs]
    return np.concatenate(xs, axis=axis), (sizes, axis)


def concat_backward(dout, cache):
    sizes, axis = cache
    return tuple(np.split(dout, np.cumsum(sizes)[:-1], axis=axis))


def stack_forward(*xs, axis=0):
    """Join arrays along a new axis (``torch.stack``). n × (...) -> (..., n, ...)."""
    axis = _check_join("stack", xs, axis, new_axis=True)
    return np.stack(xs, axis=axis), (len(xs), axis)


def stack_backward(dout, cache):
    n, axis = cache
    return tuple(np.take(dout, i, axis=axis) for i in range(n))


def split_forward(x, sections, axis=0):
    """Split into pieces: ``sections`` is a size per piece (``torch.split`` with a list).
    x (..., Σ s_i, ...) -> tuple of (..., s_i, ...)."""
    axis = check_dim("split", axis, x.ndim)
    if any(isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0 for n in sections):
        raise ValueError(f"split: split sizes must be non-negative ints, got {list(sections)}")
    if sum(sections) != x.shape[axis]:
        raise ValueError(f"split: sizes {list(sections)} must add up to dim {axis} of size {x.shape[axis]}")
    return tuple(np.split(x, np.cumsum(sections)[:-1], axis=axis)), axis


def split_backward(douts, axis):
    return np.concatenate(douts, axis=axis)


def index_forward(x, idx):
    """x[idx] for any NumPy index (ints, slices, integer arrays, boolean masks)."""
    try:
        return x[idx], (x.shape, idx)
    except IndexError as e:  # name the tensor: NumPy's message alone does not
        raise IndexError(f"index: {e} (tensor of shape {x.shape})") from None


def index_backward(dout, cache):
    shape, idx = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    parts = idx if isinstance(idx, tuple) else (idx,)
    if any(isinstance(p, np.ndarray | list) and np.asarray(p).dtype != bool for p in parts):
        np.add.at(dx, idx, dout)  # integer arrays may repeat an entry: its gradients accumulate
    else:
        dx[idx] = dout  # ints, slices, masks: each entry at most once, and assignment is fast
    return dx


def _gather_index(op: str, x_shape: tuple, axis, index, src_shape: tuple | None = None):
    """Checks shared by gather/scatter_add (torch's rules) -> (axis, full index tuple).

    ``index`` has x's rank; index.size(d) <= x.size(d) for d != axis (and <= src.size(d)
    for every d, for scatter); every entry is in [0, x.size(axis)) (torch raises on a
    negative index, NumPy would wrap it round).
    """
    index = np.asarray(index)
    if index.dtype.kind not in "iu":
        raise TypeError(f"{op}: index must hold integers, got dtype {index.dtype}")
    axis = check_dim(op, axis, len(x_shape))
    if index.ndim != len(x_shape):
        raise ValueError(
            f"{op}: index has {index.ndim} dims {index.shape}; expected {len(x_shape)} like input {x_shape}"
        )
    for d, (i, n) in enumerate(zip(index.shape, x_shape)):
        if d != axis and i > n:
            raise ValueError(f"{op}: index has shape {index.shape}; expected index.size({d}) <= {n}, input's {x_shape}")
    if src_shape is not None and any(i > n for i, n in zip(index.shape, src_shape)):
        raise ValueError(f"{op}: index has shape {index.shape}; expected no dim larger than src's {src_shape}")
    if index.size and (index.min() < 0 or index.max() >= x_shape[axis]):
        bad = index[(index < 0) | (index >= x_shape[axis])].flat[0]
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {axis} with size {x_shape[axis]}")
    idx = list(np.indices(index.shape, sparse=True))  # broadcastable aranges, one per dim
    idx[axis] = index
    return axis, tuple(idx)


def gather_forward(x, axis, index):
    """out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (``torch.gather``): x (...),
    index (...) of x's rank -> out of index's shape."""
    axis, idx = _gather_index("gather", x.shape, axis, index)
    return x[idx], (x.shape, idx)


def gather_backward(dout, cache):
    shape, idx = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dx, idx, dout)  # an entry gathered twice gets both gradients
    return dx, None, None


def where_forward(cond, a, b):
    """Pick a where ``cond`` else b (broadcasting)."""
    cond = np.asarray(cond)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be a boolean array, got dtype {cond.dtype}")
    try:
        out = np.where(cond, a, b)
    except ValueError:
        raise ValueError(
            f"where: condition {cond.shape}, input {np.shape(a)} and other {np.shape(b)} do not broadcast together"
        ) from None
    return out, (cond, np.shape(a), np.shape(b))


def where_backward(dout, cache):
    cond, sa, sb = cache
    zero = np.zeros((), dout.dtype)
    return None, unbroadcast(np.where(cond, dout, zero), sa), unbroadcast(np.where(cond, zero, dout), sb)


def masked_fill_forward(x, mask, value):
    """x with ``value`` written where ``mask`` is True (``Tensor.masked_fill``).
    x (...), mask broadcastable to x -> (...)."""
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a boolean array, got dtype {mask.dtype}")
    if not _broadcasts(mask.shape, x.shape) or np.broadcast_shapes(mask.shape, x.shape) != x.shape:
        raise ValueError(f"masked_fill: mask has shape {mask.shape}; expected a shape broadcastable to x {x.shape}")
    return np.where(mask, np.asarray(value, dtype=x.dtype), x), (mask, x.shape)


def _broadcasts(*shapes) -> bool:
    try:
        np.broadcast_shapes(*shapes)
        return True
    except ValueError:
        return False


def masked_fill_backward(dout, cache):
    mask, shape = cache
    return unbroadcast(np.where(mask, 0, dout), shape).astype(dout.dtype, copy=False), None


def roll_forward(x, shifts, dims=None):
    """Circular shift, as ``torch.roll``: each ``shifts[i]`` along ``dims[i]``; with
    ``dims=None`` x is flattened, rolled and reshaped. x (...) -> (...)."""
    one = isinstance(shifts, int | np.integer)
    if not one and not isinstance(shifts, tuple | list):
        raise TypeError(f"roll: shifts must be an int or a tuple of ints, got {shifts!r}")
    shifts_t = (shifts,) if one else tuple(shifts)
    if not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in shifts_t):
        raise TypeError(f"roll: shifts must be an int or a tuple of ints, got {shifts!r}")
    if dims is None:
        if len(shifts_t) != 1:
            raise ValueError(f"roll: with dims=None, shifts must be one int, got {shifts!r}")
        return np.roll(x, shifts_t[0]), (shifts_t, None)
    dims_t = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
    if len(dims_t) != len(shifts_t):
        raise ValueError(f"roll: shifts {shifts!r} and dims {dims!r} must have the same length")
    dims_t = tuple(check_dim("roll", d, x.ndim) for d in dims_t)
    return np.roll(x, shifts_t, axis=dims_t), (shifts_t, dims_t)


def roll_backward(dout, cache):
    shifts, dims = cache
    if dims is None:
        return np.roll(dout, -shifts[0])
    return np.roll(dout, tuple(-s for s in shifts), axis=dims)


def _norm_p(x, p: float, axis: int) -> np.ndarray:
    """‖x‖_p along ``axis``, keepdims."""
    if p == 2:
        return np.sqrt((x * x).sum(axis=axis, keepdims=True))
    if p == 1:
        return np.abs(x).sum(axis=axis, keepdims=True)
    return (np.abs(x) ** p).sum(axis=axis, keepdims=True) ** (1.0 / p)


def _norm_p_grad(x, norm, p: float) -> np.ndarray:
    """∂‖x‖_p/∂x, 0 where the norm is 0 (torch's subgradient)."""
    safe = np.where(norm > 0, norm, 1)
    if p == 2:
        g = x / safe
    elif p == 1:
        g = np.sign(x)
    else:
        g = np.sign(x) * np.abs(x) ** (p - 1) / safe ** (p - 1)
    return np.where(norm > 0, g, 0)


def normalize_forward(x, p=2.0, axis=1, eps=1e-12):
    """x / max(‖x‖_p, eps) along ``axis``, as ``torch.nn.functional.normalize``.
    x (...) -> (...). Where the norm is below eps the divisor is the constant eps."""
    x = check_array("normalize: input", x, shape_doc="(...)")
    axis = check_dim("normalize", axis, x.ndim)
    if not isinstance(p, int | float) or isinstance(p, bool) or not p > 0:
        raise ValueError(f"normalize: p must be a number > 0, got {p!r}")
    norm = _norm_p(x, p, axis)  # (..., 1, ...)
    denom = np.maximum(norm, eps)
    return (x / denom).astype(x.dtype, copy=False), (x, norm, denom, p, axis, eps)


def normalize_backward(dout, cache):
    x, norm, denom, p, axis, eps = cache
    dx = dout / denom
    ddenom = -(dout * x).sum(axis=axis, keepdims=True) / (denom * denom)  # (..., 1, ...)
    dx = dx + np.where(norm >= eps, ddenom, 0) * _norm_p_grad(x, norm, p)  # clamp_min: no gradient when clamped
    return dx.astype(x.dtype, copy=False)


def cosine_similarity_forward(x1, x2, axis=1, eps=1e-8):
    """Σ (x1/max(‖x1‖, eps))·(x2/max(‖x2‖, eps)) along ``axis``, as
    ``torch.nn.functional.cosine_similarity``, which clamps each norm separately and in
    place under no_grad: the gradient flows through the norm as if it were not clamped.
    x1, x2 (...) broadcastable -> the broadcast shape without ``axis``."""
    x1 = check_array("cosine_similarity: x1", x1, shape_doc="(...)")
    x2 = check_array("cosine_similarity: x2", x2, shape_doc="(...)")
    if x1.dtype != x2.dtype:
        raise TypeError(f"cosine_similarity: x1 is {x1.dtype} but x2 is {x2.dtype}; expected one dtype")
    if not _broadcasts(x1.shape, x2.shape):
        raise ValueError(f"cosine_similarity: x1 {x1.shape} and x2 {x2.shape} do not broadcast together")
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    axis = check_dim("cosine_similarity", axis, len(shape))
    a, b = np.broadcast_to(x1, shape), np.broadcast_to(x2, shape)
    na, nb = _norm_p(a, 2, axis), _norm_p(b, 2, axis)  # (..., 1, ...)
    da, db = np.maximum(na, eps), np.maximum(nb, eps)
    ua, ub = a / da, b / db
    out = (ua * ub).sum(axis=axis)
    return out.astype(x1.dtype, copy=False), (a, b, na, nb, da, db, ua, ub, axis, x1.shape, x2.shape)


def cosine_similarity_backward(dout, cache):
    a, b, na, nb, da, db, ua, ub, axis, s1, s2 = cache
    g = np.expand_dims(dout, axis)  # (..., 1, ...)

    def side(x, n, d, u, other):
        du = g * other  # ∂L/∂u
        dd = -(du * u).sum(axis=axis, keepdims=True) / d  # ∂L/∂(clamped norm)
        return du / d + dd * _norm_p_grad(x, n, 2)

    g1 = side(a, na, da, ua, ub)
    g2 = side(b, nb, db, ub, ua)
    return unbroadcast(g1, s1).astype(a.dtype, copy=False), unbroadcast(g2, s2).astype(b.dtype, copy=False)
