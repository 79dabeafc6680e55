"""Neural Machine Translation by Jointly Learning to Align and Translate.

Dzmitry Bahdanau, Kyunghyun Cho, Yoshua Bengio, 2014 (ICLR 2015). https://arxiv.org/abs/1409.0473

The encoder-decoder (RNNencdec) squeezes a whole source sentence into one fixed-length
vector and degrades on long sentences. RNNsearch lets the decoder look back: at every
target step i it scores each source annotation h_j against its previous state s_{i−1},
e_ij = v_aᵀ tanh(W_a s_{i−1} + U_a h_j) (eq. 6 and appendix A.1.2), turns the scores into
weights α_ij = softmax_j(e_ij) (eq. 6), and reads a context vector c_i = Σ_j α_ij h_j
(eq. 5), which enters the decoder GRU and the output layer (eq. 4, A.2.2). WMT14 EN→FR
BLEU (all sentences): RNNencdec-50 17.82, RNNsearch-50 26.75 (Table 1); Fig. 2 shows the
encoder-decoder collapsing with length while RNNsearch does not.

What is implemented
-------------------
* A translation-like toy task where alignment matters: reverse a sequence of tokens
  (vocabulary 20), trained on lengths 4-16 and tested on every length 4-20 (17-20 never
  seen in training).
* Encoder: embedding → bidirectional GRU (``nn.GRU(bidirectional=True)``, the sequence
  pair: one tape node per direction for all steps); annotation h_j = [→h_j ; ←h_j] (2H).
* Decoder: a GRU cell run one target step at a time (its input at i depends on y_{i−1});
  s_0 = tanh(W_s ←h_1) (A.2.2). At each step the context c_i is computed *per target step*
  by additive attention (``additive_attention``) from the query s_{i−1}; the output layer
  reads s_{i−1}, c_i and E y_{i−1} (the paper's t̃_i = U_o s_{i−1} + V_o E y_{i−1} + C_o c_i,
  A.2.2), and s_i = GRU([E y_{i−1} ; c_i], s_{i−1}) for the next step.
  ``Seq2Seq.decode_steps`` writes this out step by step on the tape; training uses
  ``Seq2Seq.decode``, where the whole decoder loop is one fused pair
  (``attention_decoder_forward`` / ``_backward``: backprop through time over the attention
  pair and the engine's GRU-cell pair), tested equal to ``decode_steps``, against central
  differences and against a ``torch.nn.GRUCell`` loop.
* RNNencdec is the same class with ``attention=False``: c_i = c = [→h_{T_x} ; ←h_1], the
  fixed summary of the source, for every i. Every other line of code is shared.
* v_a = 0 at initialisation, so every e_ij = 0 and attention is exactly uniform (1/T_x)
  at the start (tested). U_a h_j is computed once per sentence (tested to give identical
  attention to recomputing it every step).
* An ablation of the output layer, trained beside the two on the same data: RNNsearch whose
  output layer reads only [s_{i−1} ; c_i] (``readout_y_prev=False``). The alignment claim
  is measured on it; why is the second item below.

Differences from the paper (and why)
------------------------------------
* Toy scale: H = 64 instead of 1000, a reversal task instead of WMT14, Adam (learning rate
  cosine-annealed from 3e-3 to 0; the annealing is what lifted RNNsearch over 90% at length
  16) instead of Adadelta, teacher forcing in training and greedy decoding at test (no beam
  search), target length given (no end-of-sentence token): lengths are what the experiment
  varies.
* The alignment. With the paper's output layer the attention is a band two positions wide:
  about half the weight on the mirror j = T_x−1−i, a third on j = T_x−i (the source of
  y_{i−1}). Both positions decode y_i, and the output layer, which also reads E y_{i−1},
  can discount the neighbour, so sharpening is not rewarded; training longer, other sizes
  and inits did not change that. Removing E y_{i−1} from the output layer
  (``readout_y_prev=False``) does, but that readout is not the paper's and slows RNNencdec
  badly, so claims 1-3 use the paper's output layer for both models and the alignment claim
  is made for the ablation (its statement says so; the tests assert that removing E y_{i−1}
  raises the mirror mass, so this account cannot go stale unnoticed).
* The paper's deep output layer with a maxout unit is a single linear layer here; like the
  paper's t̃_i it reads s_{i−1} (not s_i).
* The GRU cells are PyTorch's form (reset gate applied after W_hn h).
* Speed: the decoder loop is one fused pair, and the output layer is applied once to all
  steps after the loop (it has no recurrence).

Notation → code
---------------
x source ids (B, T_x); y target ids (B, T_y); E ``embed``; h annotations (B, T_x, 2H)
``annotations``; s_i decoder state (B, H); W_a ``W_a`` (A, H), U_a ``U_a`` (A, 2H), v_a ``v_a`` (A,);
e (B, T_x) scores, α (B, T_x) weights ``alpha``, c_i (B, 2H) ``context``; the stacked
states s_{i−1} and contexts c_i of all steps ``S`` (B, T_y, H) and ``C`` (B, T_y, 2H).

Measured values per seed, and what was tried and rejected: ``docs/results/14_bahdanau_attention.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from .. import nn
from ..experiment import Claim, Result, train_loop
from ..experiment import Config as _BaseConfig
from ..nn.checks import check_ids
from ..sweep import map_tasks

N_SPECIAL = 1  # id 0 is the decoder's start symbol
BOS = 0


# ======================================================================================
# The model: RNNsearch and RNNencdec (§3, appendix A)
# ======================================================================================


def additive_attention_forward(s_prev, Uh, annotations, W_a, v_a):
    """One fused pair for e, α and c at a target step (fewer tape nodes per step).

    s_prev (B, H); Uh = U_a h (B, T_x, A); annotations (B, T_x, 2H); W_a (A, H); v_a (A,).
    Returns (c_i (B, 2H), α (B, T_x)).
    """
    z = np.tanh(Uh + (s_prev @ W_a.T)[:, None, :])  # (B, T_x, A)
    e = z @ v_a  # (B, T_x)
    p = np.exp(e - e.max(axis=1, keepdims=True))  # (B, T_x)
    alpha = p / p.sum(axis=1, keepdims=True)  # (B, T_x)
    context = np.einsum("bj,bjd->bd", alpha, annotations)  # (B, 2H)
    return (context, alpha), (s_prev, annotations, W_a, v_a, z, alpha)


def additive_attention_backward(dout, cache):
    dc, dalpha = dout  # (B, 2H), (B, T_x)
    s_prev, annotations, W_a, v_a, z, alpha = cache
    dalpha = dalpha + np.einsum("bd,bjd->bj", dc, annotations)  # (B, T_x) both routes into α
    dannotations = alpha[:, :, None] * dc[:, None, :]  # (B, T_x, 2H)
    de = alpha * (dalpha - (dalpha * alpha).sum(axis=1, keepdims=True))  # (B, T_x) softmax JVP
    dv_a = np.einsum("bja,bj->a", z, de)  # (A,)
    dpre = de[:, :, None] * v_a * (1 - z * z)  # (B, T_x, A) through tanh
    dWs = dpre.sum(axis=1)  # (B, A): W_a s_{i−1} is broadcast over j
    return dWs @ W_a, dpre, dannotations, dWs.T @ s_prev, dv_a


def additive_attention(
    s_prev: nn.Tensor, Uh: nn.Tensor, annotations: nn.Tensor, W_a: nn.Tensor, v_a: nn.Tensor
) -> tuple[nn.Tensor, nn.Tensor]:
    """e_ij = v_aᵀ tanh(W_a s_{i−1} + U_a h_j); α = softmax_j(e); c_i = Σ_j α_ij h_j.

    s_prev (B, H); Uh = U_a h (B, T_x, A), precomputed once per sentence; annotations
    (B, T_x, 2H); W_a (A, H); v_a (A,). Returns (c_i (B, 2H), α (B, T_x)).
    """
    return nn.apply(additive_attention_forward, additive_attention_backward, s_prev, Uh, annotations, W_a, v_a)


def attention_decoder_forward(
    Ey: np.ndarray,
    s0: np.ndarray,
    annotations: np.ndarray,
    Uh: np.ndarray | None,
    W_a: np.ndarray | None,
    v_a: np.ndarray | None,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None,
    b_hh: np.ndarray | None,
) -> tuple[tuple[np.ndarray, ...], tuple]:
    """The whole teacher-forced decoder, all T_y steps, as one pair (one tape node).

    Step i (0-based) computes the context c_i from s_{i−1} and, for the next step,
    s_i = GRU([E y_{i−1} ; c_i], s_{i−1}); the last step's update is skipped (nothing
    reads s_{T_y}). It composes ``additive_attention_forward`` and the engine's
    ``gru_cell_forward``, so the maths is theirs; what it saves is the tape's per-step
    nodes (a slice, a concatenation, the attention, the cell) and their bookkeeping.

    Ey (B, T_y, H) decoder inputs E y_{i−1}; s0 (B, H); W_ih (3H, H + 2H), W_hh (3H, H),
    b_ih, b_hh (3H,) as ``torch.nn.GRUCell`` (gates r, z, n).
    RNNsearch: annotations h (B, T_x, 2H), Uh = U_a h (B, T_x, A), W_a (A, H), v_a (A,).
    RNNencdec: annotations is the fixed context c (B, 2H) and Uh = W_a = v_a = None.
    Returns (S (B, T_y, H) the states s_{i−1} that predict y_i, C (B, T_y, 2H) the contexts
    c_i), plus α (B, T_y, T_x) for RNNsearch.
    """
    B, T_y, _ = Ey.shape
    H = s0.shape[1]
    attention = Uh is not None
    S = np.empty((B, T_y, H), Ey.dtype)  # (B, T_y, H)
    C = np.empty((B, T_y, annotations.shape[-1]), Ey.dtype)  # (B, T_y, 2H)
    alphas = np.empty((B, T_y, annotations.shape[1]), Ey.dtype) if attention else None  # (B, T_y, T_x)
    s, steps = s0, []
    for i in range(T_y):
        if attention:
            (c, alpha), att_cache = additive_attention_forward(s, Uh, annotations, W_a, v_a)  # (B, 2H), (B, T_x)
            alphas[:, i] = alpha
        else:
            c, att_cache = annotations, None  # (B, 2H) the same vector at every step
        S[:, i], C[:, i] = s, c
        gru_cache = None
        if i < T_y - 1:
            x_i = np.concatenate([Ey[:, i], c], axis=1)  # (B, H + 2H)
            s, gru_cache = nn.pairs.gru_cell_forward(x_i, s, W_ih, W_hh, b_ih, b_hh)  # (B, H) s_i
        steps.append((att_cache, gru_cache))
    outs = (S, C, alphas) if attention else (S, C)
    return outs, (steps, attention, Ey.shape, annotations.shape, H)


def attention_decoder_backward(dout: tuple[np.ndarray, ...], cache: tuple) -> tuple:
    """Backprop through time over the decoder: (dS, dC[, dα]) -> gradients of
    (Ey, s0, annotations, Uh, W_a, v_a, W_ih, W_hh, b_ih, b_hh)."""
    steps, attention, Ey_shape, ann_shape, H = cache
    dS, dC = dout[0], dout[1]  # (B, T_y, H), (B, T_y, 2H)
    dalphas = dout[2] if attention else None  # (B, T_y, T_x)
    B, T_y, _ = Ey_shape
    dEy = np.zeros(Ey_shape, dS.dtype)  # (B, T_y, H)
    dann = np.zeros(ann_shape, dS.dtype)  # (B, T_x, 2H) or (B, 2H)
    dW_ih = dW_hh = db_ih = db_hh = dUh = dW_a = dv_a = None
    ds = np.zeros((B, H), dS.dtype)  # (B, H) gradient reaching s_i from the steps after i
    for i in range(T_y - 1, -1, -1):
        att_cache, gru_cache = steps[i]
        dc = dC[:, i].copy()  # (B, 2H) from the output layer
        if gru_cache is not None:  # s_i = GRU([E y_{i−1} ; c_i], s_{i−1})
            dx, ds, gW_ih, gW_hh, gb_ih, gb_hh = nn.pairs.gru_cell_backward(ds, gru_cache)  # dx (B, 3H), ds (B, H)
            dEy[:, i] = dx[:, :H]  # (B, H)
            dc += dx[:, H:]  # (B, 2H)
            dW_ih, dW_hh = _acc(dW_ih, gW_ih), _acc(dW_hh, gW_hh)
            db_ih, db_hh = _acc(db_ih, gb_ih), _acc(db_hh, gb_hh)
        ds = ds + dS[:, i]  # (B, H) s_{i−1} also feeds the output layer
        if attention:  # ... and the query of step i
            ds_q, gUh, gann, gW_a, gv_a = additive_attention_backward((dc, dalphas[:, i]), att_cache)
            ds += ds_q
            dann += gann
            dUh, dW_a, dv_a = _acc(dUh, gUh), _acc(dW_a, gW_a), _acc(dv_a, gv_a)
        else:
            dann += dc
    return dEy, ds, dann, dUh, dW_a, dv_a, dW_ih, dW_hh, db_ih, db_hh


def _acc(total, g):
    """total + g, starting from None (a gradient accumulated over steps)."""
    return g.copy() if total is None else total + g


def attention_decoder(
    Ey: nn.Tensor,
    s0: nn.Tensor,
    annotations: nn.Tensor,
    Uh: nn.Tensor | None,
    W_a: nn.Tensor | None,
    v_a: nn.Tensor | None,
    cell: nn.GRUCell,
) -> tuple:
    """Tape wrapper of ``attention_decoder_forward``: (S, C) or (S, C, α) as Tensors."""
    w = (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    return nn.apply(attention_decoder_forward, attention_decoder_backward, Ey, s0, annotations, Uh, W_a, v_a, *w)


class Seq2Seq(nn.Module):
    """RNNsearch (``attention=True``) or RNNencdec (``attention=False``), one code path.

    ``readout_y_prev=True`` gives the paper's output layer t̃_i = U_o s_{i−1} + V_o E y_{i−1} +
    C_o c_i (A.2.2), the default; ``False`` drops V_o E y_{i−1}, the ablation the alignment
    claim is measured on (see "Differences from the paper").
    """

    def __init__(
        self,
        vocab: int,
        hidden: int,
        *,
        attention: bool,
        rng: np.random.Generator,
        readout_y_prev: bool = True,
        dtype=np.float32,
    ):
        super().__init__()
        self.vocab, self.hidden, self.attention, self.readout_y_prev = vocab, hidden, attention, readout_y_prev
        V, H, A = vocab + N_SPECIAL, hidden, hidden
        self.embed = nn.Embedding(V, H, rng=rng, dtype=dtype)
        self.encoder = nn.GRU(H, H, bidirectional=True, batch_first=True, rng=rng, dtype=dtype)
        self.init_state = nn.Linear(H, H, rng=rng, dtype=dtype)  # s_0 = tanh(W_s ←h_1)
        self.decoder = nn.GRUCell(H + 2 * H, H, rng=rng, dtype=dtype)  # input [E y_{i−1} ; c_i]
        # output layer on [s_{i−1} ; c_i] (+ E y_{i−1} with readout_y_prev)
        self.out = nn.Linear(H + 2 * H + (H if readout_y_prev else 0), V, rng=rng, dtype=dtype)
        # alignment model (A.1.2); built for both models so the parameter init stays in step
        bound = 1 / np.sqrt(H)
        self.W_a = nn.Parameter(rng.uniform(-bound, bound, (A, H)).astype(dtype))
        self.U_a = nn.Parameter(rng.uniform(-bound / np.sqrt(2), bound / np.sqrt(2), (A, 2 * H)).astype(dtype))
        self.v_a = nn.Parameter(np.zeros(A, dtype))  # v_a = 0: uniform attention at init

    def encode(self, x: np.ndarray) -> tuple[nn.Tensor, nn.Tensor]:
        """Annotations h (B, T_x, 2H) and the decoder's initial state s_0 (B, H)."""
        x = check_ids("x", x, self.vocab + N_SPECIAL)
        if x.ndim != 2:
            raise ValueError(f"x: expected shape (B, T_x), got {x.shape}")
        h, _ = self.encoder(self.embed(x))  # (B, T_x, 2H)
        H = self.hidden
        back_first = h[:, 0, H:]  # (B, H) ←h_1: the backward RNN's summary of the sentence
        s0 = nn.tanh(self.init_state(back_first))  # (B, H)
        return h, s0

    def fixed_context(self, h: nn.Tensor) -> nn.Tensor:
        """RNNencdec's c = [→h_{T_x} ; ←h_1] (B, 2H), the same for every target step."""
        T_x, H = h.shape[1], self.hidden
        return nn.cat([h[:, T_x - 1, :H], h[:, 0, H:]], dim=1)  # (B, 2H)

    def readout(self, s_prev: nn.Tensor, context: nn.Tensor, e_prev: nn.Tensor) -> nn.Tensor:
        """Logits from s_{i−1}, c_i (and E y_{i−1}); (…, H), (…, 2H), (…, H) -> (…, V)."""
        parts = [s_prev, context, e_prev] if self.readout_y_prev else [s_prev, context]
        return self.out(nn.cat(parts, dim=-1))  # (…, V)

    def decode(self, x: np.ndarray, y_in: np.ndarray) -> tuple[nn.Tensor, np.ndarray | None]:
        """Logits (B, T_y, V) given decoder inputs y_in (B, T_y) (BOS, y_1, …, y_{T_y−1}), and
        the attention weights α (B, T_y, T_x) (None for RNNencdec). The decoder loop is one
        fused pair (``attention_decoder``); ``decode_steps`` is the same maths step by step."""
        h, s0 = self.encode(x)  # (B, T_x, 2H), (B, H)
        emb = self.embed(y_in)  # (B, T_y, H)
        if self.attention:
            Uh = nn.linear(h, self.U_a)  # (B, T_x, A) U_a h_j once per sentence
            S, C, alpha = attention_decoder(emb, s0, h, Uh, self.W_a, self.v_a, self.decoder)
        else:
            S, C = attention_decoder(emb, s0, self.fixed_context(h), None, None, None, self.decoder)
            alpha = None
        # S (B, T_y, H) states s_{i−1}; C (B, T_y, 2H) contexts c_i; the output layer has no
        # recurrence, so it is one product for all steps
        return self.readout(S, C, emb), (alpha.data if alpha is not None else None)  # (B, T_y, V)

    def decode_steps(self, x: np.ndarray, y_in: np.ndarray, precompute: bool = True) -> tuple[nn.Tensor, list]:
        """``decode`` written out one target step at a time on the tape (the reference the
        fused pair is tested against). Returns logits (B, T_y, V) and a list of α (B, T_x)."""
        h, s = self.encode(x)  # (B, T_x, 2H), (B, H)
        if self.attention:
            Uh = nn.linear(h, self.U_a) if precompute else None  # (B, T_x, A) once per sentence
        else:
            fixed = self.fixed_context(h)  # (B, 2H)
        emb = self.embed(y_in)  # (B, T_y, H)
        logits, alphas = [], []
        for i in range(y_in.shape[1]):  # the decoder runs one target step at a time
            e_prev = emb[:, i]  # (B, H) E y_{i−1}
            if self.attention:
                U = Uh if precompute else nn.linear(h, self.U_a)  # (B, T_x, A)
                context, alpha = additive_attention(s, U, h, self.W_a, self.v_a)  # (B, 2H), (B, T_x)
                alphas.append(alpha.data)
            else:
                context = fixed  # (B, 2H): the same vector at every step
            logits.append(self.readout(s, context, e_prev))  # (B, V) from s_{i−1}, c_i (A.2.2)
            s = self.decoder(nn.cat([e_prev, context], dim=1), s)  # (B, H) s_i, for step i + 1
        return nn.stack(logits, dim=1), alphas  # (B, T_y, V)

    def greedy(self, x: np.ndarray, T_y: int) -> tuple[np.ndarray, np.ndarray]:
        """Greedy decoding of T_y tokens; returns ids (B, T_y) and attention (B, T_y, T_x)."""
        with nn.no_grad():
            h, s = self.encode(x)  # (B, T_x, 2H), (B, H)
            B, T_x = h.shape[0], h.shape[1]
            Uh = nn.linear(h, self.U_a) if self.attention else None  # (B, T_x, A)
            fixed = self.fixed_context(h)  # (B, 2H)
            prev = np.full(B, BOS)  # (B,)
            out, att = np.zeros((B, T_y), np.int64), np.zeros((B, T_y, T_x))
            for i in range(T_y):
                e_prev = self.embed(prev)  # (B, H)
                if self.attention:
                    context, alpha = additive_attention(s, Uh, h, self.W_a, self.v_a)  # (B, 2H), (B, T_x)
                    att[:, i] = alpha.data
                else:
                    context = fixed  # (B, 2H)
                logits = self.readout(s, context, e_prev)  # (B, V) from s_{i−1}, c_i
                s = self.decoder(nn.cat([e_prev, context], dim=1), s)  # (B, H) s_i
                prev = np.argmax(logits.data[:, N_SPECIAL:], axis=1) + N_SPECIAL  # (B,) never BOS
                out[:, i] = prev
        return out, att


def teacher_inputs(y: np.ndarray) -> np.ndarray:
    """Decoder inputs (BOS, y_1, …, y_{T−1}), (B, T)."""
    return np.concatenate([np.full((y.shape[0], 1), BOS), y[:, :-1]], axis=1)  # (B, T)


# ======================================================================================
# The data: reverse a sequence of tokens
# ======================================================================================


def make_reversal_batch(B: int, T: int, vocab: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """B source sequences of length T over ids 1 … vocab, and their reversals (B, T) each."""
    if T < 1 or B < 1:
        raise ValueError(f"make_reversal_batch: need B >= 1 and T >= 1, got B={B}, T={T}")
    x = rng.integers(N_SPECIAL, vocab + N_SPECIAL, size=(B, T))  # (B, T)
    return x, x[:, ::-1].copy()  # (B, T), (B, T)


# ======================================================================================
# The experiment
# ======================================================================================


@dataclass
class Config(_BaseConfig):
    vocab: int = 20
    hidden: int = 64  # H (and the alignment size A)
    train_min: int = 4
    train_max: int = 16
    test_max: int = 20  # lengths 17 … 20 are never seen in training
    steps: int = 3000
    batch: int = 32
    lr: float = 3e-3  # peak; cosine-annealed to 0 over the run
    clip: float = 1.0
    n_eval: int = 200  # test sentences per length

    @classmethod
    def quick(cls) -> Config:
        return cls(steps=1000, n_eval=100)

    @classmethod
    def full(cls) -> Config:
        return cls(steps=3000, batch=64)

    @classmethod
    def smoke(cls) -> Config:
        """Seconds: every code path, no claim expected to pass."""
        return cls(vocab=8, hidden=16, train_min=2, train_max=5, test_max=6, steps=20, batch=8, n_eval=20)


def _train(model: Seq2Seq, c: Config, rng: np.random.Generator, desc: str) -> list[float]:
    opt = nn.optim.Adam(model.parameters(), lr=c.lr)
    sched = nn.optim.CosineAnnealingLR(opt, T_max=c.steps)  # decay to 0: see "Differences"

    def step(i: int) -> float:
        T = int(rng.integers(c.train_min, c.train_max + 1))  # one length per batch: no padding
        x, y = make_reversal_batch(c.batch, T, c.vocab, rng)  # (B, T) each
        logits, _ = model.decode(x, teacher_inputs(y))  # (B, T, V)
        loss = nn.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))  # ()
        opt.zero_grad()
        loss.backward()
        nn.optim.clip_grad_norm_(model.parameters(), c.clip)
        opt.step()
        sched.step()
        return loss.item()

    return train_loop(step, c.steps, desc=desc)


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (average ranks for ties)."""

    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for val in np.unique(v):  # ties share their mean rank
            r[v == val] = r[v == val].mean()
        return r

    ra, rb = ranks(np.asarray(a, float)), ranks(np.asarray(b, float))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    den = np.sqrt((ra**2).sum() * (rb**2).sum())
    return float((ra * rb).sum() / den) if den > 0 else 0.0


# The models one run trains, all from the same init seed, batches and steps:
# (name, attention, readout_y_prev).
MODELS = (
    ("search", True, True),  # RNNsearch with the paper's output layer
    ("encdec", False, True),  # RNNencdec: the same code without attention
    ("search_noprev", True, False),  # RNNsearch whose output layer does not read E y_{i−1}
)


def _attention_stats(att: np.ndarray) -> dict[str, float]:
    """Where the attention of greedy decoding went, att (n, T, T): the mass and argmax on
    the mirror j = T−1−i, and the mass one position late (j = T−i, the source of y_{i−1})."""
    T = att.shape[1]
    i = np.arange(T)
    mirror = att[:, i, T - 1 - i]  # (n, T) α on source T−1−i
    hits = np.argmax(att, axis=2) == T - 1 - i  # (n, T) argmax on the mirror
    late = att[:, i[1:], T - i[1:]]  # (n, T−1) for steps i ≥ 1
    return {"mirror_mass": float(mirror.mean()), "mirror_argmax": float(hits.mean()), "late_mass": float(late.mean())}


def train_and_test(
    name: str, attention: bool, readout_y_prev: bool, c: Config, init_seed: int, data_seed: int, tests: dict
) -> tuple[dict, dict, dict]:
    """One of MODELS: initialise from init_seed, train on data_seed's batches, test per
    length. Returns its (metrics, histories, arrays)."""
    metrics: dict = {}
    arrays: dict[str, np.ndarray] = {}
    lengths = list(tests)
    n_in = lengths.index(c.train_max) + 1  # lengths[:n_in] are the training lengths
    model = Seq2Seq(
        c.vocab, c.hidden, attention=attention, rng=np.random.default_rng(init_seed), readout_y_prev=readout_y_prev
    )
    if name == "search":  # the invariant at initialisation: v_a = 0 gives α = 1/T_x exactly
        x0, _ = tests[lengths[-1]]
        _, att0 = model.greedy(x0[:8], 3)
        uniform = model.v_a.dtype.type(1) / model.v_a.dtype.type(x0.shape[1])  # 1/T_x in the model's dtype
        metrics["init_attention_max_dev"] = float(np.max(np.abs(att0 - uniform)))
    histories = {f"loss_{name}": _train(model, c, np.random.default_rng(data_seed), name)}
    acc, stats = [], []
    for T in lengths:  # token accuracy of greedy decoding, computed here from the ids
        x, y = tests[T]
        pred, att = model.greedy(x, T)  # (n, T), (n, T, T)
        acc.append(float(np.mean(pred == y)))
        if attention:
            stats.append(_attention_stats(att))
            if T == c.train_max:
                arrays[f"attention_example_{name}"] = att[0]  # (T, T)
                arrays["attention_example_x"] = x[0]  # (T,)
                arrays[f"attention_mean_{name}"] = att.mean(axis=0)  # (T, T)
    arrays[f"acc_{name}"] = np.asarray(acc)
    metrics[f"acc_{name}_by_length"] = acc
    metrics[f"acc_{name}_at_{c.train_max}"] = acc[n_in - 1]
    metrics[f"acc_{name}_train_range"] = float(np.mean(acc[:n_in]))
    metrics[f"spearman_{name}"] = _spearman(np.asarray(acc[:n_in]), np.asarray(lengths[:n_in]))
    for key in stats[0] if stats else ():  # averaged over the training lengths
        metrics[f"{key}_by_length_{name}"] = [st[key] for st in stats]
        metrics[f"{key}_{name}"] = float(np.mean([st[key] for st in stats[:n_in]]))
    return metrics, histories, arrays


def run(config: Config, rng: np.random.Generator) -> Result:
    """Train RNNsearch, RNNencdec and the RNNsearch readout ablation on reversal (same init
    seed, data and steps); test each per length."""
    c = config
    metrics: dict = {}
    histories: dict[str, list[float]] = {}
    arrays: dict[str, np.ndarray] = {}
    init_seed, data_seed = int(rng.integers(2**31)), int(rng.integers(2**31))
    lengths = list(range(c.train_min, c.test_max + 1))
    tests = {T: make_reversal_batch(c.n_eval, T, c.vocab, rng) for T in lengths}
    arrays["lengths"] = np.asarray(lengths)
    # the models depend on the seeds only: independent tasks of the sweep runner (on the
    # local cores under `sutskever30 run`), the same numbers as one after the other
    fn = partial(train_and_test, c=c, init_seed=init_seed, data_seed=data_seed, tests=tests)
    for m, h, a in map_tasks(fn, MODELS, desc="p14 models", star=True):
        metrics |= m
        histories |= h
        arrays |= a
    return Result(metrics=metrics, histories=histories, arrays=arrays)


# ======================================================================================
# Claims and figures
# ======================================================================================


# Thresholds and what seeds 0-6 measured (docs/results/14_bahdanau_attention.md).
SEARCH_MIN = 0.90  # RNNsearch at the longest training length: measured >= 0.96
ENCDEC_MAX, SPEARMAN_MAX = 0.75, -0.7  # RNNencdec there: measured <= 0.36, Spearman <= -0.99
GAP_MIN = 0.30  # RNNsearch minus RNNencdec: measured >= 0.61
MIRROR_MIN = 0.7  # the readout ablation's mean mass on the mirror position: measured >= 0.765


def claims(result: Result) -> list[Claim]:
    """The card's criteria, measured (per-seed values in docs/results/14_bahdanau_attention.md)."""
    m, cfg = result.metrics, result.config
    L = cfg["train_max"]
    search, encdec = m[f"acc_search_at_{L}"], m[f"acc_encdec_at_{L}"]
    return [
        Claim(f"RNNsearch token accuracy ≥ {SEARCH_MIN:.0%} at length {L}", search, search >= SEARCH_MIN),
        Claim(
            f"RNNencdec ≤ {ENCDEC_MAX:.0%} at length {L}, Spearman(accuracy, length) ≤ −{-SPEARMAN_MAX} over lengths "
            f"{cfg['train_min']}-{L}",
            {"acc": encdec, "spearman": m["spearman_encdec"]},
            encdec <= ENCDEC_MAX and m["spearman_encdec"] <= SPEARMAN_MAX,
        ),
        Claim(
            f"RNNsearch beats RNNencdec at length {L} by ≥ {GAP_MIN * 100:.0f} points",
            {"search": search, "encdec": encdec},
            search - encdec >= GAP_MIN,
        ),
        Claim(
            "RNNsearch with an output layer on [s_{i−1} ; c_i] (no E y_{i−1}): mean attention mass on the "
            f"mirror source position ≥ {MIRROR_MIN} (training lengths)",
            {"without E y_{i−1}": m["mirror_mass_search_noprev"], "paper's output layer": m["mirror_mass_search"]},
            m["mirror_mass_search_noprev"] >= MIRROR_MIN,
        ),
        Claim(
            "v_a = 0 at init: attention exactly uniform (max |α − 1/T_x|)",
            m["init_attention_max_dev"],
            m["init_attention_max_dev"] == 0.0,
        ),
    ]


LABELS = {
    "search": "RNNsearch",
    "encdec": "RNNencdec",
    "search_noprev": "RNNsearch, output without E y_{i−1}",
}


def figures(result: Result) -> dict:
    """Accuracy vs length (the paper's Fig. 2 analogue) and alignment matrices (Fig. 3)."""
    from .. import plots

    a, cfg = result.arrays, result.config
    lengths = [int(T) for T in a["lengths"]]
    figs = {
        "accuracy_vs_length": plots.line_plot(
            {LABELS[n]: a[f"acc_{n}"] for n in LABELS},
            x=lengths,
            xlabel=f"source length (trained on ≤ {cfg['train_max']})",
            ylabel="token accuracy (greedy)",
            title="Reversal: accuracy vs length",
            hlines={"chance": 1.0 / cfg["vocab"]},
        ),
        "loss": plots.line_plot(
            {LABELS[n]: result.histories[f"loss_{n}"] for n in LABELS},
            ylabel="training loss (teacher forcing)",
        ),
    }
    xs = [str(int(t)) for t in a["attention_example_x"]]
    for n in ("search", "search_noprev"):
        figs[f"alignment_example_{n}"] = plots.heatmap(
            a[f"attention_example_{n}"],
            xlabels=xs,
            xlabel="source token x_j",
            ylabel="target step i",
            title=f"{LABELS[n]}: α_ij (one test sentence)",
        )
        figs[f"alignment_mean_{n}"] = plots.heatmap(
            a[f"attention_mean_{n}"],
            xlabel="source position j",
            ylabel="target step i",
            title=f"{LABELS[n]}: mean α over test sentences",
        )
    return figs


def paper_vs_ours(result: Result) -> list[tuple[str, str, str]]:
    m, L = result.metrics, result.config["train_max"]
    return [
        (
            "RNNencdec",
            "BLEU 17.82 (-50), 13.93 (-30), WMT14 EN→FR",
            f"{m[f'acc_encdec_at_{L}']:.1%} token accuracy at length {L}",
        ),
        ("RNNsearch", "BLEU 26.75 (-50), 21.50 (-30)", f"{m[f'acc_search_at_{L}']:.1%} token accuracy at length {L}"),
        ("RNNencdec degrades with length", "yes (Fig. 2)", f"Spearman {m['spearman_encdec']:.2f}"),
        (
            "alignment, RNNsearch",
            "roughly monotone, soft (Fig. 3)",
            f"mirror mass {m['mirror_mass_search']:.2f}, one late {m['late_mass_search']:.2f}",
        ),
        (
            "alignment, output layer without E y_{i−1}",
            "(not in the paper)",
            f"mirror mass {m['mirror_mass_search_noprev']:.2f}, one late {m['late_mass_search_noprev']:.2f}",
        ),
    ]
