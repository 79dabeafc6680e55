"""Paper 8 (Order Matters): quick-preset claims on one seed; the whole model's gradients against
central differences; Read-Process-Write is permutation invariant (and the LSTM encoder is not)
in float64; the process block reads no element; P = 0 gives q* = 0; the pointer writer's
output size follows n; output masking; the order search scores every order correctly;
determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import numerical_grad
from sutskever30.papers import p08_order_matters as p08

PAPER = 8  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_figures(quick):
    assert {"sort_loss", "set_loss", "search_share"} <= set(p08.figures(quick[0]))


def normwise_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖): robust where single gradient entries are ~1e-7 (central-difference noise)."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


@pytest.mark.parametrize("encoder,P,mask", [("rpw", 2, False), ("rpw", 0, True), ("lstm", 0, False)])
def test_model_gradients_match_central_differences(encoder, P, mask):
    rng = np.random.default_rng(0)
    model = p08.ReadProcessWrite(2, 3, np.random.default_rng(1), encoder=encoder, process_steps=P, mask=mask)
    model.double()
    X = rng.standard_normal((2, 4, 2))
    T = np.array([[1, 3, 0], [2, 0, 3]])
    scores = model(nn.Tensor(X), T)
    dout = rng.standard_normal(scores.shape) * (scores.data > p08.NEG / 2)

    def L() -> float:
        return float(np.sum(model(nn.Tensor(X), T).data * dout))

    model.zero_grad()
    scores.backward(dout)
    for name, p in model.named_parameters():
        if p.grad is None:  # the process LSTM at P = 0 is never used
            assert P == 0 and name.startswith("process"), name
            continue
        assert normwise_error(p.grad, numerical_grad(L, p.data)) < 1e-6, name


def test_rpw_is_permutation_invariant_and_lstm_is_not():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5, 9, 3))
    rpw = p08.ReadProcessWrite(3, 16, np.random.default_rng(1), process_steps=4).double()
    lstm = p08.ReadProcessWrite(3, 16, np.random.default_rng(1), encoder="lstm").double()
    ref_r, ref_l = rpw.encode(nn.Tensor(X))[1].data, lstm.encode(nn.Tensor(X))[1].data
    pi = rng.permutation(9)
    assert np.abs(rpw.encode(nn.Tensor(X[:, pi]))[1].data - ref_r).max() <= 1e-10
    assert np.abs(lstm.encode(nn.Tensor(X[:, pi]))[1].data - ref_l).max() > 1e-3
    assert p08.encoder_spread(rpw, X, rng, 10) <= 1e-10
    # the memory is permuted with the input: the writer's pointers follow the elements
    M, _ = rpw.encode(nn.Tensor(X))
    np.testing.assert_allclose(rpw.encode(nn.Tensor(X[:, pi]))[0].data, M.data[:, pi], atol=1e-12)


def test_process_block_reads_no_element():
    """q*_P depends on the set only through the memory's attention: with P = 0 it is 0, and
    the process LSTM's input is q*, never an element (its input size is 2H)."""
    model = p08.ReadProcessWrite(1, 8, np.random.default_rng(0), process_steps=0)
    X = np.random.default_rng(1).uniform(0, 1, (3, 6, 1)).astype(np.float32)
    assert np.all(model.encode(nn.Tensor(X))[1].data == 0)
    assert model.process.input_size == 2 * model.H


@pytest.mark.parametrize("n", [3, 12])
def test_writer_output_size_and_masking(n):
    X = np.random.default_rng(n).uniform(0, 1, (4, n, 1)).astype(np.float32)
    T = np.tile(np.arange(n), (4, 1))
    assert p08.ReadProcessWrite(1, 8, np.random.default_rng(0))(nn.Tensor(X), T).shape == (4, n, n)
    masked = p08.ReadProcessWrite(1, 8, np.random.default_rng(0), mask=True)
    C = masked.greedy(X, n)
    assert all(sorted(row) == list(range(n)) for row in C)  # every element exactly once


def test_order_log_probs_score_every_order():
    model = p08.ReadProcessWrite(1, 8, np.random.default_rng(0))
    X, T = p08.make_top3_data(np.random.default_rng(1), 4)
    lp = p08.order_log_probs(model, X, T)  # (4, 6)
    for k, perm in enumerate(p08.PERMS3):
        Tk = T[:, perm]
        with nn.no_grad():
            s = model(nn.Tensor(X), Tk).log_softmax(dim=2).data
        np.testing.assert_allclose(lp[:, k], np.take_along_axis(s, Tk[:, :, None], axis=2).sum(axis=(1, 2)), rtol=1e-5)
    assert np.all(np.logaddexp.reduce(lp, axis=1) <= 1e-6)  # 6 orders among all sequences: total ≤ 1


def test_data():
    X, T = p08.make_sort_data(np.random.default_rng(0), 10, 7)
    assert np.all(np.diff(np.take_along_axis(X[:, :, 0], T, axis=1), axis=1) > 0)
    X, T = p08.make_top3_data(np.random.default_rng(0), 50)
    D = np.rint(X[:, :, 0] * 9).astype(int)
    assert all(len(set(row)) == 8 for row in D)  # distinct digits
    top = np.take_along_axis(D, T, axis=1)
    np.testing.assert_array_equal(top, -np.sort(-D, axis=1)[:, :3])


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(8, "smoke", seed=1), execute(8, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
