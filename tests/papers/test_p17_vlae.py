"""Paper 17 (VLAE): quick-preset claims on one seed; the decoder's window mask (the MADE
property ∂ℓ_i/∂x_j = 0 for j ≥ i and j < i − w, by back-propagation and by flipping
pixels); the closed-form KL against Monte Carlo; the ELBO against a hand computation; the
importance-weighted bound against the ELBO; float64 gradient checks; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p17_vlae as p17

PAPER = 17  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick):
    r = quick[0]
    assert r.paper == 17 and r.preset == "quick"
    cfg = p17.Config.quick()
    steps = cfg.epochs * (cfg.n_train // cfg.batch_size)
    assert all(len(r.histories[f"w{w}_loss"]) == steps for w in cfg.windows)
    for w in cfg.windows:  # the ELBO is the reconstruction term plus the KL, reported apart
        m = r.metrics
        assert m[f"w{w}_neg_elbo"] == pytest.approx(m[f"w{w}_rec"] + m[f"w{w}_kl"], rel=1e-5)
        assert m[f"w{w}_kl"] > 0
    assert {"bits_back_trend", "reconstructions", "lossy_code"} <= set(p17.figures(r))


def random_model(w: int, seed: int = 0) -> p17.VLAE:
    return p17.VLAE(w, np.random.default_rng(seed), z_dim=3, enc_hidden=16, h=2).double()


@pytest.mark.parametrize("w", [0, 1, 5, 8, 30, p17.FULL])
def test_window_mask_by_backprop(w):
    rng = np.random.default_rng(w)
    model = random_model(w)
    x = (rng.random((4, p17.D)) < 0.5).astype(np.float64)
    z = rng.standard_normal((4, 3))
    J = p17.logit_jacobian(model, x, z)  # (D, D) Σ_batch |∂ℓ_i/∂x_j|
    i, j = np.indices((p17.D, p17.D))
    inside = (j < i) & (j >= i - w)
    assert np.all(J[~inside] == 0.0)  # exactly: the masked weights are multiplied by 0
    assert np.all(J[inside] > 0)  # and every pixel of the window is read
    assert inside.sum() == sum(min(k, w) for k in range(p17.D))


@pytest.mark.parametrize("w", [0, 4, p17.FULL])
def test_window_mask_by_flipping_pixels(w):
    """Brute force: flip one input pixel j; exactly the logits i with i − w ≤ j < i move."""
    rng = np.random.default_rng(1)
    model = random_model(w, seed=3)
    x = (rng.random((1, p17.D)) < 0.5).astype(np.float64)
    z = rng.standard_normal((1, 3))
    with nn.no_grad():
        base = model.decode(nn.Tensor(x), nn.Tensor(z)).data[0]
        for j in range(p17.D):
            x2 = x.copy()
            x2[0, j] = 1 - x2[0, j]
            moved = model.decode(nn.Tensor(x2), nn.Tensor(z)).data[0] != base  # (D,)
            may_move = (np.arange(p17.D) > j) & (np.arange(p17.D) <= j + w)
            assert not np.any(moved & ~may_move), (j, np.flatnonzero(moved & ~may_move))


def test_window_mask_matches_definition_and_full_window_is_made():
    m = p17.window_mask(3, 6, per_output=2)
    for r in range(12):
        for j in range(6):
            assert m[r, j] == (r // 2 - 3 <= j < r // 2)
    assert np.array_equal(p17.window_mask(p17.FULL), np.tril(np.ones((p17.D, p17.D)), -1))
    assert not p17.window_mask(0).any()


def test_parameter_count_does_not_depend_on_the_window():
    counts = {w: random_model(w).num_parameters() for w in (0, 8, p17.FULL)}
    assert len(set(counts.values())) == 1, counts


def test_bad_window():
    with pytest.raises(ValueError, match="window w"):
        p17.WindowedMADE(64, 3, 2, np.random.default_rng(0))


def test_kl_closed_form_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mu, logvar = rng.standard_normal((1, 3)), rng.standard_normal((1, 3)) * 0.5
    kl = p17.gaussian_kl(nn.Tensor(mu), nn.Tensor(logvar)).data[0]
    sd = np.exp(0.5 * logvar)
    z = mu + sd * rng.standard_normal((400_000, 3))
    log_q = (-0.5 * ((z - mu) / sd) ** 2 - np.log(sd)).sum(1)
    log_p = (-0.5 * z**2).sum(1)
    mc = np.mean(log_q - log_p)
    assert abs(kl - mc) < 0.01, (kl, mc)


def test_negative_elbo_equals_hand_computation():
    rng = np.random.default_rng(2)
    model = random_model(6)
    x = (rng.random((5, p17.D)) < 0.4).astype(np.float64)
    eps = rng.standard_normal((5, 3))
    loss, rec, kl = p17.negative_elbo(model, nn.Tensor(x), nn.Tensor(eps))
    with nn.no_grad():
        mu, logvar = (t.data for t in model.encode(nn.Tensor(x)))
        z = mu + np.exp(0.5 * logvar) * eps
        p = 1 / (1 + np.exp(-model.decode(nn.Tensor(x), nn.Tensor(z)).data))
    want_rec = -np.mean(np.sum(x * np.log(p) + (1 - x) * np.log(1 - p), axis=1))
    want_kl = np.mean(0.5 * np.sum(mu**2 + np.exp(logvar) - logvar - 1, axis=1))
    assert rec.item() == pytest.approx(want_rec, rel=1e-10)
    assert kl.item() == pytest.approx(want_kl, rel=1e-10)
    assert loss.item() == pytest.approx(want_rec + want_kl, rel=1e-10)
    np.testing.assert_allclose(p17.bernoulli_nll(np.log(p / (1 - p)), x).mean(), want_rec, rtol=1e-10)


def test_negative_elbo_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    model = random_model(5)
    x = (rng.random((3, p17.D)) < 0.5).astype(np.float64)
    eps = rng.standard_normal((3, 3))
    loss, _, _ = p17.negative_elbo(model, nn.Tensor(x), nn.Tensor(eps))
    model.zero_grad()
    loss.backward()
    # random directions in parameter space (including the masked weights, whose gradient is 0)
    for name, param in model.named_parameters():
        v = rng.standard_normal(param.shape)
        h = 1e-6
        saved = param.data.copy()
        param.data[...] = saved + h * v
        up = p17.negative_elbo(model, nn.Tensor(x), nn.Tensor(eps))[0].item()
        param.data[...] = saved - h * v
        down = p17.negative_elbo(model, nn.Tensor(x), nn.Tensor(eps))[0].item()
        param.data[...] = saved
        numeric, analytic = (up - down) / (2 * h), float(np.sum(param.grad * v))
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(numeric)), (name, numeric, analytic)
    masked = model.decoder.x_to_hidden
    assert np.all(masked.weight.grad[masked.mask == 0] == 0)


def test_importance_weighted_bound_is_tighter_than_the_elbo():
    rng = np.random.default_rng(5)
    model = p17.VLAE(8, np.random.default_rng(0), z_dim=3, enc_hidden=16, h=2)
    X = (rng.random((50, p17.D)) < 0.3).astype(np.float32)
    cfg = p17.Config.smoke().replace(z_dim=3, eval_samples=64, iw_samples=64)
    ev = p17.evaluate(model, X, cfg, np.random.default_rng(0))
    assert ev["nll_iw"] < ev["neg_elbo"]  # log p(x) ≥ IW bound ≥ ELBO: −log p is below −ELBO
    k1 = p17.evaluate(model, X, cfg.replace(iw_samples=1), np.random.default_rng(0))
    assert k1["nll_iw"] > ev["nll_iw"]  # one importance sample is the (noisier) ELBO itself


def test_sampling_follows_the_decoder():
    """With w = 0 the pixels are independent Bernoullis: sample means match sigmoid(ℓ)."""
    model = p17.VLAE(0, np.random.default_rng(0), z_dim=3, enc_hidden=16, h=2)
    z = np.zeros((4000, 3), dtype=np.float32)
    x = p17.sample(model, z, np.random.default_rng(0))
    with nn.no_grad():
        p = 1 / (1 + np.exp(-model.decode(nn.Tensor(np.zeros((1, p17.D), np.float32)), nn.Tensor(z[:1])).data[0]))
    assert np.abs(x.mean(axis=0) - p).max() < 0.04  # 4000 draws: standard error ≤ 0.008
    assert set(np.unique(x)) <= {0.0, 1.0}


def test_nearest_neighbour_class_is_hamming():
    X_ref = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], dtype=np.float32)
    X = np.array([[1, 0, 0, 0], [0, 1, 1, 1]], dtype=np.float32)
    assert list(p17.nearest_neighbour_class(X, X_ref, np.array([3, 7]))) == [3, 7]


def test_same_seed_same_numbers():
    cfg = p17.Config.smoke().replace(windows=(0, 8), epochs=1)
    (a, _), (b, _) = execute(p17, config=cfg, seed=1), execute(p17, config=cfg, seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(p17, config=cfg, seed=2)
    assert c.histories["w8_loss"] != a.histories["w8_loss"]
