"""Local response normalisation against ``torch.nn.functional.local_response_norm`` and
``torch.nn.LocalResponseNorm``: float64, same input, forward and input gradient to 1e-6."""

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import LocalResponseNorm
from sutskever30.nn import pairs as P

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("shape", [(2, 7, 5, 4), (3, 6, 9), (2, 5, 2, 3, 2)])
@pytest.mark.parametrize("params", [dict(alpha=1e-4, beta=0.75, k=1.0), dict(alpha=0.3, beta=0.5, k=2.0)])
def test_pair_matches_torch(size, shape, params):
    rng = np.random.default_rng(size)
    x = 3.0 * rng.standard_normal(shape)
    dout = rng.standard_normal(shape)
    out, cache = P.local_response_norm_forward(x, size, **params)
    dx = P.local_response_norm_backward(dout, cache)
    tx = torch.tensor(x, requires_grad=True)
    tout = torch.nn.functional.local_response_norm(tx, size, **params)
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-6, atol=1e-10)


def test_module_matches_torch_module():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 16, 6, 6))
    dout = rng.standard_normal(x.shape)
    ours = LocalResponseNorm(5, alpha=5e-2, beta=0.75, k=2.0)
    theirs = torch.nn.LocalResponseNorm(5, alpha=5e-2, beta=0.75, k=2.0)
    t = nn.Tensor(x, requires_grad=True)
    y = ours(t)
    y.backward(dout)
    tx = torch.tensor(x, requires_grad=True)
    ty = theirs(tx)
    ty.backward(torch.tensor(dout))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), rtol=1e-6, atol=1e-10)
