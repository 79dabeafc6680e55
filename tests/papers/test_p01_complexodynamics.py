"""Paper 1 (complexodynamics): quick-preset claims, the shape of the curves, determinism,
and the measure on hand-made states with known answers. The estimators themselves are
tested in tests/test_complexity.py."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import complexity as cx
from sutskever30.experiment import execute
from sutskever30.papers import p01_complexodynamics as p01

PAPER = 1  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 6
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r, cfg = quick_result, p01.Config.quick()
    h = r.histories
    K = len(cx.log_snapshots(cfg.sweeps, cfg.n_snapshots))
    for key in ("complexity", "entropy", "segments", "zlib", "bz2", "lzma", "control_complexity", "t"):
        assert len(h[key]) == K, key
    # the mechanism: two segments (the interface) at t = 0, one (equilibrium) at the end,
    # several in between, where the density profile is a smooth ramp
    assert h["segments"][0] == 2 and h["segments"][-1] == 1
    assert max(h["segments"]) >= 4
    # the initial state is coded for free given its two densities (0 and 1)
    assert h["entropy"][0] == 0.0
    assert r.arrays["frames"].shape[1:] == (cfg.N, cfg.N)
    assert set(p01.figures(r)) == {"complexity", "entropy", "segments", "snapshots"}
    assert len(p01.paper_vs_ours(r)) == 5


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(1, "smoke", seed=3), execute(1, "smoke", seed=3)
    assert a.histories == b.histories
    c, _ = execute(1, "smoke", seed=4)
    assert c.histories["entropy"] != a.histories["entropy"]


def test_measure_known_states():
    N = 32
    sep = p01.measure(cx.initial_state(N))
    assert sep["segments"] == 2 and sep["entropy"] == 0.0
    # a state with a linear density ramp has more structure to describe than either end
    rng = np.random.default_rng(0)
    ramp = (rng.random((N, N)) < np.linspace(1, 0, N)[:, None]).astype(np.uint8)
    noise = (rng.random((N, N)) < 0.5).astype(np.uint8)
    m_ramp, m_noise = p01.measure(ramp), p01.measure(noise)
    assert m_ramp["complexity"] > sep["complexity"] > m_noise["complexity"]
    assert m_noise["segments"] == 1
    # the compressor ranks the states by entropy, not by complexity
    assert m_noise["zlib"] > m_ramp["zlib"] > sep["zlib"]


def test_bad_config():
    with pytest.raises(ValueError, match="even int"):
        execute(p01, config=p01.Config(N=7, sweeps=10, n_snapshots=3))


def test_presets_differ():
    assert len({p01.Config.smoke().N, p01.Config.quick().N, p01.Config.full().N}) == 3
    assert p01.Config.quick().preset_name == "quick"
