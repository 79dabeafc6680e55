"""Paper 16 (Relation Networks): quick-preset claims on one seed; g over every ordered pair
equals the explicit concatenation [o_i, o_j, q]; exact permutation invariance of the RN (and
not of the MLP); the singles ablation never sees two objects; the Sort-of-CLEVR answers
against a brute-force loop; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p16_relation_networks as p16

PAPER = 16  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


def _scenes(B=5, seed=0):
    O, q, answer, t = p16.make_scenes(B, np.random.default_rng(seed))
    return O.astype(np.float64), q.astype(np.float64), answer, t


def _relu(x):
    return np.maximum(x, 0)


def test_g_runs_on_every_ordered_pair_with_the_question():
    model = p16.RelationNetwork(np.random.default_rng(0), hidden=8).double()
    O, q, _, _ = _scenes()
    W1, b1 = model.g1.weight.data, model.g1.bias.data
    W2, b2 = model.g2.weight.data, model.g2.bias.data
    n = O.shape[1]
    brute = np.zeros((O.shape[0], 8))
    for i in range(n):
        for j in range(n):  # i = j included, as in Σ_{i,j}
            x = np.concatenate([O[:, i], O[:, j], q], axis=1)  # [o_i, o_j, q]
            brute += _relu(_relu(x @ W1.T + b1) @ W2.T + b2)
    ours = model.pair_features(nn.Tensor(O), nn.Tensor(q)).data
    assert ours.shape == (O.shape[0], n * n, 8)
    np.testing.assert_allclose(ours.sum(1), brute, rtol=1e-12, atol=1e-12)


def test_singles_sees_one_object_at_a_time():
    model = p16.RelationNetwork(np.random.default_rng(1), hidden=8, singles=True).double()
    O, q, _, _ = _scenes()
    W1, b1 = model.g1.weight.data, model.g1.bias.data
    brute = sum(
        _relu(_relu(np.concatenate([O[:, i], q], 1) @ W1.T + b1) @ model.g2.weight.data.T + model.g2.bias.data)
        for i in range(O.shape[1])
    )
    np.testing.assert_allclose(model.pair_features(nn.Tensor(O), nn.Tensor(q)).data.sum(1), brute, atol=1e-12)


def test_rn_is_permutation_invariant_and_the_mlp_is_not():
    O, q, _, _ = _scenes(16)
    rng = np.random.default_rng(2)
    perm = np.array([3, 0, 5, 1, 4, 2])
    for model, invariant in ((p16.RelationNetwork(rng).double(), True), (p16.ConcatMLP(rng).double(), False)):
        a = model(nn.Tensor(O), nn.Tensor(q)).data
        b = model(nn.Tensor(O[:, perm]), nn.Tensor(q)).data
        gap = np.abs(a - b).max()
        assert (gap <= 1e-12) if invariant else (gap > 1e-3), (type(model).__name__, gap)


def test_answers_match_a_brute_force_reading_of_the_scene():
    O, q, answer, t = p16.make_scenes(200, np.random.default_rng(3))
    for b in range(200):
        colour, shape, xy = O[b, :, :6].argmax(1), O[b, :, 6:8].argmax(1), (O[b, :, 8:] + 1) / 2
        c = q[b, :6].argmax()
        k = int(np.where(colour == c)[0][0])
        d = [np.linalg.norm(xy[j] - xy[k]) if j != k else np.nan for j in range(6)]
        expected = {
            "shape": 2 + shape[k],
            "left": int(xy[k, 0] < 0.5),
            "count": 3 + int(np.sum(shape == shape[k])),
            "closest": 2 + shape[int(np.nanargmin(d))],
            "farthest": 2 + shape[int(np.nanargmax(d))],
        }[p16.TYPES[t[b]]]
        assert answer[b] == expected, (b, p16.TYPES[t[b]])
    assert sorted(set(O[:, :, :6].argmax(2)[0])) == list(range(6))  # one object per colour


def test_parameter_counts_are_matched():
    rng = np.random.default_rng(0)
    rn, mlp = p16.RelationNetwork(rng).num_parameters(), p16.ConcatMLP(rng).num_parameters()
    assert abs(rn - mlp) / rn < 0.05, (rn, mlp)


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(16, "smoke", seed=1), execute(16, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(16, "smoke", seed=2)
    assert c.histories["rn_loss"] != a.histories["rn_loss"]
