"""Paper 22 (Scaling laws): quick claims on one seed; toy (A)'s risks against brute force and
Monte Carlo; the fits recover known exponents; parameter counting; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30.experiment import execute
from sutskever30.papers import p22_scaling_laws as p22

PAPER = 22  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


def test_unlimited_data_loss_is_the_tail_sum():
    lam = p22.spectrum(1000, 0.5)
    L = p22.loss_unlimited_data(lam, [1, 10, 999])
    np.testing.assert_allclose(L, [lam[1:].sum(), lam[10:].sum(), lam[999:].sum()], rtol=1e-12)


def test_ridge_risk_is_the_exact_risk_of_the_fitted_weights():
    """The analytic risk Σ λ (ŵ − w)² equals a Monte Carlo estimate on fresh samples."""
    lam = p22.spectrum(64, 0.5)
    rng = np.random.default_rng(0)
    risk = p22.ridge_risk(lam, [8, 64], 32, rng)
    rng = np.random.default_rng(0)  # replay the same draws and fit by hand
    w = rng.standard_normal(64)
    X = rng.standard_normal((32, 64)) * np.sqrt(lam)
    y = X @ w
    tail = lam[8:].sum()
    w8 = np.linalg.solve(X[:, :8].T @ X[:, :8] + (tail + 1e-10) * np.eye(8), X[:, :8].T @ y)
    Xt = np.random.default_rng(1).standard_normal((200_000, 64)) * np.sqrt(lam)
    mc = np.mean((Xt @ w - Xt[:, :8] @ w8) ** 2)
    assert abs(mc - risk[0]) / risk[0] < 0.02
    assert risk[1] < risk[0]  # the Bayes-optimal ridge: more features never hurt on average here


def test_power_law_fit_recovers_a_known_exponent():
    x = np.logspace(1, 4, 9)
    f = p22.power_law_fit(x, 3.0 * x**-0.3)
    assert abs(f["alpha"] - 0.3) < 1e-12 and f["r2"] > 1 - 1e-12
    g = p22.offset_power_law_fit(x, 1.5 + (200 / x) ** 0.4)
    assert abs(g["alpha"] - 0.4) < 1e-3 and abs(g["L_inf"] - 1.5) < 1e-3


def test_kaplan_fit_recovers_its_own_form():
    N, D = np.meshgrid(2.0 ** np.arange(4, 10), 2.0 ** np.arange(4, 10), indexing="ij")
    L = ((1e3 / N) ** (0.4 / 0.6) + 5e2 / D) ** 0.6
    f = p22.kaplan_ND_fit(N.ravel(), D.ravel(), L.ravel())
    assert abs(f["alpha_N"] - 0.4) < 1e-4 and abs(f["alpha_D"] - 0.6) < 1e-4 and f["r2"] > 1 - 1e-9


def test_parameter_counts():
    m = p22.CharMLP(50, 8, 16, 32, 2, np.random.default_rng(0))
    assert m.n_params() == p22.n_params_for(50, 8, 16, 32, 2) == (128 * 32 + 32) + (32 * 32 + 32) + (32 * 50 + 50)
    assert m.n_params(embedding=True) == m.n_params() + 50 * 16
    w = p22.matched_width(50, 8, 16, p22.n_params_for(50, 8, 16, 64, 1), 2)
    assert abs(p22.n_params_for(50, 8, 16, w, 2) / p22.n_params_for(50, 8, 16, 64, 1) - 1) < 0.02


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(22, "smoke", seed=1), execute(22, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(22, "smoke", seed=2)
    assert c.metrics["B_loss"] != a.metrics["B_loss"]
