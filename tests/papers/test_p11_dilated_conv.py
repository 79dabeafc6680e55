"""Paper 11 (dilated convolutions): quick-preset claims on one seed, the receptive-field probe
against the analytic growth (and its power to see holes), identity initialisation, equal
parameter counts, the data's labels against brute force, determinism, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p11_dilated_conv as p11

PAPER = 11  # the quick fixture (tests/papers/conftest.py) runs this paper

# --------------------------------------------------------------------------------------
# claims on the quick preset (one run, reused)
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 9
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r = quick_result
    steps = p11.Config.quick().steps
    for kind in p11.KINDS:
        assert len(r.histories[f"{kind}_loss"]) == steps
        assert r.histories[f"{kind}_loss"][-1] < r.histories[f"{kind}_loss"][0]
    # the trained dilated net uses context beyond the plain net's ±7 samples; the plain cannot
    L = len(r.arrays["plain_grad_profile"])
    far = np.abs(np.arange(L) - L // 2) > 7
    assert np.all(r.arrays["plain_grad_profile"][far] == 0)
    assert r.arrays["dilated_grad_profile"][far].sum() > r.arrays["dilated_grad_profile"][~far].sum()
    figs = p11.figures(r)
    assert set(figs) == {"receptive_field", "support_2d", "predictions", "loss", "gradient_profile"}
    assert len(p11.paper_vs_ours(r)) == 7


# --------------------------------------------------------------------------------------
# receptive field: analytic formula and the gradient-support probe
# --------------------------------------------------------------------------------------


def test_analytic_receptive_fields():
    assert p11.analytic_receptive_fields(p11.CONTEXT_DILATIONS) == [3, 5, 9, 17, 33, 65, 67]
    assert p11.analytic_receptive_fields((1, 2, 4, 8, 16, 32)) == [2 ** (i + 2) - 1 for i in range(6)]
    assert p11.analytic_receptive_fields((1, 1, 1), k=5) == [5, 9, 13]


@pytest.mark.parametrize("dilations", [(1, 3, 9), (1, 2, 1), (1, 1, 2, 4, 8, 16, 1)])
def test_probe_matches_analytic_for_any_schedule(dilations):
    widths, holes, sup = p11.probe_receptive_fields(dilations, 1, 101, np.random.default_rng(0))
    assert widths == p11.analytic_receptive_fields(dilations)
    assert not any(holes)  # each dilation ≤ the field so far: nothing skipped
    centre = 101 // 2
    r = widths[-1] // 2
    assert np.array_equal(np.nonzero(sup)[0], np.arange(centre - r, centre + r + 1))  # centred


def test_probe_sees_gridding_holes():
    """Dilations 2, 4 without a dilation-1 layer first skip every odd offset: the probe
    must report holes (this is why the context module starts with dilation 1)."""
    widths, holes, sup = p11.probe_receptive_fields((2, 4), 1, 41, np.random.default_rng(1))
    assert widths == [5, 13]
    assert holes == [2, 6]
    assert not sup[41 // 2 + 1]  # offset +1 never reaches the centre output


def test_probe_2d_is_a_full_square():
    widths, holes, sup = p11.probe_receptive_fields((1, 1, 2, 4), 2, 41, np.random.default_rng(2))
    assert widths == [3, 5, 9, 17] and holes == [0, 0, 0, 0]
    assert sup.sum() == 17 * 17


def test_dense_kernel_fake_needs_more_parameters():
    """The fake to guard against: one dense kernel reaching the same 67-wide field needs
    ~3× the weights of the 7 dilated 3-tap layers in 1-D and ~70× in 2-D (C = 8)."""
    rng = np.random.default_rng(0)
    C = 8
    dilated_1d = p11.ContextModule(C, rng=rng).num_parameters()
    dense_1d = nn.Conv1d(C, C, 67, padding=33, rng=rng).num_parameters()
    assert dense_1d > 2.5 * dilated_1d
    dilated_2d = p11.ContextModule(C, dim=2, rng=rng).num_parameters()
    dense_2d = C * C * 67 * 67 + C  # a Conv2d(C, C, 67): counted, not allocated
    assert dilated_2d == 7 * (9 * C * C + C) + C * C + C
    assert dense_2d > 50 * dilated_2d


# --------------------------------------------------------------------------------------
# identity initialisation, parameter counts, resampling helpers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 2])
def test_identity_init_is_exact_on_nonnegative_input(dim):
    rng = np.random.default_rng(dim)
    m = p11.identity_init_(p11.ContextModule(5, dim=dim, rng=rng))
    x = rng.random((3, 5) + (30,) * dim).astype(np.float32)
    assert p11.identity_gap(m, x) == 0.0
    # the ReLUs clip negative inputs: identity only on what a rectified front end gives
    assert p11.identity_gap(m, x - 0.5) > 0.4
    # and without the identity init the module is far from the identity
    assert p11.identity_gap(p11.ContextModule(5, dim=dim, rng=rng), x) > 0.1


def test_identity_init_keeps_everything_trainable():
    m = p11.identity_init_(p11.ContextModule(4, rng=np.random.default_rng(0)))
    assert len(list(m.parameters())) == 2 * 8  # 7 dilated layers + the 1 × 1, weight and bias
    x = nn.Tensor(np.random.default_rng(1).random((2, 4, 40)).astype(np.float32))
    (m(x) * 1.0).sum().backward()
    assert all(p.grad is not None and np.any(p.grad != 0) for p in m.parameters() if p.ndim > 1)


@pytest.mark.parametrize("C", [4, 8])
def test_equal_parameter_counts(C):
    rng = np.random.default_rng(C)
    counts = {k: p11.DenseLabeller(k, C, rng=rng).num_parameters() for k in p11.KINDS}
    assert len(set(counts.values())) == 1, counts
    assert counts["dilated"] == C + C + 7 * (3 * C * C + C) + (C * C + C) + (2 * C + 2)


def test_pool_and_upsample():
    x = nn.Tensor(np.arange(16, dtype=np.float64).reshape(1, 2, 8), requires_grad=True)
    pooled = p11._avg_pool(x, 4)  # (1, 2, 2)
    np.testing.assert_allclose(pooled.data, [[[1.5, 5.5], [9.5, 13.5]]])
    up = p11._upsample(pooled, 4)  # (1, 2, 8)
    np.testing.assert_allclose(up.data[0, 0], [1.5] * 4 + [5.5] * 4)
    up.backward(np.ones(up.shape))
    np.testing.assert_allclose(x.grad, np.ones(x.shape))  # 4 copies × 1/4 each


# --------------------------------------------------------------------------------------
# data, determinism, bad input
# --------------------------------------------------------------------------------------


def test_labels_are_the_window_sum_sign():
    rng = np.random.default_rng(3)
    x, y = p11.make_window_sign_data(5, 80, 10, 0.6, 30.0, rng)
    assert x.shape == (5, 1, 80) and y.shape == (5, 80)
    assert set(np.unique(x)) == {-1.0, 1.0}
    for n in range(5):
        for i in range(80):
            if i < 10 or i >= 70:
                assert y[n, i] == p11.IGNORE
            else:
                assert y[n, i] == int(x[n, 0, i - 10 : i + 11].sum() > 0)


def test_boundary_mask():
    I = p11.IGNORE
    y = np.array([[I, 0, 0, 0, 1, 1, 1, 1, I]])
    np.testing.assert_array_equal(p11.boundary_mask(y, 0)[0], [0, 0, 0, 1, 1, 0, 0, 0, 0])
    np.testing.assert_array_equal(p11.boundary_mask(y, 1)[0], [0, 0, 1, 1, 1, 1, 0, 0, 0])


def test_same_seed_same_numbers():
    tiny = p11.Config.smoke().replace(steps=3, n_train=16, n_test=4, batch=4)
    (a, _), (b, _) = execute(p11, seed=3, config=tiny), execute(p11, seed=3, config=tiny)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(p11, seed=4, config=tiny)
    assert c.histories["dilated_loss"] != a.histories["dilated_loss"]


def test_smoke_preset_runs():
    r, found = execute(11, "smoke", seed=0)
    assert len(found) == 9 and set(p11.figures(r)) >= {"receptive_field", "loss"}


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="kind must be one of"):
        p11.DenseLabeller("atrous", 4, rng=rng)
    with pytest.raises(ValueError, match="dim must be 1 or 2"):
        p11.ContextModule(4, dim=3, rng=rng)
    with pytest.raises(ValueError, match="half_window"):
        p11.make_window_sign_data(2, 40, 25, 0.6, 10.0, rng)
    with pytest.raises(TypeError, match="rng"):
        p11.ContextModule(4)
