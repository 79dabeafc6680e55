"""The sequence pairs (rnn/lstm/gru over T steps, BPTT inside the pair): gradient checks,
and equality with the cell pairs looped by hand, forward and backward."""

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair

T, B, I, H = 5, 3, 4, 3
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def inputs(kind, bias=True, seed=0):
    rng = np.random.default_rng(seed)
    G = GATES[kind] * H
    x, h0 = rng.standard_normal((T, B, I)), rng.standard_normal((B, H))
    W = [rng.standard_normal((G, I)) * 0.5, rng.standard_normal((G, H)) * 0.5]
    b = [rng.standard_normal(G), rng.standard_normal(G)] if bias else [None, None]
    state = [h0, rng.standard_normal((B, H))] if kind == "lstm" else [h0]
    return [x, *state, *W, *b]


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_sequence_pair_gradcheck(kind, reverse, bias):
    fwd, bwd = getattr(P, f"{kind}_forward"), getattr(P, f"{kind}_backward")
    assert check_pair(fwd, bwd, inputs(kind, bias), dict(reverse=reverse), h=1e-5) < 1e-6


def test_relu_rnn_gradcheck():
    assert check_pair(P.rnn_forward, P.rnn_backward, inputs("rnn", seed=3), dict(nonlinearity="relu"), h=1e-5) < 1e-6


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("reverse", [False, True])
def test_sequence_pair_equals_looped_cells(kind, reverse):
    args = inputs(kind, seed=1)
    x, state, weights = args[0], args[1 : 2 + (kind == "lstm")], args[2 + (kind == "lstm") :]
    (out, *final), cache = getattr(P, f"{kind}_forward")(x, *state, *weights, reverse=reverse)
    rng = np.random.default_rng(7)
    dout = rng.standard_normal(out.shape)
    dfinal = [rng.standard_normal(s.shape) for s in final]
    grads = getattr(P, f"{kind}_backward")((dout, *dfinal), cache)

    cell_f, cell_b = getattr(P, f"{kind}_cell_forward"), getattr(P, f"{kind}_cell_backward")
    order = list(range(T))[::-1] if reverse else list(range(T))
    caches, s = {}, list(state)
    for t in order:
        o, caches[t] = cell_f(x[t], *s, *weights)
        s = list(o) if kind == "lstm" else [o]
        np.testing.assert_allclose(s[0], out[t], rtol=1e-12, atol=1e-12)
    for a, b in zip(s, final):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)

    dx = np.zeros_like(x)
    dW = [np.zeros_like(w) for w in weights]
    ds = list(dfinal)
    for t in reversed(order):
        ds[0] = ds[0] + dout[t]
        g = cell_b(tuple(ds) if kind == "lstm" else ds[0], caches[t])
        dx[t] = g[0]
        ds = list(g[1 : 1 + len(state)])
        for k, gw in enumerate(g[1 + len(state) :]):
            dW[k] += gw
    looped = [dx, *ds, *dW]
    for mine, ref in zip(grads, looped):
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-12)


def test_sequence_pairs_keep_float32_and_check_shapes():
    args = [a.astype(np.float32) for a in inputs("lstm")]
    (out, h, c), _ = P.lstm_forward(*args)
    assert out.dtype == h.dtype == c.dtype == np.float32
    with pytest.raises(ValueError, match=r"x: expected shape \(T, B, I\)"):
        P.lstm_forward(args[0][0], *args[1:])
    with pytest.raises(ValueError, match=r"h has shape \(2, 3\); expected \(B, H\) = \(3, 3\)"):
        P.gru_forward(inputs("gru")[0], np.zeros((2, 3)), *inputs("gru")[2:])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_sequence_backward_without_input_grad(kind):
    """input_grad=False (a first layer's data) returns dx as None and every other gradient
    bit for bit."""
    args = inputs(kind, seed=2)
    (out, *final), cache = getattr(P, f"{kind}_forward")(*args)
    rng = np.random.default_rng(5)
    douts = (rng.standard_normal(out.shape), *[rng.standard_normal(s.shape) for s in final])
    full = getattr(P, f"{kind}_backward")(douts, cache)
    skipped = getattr(P, f"{kind}_backward")(douts, cache, input_grad=False)
    assert full[0] is not None and skipped[0] is None
    for a, b in zip(full[1:], skipped[1:], strict=True):
        np.testing.assert_array_equal(a, b)
