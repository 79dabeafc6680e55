"""Retrieval pieces shared by papers 28 (Dense Passage Retrieval) and 29 (RAG).

One place for what both papers build on:

* :class:`BM25` — Okapi BM25 with Lucene's IDF, written from scratch and vectorised as one
  sparse product (``tests/papers/test_p28_dpr.py`` checks it exactly against the formula
  written out term by term).
* :class:`Tower` — a DPR-style encoder on token ids only: embedding → mean over the
  non-padding tokens → linear. Two of them make a dual encoder (paper 28); paper 29 trains a
  query tower over a frozen passage tower.
* :func:`in_batch_nll` — DPR's loss (Karpukhin et al. 2020, §3.2, Eq. 2): the negative
  log-likelihood of the positive passage under a softmax over the in-batch passages,
  positives on the diagonal, optionally with extra (hard-negative) columns.
* :class:`MIPSIndex` — an exact maximum-inner-product index: every passage vector is scored,
  then sorted (FAISS ``IndexFlatIP`` in the paper).

Token ids are non-negative ints; id 0 is padding everywhere (it never counts as a term).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from . import nn

PAD = 0


# ======================================================================================
# BM25
# ======================================================================================


def term_counts(docs: np.ndarray, vocab_size: int) -> sp.csr_matrix:
    """(N, L) padded token ids -> (N, V) sparse counts; padding (id 0) is dropped."""
    docs = np.asarray(docs)
    if docs.ndim != 2:
        raise ValueError(f"term_counts: docs must be (N, L) token ids, got shape {docs.shape}")
    rows = np.repeat(np.arange(docs.shape[0]), docs.shape[1])  # (N·L,)
    cols = docs.ravel()  # (N·L,)
    keep = cols != PAD
    if keep.any() and (cols[keep].min() < 0 or cols[keep].max() >= vocab_size):
        raise ValueError(f"term_counts: token ids must be in [0, {vocab_size}), got {cols.min()}..{cols.max()}")
    data = np.ones(int(keep.sum()), dtype=np.float64)
    return sp.csr_matrix((data, (rows[keep], cols[keep])), shape=(docs.shape[0], vocab_size))


class BM25:
    """Okapi BM25 over a fixed collection (Robertson & Zaragoza 2009; Lucene's variant)::

        score(q, d) = Σ_{t ∈ q} IDF(t) · tf(t, d)·(k1 + 1) / (tf(t, d) + k1·(1 − b + b·|d| / avgdl))
        IDF(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))

    A query term repeated in the query counts once per occurrence. The per-(term, document)
    weights are precomputed as a sparse (V, N) matrix, so scoring a batch of queries is one
    sparse product: (Q, V) query counts @ (V, N) weights.
    """

    def __init__(self, docs: np.ndarray, vocab_size: int, k1: float = 0.9, b: float = 0.4):
        tf = term_counts(docs, vocab_size)  # (N, V) term frequencies
        self.N, self.V, self.k1, self.b = tf.shape[0], vocab_size, float(k1), float(b)
        dl = np.asarray(tf.sum(axis=1)).ravel()  # (N,) document lengths |d|
        self.avgdl = float(dl.mean())
        n_t = np.asarray((tf > 0).sum(axis=0)).ravel()  # (V,) document frequencies n(t)
        self.idf = np.log1p((self.N - n_t + 0.5) / (n_t + 0.5))  # (V,)
        tf = tf.tocoo()
        norm = k1 * (1.0 - b + b * dl[tf.row] / self.avgdl)  # (nnz,)
        w = self.idf[tf.col] * tf.data * (k1 + 1.0) / (tf.data + norm)  # (nnz,)
        self.weights = sp.csr_matrix((w, (tf.col, tf.row)), shape=(self.V, self.N))  # (V, N)

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """(Q, Lq) padded query ids -> (Q, N) BM25 scores (float64)."""
        return np.asarray((term_counts(queries, self.V) @ self.weights).todense())


# ======================================================================================
# The exact inner-product index and retrieval metrics
# ======================================================================================


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """(Q, N) scores -> (Q, k) ids, best first; ties go to the lower id (a stable sort)."""
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(f"top_k: k must be in [1, {scores.shape[1]}], got {k}")
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


class MIPSIndex:
    """Exact maximum inner-product search: every stored vector is scored (no approximation).

    The passages are encoded once and frozen (DPR §3.1); ``replace`` swaps rows in place,
    which is all a hot-swapped index needs (paper 29).
    """

    def __init__(self, vectors: np.ndarray):
        vectors = np.asarray(vectors)
        if vectors.ndim != 2:
            raise ValueError(f"MIPSIndex: vectors must be (N, d), got shape {vectors.shape}")
        self.vectors = vectors.copy()  # (N, d), a copy: the index owns its rows

    def __len__(self) -> int:
        return self.vectors.shape[0]

    def scores(self, q: np.ndarray) -> np.ndarray:
        """(Q, d) query vectors -> (Q, N) inner products."""
        return np.asarray(q) @ self.vectors.T  # (Q, N)

    def search(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(Q, d) -> (scores (Q, k), ids (Q, k)), best first."""
        s = self.scores(q)  # (Q, N)
        ids = top_k(s, k)  # (Q, k)
        return np.take_along_axis(s, ids, axis=1), ids

    def replace(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.vectors[np.asarray(ids)] = vectors


def hits_at_k(ranked: np.ndarray, gold: np.ndarray, k: int) -> np.ndarray:
    """(Q, K) ranked ids, (Q,) gold ids -> (Q,) bool: is the gold passage in the top k?"""
    return (np.asarray(ranked)[:, :k] == np.asarray(gold)[:, None]).any(axis=1)


# ======================================================================================
# The encoder tower and DPR's in-batch loss
# ======================================================================================


class Tower(nn.Module):
    """E_Q or E_P of DPR on token ids: Embedding (V, d) → mean over non-padding tokens → Linear(d, d).

    (DPR uses BERT's [CLS] vector; a bag of embeddings keeps the toy seconds-long.)
    """

    def __init__(self, vocab_size: int, dim: int, rng: np.random.Generator, bias: bool = True):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=PAD, rng=rng)
        self.embed.weight.data *= 1.0 / np.sqrt(dim)  # unit-norm rows on average
        # without a bias, q·p has no per-passage offset b_qᵀ W_p e(p) ("popularity") at init
        self.proj = nn.Linear(dim, dim, bias=bias, rng=rng)

    def forward(self, ids: np.ndarray) -> nn.Tensor:
        ids = np.asarray(ids)
        n_tok = np.maximum((ids != PAD).sum(axis=1, keepdims=True), 1).astype(np.float32)  # (B, 1)
        e = self.embed(ids)  # (B, L, d); the padding row is 0 and gets no gradient
        pooled = e.sum(dim=1) / n_tok  # (B, d) mean over real tokens
        return self.proj(pooled)  # (B, d)

    def encode(self, ids: np.ndarray, batch: int = 1024) -> np.ndarray:
        """Vectors for many sequences without a tape: (N, L) -> (N, d)."""
        with nn.no_grad():
            return np.concatenate([self(ids[i : i + batch]).data for i in range(0, len(ids), batch)])


def negatives_mask(B: int, n_neg: int, n_extra: int = 0) -> np.ndarray:
    """(B, B + n_extra) bool: which passages enter question i's softmax.

    Its positive (column i), the ``n_neg`` in-batch passages i+1 … i+n_neg (cyclically), and
    every extra column (hard negatives). ``n_neg = B − 1`` is DPR's full in-batch softmax.
    """
    if not 0 <= n_neg <= B - 1:
        raise ValueError(f"negatives_mask: n_neg must be in [0, {B - 1}], got {n_neg}")
    offset = (np.arange(B)[None, :] - np.arange(B)[:, None]) % B  # (B, B) column − row, mod B
    keep = offset <= n_neg  # (B, B) the diagonal and the next n_neg
    return np.concatenate([keep, np.ones((B, n_extra), dtype=bool)], axis=1)


def in_batch_nll(q: nn.Tensor, p: nn.Tensor, n_neg: int | None = None) -> nn.Tensor:
    """DPR's loss (Eq. 2): −log e^{sim(q_i, p_i⁺)} / Σ_j e^{sim(q_i, p_j)}, sim = q·p.

    q (B, d) questions; p (B + H, d) passages whose first B rows are the positives (the
    diagonal) and the last H extra negatives shared by the batch. ``n_neg`` limits the
    in-batch negatives per question (default B − 1, all of them).
    """
    B = q.shape[0]
    n_neg = B - 1 if n_neg is None else n_neg
    S = q @ p.T  # (B, B + H) similarities
    S = S.masked_fill(~negatives_mask(B, n_neg, p.shape[0] - B), -1e9)  # (B, B + H)
    return nn.cross_entropy(S, np.arange(B))  # () positives on the diagonal
