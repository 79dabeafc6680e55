"""Convolution, pooling and normalisation pairs (the pair contract is in ``pairs/__init__.py``).

Shapes (PyTorch's layouts and semantics throughout)::

    conv1d_forward(x (N, C, L), w (F, C/groups, K), b (F,) | None, stride=1, padding=0, dilation=1, groups=1)
        -> out (N, F, L_out);                      conv1d_backward -> (dx, dw, db | None)
    conv2d_forward(x (N, C, H, W), w (F, C/groups, kh, kw), b (F,) | None, stride=1, padding=0,
        dilation=1, groups=1)   (stride/padding/dilation: int or (h, w) pair; padding "same"/"valid")
        -> out (N, F, H_out, W_out);               conv2d_backward -> (dx, dw, db | None)
    max_pool2d_forward(x (N, C, H, W), kernel_size, stride=None, padding=0)
        -> out (N, C, H_out, W_out);               max_pool2d_backward -> dx
    avg_pool2d_forward(x (N, C, H, W), kernel_size, stride=None, padding=0)
        -> out (N, C, H_out, W_out);               avg_pool2d_backward -> dx
    layer_norm_forward(x (..., *S), gamma (S) | None, beta (S) | None, eps=1e-5)
        -> out (..., *S);                          layer_norm_backward -> (dx, dgamma, dbeta)
    batch_norm_forward(x (N, C) | (N, C, L) | (N, C, H, W), gamma (C,) | None, beta (C,) | None,
        running_mean (C,) | None, running_var (C,) | None, training=True, momentum=0.1,
        eps=1e-5) -> out (same as x);              batch_norm_backward -> (dx, dg, db, None, None)

with, per spatial axis, ``out = (size + 2·padding − dilation·(k − 1) − 1) // stride + 1``
(PyTorch's floor rule; pooling has dilation 1 and ``stride`` defaults to the kernel size).

How the convolution is computed (im2col)
----------------------------------------
A convolution is a matrix product once every receptive field is laid out as a column.
``sliding_window_view`` gives all windows of the zero-padded input as a view without
copying; one copy arranges them into the column matrix

    cols (C·kh·kw, H_out·W_out·N),    out = w.reshape(F, C·kh·kw) @ cols,

so the whole layer is a single BLAS call (a loop of per-image products is several
times slower: each small call pays BLAS's fixed overhead). The backward is two more
products, ``dw = dout @ colsᵀ`` and ``dcols = wᵀ @ dout``, and col2im, which adds each
column entry back onto the input pixel it was read from. Col2im loops over the kh·kw
kernel offsets only: for a fixed offset (i, j) the outputs read a strided slice of the
padded input (a "tap"), so one vectorised ``+=`` per offset does all images and pixels.
Overlapping windows (stride < kernel) are handled because the offsets are summed in turn.
Inside the pair the batch is the innermost axis, (C, H, W, N), so that each tap is made
of long contiguous runs (a speed choice only; inputs and outputs are (N, C, H, W)).

Pooling uses the same taps: the kh·kw of them are gathered into one contiguous array;
max pooling keeps, per output, the running maximum and which offset produced it (the
first one on ties, as PyTorch; NaN propagates), and its backward routes each gradient to
that one input; average pooling sums the taps and spreads the gradient evenly.

Normalisation: layer norm uses the statistics of each sample over its last ``len(S)``
axes; batch norm those of each channel over the batch (and length / spatial axes), with
the biased variance to normalise and, in training, an in-place update of the running
statistics with the unbiased one, ``r ← (1 − momentum)·r + momentum·batch_stat``.
Both backwards use the closed form
``dx = (g − mean(g) − x̂·mean(g·x̂)) / σ``, g = dout·γ, means over the normalised axes.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..checks import check_array

__all__ = [
    "conv1d_forward",
    "conv1d_backward",
    "conv2d_forward",
    "conv2d_backward",
    "max_pool2d_forward",
    "max_pool2d_backward",
    "avg_pool2d_forward",
    "avg_pool2d_backward",
    "layer_norm_forward",
    "layer_norm_backward",
    "batch_norm_forward",
    "batch_norm_backward",
    "local_response_norm_forward",
    "local_response_norm_backward",
]

IntOrPair = int | tuple[int, int]

# --------------------------------------------------------------------------------------
# argument checks and geometry helpers
# --------------------------------------------------------------------------------------


def _is_int(v) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def _ints(op: str, name: str, v, n: int, minimum: int) -> tuple[int, ...]:
    """``v`` as a tuple of ``n`` ints ≥ ``minimum`` (an int is repeated ``n`` times)."""
    if _is_int(v):
        v = (int(v),) * n
    elif isinstance(v, tuple | list) and len(v) == n and all(_is_int(u) for u in v):
        v = tuple(int(u) for u in v)
    else:
        want = "an int" if n == 1 else f"an int or a tuple of {n} ints"
        raise TypeError(f"{op}: {name} must be {want}, got {v!r}")
    if min(v) < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {v if n > 1 else v[0]}")
    return v


def _out_size(op: str, axis: str, size: int, k: int, s: int, p: int, d: int) -> int:
    """Number of window positions along one axis (PyTorch's floor rule); ``p`` is the
    total padding (both sides)."""
    span = d * (k - 1) + 1  # extent of one dilated window
    if size + p < span:
        raise ValueError(
            f"{op}: the kernel spans {span} along {axis} (kernel {k}, dilation {d}) but the "
            f"padded input has only {size + p} ({size} + {p} padding); expected "
            f"{axis} + padding >= dilation·(kernel − 1) + 1"
        )
    return (size + p - span) // s + 1


def _same_dtype(op: str, x: np.ndarray, **others) -> None:
    for name, a in others.items():
        if a is not None and a.dtype != x.dtype:
            raise TypeError(
                f"{op}: x is {x.dtype} but {name} is {a.dtype}; expected the same dtype (cast one with .astype)"
            )


def _pad(x: np.ndarray, ph: int, pw: int, value: float) -> np.ndarray:
    """x (N, C, H, W) -> (N, C, H + 2·ph, W + 2·pw), border filled with ``value``."""
    if ph == 0 and pw == 0:
        return x
    N, C, H, W = x.shape
    xp = np.full((N, C, H + 2 * ph, W + 2 * pw), value, dtype=x.dtype)  # (N, C, Hp, Wp)
    xp[:, :, ph : ph + H, pw : pw + W] = x
    return xp


def _taps(kh: int, kw: int, Ho: int, Wo: int, stride, dilation) -> Iterator[tuple[int, int, slice, slice]]:
    """For each kernel offset (i, j): the row and column slices of the padded input that
    this offset reads for all Ho × Wo outputs at once (a strided "tap")."""
    (sh, sw), (dh, dw) = stride, dilation
    for i in range(kh):
        for j in range(kw):
            ys = slice(i * dh, i * dh + sh * (Ho - 1) + 1, sh)
            xs = slice(j * dw, j * dw + sw * (Wo - 1) + 1, sw)
            yield i, j, ys, xs


# --------------------------------------------------------------------------------------
# convolution (im2col + one matmul)
# --------------------------------------------------------------------------------------


def _check_conv(op: str, x, w, b, layout: str, w_layout: str, groups: int = 1) -> None:
    nd = len(layout.split(","))
    x = check_array(f"{op}: x", x, ndim=nd, shape_doc=layout)
    w = check_array(f"{op}: weight", w, ndim=nd, shape_doc=w_layout)
    if not _is_int(groups) or groups < 1:
        raise ValueError(f"{op}: groups must be an int >= 1, got {groups!r}")
    if min(w.shape) == 0 or min(x.shape[1:]) == 0:
        raise ValueError(f"{op}: x {x.shape} and weight {w.shape} must have no empty channel or kernel dim")
    if w.shape[0] % groups or x.shape[1] % groups:
        raise ValueError(
            f"{op}: groups={groups} must divide both x's {x.shape[1]} channels and weight's {w.shape[0]} filters"
        )
    if x.shape[1] != w.shape[1] * groups:
        per_group = f" ({w.shape[1]} per group × groups={groups})" if groups > 1 else ""
        raise ValueError(
            f"{op}: x has {x.shape[1]} channels but weight expects {w.shape[1] * groups}{per_group}; "
            f"expected x {layout} and weight {w_layout}"
        )
    if b is not None:
        b = check_array(f"{op}: bias", b, shape_doc=f"({w.shape[0]},)")
        if b.shape != (w.shape[0],):
            raise ValueError(
                f"{op}: bias has shape {b.shape}; expected ({w.shape[0]},), one per output channel of weight {w_layout}"
            )
    _same_dtype(op, x, weight=w, bias=b)


def _conv_padding(op: str, padding, kernel: tuple[int, ...], stride, dilation) -> tuple[tuple[int, int], ...]:
    """int | tuple | "valid" | "same" -> ((before, after), ...) per spatial axis.

    "same" keeps the size (stride 1 only, as torch): total padding d·(k − 1) per axis,
    the odd one on the right (torch's choice for even kernels).
    """
    n = len(kernel)
    if padding == "valid":
        return ((0, 0),) * n
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' needs stride 1 (as torch), got stride {stride}")
        total = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in total)
    if isinstance(padding, str):
        raise ValueError(f"{op}: padding must be an int, a tuple of ints, 'same' or 'valid', got {padding!r}")
    return tuple((p, p) for p in _ints(op, "padding", padding, n, 0))


def _conv2d(op: str, x, w, b, stride, padding, dilation, groups: int = 1):
    """Checked inputs and normalised pairs -> (out, cache). See conv2d_forward.
    ``padding`` is ((top, bottom), (left, right)).

    Internally the batch is the innermost axis, (C, H, W, N): then the pixels a kernel
    offset reads for every image form long contiguous runs, which makes both the im2col
    copy and the col2im additions several times faster than in (N, C, H, W).
    """
    N, C, H, W = x.shape
    F, Cg, kh, kw = w.shape
    (sh, sw), ((pt, pb), (pl, pr)), (dh, dw) = stride, padding, dilation
    Ho = _out_size(op, "H", H, kh, sh, pt + pb, dh)
    Wo = _out_size(op, "W", W, kw, sw, pl + pr, dw)
    xp = np.zeros((C, H + pt + pb, W + pl + pr, N), dtype=x.dtype)  # (C, Hp, Wp, N) zero-padded
    xp[:, pt : pt + H, pl : pl + W, :] = x.transpose(1, 2, 3, 0)
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # extent of one dilated window
    win = sliding_window_view(xp, span, axis=(1, 2))  # (C, Hp-., Wp-., N, span_h, span_w) view
    win = win[:, ::sh, ::sw, :, ::dh, ::dw]  # (C, Ho, Wo, N, kh, kw) view: stride, dilation
    cols = win.transpose(0, 4, 5, 1, 2, 3).reshape(C * kh * kw, Ho * Wo * N)  # (C·kh·kw, Ho·Wo·N)
    if groups == 1:
        out = w.reshape(F, -1) @ cols  # (F, Ho·Wo·N): the whole layer in one matmul
    else:  # one batched product: group g's filters read only group g's channels
        G = groups
        out = (w.reshape(G, F // G, -1) @ cols.reshape(G, Cg * kh * kw, -1)).reshape(F, -1)  # (F, Ho·Wo·N)
    if b is not None:
        out += b[:, None]  # (F, Ho·Wo·N)
    out = out.reshape(F, Ho, Wo, N).transpose(3, 0, 1, 2)  # (N, F, Ho, Wo) view
    cache = (cols, w, b is not None, x.shape, xp.shape, (Ho, Wo), stride, padding, dilation, groups)
    return np.ascontiguousarray(out), cache  # (N, F, Ho, Wo)


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> tuple[np.ndarray, tuple]:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    x (N, C, H, W), w (F, C/groups, kh, kw), b (F,) or None -> out (N, F, H_out, W_out) with
    out[n, f, y, z] = b[f] + Σ_{c,i,j} w[f, c, i, j] · x_pad[n, g·C/groups + c, y·sh + i·dh, z·sw + j·dw],
    g = f // (F/groups) the filter's group, x_pad being x zero-padded. stride, dilation:
    int or (h, w) pair; padding: that, or "valid" (0) or "same" (stride 1 only).
    """
    _check_conv("conv2d", x, w, b, "(N, C, H, W)", "(F, C, kh, kw)" if groups == 1 else "(F, C/groups, kh, kw)", groups)
    stride = _ints("conv2d", "stride", stride, 2, 1)
    dilation = _ints("conv2d", "dilation", dilation, 2, 1)
    padding = _conv_padding("conv2d", padding, w.shape[2:], stride, dilation)
    return _conv2d("conv2d", x, w, b, stride, padding, dilation, groups)


def conv2d_backward(
    dout: np.ndarray, cache: tuple, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """dout (N, F, H_out, W_out) -> (dx (N, C, H, W), dw (F, C/groups, kh, kw), db (F,) | None).

    ``input_grad=False`` skips dx (returned as None): a network's first layer reads the
    data, which needs no gradient, so its dcols product and col2im would be thrown away
    (PyTorch's convolution_backward takes the same hint as its ``output_mask``).
    """
    cols, w, has_b, (N, C, H, W), xp_shape, (Ho, Wo), stride, padding, dilation, G = cache
    F, Cg, kh, kw = w.shape
    (pt, _), (pl, _) = padding
    d = dout.transpose(1, 2, 3, 0).reshape(F, Ho * Wo * N)  # (F, Ho·Wo·N), cols' column order
    db = d.sum(axis=1) if has_b else None  # (F,)
    if G == 1:
        dw = (cols @ d.T).T.reshape(w.shape)  # (F, C, kh, kw); this order is ~2x faster in BLAS
    else:
        dg = d.reshape(G, F // G, -1)  # (G, F/G, Ho·Wo·N)
        dw = (dg @ cols.reshape(G, Cg * kh * kw, -1).transpose(0, 2, 1)).reshape(w.shape)  # (F, C/G, kh, kw)
    if not input_grad:
        return None, dw, db
    if G == 1:
        dcols = (w.reshape(F, -1).T @ d).reshape(C, kh, kw, Ho, Wo, N)  # (C, kh, kw, Ho, Wo, N)
    else:
        wg = w.reshape(G, F // G, -1).transpose(0, 2, 1)  # (G, C/G·kh·kw, F/G)
        dcols = (wg @ d.reshape(G, F // G, -1)).reshape(C, kh, kw, Ho, Wo, N)  # (C, kh, kw, Ho, Wo, N)
    # col2im: every column entry is added back onto the padded pixel it was read from,
    # one kernel offset at a time (offsets overlap when stride < kernel: they accumulate).
    dxp = np.zeros(xp_shape, dtype=dcols.dtype)  # (C, Hp, Wp, N)
    for i, j, ys, xs in _taps(kh, kw, Ho, Wo, stride, dilation):
        dxp[:, ys, xs, :] += dcols[:, i, j]  # (C, Ho, Wo, N) onto a strided slice
    dx = dxp[:, pt : pt + H, pl : pl + W, :].transpose(3, 0, 1, 2)  # (N, C, H, W) view
    return np.ascontiguousarray(dx), dw, db


def conv1d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray | None = None,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    groups: int = 1,
) -> tuple[np.ndarray, tuple]:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``.

    x (N, C, L), w (F, C/groups, K), b (F,) or None -> out (N, F, L_out). padding: an
    int, "valid" or "same". Computed as conv2d with a unit height axis: x (N, C, 1, L),
    w (F, C/groups, 1, K).
    """
    _check_conv("conv1d", x, w, b, "(N, C, L)", "(F, C, K)" if groups == 1 else "(F, C/groups, K)", groups)
    (s,) = _ints("conv1d", "stride", stride, 1, 1)
    (d,) = _ints("conv1d", "dilation", dilation, 1, 1)
    (pad,) = _conv_padding("conv1d", padding, w.shape[2:], (s,), (d,))
    out, cache = _conv2d("conv1d", x[:, :, None, :], w[:, :, None, :], b, (1, s), ((0, 0), pad), (1, d), groups)
    return out[:, :, 0, :], cache  # (N, F, L_out)


def conv1d_backward(
    dout: np.ndarray, cache: tuple, input_grad: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """dout (N, F, L_out) -> (dx (N, C, L), dw (F, C/groups, K), db (F,) | None); dx is None
    when ``input_grad=False`` (see conv2d_backward)."""
    dx, dw, db = conv2d_backward(dout[:, :, None, :], cache, input_grad)  # (N, C, 1, L), (F, C, 1, K)
    return (None if dx is None else dx[:, :, 0, :]), dw[:, :, 0, :], db


# --------------------------------------------------------------------------------------
# pooling
# --------------------------------------------------------------------------------------


def _pool_geometry(op: str, x, kernel_size, stride, padding):
    """Checks shared by the pools -> (kernel, stride, padding, (Ho, Wo)) as (h, w) pairs."""
    x = check_array(f"{op}: x", x, ndim=4, shape_doc="(N, C, H, W)")
    kernel = _ints(op, "kernel_size", kernel_size, 2, 1)
    stride = kernel if stride is None else _ints(op, "stride", stride, 2, 1)
    padding = _ints(op, "padding", padding, 2, 0)
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"{op}: padding {padding} must be at most half of kernel_size {kernel}")
    H, W = x.shape[2:]
    Ho = _out_size(op, "H", H, kernel[0], stride[0], 2 * padding[0], 1)
    Wo = _out_size(op, "W", W, kernel[1], stride[1], 2 * padding[1], 1)
    return kernel, stride, padding, (Ho, Wo)


def _gather_taps(xp: np.ndarray, kernel, stride) -> np.ndarray:
    """xp (N, C, Hp, Wp) -> (kh·kw, N, C, Ho, Wo): entry k = i·kw + j holds what kernel
    offset (i, j) sees for every output. One copy; afterwards every tap is contiguous, so
    the per-offset arithmetic runs at full speed (strided reads are several times slower)."""
    (kh, kw), (sh, sw) = kernel, stride
    N, C = xp.shape[:2]
    win = sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, kh, kw)
    Ho, Wo = win.shape[2:4]
    return win.transpose(4, 5, 0, 1, 2, 3).reshape(kh * kw, N, C, Ho, Wo)  # (kh·kw, N, C, Ho, Wo)


def max_pool2d_forward(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> tuple[np.ndarray, tuple]:
    """Max over each kh × kw window, as ``torch.nn.functional.max_pool2d``.

    x (N, C, H, W) -> out (N, C, H_out, W_out). ``stride`` defaults to ``kernel_size``;
    windows may overlap (stride < kernel). Padding is −∞ (never the max), at most half
    the kernel. The cache keeps, per output, which kernel offset held the max: the first
    one on ties (PyTorch's choice), a NaN's if the window has one (the output is NaN).
    """
    kernel, stride, (ph, pw), (Ho, Wo) = _pool_geometry("max_pool2d", x, kernel_size, stride, padding)
    xp = _pad(x, ph, pw, -np.inf)  # (N, C, Hp, Wp)
    taps = _gather_taps(xp, kernel, stride)  # (kh·kw, N, C, Ho, Wo)
    out = taps[0].copy()  # (N, C, Ho, Wo) running max over the offsets seen so far
    arg = np.zeros(out.shape, dtype=np.int32)  # (N, C, Ho, Wo) offset of that max
    for k in range(1, len(taps)):
        v = taps[k]  # (N, C, Ho, Wo) what offset k sees
        take = (v > out) | np.isnan(v)  # strictly greater: ties keep the earlier offset
        arg += take * (k - arg)  # arithmetic, not np.where: much faster on random masks
        np.maximum(out, v, out=out)  # NaN-propagating
    cache = (arg, x.shape, xp.shape, kernel, stride, (ph, pw))
    return out, cache


def max_pool2d_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dout (N, C, H_out, W_out) -> dx (N, C, H, W): each window's gradient goes to the
    one input that was its max; overlapping windows add up."""
    arg, (N, C, H, W), xp_shape, (kh, kw), (sh, sw), (ph, pw) = cache
    Ho, Wo = arg.shape[2:]
    Hp, Wp = xp_shape[2:]
    if sh >= kh and sw >= kw:
        # Windows that do not overlap (the usual 2×2/2): each input pixel is in one window
        # at most, so each tap's gradient is written, not added (half the memory traffic).
        dxp = np.zeros(xp_shape, dtype=dout.dtype)  # (N, C, Hp, Wp)
        for i, j, ys, xs in _taps(kh, kw, Ho, Wo, (sh, sw), (1, 1)):
            dxp[:, :, ys, xs] = dout * (arg == i * kw + j)  # (N, C, Ho, Wo) onto a strided slice
        return dxp[:, :, ph : ph + H, pw : pw + W]  # (N, C, H, W)
    # Overlapping windows (AlexNet's 3/2): one scatter-add of every window's gradient onto
    # the padded pixel that was its max (2-3x faster than nine masked tap additions).
    rows = np.arange(Ho)[:, None] * sh + arg // kw  # (N, C, Ho, Wo) row of each window's max
    cols = np.arange(Wo) * sw + arg % kw  # (N, C, Ho, Wo) its column
    flat = (np.arange(N * C).reshape(N, C, 1, 1) * Hp + rows) * Wp + cols  # (N, C, Ho, Wo)
    dxp = np.zeros(N * C * Hp * Wp, dtype=dout.dtype)  # (N·C·Hp·Wp,)
    # np.add.at adds in array order. Reversed, a pixel that is the max of several windows
    # sums their gradients in kernel-offset order, as a tap-by-tap loop does (float sums
    # depend on order; this keeps results identical to that loop, bit for bit).
    np.add.at(dxp, flat.ravel()[::-1], dout.ravel()[::-1])
    dxp = dxp.reshape(xp_shape)  # (N, C, Hp, Wp)
    return dxp[:, :, ph : ph + H, pw : pw + W]  # (N, C, H, W)


def avg_pool2d_forward(
    x: np.ndarray,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
) -> tuple[np.ndarray, tuple]:
    """Mean over each kh × kw window, as ``torch.nn.functional.avg_pool2d`` with its
    default count_include_pad=True (zero padding counts, so the divisor is always kh·kw).

    x (N, C, H, W) -> out (N, C, H_out, W_out); ``stride`` defaults to ``kernel_size``.
    """
    kernel, stride, (ph, pw), (Ho, Wo) = _pool_geometry("avg_pool2d", x, kernel_size, stride, padding)
    xp = _pad(x, ph, pw, 0.0)  # (N, C, Hp, Wp)
    taps = _gather_taps(xp, kernel, stride)  # (kh·kw, N, C, Ho, Wo)
    out = taps.sum(axis=0) / len(taps)  # (N, C, Ho, Wo)
    return out.astype(x.dtype, copy=False), (x.shape, xp.shape, kernel, stride, (ph, pw))


def avg_pool2d_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dout (N, C, H_out, W_out) -> dx (N, C, H, W): each input gets 1/(kh·kw) of the
    gradient of every window it belongs to."""
    (N, C, H, W), xp_shape, (kh, kw), stride, (ph, pw) = cache
    Ho, Wo = dout.shape[2:]
    g = dout / (kh * kw)  # (N, C, Ho, Wo)
    dxp = np.zeros(xp_shape, dtype=g.dtype)  # (N, C, Hp, Wp)
    for _, _, ys, xs in _taps(kh, kw, Ho, Wo, stride, (1, 1)):
        dxp[:, :, ys, xs] += g  # overlapping windows add up
    return dxp[:, :, ph : ph + H, pw : pw + W]  # (N, C, H, W)


# --------------------------------------------------------------------------------------
# normalisation
# --------------------------------------------------------------------------------------


def layer_norm_forward(
    x: np.ndarray,
    gamma: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    eps: float = 1e-5,
    normalized_shape: int | tuple[int, ...] | None = None,
) -> tuple[np.ndarray, tuple]:
    """Layer norm (Ba et al. 2016), as ``torch.nn.functional.layer_norm``.

    x (..., *S), gamma (S) or None, beta (S) or None -> out (..., *S):
    out = (x − μ) / √(σ² + eps) · gamma + beta, μ and σ² (biased) taken over the last
    len(S) axes of each sample. S is gamma's (or beta's) shape; without either, pass
    ``normalized_shape`` (default: the last axis).
    """
    x = check_array("layer_norm: x", x, shape_doc="(..., *normalized_shape)")
    if gamma is not None:
        gamma = check_array("layer_norm: gamma", gamma, shape_doc="(normalized_shape)")
    if beta is not None:
        beta = check_array("layer_norm: beta", beta, shape_doc="(normalized_shape)")
    if normalized_shape is not None:
        S = (normalized_shape,) if _is_int(normalized_shape) else tuple(normalized_shape)
    else:
        S = gamma.shape if gamma is not None else beta.shape if beta is not None else x.shape[-1:]
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p is not None and p.shape != S:
            raise ValueError(f"layer_norm: {name} has shape {p.shape}; expected {S}, the normalised shape")
    k = len(S)
    if k == 0:
        raise ValueError("layer_norm: the normalised shape is empty; expected at least one axis")
    if x.ndim < k or x.shape[x.ndim - k :] != S:
        raise ValueError(
            f"layer_norm: x has shape {x.shape}; expected x (..., {', '.join(map(str, S))}), "
            f"its last {k} axes equal to the normalised shape {S}"
        )
    _same_dtype("layer_norm", x, gamma=gamma, beta=beta)
    axes = tuple(range(x.ndim - k, x.ndim))  # the normalised axes
    mu = x.mean(axis=axes, keepdims=True)  # (..., 1 × k)
    xc = x - mu  # (..., *S)
    inv_std = 1.0 / np.sqrt((xc * xc).mean(axis=axes, keepdims=True) + eps)  # (..., 1 × k)
    xhat = xc * inv_std  # (..., *S)
    out = xhat
    if gamma is not None:
        out = out * gamma  # (..., *S)
    if beta is not None:
        out = out + beta  # (..., *S)
    return out, (xhat, inv_std, gamma, beta is not None, axes)


def layer_norm_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """dout (..., *S) -> (dx (..., *S), dgamma (S) | None, dbeta (S) | None)."""
    xhat, inv_std, gamma, has_beta, axes = cache
    lead = tuple(range(xhat.ndim - len(axes)))  # the sample axes, summed for the params
    dgamma = (dout * xhat).sum(axis=lead) if gamma is not None else None  # (S)
    dbeta = dout.sum(axis=lead) if has_beta else None  # (S)
    g = dout * gamma if gamma is not None else dout  # (..., *S) gradient w.r.t. xhat
    dx = inv_std * (  # (..., *S)
        g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)
    )
    return dx, dgamma, dbeta


def batch_norm_forward(
    x: np.ndarray,
    gamma: np.ndarray | None = None,
    beta: np.ndarray | None = None,
    running_mean: np.ndarray | None = None,
    running_var: np.ndarray | None = None,
    training: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[np.ndarray, tuple]:
    """Batch norm (Ioffe & Szegedy 2015), as ``torch.nn.functional.batch_norm``.

    x (N, C) | (N, C, L) | (N, C, H, W); gamma, beta, running_mean, running_var (C,) or
    None -> out (same shape as x). Statistics are per channel over every axis but 1.

    training=True: normalise with the batch mean and biased variance; update the running
    statistics **in place** (if given): r ← (1 − momentum)·r + momentum·s, with the
    unbiased variance n/(n − 1)·σ² for ``running_var``. training=False: normalise with
    the running statistics (required then); nothing is updated.
    """
    x = check_array("batch_norm: x", x, ndim=(2, 3, 4), shape_doc="(N, C), (N, C, L) or (N, C, H, W)")
    C = x.shape[1]
    named = (
        ("gamma", gamma),
        ("beta", beta),
        ("running_mean", running_mean),
        ("running_var", running_var),
    )
    for name, p in named:
        if p is not None:
            check_array(f"batch_norm: {name}", p, shape_doc=f"({C},)")
            if p.shape != (C,):
                raise ValueError(
                    f"batch_norm: {name} has shape {p.shape}; expected ({C},), one per channel "
                    f"of x {x.shape} (channels on axis 1)"
                )
    _same_dtype("batch_norm", x, gamma=gamma, beta=beta)
    axes = (0,) + tuple(range(2, x.ndim))  # every axis but the channel axis
    bshape = (1, C) + (1,) * (x.ndim - 2)  # (1, C, 1, ...) broadcasts a (C,) vector
    n = x.size // C  # values per channel
    if training:
        if n <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got x of shape {x.shape}"
            )
        mean = x.mean(axis=axes)  # (C,)
        var = x.var(axis=axes)  # (C,) biased: what normalises the batch
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += momentum * var * (n / (n - 1))  # unbiased, as PyTorch
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: training=False needs running_mean and running_var (C,)")
        mean, var = running_mean.astype(x.dtype), running_var.astype(x.dtype)  # (C,)
    inv_std = (1.0 / np.sqrt(var + eps)).reshape(bshape)  # (1, C, 1, ...)
    xhat = (x - mean.reshape(bshape)) * inv_std  # same as x
    out = xhat
    if gamma is not None:
        out = out * gamma.reshape(bshape)  # same as x
    if beta is not None:
        out = out + beta.reshape(bshape)  # same as x
    return out, (xhat, inv_std, gamma, beta is not None, axes, bshape, training)


def batch_norm_backward(dout: np.ndarray, cache: tuple) -> tuple:
    """dout (same as x) -> (dx, dgamma (C,) | None, dbeta (C,) | None, None, None).

    In training the batch statistics depend on x, which adds the two mean terms; in eval
    mode the running statistics are constants and dx = dout·γ/σ.
    """
    xhat, inv_std, gamma, has_beta, axes, bshape, training = cache
    dgamma = (dout * xhat).sum(axis=axes) if gamma is not None else None  # (C,)
    dbeta = dout.sum(axis=axes) if has_beta else None  # (C,)
    g = dout * gamma.reshape(bshape) if gamma is not None else dout  # same as x: ∂L/∂xhat
    if training:
        g = g - g.mean(axis=axes, keepdims=True) - xhat * (g * xhat).mean(axis=axes, keepdims=True)
    dx = g * inv_std  # same as x
    return dx, dgamma, dbeta, None, None


# --------------------------------------------------------------------------------------
# local response normalisation
# --------------------------------------------------------------------------------------
# Local response normalisation (Krizhevsky, Sutskever & Hinton 2012, Section 3.3).
#
# Shapes (PyTorch's ``torch.nn.functional.local_response_norm`` semantics)::
#
#     local_response_norm_forward(x (N, C, *spatial), size, alpha=1e-4, beta=0.75, k=1.0)
#         -> out (N, C, *spatial);                   local_response_norm_backward -> dx
#
# Each activation is divided by a power of the summed squares of its neighbours *across
# channels* at the same position ("brightness normalisation": kernels compete):
#
#     s_c = k + (alpha / size) · Σ_{c' ∈ W(c)} x_{c'}²,      out_c = x_c · s_c^(−beta),
#
# with the window W(c) = [c − ⌊size/2⌋, c + ⌈size/2⌉ − 1] clipped to [0, C). This is
# PyTorch's convention: alpha is divided by ``size`` (the paper writes alpha without the
# 1/size; its k=2, n=5, alpha=1e-4, beta=0.75 correspond to alpha=5e-4 here), and for an
# even ``size`` the window has one more channel before c than after.
#
# Backward. out_c depends on x_c directly and on every x_j in W(c) through s_c:
#
#     dx_j = dout_j · s_j^(−beta) − (2·alpha·beta / size) · x_j · Σ_{c : j ∈ W(c)} dout_c · x_c · s_c^(−beta−1).
#
# j ∈ W(c) ⇔ c ∈ [j − ⌈size/2⌉ + 1, j + ⌊size/2⌋], the mirror window, so both sums are
# sliding-window sums along the channel axis: ``size`` shifted adds, no loop over C.


def _window_sum(a: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[:, c] = Σ a[:, c'] for c' in [c − before, c + after] ∩ [0, C), any trailing axes.

    Zero-pads the channel axis and adds ``before + after + 1`` shifted slices: a loop over
    the window's offsets only (like conv's kernel taps), each add one contiguous array op.
    """
    N, C = a.shape[:2]
    padded = np.zeros((N, C + before + after, *a.shape[2:]), dtype=a.dtype)  # (N, C + size − 1, ...)
    padded[:, before : before + C] = a
    out = padded[:, 0:C].copy()  # (N, C, ...) offset −before
    for o in range(1, before + after + 1):
        out += padded[:, o : o + C]  # (N, C, ...) offset o − before
    return out


def local_response_norm_forward(
    x: np.ndarray, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> tuple[np.ndarray, tuple]:
    """out = x · (k + alpha/size · Σ_window x²)^(−beta), the window running across channels.

    x (N, C, *spatial) with at least 3 dims (as PyTorch) -> out, same shape.
    """
    x = check_array("local_response_norm: x", x, shape_doc="(N, C, *spatial)")
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: x must be (N, C, *spatial) with >= 3 dims, got shape {x.shape}")
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"local_response_norm: size must be an int >= 1, got {size!r}")
    if not k > 0 or alpha < 0:
        raise ValueError(f"local_response_norm: need k > 0 and alpha >= 0, got k={k}, alpha={alpha}")
    before, after = size // 2, (size - 1) // 2  # window W(c) = [c − before, c + after]
    s = k + (alpha / size) * _window_sum(x * x, before, after)  # (N, C, ...) the denominator base
    scale = s ** (-beta)  # (N, C, ...)
    out = x * scale  # (N, C, ...)
    return out, (x, s, scale, size, alpha, beta, before, after)


def local_response_norm_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dout (N, C, *spatial) -> dx (N, C, *spatial)."""
    x, s, scale, size, alpha, beta, before, after = cache
    g = dout * x * scale / s  # (N, C, ...) dout_c · x_c · s_c^(−beta−1)
    mirrored = _window_sum(g, after, before)  # (N, C, ...) Σ over c with j ∈ W(c)
    return dout * scale - (2.0 * alpha * beta / size) * x * mirrored  # (N, C, ...)
