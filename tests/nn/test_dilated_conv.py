"""Dilated convolution (paper 11's primitive): the im2col pairs against a naive loop, forward
and gradients, for several dilations, paddings and strides; float64 gradient checks."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair


def naive_conv1d(x, w, b, stride, padding, dilation):
    """out[n, f, o] = b[f] + Σ_{c,i} w[f, c, i] · x_pad[n, c, o·s + i·d], one loop per index."""
    N, C, L = x.shape
    Fo, _, K = w.shape
    xp = np.zeros((N, C, L + 2 * padding))
    xp[:, :, padding : padding + L] = x
    Lo = (L + 2 * padding - dilation * (K - 1) - 1) // stride + 1
    out = np.zeros((N, Fo, Lo))
    for n in range(N):
        for f in range(Fo):
            for o in range(Lo):
                acc = 0.0 if b is None else b[f]
                for c in range(C):
                    for i in range(K):
                        acc += w[f, c, i] * xp[n, c, o * stride + i * dilation]
                out[n, f, o] = acc
    return out


def naive_conv1d_backward(dout, x, w, stride, padding, dilation):
    """The same loops, read backwards: each product's gradient goes to the w and x it used."""
    N, C, L = x.shape
    Fo, _, K = w.shape
    xp = np.zeros((N, C, L + 2 * padding))
    xp[:, :, padding : padding + L] = x
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for n in range(N):
        for f in range(Fo):
            for o in range(dout.shape[2]):
                for c in range(C):
                    for i in range(K):
                        j = o * stride + i * dilation
                        dw[f, c, i] += dout[n, f, o] * xp[n, c, j]
                        dxp[n, c, j] += dout[n, f, o] * w[f, c, i]
    return dxp[:, :, padding : padding + L], dw, dout.sum(axis=(0, 2))


def naive_conv2d(x, w, b, stride, padding, dilation):
    N, C, H, W = x.shape
    Fo, _, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, padding, dilation
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    xp[:, :, ph : ph + H, pw : pw + W] = x
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw_ * (kw - 1) - 1) // sw + 1
    out = np.zeros((N, Fo, Ho, Wo))
    for y in range(Ho):
        for z in range(Wo):
            for i in range(kh):
                for j in range(kw):
                    patch = xp[:, :, y * sh + i * dh, z * sw + j * dw_]  # (N, C)
                    out[:, :, y, z] += patch @ w[:, :, i, j].T  # (N, F)
    return out + b[None, :, None, None]


def naive_conv2d_backward(dout, x, w, stride, padding, dilation):
    N, C, H, W = x.shape
    Fo, _, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw_) = stride, padding, dilation
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    xp[:, :, ph : ph + H, pw : pw + W] = x
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for y in range(dout.shape[2]):
        for z in range(dout.shape[3]):
            for i in range(kh):
                for j in range(kw):
                    r, s = y * sh + i * dh, z * sw + j * dw_
                    dw[:, :, i, j] += dout[:, :, y, z].T @ xp[:, :, r, s]  # (F, C)
                    dxp[:, :, r, s] += dout[:, :, y, z] @ w[:, :, i, j]  # (N, C)
    return dxp[:, :, ph : ph + H, pw : pw + W], dw, dout.sum(axis=(0, 2, 3))


CASES_1D = [  # (L, K, stride, padding, dilation)
    (20, 3, 1, 1, 1),
    (20, 3, 1, 2, 2),  # "same" padding d·(k − 1)/2
    (40, 3, 1, 8, 8),
    (40, 3, 1, 16, 16),  # the context module's widest layer
    (23, 3, 2, 3, 4),
    (19, 5, 3, 0, 2),
    (17, 2, 1, 1, 5),  # even kernel
]


@pytest.mark.parametrize("L,K,stride,padding,dilation", CASES_1D)
def test_dilated_conv1d_matches_naive_loop(L, K, stride, padding, dilation):
    rng = np.random.default_rng(L * 100 + dilation)
    x, w, b = rng.standard_normal((2, 3, L)), rng.standard_normal((4, 3, K)), rng.standard_normal(4)
    out, cache = P.conv1d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(out, naive_conv1d(x, w, b, stride, padding, dilation), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = P.conv1d_backward(dout, cache)
    ndx, ndw, ndb = naive_conv1d_backward(dout, x, w, stride, padding, dilation)
    for got, want in ((dx, ndx), (dw, ndw), (db, ndb)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


CASES_2D = [  # (H, W, k, stride, padding, dilation)
    (9, 9, 3, (1, 1), (2, 2), (2, 2)),
    (19, 19, 3, (1, 1), (8, 8), (8, 8)),
    (11, 13, 3, (2, 1), (4, 1), (4, 1)),
    (12, 10, 3, (1, 2), (0, 3), (3, 2)),
]


@pytest.mark.parametrize("H,W,k,stride,padding,dilation", CASES_2D)
def test_dilated_conv2d_matches_naive_loop(H, W, k, stride, padding, dilation):
    rng = np.random.default_rng(H * W)
    x, w, b = rng.standard_normal((2, 3, H, W)), rng.standard_normal((4, 3, k, k)), rng.standard_normal(4)
    out, cache = P.conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(out, naive_conv2d(x, w, b, stride, padding, dilation), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    got = P.conv2d_backward(dout, cache)
    want = naive_conv2d_backward(dout, x, w, stride, padding, dilation)
    for g, n in zip(got, want):
        np.testing.assert_allclose(g, n, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dilation", [2, 4, 8])
def test_dilated_conv1d_gradcheck_same_padding(dilation):
    rng = np.random.default_rng(dilation)
    x, w, b = rng.standard_normal((2, 2, 3 * dilation)), rng.standard_normal((3, 2, 3)), rng.standard_normal(3)
    err = check_pair(P.conv1d_forward, P.conv1d_backward, [x, w, b], dict(padding=dilation, dilation=dilation))
    assert err < 1e-6


def test_dilated_conv2d_gradcheck_same_padding():
    rng = np.random.default_rng(5)
    x, w, b = rng.standard_normal((2, 2, 9, 9)), rng.standard_normal((2, 2, 3, 3)), rng.standard_normal(2)
    err = check_pair(P.conv2d_forward, P.conv2d_backward, [x, w, b], dict(padding=4, dilation=4))
    assert err < 1e-6


@pytest.mark.parametrize("dilation", [1, 2, 4, 8, 16])
def test_same_padding_keeps_the_length(dilation):
    x, w = np.zeros((1, 1, 70)), np.zeros((1, 1, 3))
    out, _ = P.conv1d_forward(x, w, padding=dilation, dilation=dilation)
    assert out.shape == x.shape
