"""A character corpus that is on every machine: the Python standard library's own source.

The ``.py`` files under ``sysconfig.get_paths()["stdlib"]`` (``site-packages`` left out),
sorted by relative path and concatenated up to a byte budget. Nothing is downloaded. The
standard library differs between Python versions, so experiments on this text must state
their claims *relative* to a baseline trained on the same text (an n-gram model, say),
never as an absolute bits-per-character figure.

Characters outside printable ASCII (plus newline and tab) become ``?``: it keeps the
vocabulary small (about 100 symbols) and the same from one Python version to the next.
"""

from __future__ import annotations

import functools
import sysconfig
from pathlib import Path

import numpy as np

_KEEP = set(map(chr, range(32, 127))) | {"\n", "\t"}


@functools.lru_cache(maxsize=4)
def stdlib_source(n_chars: int = 300_000) -> str:
    """The first ``n_chars`` characters of the concatenated standard-library sources."""
    if isinstance(n_chars, bool) or not isinstance(n_chars, int) or n_chars <= 0:
        raise ValueError(f"stdlib_source: n_chars must be a positive int, got {n_chars!r}")
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.relative_to(root).parts)
    parts, total = [], 0
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # a few test fixtures are deliberately not UTF-8
        text = "".join(ch if ch in _KEEP else "?" for ch in text)
        parts.append(text)
        total += len(text)
        if total >= n_chars:
            break
    corpus = "".join(parts)[:n_chars]
    if len(corpus) < n_chars:
        raise ValueError(f"stdlib_source: the standard library has only {len(corpus)} characters, asked {n_chars}")
    return corpus


class CharVocab:
    """Characters <-> integer ids, ids in sorted character order."""

    def __init__(self, text: str):
        self.chars: list[str] = sorted(set(text))
        self.stoi: dict[str, int] = {ch: i for i, ch in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """str -> (len,) int64 ids; a character not in the vocabulary is a clear error."""
        try:
            return np.fromiter((self.stoi[ch] for ch in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(f"CharVocab.encode: character {exc.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> str:
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise TypeError(f"CharVocab.decode: expected a 1-D integer array, got {ids.dtype} {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"CharVocab.decode: ids must be in [0, {len(self)})")
        return "".join(self.chars[i] for i in ids)


def train_val_split(ids: np.ndarray, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """The first (1 − f) of the stream for training, the rest for validation (no shuffling:
    validation text is text the model has not seen, not a random subset of it)."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"train_val_split: val_fraction must be in (0, 1), got {val_fraction}")
    n_val = max(1, int(round(len(ids) * val_fraction)))
    return ids[:-n_val], ids[-n_val:]


def batchify(ids: np.ndarray, batch_size: int) -> np.ndarray:
    """Cut one stream into ``batch_size`` contiguous rows, (B, L) with L = len // B, so that
    row b, chunk k+1 continues row b, chunk k: the layout truncated backprop through time
    needs to carry the hidden state from one chunk to the next."""
    L = len(ids) // batch_size
    if L < 2:
        raise ValueError(f"batchify: {len(ids)} ids are too few for batch_size {batch_size}")
    return ids[: L * batch_size].reshape(batch_size, L)  # (B, L)


def random_windows(ids: np.ndarray, batch_size: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``batch_size`` random windows: inputs x (B, T) and next-character targets y (B, T)."""
    if len(ids) <= T:
        raise ValueError(f"random_windows: a stream of {len(ids)} ids has no window of T + 1 = {T + 1}")
    starts = rng.integers(0, len(ids) - T, size=batch_size)  # (B,)
    idx = starts[:, None] + np.arange(T + 1)  # (B, T + 1)
    chunk = ids[idx]  # (B, T + 1)
    return chunk[:, :-1], chunk[:, 1:]
