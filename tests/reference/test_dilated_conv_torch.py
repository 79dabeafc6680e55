"""Paper 11 against PyTorch: dilated conv1d/conv2d pairs for the context module's dilations
(and strides, paddings), and the whole context module (1-D and 2-D) with the same weights,
forward and every gradient equal to 1e-6 in float64."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import pairs as P
from sutskever30.papers import p11_dilated_conv as p11

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RTOL, ATOL = 1e-6, 1e-8


def _compare_pair(ours_fwd, ours_bwd, theirs, x, w, b, opts):
    out, cache = ours_fwd(x, w, b, **opts)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    tout = theirs(tx, tw, tb, **opts)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=RTOL, atol=ATOL)
    dout = np.random.default_rng(1).standard_normal(out.shape)
    tout.backward(torch.tensor(dout))
    for g, t in zip(ours_bwd(dout, cache), (tx, tw, tb)):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    "opts",
    [
        dict(padding=1, dilation=1),
        dict(padding=4, dilation=4),
        dict(padding=16, dilation=16),
        dict(stride=2, padding=8, dilation=8),
        dict(stride=3, padding=0, dilation=5),
    ],
)
def test_dilated_conv1d(opts):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((2, 3, 40)), rng.standard_normal((4, 3, 3)), rng.standard_normal(4)
    _compare_pair(P.conv1d_forward, P.conv1d_backward, TF.conv1d, x, w, b, opts)


@pytest.mark.parametrize(
    "opts",
    [
        dict(padding=2, dilation=2),
        dict(padding=8, dilation=8),
        dict(stride=2, padding=(4, 1), dilation=(4, 1)),
        dict(stride=(1, 2), padding=0, dilation=(2, 3)),
    ],
)
def test_dilated_conv2d(opts):
    rng = np.random.default_rng(1)
    x, w, b = rng.standard_normal((2, 2, 19, 17)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    _compare_pair(P.conv2d_forward, P.conv2d_backward, TF.conv2d, x, w, b, opts)


@pytest.mark.parametrize("dim", [1, 2])
def test_context_module_matches_torch(dim):
    """The whole module: 7 dilated convs + ReLU, then 1 × 1, same weights, random dout."""
    rng = np.random.default_rng(dim)
    C = 3
    m = p11.ContextModule(C, dim=dim, rng=rng, dtype=np.float64)
    size = (70,) if dim == 1 else (36, 36)
    x = rng.standard_normal((2, C, *size))
    xt = nn.Tensor(x, requires_grad=True)
    out = m(xt)
    dout = rng.standard_normal(out.shape)
    out.backward(dout)

    conv = TF.conv1d if dim == 1 else TF.conv2d
    tx = torch.tensor(x, requires_grad=True)
    params = {name: torch.tensor(p.data, requires_grad=True) for name, p in m.named_parameters()}
    h = tx
    for i, d in enumerate(p11.CONTEXT_DILATIONS):
        h = torch.relu(conv(h, params[f"layers.{i}.weight"], params[f"layers.{i}.bias"], padding=d, dilation=d))
    tout = conv(h, params["out.weight"], params["out.bias"])
    tout.backward(torch.tensor(dout))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=RTOL, atol=ATOL)
    for name, p in m.named_parameters():
        np.testing.assert_allclose(p.grad, params[name].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)
