"""Paper 6 (Pointer Networks): quick-preset claims on one seed; the whole model's gradients
against central differences (both output heads); targets against brute force and qhull; the
output size follows n; the fixed vocabulary cannot point above V; the zero-input ablation
really ignores the chosen points; polygon metrics; determinism."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import ConvexHull

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import numerical_grad
from sutskever30.papers import p06_pointer_networks as p06

PAPER = 6  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_figures(quick):
    assert {"train_loss", "accuracy_vs_n", "pointer"} <= set(p06.figures(quick[0]))


@pytest.mark.parametrize("pointer", [True, False])
@pytest.mark.parametrize("eos", [True, False])
def test_model_gradients_match_central_differences(pointer, eos):
    rng = np.random.default_rng(1)
    model = p06.PointerNet(3, np.random.default_rng(2), pointer=pointer, vocab=5, eos=eos).double()
    P = rng.uniform(0, 1, (2, 4, 2))
    T = np.array([[2, 4, 1, 0], [3, 1, 2, 0]]) if eos else np.array([[2, 4, 1, 3], [3, 1, 2, 4]])
    scores = model(nn.Tensor(P), T)
    dout = rng.standard_normal(scores.shape) * (scores.data > p06.NEG / 2)  # masked logits are constants

    def L() -> float:
        return float(np.sum(model(nn.Tensor(P), T).data * dout))

    model.zero_grad()
    scores.backward(dout)
    for name, p in model.named_parameters():
        assert normwise_error(p.grad, numerical_grad(L, p.data)) < 1e-6, name


def normwise_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖): a few entries of the seq2seq's gradients are ~1e-7, where central
    differences (h = 1e-5) carry ~1e-11 absolute noise, so elementwise relative error is noise there."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def test_chain_targets_brute_force():
    rng = np.random.default_rng(0)
    P = rng.uniform(0, 1, (50, 7, 2))
    T = p06.chain_targets(P)
    for b in range(50):
        cur, left, ref = int(np.argmin(P[b, :, 0])), set(range(7)), []
        while left:
            left.discard(cur)
            ref.append(cur + 1)
            if left:
                cur = min(left, key=lambda j: np.linalg.norm(P[b, j] - P[b, cur]))
        assert ref == list(T[b])


@pytest.mark.parametrize("n", [3, 5, 12])
def test_hull_targets_match_qhull(n):
    rng = np.random.default_rng(n)
    P = rng.uniform(0, 1, (100, n, 2))
    T = p06.hull_targets(P)
    for b in range(100):
        h = list(ConvexHull(P[b]).vertices)
        k = h.index(min(h))
        ref = [v + 1 for v in h[k:] + h[:k]] + [p06.EOS]
        assert list(T[b][: len(ref)]) == ref and np.all(T[b][len(ref) :] == -1)


@pytest.mark.parametrize("n", [3, 7, 17])
def test_output_size_follows_n(n):
    model = p06.PointerNet(8, np.random.default_rng(0))
    P = np.random.default_rng(n).uniform(0, 1, (4, n, 2)).astype(np.float32)
    C, probs = model.greedy(P)
    assert all(p.shape == (4, n + 1) for p in probs)
    np.testing.assert_allclose(probs[0].sum(axis=1), 1, atol=1e-5)
    assert probs[0][:, p06.EOS].max() < 1e-6  # EOS masked before 3 points
    taken = C[:, 0]
    assert np.all(probs[1][np.arange(4), taken] < 1e-6)  # a chosen point is masked


def test_fixed_vocabulary_cannot_point_above_V():
    model = p06.PointerNet(8, np.random.default_rng(0), pointer=False, vocab=10, eos=False)
    P = np.random.default_rng(1).uniform(0, 1, (16, 20, 2)).astype(np.float32)
    C, probs = model.greedy(P)
    assert all(p.shape == (16, 11) for p in probs)
    assert C.max() <= 10


def test_zero_input_ablation_ignores_the_chosen_points():
    P = np.random.default_rng(0).uniform(0, 1, (1, 6, 2)).astype(np.float32)
    T1, T2 = np.array([[1, 2, 3]]), np.array([[4, 5, 6]])
    for zero, same in ((True, True), (False, False)):
        model = p06.PointerNet(8, np.random.default_rng(0), zero_input=zero, eos=False)
        s1, s2 = model(nn.Tensor(P), T1).data, model(nn.Tensor(P), T2).data
        free = (s1 > p06.NEG / 2) & (s2 > p06.NEG / 2)  # positions unmasked in both
        assert np.allclose(s1[free], s2[free]) == same


def test_polygon_metrics():
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)
    assert p06.polygon_area(square) == 1.0 and p06.is_simple_polygon(square)
    assert not p06.is_simple_polygon(square[[0, 2, 1, 3]])  # a bow-tie
    P = np.random.default_rng(0).uniform(0, 1, (20, 8, 2))
    T = p06.hull_targets(P)
    r = p06.hull_metrics(P, T, T)
    assert r == {"exact": 1.0, "valid": 1.0, "coverage": 1.0}
    C = T.copy()
    C[:, 1], C[:, 2] = T[:, 2], T[:, 1]  # swapping two hull vertices breaks exactness
    assert p06.hull_metrics(P, T, C)["exact"] == 0.0


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(6, "smoke", seed=1), execute(6, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
