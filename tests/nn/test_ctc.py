"""The CTC pair (``nn/ctc.py``): exact against a brute-force sum over alignments, float64
gradient checks with random upstream gradients, the tape wrapper, and bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import pairs as P
from sutskever30.nn.functional import ctc_loss
from sutskever30.nn.gradcheck import check_pair
from sutskever30.nn.pairs.ctc import ctc_extended_labels, ctc_loss_backward, ctc_loss_forward


def collapse(path, blank):
    out, prev = [], None
    for k in path:
        if k != prev and k != blank:
            out.append(k)
        prev = k
    return out


def brute_nll(lp: np.ndarray, y, blank: int) -> float:
    """−log Σ over every path of length T that collapses to y (lp (T, C), any real values)."""
    T, C = lp.shape
    terms = [sum(lp[t, k] for t, k in enumerate(p)) for p in itertools.product(range(C), repeat=T)]
    keep = [s for s, p in zip(terms, itertools.product(range(C), repeat=T)) if collapse(p, blank) == list(y)]
    return -float(np.logaddexp.reduce(keep)) if keep else np.inf


@pytest.mark.parametrize("blank", [0, 2])
@pytest.mark.parametrize("T", [1, 3, 5, 7])
def test_forward_equals_brute_force(T, blank):
    rng = np.random.default_rng(T + 10 * blank)
    C = 3
    labels = [c for c in range(C) if c != blank]
    a, b = labels
    ys = [[], [a], [a, a], [a, b], [b, a, b], [a, a, b]]  # includes doubled letters
    N = len(ys)
    lp = rng.standard_normal((T, N, C))  # unnormalised on purpose: the recursion is exact for any input
    targets = np.full((N, 3), a, np.int64)
    for n, y in enumerate(ys):
        targets[n, : len(y)] = y
    L = np.array([len(y) for y in ys])
    T_n = np.array([max(1, T - n % 3) for n in range(N)])  # variable input lengths
    loss, _ = ctc_loss_forward(lp, targets, T_n, L, blank=blank, reduction="none")
    for n in range(N):
        ref = brute_nll(lp[: T_n[n], n], ys[n], blank)
        if np.isinf(ref):
            assert np.isinf(loss[n]) and loss[n] > 0
        else:
            assert abs(loss[n] - ref) < 1e-10, (n, loss[n], ref)


def test_doubled_letter_needs_a_blank():
    lp = np.log(np.full((2, 2, 3), 1 / 3))  # (T=2, N=2, C=3)
    loss, _ = ctc_loss_forward(lp, np.array([[1, 1], [1, 2]]), np.array([2, 2]), np.array([2, 2]), reduction="none")
    assert np.isinf(loss[0])  # "aa" in 2 frames: impossible (a ∅ a needs 3)
    assert abs(loss[1] - (-np.log(1 / 9))) < 1e-12  # "ab" in 2 frames: exactly one path
    ext, can_skip, valid = ctc_extended_labels(np.array([[1, 1, 2]]), np.array([3]))
    np.testing.assert_array_equal(ext[0], [0, 1, 0, 1, 0, 2, 0])
    np.testing.assert_array_equal(can_skip[0], [0, 0, 0, 0, 0, 1, 0])  # only a→b may skip the blank
    assert valid.all()


def test_concatenated_targets_equal_padded():
    rng = np.random.default_rng(0)
    lp = P.log_softmax_forward(rng.standard_normal((8, 3, 5)), axis=2)[0]
    padded = np.array([[1, 2, 2], [3, 0, 0], [4, 4, 0]])
    L = np.array([3, 1, 2])
    flat = np.array([1, 2, 2, 3, 4, 4])
    a, _ = ctc_loss_forward(lp, padded, np.array([8, 6, 7]), L, reduction="none")
    b, _ = ctc_loss_forward(lp, flat, np.array([8, 6, 7]), L, reduction="none")
    np.testing.assert_array_equal(a, b)


def random_case(rng, T=6, N=4, C=4):
    lp = rng.standard_normal((T, N, C))  # (T, N, C)
    targets = np.array([[1, 1, 2], [3, 2, 0], [2, 0, 0], [1, 2, 3]])  # (N, 3)
    return lp, targets, np.array([6, 5, 4, 6]), np.array([3, 2, 1, 3])


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_gradcheck(reduction):
    rng = np.random.default_rng(1)
    lp, tg, il, tl = random_case(rng)
    err = check_pair(ctc_loss_forward, ctc_loss_backward, [lp, tg, il, tl], {"reduction": reduction}, wrt=[0], rng=rng)
    assert err < 1e-6


def test_gradcheck_through_log_softmax_and_nonzero_blank():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((7, 3, 4))
    tg, il, tl = np.array([[0, 0], [1, 0], [0, 1]]), np.array([7, 6, 7]), np.array([2, 1, 2])

    def fwd(z):
        lp, c1 = P.log_softmax_forward(z, axis=2)
        loss, c2 = ctc_loss_forward(lp, tg, il, tl, blank=3, reduction="mean")
        return loss, (c1, c2)

    def bwd(d, cache):
        return P.log_softmax_backward(ctc_loss_backward(d, cache[1])[0], cache[0])

    assert check_pair(fwd, bwd, [z], rng=rng) < 1e-6


def test_frames_after_input_length_get_no_gradient():
    rng = np.random.default_rng(3)
    lp, tg, il, tl = random_case(rng)
    _, cache = ctc_loss_forward(lp, tg, il, tl, reduction="sum")
    d, *_ = ctc_loss_backward(1.0, cache)
    assert np.all(d[5:, 1] == 0) and np.all(d[4:, 2] == 0)
    # for log-softmax inputs the occupancies −∂L/∂log p sum to 1 over classes in every live frame
    lp = P.log_softmax_forward(lp, axis=2)[0]
    _, cache = ctc_loss_forward(lp, tg, il, tl, reduction="sum")
    d, *_ = ctc_loss_backward(1.0, cache)
    live = np.arange(6)[:, None] < il[None, :]  # (T, N)
    np.testing.assert_allclose(-d.sum(axis=2)[live], 1.0, atol=1e-12)


def test_zero_infinity():
    rng = np.random.default_rng(4)
    lp = rng.standard_normal((3, 2, 3))
    tg, il, tl = np.array([[1, 1, 1], [1, 2, 0]]), np.array([3, 3]), np.array([3, 2])  # "aaa" in 3 frames: impossible
    inf_loss, _ = ctc_loss_forward(lp, tg, il, tl, reduction="none")
    assert np.isinf(inf_loss[0]) and np.isfinite(inf_loss[1])
    loss, cache = ctc_loss_forward(lp, tg, il, tl, reduction="none", zero_infinity=True)
    assert loss[0] == 0 and loss[1] == inf_loss[1]
    d, *_ = ctc_loss_backward(np.array([0.7, -1.3]), cache)
    assert np.all(d[:, 0] == 0) and np.all(np.isfinite(d))
    err = check_pair(
        ctc_loss_forward, ctc_loss_backward, [lp, tg, il, tl], {"reduction": "mean", "zero_infinity": True}, wrt=[0]
    )
    assert err < 1e-6


def test_tape_wrapper_equals_pair():
    rng = np.random.default_rng(5)
    lp, tg, il, tl = random_case(rng)
    x = nn.Tensor(lp, requires_grad=True)
    loss = ctc_loss(nn.log_softmax(x, dim=2), tg, il, tl, reduction="mean")
    loss.backward()
    ls, c1 = P.log_softmax_forward(lp, axis=2)
    ref, c2 = ctc_loss_forward(ls, tg, il, tl, reduction="mean")
    assert loss.item() == pytest.approx(float(ref), abs=1e-12)
    np.testing.assert_allclose(x.grad, P.log_softmax_backward(ctc_loss_backward(1.0, c2)[0], c1), atol=1e-12)
    assert loss.dtype == np.float64


def test_float32_runs_in_float32():
    rng = np.random.default_rng(6)
    lp, tg, il, tl = random_case(rng)
    lp32 = P.log_softmax_forward(lp.astype(np.float32), axis=2)[0]
    loss, cache = ctc_loss_forward(lp32, tg, il, tl)
    d, *_ = ctc_loss_backward(np.float32(1.0), cache)
    assert loss.dtype == np.float32 and d.dtype == np.float32
    ref, _ = ctc_loss_forward(lp32.astype(np.float64), tg, il, tl)
    assert abs(float(loss) - float(ref)) < 1e-4


def test_bad_input():
    lp = np.zeros((4, 2, 3))
    tg, il, tl = np.array([[1, 2], [2, 1]]), np.array([4, 4]), np.array([2, 2])
    with pytest.raises(ValueError, match="log_probs"):
        ctc_loss_forward(np.zeros((4, 3)), tg, il, tl)
    with pytest.raises(ValueError, match="blank"):
        ctc_loss_forward(lp, np.array([[1, 0], [2, 1]]), il, tl)
    with pytest.raises(ValueError, match=r"targets must be label ids in \[0, 3\)"):
        ctc_loss_forward(lp, np.array([[1, 3], [2, 1]]), il, tl)
    with pytest.raises(TypeError, match="targets"):
        ctc_loss_forward(lp, tg.astype(float), il, tl)
    with pytest.raises(ValueError, match="input_lengths"):
        ctc_loss_forward(lp, tg, np.array([5, 4]), tl)
    with pytest.raises(ValueError, match="target_lengths"):
        ctc_loss_forward(lp, tg, il, np.array([3, 2]))
    with pytest.raises(ValueError, match="reduction"):
        ctc_loss_forward(lp, tg, il, tl, reduction="avg")
    with pytest.raises(ValueError, match="NaN"):
        ctc_loss_forward(np.full((4, 2, 3), np.nan), tg, il, tl)
