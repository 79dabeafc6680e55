"""Paper 20 (Neural Turing Machines): the memory pairs against central differences, one
whole head step checked in float64, invariants of the addressing, the copy-task data,
same seed same numbers, and the quick preset's claims."""

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import check_pair, numerical_grad, rel_error
from sutskever30.nn.pairs import memory as MP
from sutskever30.papers import p20_ntm as p20

PAPER = 20  # the quick fixture (tests/papers/conftest.py) runs this paper

TOL = 1e-6
B, N, W = 3, 7, 4


def r(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def simplex(*shape, seed=0):
    return np.random.default_rng(seed).dirichlet(np.ones(shape[-1]), shape[:-1])


PAIRS = {
    "read": (MP.memory_read_forward, MP.memory_read_backward, [r(B, N, W), simplex(B, N)]),
    "write": (
        MP.memory_write_forward,
        MP.memory_write_backward,
        [r(B, N, W), simplex(B, N), np.random.default_rng(1).random((B, W)), r(B, W, seed=2)],
    ),
    "content": (MP.content_focus_forward, MP.content_focus_backward, [r(B, W), 0.5 + np.arange(B), r(B, N, W, seed=3)]),
    "interpolate": (
        MP.interpolate_forward,
        MP.interpolate_backward,
        [simplex(B, N), np.array([0.2, 0.5, 0.9]), simplex(B, N, seed=4)],
    ),
    "shift3": (MP.circular_shift_forward, MP.circular_shift_backward, [simplex(B, N), simplex(B, 3, seed=5)]),
    "shift5": (MP.circular_shift_forward, MP.circular_shift_backward, [simplex(B, N), simplex(B, 5, seed=5)]),
    "sharpen": (MP.sharpen_forward, MP.sharpen_backward, [simplex(B, N) + 0.05, np.array([1.0, 1.7, 2.5])]),
    "address": (MP.address_forward, MP.address_backward, [r(B, W + 6, seed=6), simplex(B, N), r(B, N, W, seed=7)]),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pair_gradients(name):
    fwd, bwd, inputs = PAIRS[name]
    assert check_pair(fwd, bwd, [x.copy() for x in inputs]) < TOL


def test_one_whole_head_step_float64():
    """Address (content, gate, shift, sharpen) → erase/add write → address → read, on the tape,
    every input against central differences under a random upstream gradient."""
    rng = np.random.default_rng(0)
    arrays = {
        "raw_w": r(B, W + 6, seed=10),
        "raw_r": r(B, W + 6, seed=11),
        "e_hat": r(B, W, seed=12),
        "a_hat": r(B, W, seed=13),
        "w_prev": simplex(B, N, seed=14),
        "M": r(B, N, W, seed=15),
    }
    dout = rng.standard_normal((B, W))

    def step(t):
        w_w = p20.address(t["raw_w"], t["w_prev"], t["M"])
        M = p20.memory_write(t["M"], w_w, nn.sigmoid(t["e_hat"]), nn.tanh(t["a_hat"]))
        return p20.memory_read(M, p20.address(t["raw_r"], t["w_prev"], M))  # (B, W)

    ts = {k: nn.Tensor(v, requires_grad=True) for k, v in arrays.items()}
    out = step(ts)
    out.backward(dout)
    for k, x in arrays.items():
        L = lambda: float(np.sum(step({j: nn.Tensor(v) for j, v in arrays.items()}).data * dout))  # noqa: E731
        assert rel_error(ts[k].grad, numerical_grad(L, x)) < TOL, k


def test_addressing_is_a_distribution_and_shift_moves_focus():
    M, w_prev = r(B, N, W), simplex(B, N)
    w, cache = MP.address_forward(r(B, W + 6), w_prev, M)
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    assert (w >= 0).all()
    parts = cache[-1]
    assert (parts["gamma"] >= 1).all() and (parts["beta"] >= 0).all()
    one_hot = np.eye(N)[[0, 3, 6]]
    for o, s in ((1, [0, 0, 1.0]), (-1, [1.0, 0, 0]), (0, [0, 1.0, 0])):
        shifted, _ = MP.circular_shift_forward(one_hot, np.tile(s, (B, 1)))
        np.testing.assert_array_equal(shifted, np.roll(one_hot, o, axis=1))  # slot 6 + 1 wraps to 0


def test_content_focus_finds_the_matching_slot_and_sharpen_sharpens():
    M = r(1, N, W)
    wc, _ = MP.content_focus_forward(M[:, 4].copy(), np.array([50.0]), M)
    assert wc.argmax() == 4 and wc[0, 4] > 0.9
    w = simplex(1, N)
    sharp, _ = MP.sharpen_forward(w, np.array([3.0]))
    assert sharp.argmax() == w.argmax() and sharp.max() > w.max()
    same, _ = MP.sharpen_forward(w, np.array([1.0]))
    np.testing.assert_allclose(same, w, atol=1e-10)


def test_write_then_read_returns_the_added_vector():
    """A one-hot write with e = 1 replaces the slot by a; reading it back returns a exactly."""
    M, a = r(B, N, W), r(B, W, seed=1)
    w = np.eye(N)[[2, 5, 0]]
    M2, _ = MP.memory_write_forward(M, w, np.ones((B, W)), a)
    got, _ = MP.memory_read_forward(M2, w)
    np.testing.assert_allclose(got, a, atol=1e-12)
    untouched = np.ones((B, N), bool)
    untouched[np.arange(B), [2, 5, 0]] = False
    np.testing.assert_array_equal(M2[untouched], M[untouched])


def test_copy_batch_layout():
    x, y = p20.copy_batch(np.random.default_rng(0), 5, 4, 6)
    assert x.shape == (9, 5, 7) and y.shape == (4, 5, 6)
    np.testing.assert_array_equal(x[:4, :, :6], y)
    assert (x[4, :, 6] == 1).all() and x[4, :, :6].sum() == 0 and x[5:].sum() == 0 and x[:4, :, 6].sum() == 0


def test_baseline_is_parameter_matched():
    cfg = p20.Config.quick()
    ntm = p20.NTM(cfg.bits + 1, cfg.bits, np.random.default_rng(0), N=cfg.N, W=cfg.W, H=cfg.H)
    H = p20.matched_lstm_size(cfg.bits + 1, cfg.bits, ntm.num_parameters())
    lstm = p20.LSTMBaseline(cfg.bits + 1, cfg.bits, np.random.default_rng(0), H=H)
    assert abs(lstm.num_parameters() / ntm.num_parameters() - 1) < 0.05


def test_zeroed_memory_reads_nothing():
    """With the memory zeroed at read time the output phase depends on the controller only."""
    cfg = p20.Config.smoke()
    ntm = p20.NTM(cfg.bits + 1, cfg.bits, np.random.default_rng(0), N=cfg.N, W=cfg.W, H=cfg.H, controller="mlp")
    x, y = p20.copy_batch(np.random.default_rng(1), 4, 3, cfg.bits)
    with nn.no_grad():
        z, _ = ntm(nn.Tensor(x), 3, zero_memory=True)
        full, _ = ntm(nn.Tensor(x), 3)
    # a feedforward controller sees blank inputs and r = 0: every sequence gives the same outputs
    np.testing.assert_array_equal(z.data, np.broadcast_to(z.data[:, :1], z.data.shape))
    assert not np.allclose(full.data, np.broadcast_to(full.data[:, :1], full.data.shape))


def test_same_seed_same_numbers():
    a, _ = execute(20, "smoke", seed=3)
    b, _ = execute(20, "smoke", seed=3)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(20, "smoke", seed=4)
    assert c.histories != a.histories


@pytest.mark.slow
def test_quick_claims_pass(quick):
    result, found = quick
    failed = [c.statement for c in found if not c.passed]
    assert not failed, failed
