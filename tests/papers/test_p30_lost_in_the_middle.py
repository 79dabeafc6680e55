"""Paper 30 (lost in the middle): quick-preset claims on one seed; the position-sweep harness
moves only the gold item; the bag reader is permutation invariant and the GRU is not; the
learned position bias is the only position signal of the (B) reader; the ends-minus-middle
index on hand examples; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p30_lost_in_the_middle as p30

PAPER = 30  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick):
    r = quick[0]
    assert r.arrays["query_end_correct"].shape == (p30.Config.quick().n_eval, 10)
    assert {"kv_by_position", "docs_by_position", "more_documents"} <= set(p30.figures(r))
    assert len(p30.paper_vs_ours(r)) >= 4


def test_place_gold_moves_only_the_gold():
    items = np.arange(5)[None, :, None] * np.ones((2, 1, 3), dtype=int)  # (2, 5, 3), item j = j
    for p in range(5):
        out = p30.place_gold(items, p)[0, :, 0]
        assert out[p] == 0
        np.testing.assert_array_equal(np.delete(out, p), [1, 2, 3, 4])  # distractors keep their order
    per_row = p30.place_gold(items, np.array([4, 1]))[:, :, 0]
    np.testing.assert_array_equal(per_row, [[1, 2, 3, 4, 0], [1, 0, 2, 3, 4]])


def test_kv_items_and_tokens():
    pairs, q = p30.kv_items(50, 10, np.random.default_rng(0))
    assert all(len(set(row)) == 10 for row in pairs[:, :, 0])  # distinct keys
    assert np.all(q == pairs[:, 0, 0]) and np.all(pairs[:, :, 1] >= p30.VAL0)
    end = p30.kv_tokens(pairs, q, query_aware=False)
    aware = p30.kv_tokens(pairs, q, query_aware=True)
    assert end.shape == (50, 22) and aware.shape == (50, 24)
    np.testing.assert_array_equal(aware[:, 2:], end)  # the same context, the query also in front
    assert np.all(aware[:, 0] == q) and np.all(aware[:, 1] == p30.SEP) and np.all(end[:, -1] == q)


def test_bag_reader_is_permutation_invariant_and_gru_is_not():
    rng = np.random.default_rng(1)
    pairs, q = p30.kv_items(8, 10, rng)
    perm = rng.permutation(10)
    bag = p30.BagReader(np.random.default_rng(2)).double()
    gru = p30.GRUReader(np.random.default_rng(3)).double()
    with nn.no_grad():
        np.testing.assert_allclose(bag(pairs, q).data, bag(pairs[:, perm], q).data, atol=1e-12)
        a = gru(p30.kv_tokens(pairs, q, False)).data
        b = gru(p30.kv_tokens(pairs[:, perm], q, False)).data
    assert np.abs(a - b).max() > 1e-4


def test_position_reader_bias_is_the_only_position_signal():
    rng = np.random.default_rng(4)
    keys, q = (a.astype(np.float64) for a in p30.doc_items(6, 5, 8, 0.5, 1.0, rng))
    reader = p30.PositionReader(8, 5, np.random.default_rng(5)).double()
    perm = rng.permutation(5)
    with nn.no_grad():
        s = reader(keys, q).data
        np.testing.assert_allclose(reader(keys[:, perm], q).data, s[:, perm], atol=1e-12)  # equivariant, b = 0
        reader.b.data[...] = np.arange(5.0)
        np.testing.assert_allclose(reader(keys, q).data, s + np.arange(5.0), atol=1e-12)
    assert p30.PositionReader(8, 5, rng, position_bias=False).b is None


def test_position_sweep_of_an_order_blind_reader_is_flat():
    rng = np.random.default_rng(6)
    keys, q = p30.doc_items(400, 10, 8, 0.5, 1.0, rng)
    correct = p30.doc_sweep(lambda k: (k @ q[:, :, None])[:, :, 0], keys)
    acc = correct.mean(axis=0)
    assert np.all(acc == acc[0]) and 0.3 < acc[0] < 0.9
    # a reader that prefers the first slot is not flat (the harness can see position effects)
    first = p30.doc_sweep(lambda k: (k @ q[:, :, None])[:, :, 0] + 0.3 * (np.arange(10) == 0), keys).mean(axis=0)
    assert first[0] > first[5] + 0.05


def test_ends_minus_middle_and_bootstrap():
    correct = np.zeros((4, 9), dtype=bool)
    correct[:, [0, 8]] = True  # perfect at both ends, zero elsewhere
    assert p30.ends_minus_middle(correct) == 1.0
    assert p30.ends_minus_middle(np.ones((4, 9), dtype=bool)) == 0.0
    lo, hi = p30.bootstrap_ci(np.random.default_rng(0).random((200, 9)) < 0.5, np.random.default_rng(1), 200)
    assert lo < 0 < hi


def test_u_prior_sampler():
    pos = p30.sample_positions(20000, 10, "u", np.random.default_rng(0))
    share = np.bincount(pos, minlength=10) / len(pos)
    assert abs(share[0] - 0.4) < 0.02 and abs(share[9] - 0.4) < 0.02 and abs(share[1:9].sum() - 0.2) < 0.02


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(30, "smoke", seed=1), execute(30, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(30, "smoke", seed=2)
    assert c.histories["query_end_loss"] != a.histories["query_end_loss"]
