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

The pairs in this file are the core (elementwise, reductions, matmul/linear, softmax
and losses, shape ops). Convolution/pooling/normalisation, recurrent cells and
attention live in ``conv.py``, ``recurrent.py`` and ``attention.py`` beside this file
and are re-exported at the bottom, so ``F.conv2d_forward`` works as well.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array, check_ids

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
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim for a in axis)


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
    """a - b with broadcasting."""
    return a - b, (np.shape(a), np.shape(b))


def sub_backward(dout, cache):
    sa, sb = cache
    return unbroadcast(dout, sa), unbroadcast(-dout, sb)


def mul_forward(a, b):
    """a * b with broadcasting."""
    return a * b, (a, b)


def mul_backward(dout, cache):
    a, b = cache
    return unbroadcast(dout * b, np.shape(a)), unbroadcast(dout * a, np.shape(b))


def div_forward(a, b):
    """a / b with broadcasting."""
    out = a / b
    return out, (a, b, out)


def div_backward(dout, cache):
    a, b, out = cache
    da = dout / b
    return unbroadcast(da, np.shape(a)), unbroadcast(-da * out, np.shape(b))


def pow_forward(a, b):
    """a ** b; ``b`` may be a scalar or an array (then it gets a gradient, a > 0 there)."""
    out = a**b
    return out, (a, b, out)


def pow_backward(dout, cache):
    a, b, out = cache
    da = dout * b * a ** (b - 1)
    if np.ndim(b) == 0 and not isinstance(b, np.ndarray):
        return unbroadcast(da, np.shape(a)), None
    with np.errstate(divide="ignore", invalid="ignore"):
        db = dout * out * np.log(np.where(a > 0, a, 1))
    return unbroadcast(da, np.shape(a)), unbroadcast(db, np.shape(b))


def neg_forward(x):
    return -x, None


def neg_backward(dout, cache):
    return -dout


# --------------------------------------------------------------------------------------
# elementwise unary ops
# --------------------------------------------------------------------------------------


def exp_forward(x):
    out = np.exp(x)
    return out, out


def exp_backward(dout, out):
    return dout * out


def log_forward(x):
    return np.log(x), x


def log_backward(dout, x):
    return dout / x


def sqrt_forward(x):
    out = np.sqrt(x)
    return out, out


def sqrt_backward(dout, out):
    return dout / (2 * out)


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, out):
    return dout * (1 - out * out)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function (no overflow for large |x|)."""
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def sigmoid_forward(x):
    out = sigmoid(x)
    return out, out


def sigmoid_backward(dout, out):
    return dout * out * (1 - out)


def relu_forward(x):
    mask = x > 0
    return x * mask, mask


def relu_backward(dout, mask):
    return dout * mask


# --------------------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------------------


def sum_forward(x, axis=None, keepdims=False):
    """Sum over ``axis`` (int, tuple or None for all)."""
    return x.sum(axis=axis, keepdims=keepdims), (x.shape, axis, keepdims)


def sum_backward(dout, cache):
    shape, axis, keepdims = cache
    return np.broadcast_to(_expand(dout, shape, axis, keepdims), shape).copy()


def mean_forward(x, axis=None, keepdims=False):
    """Mean over ``axis``."""
    n = int(np.prod([x.shape[a] for a in _axes(axis, x.ndim)]))
    return x.mean(axis=axis, keepdims=keepdims), (x.shape, axis, keepdims, n)


def mean_backward(dout, cache):
    shape, axis, keepdims, n = cache
    g = _expand(dout, shape, axis, keepdims) / n
    return np.broadcast_to(g, shape).astype(dout.dtype, copy=True)


def max_forward(x, axis=None, keepdims=False):
    """Max over ``axis``. The gradient goes to the maximal entries, split evenly on ties
    (``torch.amax`` semantics)."""
    out = x.max(axis=axis, keepdims=keepdims)
    return out, (x, axis, keepdims, out)


def max_backward(dout, cache):
    x, axis, keepdims, out = cache
    full = _expand(out, x.shape, axis, keepdims)
    mask = x == full
    count = mask.sum(axis=_axes(axis, x.ndim), keepdims=True)
    return mask * (_expand(dout, x.shape, axis, keepdims) / count).astype(x.dtype)


def logsumexp_forward(x, axis=-1, keepdims=False):
    """log Σ exp(x) over ``axis``, shifted by the max so it never overflows."""
    m = x.max(axis=axis, keepdims=True)
    s = np.exp(x - m)
    lse = np.log(s.sum(axis=axis, keepdims=True)) + m  # keepdims shape
    p = np.exp(x - lse)  # softmax, what the backward needs
    out = lse if keepdims else np.squeeze(lse, axis=axis)
    return out, (p, axis, keepdims)


def logsumexp_backward(dout, cache):
    p, axis, keepdims = cache
    if not keepdims:
        dout = np.expand_dims(dout, axis)
    return dout * p


# --------------------------------------------------------------------------------------
# matmul and linear
# --------------------------------------------------------------------------------------


def matmul_forward(a, b):
    """a (..., n, k) @ b (..., k, m) -> (..., n, m); batch dims broadcast. 1-D inputs are
    treated as NumPy does (a vector on the left is a row, on the right a column)."""
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: inputs must have at least 1 dimension (use * for scalars)")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(
            f"matmul: a has shape {a.shape} and b {b.shape}; expected a (..., n, k) and b (..., k, m) with the same k"
        )
    return a @ b, (a, b)


def matmul_backward(dout, cache):
    a, b = cache
    a2 = a[None, :] if a.ndim == 1 else a  # (1, k) for a vector
    b2 = b[:, None] if b.ndim == 1 else b  # (k, 1) for a vector
    d2 = dout
    if a.ndim == 1:
        d2 = np.expand_dims(d2, -2)
    if b.ndim == 1:
        d2 = np.expand_dims(d2, -1)
    da = d2 @ np.swapaxes(b2, -1, -2)  # (..., n, k)
    db = np.swapaxes(a2, -1, -2) @ d2  # (..., k, m)
    da = unbroadcast(da, a2.shape).reshape(a.shape)
    db = unbroadcast(db, b2.shape).reshape(b.shape)
    return da, db


def linear_forward(x, W, b=None):
    """y = x Wᵀ + b.  x (..., in), W (out, in) (PyTorch's layout), b (out,) or None."""
    if W.ndim != 2 or x.shape[-1] != W.shape[1]:
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


def linear_backward(dout, cache):
    x2, W, has_b, x_shape = cache
    d2 = dout.reshape(-1, dout.shape[-1])  # (N, out)
    dx = (d2 @ W).reshape(x_shape)  # (..., in)
    dW = d2.T @ x2  # (out, in)
    db = d2.sum(axis=0) if has_b else None  # (out,)
    return dx, dW, db


# --------------------------------------------------------------------------------------
# softmax family and losses
# --------------------------------------------------------------------------------------


def softmax_forward(x, axis=-1):
    """Softmax over ``axis``; shifted by the max so exp never overflows."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)
    return out, (out, axis)


def softmax_backward(dout, cache):
    p, axis = cache
    # Jacobian-vector product: p ⊙ (dout − Σ dout·p)
    return p * (dout - (dout * p).sum(axis=axis, keepdims=True))


def log_softmax_forward(x, axis=-1):
    """log softmax = x − logsumexp(x)."""
    m = x.max(axis=axis, keepdims=True)
    z = x - m
    out = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    return out, (out, axis)


def log_softmax_backward(dout, cache):
    out, axis = cache
    return dout - np.exp(out) * dout.sum(axis=axis, keepdims=True)


def cross_entropy_forward(logits, target, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Softmax cross-entropy from logits, as ``torch.nn.functional.cross_entropy``.

    logits (N, C); target (N,) integer class ids. Rows whose target is ``ignore_index``
    add nothing and are not counted in the mean. With label smoothing ε the target
    distribution is (1 − ε)·onehot + ε/C. reduction: "mean" | "sum" | "none".
    """
    logits = check_array("logits", logits, ndim=2, shape_doc="(N, C)")
    N, C = logits.shape
    target = check_ids("target", target, C, shape=(N,), ignore_index=ignore_index)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    valid = target != ignore_index  # (N,)
    t = np.where(valid, target, 0)  # (N,) safe ids for indexing
    logp, _ = log_softmax_forward(logits, axis=1)  # (N, C)
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
    return out, (logp, t, valid, label_smoothing, reduction, n_valid)


def cross_entropy_backward(dout, cache):
    logp, t, valid, eps, reduction, n_valid = cache
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


def mse_forward(pred, target, reduction="mean"):
    """Mean squared error, as ``torch.nn.functional.mse_loss``."""
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


def embedding_forward(ids, W):
    """Rows of W (V, D) picked by integer ``ids`` (...) -> (..., D)."""
    ids = check_ids("ids", ids, W.shape[0])
    return W[ids], (ids, W.shape)


def embedding_backward(dout, cache):
    ids, shape = cache
    dW = np.zeros(shape, dtype=dout.dtype)  # (V, D)
    np.add.at(dW, ids.reshape(-1), dout.reshape(-1, shape[1]))  # repeated ids accumulate
    return None, dW


def dropout_forward(x, p=0.5, rng=None, training=True):
    """Inverted dropout: zero each entry with probability p, scale the rest by 1/(1−p), so
    eval mode is the identity. ``rng`` (np.random.Generator) is required in training."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout: p must be in [0, 1), got {p}")
    if not training or p == 0.0:
        return x, None
    if rng is None:
        raise ValueError("dropout: pass rng=np.random.Generator in training mode")
    mask = (rng.random(x.shape) >= p).astype(x.dtype) / (1 - p)  # (same as x)
    return x * mask, mask


def dropout_backward(dout, mask):
    return dout if mask is None else dout * mask


# --------------------------------------------------------------------------------------
# shape ops
# --------------------------------------------------------------------------------------


def reshape_forward(x, shape):
    return x.reshape(shape), x.shape


def reshape_backward(dout, shape):
    return dout.reshape(shape)


def transpose_forward(x, axes=None):
    """Permute axes (``axes=None`` reverses them, as ``np.transpose``)."""
    axes = tuple(range(x.ndim))[::-1] if axes is None else tuple(a % x.ndim for a in axes)
    return x.transpose(axes), axes


def transpose_backward(dout, axes):
    return dout.transpose(np.argsort(axes))


def concat_forward(*xs, axis=0):
    """Join arrays along an existing axis (``torch.cat``)."""
    sizes = [x.shape[axis] for x in xs]
    return np.concatenate(xs, axis=axis), (sizes, axis)


def concat_backward(dout, cache):
    sizes, axis = cache
    return tuple(np.split(dout, np.cumsum(sizes)[:-1], axis=axis))


def stack_forward(*xs, axis=0):
    """Join arrays along a new axis (``torch.stack``)."""
    return np.stack(xs, axis=axis), (len(xs), axis)


def stack_backward(dout, cache):
    n, axis = cache
    return tuple(np.take(dout, i, axis=axis) for i in range(n))


def split_forward(x, sections, axis=0):
    """Split into pieces: ``sections`` is a size per piece (``torch.split`` with a list)."""
    if sum(sections) != x.shape[axis]:
        raise ValueError(f"split: sizes {sections} must add up to dim {axis} of size {x.shape[axis]}")
    return tuple(np.split(x, np.cumsum(sections)[:-1], axis=axis)), axis


def split_backward(douts, axis):
    return np.concatenate(douts, axis=axis)


def index_forward(x, idx):
    """x[idx] for any NumPy index (ints, slices, integer arrays, boolean masks)."""
    return x[idx], (x.shape, idx)


def index_backward(dout, cache):
    shape, idx = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    np.add.at(dx, idx, dout)  # repeated integer indices accumulate
    return dx


def gather_forward(x, axis, index):
    """out[i][j] = x[i][index[i][j]] along ``axis`` (``torch.gather``)."""
    return np.take_along_axis(x, index, axis=axis), (x.shape, axis, index)


def gather_backward(dout, cache):
    shape, axis, index = cache
    dx = np.zeros(shape, dtype=dout.dtype)
    idx = list(np.indices(index.shape, sparse=True))
    idx[axis] = index
    np.add.at(dx, tuple(idx), dout)
    return dx, None, None


def where_forward(cond, a, b):
    """Pick a where ``cond`` else b (broadcasting)."""
    cond = np.asarray(cond, dtype=bool)
    return np.where(cond, a, b), (cond, np.shape(a), np.shape(b))


def where_backward(dout, cache):
    cond, sa, sb = cache
    zero = np.zeros((), dout.dtype)
    return None, unbroadcast(np.where(cond, dout, zero), sa), unbroadcast(np.where(cond, zero, dout), sb)


def masked_fill_forward(x, mask, value):
    """x with ``value`` written where ``mask`` is True (``Tensor.masked_fill``)."""
    mask = np.asarray(mask, dtype=bool)
    return np.where(mask, np.asarray(value, dtype=x.dtype), x), (mask, x.shape)


def masked_fill_backward(dout, cache):
    mask, shape = cache
    return unbroadcast(np.where(mask, 0, dout), shape).astype(dout.dtype, copy=False), None


# The rest of the pairs live in thematic files; re-exported so ``F.<name>`` finds them all.
from .attention import *  # noqa: E402, F401, F403
from .conv import *  # noqa: E402, F401, F403
from .ctc import *  # noqa: E402, F401, F403
from .lrn import *  # noqa: E402, F401, F403
from .recurrent import *  # noqa: E402, F401, F403
