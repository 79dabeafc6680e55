"""The CS231n spiral: K interleaved arms in the plane, one class per arm.

Built exactly as in the course notes' "Minimal Neural Network Case Study"
(https://cs231n.github.io/neural-networks-case-study/): for class j the radius runs
linearly from 0 to 1 and the angle from 4j to 4(j + 1) radians, plus N(0, 0.2²) noise on
the angle. The only difference is the source of randomness: a ``np.random.Generator``
instead of the global ``np.random.randn``.
"""

from __future__ import annotations

import numpy as np


def make_spiral(
    n_per_class: int = 100,
    K: int = 3,
    *,
    rng: np.random.Generator,
    noise: float = 0.2,
) -> tuple[np.ndarray, np.ndarray]:
    """Return X (n_per_class·K, 2) float64 in [−1, 1]² and y (n_per_class·K,) int64 in [0, K).

    Rows are grouped by class (class 0 first), as in the course.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"make_spiral: rng must be a np.random.Generator, got {type(rng).__name__}")
    if n_per_class < 1 or K < 1:
        raise ValueError(f"make_spiral: n_per_class and K must be ≥ 1, got {n_per_class}, {K}")
    N = n_per_class
    X = np.zeros((N * K, 2))  # (N·K, 2)
    y = np.zeros(N * K, dtype=np.int64)  # (N·K,)
    for j in range(K):
        ix = slice(N * j, N * (j + 1))
        r = np.linspace(0.0, 1.0, N)  # (N,) radius
        t = np.linspace(j * 4, (j + 1) * 4, N) + noise * rng.standard_normal(N)  # (N,) angle θ
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]  # (N, 2)
        y[ix] = j
    return X, y
