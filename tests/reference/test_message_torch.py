"""The edge network's message pair (``nn.pairs.message.edge_matvec``) against torch.bmm:
forward and gradients of A and h, float64, to 1e-6."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn.pairs.message import edge_matvec

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(7, 4, 4), (5, 3, 6), (1, 2, 2)])
def test_edge_matvec_matches_torch_bmm(shape):
    rng = np.random.default_rng(0)
    E, d_out, d_in = shape
    A, h, dout = rng.standard_normal(shape), rng.standard_normal((E, d_in)), rng.standard_normal((E, d_out))
    At, ht = nn.Tensor(A, requires_grad=True), nn.Tensor(h, requires_grad=True)
    out = edge_matvec(At, ht)
    out.backward(dout)
    Ato, hto = torch.tensor(A, requires_grad=True), torch.tensor(h, requires_grad=True)
    ref = torch.bmm(Ato, hto.unsqueeze(-1)).squeeze(-1)
    ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(At.grad, Ato.grad.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ht.grad, hto.grad.numpy(), rtol=1e-6, atol=1e-9)
