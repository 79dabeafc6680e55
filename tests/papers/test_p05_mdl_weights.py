"""Paper 5 (Hinton & van Camp): the deterministic expected error against Monte Carlo, its
gradients against central differences, the batched baselines' hand-written backward, the
bits, and the quick-preset claims."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30.experiment import execute
from sutskever30.nn.autograd import Tensor
from sutskever30.nn.gradcheck import check_pair, numerical_grad, rel_error
from sutskever30.papers import p05_mdl_weights as p05

PAPER = 5  # the quick fixture (tests/papers/conftest.py) runs this paper


def random_q(rng: np.random.Generator, D: int = 6, H: int = 3) -> tuple[dict, dict]:
    mu = {
        "W1": rng.standard_normal((H, D)),
        "b1": rng.standard_normal(H),
        "W2": rng.standard_normal((1, H)),
        "b2": rng.standard_normal(1),
    }
    sigma = {k: np.exp(rng.uniform(-2, 0, v.shape)) for k, v in mu.items()}
    return mu, sigma


def moments(x, mu, sigma):
    mean, var = p05.expected_output_moments(
        x, {k: Tensor(v) for k, v in mu.items()}, {k: Tensor(s**2) for k, s in sigma.items()}
    )
    return mean.data, var.data


def test_moments_equal_monte_carlo():
    rng = np.random.default_rng(0)
    mu, sigma = random_q(rng)
    x = rng.standard_normal((5, 6))
    y = rng.standard_normal(5)
    mean, var = moments(x, mu, sigma)
    exact = float(((y - mean) ** 2 + var).sum())
    mc = p05.monte_carlo_sse(x, y, mu, sigma, 200_000, np.random.default_rng(1))
    assert abs(exact - mc) / mc < 0.01
    # zero variance: the moments are the plain forward pass
    zero = {k: np.zeros_like(v) for k, v in sigma.items()}
    mean0, var0 = moments(x, mu, zero)
    point = p05.point_net_predict({k: v[None] for k, v in mu.items()}, x)[0]
    np.testing.assert_allclose(mean0, point, atol=1e-12)
    np.testing.assert_allclose(var0, 0.0, atol=1e-10)  # s = √(0 + 1e-12) keeps sqrt differentiable


def test_moment_gradients_by_central_differences():
    rng = np.random.default_rng(2)
    mu, sigma = random_q(rng)
    log_sigma = {k: np.log(v) for k, v in sigma.items()}
    x = rng.standard_normal((4, 6))
    g_mean, g_var = rng.standard_normal(4), rng.standard_normal(4)  # random upstream gradients

    def L_and_grads():
        mu_t = {k: Tensor(v, requires_grad=True) for k, v in mu.items()}
        ls_t = {k: Tensor(v, requires_grad=True) for k, v in log_sigma.items()}
        mean, var = p05.expected_output_moments(x, mu_t, {k: (v * 2.0).exp() for k, v in ls_t.items()})
        L = (mean * Tensor(g_mean)).sum() + (var * Tensor(g_var)).sum()
        L.backward()
        return L.item(), {k: t.grad for k, t in mu_t.items()}, {k: t.grad for k, t in ls_t.items()}

    _, g_mu, g_ls = L_and_grads()
    for k in mu:
        num = numerical_grad(lambda: L_and_grads()[0], mu[k])
        assert rel_error(g_mu[k], num) < 1e-6, k
        num = numerical_grad(lambda: L_and_grads()[0], log_sigma[k])
        assert rel_error(g_ls[k], num) < 1e-6, k


def test_kl_bits_known_values_and_gradient():
    def kl(mu, ls, lsp):
        return p05.kl_gaussian_bits(Tensor(np.array(mu)), Tensor(np.array(ls)), Tensor(np.array(lsp))).item()

    assert kl(0.0, 0.3, 0.3) == pytest.approx(0.0, abs=1e-15)  # q = p
    assert kl(1.0, 0.0, 0.0) == pytest.approx(0.5 / np.log(2))  # μ²/(2s²) nats
    assert kl(0.0, 0.0, np.log(2.0)) == pytest.approx((np.log(2) + 1 / 8 - 0.5) / np.log(2))
    rng = np.random.default_rng(3)
    inputs = [rng.standard_normal(7), rng.standard_normal(7), np.array(0.2)]
    # the pair against central differences, with a random upstream gradient
    assert check_pair(p05.kl_bits_forward, p05.kl_bits_backward, inputs, rng=rng) < 1e-7
    # and against the same KL composed from elementwise tape ops
    mu, ls, lsp = (Tensor(a, requires_grad=True) for a in inputs)
    composed = (lsp - ls + ((ls * 2.0).exp() + mu * mu) / ((lsp * 2.0).exp() * 2.0) - 0.5).sum() / np.log(2)
    pair = p05.kl_gaussian_bits(*(Tensor(a) for a in inputs))
    assert composed.item() == pytest.approx(pair.item(), rel=1e-13)


def test_mixture_prior_kl_pair_and_monte_carlo():
    rng = np.random.default_rng(8)
    inputs = [rng.standard_normal(6) * 0.5, rng.uniform(-3, 0, 6), np.array([0.3, -0.2]), np.log([0.05, 1.0])]
    assert check_pair(p05.kl_mixture_forward, p05.kl_mixture_backward, inputs, rng=rng) < 1e-6
    kl = float(p05.kl_mixture_forward(*inputs)[0])
    mu, log_sigma, logits, log_s = inputs
    pi, s, sigma = np.exp(logits) / np.exp(logits).sum(), np.exp(log_s), np.exp(log_sigma)
    w = mu + sigma * np.random.default_rng(9).standard_normal((200_000, 6))  # samples from q
    log_q = -0.5 * np.log(2 * np.pi * sigma**2) - (w - mu) ** 2 / (2 * sigma**2)
    log_p = np.log((pi / np.sqrt(2 * np.pi * s**2) * np.exp(-(w[..., None] ** 2) / (2 * s**2))).sum(-1))
    mc = float((log_q - log_p).mean(0).sum() / np.log(2))
    assert abs(kl - mc) / mc < 0.01
    # one component with s = σ and μ = 0: KL is zero
    zero = p05.kl_mixture_forward(np.zeros(3), np.full(3, -1.0), np.array([0.0]), np.array([-1.0]))[0]
    assert abs(float(zero)) < 1e-12


def test_batched_point_nets_backward_by_central_differences():
    rng = np.random.default_rng(4)
    G, N, D, H = 3, 7, 5, 4
    params = {
        "W1": rng.standard_normal((G, H, D)),
        "b1": rng.standard_normal((G, H)),
        "W2": rng.standard_normal((G, 1, H)),
        "b2": rng.standard_normal((G, 1)),
    }
    X, y = rng.standard_normal((N, D)), rng.standard_normal(N)
    mask = (rng.random((G, N)) < 0.7).astype(float)
    mask[:, 0] = 1
    lam = np.array([0.0, 0.1, 1.0])
    g = rng.standard_normal(G)  # random upstream gradient on each net's loss
    _, grads = p05.point_net_loss(params, X, y, mask, lam)
    for k in params:
        num = numerical_grad(lambda: float(g @ p05.point_net_loss(params, X, y, mask, lam)[0]), params[k])
        assert rel_error(grads[k] * g.reshape(-1, *[1] * (grads[k].ndim - 1)), num) < 1e-7, k


def test_task_and_two_part_code():
    a = p05.make_task(np.random.default_rng(5))
    b = p05.make_task(np.random.default_rng(5))
    np.testing.assert_array_equal(a["X"], b["X"])
    assert a["X"].shape == (50, 32) and a["X_test"].shape == (2000, 32) and len(set(a["S"])) == 3
    rng = np.random.default_rng(6)
    params = {
        "W1": rng.standard_normal((4, 32)) * 0.3,
        "b1": np.zeros(4),
        "W2": rng.standard_normal((1, 4)),
        "b2": np.zeros(1),
    }
    code = p05.two_part_code_bits(params, a["X"], a["y"], 0.1, 1e-3)
    assert code["total"] == pytest.approx(code["weight_bits"] + code["data_bits"])
    assert code["delta"] in [2.0**-k for k in range(1, 21)]


def test_smoke_config_runs_and_draws():
    r, found = execute(5, "smoke", seed=0)
    assert len(found) == 5
    assert set(p05.figures(r)) == {"sigma_over_mu", "test_mse", "bits", "training"}
    assert len(p05.paper_vs_ours(r)) == 7


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_sigma_moved_and_kl_reported_separately(quick_result):
    m = quick_result.metrics
    # the noise levels were learned: the median first-layer σ moved by more than a factor e
    assert m["sigma_log_change_median"] > 1.0
    assert m["mdl_weight_bits"] > 0 and m["mdl_total_bits"] == pytest.approx(m["mdl_data_bits"] + m["mdl_weight_bits"])
    assert m["train_mse_ml"] < 1e-3 < m["test_mse_ml"]  # ML memorised the 50 examples
