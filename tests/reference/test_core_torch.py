"""Core ops against their PyTorch twins: float64, same inputs, forward and gradients
equal to 1e-6, under the same random upstream gradient (tinygrad's helper_test_op idea)."""

import numpy as np
import pytest

from sutskever30 import nn

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-6, 1e-9


def helper(shapes, ours, theirs, positive=False, seed=0, extra=()):
    """Run ``ours`` on nn.Tensors and ``theirs`` on torch tensors built from the same
    arrays; compare outputs, then backprop one random upstream gradient through both."""
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    if positive:
        arrays = [np.abs(a) + 0.5 for a in arrays]
    ts = [nn.Tensor(a.copy(), requires_grad=True) for a in arrays]
    tt = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]
    out, tout = ours(*ts, *extra), theirs(*tt, *extra)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=RTOL, atol=ATOL)
    dout = rng.standard_normal(out.shape)
    out.backward(dout)
    tout.backward(torch.tensor(dout))
    for a, b in zip(ts, tt):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=RTOL, atol=ATOL)


CASES = {
    "add_bcast": ([(3, 1, 4), (5, 1)], lambda a, b: a + b, lambda a, b: a + b),
    "sub": ([(3, 4), (4,)], lambda a, b: a - b, lambda a, b: a - b),
    "mul": ([(2, 3, 4), (3, 1)], lambda a, b: a * b, lambda a, b: a * b),
    "div": ([(3, 4), (3, 4)], lambda a, b: a / (b * b + 1.0), lambda a, b: a / (b * b + 1.0)),
    "rsub_rdiv": ([(3, 4)], lambda a: 2.0 - 1.0 / (a * a + 1.0), lambda a: 2.0 - 1.0 / (a * a + 1.0)),
    "pow": ([(3, 4)], lambda a: (a * a + 1.0) ** 1.5, lambda a: (a * a + 1.0) ** 1.5),
    "matmul_batched": ([(2, 3, 4), (4, 5)], lambda a, b: a @ b, lambda a, b: a @ b),
    "matmul_bcast": ([(1, 3, 4), (2, 4, 5)], lambda a, b: a @ b, lambda a, b: a @ b),
    "exp_log_sqrt": (
        [(3, 4)],
        lambda a: (a.exp() + 1.0).log() + (a * a + 1.0).sqrt(),
        lambda a: (a.exp() + 1.0).log() + (a * a + 1.0).sqrt(),
    ),
    "tanh_sigmoid_relu": (
        [(3, 4)],
        lambda a: a.tanh() * a.sigmoid() + a.relu(),
        lambda a: a.tanh() * a.sigmoid() + a.relu(),
    ),
    "sum_axes": ([(2, 3, 4)], lambda a: a.sum(dim=(0, 2)), lambda a: a.sum(dim=(0, 2))),
    "mean_keepdim": ([(2, 3, 4)], lambda a: a.mean(dim=1, keepdim=True), lambda a: a.mean(dim=1, keepdim=True)),
    "max_dim": ([(3, 5)], lambda a: a.max(dim=1), lambda a: a.amax(dim=1)),
    "softmax": ([(3, 5)], lambda a: a.softmax(-1), lambda a: a.softmax(-1)),
    "log_softmax_dim0": ([(3, 5)], lambda a: a.log_softmax(0), lambda a: a.log_softmax(0)),
    "logsumexp": ([(3, 5)], lambda a: nn.logsumexp(a, 1), lambda a: torch.logsumexp(a, 1)),
    "linear": ([(2, 5, 3), (4, 3), (4,)], nn.linear, torch.nn.functional.linear),
    "reshape_permute": (
        [(2, 3, 4)],
        lambda a: a.reshape(6, 4).T.permute(1, 0),
        lambda a: a.reshape(6, 4).T.permute(1, 0),
    ),
    "transpose": ([(2, 3, 4)], lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2)),
    "cat": ([(2, 3), (4, 3)], lambda a, b: nn.cat([a, b], 0), lambda a, b: torch.cat([a, b], 0)),
    "stack": ([(2, 3), (2, 3)], lambda a, b: nn.stack([a, b], 1), lambda a, b: torch.stack([a, b], 1)),
    "split": (
        [(5, 3)],
        lambda a: nn.split(a, 2, 0)[1] * nn.split(a, 2, 0)[2].sum(),
        lambda a: torch.split(a, 2, 0)[1] * torch.split(a, 2, 0)[2].sum(),
    ),
    "index": ([(5, 3)], lambda a: a[np.array([0, 2, 2]), 1:], lambda a: a[torch.tensor([0, 2, 2]), 1:]),
    "gather": (
        [(3, 4)],
        lambda a: nn.gather(a, 1, np.array([[0, 0], [3, 1], [2, 2]])),
        lambda a: torch.gather(a, 1, torch.tensor([[0, 0], [3, 1], [2, 2]])),
    ),
    "where": ([(3, 4), (4,)], lambda a, b: nn.where(a.data > 0, a, b), lambda a, b: torch.where(a > 0, a, b)),
    "masked_fill": ([(3, 4)], lambda a: a.masked_fill(a.data > 0.5, -2.0), lambda a: a.masked_fill(a > 0.5, -2.0)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_op_matches_torch(name):
    shapes, ours, theirs = CASES[name]
    helper(shapes, ours, theirs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_matches_torch(reduction, smoothing):
    target = np.array([1, -100, 4, 0, 4, -100, 2])
    helper(
        [(7, 5)],
        lambda a: nn.cross_entropy(a, target, ignore_index=-100, label_smoothing=smoothing, reduction=reduction),
        lambda a: torch.nn.functional.cross_entropy(
            a, torch.tensor(target), ignore_index=-100, label_smoothing=smoothing, reduction=reduction
        ),
    )


def test_mse_and_embedding_match_torch():
    t = np.random.default_rng(5).standard_normal((3, 4))
    helper([(3, 4)], lambda a: nn.mse_loss(a, t), lambda a: torch.nn.functional.mse_loss(a, torch.tensor(t)))
    ids = np.array([[0, 3, 3], [1, 0, 2]])
    helper([(4, 5)], lambda w: nn.embedding(ids, w), lambda w: torch.nn.functional.embedding(torch.tensor(ids), w))
