"""Paper 14's pairs against PyTorch (float64): the additive attention step and the fused
decoder (attention + ``torch.nn.GRUCell`` looped over the target steps), for RNNsearch and
for RNNencdec's fixed context. Forward and every gradient to 1e-6, random upstream."""

import numpy as np
import pytest

from sutskever30.papers import p14_bahdanau_attention as p14

torch = pytest.importorskip("torch")


def close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-6, atol=1e-9, err_msg=what)


def torch_attention(s, Uh, ann, W_a, v_a):
    """e_ij = v_aᵀ tanh(W_a s_{i−1} + U_a h_j); α = softmax_j(e); c_i = Σ_j α_ij h_j."""
    z = torch.tanh(Uh + (s @ W_a.T)[:, None, :])  # (B, T_x, A)
    alpha = torch.softmax(z @ v_a, dim=1)  # (B, T_x)
    return (alpha[:, :, None] * ann).sum(dim=1), alpha  # (B, 2H), (B, T_x)


def test_additive_attention_matches_torch():
    rng = np.random.default_rng(0)
    B, T, H, A = 3, 6, 4, 5
    arrays = [rng.standard_normal(shape) for shape in ((B, H), (B, T, A), (B, T, 2 * H), (A, H), (A,))]
    (c, alpha), cache = p14.additive_attention_forward(*arrays)
    dc, dalpha = rng.standard_normal(c.shape), rng.standard_normal(alpha.shape)
    grads = p14.additive_attention_backward((dc, dalpha), cache)

    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    c_t, alpha_t = torch_attention(*ts)
    torch.autograd.backward([c_t, alpha_t], [torch.from_numpy(dc), torch.from_numpy(dalpha)])
    close(c, c_t, "c")
    close(alpha, alpha_t, "alpha")
    for name, g, t in zip(("s_prev", "Uh", "annotations", "W_a", "v_a"), grads, ts):
        close(g, t.grad, f"d{name}")


@pytest.mark.parametrize("attention", [True, False], ids=["search", "encdec"])
def test_attention_decoder_matches_torch_gru_cell_loop(attention):
    rng = np.random.default_rng(1)
    B, T_y, T_x, H, A = 3, 5, 6, 4, 5
    Ey, s0 = rng.standard_normal((B, T_y, H)), rng.standard_normal((B, H))
    if attention:
        ann, Uh = rng.standard_normal((B, T_x, 2 * H)), rng.standard_normal((B, T_x, A))
        W_a, v_a = rng.standard_normal((A, H)), rng.standard_normal(A)
    else:
        ann, Uh, W_a, v_a = rng.standard_normal((B, 2 * H)), None, None, None
    W_ih, W_hh = rng.standard_normal((3 * H, 3 * H)) * 0.5, rng.standard_normal((3 * H, H)) * 0.5
    b_ih, b_hh = rng.standard_normal(3 * H) * 0.5, rng.standard_normal(3 * H) * 0.5
    inputs = (Ey, s0, ann, Uh, W_a, v_a, W_ih, W_hh, b_ih, b_hh)
    outs, cache = p14.attention_decoder_forward(*inputs)
    douts = tuple(rng.standard_normal(o.shape) for o in outs)
    grads = p14.attention_decoder_backward(douts, cache)

    cell = torch.nn.GRUCell(3 * H, H, dtype=torch.float64)
    with torch.no_grad():
        for name, a in (("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)):
            getattr(cell, name).copy_(torch.from_numpy(a))
    ts = {
        k: torch.tensor(a, requires_grad=True)
        for k, a in zip(("Ey", "s0", "ann", "Uh", "W_a", "v_a"), inputs)
        if a is not None
    }
    s, states, contexts, alphas = ts["s0"], [], [], []
    for i in range(T_y):  # the decoder as the paper writes it: every step updates the state
        if attention:
            c, alpha = torch_attention(s, ts["Uh"], ts["ann"], ts["W_a"], ts["v_a"])
            alphas.append(alpha)
        else:
            c = ts["ann"]  # the fixed context
        states.append(s)
        contexts.append(c)
        s = cell(torch.cat([ts["Ey"][:, i], c], dim=1), s)
    theirs = [torch.stack(states, dim=1), torch.stack(contexts, dim=1)]
    if attention:
        theirs.append(torch.stack(alphas, dim=1))
    torch.autograd.backward(theirs, [torch.from_numpy(d) for d in douts])

    for name, o, t in zip(("S", "C", "alpha"), outs, theirs):
        close(o, t, name)
    names = ("Ey", "s0", "ann", "Uh", "W_a", "v_a")
    for name, g in zip(names, grads[:6]):
        if name in ts:
            close(g, ts[name].grad, f"d{name}")
        else:
            assert g is None, name
    for name, g in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), grads[6:]):
        close(g, getattr(cell, name).grad, f"d{name}")
