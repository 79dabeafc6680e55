"""The shared mixing dynamics and complexity estimators (papers 1 and 19), on inputs whose
answers are known."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from sutskever30 import complexity as cx

# --------------------------------------------------------------------------------------
# dynamics
# --------------------------------------------------------------------------------------


def test_initial_state_is_cream_on_top():
    x = cx.initial_state(6, 4)
    assert x.shape == (6, 4) and x.dtype == np.uint8
    assert (x[:3] == 1).all() and (x[3:] == 0).all()


def test_exclusion_sweep_conserves_and_only_swaps_neighbours():
    rng = np.random.default_rng(0)
    x = cx.initial_state(10, 7)
    for _ in range(50):
        before = x.copy()
        cx.exclusion_sweep(x, rng)
        assert x.sum() == before.sum() == 35
        # a single sweep moves every cell at most two steps (two pairings): the column /
        # row totals change only through neighbouring exchanges, so a cell that differs
        # from before must have a differing cell within Manhattan distance 2
        moved = np.argwhere(x != before)
        for r, c in moved:
            box = before[max(r - 2, 0) : r + 3, max(c - 2, 0) : c + 3]
            assert (box == x[r, c]).any()


def test_exclusion_sweep_mixes_and_is_deterministic():
    a, b = cx.initial_state(16), cx.initial_state(16)
    ra, rb = np.random.default_rng(3), np.random.default_rng(3)
    for _ in range(3000):
        cx.exclusion_sweep(a, ra)
        cx.exclusion_sweep(b, rb)
    np.testing.assert_array_equal(a, b)
    # near equilibrium: top and bottom halves hold about the same cream
    assert abs(int(a[:8].sum()) - int(a[8:].sum())) < 40


def test_exclusion_sweep_without_swaps_changes_nothing():
    x = cx.initial_state(8)
    cx.exclusion_sweep(x, np.random.default_rng(0), p_swap=0.0)
    np.testing.assert_array_equal(x, cx.initial_state(8))


def test_random_walk_stays_inside_and_spreads():
    rng = np.random.default_rng(1)
    N = 12
    pos = np.argwhere(cx.initial_state(N) == 1)  # (P, 2)
    for _ in range(2000):
        cx.random_walk_step(pos, N, N, rng)
        assert pos.min() >= 0 and pos[:, 0].max() < N and pos[:, 1].max() < N
    occ = cx.occupancy(pos, N, N)
    assert occ.sum() == N * N // 2
    assert abs(int(occ[: N // 2].sum()) - int(occ[N // 2 :].sum())) < 20


def test_occupancy_counts_particles():
    pos = np.array([[0, 0], [0, 0], [1, 2]])
    occ = cx.occupancy(pos, 2, 3)
    np.testing.assert_array_equal(occ, [[2, 0, 0], [0, 0, 1]])


# --------------------------------------------------------------------------------------
# two-part code
# --------------------------------------------------------------------------------------


def test_binary_entropy_known_values():
    np.testing.assert_allclose(cx.binary_entropy(np.array([0.0, 0.5, 1.0, 0.25])), [0, 1, 0, 0.8112781244591328])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        cx.binary_entropy(1.5)


def test_step_profile_gives_two_segments():
    k = np.array([8] * 5 + [0] * 7)  # five full rows, seven empty ones, width 8
    seg = cx.optimal_segmentation(k, 8)
    assert seg.bounds == (0, 5, 12)
    assert seg.data_bits == 0.0
    # model: two segments, ½log₂ n + log₂ R each
    expect = 0.5 * np.log2(40) + 0.5 * np.log2(56) + 2 * np.log2(12)
    assert seg.model_bits == pytest.approx(expect)


@pytest.mark.parametrize("value", [0, 3, 8])
def test_constant_profile_gives_one_segment(value):
    seg = cx.optimal_segmentation(np.full(10, value), 8)
    assert seg.n_segments == 1
    assert seg.model_bits == pytest.approx(0.5 * np.log2(80) + np.log2(10))
    assert seg.data_bits == pytest.approx(80 * float(cx.binary_entropy(value / 8)))


def test_white_noise_gives_one_segment():
    rng = np.random.default_rng(5)
    x = (rng.random((64, 64)) < 0.5).astype(np.uint8)
    seg = cx.optimal_segmentation(x.sum(axis=1), 64)
    assert seg.n_segments == 1
    assert seg.data_bits > 0.99 * 64 * 64


def test_three_level_profile_gives_three_segments():
    k = np.array([60] * 20 + [32] * 20 + [4] * 24)
    assert cx.optimal_segmentation(k, 64).bounds == (0, 20, 40, 64)


@pytest.mark.parametrize("seed", range(6))
def test_dynamic_programme_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    R, W = 9, 6
    # a smooth random profile plus noise, so that several segmentations compete
    p = np.clip(np.sort(rng.random(R))[:: 1 if seed % 2 else -1] + 0.1 * rng.standard_normal(R), 0, 1)
    k = rng.binomial(W, p)
    dp, bf = cx.optimal_segmentation(k, W), cx.brute_force_segmentation(k, W)
    assert dp.total_bits == pytest.approx(bf.total_bits, abs=1e-9)
    assert dp.bounds == bf.bounds
    assert dp.model_bits == pytest.approx(bf.model_bits) and dp.data_bits == pytest.approx(bf.data_bits)


def test_segmentation_bad_input():
    with pytest.raises(TypeError, match="integer counts"):
        cx.optimal_segmentation(np.array([0.5, 1.0]), 4)
    with pytest.raises(ValueError, match="width=4"):
        cx.optimal_segmentation(np.array([5, 1]), 4)
    with pytest.raises(ValueError, match=r"1-D array \(R,\)"):
        cx.optimal_segmentation(np.zeros((2, 2), dtype=int), 4)


# --------------------------------------------------------------------------------------
# coarse-graining and compression
# --------------------------------------------------------------------------------------


def test_window_mean_matches_a_loop():
    rng = np.random.default_rng(2)
    x = rng.random((7, 9))
    for g in (1, 2, 3, 4):
        got = cx.window_mean(x, g)
        want = np.empty_like(x)
        for r in range(7):
            for c in range(9):
                r0, r1 = max(r - (g - 1) // 2, 0), min(r + g // 2 + 1, 7)
                c0, c1 = max(c - (g - 1) // 2, 0), min(c + g // 2 + 1, 9)
                want[r, c] = x[r0:r1, c0:c1].mean()
        np.testing.assert_allclose(got, want, atol=1e-12)
    np.testing.assert_allclose(cx.window_mean(np.full((5, 5), 0.3), 3), 0.3)
    with pytest.raises(ValueError, match="window g"):
        cx.window_mean(x, 0)


def test_threshold_three_levels():
    v = np.array([[0.0, 0.3, 0.34, 0.5, 0.66, 0.67, 1.0, 2.5]])
    np.testing.assert_array_equal(cx.threshold(v, 3), [[0, 0, 1, 1, 1, 2, 2, 2]])


def test_row_majority_adjust():
    lv = np.array([[3, 3, 2, 4, 5, 3], [0, 0, 1, 0, 6, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(cx.row_majority_adjust(lv), [[3, 3, 3, 3, 5, 3], [0, 0, 0, 0, 6, 0]])


def test_compressed_size_orders_simple_below_random():
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=4096, dtype=np.uint8)
    flat = np.zeros(4096, dtype=np.uint8)
    for method in ("zlib", "bz2", "lzma"):
        assert cx.compressed_size(flat, method) < 100
        assert cx.compressed_size(noise, method) >= 4096  # incompressible
    assert cx.compressed_size(b"abc") == len(zlib.compress(b"abc", 9))
    with pytest.raises(ValueError, match="unknown method"):
        cx.compressed_size(flat, "gzip2")


def test_spearman_known_values():
    t = np.arange(10.0)
    assert cx.spearman(t, t**3) == pytest.approx(1.0)
    assert cx.spearman(t, -t) == pytest.approx(-1.0)
    assert cx.spearman(np.array([1.0, 2, 2, 3]), np.array([1.0, 2, 3, 4])) == pytest.approx(0.9486832980505138)


def test_log_snapshots():
    s = cx.log_snapshots(1000, 20)
    assert s[0] == 0 and s[-1] == 1000 and (np.diff(s) > 0).all()
