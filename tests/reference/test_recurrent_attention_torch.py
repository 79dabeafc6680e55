"""Recurrent cells and attention against PyTorch: same weights, same inputs, same random
upstream gradients; forward and every gradient equal to 1e-6 in float64."""

import numpy as np
import pytest

from sutskever30.nn import pairs as P

torch = pytest.importorskip("torch")


def assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9, err_msg=what)


def t(a, grad=True):
    return torch.tensor(a, dtype=torch.float64, requires_grad=grad)


CELLS = {
    # name: (our pair, torch cell class, gates, cell kwargs)
    "rnn-tanh": (P.rnn_cell_forward, P.rnn_cell_backward, "RNNCell", 1, {"nonlinearity": "tanh"}),
    "rnn-relu": (P.rnn_cell_forward, P.rnn_cell_backward, "RNNCell", 1, {"nonlinearity": "relu"}),
    "lstm": (P.lstm_cell_forward, P.lstm_cell_backward, "LSTMCell", 4, {}),
    "gru": (P.gru_cell_forward, P.gru_cell_backward, "GRUCell", 3, {}),
}


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("name", list(CELLS))
def test_cell_matches_torch(name, bias):
    fwd, bwd, cls, G, kwargs = CELLS[name]
    rng = np.random.default_rng(0)
    B, I, H = 4, 3, 6
    cell = getattr(torch.nn, cls)(I, H, bias=bias, dtype=torch.float64, **kwargs)
    W_ih = rng.standard_normal((G * H, I)) * 0.5
    W_hh = rng.standard_normal((G * H, H)) * 0.5
    b_ih = rng.standard_normal(G * H) * 0.5 if bias else None
    b_hh = rng.standard_normal(G * H) * 0.5 if bias else None
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(W_ih))
        cell.weight_hh.copy_(torch.from_numpy(W_hh))
        if bias:
            cell.bias_ih.copy_(torch.from_numpy(b_ih))
            cell.bias_hh.copy_(torch.from_numpy(b_hh))
    x, h = rng.standard_normal((B, I)), rng.standard_normal((B, H))
    xt, ht = t(x), t(h)
    dh = rng.standard_normal((B, H))

    if name == "lstm":
        c, dc = rng.standard_normal((B, H)), rng.standard_normal((B, H))
        ct = t(c)
        (h1, c1), cache = fwd(x, h, c, W_ih, W_hh, b_ih, b_hh)
        h1t, c1t = cell(xt, (ht, ct))
        assert_close(h1, h1t, "h'")
        assert_close(c1, c1t, "c'")
        dx, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh = bwd((dh, dc), cache)
        torch.autograd.backward([h1t, c1t], [torch.from_numpy(dh), torch.from_numpy(dc)])
        assert_close(dc0, ct.grad, "dc")
    else:
        h1, cache = fwd(x, h, W_ih, W_hh, b_ih, b_hh, **kwargs)
        h1t = cell(xt, ht)
        assert_close(h1, h1t, "h'")
        dx, dh0, dW_ih, dW_hh, db_ih, db_hh = bwd(dh, cache)
        torch.autograd.backward([h1t], [torch.from_numpy(dh)])

    assert_close(dx, xt.grad, "dx")
    assert_close(dh0, ht.grad, "dh")
    assert_close(dW_ih, cell.weight_ih.grad, "dW_ih")
    assert_close(dW_hh, cell.weight_hh.grad, "dW_hh")
    if bias:
        assert_close(db_ih, cell.bias_ih.grad, "db_ih")
        assert_close(db_hh, cell.bias_hh.grad, "db_hh")
    else:
        assert db_ih is None and db_hh is None


def test_lstm_backprop_through_time_matches_torch_lstm():
    """Backprop through time written out with the pair, against torch.nn.LSTM over a
    sequence, with a random gradient on every h_t and on the final (h_T, c_T)."""
    rng = np.random.default_rng(1)
    T, B, I, H = 7, 3, 4, 5
    lstm = torch.nn.LSTM(I, H, dtype=torch.float64)
    W_ih, W_hh = rng.standard_normal((4 * H, I)) * 0.5, rng.standard_normal((4 * H, H)) * 0.5
    b_ih, b_hh = rng.standard_normal(4 * H) * 0.5, rng.standard_normal(4 * H) * 0.5
    with torch.no_grad():
        for p, a in zip(lstm.parameters(), (W_ih, W_hh, b_ih, b_hh)):
            p.copy_(torch.from_numpy(a))
    xs, h0, c0 = (
        rng.standard_normal((T, B, I)),
        rng.standard_normal((B, H)),
        rng.standard_normal((B, H)),
    )
    dys, dhT, dcT = (
        rng.standard_normal((T, B, H)),
        rng.standard_normal((B, H)),
        rng.standard_normal((B, H)),
    )

    h, c, caches, ys = h0, c0, [], []
    for x in xs:
        (h, c), cache = P.lstm_cell_forward(x, h, c, W_ih, W_hh, b_ih, b_hh)  # (B, H) each
        caches.append(cache)
        ys.append(h)
    dh, dc = dhT, dcT
    dxs = np.zeros_like(xs)  # (T, B, I)
    dW = [np.zeros_like(a) for a in (W_ih, W_hh, b_ih, b_hh)]
    for step in reversed(range(T)):
        dxs[step], dh, dc, *dp = P.lstm_cell_backward((dh + dys[step], dc), caches[step])
        for acc, g in zip(dW, dp):
            acc += g

    xt, h0t, c0t = t(xs), t(h0[None]), t(c0[None])
    yt, (hTt, cTt) = lstm(xt, (h0t, c0t))
    assert_close(np.stack(ys), yt, "h_1..T")
    assert_close(c, cTt[0], "c_T")
    torch.autograd.backward(
        [yt, hTt, cTt],
        [torch.from_numpy(dys), torch.from_numpy(dhT[None]), torch.from_numpy(dcT[None])],
    )
    assert_close(dxs, xt.grad, "dx_t")
    assert_close(dh, h0t.grad[0], "dh_0")
    assert_close(dc, c0t.grad[0], "dc_0")
    for ours, p, what in zip(dW, lstm.parameters(), ("dW_ih", "dW_hh", "db_ih", "db_hh")):
        assert_close(ours, p.grad, what)


def attention_case(rng, kind):
    lead, T = (2, 3), 5
    q = rng.standard_normal((*lead, T, 4))
    k = rng.standard_normal((*lead, T, 4))
    v = rng.standard_normal((*lead, T, 6))
    if kind == "none":
        mask = None
    elif kind == "causal":
        mask = np.tril(np.ones((T, T), dtype=bool))
    elif kind == "padding":  # per-batch key padding (B, 1, 1, Tk)
        mask = np.ones((2, 1, 1, T), dtype=bool)
        mask[0, ..., 3:] = False
    else:  # "empty-row": query 1 may attend to nothing (PyTorch returns zeros there)
        mask = rng.random((2, 3, T, T)) < 0.6
        mask[..., 0] = True
        mask[..., 1, :] = False
    return q, k, v, mask


@pytest.mark.parametrize("scale", [None, 0.3])
@pytest.mark.parametrize("kind", ["none", "causal", "padding", "empty-row"])
def test_attention_output_matches_torch_sdpa(kind, scale):
    rng = np.random.default_rng(2)
    q, k, v, mask = attention_case(rng, kind)
    (out, attn), cache = P.scaled_dot_product_attention_forward(q, k, v, mask, scale=scale)
    qt, kt, vt = t(q), t(k), t(v)
    m = None if mask is None else torch.from_numpy(mask)
    outt = torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, attn_mask=m, scale=scale)
    assert_close(out, outt, "out")
    dout = rng.standard_normal(out.shape)
    dq, dk, dv, dmask = P.scaled_dot_product_attention_backward((dout, np.zeros_like(attn)), cache)
    outt.backward(torch.from_numpy(dout))
    assert_close(dq, qt.grad, "dq")
    assert_close(dk, kt.grad, "dk")
    assert_close(dv, vt.grad, "dv")
    assert dmask is None


@pytest.mark.parametrize("kind", ["none", "causal", "padding"])
def test_attention_weights_and_both_gradients_match_torch(kind):
    """With a gradient on the weights too, against softmax(q kᵀ · scale, masked) v in torch."""
    rng = np.random.default_rng(3)
    q, k, v, mask = attention_case(rng, kind)
    (out, attn), cache = P.scaled_dot_product_attention_forward(q, k, v, mask)
    qt, kt, vt = t(q), t(k), t(v)
    s = qt @ kt.transpose(-1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~torch.from_numpy(mask), float("-inf"))
    attnt = torch.softmax(s, dim=-1)
    outt = attnt @ vt
    assert_close(attn, attnt, "attn")
    assert_close(out, outt, "out")
    dout, dattn = rng.standard_normal(out.shape), rng.standard_normal(attn.shape)
    dq, dk, dv, _ = P.scaled_dot_product_attention_backward((dout, dattn), cache)
    torch.autograd.backward([outt, attnt], [torch.from_numpy(dout), torch.from_numpy(dattn)])
    assert_close(dq, qt.grad, "dq")
    assert_close(dk, kt.grad, "dk")
    assert_close(dv, vt.grad, "dv")
