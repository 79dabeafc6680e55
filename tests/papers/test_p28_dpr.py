"""Paper 28 (DPR): quick-preset claims on one seed; BM25 equals its formula written out term
by term on hand examples; the exact index equals a brute-force sort; the in-batch loss equals
its definition (value and gradient); the data keeps test passages out of training; determinism."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import numerical_grad, rel_error
from sutskever30.papers import p28_dpr as p28
from sutskever30.retrieval import BM25, MIPSIndex, Tower, hits_at_k, in_batch_nll, negatives_mask, top_k

PAPER = 28  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


def bm25_brute_force(query: list[int], docs: list[list[int]], k1: float = 0.9, b: float = 0.4) -> list[float]:
    """Okapi BM25 (Lucene IDF) written out term by term, in plain Python."""
    N = len(docs)
    avgdl = sum(len(d) for d in docs) / N
    out = []
    for d in docs:
        s = 0.0
        for t in query:
            n_t = sum(1 for dd in docs if t in dd)
            idf = math.log(1 + (N - n_t + 0.5) / (n_t + 0.5))
            tf = d.count(t)
            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


HAND_DOCS = [[1, 2, 3], [2, 2, 4, 5, 6], [7], [1, 1, 1, 8, 9, 2], [3, 4, 5, 6, 7, 8, 9, 10]]
HAND_QUERIES = [[1], [2], [2, 2], [1, 2], [7, 3], [10], [11], [4, 5, 6], [9, 1, 3], [8, 8, 2, 6]]


@pytest.mark.parametrize("query", HAND_QUERIES)
def test_bm25_equals_the_formula_on_hand_examples(query):
    L = max(len(d) for d in HAND_DOCS)
    padded = np.array([d + [0] * (L - len(d)) for d in HAND_DOCS])  # 0 is padding
    got = BM25(padded, vocab_size=12).scores(np.array([query + [0, 0]]))[0]
    np.testing.assert_allclose(got, bm25_brute_force(query, HAND_DOCS), rtol=1e-12, atol=1e-12)


def test_bm25_ranks_overlap_and_ignores_padding():
    docs = np.array([[1, 2, 0, 0], [3, 4, 0, 0], [1, 1, 2, 5]])
    bm = BM25(docs, 6)
    s = bm.scores(np.array([[3, 0], [0, 0]]))
    assert s[0].argmax() == 1 and s[0, 0] == s[0, 2] == 0
    assert np.all(s[1] == 0)  # an all-padding query scores nothing


def test_index_is_exact_top_k():
    rng = np.random.default_rng(0)
    P, Q = rng.standard_normal((200, 8)), rng.standard_normal((7, 8))
    scores, ids = MIPSIndex(P).search(Q, 10)
    brute = np.argsort(-(Q @ P.T), axis=1)[:, :10]
    np.testing.assert_array_equal(ids, brute)
    np.testing.assert_allclose(scores, np.take_along_axis(Q @ P.T, brute, 1))
    # ties go to the lower id; hits@k reads the ranking
    assert top_k(np.array([[1.0, 2.0, 2.0, 0.0]]), 2).tolist() == [[1, 2]]
    assert hits_at_k(np.array([[4, 2, 9]]), np.array([9]), 2).tolist() == [False]


def test_negatives_mask():
    m = negatives_mask(6, 2, n_extra=3)
    assert m.shape == (6, 9) and np.all(m.sum(1) == 3 + 3) and np.all(np.diag(m[:, :6]))
    assert negatives_mask(6, 5).all()
    with pytest.raises(ValueError, match="n_neg"):
        negatives_mask(4, 4)


def test_in_batch_loss_equals_its_definition_and_gradient():
    rng = np.random.default_rng(1)
    B, H, d, n_neg = 5, 2, 4, 3
    q0, p0 = rng.standard_normal((B, d)), rng.standard_normal((B + H, d))
    keep = negatives_mask(B, n_neg, H)

    def reference(q, p):
        S = q @ p.T
        return float(np.mean([-(S[i, i] - np.log(np.exp(S[i][keep[i]]).sum())) for i in range(B)]))

    q = nn.Tensor(q0.copy(), requires_grad=True)
    loss = in_batch_nll(q, nn.Tensor(p0), n_neg)
    assert abs(loss.item() - reference(q0, p0)) < 1e-12
    loss.backward()
    qn = q0.copy()
    num = numerical_grad(lambda: reference(qn, p0), qn)
    assert rel_error(q.grad, num) < 1e-6


def test_tower_mean_pools_real_tokens_only():
    t = Tower(10, 4, np.random.default_rng(0)).double()
    a = t(np.array([[3, 5, 0, 0]])).data
    b = t(np.array([[5, 3]])).data
    np.testing.assert_allclose(a, b, atol=1e-12)  # padding does not count, order does not matter


def test_test_passages_are_held_out():
    cfg = p28.Config.smoke()
    data = p28.make_corpus(cfg, np.random.default_rng(0))
    Mtr = len(data.train_q)
    test_passages = data.index_ids[data.test_gold]
    assert np.all(test_passages >= Mtr)  # never a training question's passage
    # a synonym question shares no concept word with its passage; a lexical one does
    for split, shares in (("synonym", False), ("lexical", True)):
        q = data.test_q[split]
        p = data.passages[test_passages]
        overlap = np.array(
            [len(set(q[i]) & set(p[i]) - {0} & set(range(1, cfg.n_concepts + 1))) for i in range(len(q))]
        )
        assert np.all((overlap == 2) if shares else (overlap == 0))


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(28, "smoke", seed=1), execute(28, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(28, "smoke", seed=2)
    assert c.histories["dpr_loss"] != a.histories["dpr_loss"]
    assert set(p28.figures(a)) >= {"top5_synonym", "train_loss"}
