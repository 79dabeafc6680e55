"""Paper 7 (AlexNet): quick-preset claims on one seed, the conv weight-sharing probe, the
augmentation's geometry and where it is applied, the AlexNet parameter count (against a
torch twin of the shapes), a gradient check through the small net, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import numerical_grad
from sutskever30.papers import p07_alexnet as p07

PAPER = 7  # the quick fixture (tests/papers/conftest.py) runs this paper


def tiny(**kw) -> p07.Config:
    base = dict(n_train=40, batch_size=8, eval_every=2, curve_every=2, speed_inits=1, speed_max_steps=4)
    return p07.Config(**(base | kw))


@pytest.mark.slow
def test_quick_claims(quick):
    """Every claim holds on the quick preset: ReLU vs tanh, dropout (mean of 3 paired
    draws, >= 10% narrower), augmentation, full-model accuracy, weight sharing and
    AlexNet's size (seeds 0-7 measured; SkylakeX and Haswell kernels; docs/results/07_alexnet.md)."""
    found = quick[1]
    assert [c.statement.split()[0] for c in found] == ["ReLU", "dropout", "on-the-fly", "the", "weight", "AlexNet's"]
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


def test_dropout_and_augmentation_claims_compare_paired_draws_only():
    """Arms replicated on more draws than others are compared on the draws both ran on,
    and the dropout threshold is the calibrated 10%: a 9.6% reduction fails, 11.0% passes."""
    m = {
        "relu_iters_median": 20.0,
        "tanh_iters_median": 60.0,
        "relu_iters_to_target": [20],
        "tanh_iters_to_target": [60],
        "full_test_acc": 0.95,
        "shift_equivariance_error": 0.0,
        "alexnet_params": 60_965_224,
        "alexnet_neurons": 659_272,
        "base_train_acc_per_draw": [1.0, 1.0, 1.0],
        "base_test_acc_per_draw": [0.90, 0.80, 0.90],  # gaps 0.10, 0.20, 0.10: mean 0.133
        "augment_test_acc_per_draw": [0.93],  # draw 0 only: +3 points against 0.90, not 0.867
        "augment_train_acc_per_draw": [1.0],
    }
    for drop_test, passes in (([0.91, 0.8186, 0.91], False), ([0.91, 0.824, 0.91], True)):
        m["dropout_train_acc_per_draw"] = [1.0, 1.0, 1.0]
        m["dropout_test_acc_per_draw"] = drop_test
        result = p07.Result(config=p07.Config.quick(), metrics=m)
        drop, aug = p07.claims(result)[1:3]
        assert drop.passed is passes, drop.measured
        assert "means over 3 training sets" in drop.statement
        assert aug.measured["without"] == 0.90 and abs(aug.measured["gain_points"] - 3.0) < 1e-9
        assert aug.passed and "means over" not in aug.statement


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r = quick_result
    cfg = p07.Config.quick()
    for name in cfg.conditions:
        assert len(r.histories[f"{name}_loss"]) == cfg.steps
        assert len(r.histories[f"{name}_train_err"]) == len(r.arrays["eval_steps"])
        draws = cfg.replicates if name in cfg.replicated else 1
        assert len(r.metrics[f"{name}_test_acc_per_draw"]) == draws
        assert r.metrics[f"{name}_test_acc"] == pytest.approx(np.mean(r.metrics[f"{name}_test_acc_per_draw"]))
    assert r.arrays["conv1_filters"].shape == (cfg.c1, 5, 5)
    figs = p07.figures(r)
    assert {"train_error_relu_tanh", "conv1_filters", "accuracy"} <= set(figs)
    assert len(p07.paper_vs_ours(r)) == 6


def test_smoke_preset_runs_every_condition():
    r, found = execute(7, "smoke", seed=0)
    assert len(found) == 6
    assert all(f"{name}_test_acc" in r.metrics for name in p07.CONDITIONS)
    assert len(r.metrics["dropout_test_acc_per_draw"]) == 2 and len(r.metrics["augment_test_acc_per_draw"]) == 1
    assert "conv1_filters_tanh" in r.arrays and len(p07.paper_vs_ours(r)) == 8


# --------------------------------------------------------------------------------------
# mechanistic probes
# --------------------------------------------------------------------------------------


def test_conv_weight_sharing_shift_equivariance():
    model = p07.SmallAlexNet(rng=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((3, 1, 16, 16)).astype(np.float32)
    assert p07.shift_equivariance_error(model, x, shift=2) < 1e-5

    # an unshared layer (every output position with its own weights) fails the probe:
    # break the sharing by making the conv's response depend on position
    class Unshared(p07.SmallAlexNet):
        def features(self, t):
            f = super().features(t)  # (N, C, H, W)
            H, W = f.shape[2:]
            ramp = np.linspace(0.5, 1.5, H * W, dtype=np.float32).reshape(1, 1, H, W)
            return f * ramp

    assert p07.shift_equivariance_error(Unshared(rng=np.random.default_rng(0)), x, shift=2) > 1e-2


def test_random_translate_is_a_shift_with_zero_fill():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 2, 16, 16))
    out = p07.random_translate(x, 2, np.random.default_rng(3))
    assert out.shape == x.shape
    for n in range(50):
        found = False
        for dy in range(-2, 3):
            for dx in range(-2, 3):
                ref = np.zeros_like(x[n])
                src = x[n][:, max(0, dy) : 16 + min(0, dy), max(0, dx) : 16 + min(0, dx)]
                ref[:, max(0, -dy) : 16 + min(0, -dy), max(0, -dx) : 16 + min(0, -dx)] = src
                found |= np.array_equal(out[n], ref)
        assert found, n
    assert p07.random_translate(x, 0, rng) is x
    # shifts are drawn per image and cover all 25 offsets
    many = p07.random_translate(np.ones((400, 1, 16, 16)), 2, np.random.default_rng(4))
    zero_rows_top = (many[:, 0, :2, 5] == 0).sum(axis=1)
    assert set(np.unique(zero_rows_top)) == {0, 1, 2}


def test_augmentation_only_touches_training_batches(monkeypatch):
    """The crop function is called inside the training step only, on training images."""
    seen = []
    real = p07.random_translate

    def spy(x, s, rng):
        seen.append(x.shape[0])
        return real(x, s, rng)

    monkeypatch.setattr(p07, "random_translate", spy)
    p07.run(tiny(steps=3, conditions=("full", "base")), np.random.default_rng(0))  # too few arms for claims
    # 3 steps of the augmented condition (batch 8) + 1 call for the figure's examples
    assert seen == [8, 8, 8, 8]


def test_replicated_arms_are_paired_within_a_draw_and_independent_across_draws(monkeypatch):
    """Within a draw every arm sees the same training set, init seed and batch order (a
    paired comparison); each draw has its own; the unreplicated arms run on draw 0 only."""
    calls = []
    real = p07.train_condition

    def spy(name, cfg, data, init_seed, order_seed):
        calls.append((name, data[0].tobytes(), data[2].shape[0], init_seed, order_seed))
        return real(name, cfg, data, init_seed, order_seed)

    monkeypatch.setattr(p07, "train_condition", spy)
    cfg = tiny(steps=2, replicates=3)
    execute(p07, config=cfg)
    names = [c[0] for c in calls]
    assert names == ["base", "dropout", "augment", "full"] + ["base", "dropout", "augment"] * 2
    draws = [calls[0:4], calls[4:7], calls[7:10]]
    for d in draws:
        assert len({c[1:] for c in d}) == 1  # one training set (and test-set size), init, order
    keys = [d[0][1:] for d in draws]
    assert len({k[0] for k in keys}) == 3 and len({k[2:] for k in keys}) == 3
    assert all(k[1] == 1797 - cfg.n_train for k in keys)  # every unused digit is tested on


def test_preprocess_centres_on_the_training_mean_then_scales():
    rng = np.random.default_rng(0)
    x_tr, x_te = rng.random((5, 1, 16, 16)), rng.random((3, 1, 16, 16))
    y_tr, y_te = np.arange(5), np.arange(3)
    a_tr, b_tr, a_te, b_te = p07.preprocess(x_tr, y_tr, x_te, y_te, 16.0)
    assert a_tr.dtype == np.float32 and b_tr is y_tr and b_te is y_te
    np.testing.assert_allclose(a_tr.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(a_te, (x_te - x_tr.mean(axis=0)) * 16.0, rtol=1e-6, atol=1e-5)


def test_upsample2():
    X = np.arange(2 * 64, dtype=np.float64).reshape(2, 64)
    up = p07.upsample2(X)
    assert up.shape == (2, 1, 16, 16)
    np.testing.assert_array_equal(up[:, 0, ::2, ::2], X.reshape(2, 8, 8))
    np.testing.assert_array_equal(up[:, 0, 1::2, 1::2], X.reshape(2, 8, 8))


# --------------------------------------------------------------------------------------
# AlexNet's size
# --------------------------------------------------------------------------------------


def test_alexnet_param_count_is_the_papers_60_million():
    c = p07.alexnet_param_count()
    assert c["total"] == 60_965_224
    assert abs(c["total"] - 60e6) / 60e6 < 0.02  # "60 million parameters"
    assert abs(c["neurons"] - 650e3) / 650e3 < 0.02  # "650,000 neurons"
    assert c["conv1"] == 96 * 3 * 11 * 11 + 96
    assert c["fc6"] == 4096 * 9216 + 4096
    bad = p07.alexnet_layers()
    bad[5] = p07.LayerShape("fc6", "fc", 256 * 5 * 5, 4096)
    with pytest.raises(ValueError, match="fc6"):
        p07.alexnet_param_count(bad)


def test_alexnet_param_count_matches_a_torch_twin():
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    layers = []
    for L in p07.alexnet_layers():
        if L.kind == "conv":
            layers += [tnn.Conv2d(L.in_channels, L.out_channels, L.kernel, L.stride, L.padding, groups=L.groups)]
            layers += [tnn.ReLU()] + ([tnn.MaxPool2d(3, 2)] if L.pool_after else [])
            if L.name == "conv5":
                layers += [tnn.Flatten()]
        else:
            layers += [tnn.Linear(L.in_channels, L.out_channels)]
    twin = tnn.Sequential(*layers)
    counts = p07.alexnet_param_count()
    assert sum(p.numel() for p in twin.parameters()) == counts["total"]
    with torch.no_grad():
        assert twin(torch.zeros(1, 3, 227, 227)).shape == (1, 1000)  # the shapes chain up


# --------------------------------------------------------------------------------------
# gradients through the small net (float64) and the tape
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_small_net_gradients(activation):
    """Tape gradients through conv, LRN, overlapping pooling and FC vs central differences."""
    rng = np.random.default_rng(0)
    model = p07.SmallAlexNet(rng=rng, activation=activation, dropout=0.0, c1=6, c2=4, hidden=5).double()
    model.norm.alpha = 1.0  # a large LRN alpha, so its cross-channel gradient matters
    x = rng.standard_normal((3, 1, 16, 16))
    dscores = rng.standard_normal((3, 10))  # a random upstream gradient, not sum()

    def L():
        return float(np.sum(model(nn.Tensor(x)).data * dscores))

    model.zero_grad()
    model(nn.Tensor(x)).backward(dscores)
    for name, p in [("conv1.weight", model.conv1.weight), ("conv2.weight", model.conv2.weight)]:
        num = numerical_grad(L, p.data)
        err = np.linalg.norm(p.grad - num) / (np.linalg.norm(p.grad) + np.linalg.norm(num))
        assert err < 1e-6, (name, err)


# --------------------------------------------------------------------------------------
# determinism and bad input
# --------------------------------------------------------------------------------------


def test_same_seed_same_numbers():
    cfg = tiny(steps=4, conditions=("full", "dropout"))  # too few arms for claims: run() directly
    a, b = p07.run(cfg, np.random.default_rng(1)), p07.run(cfg, np.random.default_rng(1))
    assert a.metrics == b.metrics and a.histories == b.histories
    c = p07.run(cfg, np.random.default_rng(2))
    assert c.histories["full_loss"] != a.histories["full_loss"]


def test_bad_input():
    with pytest.raises(ValueError, match="replicates"):
        execute(p07, config=tiny(steps=1, replicates=0))
    with pytest.raises(ValueError, match="activation"):
        p07.SmallAlexNet(rng=np.random.default_rng(0), activation="sigmoid")
    with pytest.raises(ValueError, match="init"):
        p07.SmallAlexNet(rng=np.random.default_rng(0), init="xavier")
