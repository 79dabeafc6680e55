"""Paper 3 (Understanding LSTM Networks): quick-preset claims on one seed, the constant
error carousel, the forget-gate clamp, the gradient probe against finite differences, the
step-by-step harness against the sequence module, the task, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p03_understanding_lstm as p03

PAPER = 3  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 6
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_and_figures(quick_result):
    r = quick_result
    cfg = p03.Config.quick()
    L = max(cfg.lengths) + 2
    for kind in p03.KINDS:
        assert len(r.histories[f"loss_{kind}_T{max(cfg.lengths)}"]) == cfg.steps
        assert r.arrays[f"grad_norms_trained_{kind}"].shape == (L,)
    assert r.arrays["gates_f"].shape == (cfg.hidden, cfg.gates_T + 2)
    figs = p03.figures(r)
    assert {"accuracy_vs_T", "grad_flow_init", "grad_flow_trained", "gates_f", "gates_i", "loss"} <= set(figs)
    assert len(p03.paper_vs_ours(r)) == len(cfg.lengths) + 3


# --------------------------------------------------------------------------------------
# the constant error carousel and the forget-gate clamp
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_error_carousel_is_exact(dtype):
    rng = np.random.default_rng(0)
    H, I = 6, 5
    c0 = rng.standard_normal((3, H)).astype(dtype)
    x = (3 * rng.standard_normal((500, 3, I))).astype(dtype)
    W_ih = rng.standard_normal((4 * H, I)).astype(dtype)
    W_hh = rng.standard_normal((4 * H, H)).astype(dtype)
    c_T, dc_0, dc_T = p03.constant_error_carousel(c0, x, W_ih, W_hh)
    np.testing.assert_array_equal(c_T, c0)  # bit for bit
    np.testing.assert_array_equal(dc_0, dc_T)


def test_carousel_breaks_without_saturated_gates():
    """Control: the ordinary cell (f < 1 or i > 0) does change c, so the test above can fail."""
    rng = np.random.default_rng(1)
    H, I = 4, 3
    c = c0 = rng.standard_normal((2, H))
    h = np.zeros_like(c0)
    W_ih, W_hh, b = rng.standard_normal((4 * H, I)), rng.standard_normal((4 * H, H)), np.zeros(4 * H)
    for _ in range(5):
        (h, c), _ = nn.pairs.lstm_cell_forward(rng.standard_normal((2, I)), h, c, W_ih, W_hh, b, None)
    assert np.max(np.abs(c - c0)) > 1e-3


def test_clamped_forget_gate_is_exactly_zero_and_stays_frozen():
    rng = np.random.default_rng(2)
    model = p03.Recaller("lstm", 8, rng=rng, clamp_forget=True, dtype=np.float64)
    ids, y = p03.make_recall_batch(5, 7, rng)
    _, rec = p03.run_stepwise(model, ids)
    assert np.all(rec["f"] == 0.0)
    np.testing.assert_array_equal(rec["c"], rec["i"] * rec["g"])  # C_t = i_t ⊙ C̃_t, no memory term
    loss = nn.cross_entropy(model(nn.Tensor(p03.one_hot(ids, np.float64))), y)
    loss.backward()
    f_rows = slice(8, 16)
    for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
        grad = getattr(model.rnn, name).grad
        assert np.all(grad[f_rows] == 0.0), name
        assert np.any(grad != 0.0), name


def test_forget_bias_is_set():
    model = p03.Recaller("lstm", 8, rng=np.random.default_rng(0), forget_bias=1.0)
    b = model.rnn.bias_ih_l0.data + model.rnn.bias_hh_l0.data
    np.testing.assert_allclose(b[8:16], 1.0)


# --------------------------------------------------------------------------------------
# the probe and the harness
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", p03.KINDS)
def test_gradient_probe_matches_finite_differences(kind):
    rng = np.random.default_rng(3)
    model = p03.Recaller(kind, 5, rng=rng, dtype=np.float64)
    ids, _ = p03.make_recall_batch(2, 4, rng)
    norms = p03.input_gradient_norms(model, ids)  # (L,)
    x = p03.one_hot(ids, np.float64)  # (L, n, V)
    L, n, V = x.shape
    eps = 1e-6
    fd = np.zeros((L, n))
    for t in range(L):
        J = np.zeros((n, 5, V))
        for v in range(V):
            xp, xm = x.copy(), x.copy()
            xp[t, :, v] += eps
            xm[t, :, v] -= eps
            with nn.no_grad():
                hp = model.hidden_states(nn.Tensor(xp)).data[-1]
                hm = model.hidden_states(nn.Tensor(xm)).data[-1]
            J[:, :, v] = (hp - hm) / (2 * eps)
        fd[t] = np.sqrt((J**2).sum(axis=(1, 2)))
    np.testing.assert_allclose(norms, fd.mean(axis=1), rtol=1e-6)


@pytest.mark.parametrize("kind", p03.KINDS)
def test_stepwise_harness_equals_sequence_module(kind):
    rng = np.random.default_rng(4)
    model = p03.Recaller(kind, 7, rng=rng, dtype=np.float64)
    ids, _ = p03.make_recall_batch(6, 9, rng)
    logits, rec = p03.run_stepwise(model, ids)
    with nn.no_grad():
        x = nn.Tensor(p03.one_hot(ids, np.float64))
        np.testing.assert_allclose(model(x).data, logits, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(model.hidden_states(x).data, rec["h"], rtol=1e-12, atol=1e-12)


def test_readout_sees_only_the_last_state():
    """Changing the first token changes the prediction only through the recurrence: with
    W_hh = 0 the RNN's last state depends on the query alone, so all outputs are equal."""
    rng = np.random.default_rng(5)
    model = p03.Recaller("rnn", 6, rng=rng, dtype=np.float64)
    model.rnn.weight_hh_l0.data[:] = 0.0
    ids, _ = p03.make_recall_batch(8, 3, rng)
    logits, _ = p03.run_stepwise(model, ids)
    np.testing.assert_allclose(logits, np.broadcast_to(logits[0], logits.shape), atol=1e-12)


# --------------------------------------------------------------------------------------
# task, bad input, determinism
# --------------------------------------------------------------------------------------


def test_task_layout():
    ids, y = p03.make_recall_batch(200, 10, np.random.default_rng(6))
    assert ids.shape == (12, 200) and y.shape == (200,)
    np.testing.assert_array_equal(ids[0], y)
    assert np.all((ids[1:-1] >= p03.N_SYMBOLS) & (ids[1:-1] < p03.QUERY))  # distractors never a symbol
    assert np.all(ids[-1] == p03.QUERY)
    assert set(np.unique(y)) == set(range(p03.N_SYMBOLS))


def test_bad_input():
    with pytest.raises(ValueError, match="kind"):
        p03.Recaller("transformer", 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="clamp_forget"):
        p03.Recaller("gru", 4, rng=np.random.default_rng(0), clamp_forget=True)
    with pytest.raises(ValueError, match="T >= 0"):
        p03.make_recall_batch(4, -1, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(T, B, I\)"):
        p03.constant_error_carousel(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((12, 3)), np.zeros((12, 3)))


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(3, "smoke", seed=1), execute(3, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(3, "smoke", seed=2)
    assert c.histories["loss_lstm_T3"] != a.histories["loss_lstm_T3"]
