"""The relational memory core against PyTorch (float64): the gated memory update pair, and
one whole RMC step (attention over [M; x̃], residual + layer norm, MLP, gating) with the same
weights, forward and every gradient to 1e-6 under a random upstream gradient."""

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn.pairs import rmc as P_rmc
from sutskever30.papers import p18_relational_rnn as p18

torch = pytest.importorskip("torch")


def close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-6, atol=1e-9, err_msg=what)


@pytest.mark.parametrize("forget_bias", [1.0, 0.0])
def test_gated_memory_update_matches_torch(forget_bias):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((3, 4, 5)) * 2 for _ in range(4)]
    out, cache = P_rmc.gated_memory_update_forward(*arrays, forget_bias=forget_bias)
    dout = rng.standard_normal(out.shape)
    grads = P_rmc.gated_memory_update_backward(dout, cache)
    mt, m, i, f = (torch.tensor(a, requires_grad=True) for a in arrays)
    out_t = torch.sigmoid(i) * torch.tanh(mt) + torch.sigmoid(f + forget_bias) * m
    out_t.backward(torch.from_numpy(dout))
    close(out, out_t, "out")
    for name, g, t in zip(("m_tilde", "m", "i_pre", "f_pre"), grads, (mt, m, i, f)):
        close(g, t.grad, f"d{name}")


def torch_rmc_step(W, x_row, x_gate, M, N, h, d_k, interact):
    """The same step written with torch ops, from the paper's description."""
    B, D = M.shape[0], M.shape[2]
    MX = torch.cat([M, x_row], dim=1)  # (B, N+1, D)
    qkv = MX @ W["core.W_qkv.weight"].T
    q, k, v = qkv[..., :D], qkv[..., D : 2 * D], qkv[..., 2 * D :]
    q = q[:, :N]
    heads = lambda t: t.reshape(B, t.shape[1], h, d_k).permute(0, 2, 1, 3)  # noqa: E731
    scores = heads(q) @ heads(k).transpose(-1, -2) / d_k**0.5  # (B, h, N, N+1)
    if not interact:
        allowed = torch.cat([torch.eye(N, dtype=torch.bool), torch.ones(N, 1, dtype=torch.bool)], dim=1)
        scores = scores.masked_fill(~allowed, float("-inf"))
    att = (torch.softmax(scores, -1) @ heads(v)).permute(0, 2, 1, 3).reshape(B, N, D)
    ln = torch.nn.functional.layer_norm
    M1 = ln(M + att, (D,), W["core.norm1.weight"], W["core.norm1.bias"])
    mlp = torch.relu(M1 @ W["core.mlp1.weight"].T + W["core.mlp1.bias"]) @ W["core.mlp2.weight"].T
    Mt = ln(M1 + mlp + W["core.mlp2.bias"], (D,), W["core.norm2.weight"], W["core.norm2.bias"])
    gates = x_gate + torch.tanh(M) @ W["core.U_gate.weight"].T
    i, f = gates[..., :D], gates[..., D:]
    return torch.sigmoid(i) * torch.tanh(Mt) + torch.sigmoid(f + 1.0) * M


@pytest.mark.parametrize("interact", [True, False])
def test_rmc_step_matches_torch(interact):
    rng = np.random.default_rng(1)
    model = p18.RMCClassifier(7, 3, 3, 2, 4, 5, rng=rng, interact=interact).double()
    for prm in model.parameters():  # away from init: biases and norms non-trivial
        prm.data[...] = rng.standard_normal(prm.data.shape) * 0.5
    B, N, D = 2, 3, 8
    arrays = [rng.standard_normal(s) for s in ((B, 1, D), (B, 1, 2 * D), (B, N, D))]
    ts = [nn.Tensor(a, requires_grad=True) for a in arrays]
    out = model.core(*ts)
    dout = rng.standard_normal(out.shape)
    out.backward(dout)

    W = {k: torch.tensor(v, requires_grad=True) for k, v in model.state_dict().items() if k.startswith("core.")}
    tt = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_t = torch_rmc_step(W, *tt, N, 2, 4, interact)
    out_t.backward(torch.from_numpy(dout))
    close(out.data, out_t, "M_t")
    for name, a, t in zip(("x_row", "x_gate", "M"), ts, tt):
        close(a.grad, t.grad, f"d{name}")
    params = dict(model.named_parameters())
    for k, t in W.items():
        if t.grad is not None:
            close(params[k].grad, t.grad, f"d{k}")
