"""Paper 19 (coffee automaton): quick-preset claims, complexity recomputed from the saved
states (not from time), the coarse-graining on states with known answers, conservation in
both automata, determinism. The shared estimators are tested in tests/test_complexity.py."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import complexity as cx
from sutskever30.experiment import execute
from sutskever30.papers import p19_coffee_automaton as p19

PAPER = 19  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 6
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_complexity_is_a_function_of_the_saved_states(quick_result):
    # the harness recomputes every measure from the stored snapshots
    r, cfg = quick_result, p19.Config.quick()
    for i, x in enumerate(r.arrays["frames"]):
        m = p19.measure(x, cfg)
        for key in p19.MEASURES:
            assert m[key] == r.histories[key][i]
    for i, occ in enumerate(r.arrays["frames_nonint"]):
        assert occ.sum() == cfg.N * cfg.N // 2  # no walker lost or created
        assert p19.measure(occ, cfg)["complexity"] == r.histories["nonint_complexity"][i]
    assert (r.arrays["frames"].reshape(len(r.arrays["t"]), -1).sum(axis=1) == cfg.N * cfg.N // 2).all()
    assert set(p19.figures(r)) == {"complexity", "entropy", "states"}


def test_coarse_grain_of_the_initial_state():
    N, g = 50, 10
    x = cx.initial_state(N)
    cg = p19.coarse_grain(x, g, 3)
    # each row is uniform; rows far from the interface are pure cream (2) or coffee (0);
    # the rows whose window straddles it with 1/3..2/3 cream are "mixed" (1)
    assert (cg == cg[:, :1]).all()
    assert (cg[:20] == 2).all() and (cg[30:] == 0).all()
    frac = np.array([x[max(r - 4, 0) : r + 6, 0].mean() for r in range(N)])
    np.testing.assert_array_equal(cg[:, 0], np.digitize(frac, [1 / 3, 2 / 3]))
    assert (np.diff(cg[:, 0].astype(int)) <= 0).all()


def test_adjustment_removes_threshold_noise_but_keeps_structure():
    N, g = 50, 10

    def agreement(levels: np.ndarray) -> float:  # fraction of cells at the most common level
        return float((levels == np.bincount(levels.ravel()).argmax()).mean())

    for seed in range(5):
        rng = np.random.default_rng(seed)
        eq = (rng.random((N, N)) < 0.5).astype(np.uint8)  # equilibrium-like: no structure
        plain = p19.coarse_grain(eq, g, 7)
        adj = p19.adjusted_coarse_grain(eq, g, 7)
        # window means straddle the 7-level thresholds (0.76-0.88 agreement); the row-majority
        # snap removes most of it (0.96-1.0; what remains is at the walls, where clipped windows
        # average fewer cells)
        assert agreement(plain) < 0.9
        assert agreement(adj) >= 0.95 and agreement(adj) > agreement(plain) + 0.05
    # a real feature (a cream blob two levels above its row) survives the adjustment
    blob = eq.copy()
    blob[20:30, 20:30] = 1
    assert len(np.unique(p19.adjusted_coarse_grain(blob, g, 7))) > 1
    cfg = p19.Config(N=N)
    assert p19.measure(blob, cfg)["adjusted"] > p19.measure(eq, cfg)["adjusted"]


def test_entropy_estimate_orders_states():
    cfg = p19.Config(N=50)
    rng = np.random.default_rng(1)
    sep = p19.measure(cx.initial_state(50), cfg)
    eq = p19.measure((rng.random((50, 50)) < 0.5).astype(np.uint8), cfg)
    assert eq["entropy"] > 10 * sep["entropy"]
    # both extremes are simple once coarse-grained
    assert eq["complexity"] < 60 and sep["complexity"] < 60


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(19, "smoke", seed=2), execute(19, "smoke", seed=2)
    assert a.histories == b.histories
    c, _ = execute(19, "smoke", seed=3)
    assert c.histories["entropy"] != a.histories["entropy"]


def test_bad_config_and_presets():
    with pytest.raises(ValueError, match="even int"):
        execute(p19, config=p19.Config(N=9, sweeps=5, n_snapshots=3))
    assert p19.Config.smoke() != p19.Config.quick() != p19.Config.full()
    assert p19.Config.quick().preset_name == "quick"
