"""Checkpoints: named arrays plus a JSON ``meta`` dict in one ``.npz``, written atomically.

* Loadable with ``allow_pickle=False``: arrays must have a numeric/bool/str dtype, and
  ``meta`` is stored as UTF-8 JSON bytes in a ``uint8`` array under ``__meta__``.
* Atomic: the file is written to a temporary file in the same directory and moved over the
  target with ``os.replace``; a crash mid-write leaves the previous checkpoint untouched.
* ``rng_state``/``set_rng_state`` turn an ``np.random.Generator``'s state (which holds
  128-bit integers that JSON readers outside Python would truncate) into JSON and back.

    save_checkpoint("ckpt.npz", model.state_dict(), {"step": 100, "rng": rng_state(rng)})
    arrays, meta = load_checkpoint("ckpt.npz")
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

META_KEY = "__meta__"


def _encode(value: Any) -> Any:
    """Tag ints and arrays so that JSON holds them exactly."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, (int, np.integer)):
        return {"__int__": str(int(value))}
    if isinstance(value, np.ndarray):
        return {
            "__ndarray__": [_encode(v) for v in value.ravel().tolist()],
            "dtype": value.dtype.str,
            "shape": list(value.shape),
        }
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__} in an rng state")


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__int__"}:
            return int(value["__int__"])
        if "__ndarray__" in value:
            flat = [_decode(v) for v in value["__ndarray__"]]
            return np.array(flat, dtype=np.dtype(value["dtype"])).reshape(value["shape"])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def rng_state(rng: np.random.Generator) -> dict[str, Any]:
    """The generator's bit-generator state as a JSON-able dict (big ints as decimal strings)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be an np.random.Generator, got {type(rng).__name__}")
    return _encode(rng.bit_generator.state)


def set_rng_state(rng: np.random.Generator, state: dict[str, Any]) -> None:
    """Restore a state produced by :func:`rng_state` into ``rng`` (same bit generator)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be an np.random.Generator, got {type(rng).__name__}")
    decoded = _decode(state)
    want = type(rng.bit_generator).__name__
    got = decoded.get("bit_generator") if isinstance(decoded, dict) else None
    if got != want:
        raise ValueError(f"rng state is for bit generator {got!r}, but rng uses {want!r}")
    rng.bit_generator.state = decoded


def save_checkpoint(path: str | Path, arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> None:
    """Write ``arrays`` and ``meta`` (a JSON-able dict) to ``path`` atomically."""
    path = Path(path)
    if META_KEY in arrays:
        raise ValueError(f"array name {META_KEY!r} is reserved for the metadata")
    clean: dict[str, np.ndarray] = {}
    for name, arr in arrays.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"array names must be non-empty str, got {name!r}")
        a = np.asarray(arr)
        if a.dtype.hasobject:
            raise TypeError(f"array {name!r} has dtype object, which needs pickle; convert it")
        clean[name] = a
    try:
        meta_bytes = json.dumps(meta, allow_nan=False, sort_keys=True).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"checkpoint meta must be JSON-able without NaN: {exc}") from exc
    clean[META_KEY] = np.frombuffer(meta_bytes, dtype=np.uint8)

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OSError(f"cannot write checkpoint {path}: directory {directory} does not exist")
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OSError(f"cannot write checkpoint {path}: directory {directory} is not writable") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **clean)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def load_checkpoint(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a checkpoint written by :func:`save_checkpoint`: ``(arrays, meta)``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    if META_KEY not in arrays:
        raise ValueError(f"{path} is not a sutskever30 checkpoint (no {META_KEY!r} entry)")
    meta = json.loads(arrays.pop(META_KEY).tobytes().decode("utf-8"))
    return arrays, meta
