"""Paper 29 (RAG): quick-preset claims on one seed; RAG-Sequence and RAG-Token agree exactly at
answer length 1 and equal their formulas written out in NumPy; gradients reach the query tower
only through p(z|x) and never the frozen passage tower; hot-swapping rewrites the index rows;
matched parameter counts; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p29_rag as p29
from sutskever30.retrieval import Tower

PAPER = 29  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


def small_rag(answer_len: int, seed: int = 0):
    cfg = p29.Config.smoke().replace(answer_len=answer_len, dim=16, hidden=8)
    kb = p29.make_kb(cfg, np.random.default_rng(seed))
    doc = Tower(kb.vocab_size, cfg.dim, np.random.default_rng(seed + 1), bias=False).double()
    gen = p29.Generator(kb.vocab_size, 4 + answer_len, cfg.n_values, cfg.hidden, np.random.default_rng(seed + 2))
    model = p29.RAG(doc, gen.double(), cfg.k, scale=5.0)
    model.build_index(kb.passages())
    return cfg, kb, model


def batch(kb, n=6):
    f = np.arange(0, n * 7, 7)
    e, a = np.divmod(f, kb.n_attributes)
    return kb.questions(f), kb.values[e, a]


def test_sequence_and_token_agree_exactly_at_length_1():
    _, kb, model = small_rag(1)
    x, y = batch(kb)
    seq = model.log_marginal(x, y, "sequence").data
    tok = model.log_marginal(x, y, "token").data
    np.testing.assert_array_equal(seq, tok)
    _, kb2, model2 = small_rag(2)
    x2, y2 = batch(kb2)
    assert np.abs(model2.log_marginal(x2, y2, "sequence").data - model2.log_marginal(x2, y2, "token").data).max() > 1e-6


def test_marginals_equal_their_formulas():
    _, kb, model = small_rag(2)
    x, y = batch(kb)
    q = model.query_tower(x).data  # (B, d)
    ids = np.argsort(-(q @ model.index.vectors.T), axis=1, kind="stable")[:, : model.k]
    s = model.scale * np.einsum("bd,bkd->bk", q, model.index.vectors[ids])
    pz = np.exp(s - s.max(1, keepdims=True))
    pz /= pz.sum(1, keepdims=True)  # (B, k)
    py = np.exp(model.doc_log_probs(x, ids, y).data)  # (B, k, L) p(y_i | x, z, y_<i)
    seq = np.log((pz * py.prod(2)).sum(1))  # Eq. 1
    tok = np.log((pz[:, :, None] * py).sum(1)).sum(1)  # Eq. 2
    np.testing.assert_allclose(model.log_marginal(x, y, "sequence").data, seq, rtol=1e-10)
    np.testing.assert_allclose(model.log_marginal(x, y, "token").data, tok, rtol=1e-10)


def test_gradient_reaches_the_query_tower_through_p_z_only():
    _, kb, model = small_rag(2)
    x, y = batch(kb)
    doc_before = {k: v.copy() for k, v in model.doc_tower.state_dict().items()}
    assert all(p is not model.doc_tower.embed.weight for p in model.parameters())
    loss = -model.log_marginal(x, y, "sequence").mean()
    loss.backward()
    g = model.query_tower.embed.weight.grad
    assert np.abs(g[np.unique(x)]).max() > 0  # the question's tokens get a gradient
    # with the retrieval scores cut off (a uniform p(z|x)) no gradient reaches the query tower
    model.scale = 0.0
    model.query_tower.embed.weight.grad = None
    (-model.log_marginal(x, y, "token").mean()).backward()
    assert model.query_tower.embed.weight.grad is None or np.abs(model.query_tower.embed.weight.grad).max() == 0
    opt = nn.optim.Adam(model.parameters(), lr=0.1)
    opt.step()
    for k, v in model.doc_tower.state_dict().items():
        np.testing.assert_array_equal(v, doc_before[k])


def test_hot_swap_rewrites_only_the_changed_rows():
    _, kb, model = small_rag(2)
    before = model.index.vectors.copy()
    new = kb.values.copy()
    new[3] = (new[3] + 1) % 50  # entity 3's facts change
    model.build_index(kb.passages(new))
    changed = np.abs(model.index.vectors - before).max(1) > 0
    assert changed.tolist() == [i // kb.n_attributes == 3 for i in range(len(before))]


def test_decoding_agrees_with_the_marginal_at_length_1():
    _, kb, model = small_rag(1)
    x, _ = batch(kb)
    scores = np.stack([model.log_marginal(x, np.full((len(x), 1), v), "sequence").data for v in range(50)], 1)
    for kind in ("sequence", "token"):
        np.testing.assert_array_equal(model.decode(x, 1, kind)[:, 0], scores.argmax(1))


def test_closed_book_parameters_are_matched():
    cfg = p29.Config.smoke()
    kb = p29.make_kb(cfg, np.random.default_rng(0))
    closed = p29.matched_closed_book(kb, cfg, 50_000, np.random.default_rng(0))
    n = p29.n_params(closed)
    assert 0.95 * 50_000 <= n <= 50_000


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(29, "smoke", seed=1), execute(29, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(29, "smoke", seed=2)
    assert c.histories["rag_token_loss"] != a.histories["rag_token_loss"]
    assert set(p29.figures(a)) == {"exact_match", "train_loss", "retrieval"}
