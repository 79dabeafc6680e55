"""The tape: iterative backward, accumulation, no_grad/detach, dtypes, multi-output ops."""

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import numerical_grad, rel_error


def T(*shape, seed=0, grad=True, dtype=np.float64):
    return nn.Tensor(np.random.default_rng(seed).standard_normal(shape).astype(dtype), requires_grad=grad)


def test_long_chain_has_no_recursion_limit():
    x = nn.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.backward(np.array([1.0, -1.0]))
    np.testing.assert_allclose(x.grad, [1.0001**10_000, -(1.0001**10_000)])


def test_gradients_accumulate_until_zeroed():
    x = T(3)
    dout = np.array([0.3, -1.2, 2.0])
    (x * 2.0).backward(dout)
    (x * 2.0).backward(dout)
    np.testing.assert_allclose(x.grad, 4 * dout)
    lin = nn.Linear(3, 2, rng=np.random.default_rng(0))
    lin(nn.Tensor(np.ones((1, 3), np.float32))).sum().backward()
    lin.zero_grad()
    assert all(p.grad is None for p in lin.parameters())


def test_shared_subexpression_gets_summed_gradient():
    x = T(4)
    y = x.tanh()
    z = y * y + y  # y used three times
    dout = np.random.default_rng(1).standard_normal(4)
    z.backward(dout)
    t = np.tanh(x.data)
    np.testing.assert_allclose(x.grad, dout * (2 * t + 1) * (1 - t**2))


def test_diamond_graph_waits_for_every_consumer():
    """c depends on a directly and through b: a's backward must run after both reached it."""
    x = T(3)
    a = x * 2.0
    b = a * 3.0
    c = a + b
    c.backward(np.array([1.0, 2.0, -1.0]))
    np.testing.assert_allclose(x.grad, 8.0 * np.array([1.0, 2.0, -1.0]))


def test_tape_matches_numerical_gradient_of_a_composite():
    W, b, x = T(4, 3, seed=1), T(4, seed=2), T(5, 3, seed=3, grad=False)
    y = np.array([0, 3, 1, 1, 2])
    dout = np.random.default_rng(9).standard_normal()

    def loss_value():
        h = nn.tanh(nn.linear(x, W, b))
        return nn.cross_entropy(h.softmax(-1).log() * 2.0, y)

    loss_value().backward(np.array(dout))
    for p in (W, b):
        num = numerical_grad(lambda: float(loss_value().data) * dout, p.data)
        assert rel_error(p.grad, num) < 1e-6


def test_no_grad_and_detach():
    x = T(3)
    with nn.no_grad():
        y = x * 2.0
    assert not y.requires_grad and y.is_leaf
    z = (x * 2.0).detach()
    assert not z.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        z.sum().backward()
    assert nn.is_grad_enabled()


def test_backward_twice_needs_retain_graph():
    x = T(3)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 4 * x.data)
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_non_scalar_backward_needs_a_gradient():
    with pytest.raises(RuntimeError, match="scalars"):
        (T(3) * 2.0).backward()
    with pytest.raises(ValueError, match="expected \\(3,\\)"):
        (T(3) * 2.0).backward(np.ones(4))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ops_keep_dtype(dtype):
    x, w = T(4, 3, dtype=dtype), T(2, 3, seed=1, dtype=dtype)
    y = nn.linear(x, w) * 0.5 + 1.0
    y = (y.tanh().exp() / 3.0 - y.sigmoid()) ** 2
    loss = nn.cross_entropy(y, np.array([0, 1, 1, 0]))
    assert loss.dtype == dtype and y.dtype == dtype
    loss.backward()
    assert x.grad.dtype == dtype and w.grad.dtype == dtype
    assert nn.Tensor([1.0, 2.0]).dtype == np.float32  # Python floats: float32, as in PyTorch


def test_multi_output_op_routes_each_gradient():
    """split has several outputs; a gradient reaching only one must land in its slice."""
    x = T(5, 2)
    a, b = nn.split(x, [2, 3], dim=0)
    g = np.random.default_rng(3).standard_normal((3, 2))
    b.backward(g)
    np.testing.assert_array_equal(x.grad[:2], 0)
    np.testing.assert_allclose(x.grad[2:], g)


def test_tape_equals_pair_composition():
    """What the tape computes is exactly the pairs, called in reverse."""
    rng = np.random.default_rng(0)
    X, W1, b1, W2 = (
        rng.standard_normal((6, 3)),
        rng.standard_normal((5, 3)),
        rng.standard_normal(5),
        rng.standard_normal((2, 5)),
    )
    y = np.array([0, 1, 1, 0, 1, 0])
    h, c1 = P.linear_forward(X, W1, b1)
    a, c2 = P.relu_forward(h)
    s, c3 = P.linear_forward(a, W2, None)
    L, c4 = P.cross_entropy_forward(s, y)
    ds, _ = P.cross_entropy_backward(np.array(1.0), c4)
    da, dW2, _ = P.linear_backward(ds, c3)
    dh = P.relu_backward(da, c2)
    _, dW1, db1 = P.linear_backward(dh, c1)

    tW1, tb1, tW2 = (nn.Tensor(v, requires_grad=True) for v in (W1, b1, W2))
    loss = nn.cross_entropy(nn.linear(nn.linear(nn.Tensor(X), tW1, tb1).relu(), tW2), y)
    loss.backward()
    assert loss.item() == float(L)
    for g_tape, g_hand in [(tW1.grad, dW1), (tb1.grad, db1), (tW2.grad, dW2)]:
        np.testing.assert_array_equal(g_tape, g_hand)


def test_tensor_methods():
    x = T(2, 3, 4)
    y = x.permute(2, 0, 1).reshape(4, 6).T.transpose(0, 1)[1:3].amax(dim=1).mean()
    y.backward()
    assert x.grad.shape == (2, 3, 4) and np.count_nonzero(x.grad) == 2
    x.grad = None
    x.masked_fill(x.data > 0, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad, (x.data <= 0).astype(float))  # filled entries get no gradient


def test_requires_grad_needs_float():
    with pytest.raises(TypeError, match="floating-point"):
        nn.Tensor(np.arange(3), requires_grad=True)


# op -> (shape of x, shapes of its other inputs (states, weights, bias), call): the layers that skip dx
LAYERS_ON_DATA = {
    "linear": ((5, 3), [(4, 3), (4,)], lambda x, w, b: nn.functional.linear(x, w, b)),
    "conv1d": ((2, 3, 6), [(4, 3, 3), (4,)], lambda x, w, b: nn.conv1d(x, w, b, padding=1)),
    "conv2d": ((2, 3, 5, 6), [(4, 3, 3, 3), (4,)], lambda x, w, b: nn.conv2d(x, w, b, padding=1)),
    "rnn": ((4, 2, 3), [(2, 5), (5, 3), (5, 5), (5,)], lambda x, *a: nn.functional.rnn(x, *a)[0]),
    "gru": ((4, 2, 3), [(2, 5), (15, 3), (15, 5), (15,)], lambda x, *a: nn.functional.gru(x, *a)[0]),
    "lstm": (
        (4, 2, 3),
        [(2, 5), (2, 5), (20, 3), (20, 5), (20,)],
        lambda x, *a: nn.functional.lstm(x, *a)[0],
    ),
}


@pytest.mark.parametrize("op", list(LAYERS_ON_DATA))
def test_layer_on_data_without_grad_gives_the_same_weight_gradients(op):
    """A first layer skips dx when its input needs no gradient; every other gradient must
    not change (bit for bit), and an input that does need one still gets it."""
    shape, wshapes, call = LAYERS_ON_DATA[op]
    x_data = np.random.default_rng(1).standard_normal(shape)
    grads = {}
    for needs in (True, False):
        x = nn.Tensor(x_data, requires_grad=needs)
        ws = [T(*s, seed=2 + i) for i, s in enumerate(wshapes)]
        out = call(x, *ws)  # (..., out)
        out.backward(np.random.default_rng(9).standard_normal(out.shape))
        grads[needs] = ([w.grad for w in ws], x.grad)
    for g_false, g_true in zip(grads[False][0], grads[True][0], strict=True):
        np.testing.assert_array_equal(g_false, g_true)
    assert grads[True][1] is not None and grads[False][1] is None
