"""Gradient checks of the pairs added for PyTorch parity: float64, central differences,
a random upstream gradient (``nn.gradcheck.check_pair``), relative error < 1e-6."""

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair, numerical_grad, rel_error

TOL = 1e-6


def r(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def probs(*shape, seed=0):
    p = np.random.default_rng(seed).random(shape) + 0.1
    return p / p.sum(axis=-1, keepdims=True)


def logp(*shape, seed=0):
    z = r(*shape, seed=seed)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


Y = np.array([1, 4, 0, 4, -100, 2])
# activations' inputs: |x| <= 3 and away from GELU's stationary point −0.75, where a
# gradient of ~1e-11 would be below the central difference's resolution
X_ACT = np.array([[-3.0, -2.2, -1.4, -0.3, 0.0], [0.4, 1.1, 1.7, 2.3, 3.0], [-2.6, -1.9, 0.2, 0.9, 2.0]])
W = np.array([0.5, 2.0, 1.0, 0.25, 3.0])

CASES = {
    "nll_loss": (P.nll_loss_forward, P.nll_loss_backward, [logp(6, 5), Y, W], {}, [0]),
    "nll_loss_none": (P.nll_loss_forward, P.nll_loss_backward, [logp(6, 5), Y], {"reduction": "none"}, [0]),
    "ce_weight": (
        P.cross_entropy_forward,
        P.cross_entropy_backward,
        [r(6, 5), Y],
        {"weight": W, "label_smoothing": 0.2},
        [0],
    ),
    "ce_soft": (P.cross_entropy_forward, P.cross_entropy_backward, [r(6, 5), probs(6, 5)], {"weight": W}, [0]),
    "ce_soft_none": (
        P.cross_entropy_forward,
        P.cross_entropy_backward,
        [r(6, 5), probs(6, 5)],
        {"reduction": "none", "label_smoothing": 0.1},
        [0],
    ),
    "bce": (
        P.binary_cross_entropy_forward,
        P.binary_cross_entropy_backward,
        [probs(4, 3), probs(4, 3, seed=1)],
        {},
        [0],
    ),
    "bce_logits": (
        P.binary_cross_entropy_with_logits_forward,
        P.binary_cross_entropy_with_logits_backward,
        [r(4, 3) * 5, probs(4, 3)],
        {"weight": np.array([1.0, 2.0, 0.5]), "pos_weight": np.array([3.0, 1.0, 0.2]), "reduction": "sum"},
        [0],
    ),
    "kl_div": (
        P.kl_div_forward,
        P.kl_div_backward,
        [logp(4, 5), probs(4, 5, seed=2)],
        {"reduction": "batchmean"},
        [0, 1],
    ),
    "kl_div_log_target": (
        P.kl_div_forward,
        P.kl_div_backward,
        [logp(4, 5), logp(4, 5, seed=3)],
        {"reduction": "none", "log_target": True},
        [0, 1],
    ),
    "gelu": (P.gelu_forward, P.gelu_backward, [X_ACT], {}, None),
    "gelu_tanh": (P.gelu_forward, P.gelu_backward, [X_ACT], {"approximate": "tanh"}, None),
    "softplus": (P.softplus_forward, P.softplus_backward, [X_ACT], {"beta": 2.0, "threshold": 3.0}, None),
    "logsigmoid": (P.logsigmoid_forward, P.logsigmoid_backward, [r(4, 5) * 5], {}, None),
    "amin": (P.amin_forward, P.amin_backward, [r(3, 4, 5)], {"axis": (0, 2)}, None),
    "max_dim": (P.max_dim_forward, P.max_dim_backward, [r(3, 4, 5)], {"axis": 1}, [0]),
    "min_dim_keepdim": (P.min_dim_forward, P.min_dim_backward, [r(3, 4, 5)], {"axis": -1, "keepdims": True}, [0]),
    "logsumexp_dims": (P.logsumexp_forward, P.logsumexp_backward, [r(3, 4, 5)], {"axis": (0, 2)}, None),
    "matmul_vec_vec": (P.matmul_forward, P.matmul_backward, [r(4), r(4, seed=1)], {}, None),
    "gather_small_index": (
        P.gather_forward,
        P.gather_backward,
        [r(3, 4), 1, np.array([[2, 0, 2], [1, 1, 3]])],
        {},
        [0],
    ),
    "pow_zero": (P.pow_forward, P.pow_backward, [np.array([0.0, 1.5, -2.0]), 0], {}, [0]),
    "sdpa_causal": (
        P.scaled_dot_product_attention_forward,
        P.scaled_dot_product_attention_backward,
        [r(2, 4, 3), r(2, 6, 3, seed=1), r(2, 6, 2, seed=2)],
        {"is_causal": True},
        None,
    ),
    "index_add": (
        P.index_add_forward,
        P.index_add_backward,
        [r(3, 4), 0, np.array([0, 2, 2, 1, 0]), r(5, 4, seed=1)],
        {"alpha": 0.5},
        [0, 3],
    ),
    "scatter_add": (
        P.scatter_add_forward,
        P.scatter_add_backward,
        [r(3, 3), 0, np.array([[0, 1, 0], [2, 0, 2]]), r(2, 3, seed=1)],
        {},
        [0, 3],
    ),
    "cosine_similarity": (
        P.cosine_similarity_forward,
        P.cosine_similarity_backward,
        [r(4, 1, 5), r(1, 3, 5, seed=1)],
        {"axis": -1},
        None,
    ),
    "normalize": (P.normalize_forward, P.normalize_backward, [r(3, 4)], {"p": 3.0, "axis": 0}, None),
    "roll": (P.roll_forward, P.roll_backward, [r(3, 4)], {"shifts": (1, -3), "dims": (0, 1)}, None),
    "conv2d_same_groups": (
        P.conv2d_forward,
        P.conv2d_backward,
        [r(2, 4, 5, 6), r(6, 2, 2, 3, seed=1), r(6, seed=2)],
        {"padding": "same", "groups": 2, "dilation": (2, 1)},
        None,
    ),
    "conv1d_groups": (
        P.conv1d_forward,
        P.conv1d_backward,
        [r(2, 6, 9), r(3, 2, 3, seed=1), None],
        {"groups": 3, "stride": 2, "padding": 1},
        [0, 1],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck(name):
    fwd, bwd, inputs, kwargs, wrt = CASES[name]
    inputs = [x.copy() if isinstance(x, np.ndarray) else x for x in inputs]
    assert check_pair(fwd, bwd, inputs, kwargs, wrt=wrt) < TOL


def test_gradcheck_is_not_vacuous():
    """A wrong backward (relu's mask dropped) must fail the same check."""

    def wrong_backward(dout, mask):
        return dout

    assert check_pair(P.relu_forward, wrong_backward, [r(4, 5)]) > 0.1


def test_grouped_conv_equals_separate_convs():
    x, w, b = r(2, 4, 5, 5), r(6, 2, 3, 3, seed=1), r(6, seed=2)
    out, _ = P.conv2d_forward(x, w, b, padding=1, groups=2)
    for g in range(2):
        ref, _ = P.conv2d_forward(x[:, 2 * g : 2 * g + 2], w[3 * g : 3 * g + 3], b[3 * g : 3 * g + 3], padding=1)
        np.testing.assert_allclose(out[:, 3 * g : 3 * g + 3], ref, rtol=1e-12, atol=1e-12)


def test_index_add_is_a_segment_sum():
    m, dst = r(6, 2), np.array([0, 2, 2, 1, 0, 2])
    out, _ = P.index_add_forward(np.zeros((3, 2)), 0, dst, m)
    np.testing.assert_allclose(out, [m[dst == i].sum(axis=0) for i in range(3)])


def test_roll_is_circular():
    x = np.arange(12.0).reshape(3, 4)
    out, _ = P.roll_forward(x, 1, 1)
    np.testing.assert_array_equal(out[:, 0], x[:, -1])
    np.testing.assert_array_equal(out[:, 1:], x[:, :-1])


def test_embedding_padding_row_gets_no_gradient_and_the_rest_are_exact():
    ids, W = np.array([[0, 2, 2], [1, 0, 3]]), r(4, 5)
    out, cache = P.embedding_forward(ids, W, padding_idx=2)
    dout = r(*out.shape, seed=1)
    _, dW = P.embedding_backward(dout, cache)
    num = numerical_grad(lambda: float((P.embedding_forward(ids, W, padding_idx=2)[0] * dout).sum()), W)
    assert np.any(num[2]) and not np.any(dW[2])  # the forward uses row 2; torch gives it no gradient
    num[2] = 0
    assert rel_error(dW, num) < TOL
