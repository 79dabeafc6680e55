"""Local response normalisation pair: central-difference gradient checks (float64, random
upstream gradients), a loop-over-channels reference, the tape wrapper and the module."""

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import LocalResponseNorm
from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair


def lrn_loops(x, size, alpha, beta, k):
    """The definition, one channel at a time."""
    C = x.shape[1]
    out = np.empty_like(x)
    for c in range(C):
        lo, hi = max(0, c - size // 2), min(C, c + (size - 1) // 2 + 1)
        s = k + alpha / size * (x[:, lo:hi] ** 2).sum(axis=1)
        out[:, c] = x[:, c] / s**beta
    return out


@pytest.mark.parametrize("beta", [0.5, 0.75])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 9])
@pytest.mark.parametrize("shape", [(2, 6, 3, 4), (3, 5, 7), (1, 4, 2, 2, 3)])
def test_forward_matches_loops_and_gradcheck(size, shape, beta):
    rng = np.random.default_rng(size)
    x = rng.standard_normal(shape)
    # alpha = 1 so that the neighbour term matters in the gradient. (The check is per
    # entry: an entry whose true gradient is near 0 has a large *relative* error from
    # round-off alone, which is why the paper's tiny alpha would make a weak test.)
    opts = dict(size=size, alpha=1.0, beta=beta, k=2.0)
    out, _ = P.local_response_norm_forward(x, **opts)
    np.testing.assert_allclose(out, lrn_loops(x, **opts), rtol=1e-12, atol=1e-12)
    err = check_pair(P.local_response_norm_forward, P.local_response_norm_backward, [x], opts, rng=rng)
    assert err < 1e-6


def test_gradcheck_catches_a_missing_neighbour_term():
    """Dropping the cross-channel term of the backward must fail the check."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 3, 3))
    opts = dict(size=3, alpha=0.5, beta=0.75, k=1.0)

    def wrong_backward(dout, cache):
        return dout * cache[2]  # only the direct term dout · s^(−beta)

    ok = check_pair(P.local_response_norm_forward, P.local_response_norm_backward, [x], opts, rng=rng)
    bad = check_pair(P.local_response_norm_forward, wrong_backward, [x], opts, rng=rng)
    assert ok < 1e-7 and bad > 1e-2


def test_tape_and_module():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 7, 4, 4))
    dout = rng.standard_normal(x.shape)
    out, cache = P.local_response_norm_forward(x, 5, 1e-2, 0.75, 2.0)
    dx = P.local_response_norm_backward(dout, cache)
    t = nn.Tensor(x, requires_grad=True)
    y = LocalResponseNorm(5, alpha=1e-2, beta=0.75, k=2.0)(t)
    y.backward(dout)
    np.testing.assert_array_equal(y.data, out)
    np.testing.assert_array_equal(t.grad, dx)
    assert LocalResponseNorm(3).state_dict() == {}  # no parameters, no buffers


def test_bad_input():
    with pytest.raises(ValueError, match="3 dims"):
        P.local_response_norm_forward(np.zeros((2, 3)), 3)
    with pytest.raises(TypeError, match="floating"):
        P.local_response_norm_forward(np.zeros((2, 3, 4), np.int64), 3)
    with pytest.raises(ValueError, match="size"):
        P.local_response_norm_forward(np.zeros((2, 3, 4)), 0)
    with pytest.raises(ValueError, match="k > 0"):
        P.local_response_norm_forward(np.zeros((2, 3, 4)), 3, k=0.0)
