"""Paper 18 (relational RNN): quick-preset claims on one seed; the gated-update pair and a
whole RMC step against central differences (float64, random upstream gradients); the task
generator against brute force; the slot-interaction mask; the zeroed-memory control;
parameter matching; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import check_pair, directional_check
from sutskever30.nn.pairs import rmc as P_rmc
from sutskever30.papers import p18_relational_rnn as p18

PAPER = 18  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick):
    r = quick[0]
    assert len(r.histories["farthest_rmc_loss"]) == p18.Config.quick().steps
    assert {"farthest_accuracy", "attention"} <= set(p18.figures(r))


@pytest.mark.parametrize("forget_bias", [1.0, 0.0])
def test_gated_memory_update_gradcheck(forget_bias):
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((2, 3, 4)) for _ in range(4)]
    err = check_pair(
        P_rmc.gated_memory_update_forward,
        P_rmc.gated_memory_update_backward,
        inputs,
        {"forget_bias": forget_bias},
        rng=rng,
    )
    assert err < 1e-6


def test_gated_memory_update_is_the_lstm_rule():
    rng = np.random.default_rng(1)
    mt, m, i, f = (rng.standard_normal((2, 3, 4)) for _ in range(4))
    out, _ = P_rmc.gated_memory_update_forward(mt, m, i, f)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    np.testing.assert_allclose(out, sig(i) * np.tanh(mt) + sig(f + 1.0) * m, rtol=1e-12)
    with pytest.raises(ValueError, match="one shape"):
        P_rmc.gated_memory_update_forward(mt, m[:, :2], i, f)


@pytest.mark.parametrize("interact", [True, False])
def test_whole_rmc_step_gradcheck(interact):
    rng = np.random.default_rng(2)
    model = p18.RMCClassifier(5, 3, 3, 2, 3, 4, rng=rng, interact=interact).double()
    B, N, D = 2, 3, 6
    arrays = [rng.standard_normal(s) for s in ((B, 1, D), (B, 1, 2 * D), (B, N, D))]
    params = list(model.core.parameters())

    def f(*xs):
        saved = [p.data for p in params]
        for p, x in zip(params, xs[3:]):
            p.data = x
        with nn.no_grad():
            out = model.core(*(nn.Tensor(a) for a in xs[:3])).data
        for p, s in zip(params, saved):
            p.data = s
        return out

    ts = [nn.Tensor(a, requires_grad=True) for a in arrays]
    out = model.core(*ts)
    dout = rng.standard_normal(out.shape)
    out.backward(dout)
    grads = [t.grad for t in ts] + [p.grad if p.grad is not None else np.zeros_like(p.data) for p in params]
    assert directional_check(f, grads, arrays + [p.data for p in params], dout, rng=rng) < 1e-6


def test_task_against_brute_force():
    rng = np.random.default_rng(3)
    K, d = 5, 3
    for n in (1, None):
        X, y = p18.nth_farthest(50, K, d, rng, n=n)
        assert X.shape == (50, K, d + 3 * K) and X.dtype == np.float32
        for b in range(50):
            vecs = X[b, :, :d].astype(np.float64)
            np.testing.assert_array_equal(X[b, :, d : d + K], np.eye(K))  # labels in order
            n_b, m_b = X[b, 0, d + K : d + 2 * K].argmax(), X[b, 0, d + 2 * K :].argmax()
            dists = [np.sqrt(((vecs[j] - vecs[m_b]) ** 2).sum()) for j in range(K)]
            assert y[b] == sorted(range(K), key=lambda j: -dists[j])[n_b]
            if n == 1:
                assert n_b == 0 and y[b] != m_b


def test_no_interaction_mask_blocks_slot_to_slot_attention():
    rng = np.random.default_rng(4)
    for interact in (True, False):
        model = p18.RMCClassifier(6, 3, 4, 2, 4, 5, rng=rng, interact=interact)
        model(nn.Tensor(rng.standard_normal((8, 3, 6)).astype(np.float32)))
        a = model.core.attn  # (B, h, N, N+1)
        off = a[..., :4] * (1 - np.eye(4))
        np.testing.assert_allclose(a.sum(-1), 1, rtol=1e-5)
        if interact:
            assert off.max() > 1e-3
        else:
            assert off.max() == 0.0
    # with the mask, changing slot j leaves slot k's update unchanged (no interaction)
    model = p18.RMCClassifier(6, 3, 4, 2, 4, 5, rng=rng, interact=False).double()
    x_row, x_gate, M = rng.standard_normal((1, 1, 8)), rng.standard_normal((1, 1, 16)), rng.standard_normal((1, 4, 8))
    M2 = M.copy()
    M2[0, 1] += 1.0
    out1 = model.core(nn.Tensor(x_row), nn.Tensor(x_gate), nn.Tensor(M)).data
    out2 = model.core(nn.Tensor(x_row), nn.Tensor(x_gate), nn.Tensor(M2)).data
    np.testing.assert_allclose(np.delete(out1, 1, axis=1), np.delete(out2, 1, axis=1), atol=1e-12)
    assert np.abs(out1[0, 1] - out2[0, 1]).max() > 1e-3


def test_zero_memory_forgets_all_but_the_last_input():
    rng = np.random.default_rng(5)
    model = p18.RMCClassifier(14, 4, 4, 2, 4, 8, rng=rng).double()
    X = rng.standard_normal((3, 4, 14))
    X2 = X.copy()
    X2[:, :3] = rng.standard_normal((3, 3, 14))  # change every input but the last
    assert np.abs(model(nn.Tensor(X)).data - model(nn.Tensor(X2)).data).max() > 1e-4
    model.core.zero_memory = True
    np.testing.assert_allclose(model(nn.Tensor(X)).data, model(nn.Tensor(X2)).data, atol=1e-12)


def test_parameter_matching():
    cfg = p18.Config.quick()
    d_in = cfg.d + 3 * cfg.K
    rmc = p18.RMCClassifier(
        d_in, cfg.K, cfg.n_slots, cfg.n_heads, cfg.head_size, cfg.hidden, rng=np.random.default_rng(0)
    )
    H = p18.matched_lstm_size(rmc.num_parameters(), d_in, cfg.K, cfg.hidden)
    lstm = p18.LSTMClassifier(d_in, cfg.K, H, cfg.hidden, rng=np.random.default_rng(0))
    assert abs(lstm.num_parameters() - rmc.num_parameters()) / rmc.num_parameters() < 0.02


def test_same_seed_same_numbers():
    cfg = p18.Config.smoke().replace(full_task=False, steps=6, evals=1)
    (a, _), (b, _) = execute(p18, config=cfg, seed=1), execute(p18, config=cfg, seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(p18, config=cfg, seed=2)
    assert c.histories["farthest_rmc_loss"] != a.histories["farthest_rmc_loss"]
