"""Gradient checks of the core pairs: float64, random upstream gradients, rel. error < 1e-6."""

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair, directional_check, rel_error

TOL = 1e-6


def r(*shape, seed=0, positive=False):
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.abs(x) + 0.5 if positive else x


BINARY = [
    ("add", P.add_forward, P.add_backward),
    ("sub", P.sub_forward, P.sub_backward),
    ("mul", P.mul_forward, P.mul_backward),
    ("div", P.div_forward, P.div_backward),
]
BROADCAST_SHAPES = [((3, 4), (3, 4)), ((2, 3, 4), (4,)), ((3, 1), (1, 4)), ((2, 1, 4), (3, 1))]


@pytest.mark.parametrize("name,fwd,bwd", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("sa,sb", BROADCAST_SHAPES)
def test_binary_broadcasting(name, fwd, bwd, sa, sb):
    a, b = r(*sa, seed=1), r(*sb, seed=2, positive=(name == "div"))
    assert check_pair(fwd, bwd, [a, b]) < TOL


def test_pow_scalar_and_array_exponent():
    a = r(3, 4, positive=True)
    assert check_pair(P.pow_forward, P.pow_backward, [a, 2.5], wrt=[0]) < TOL
    assert check_pair(P.pow_forward, P.pow_backward, [a, r(4, seed=3)]) < TOL


UNARY = [
    ("neg", P.neg_forward, P.neg_backward, False),
    ("exp", P.exp_forward, P.exp_backward, False),
    ("log", P.log_forward, P.log_backward, True),
    ("sqrt", P.sqrt_forward, P.sqrt_backward, True),
    ("tanh", P.tanh_forward, P.tanh_backward, False),
    ("sigmoid", P.sigmoid_forward, P.sigmoid_backward, False),
    ("relu", P.relu_forward, P.relu_backward, False),
]


@pytest.mark.parametrize("name,fwd,bwd,pos", UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fwd, bwd, pos):
    x = r(4, 5, positive=pos)
    if name == "relu":  # keep away from the kink, where central differences are wrong
        x = np.where(np.abs(x) < 1e-3, 0.1, x)
    assert check_pair(fwd, bwd, [x]) < TOL


@pytest.mark.parametrize("axis,keepdims", [(None, False), (0, False), (1, True), ((0, 2), False), (-1, True)])
def test_reductions(axis, keepdims):
    x = r(3, 4, 5)
    for fwd, bwd in [
        (P.sum_forward, P.sum_backward),
        (P.mean_forward, P.mean_backward),
        (P.max_forward, P.max_backward),
    ]:
        assert check_pair(fwd, bwd, [x], dict(axis=axis, keepdims=keepdims)) < TOL


def test_max_splits_ties_evenly():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    out, cache = P.max_forward(x, axis=1)
    g = P.max_backward(np.array([1.0, 1.0]), cache)
    np.testing.assert_array_equal(g, [[0, 0.5, 0.5], [1, 0, 0]])


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_family(axis):
    x = r(3, 4, 5)
    assert check_pair(P.softmax_forward, P.softmax_backward, [x], dict(axis=axis)) < TOL
    assert check_pair(P.log_softmax_forward, P.log_softmax_backward, [x], dict(axis=axis)) < TOL
    for keep in (False, True):
        assert check_pair(P.logsumexp_forward, P.logsumexp_backward, [x], dict(axis=axis, keepdims=keep)) < TOL


def test_softmax_gradient_is_not_vacuous():
    """Under an all-ones upstream gradient the softmax gradient is exactly zero; a
    random one is not. This is why every check here uses a random ``dout``."""
    x = r(4, 6)
    _, cache = P.softmax_forward(x)
    assert np.abs(P.softmax_backward(np.ones((4, 6)), cache)).max() < 1e-12
    assert np.abs(P.softmax_backward(r(4, 6, seed=5), cache)).max() > 1e-3


def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0], [-1000.0, -1000.0]])
    out, _ = P.logsumexp_forward(x, axis=1)
    np.testing.assert_allclose(out, [1000 + np.log(2), -1000 + np.log(2)])
    p, _ = P.softmax_forward(x)
    assert np.isfinite(p).all()


@pytest.mark.parametrize(
    "sa,sb",
    [
        ((3, 4), (4, 5)),
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((1, 3, 4), (2, 4, 5)),
        ((4,), (4, 5)),
        ((3, 4), (4,)),
    ],
)
def test_matmul(sa, sb):
    assert check_pair(P.matmul_forward, P.matmul_backward, [r(*sa, seed=1), r(*sb, seed=2)]) < TOL


@pytest.mark.parametrize("xshape", [(5, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(xshape, bias):
    inputs = [r(*xshape), r(4, 3, seed=1), r(4, seed=2) if bias else None]
    assert check_pair(P.linear_forward, P.linear_backward, inputs) < TOL
    out, cache = P.linear_forward(*inputs)
    dout = r(*out.shape, seed=3)
    dx, dW, db = P.linear_backward(dout, cache)
    none, dW2, db2 = P.linear_backward(dout, cache, input_grad=False)  # a first layer's data
    assert dx is not None and none is None
    np.testing.assert_array_equal(dW2, dW)
    assert (db is None and db2 is None) or np.array_equal(db2, db)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy(smoothing, reduction):
    logits, target = r(6, 5), np.array([0, 4, -100, 2, 2, 1])
    kw = dict(label_smoothing=smoothing, reduction=reduction)
    assert check_pair(P.cross_entropy_forward, P.cross_entropy_backward, [logits, target], kw) < TOL


def test_cross_entropy_ignore_index_rows_get_no_gradient():
    logits, target = r(4, 3), np.array([1, -100, 0, -100])
    out, cache = P.cross_entropy_forward(logits, target)
    g, _ = P.cross_entropy_backward(np.array(1.0), cache)
    assert np.all(g[[1, 3]] == 0) and np.abs(g[[0, 2]]).max() > 0
    # the mean is over the two counted rows only
    full, _ = P.cross_entropy_forward(logits[[0, 2]], target[[0, 2]])
    np.testing.assert_allclose(out, full)


def test_mse():
    assert check_pair(P.mse_forward, P.mse_backward, [r(3, 4), r(3, 4, seed=1)]) < TOL


def test_embedding_accumulates_repeated_ids():
    ids, W = np.array([[0, 2, 2], [1, 0, 2]]), r(4, 3)
    assert check_pair(P.embedding_forward, P.embedding_backward, [ids, W], wrt=[1]) < TOL


def test_dropout_is_inverted_and_seeded():
    x = r(200, 50)
    out1, m1 = P.dropout_forward(x, 0.3, np.random.default_rng(7))
    out2, _ = P.dropout_forward(x, 0.3, np.random.default_rng(7))
    np.testing.assert_array_equal(out1, out2)
    kept = m1 != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(out1[kept], x[kept] / 0.7)
    ev, _ = P.dropout_forward(x, 0.3, None, training=False)
    assert ev is x
    g = P.dropout_backward(r(200, 50, seed=3), m1)
    assert np.all(g[~kept] == 0)


SHAPE_OPS = [
    (P.reshape_forward, P.reshape_backward, [r(2, 3, 4)], dict(shape=(6, 4))),
    (P.transpose_forward, P.transpose_backward, [r(2, 3, 4)], dict(axes=(2, 0, 1))),
    (P.transpose_forward, P.transpose_backward, [r(2, 3, 4)], dict(axes=None)),
    (P.concat_forward, P.concat_backward, [r(2, 3), r(4, 3, seed=1)], dict(axis=0)),
    (P.stack_forward, P.stack_backward, [r(2, 3), r(2, 3, seed=1), r(2, 3, seed=2)], dict(axis=1)),
    (P.split_forward, P.split_backward, [r(5, 3)], dict(sections=[2, 3], axis=0)),
    (P.index_forward, P.index_backward, [r(5, 3)], dict(idx=(np.array([0, 2, 2, 4]), slice(1, 3)))),
    (P.index_forward, P.index_backward, [r(5, 3)], dict(idx=np.array([True, False, True, True, False]))),
    (P.gather_forward, P.gather_backward, [r(3, 4), 1, np.array([[0, 0], [3, 1], [2, 2]])], {}),
    (P.where_forward, P.where_backward, [r(3, 4) > 0, r(3, 4, seed=1), r(4, seed=2)], {}),
    (P.masked_fill_forward, P.masked_fill_backward, [r(3, 4), r(3, 4, seed=9) > 0], dict(value=-5.0)),
]


@pytest.mark.parametrize("fwd,bwd,inputs,kw", SHAPE_OPS, ids=lambda v: getattr(v, "__name__", ""))
def test_shape_ops(fwd, bwd, inputs, kw):
    assert check_pair(fwd, bwd, inputs, kw) < TOL


def test_directional_check_agrees_and_detects_a_wrong_gradient():
    x, W, b = r(5, 3), r(4, 3, seed=1), r(4, seed=2)
    out, cache = P.linear_forward(x, W, b)
    dout = r(*out.shape, seed=3)
    grads = P.linear_backward(dout, cache)
    f = lambda x, W, b: P.linear_forward(x, W, b)[0]
    assert directional_check(f, grads, [x, W, b], dout) < 1e-7
    wrong = (grads[0], grads[1] * 1.01, grads[2])
    assert directional_check(f, wrong, [x, W, b], dout) > 1e-4


def test_check_pair_catches_a_wrong_backward():
    def bad_backward(dout, cache):
        return P.tanh_backward(dout, cache) * 1.001

    assert check_pair(P.tanh_forward, bad_backward, [r(3, 3)]) > 1e-5


def test_rel_error():
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0
    with pytest.raises(ValueError, match="shapes differ"):
        rel_error(np.zeros(2), np.zeros(3))


def test_check_pair_refuses_float32():
    with pytest.raises(TypeError, match="float64"):
        check_pair(P.tanh_forward, P.tanh_backward, [np.zeros(3, np.float32)])


@pytest.mark.parametrize(
    "idx",
    [
        (slice(None), 2),
        (slice(1, 3), Ellipsis, 0),
        1,
        (np.array([0, 0, 2]),),
        (np.array([1, 1]), slice(None), [0, 0]),
        "mask",
    ],
)
def test_index_backward_equals_add_at_bit_for_bit(idx):
    """Basic indices and masks write the gradient directly (each entry at most once); integer
    arrays accumulate repeats. Either way the bits are those of np.add.at into zeros."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 5, 6)).astype(np.float32)
    idx = x > 0 if isinstance(idx, str) else idx
    out, cache = P.index_forward(x, idx)
    dout = rng.standard_normal(out.shape).astype(np.float32)
    ref = np.zeros(x.shape, np.float32)
    np.add.at(ref, idx, dout)
    assert P.index_backward(dout, cache).tobytes() == ref.tobytes()
