"""Input validation: one clear error that names the argument and what was expected,
instead of a broadcast error from deep inside NumPy."""

from __future__ import annotations

import numpy as np


def check_array(
    name: str, x, ndim: int | tuple[int, ...] | None = None, shape_doc: str = "", float_only: bool = True
) -> np.ndarray:
    """Return ``x`` as an ndarray after checking its rank and dtype kind."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name}: expected an ndarray{' ' + shape_doc if shape_doc else ''}, got {type(x).__name__}")
    if float_only and x.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating-point array, got dtype {x.dtype}")
    if ndim is not None:
        ok = x.ndim in ndim if isinstance(ndim, tuple) else x.ndim == ndim
        if not ok:
            raise ValueError(f"{name}: expected shape {shape_doc or f'with {ndim} dims'}, got {x.shape}")
    return x


def check_ids(
    name: str, ids, n_classes: int, shape: tuple[int, ...] | None = None, ignore_index: int | None = None
) -> np.ndarray:
    """Integer class/token ids in [0, n_classes) (or equal to ``ignore_index``)."""
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer ids, got dtype {ids.dtype} (cast with .astype(np.int64))")
    if shape is not None and ids.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {ids.shape}")
    bad = (ids < 0) | (ids >= n_classes)
    if ignore_index is not None:
        bad &= ids != ignore_index
    if bad.any():
        v = ids[bad].flat[0]
        raise ValueError(f"{name}: id {v} is out of range; expected ids in [0, {n_classes})")
    return ids
