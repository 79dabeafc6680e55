"""Recurrent cells and attention as forward/backward pairs: gradient checks, invariants
(masking, the LSTM's constant error carousel), dtype keeping and bad input."""

import warnings

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair

# Central differences with h = 1e-5: with the default 1e-6 the round-off of L (≈ 1e-16 · |L| / h)
# alone is close to the 1e-6 bound on the smallest gradient entries.
H_STEP = 1e-5
TOL = 1e-6

CELLS = {
    # name: (forward, backward, gates, takes c)
    "rnn": (P.rnn_cell_forward, P.rnn_cell_backward, 1, False),
    "lstm": (P.lstm_cell_forward, P.lstm_cell_backward, 4, True),
    "gru": (P.gru_cell_forward, P.gru_cell_backward, 3, False),
}


def cell_inputs(name, rng, B=3, I=4, H=5, bias=True, dtype=np.float64):
    """Positional inputs of a cell pair: x, h, [c,] W_ih, W_hh, b_ih, b_hh."""
    G, has_c = CELLS[name][2], CELLS[name][3]
    r = lambda *s, sd=1.0: (sd * rng.standard_normal(s)).astype(dtype)
    x, h = r(B, I), r(B, H)
    c = [r(B, H)] if has_c else []
    W_ih, W_hh = r(G * H, I, sd=0.5), r(G * H, H, sd=0.5)
    b = [r(G * H, sd=0.5), r(G * H, sd=0.5)] if bias else [None, None]
    return [x, h, *c, W_ih, W_hh, *b]


def like(out, fill):
    """An upstream gradient with the structure of ``out``: fill(shape) per array."""
    if isinstance(out, tuple):
        return tuple(fill(o.shape) for o in out)
    return fill(out.shape)


# --------------------------------------------------------------------------------------
# gradient checks (float64, random upstream gradients for every output)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    "name, kwargs",
    [("rnn", {}), ("rnn", {"nonlinearity": "relu"}), ("lstm", {}), ("gru", {})],
    ids=["rnn-tanh", "rnn-relu", "lstm", "gru"],
)
def test_cell_gradcheck(name, kwargs, bias):
    fwd, bwd = CELLS[name][:2]
    for seed in range(3):
        inputs = cell_inputs(name, np.random.default_rng(seed), bias=bias)
        err = check_pair(fwd, bwd, inputs, kwargs, rng=np.random.default_rng(100 + seed), h=H_STEP)
        assert err < TOL, f"{name} seed {seed}: relative error {err:.2e}"


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_cell_backward_returns_one_grad_per_input_none_for_missing_bias(name):
    fwd, bwd = CELLS[name][:2]
    rng = np.random.default_rng(0)
    inputs = cell_inputs(name, rng, bias=False)
    out, cache = fwd(*inputs)
    grads = bwd(like(out, rng.standard_normal), cache)
    assert len(grads) == len(inputs)
    assert grads[-1] is None and grads[-2] is None
    for g, x in zip(grads[:-2], inputs[:-2]):
        assert g.shape == x.shape


def test_lstm_gradcheck_with_only_one_output_used():
    """The tape sends zeros for an unused output; each path alone must be right."""
    # seed 2: with seed 1 one entry of dW_ih is ≈ 6e-7, below what central differences
    # resolve to 1e-6 relative (its analytic value does not change with h; round-off does)
    inputs = cell_inputs("lstm", np.random.default_rng(2))
    for keep in (0, 1):  # 0: only h' feeds the loss, 1: only c'

        def fwd(*a, keep=keep):
            (h1, c1), cache = P.lstm_cell_forward(*a)
            return (h1, c1)[keep], cache

        def bwd(d, cache, keep=keep):
            douts = [np.zeros_like(d), np.zeros_like(d)]
            douts[keep] = d
            return P.lstm_cell_backward(tuple(douts), cache)

        err = check_pair(fwd, bwd, inputs, rng=np.random.default_rng(keep), h=H_STEP)
        assert err < TOL, f"output {keep}: relative error {err:.2e}"


def attention_inputs(rng, lead=(2, 3), Tq=4, Tk=5, d=6, dv=7):
    q = rng.standard_normal((*lead, Tq, d))
    k = rng.standard_normal((*lead, Tk, d))
    v = rng.standard_normal((*lead, Tk, dv))
    return q, k, v


def causal_mask(T):
    return np.tril(np.ones((T, T), dtype=bool))  # (T, T) True = may attend


ATTN = (P.scaled_dot_product_attention_forward, P.scaled_dot_product_attention_backward)


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "causal"])
@pytest.mark.parametrize("lead", [(), (2,), (2, 3)], ids=["unbatched", "batch", "batch+heads"])
def test_attention_gradcheck(lead, masked):
    for seed in range(2):
        q, k, v = attention_inputs(np.random.default_rng(seed), lead=lead, Tq=5, Tk=5)
        mask = causal_mask(5) if masked else None
        err = check_pair(*ATTN, [q, k, v, mask], rng=np.random.default_rng(seed + 7), h=H_STEP)
        assert err < TOL, f"seed {seed}: relative error {err:.2e}"


def test_attention_gradcheck_padding_mask_scale_and_broadcast_kv():
    """Per-batch key padding mask (B, 1, 1, Tk), a custom scale, and k, v shared by all
    heads (broadcast leading dims: their gradients sum over the heads)."""
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 3, 4, 6))
    k = rng.standard_normal((2, 1, 5, 6))
    v = rng.standard_normal((2, 1, 5, 7))
    mask = np.ones((2, 1, 1, 5), dtype=bool)
    mask[0, ..., 3:] = False
    mask[1, ..., 1] = False
    err = check_pair(*ATTN, [q, k, v, mask], {"scale": 0.7}, rng=np.random.default_rng(4), h=H_STEP)
    assert err < TOL


def test_attention_backward_returns_none_for_mask():
    q, k, v = attention_inputs(np.random.default_rng(0))
    (out, attn), cache = ATTN[0](q, k, v, causal_mask(5)[:4])
    grads = ATTN[1]((np.ones_like(out), np.ones_like(attn)), cache)
    assert len(grads) == 4 and grads[3] is None
    assert [g.shape for g in grads[:3]] == [q.shape, k.shape, v.shape]


# --------------------------------------------------------------------------------------
# invariants
# --------------------------------------------------------------------------------------


def test_attention_masked_weights_are_exactly_zero_and_rows_sum_to_one():
    rng = np.random.default_rng(0)
    q, k, v = attention_inputs(rng, Tq=6, Tk=6)
    mask = causal_mask(6)
    (out, attn), _ = ATTN[0](q, k, v, mask)
    assert attn.shape == (2, 3, 6, 6) and out.shape == (2, 3, 6, 7)
    assert np.all(attn[..., ~mask] == 0.0)
    assert np.all(attn[..., mask] > 0.0)
    np.testing.assert_allclose(attn.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out, attn @ v, rtol=1e-12, atol=1e-12)


def test_attention_causal_output_ignores_the_future():
    rng = np.random.default_rng(1)
    q, k, v = attention_inputs(rng, Tq=6, Tk=6)
    (out, _), _ = ATTN[0](q, k, v, causal_mask(6))
    k2, v2 = k.copy(), v.copy()
    k2[..., 4:, :] += 10 * rng.standard_normal(k2[..., 4:, :].shape)
    v2[..., 4:, :] += 10 * rng.standard_normal(v2[..., 4:, :].shape)
    (out2, _), _ = ATTN[0](q, k2, v2, causal_mask(6))
    np.testing.assert_array_equal(out[..., :4, :], out2[..., :4, :])
    assert not np.allclose(out[..., 4:, :], out2[..., 4:, :])


def test_attention_default_scale_is_inverse_sqrt_d():
    q, k, v = attention_inputs(np.random.default_rng(2))
    (out, attn), _ = ATTN[0](q, k, v)
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    p = np.exp(s - s.max(-1, keepdims=True))
    np.testing.assert_allclose(attn, p / p.sum(-1, keepdims=True), rtol=1e-12)
    (out1, _), _ = ATTN[0](q, k, v, scale=1.0)
    assert not np.allclose(out, out1)


def test_attention_fully_masked_row_gives_zeros_not_nan():
    q, k, v = attention_inputs(np.random.default_rng(3))
    mask = np.ones((4, 5), dtype=bool)
    mask[2] = False  # query 2 may attend to nothing
    (out, attn), cache = ATTN[0](q, k, v, mask)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(attn))
    assert np.all(attn[..., 2, :] == 0) and np.all(out[..., 2, :] == 0)
    dq, dk, dv, _ = ATTN[1]((np.ones_like(out), np.ones_like(attn)), cache)
    assert np.all(dq[..., 2, :] == 0) and np.all(np.isfinite(dk)) and np.all(np.isfinite(dv))


def test_attention_is_stable_for_huge_scores():
    q, k, v = attention_inputs(np.random.default_rng(4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (out, attn), cache = ATTN[0](1e4 * q, 1e4 * k, v, causal_mask(5)[:4])
        grads = ATTN[1]((np.ones_like(out), np.zeros_like(attn)), cache)
    assert all(np.all(np.isfinite(a)) for a in (out, attn, *grads[:3]))
    np.testing.assert_allclose(attn.sum(-1), 1.0, atol=1e-12)


def lstm_saturated(rng, B=3, I=4, H=5, big=100.0):
    """LSTM inputs whose forget gate is saturated open (f = 1) and input gate shut (i = 0)."""
    x, h, c, W_ih, W_hh, b_ih, b_hh = cell_inputs("lstm", rng, B, I, H)
    b_ih[:H] = -big  # input gate: σ(−100) ≈ 4e−44
    b_ih[H : 2 * H] = big  # forget gate: σ(100) = 1 in float64
    return x, h, c, W_ih, W_hh, b_ih, b_hh


def test_lstm_constant_error_carousel():
    rng = np.random.default_rng(0)
    inputs = lstm_saturated(rng)
    c = inputs[2]
    (h1, c1), cache = P.lstm_cell_forward(*inputs)
    np.testing.assert_array_equal(c1, c)  # the cell keeps its content exactly
    dc1 = rng.standard_normal(c.shape)
    grads = P.lstm_cell_backward((np.zeros_like(h1), dc1), cache)
    np.testing.assert_array_equal(grads[2], dc1)  # and the error flows back unchanged
    # gradients into x and W_ih go only through σ'(±100) ≈ 4e-44 (i, f) and o (dh' = 0)
    np.testing.assert_allclose(grads[0], 0, rtol=0, atol=1e-40)

    # over many steps too: c stays, dc passes through T cells unchanged
    caches, hc = [], (inputs[1], c)
    for _ in range(20):
        x = rng.standard_normal(inputs[0].shape)
        hc, cache = P.lstm_cell_forward(x, *hc, *inputs[3:])
        caches.append(cache)
    np.testing.assert_array_equal(hc[1], c)
    dc = dc1
    for cache in reversed(caches):
        dc = P.lstm_cell_backward((np.zeros_like(h1), dc), cache)[2]
    np.testing.assert_array_equal(dc, dc1)


def test_lstm_forget_gate_closed_forgets():
    x, h, c, W_ih, W_hh, b_ih, b_hh = cell_inputs("lstm", np.random.default_rng(5))
    H = h.shape[1]
    b_ih[H : 2 * H] = -100.0  # f = 0: c' does not depend on c
    (_, c1), _ = P.lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh)
    (_, c2), _ = P.lstm_cell_forward(x, h, 5 * c, W_ih, W_hh, b_ih, b_hh)
    np.testing.assert_array_equal(c1, c2)


def test_lstm_gate_order_is_i_f_g_o():
    """Against the equations written out with the gates sliced in PyTorch's order."""
    x, h, c, W_ih, W_hh, b_ih, b_hh = cell_inputs("lstm", np.random.default_rng(6))
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    sig = lambda t: 1 / (1 + np.exp(-t))
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = sig(a_i), sig(a_f), np.tanh(a_g), sig(a_o)
    c_ref = f * c + i * g
    (h1, c1), _ = P.lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh)
    np.testing.assert_allclose(c1, c_ref, rtol=1e-12)
    np.testing.assert_allclose(h1, o * np.tanh(c_ref), rtol=1e-12)


def test_gru_update_gate_saturated_copies_h():
    x, h, W_ih, W_hh, b_ih, b_hh = cell_inputs("gru", np.random.default_rng(7))
    H = h.shape[1]
    b_ih[H : 2 * H] = 100.0  # z = 1: h' = h
    h1, _ = P.gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh)
    np.testing.assert_allclose(h1, h, rtol=0, atol=1e-15)  # n + 1·(h − n): exact up to rounding


def test_gru_reset_gate_applies_after_the_matmul():
    """PyTorch's n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): with r = 0, b_hn is dropped too."""
    x, h, W_ih, W_hh, b_ih, b_hh = cell_inputs("gru", np.random.default_rng(8))
    H = h.shape[1]
    b_ih[:H] = -100.0  # r = 0
    h1, _ = P.gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh)
    b_hh2 = b_hh.copy()
    b_hh2[2 * H :] += 3.0
    h2, _ = P.gru_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh2)
    np.testing.assert_allclose(h1, h2, rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_cells_are_stable_for_saturated_preactivations(name):
    fwd, bwd = CELLS[name][:2]
    inputs = cell_inputs(name, np.random.default_rng(9))
    inputs[-2] = 1e4 * np.sign(inputs[-2])  # huge biases: every gate at 0 or 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, cache = fwd(*inputs)
        outs = out if isinstance(out, tuple) else (out,)
        grads = bwd(like(out, np.ones), cache)
    assert all(np.all(np.isfinite(a)) for a in (*outs, *[g for g in grads if g is not None]))


@pytest.mark.parametrize("name", ["rnn", "lstm", "gru"])
def test_cells_keep_float32(name):
    fwd, bwd = CELLS[name][:2]
    inputs = cell_inputs(name, np.random.default_rng(10), dtype=np.float32)
    out, cache = fwd(*inputs)
    outs = out if isinstance(out, tuple) else (out,)
    grads = bwd(like(out, np.ones), cache)
    assert all(o.dtype == np.float32 for o in outs)
    assert all(g.dtype == np.float32 for g in grads)


def test_attention_keeps_float32():
    q, k, v = (a.astype(np.float32) for a in attention_inputs(np.random.default_rng(11)))
    (out, attn), cache = ATTN[0](q, k, v, causal_mask(5)[:4])
    grads = ATTN[1]((np.ones_like(out), np.ones_like(attn)), cache)
    assert out.dtype == attn.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads[:3])


def test_cell_forward_does_not_modify_inputs():
    for name in CELLS:
        inputs = cell_inputs(name, np.random.default_rng(12))
        before = [a.copy() for a in inputs]
        out, cache = CELLS[name][0](*inputs)
        CELLS[name][1](like(out, np.ones), cache)
        for a, b in zip(inputs, before):
            np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------------------
# bad input: a ValueError/TypeError that names the argument and the expected shape
# --------------------------------------------------------------------------------------


def test_lstm_bad_shapes():
    x, h, c, W_ih, W_hh, b_ih, b_hh = cell_inputs("lstm", np.random.default_rng(0))  # I=4, H=5
    fwd = P.lstm_cell_forward
    with pytest.raises(ValueError, match=r"x has shape \(3, 7\); expected \(B, I\) = \(B, 4\)"):
        fwd(np.zeros((3, 7)), h, c, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"x: expected shape \(B, I\)"):
        fwd(np.zeros(4), h, c, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"h has shape \(3, 6\); expected \(B, H\) = \(3, 5\)"):
        fwd(x, np.zeros((3, 6)), c, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"h has shape \(2, 5\); expected \(B, H\) = \(3, 5\)"):
        fwd(x, np.zeros((2, 5)), c, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"c has shape \(3, 4\); expected \(B, H\) = \(3, 5\)"):
        fwd(x, h, np.zeros((3, 4)), W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"W_hh has shape \(15, 5\); expected \(4H, H\) = \(20, 5\)"):
        fwd(x, h, c, W_ih, np.zeros((15, 5)), b_ih, b_hh)
    with pytest.raises(ValueError, match=r"W_ih has shape \(15, 4\); expected \(4H, I\) = \(20, I\)"):
        fwd(x, h, c, np.zeros((15, 4)), W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"b_hh has shape \(5,\); expected \(4H,\) = \(20,\)"):
        fwd(x, h, c, W_ih, W_hh, b_ih, np.zeros(5))
    with pytest.raises(TypeError, match=r"h has dtype float32 but x has float64"):
        fwd(x, h.astype(np.float32), c, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(TypeError, match=r"x: expected a floating-point array"):
        fwd(np.zeros((3, 4), dtype=int), h, c, W_ih, W_hh, b_ih, b_hh)


def test_rnn_and_gru_bad_input():
    x, h, W_ih, W_hh, b_ih, b_hh = cell_inputs("gru", np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"gru_cell: x has shape \(3, 2\); expected \(B, I\) = \(B, 4\)"):
        P.gru_cell_forward(np.zeros((3, 2)), h, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"gru_cell: h has shape \(5,\); expected \(B, H\) = \(3, 5\)"):
        P.gru_cell_forward(x, np.zeros(5), W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(ValueError, match=r"gru_cell: W_hh has shape \(20, 5\); expected \(3H, H\) = \(15, 5\)"):
        P.gru_cell_forward(x, h, W_ih, np.zeros((20, 5)), b_ih, b_hh)
    x, h, W_ih, W_hh, b_ih, b_hh = cell_inputs("rnn", np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"nonlinearity must be 'tanh' or 'relu', not 'sigmoid'"):
        P.rnn_cell_forward(x, h, W_ih, W_hh, b_ih, b_hh, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"rnn_cell: x has shape \(3, 5\); expected \(B, I\) = \(B, 4\)"):
        P.rnn_cell_forward(np.zeros((3, 5)), h, W_ih, W_hh, b_ih, b_hh)
    with pytest.raises(TypeError, match=r"W_ih: expected an ndarray"):
        P.rnn_cell_forward(x, h, W_ih.tolist(), W_hh, b_ih, b_hh)


def test_attention_bad_input():
    q, k, v = attention_inputs(np.random.default_rng(0))  # q (2,3,4,6) k (2,3,5,6) v (2,3,5,7)
    fwd = ATTN[0]
    with pytest.raises(
        ValueError,
        match=r"k has shape \(2, 3, 5, 8\); expected \(\.\.\., Tk, d\) = \(\.\.\., Tk, 6\)",
    ):
        fwd(q, np.zeros((2, 3, 5, 8)), v)
    with pytest.raises(
        ValueError,
        match=r"v has shape \(2, 3, 4, 7\); expected \(\.\.\., Tk, dv\) = \(\.\.\., 5, dv\)",
    ):
        fwd(q, k, np.zeros((2, 3, 4, 7)))
    with pytest.raises(ValueError, match=r"q has shape \(6,\); expected \(\.\.\., Tq, d\)"):
        fwd(np.zeros(6), k, v)
    with pytest.raises(ValueError, match=r"leading .* dims of q \(2, 3, 4, 6\), k \(2, 2, 5, 6\)"):
        fwd(q, np.zeros((2, 2, 5, 6)), np.zeros((2, 2, 5, 7)))
    with pytest.raises(
        ValueError,
        match=r"mask has shape \(5, 4\); expected a shape broadcastable to "
        r"\(\.\.\., Tq, Tk\) = \(2, 3, 4, 5\)",
    ):
        fwd(q, k, v, np.ones((5, 4), dtype=bool))
    with pytest.raises(ValueError, match=r"mask has shape \(7, 2, 3, 4, 5\)"):
        fwd(q, k, v, np.ones((7, 2, 3, 4, 5), dtype=bool))  # would grow the scores
    with pytest.raises(TypeError, match=r"mask has dtype float64; expected a boolean array"):
        fwd(q, k, v, np.ones((4, 5)))
