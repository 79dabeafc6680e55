"""Core ops against their PyTorch twins through one helper (``helpers.check_op``): the same
expression on our Tensors and on torch tensors, float64, forward and gradients to 1e-6
under a random upstream gradient."""

import numpy as np
import pytest
from helpers import check_op

from sutskever30 import nn

torch = pytest.importorskip("torch")

IDX = np.array([[0, 0], [3, 1], [2, 2]])

# name: (input shapes, expression[, torch expression where the names differ])
CASES = {
    "add_bcast": ([(3, 1, 4), (5, 1)], lambda a, b: a + b),
    "sub": ([(3, 4), (4,)], lambda a, b: a - b),
    "mul": ([(2, 3, 4), (3, 1)], lambda a, b: a * b),
    "div": ([(3, 4), (3, 4)], lambda a, b: a / (b * b + 1.0)),
    "rsub_rdiv": ([(3, 4)], lambda a: 2.0 - 1.0 / (a * a + 1.0)),
    "pow": ([(3, 4)], lambda a: (a * a + 1.0) ** 1.5),
    "matmul_batched": ([(2, 3, 4), (4, 5)], lambda a, b: a @ b),
    "matmul_bcast": ([(1, 3, 4), (2, 4, 5)], lambda a, b: a @ b),
    "exp_log_sqrt": ([(3, 4)], lambda a: (a.exp() + 1.0).log() + (a * a + 1.0).sqrt()),
    "tanh_sigmoid_relu": ([(3, 4)], lambda a: a.tanh() * a.sigmoid() + a.relu()),
    "sum_axes": ([(2, 3, 4)], lambda a: a.sum(dim=(0, 2))),
    "mean_keepdim": ([(2, 3, 4)], lambda a: a.mean(dim=1, keepdim=True)),
    "amax_dim": ([(3, 5)], lambda a: a.amax(dim=1)),
    "softmax": ([(3, 5)], lambda a: a.softmax(-1)),
    "log_softmax_dim0": ([(3, 5)], lambda a: a.log_softmax(0)),
    "logsumexp": ([(3, 5)], lambda a: a.logsumexp(1)),
    "linear": ([(2, 5, 3), (4, 3), (4,)], lambda x, w, b, F: F.linear(x, w, b)),
    "reshape_permute": ([(2, 3, 4)], lambda a: a.reshape(6, 4).T.permute(1, 0)),
    "transpose": ([(2, 3, 4)], lambda a: a.transpose(0, 2)),
    "cat": ([(2, 3), (4, 3)], lambda a, b: nn.cat([a, b], 0), lambda a, b: torch.cat([a, b], 0)),
    "stack": ([(2, 3), (2, 3)], lambda a, b: nn.stack([a, b], 1), lambda a, b: torch.stack([a, b], 1)),
    "split": (
        [(5, 3)],
        lambda a: nn.split(a, 2, 0)[1] * nn.split(a, 2, 0)[2].sum(),
        lambda a: torch.split(a, 2, 0)[1] * torch.split(a, 2, 0)[2].sum(),
    ),
    "index": ([(5, 3)], lambda a, T: a[T(np.array([0, 2, 2])), 1:]),
    "gather": ([(3, 4)], lambda a, T: a.gather(1, T(IDX))),
    "where": ([(3, 4), (4,)], lambda a, b: nn.where(a.data > 0, a, b), lambda a, b: torch.where(a > 0, a, b)),
    "masked_fill": ([(3, 4)], lambda a: a.masked_fill(a > 0.5, -2.0)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_op_matches_torch(name):
    check_op(*CASES[name])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_matches_torch(reduction, smoothing):
    target = np.array([1, -100, 4, 0, 4, -100, 2])
    check_op(
        [(7, 5)],
        lambda a, F, T: F.cross_entropy(
            a, T(target), ignore_index=-100, label_smoothing=smoothing, reduction=reduction
        ),
    )


def test_mse_and_embedding_match_torch():
    t = np.random.default_rng(5).standard_normal((3, 4))
    check_op([(3, 4)], lambda a, F, T: F.mse_loss(a, T(t)))
    ids = np.array([[0, 3, 3], [1, 0, 2]])
    check_op([(4, 5)], lambda w, F, T: F.embedding(T(ids), w))
