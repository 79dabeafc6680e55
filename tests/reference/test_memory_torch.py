"""The NTM memory pairs (``nn/pairs/memory.py``) against the same equations written in
torch: forward and gradients to 1e-6 under a random upstream gradient (``check_op``)."""

import numpy as np
import pytest
from helpers import check_op

from sutskever30 import nn
from sutskever30.nn.pairs import memory as MP

torch = pytest.importorskip("torch")

B, N, W = 3, 7, 4
RNG = np.random.default_rng(0)
WEIGHTS = RNG.dirichlet(np.ones(N), B)  # (B, N) rows on the simplex
WEIGHTS2 = RNG.dirichlet(np.ones(N), B)


def ours(fwd, bwd):
    return lambda *xs: nn.apply(fwd, bwd, *xs)


def t_content(k, beta, M, eps=1e-8):
    K = (M @ k[:, :, None])[:, :, 0] / (k.norm(dim=1)[:, None] * M.norm(dim=2) + eps)
    return torch.softmax(beta[:, None] * K, dim=1)


def t_shift(w, s):
    R = s.shape[1] // 2
    return sum(s[:, j, None] * torch.roll(w, o, dims=1) for j, o in enumerate(range(-R, R + 1)))


def t_sharpen(w, gamma, eps=1e-12):
    p = (w + eps) ** gamma[:, None]
    return p / p.sum(dim=1, keepdim=True)


def t_address(raw, w_prev, M, clip=20.0):
    x = raw.clamp(-clip, clip)
    S = raw.shape[1] - M.shape[2] - 3
    k, b, g, s, c = x[:, :W], x[:, W], x[:, W + 1], x[:, W + 2 : W + 2 + S], x[:, -1]
    beta, g, s, gamma = (
        torch.nn.functional.softplus(b),
        torch.sigmoid(g),
        torch.softmax(s, 1),
        1 + torch.nn.functional.softplus(c),
    )
    wg = g[:, None] * t_content(k, beta, M) + (1 - g[:, None]) * w_prev
    return t_sharpen(t_shift(wg, s), gamma)


def test_memory_read():
    check_op(
        [(B, N, W), WEIGHTS],
        ours(MP.memory_read_forward, MP.memory_read_backward),
        lambda M, w: (w[:, None, :] @ M)[:, 0],
    )


def test_memory_write():
    e = RNG.random((B, W))
    check_op(
        [(B, N, W), WEIGHTS, e, (B, W)],
        ours(MP.memory_write_forward, MP.memory_write_backward),
        lambda M, w, e, a: M * (1 - w[:, :, None] * e[:, None, :]) + w[:, :, None] * a[:, None, :],
    )


def test_content_focus():
    beta = np.abs(RNG.standard_normal(B)) + 0.5
    check_op([(B, W), beta, (B, N, W)], ours(MP.content_focus_forward, MP.content_focus_backward), t_content)


def test_interpolate():
    g = RNG.random(B)
    check_op(
        [WEIGHTS, g, WEIGHTS2],
        ours(MP.interpolate_forward, MP.interpolate_backward),
        lambda wc, g, wp: g[:, None] * wc + (1 - g[:, None]) * wp,
    )


@pytest.mark.parametrize("S", [1, 3, 5])
def test_circular_shift(S):
    s = RNG.dirichlet(np.ones(S), B)
    check_op([WEIGHTS, s], ours(MP.circular_shift_forward, MP.circular_shift_backward), t_shift)


def test_sharpen():
    gamma = 1 + 2 * RNG.random(B)
    check_op([WEIGHTS, gamma], ours(MP.sharpen_forward, MP.sharpen_backward), t_sharpen)


@pytest.mark.parametrize("S", [1, 3])
def test_address(S):
    raw = RNG.standard_normal((B, W + 3 + S))
    raw[0, 0] = 25.0  # one entry beyond the clip: no gradient there, in both
    check_op([raw, WEIGHTS, (B, N, W)], ours(MP.address_forward, MP.address_backward), t_address)
