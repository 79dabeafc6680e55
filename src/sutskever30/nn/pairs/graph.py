"""Graph pairs: scatter-adds that sum messages into nodes (the pair contract is in
``pairs/__init__.py``).

Message passing sums, for every node, the messages on the edges that end there: a
*segment sum*. With E edges, messages m (E, D) and targets dst (E,) ids in [0, N):

    out = x.index_add(0, dst, m)        out[dst[e]] += m[e]  for every edge e

``index_add`` (one index per slice along ``dim``) and ``scatter_add`` (an index per
element, ``torch.gather``'s layout) follow torch. Repeated indices accumulate
(``np.add.at``). The gradient of the input is the upstream gradient itself; that of the
source is the upstream gradient *gathered* back along the same index.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array, check_dim
from .core import _gather_index

__all__ = ["index_add_forward", "index_add_backward", "scatter_add_forward", "scatter_add_backward"]


def index_add_forward(
    x: np.ndarray, axis: int, index: np.ndarray, source: np.ndarray, alpha: float = 1.0
) -> tuple[np.ndarray, tuple]:
    """out = x with ``alpha · source[..., i, ...]`` added to slice ``index[i]`` along ``axis``
    (``torch.Tensor.index_add``).

    x (..., N, ...), index (n,) ints in [0, N), source (..., n, ...) -> out (..., N, ...).
    """
    x = check_array("index_add: input", x, shape_doc="(..., N, ...)")
    source = check_array("index_add: source", source, shape_doc="(..., n, ...)")
    axis = check_dim("index_add", axis, x.ndim)
    index = np.asarray(index)
    if index.dtype.kind not in "iu" or index.ndim != 1:
        raise TypeError(f"index_add: index must be a 1-D integer array, got {index.dtype} {index.shape}")
    want = x.shape[:axis] + (len(index),) + x.shape[axis + 1 :]
    if source.shape != want or source.dtype != x.dtype:
        raise ValueError(
            f"index_add: source is {source.shape} {source.dtype}; expected {want} {x.dtype}: input's shape "
            f"with dim {axis} of size len(index)"
        )
    if index.size and (index.min() < 0 or index.max() >= x.shape[axis]):
        bad = index[(index < 0) | (index >= x.shape[axis])][0]
        raise IndexError(f"index_add: index {bad} is out of bounds for dim {axis} with size {x.shape[axis]}")
    out = x.copy()
    src = source if alpha == 1 else source * alpha
    np.add.at(np.moveaxis(out, axis, 0), index, np.moveaxis(src, axis, 0))  # repeated ids accumulate
    return out, (axis, index, alpha)


def index_add_backward(dout: np.ndarray, cache: tuple) -> tuple:
    """dout (..., N, ...) -> (dx (..., N, ...), None, None, dsource (..., n, ...))."""
    axis, index, alpha = cache
    dsource = np.take(dout, index, axis=axis)  # (..., n, ...)
    if alpha != 1:
        dsource = dsource * alpha
    return dout, None, None, dsource


def scatter_add_forward(x: np.ndarray, axis: int, index: np.ndarray, src: np.ndarray) -> tuple[np.ndarray, tuple]:
    """out = x; out[i][index[i][j][k]][k] += src[i][j][k] for axis 1 (``torch.Tensor.scatter_add``).

    x (...), index (...) of x's rank with index.size(d) <= src.size(d) for every d and
    <= x.size(d) for d != axis; src (...) -> out of x's shape. Only src's entries within
    index's shape are read (as torch).
    """
    x = check_array("scatter_add: input", x, shape_doc="(...)")
    src = check_array("scatter_add: src", src, shape_doc="(...)")
    if src.ndim != x.ndim or src.dtype != x.dtype:
        raise ValueError(f"scatter_add: src is {src.shape} {src.dtype}; expected {x.ndim} dims and dtype {x.dtype}")
    axis, idx = _gather_index("scatter_add", x.shape, axis, index, src_shape=src.shape)
    part = tuple(slice(0, n) for n in np.shape(index))  # the entries of src that are read
    out = x.copy()
    np.add.at(out, idx, src[part])
    return out, (idx, part, src.shape)


def scatter_add_backward(dout: np.ndarray, cache: tuple) -> tuple:
    """dout (x's shape) -> (dx, None, None, dsrc (src's shape, 0 outside index's shape))."""
    idx, part, src_shape = cache
    dsrc = np.zeros(src_shape, dtype=dout.dtype)
    dsrc[part] = dout[idx]
    return dout, None, None, dsrc
