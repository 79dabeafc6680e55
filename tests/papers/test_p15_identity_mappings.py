"""Paper 15 (identity mappings): quick-preset claims on one seed; the three unit formulations
share one code path (and, built from one seed, the same initial weights: the replicates are
paired); the constant shortcut has no parameters; the gradient ratio equals the analytic λ^L
when the branches are zeroed; the step lr schedule; unit gradients by central differences."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import directional_check
from sutskever30.papers import p15_identity_mappings as p15

PAPER = 15  # the quick fixture (tests/papers/conftest.py) runs this paper


def net(variant: str, n_units: int = 6, D: int = 8, seed: int = 0, dtype=np.float64) -> p15.ResNetMLP:
    rng = np.random.default_rng(seed)
    return p15.ResNetMLP(variant, n_units, D, n_in=5, n_out=3, branch_init=0.1, rng=rng, dtype=dtype)


def data(n: int = 16, seed: int = 1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 5)), rng.integers(0, 3, size=n)


# --------------------------------------------------------------------------------------
# claims on the quick preset (one run, reused)
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 7
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r, c = quick_result, p15.Config.quick()
    L = c.n_units
    for v in p15.VARIANTS:
        assert r.arrays[f"{v}_grad_norms_init"].shape == (L + 1,)
        # the first and last entries of the per-unit profile are the two norms of the ratio
        g = r.arrays[f"{v}_grad_norms_init"]
        assert g[0] / g[-1] == pytest.approx(r.metrics[f"{v}_ratio_init"], rel=1e-4)
        # "pre" and "post" train in every replicate, "scaled" in the first; the claims use the means
        reps = r.metrics[f"{v}_train_loss_reps"]
        assert len(reps) == (c.replicates if v != "scaled" else 1)
        assert r.metrics[f"{v}_train_loss"] == pytest.approx(np.mean(reps), rel=1e-12)
    # replicates differ (own init and batch order), so the mean is over distinct runs
    assert len(set(r.metrics["pre_train_loss_reps"])) == c.replicates
    assert r.histories["pre_loss"][-1] < r.histories["pre_loss"][0]
    assert set(p15.figures(r)) == {"loss", "grad_norms_init", "grad_norms_trained"}


def verdicts(result: p15.Result) -> dict[str, bool]:
    return {c.statement.split(":")[0]: c.passed for c in p15.claims(result)}


@pytest.mark.slow
def test_training_claims_can_fail(quick_result):
    """The pre-vs-post claim reads the replicate means and fails above 1.5×; the ≤ 0.1 claim
    fails when any one replicate is above 0.1."""
    r = quick_result
    m = dict(r.metrics, pre_train_loss=1.6 * r.metrics["post_train_loss"])
    failed = [k for k, ok in verdicts(p15.Result(metrics=m, config=r.config)).items() if not ok]
    assert failed == ["Pre-activation trains at least about as well as the original post-activation unit"]
    m = dict(r.metrics, pre_train_loss_reps=[*r.metrics["pre_train_loss_reps"][:-1], 0.11])
    failed = [k for k, ok in verdicts(p15.Result(metrics=m, config=r.config)).items() if not ok]
    assert len(failed) == 1 and failed[0].startswith("Training (")


# --------------------------------------------------------------------------------------
# one code path; the constant shortcut is not a parameter
# --------------------------------------------------------------------------------------


def test_constant_shortcut_has_no_parameters():
    s = p15.ConstantShortcut(0.5)
    assert list(s.parameters()) == [] and len(s.state_dict()) == 0
    model = net("scaled")
    unit = model.units[0]
    assert unit.shortcut.lam == 0.5 and isinstance(unit.shortcut.lam, float)
    assert not any("shortcut" in k for k in model.state_dict())
    assert not any("shortcut" in k for k, _ in model.named_parameters())
    # every parameter of the scaled net is a W₁/W₂/input/head weight or bias, as in "pre"
    assert [k for k, _ in model.named_parameters()] == [k for k, _ in net("pre").named_parameters()]
    # and λ does not move when the net trains
    X, y = data()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    nn.cross_entropy(model(nn.Tensor(X)), y).backward()
    opt.step()
    assert all(u.shortcut.lam == 0.5 for u in model.units)


def test_shortcut_rejects_a_tensor():
    with pytest.raises(TypeError, match="float constant"):
        p15.ConstantShortcut(nn.Parameter(np.array([0.5])))


def test_variants_share_one_code_path():
    """Same weights in all three: the outputs differ only by where the ReLU sits and λ."""
    pre, post, scaled = net("pre"), net("post"), net("scaled")
    state = pre.state_dict()
    post.load_state_dict(state)
    scaled.load_state_dict(state)
    assert pre.num_parameters() == post.num_parameters() == scaled.num_parameters()
    X = np.random.default_rng(5).standard_normal((16, 8))  # (B, D): a unit's input
    x = nn.Tensor(X)
    for unit_pre, unit_post, unit_sc in zip(pre.units, post.units, scaled.units):
        F_pre = unit_pre.branch(x).data
        np.testing.assert_allclose(unit_pre(x).data, X + F_pre)  # x + F(x), F on relu(x)
        np.testing.assert_allclose(unit_sc(x).data, 0.5 * X + 0.5 * F_pre)  # 0.5x + 0.5F
        np.testing.assert_allclose(unit_post(x).data, np.maximum(X + unit_post.branch(x).data, 0))
        np.testing.assert_allclose(unit_sc.branch(x).data, F_pre)  # same branch as "pre"


def test_one_seed_gives_every_variant_the_same_initial_weights():
    """What makes the replicates paired: the three formulations have the same parameters in
    the same order, so one init seed builds the same starting point for each."""
    states = [net(v, seed=7, dtype=np.float32).state_dict() for v in p15.VARIANTS]
    for other in states[1:]:
        assert other.keys() == states[0].keys()
        for k in states[0]:
            np.testing.assert_array_equal(other[k], states[0][k])


def test_run_pairs_the_variants_within_each_replicate(monkeypatch):
    """run() trains every variant of a replicate from the same weights with the same batch
    order, and each replicate from its own."""
    calls = []
    train = p15.train

    def spy(model, X, y, c, rng):
        state = {k: v.copy() for k, v in model.state_dict().items()}
        calls.append((model.variant, state, rng.bit_generator.state))
        return train(model, X, y, c, rng)

    monkeypatch.setattr(p15, "train", spy)
    execute(p15, config=p15.Config.smoke().replace(n_units=2, D=4, n_train=128, n_grad=8), seed=1)
    assert [v for v, _, _ in calls] == ["pre", "post", "scaled", "pre", "post"]

    def same(a, b) -> bool:
        return a[2] == b[2] and all(np.array_equal(a[1][k], b[1][k]) for k in a[1])

    assert same(calls[0], calls[1]) and same(calls[0], calls[2]) and same(calls[3], calls[4])
    assert not same(calls[0], calls[3])


def test_step_schedule_divides_by_ten_at_the_milestones(monkeypatch):
    # the optimiser sees lr_decay_at = (1/2, 3/4) of training: the lr of each of the 4 steps
    # (milestones at steps 2 and 3; nn.optim.MultiStepLR's own closed form is tested in nn/)
    c = p15.Config(n_units=2, D=4, epochs=2, batch=4, n_train=8, lr=0.05)
    model = p15.ResNetMLP("pre", 2, 4, n_in=5, n_out=3, branch_init=0.1, rng=np.random.default_rng(0))
    X, y = data(8)
    seen = []
    sgd_step = nn.optim.SGD.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return sgd_step(self, *args, **kwargs)

    monkeypatch.setattr(nn.optim.SGD, "step", spy)
    p15.train(model, X.astype(np.float32), y, c, np.random.default_rng(1))
    assert seen == pytest.approx([0.05, 0.05, 0.005, 0.0005])


@pytest.mark.parametrize("variant", p15.VARIANTS)
def test_unit_gradients_by_central_differences(variant):
    """The whole residual unit on the tape, float64, random upstream gradient."""
    unit = net(variant).units[0]
    X = np.random.default_rng(2).standard_normal((4, 8))
    xt = nn.Tensor(X, requires_grad=True)
    out = unit(xt)
    dout = np.random.default_rng(3).standard_normal(out.shape)
    out.backward(dout)
    W1 = unit.W1.weight.data

    def f(x, w1):
        old = W1.copy()
        W1[...] = w1
        try:
            with nn.no_grad():
                return unit(nn.Tensor(x)).data
        finally:
            W1[...] = old

    assert directional_check(f, [xt.grad, unit.W1.weight.grad], [X, W1.copy()], dout) < 1e-6


# --------------------------------------------------------------------------------------
# the gradient ratio: analytic λ^L with the branches zeroed
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_units", [5, 20, 50])
def test_ratio_equals_lambda_power_with_zeroed_branches(n_units):
    X, y = data(32)
    for variant, lam in (("pre", 1.0), ("scaled", 0.5)):
        model = p15.zero_branches_(net(variant, n_units=n_units))
        r = p15.gradient_ratio(model, X, y)
        assert r == pytest.approx(lam**n_units, rel=1e-10)
        assert p15.analytic_ratio(variant, n_units) == lam**n_units
    assert np.isnan(p15.analytic_ratio("post", n_units))


def test_ratio_matches_a_full_graph_backward():
    """The two-piece measurement equals ∂L/∂x₀ taken on one graph through a leaf x₀."""
    model = net("pre", n_units=4)
    X, y = data()
    with nn.no_grad():
        x0_val = model.stem(nn.Tensor(X)).data
    x0 = nn.Tensor(x0_val, requires_grad=True)
    xL = model.body(x0)
    xL_keep = xL.data.copy()
    nn.cross_entropy(model.top(xL), y).backward()
    g0 = x0.grad.copy()
    model.zero_grad()
    leaf = nn.Tensor(xL_keep, requires_grad=True)
    nn.cross_entropy(model.top(leaf), y).backward()
    expected = np.linalg.norm(g0) / np.linalg.norm(leaf.grad)
    model.zero_grad()
    assert p15.gradient_ratio(model, X, y) == pytest.approx(expected, rel=1e-12)


def test_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="variant must be one of"):
        p15.ResidualUnit(4, "gated", branch_init=0.1, rng=rng)
    with pytest.raises(TypeError, match="rng"):
        p15.ResidualUnit(4, "pre", branch_init=0.1, rng=None)


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(15, "smoke", seed=4), execute(15, "smoke", seed=4)
    assert a.metrics == b.metrics and a.histories == b.histories
    assert execute(15, "smoke", seed=5)[0].histories != a.histories
