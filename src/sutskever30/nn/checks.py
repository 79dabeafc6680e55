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


def _is_int(v) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool)


def check_dim(op: str, dim, ndim: int, name: str = "dim") -> int:
    """One dimension index in [−ndim, ndim) (torch's rule; a 0-d tensor accepts 0 and −1),
    returned non-negative. A non-int is a TypeError, an out-of-range int an IndexError."""
    if not _is_int(dim):
        raise TypeError(f"{op}: {name} must be an int, got {type(dim).__name__} {dim!r}")
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"{op}: {name} out of range; expected {name} in [{-n}, {n - 1}] for {ndim} dims, got {dim}")
    return int(dim) % n if ndim else 0


def check_dims(op: str, dims, ndim: int, name: str = "dim") -> int | tuple[int, ...] | None:
    """``None`` (all dims), one int, or a list/tuple of distinct ints -> None, int or tuple."""
    if dims is None:
        return None
    if isinstance(dims, list | tuple):
        out = tuple(check_dim(op, d, ndim, name) for d in dims)
        if len(set(out)) != len(out):
            raise ValueError(f"{op}: {name} {list(dims)} repeats a dimension; expected distinct dims")
    else:
        out = check_dim(op, dims, ndim, name)
    return None if ndim == 0 else out  # a 0-d tensor: reduce its one element


def check_reduction(op: str, reduction, allowed: tuple[str, ...] = ("mean", "sum", "none")) -> str:
    if reduction not in allowed:
        raise ValueError(f"{op}: reduction must be one of {', '.join(map(repr, allowed))}, got {reduction!r}")
    return reduction


def check_positive_int(op: str, name: str, v, minimum: int = 1) -> int:
    """A size/count argument: an int ≥ ``minimum`` (a bool is refused)."""
    if not _is_int(v):
        raise TypeError(f"{op}: {name} must be an int, got {type(v).__name__} {v!r}")
    if v < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {v}")
    return int(v)


class StateDictKeyError(KeyError, ValueError):
    """Missing or unexpected keys in a state_dict: a KeyError, as a failed lookup, and a
    ValueError, as every other bad argument (the engine's one error contract)."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""
