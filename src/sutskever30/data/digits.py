"""The 8×8 handwritten digits bundled with scikit-learn (1797 images, 10 classes).

Only the data loader ``sklearn.datasets.load_digits`` is used (the CSV ships inside the
sklearn package: no download); no sklearn model is used anywhere in this project.
Pixels are integers 0..16; we scale them to [0, 1] by dividing by 16.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.lru_cache(maxsize=1)
def _load() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # lazy: importing sklearn costs ~1 s

    d = load_digits()
    X = (d.data / 16.0).astype(np.float64)  # (1797, 64) in [0, 1]
    y = d.target.astype(np.int64)  # (1797,)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_digits_scaled() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 digits: X (1797, 64) float64 in [0, 1], y (1797,) int64 (fresh copies)."""
    X, y = _load()
    return X.copy(), y.copy()


def load_digits_split(
    rng: np.random.Generator | int, n_train: int = 1400
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A seeded random split: X_train (n_train, 64), y_train, X_test (1797 − n_train, 64), y_test.

    ``rng`` is a Generator (consumed: one permutation) or an int seed; the same seed gives
    the same split.
    """
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = np.random.default_rng(int(rng))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"load_digits_split: rng must be a np.random.Generator or an int, got {type(rng).__name__}")
    X, y = _load()
    if not 0 < n_train < len(y):
        raise ValueError(f"load_digits_split: n_train must be in (0, {len(y)}), got {n_train}")
    perm = rng.permutation(len(y))  # (1797,)
    tr, te = perm[:n_train], perm[n_train:]
    return X[tr], y[tr], X[te], y[te]  # fancy indexing copies
