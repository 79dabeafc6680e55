"""The twin helper itself: it must fail on a wrong forward, a wrong gradient, a wrong shape."""

import pytest
from helpers import check_op

from sutskever30 import nn

torch = pytest.importorskip("torch")


def test_check_op_catches_a_wrong_forward():
    with pytest.raises(AssertionError):
        check_op([(3, 4)], lambda a: a.tanh(), lambda a: a.sigmoid())


def test_check_op_catches_a_wrong_gradient():
    # same values, but our side treats one factor as a constant: half the gradient
    with pytest.raises(AssertionError, match="gradient of input 0"):
        check_op([(3, 4)], lambda a: a * nn.Tensor(a.data), lambda a: a * a)


def test_check_op_catches_a_wrong_shape():
    with pytest.raises(AssertionError, match="shape"):
        check_op([(3, 4)], lambda a: a.sum(dim=0, keepdim=True), lambda a: a.sum(dim=0))
