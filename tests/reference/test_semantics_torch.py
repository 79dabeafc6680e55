"""Where the engine used to differ from torch (now fixed): each case against its torch twin."""

import numpy as np
import pytest
from helpers import check_op

from sutskever30 import nn

torch = pytest.importorskip("torch")


def test_vector_dot_vector_forward_and_backward():
    check_op([(4,), (4,)], lambda a, b: a @ b)
    check_op([(4,), (4, 3)], lambda a, b: a @ b)
    check_op([(2, 3, 4), (4,)], lambda a, b: a @ b)


@pytest.mark.parametrize("method", ["sum", "mean", "amax", "amin"])
def test_reductions_take_a_list_of_dims(method):
    check_op([(2, 3, 4)], lambda a: getattr(a, method)([0, 2]))
    check_op([(2, 3, 4)], lambda a: getattr(a, method)((0, -1), keepdim=True))


def test_gather_with_an_index_smaller_than_the_input():
    idx = np.array([[2, 0, 1], [1, 1, 3]])  # (2, 3) from a (3, 4) input: smaller in both dims
    check_op([(3, 4)], lambda a, T: a.gather(1, T(idx)))
    col = np.array([[0], [2]])  # an index with size 1 in dim 1: no broadcasting
    check_op([(3, 4)], lambda a, T: a.gather(1, T(col)))
    check_op([(3, 4)], lambda a, T: a.gather(0, T(np.array([[2, 0, 1, 1]]))))


def test_gather_refuses_a_negative_index_like_torch():
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3).gather(1, torch.tensor([[-1], [0]]))
    with pytest.raises(IndexError, match="index -1 is out of bounds for dim 1 with size 3"):
        nn.Tensor(np.zeros((2, 3))).gather(1, np.array([[-1], [0]]))


def test_pow_zero_has_zero_gradient_at_zero():
    x = np.array([0.0, 1.5, -2.0])
    check_op([x], lambda a: a**0)
    check_op([x], lambda a: a**0.0 + a**1)


def test_rpow_and_tensor_exponent():
    check_op([(3, 4)], lambda a: 2.0**a)
    check_op([(3, 4), (3, 4)], lambda a, b: (a * a + 0.5) ** b)


def test_logsumexp_of_infinite_rows():
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, np.inf, 1.0], [1.0, 2.0, 3.0]])
    ours = nn.Tensor(x).logsumexp(1).data
    np.testing.assert_array_equal(ours, torch.logsumexp(torch.tensor(x), 1).numpy())
    assert ours[0] == -np.inf and ours[1] == np.inf


def test_relu_of_minus_infinity_and_nan():
    x = np.array([-np.inf, -1.0, 0.0, 2.0, np.inf, np.nan])
    np.testing.assert_array_equal(nn.relu(nn.Tensor(x)).data, torch.relu(torch.tensor(x)).numpy())


@pytest.mark.parametrize("call", [lambda t: t.permute(0, 5), lambda t: t.transpose(0, 2), lambda t: t.permute(0, 0)])
def test_permute_and_transpose_refuse_bad_dims_like_torch(call):
    with pytest.raises((IndexError, RuntimeError)):
        call(torch.zeros(2, 3))
    with pytest.raises((IndexError, ValueError), match="permute|transpose"):
        call(nn.Tensor(np.zeros((2, 3))))


@pytest.mark.parametrize(
    "expr",
    [
        lambda a: a + 2.5,
        lambda a: a * 0.5,
        lambda a: a / 2,
        lambda a: 1.5 - a,
        lambda a: a**0.5,
    ],
)
def test_int_tensor_with_a_python_float_is_float32(expr):
    ours, theirs = expr(nn.Tensor([1, 2, 3])), expr(torch.tensor([1, 2, 3]))
    assert theirs.dtype == torch.float32 and ours.dtype == np.float32
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "a, b",
    [
        (np.float32, (np.float64, ())),  # 0-d float64 does not widen float32
        (np.float64, (np.float32, ())),
        (np.float32, (np.float64, (3,))),  # both with dims: float64
        (np.int64, (np.float64, ())),  # a higher category 0-d tensor decides
        (np.int32, (np.int64, ())),
        (np.bool_, (np.int32, (3,))),
    ],
)
def test_type_promotion_follows_torch(a, b):
    dtype_b, shape_b = b
    x, y = np.ones(3, a), np.ones(shape_b, dtype_b)
    ours = (nn.Tensor(x) * nn.Tensor(y)).dtype
    theirs = (torch.from_numpy(x) * torch.from_numpy(y)).dtype
    assert str(theirs).removeprefix("torch.") == {"bool_": "bool"}.get(ours.name, ours.name)


def test_float32_scalar_tensor_times_float64_zero_d_keeps_float32_and_its_grad():
    w = nn.Tensor(np.array(2.0), requires_grad=True)  # a 0-d float64 array keeps its dtype
    x = nn.Tensor(np.ones(3, np.float32), requires_grad=True)
    y = x * w
    assert y.dtype == np.float32
    y.sum().backward()
    assert w.grad.dtype == np.float64 and w.grad == 3.0 and x.grad.dtype == np.float32


def test_matmul_and_linear_refuse_mixed_float_dtypes_like_torch():
    with pytest.raises(RuntimeError):
        torch.ones(2, 3) @ torch.ones(3, 2, dtype=torch.float64)
    with pytest.raises(TypeError, match="matmul: a is float32 but b is float64"):
        nn.Tensor(np.ones((2, 3), np.float32)) @ nn.Tensor(np.ones((3, 2)))
    lin = nn.Linear(3, 2, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError):
        torch.nn.Linear(3, 2)(torch.ones(1, 3, dtype=torch.float64))
    with pytest.raises(TypeError, match="linear: x is float64 but weight is float32"):
        lin(nn.Tensor(np.ones((1, 3))))


@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim_return_values_and_indices(op, keepdim):
    x = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, -1.0, 2.0, 2.0], [0.0, 0.0, -4.0, 5.0]])  # ties: first wins
    ours = getattr(nn.Tensor(x, requires_grad=True), op)(1, keepdim=keepdim)
    theirs = getattr(torch.tensor(x), op)(1, keepdim=keepdim)
    assert ours._fields == ("values", "indices")
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    check_op([x], lambda a: getattr(a, op)(1, keepdim=keepdim).values)


def test_max_without_dim_is_a_scalar_sharing_ties():
    x = np.array([[1.0, 3.0], [3.0, 0.5]])
    check_op([x], lambda a: a.max())
    check_op([x], lambda a: a.min())


def test_sequential_and_modulelist_refuse_functions_like_torch():
    with pytest.raises(TypeError):
        torch.nn.Sequential(torch.nn.Linear(2, 2), torch.relu)
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="Sequential: argument 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(2, 2, rng=rng), nn.relu, nn.Linear(2, 2, rng=rng))
    with pytest.raises(TypeError, match="ModuleList: argument 0 is a function"):
        nn.ModuleList([nn.relu])
