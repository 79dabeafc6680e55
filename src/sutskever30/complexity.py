"""Mixing dynamics and complexity estimators shared by papers 1 (complexodynamics) and 19
(the coffee automaton).

Nothing here learns anything: the functions simulate coffee/cream mixing on a lattice and
measure the states it passes through.

Dynamics
    ``exclusion_sweep``    symmetric exclusion: adjacent cells swap with probability ½
                           (a swap of two equal cells changes nothing, so this is the
                           "swap two adjacent cells if they differ" rule, run in parallel
                           on disjoint pairs)
    ``random_walk_step``   non-interacting cream: every particle hops to a random neighbour
                           independently; any number may share a cell

Two-part code (paper 1)
    ``binary_entropy``, ``segment_cost``, ``optimal_segmentation`` (exact dynamic
    programme over contiguous segmentations of a row profile), ``brute_force_segmentation``
    (the same optimum by enumeration, for tests)

Coarse-graining and compression (paper 19)
    ``window_mean``, ``threshold``, ``row_majority_adjust``, ``compressed_size``
"""

from __future__ import annotations

import bz2
import itertools
import lzma
import zlib
from typing import NamedTuple

import numpy as np

from .nn.checks import check_array

# ======================================================================================
# Dynamics
# ======================================================================================


def initial_state(N: int, M: int | None = None) -> np.ndarray:
    """Cream (1) in the top half, coffee (0) in the bottom half: an (N, M) uint8 grid."""
    M = N if M is None else M
    if N < 2 or M < 1:
        raise ValueError(f"initial_state: need N >= 2 rows and M >= 1 columns, got ({N}, {M})")
    x = np.zeros((N, M), dtype=np.uint8)  # (N, M)
    x[: N // 2] = 1
    return x


def exclusion_sweep(x: np.ndarray, rng: np.random.Generator, p_swap: float = 0.5) -> None:
    """One sweep of the symmetric exclusion process, in place, on a grid with closed walls.

    Two pairings per sweep. Each picks an orientation (horizontal or vertical) and a parity
    at random, which tiles the grid with disjoint adjacent pairs; every pair swaps its two
    cells with probability ``p_swap``. Disjoint pairs can be swapped in parallel without
    conflicts, and a swap of equal cells is a no-op, so only differing neighbours exchange
    (the paper's interacting rule). The number of 1s is conserved exactly.
    """
    if x.ndim != 2:
        raise ValueError(f"exclusion_sweep: x must be a 2-D grid (N, M), got shape {x.shape}")
    for _ in range(2):
        axis = int(rng.integers(2))
        parity = int(rng.integers(2))
        v = x if axis == 1 else x.T  # view: pairs run along the last axis
        L = v.shape[1]
        n_pairs = (L - parity) // 2
        if n_pairs == 0:
            continue
        a = v[:, parity : parity + 2 * n_pairs : 2]  # (rows, P) left cells (view)
        b = v[:, parity + 1 : parity + 2 * n_pairs : 2]  # (rows, P) right cells (view)
        swap = rng.random(a.shape) < p_swap  # (rows, P)
        a_old = a.copy()
        a[swap] = b[swap]
        b[swap] = a_old[swap]


def random_walk_step(pos: np.ndarray, N: int, M: int, rng: np.random.Generator) -> None:
    """Every particle moves one cell up/down/left/right at random, in place.

    ``pos`` (P, 2) integer (row, col). A move that would leave the grid is reflected to
    staying put (closed walls), so the stationary density is uniform.
    """
    step = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]], dtype=pos.dtype)  # (4, 2)
    new = pos + step[rng.integers(4, size=len(pos))]  # (P, 2)
    inside = (new[:, 0] >= 0) & (new[:, 0] < N) & (new[:, 1] >= 0) & (new[:, 1] < M)  # (P,)
    pos[inside] = new[inside]


def occupancy(pos: np.ndarray, N: int, M: int) -> np.ndarray:
    """Number of particles per cell, (N, M) int64."""
    return np.bincount(pos[:, 0] * M + pos[:, 1], minlength=N * M).reshape(N, M)  # (N, M)


# ======================================================================================
# Two-part code over a row profile (paper 1)
# ======================================================================================


def binary_entropy(p: np.ndarray | float) -> np.ndarray:
    """H(p) = −p log₂ p − (1 − p) log₂(1 − p) in bits, with 0 log 0 = 0."""
    p = np.asarray(p, dtype=np.float64)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("binary_entropy: p must lie in [0, 1]")
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return np.where((p == 0) | (p == 1), 0.0, h)


def segment_cost(k: np.ndarray, n: np.ndarray, R: int) -> tuple[np.ndarray, np.ndarray]:
    """(model bits, data bits) of one Bernoulli segment with k ones among n cells.

    data  = n·H(k/n)                 the cells given the segment's density p̂ = k/n
    model = ½ log₂ n + log₂ R        p̂ to the precision its sampling error warrants, plus
                                     where the segment ends (one of R row boundaries)
    """
    k = np.asarray(k, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    data = n * binary_entropy(k / n)
    model = 0.5 * np.log2(n) + np.log2(R)
    return model, data


class Segmentation(NamedTuple):
    bounds: tuple[int, ...]  # row indices where segments start, then R (e.g. (0, 32, 64))
    model_bits: float  # Σ_seg (½ log₂ n + log₂ R): the "complexity" (sophistication proxy)
    data_bits: float  # Σ_seg n·H(p̂): the entropy term

    @property
    def n_segments(self) -> int:
        return len(self.bounds) - 1

    @property
    def total_bits(self) -> float:
        return self.model_bits + self.data_bits


def _check_profile(k: np.ndarray, width: int) -> np.ndarray:
    k = np.asarray(k)
    if k.ndim != 1 or len(k) == 0:
        raise ValueError(f"row profile must be a non-empty 1-D array (R,) of counts, got shape {k.shape}")
    if k.dtype.kind not in "iu":
        raise TypeError(f"row profile must hold integer counts, got dtype {k.dtype}")
    if width < 1 or np.any(k < 0) or np.any(k > width):
        raise ValueError(f"row profile counts must lie in [0, width={width}]")
    return k.astype(np.int64)


def optimal_segmentation(k: np.ndarray, width: int) -> Segmentation:
    """The two-part code of a row profile minimising model + data bits, exactly.

    ``k`` (R,) ones per row, each row ``width`` cells. A model is a partition of the rows
    into contiguous segments, each with its own Bernoulli density. Dynamic programme over
    the end of the last segment: best[j] = min_i best[i] + cost(i, j), O(R²) with prefix
    sums; the segment costs for all (i, j) are one broadcast.
    """
    k = _check_profile(k, width)
    R = len(k)
    cum = np.concatenate([[0], np.cumsum(k)])  # (R+1,)
    i, j = np.meshgrid(np.arange(R + 1), np.arange(R + 1), indexing="ij")  # (R+1, R+1)
    valid = j > i
    ones = np.where(valid, cum[j] - cum[i], 0)  # (R+1, R+1)
    cells = np.where(valid, (j - i) * width, 1)  # (R+1, R+1)
    model, data = segment_cost(ones, cells, R)  # (R+1, R+1) each
    total = np.where(valid, model + data, np.inf)  # (R+1, R+1)
    best = np.full(R + 1, np.inf)
    best[0] = 0.0
    arg = np.zeros(R + 1, dtype=np.int64)
    for jj in range(1, R + 1):
        cand = best[:jj] + total[:jj, jj]  # (jj,)
        arg[jj] = int(np.argmin(cand))
        best[jj] = cand[arg[jj]]
    bounds = [R]
    while bounds[-1] > 0:
        bounds.append(int(arg[bounds[-1]]))
    bounds = tuple(reversed(bounds))
    starts, ends = np.array(bounds[:-1]), np.array(bounds[1:])
    return Segmentation(bounds, float(model[starts, ends].sum()), float(data[starts, ends].sum()))


def brute_force_segmentation(k: np.ndarray, width: int) -> Segmentation:
    """The same optimum by trying all 2^(R−1) segmentations (R ≤ 16; for tests)."""
    k = _check_profile(k, width)
    R = len(k)
    if R > 16:
        raise ValueError(f"brute_force_segmentation: R = {R} rows is too many to enumerate (max 16)")
    best: Segmentation | None = None
    for cuts in itertools.product((False, True), repeat=R - 1):
        bounds = (0, *[r + 1 for r, c in enumerate(cuts) if c], R)
        model = data = 0.0
        for s, e in itertools.pairwise(bounds):
            m, d = segment_cost(k[s:e].sum(), (e - s) * width, R)
            model, data = model + float(m), data + float(d)
        if best is None or model + data < best.total_bits - 1e-9:
            best = Segmentation(bounds, model, data)
    assert best is not None
    return best


# ======================================================================================
# Coarse-graining and compression (paper 19)
# ======================================================================================


def window_mean(x: np.ndarray, g: int) -> np.ndarray:
    """Mean of each cell's g × g neighbourhood (clipped at the walls), same shape as x.

    The window covers rows r − ⌊(g−1)/2⌋ … r + ⌊g/2⌋ (likewise columns); near a wall only
    the cells inside the grid are averaged. Computed from a 2-D cumulative sum.
    """
    if x.ndim != 2:
        raise ValueError(f"window_mean: x must be 2-D (N, M), got shape {x.shape}")
    if not (1 <= g <= min(x.shape)):
        raise ValueError(f"window_mean: window g must be in [1, {min(x.shape)}], got {g}")
    N, M = x.shape
    S = np.zeros((N + 1, M + 1))  # (N+1, M+1) S[a, b] = sum of x[:a, :b]
    S[1:, 1:] = np.cumsum(np.cumsum(x, axis=0, dtype=np.float64), axis=1)
    lo_r = np.clip(np.arange(N) - (g - 1) // 2, 0, N)  # (N,)
    hi_r = np.clip(np.arange(N) + g // 2 + 1, 0, N)  # (N,)
    lo_c = np.clip(np.arange(M) - (g - 1) // 2, 0, M)  # (M,)
    hi_c = np.clip(np.arange(M) + g // 2 + 1, 0, M)  # (M,)
    box = S[hi_r][:, hi_c] - S[lo_r][:, hi_c] - S[hi_r][:, lo_c] + S[lo_r][:, lo_c]  # (N, M)
    area = np.outer(hi_r - lo_r, hi_c - lo_c)  # (N, M)
    return box / area


def threshold(x: np.ndarray, levels: int) -> np.ndarray:
    """Bucket values in [0, 1] into ``levels`` equal-width levels 0 … levels−1 (uint8).

    levels = 3 gives the paper's thresholds 1/3 and 2/3 (mostly coffee / mixed / mostly
    cream); values above 1 (piled-up non-interacting cream) fall in the top level.
    """
    if levels < 2:
        raise ValueError(f"threshold: need levels >= 2, got {levels}")
    edges = np.arange(1, levels) / levels  # (levels−1,)
    return np.digitize(x, edges).astype(np.uint8)


def row_majority_adjust(levels: np.ndarray) -> np.ndarray:
    """The adjustment against border-pixel artefacts: per row, cells within one level of
    the row's most common level are set to that level.

    A cell whose window mean sits next to a threshold flips between two neighbouring levels
    from sampling noise alone; compressing those flips measures noise, not structure.
    Snapping near-majority cells to the row's majority keeps only departures of two levels
    or more (our reading of the paper's adjusted coarse-graining, Section 6).
    """
    if levels.ndim != 2:
        raise ValueError(f"row_majority_adjust: levels must be 2-D (N, M), got shape {levels.shape}")
    n_levels = int(levels.max()) + 1
    counts = np.stack([(levels == v).sum(axis=1) for v in range(n_levels)], axis=1)  # (N, V)
    mode = np.argmax(counts, axis=1).astype(levels.dtype)  # (N,)
    near = np.abs(levels.astype(np.int64) - mode[:, None].astype(np.int64)) <= 1  # (N, M)
    return np.where(near, mode[:, None], levels).astype(levels.dtype)


_COMPRESSORS = {
    "zlib": lambda b: zlib.compress(b, 9),
    "bz2": lambda b: bz2.compress(b, 9),
    "lzma": lambda b: lzma.compress(b, preset=9),
}


def compressed_size(x: np.ndarray | bytes, method: str = "zlib") -> int:
    """Length in bytes of ``x`` compressed by zlib (level 9), bz2 or lzma: an upper-bound
    proxy for its Kolmogorov complexity. Arrays are compressed as their raw bytes."""
    if method not in _COMPRESSORS:
        raise ValueError(f"compressed_size: unknown method {method!r}; choose one of {sorted(_COMPRESSORS)}")
    if isinstance(x, np.ndarray):
        data = np.ascontiguousarray(x).tobytes()
    elif isinstance(x, bytes):
        data = x
    else:
        raise TypeError(f"compressed_size: expected an ndarray or bytes, got {type(x).__name__}")
    return len(_COMPRESSORS[method](data))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties)."""
    a = check_array("a", np.asarray(a, dtype=np.float64), 1)
    b = check_array("b", np.asarray(b, dtype=np.float64), 1)
    if len(a) != len(b) or len(a) < 2:
        raise ValueError(f"spearman: need two 1-D arrays of equal length >= 2, got {len(a)} and {len(b)}")

    def ranks(v: np.ndarray) -> np.ndarray:
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for val in np.unique(v):  # average the ranks of ties
            tie = v == val
            r[tie] = r[tie].mean()
        return r

    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / denom) if denom > 0 else 0.0


def log_snapshots(T: int, n: int) -> np.ndarray:
    """≈ n distinct sweep counts 0 < t ≤ T, log-spaced, plus t = 0 first (int64, sorted)."""
    t = np.unique(np.round(np.logspace(0, np.log10(T), n)).astype(np.int64))
    return np.concatenate([[0], t])
