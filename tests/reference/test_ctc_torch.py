"""The CTC pair against ``torch.nn.functional.ctc_loss``: same inputs, same random upstream
gradients, forward and gradient equal to 1e-6 in float64.

PyTorch's CTC backward returns exp(log p) − γ, the gradient with respect to the logits of
a log-softmax, not −γ, the gradient with respect to ``log_probs`` itself (ours). Chained
through ``log_softmax`` both give the same gradient on the logits, which is compared here.
"""

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.pairs.ctc import ctc_loss_backward, ctc_loss_forward

torch = pytest.importorskip("torch")


def ours(z, targets, il, tl, dout, **kw):
    lp, c1 = P.log_softmax_forward(z, axis=2)
    loss, c2 = ctc_loss_forward(lp, targets, il, tl, **kw)
    return loss, P.log_softmax_backward(ctc_loss_backward(dout, c2)[0], c1)


def theirs(z, targets, il, tl, dout, **kw):
    zt = torch.tensor(z, requires_grad=True)
    loss = torch.nn.functional.ctc_loss(
        zt.log_softmax(2), torch.tensor(targets), torch.tensor(il), torch.tensor(tl), **kw
    )
    loss.backward(torch.tensor(dout))
    return loss.detach().numpy(), zt.grad.numpy()


@pytest.mark.parametrize("blank", [0, 4])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
def test_matches_torch(reduction, layout, blank):
    rng = np.random.default_rng(0)
    T, N, C = 12, 5, 5
    z = rng.standard_normal((T, N, C)) * 2  # (T, N, C) logits
    labels = [c for c in range(C) if c != blank]
    ys = [[labels[0], labels[0], labels[1]], [labels[2]], [], [labels[3], labels[1], labels[1], labels[1]], labels]
    L = np.array([len(y) for y in ys])
    if layout == "padded":
        targets = np.full((N, 4), labels[0], np.int64)
        for n, y in enumerate(ys):
            targets[n, : len(y)] = y
    else:
        targets = np.array([k for y in ys for k in y], np.int64)
    il = np.array([12, 7, 3, 10, 9])
    dout = rng.standard_normal(N) if reduction == "none" else np.array(rng.standard_normal())
    kw = {"blank": blank, "reduction": reduction}
    loss, dz = ours(z, targets, il, L, dout, **kw)
    loss_t, dz_t = theirs(z, targets, il, L, dout, **kw)
    np.testing.assert_allclose(loss, loss_t, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dz, dz_t, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_zero_infinity_matches_torch(reduction):
    rng = np.random.default_rng(1)
    z = rng.standard_normal((4, 3, 4))
    targets = np.array([[1, 1, 1], [2, 3, 0], [1, 1, 2]])  # "aaa" in 4 frames is impossible (needs 5)
    il, tl = np.array([4, 4, 4]), np.array([3, 2, 3])
    dout = rng.standard_normal(3) if reduction == "none" else np.array(rng.standard_normal())
    kw = {"reduction": reduction, "zero_infinity": True}
    loss, dz = ours(z, targets, il, tl, dout, **kw)
    loss_t, dz_t = theirs(z, targets, il, tl, dout, **kw)
    np.testing.assert_allclose(loss, loss_t, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(dz, dz_t, rtol=1e-6, atol=1e-9)
    if reduction == "none":
        assert loss[0] == 0 and loss[1] > 0 and loss[2] > 0  # "aab" fits in 4 frames: a ∅ a b
