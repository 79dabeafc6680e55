"""Checkpoints: named arrays plus a JSON ``meta`` dict in one ``.npz``, written atomically.

* Loadable with ``allow_pickle=False``: arrays must have a numeric/bool/str dtype, and
  ``meta`` is stored as UTF-8 JSON bytes in a ``uint8`` array under ``__meta__``.
* Atomic: the file is written to a temporary file ``.NAME.<pid>.<random>.tmp`` in the same
  directory and moved over the target with ``os.replace``; a crash mid-write leaves the
  previous checkpoint untouched. The next save to that path removes temporary files left
  by writers that are no longer alive.
* Checked on load: a damaged file (empty, truncated, a bad CRC, not a zip, a header that
  claims more data than the member holds, pickled data) raises one ``ValueError`` that
  names the file and what is wrong, before any large allocation.
* ``rng_state``/``set_rng_state`` turn an ``np.random.Generator``'s state (which holds
  128-bit integers that JSON readers outside Python would truncate) into JSON and back.

    save_checkpoint("ckpt.npz", model.state_dict(), {"step": 100, "rng": rng_state(rng)})
    arrays, meta = load_checkpoint("ckpt.npz")
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
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
    _remove_stale_temps(directory, path.name)
    try:
        fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
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


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def _remove_stale_temps(directory: Path, name: str) -> None:
    """Delete ``.NAME.<pid>.*.tmp`` files whose writer has died (killed mid-write). A temp
    file without a pid (an older naming) or of a dead pid is stale; a live writer's stays."""
    for tmp in directory.glob(f".{name}.*.tmp"):
        middle = tmp.name[len(name) + 2 : -len(".tmp")]  # "<pid>.<random>" or "<random>"
        pid = middle.split(".", 1)[0]
        if pid.isdigit() and (int(pid) == os.getpid() or _pid_alive(int(pid))):
            continue
        try:
            tmp.unlink()
        except OSError:  # removed by another saver meanwhile, or not ours to remove
            pass


# deflate cannot expand data by more than ~1032:1; a member claiming more is forged
_MAX_DEFLATE_RATIO = 1100


def _check_member(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive_size: int) -> None:
    """Refuse a member whose ``.npy`` header does not match its size, before reading it."""
    where = f"checkpoint {path}: entry {info.filename!r}"
    if not info.filename.endswith(".npy"):
        raise ValueError(f"{where} is not an .npy array; this is not a sutskever30 checkpoint")
    if info.compress_size > archive_size:
        raise ValueError(
            f"{where} claims {info.compress_size} bytes but the file has {archive_size}: truncated or forged"
        )
    limit = info.compress_size if info.compress_type == zipfile.ZIP_STORED else _MAX_DEFLATE_RATIO * info.compress_size
    if info.file_size > limit:
        raise ValueError(f"{where} claims {info.file_size} bytes from {info.compress_size} stored: forged")
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
        header_len = f.tell()
    if dtype.hasobject:
        raise ValueError(f"{where} holds pickled (object) data, which a checkpoint never contains")
    want = int(np.prod(shape, dtype=object)) * dtype.itemsize  # Python ints: no overflow
    held = info.file_size - header_len
    if want != held:
        raise ValueError(f"{where} has a header for shape {shape} {dtype} ({want} bytes) but holds {held} bytes")


def load_checkpoint(path: str | Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read a checkpoint written by :func:`save_checkpoint`: ``(arrays, meta)``.

    A missing file is a FileNotFoundError; any damaged file a ValueError naming the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"checkpoint {path} is empty (0 bytes): it was never written completely")
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            for info in infos:  # every header checked before the first array is read
                _check_member(path, zf, info, size)
            for info in infos:
                with zf.open(info) as f:
                    arrays[info.filename[: -len(".npy")]] = np.lib.format.read_array(f, allow_pickle=False)
    except zipfile.BadZipFile as exc:
        raise ValueError(f"checkpoint {path} is damaged or not a checkpoint (not a valid .npz/zip: {exc})") from None
    except (EOFError, OSError, zlib.error, ValueError) as exc:
        if isinstance(exc, ValueError) and str(exc).startswith(f"checkpoint {path}"):
            raise
        raise ValueError(f"checkpoint {path} is damaged (truncated or corrupt: {exc})") from None
    if META_KEY not in arrays:
        raise ValueError(f"checkpoint {path} is not a sutskever30 checkpoint (no {META_KEY!r} entry)")
    try:
        meta = json.loads(arrays.pop(META_KEY).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"checkpoint {path} has damaged metadata ({exc})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"checkpoint {path} has damaged metadata (expected a JSON object)")
    return arrays, meta
