"""Order Matters: Sequence to Sequence for Sets.

Oriol Vinyals, Samy Bengio, Manjunath Kudlur, ICLR 2016 (arXiv 2015). https://arxiv.org/abs/1511.06391

What is implemented
-------------------
* **Read-Process-Write** (§4.2, Figure 1, eqs. 3-7; ``ReadProcessWrite``). Read: each element
  is embedded on its own, m_i = W_r x_i + b_r. Process: an LSTM that never reads an element runs P
  steps of content attention over the memory, q_t = LSTM(q*_{t−1}), e_{i,t} = m_i · q_t,
  a_{i,t} = softmax_i(e_{i,t}), r_t = Σ_i a_{i,t} m_i, q*_t = [q_t ; r_t]. The result q*_P is a
  function of the *set*: a sum over elements, invariant to their order (checked in float64
  over 100 permutations, on trained scalars and on untrained sets of vectors). Write: a
  pointer decoder (paper 6's Ptr-Net logits, ``pointer_logits`` imported from paper 6)
  started from q*_P.
* **The baseline**: the same reader and writer behind an LSTM encoder that reads the
  elements in their given (random) order (``encoder="lstm"``): its state changes with the
  order.
* **Process steps** (§4.3): sorting sets of n = 5-10 floats with P ∈ {0, 1, 5} and the LSTM
  encoder, same batches, init and budget. As card 8's amendment requires, *without output
  masking* (with masking a fixed rule sorts, whatever P): the writer must remember what it
  has written. Reported, not asserted (no direction held on every seed; see below).
* **Output order** (§5): the 3 largest of 8 distinct digits, written as pointers with three
  target orders: fixed (descending), a random order drawn afresh for every example, and the
  order search of §5.2 — uniform random orders for the first 20% of training, then each
  example's target is the order the model itself finds likeliest among the 3! = 6
  (``order_log_probs``), so the model settles on an order of its own choosing.

Differences from the paper (and why)
------------------------------------
* Toy scale: H = 32 (full: 64), 300 (full: 2000) training steps of 64 sets, Adam (lr 1e-2,
  gradient norm clipped at 2); the paper trains far longer with 256+ units.
* The process LSTM takes q*_{t−1} as its *input* (as common set2set implementations do);
  the paper writes q_t = LSTM(q*_{t−1}). Either way no element of the set is ever read.
* The paper samples orders in its search (and also uses a pretraining phase); here the
  search is exact (all 3! orders scored), which is cheap at k = 3.
* Not reproduced at this scale, so reported per seed and not asserted: sorting does not
  improve with P (the paper reports a rise with P [card, unconfirmed]), and the LSTM encoder
  sorts *better* than Read-Process-Write at n = 5; fixed and searched output orders beat random
  ones on most seeds but not all, because without output masking any arm can stall on a
  "write the largest three times" plateau (fixed order on 2 seeds of 12, random on 1, the
  search on none). Asserted: invariance, the LSTM control, that the search learns and
  settles on one order, and the untrained control.
* The read block is one Linear layer (the paper: "a small neural network"); a two-layer tanh
  read made random output orders almost as good as a fixed one (docs/results).
* Greedy decoding, no beam search.

Notation → code
---------------
x_i an element (``X`` (B, n, d)); m_i the memory ``M`` (B, n, H); q_t, r_t, q*_t ``q``,
``r``, ``q_star``; P ``process_steps``; the writer's logits u (B, n); the 3! orders ``PERMS3``.

Measured values per seed, and what was tried and rejected: ``docs/results/08_order_matters.md``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import nn
from ..experiment import Claim, Result, train_loop
from ..experiment import Config as _BaseConfig
from .p06_pointer_networks import NEG, pointer_logits

# ======================================================================================
# The model: Read, Process, Write (§4.2, Figure 1)
# ======================================================================================


class ReadProcessWrite(nn.Module):
    """Read–Process–Write (``encoder="rpw"``) or the same pointer writer behind an LSTM
    encoder (``encoder="lstm"``, the order-sensitive baseline).

    Read: m_i = W_r x_i + b_r, each element on its own (no recurrence, so no order).
    Process (eqs. 3-7), P steps of an LSTM that reads no input element:
        q_t = LSTM(q*_{t−1}),  e_{i,t} = m_i · q_t,  a_{i,t} = softmax_i(e_{i,t}),
        r_t = Σ_i a_{i,t} m_i,  q*_t = [q_t ; r_t],    q*_0 = 0.
    Write: a pointer decoder (Ptr-Net, paper 6's eq. 3) whose state starts from q*_P and
    whose input is the element it pointed to last. No output masking unless ``mask=True``.
    """

    def __init__(
        self,
        d_in: int,
        hidden: int,
        rng: np.random.Generator,
        *,
        encoder: str = "rpw",
        process_steps: int = 1,
        mask: bool = False,
        dtype=np.float32,
    ):
        super().__init__()
        if encoder not in ("rpw", "lstm"):
            raise ValueError(f"encoder must be 'rpw' or 'lstm', got {encoder!r}")
        H = hidden
        self.encoder_kind, self.P, self.mask, self.H = encoder, process_steps, mask, H
        self.read = nn.Linear(d_in, H, rng=rng, dtype=dtype)  # one layer (see "Differences")
        self.process = nn.LSTMCell(2 * H, H, rng=rng, dtype=dtype)  # input q*_{t−1}, never an element
        if encoder == "lstm":
            self.lstm = nn.LSTM(H, H, batch_first=True, rng=rng, dtype=dtype)
        self.init_h = nn.Linear(2 * H, H, rng=rng, dtype=dtype)  # q*_P → the writer's first state
        self.writer = nn.LSTMCell(H, H, rng=rng, dtype=dtype)
        self.go = nn.Parameter((0.1 * rng.standard_normal(H)).astype(dtype))  # (H,) the writer's first input
        self.W1 = nn.Linear(H, H, bias=False, rng=rng, dtype=dtype)
        self.W2 = nn.Linear(H, H, bias=False, rng=rng, dtype=dtype)
        self.v = nn.Parameter((rng.uniform(-1, 1, (H, 1)) / np.sqrt(H)).astype(dtype))  # (H, 1)

    def encode(self, X: nn.Tensor) -> tuple[nn.Tensor, nn.Tensor]:
        """X (B, n, d_in) → memory M (B, n, H) and the set's encoding q*_P (B, 2H)."""
        B, n, _ = X.shape
        M = self.read(X)  # (B, n, H) m_i
        if self.encoder_kind == "lstm":
            M, (h, c) = self.lstm(M)  # (B, n, H), (1, B, H): reads the elements in order
            return M, nn.cat([h[0], c[0]], dim=1)  # (B, 2H)
        q_star = nn.Tensor(np.zeros((B, 2 * self.H), X.dtype))  # (B, 2H) q*_0
        state = None
        for _ in range(self.P):
            q, c = self.process(q_star, state)  # (B, H) q_t = LSTM(q*_{t−1})
            state = (q, c)
            e = (M @ q.reshape(B, -1, 1)).reshape(B, n)  # (B, n) e_{i,t} = m_i · q_t
            a = e.softmax(dim=1)  # (B, n) a_{i,t}
            r = (a.reshape(B, 1, n) @ M).reshape(B, -1)  # (B, H) r_t = Σ a_{i,t} m_i
            q_star = nn.cat([q, r], dim=1)  # (B, 2H) q*_t
        return M, q_star

    def forward(self, X: nn.Tensor, targets: np.ndarray) -> nn.Tensor:
        """Teacher forcing. X (B, n, d_in); targets (B, T) positions 0..n−1 → scores (B, T, n)."""
        return self._decode(X, targets.shape[1], targets)[0]

    def _decode(self, X: nn.Tensor, T: int, targets: np.ndarray | None) -> tuple[nn.Tensor, np.ndarray]:
        B, n, _ = X.shape
        M, q_star = self.encode(X)  # (B, n, H), (B, 2H)
        W1M = self.W1(M)  # (B, n, H) W₁ m_j, once per set
        h = self.init_h(q_star).tanh()  # (B, H)
        state = (h, h * 0.0)
        x = self.go.reshape(1, -1) * nn.Tensor(np.ones((B, 1), X.dtype))  # (B, H)
        taken = np.zeros((B, n), bool)
        rows = np.arange(B)
        out, C = [], np.zeros((B, T), int)
        for i in range(T):
            state = self.writer(x, state)  # (B, H) d_i
            u = pointer_logits(W1M, state[0], self.W2, self.v)  # (B, n)
            if self.mask:
                u = u.masked_fill(taken.copy(), NEG)
            out.append(u)
            C[:, i] = u.data.argmax(axis=1) if targets is None else targets[:, i]  # (B,)
            taken[rows, C[:, i]] = True
            x = M[rows, C[:, i]]  # (B, H) the element just written
        return nn.stack(out, dim=1), C  # (B, T, n)

    def greedy(self, X: np.ndarray, T: int) -> np.ndarray:
        """Greedy decoding without a tape: the pointers (B, T), argmaxes of the model's logits."""
        with nn.no_grad():
            return self._decode(nn.Tensor(X), T, None)[1]


# ======================================================================================
# The data
# ======================================================================================


def make_sort_data(rng: np.random.Generator, B: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """B sets of n floats U(0, 1) (§4.2 sorts floats); target: positions in ascending order."""
    X = rng.uniform(0, 1, (B, n, 1)).astype(np.float32)  # (B, n, 1)
    return X, np.argsort(X[:, :, 0], axis=1, kind="stable")  # (B, n), (B, n)


def make_top3_data(rng: np.random.Generator, B: int, n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """n distinct digits out of 0-9 (values /9); target: the positions of the 3 largest,
    in descending order of value (the "fixed" order; other orders permute the columns)."""
    D = np.argsort(rng.random((B, 10)), axis=1)[:, :n]  # (B, n) distinct digits
    X = (D / 9.0).astype(np.float32)[:, :, None]  # (B, n, 1)
    return X, np.argsort(-D, axis=1, kind="stable")[:, :3]  # (B, n, 1), (B, 3)


PERMS3 = np.array(list(itertools.permutations(range(3))))  # (6, 3) the 3! output orders


# ======================================================================================
# The experiment
# ======================================================================================


@dataclass
class Config(_BaseConfig):
    hidden: int = 32
    n_train: tuple[int, int] = (5, 10)
    n_test: tuple[int, ...] = (5, 10)
    process_steps: tuple[int, ...] = (0, 1, 5)
    sort_steps: int = 300
    set_steps: int = 300
    set_n: int = 8
    set_process_steps: int = 1
    warmup: float = 0.2  # the order search starts after this fraction of training (uniform orders before; 1 = never)
    batch_size: int = 64
    lr: float = 1e-2
    set_lr: float = 1e-2
    clip: float = 2.0
    n_eval: int = 300  # sorting test sets per n
    set_eval: int = 1000  # top-3 test sets (greedy decoding only: cheap, and it narrows the noise)
    n_perms: int = 100  # input permutations in the invariance probe

    @classmethod
    def smoke(cls) -> Config:
        return cls(hidden=8, sort_steps=6, set_steps=10, batch_size=8, n_eval=20, set_eval=20, n_perms=5)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def full(cls) -> Config:
        return cls(hidden=64, sort_steps=2000, set_steps=1500, n_eval=1000, n_test=(5, 10, 15))


def _train(
    name: str, model: ReadProcessWrite, cfg: Config, steps: int, batch: Callable[[int], tuple], lr: float
) -> list[float]:
    """Adam on the teacher-forced cross-entropy of whatever targets ``batch(i)`` returns."""
    opt = nn.optim.Adam(model.parameters(), lr=lr)

    def step(i: int) -> float:
        X, T = batch(i)  # (B, n, 1), (B, T)
        scores = model(nn.Tensor(X), T)  # (B, T, n)
        loss = nn.cross_entropy(scores.reshape(-1, scores.shape[2]), T.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.optim.clip_grad_norm_(model.parameters(), cfg.clip)
        opt.step()
        return loss.item()

    return train_loop(step, steps, desc=f"p08 {name}")


def order_log_probs(model: ReadProcessWrite, X: np.ndarray, T: np.ndarray) -> np.ndarray:
    """log p(order | X) of each of the 3! orders of the targets T (B, 3), no tape → (B, 6)."""
    B = len(X)
    Tp = T[:, PERMS3].reshape(B * 6, 3)  # (6B, 3) every order of every example
    with nn.no_grad():
        s = model(nn.Tensor(np.repeat(X, 6, axis=0)), Tp).log_softmax(dim=2).data  # (6B, 3, n)
    return np.take_along_axis(s, Tp[:, :, None], axis=2).sum(axis=(1, 2)).reshape(B, 6)  # (B, 6)


def encoder_spread(model: ReadProcessWrite, X: np.ndarray, rng: np.random.Generator, n_perms: int) -> float:
    """The invariance probe, in float64: max |q*_P(π X) − q*_P(X)| over n_perms permutations π."""
    m = ReadProcessWrite(
        X.shape[2], model.H, np.random.default_rng(0), encoder=model.encoder_kind, process_steps=model.P
    )
    m.load_state_dict(model.state_dict())
    m.double()
    with nn.no_grad():
        ref = m.encode(nn.Tensor(X.astype(np.float64)))[1].data  # (B, 2H)
        worst = 0.0
        for _ in range(n_perms):
            pi = rng.permutation(X.shape[1])
            worst = max(worst, float(np.abs(m.encode(nn.Tensor(X[:, pi].astype(np.float64)))[1].data - ref).max()))
    return worst


def run(config: Config, rng: np.random.Generator) -> Result:
    cfg = config
    sort_seed, set_seed, init_seed, eval_seed, order_seed = (int(s) for s in rng.integers(0, 2**31, size=5))
    metrics: dict = {}
    histories: dict = {}
    ev = np.random.default_rng(eval_seed)

    # (i) sorting without output masking: P ∈ {0, 1, 5} process steps vs an LSTM encoder
    arms = {f"rpw_P{P}": dict(encoder="rpw", process_steps=P) for P in cfg.process_steps}
    arms["lstm"] = dict(encoder="lstm", process_steps=0)
    tests = {n: make_sort_data(ev, cfg.n_eval, n) for n in cfg.n_test}
    sort_models = {}
    for name, kw in arms.items():
        model = ReadProcessWrite(1, cfg.hidden, np.random.default_rng(init_seed), **kw)
        data = np.random.default_rng(sort_seed)  # the same batches for every arm

        def batch(i, data=data):
            return make_sort_data(data, cfg.batch_size, int(data.integers(cfg.n_train[0], cfg.n_train[1] + 1)))

        histories[f"sort_{name}_loss"] = _train(f"sort {name}", model, cfg, cfg.sort_steps, batch, cfg.lr)
        for n, (X, T) in tests.items():
            C = model.greedy(X, n)
            metrics[f"sort_{name}_n{n}_exact"] = float(np.all(C == T, axis=1).mean())
            metrics[f"sort_{name}_n{n}_step_acc"] = float((C == T).mean())
        sort_models[name] = model
    X_inv = tests[cfg.n_test[-1]][0][:32]
    for name in (f"rpw_P{max(cfg.process_steps)}", "lstm"):
        metrics[f"invariance_{name}"] = encoder_spread(sort_models[name], X_inv, ev, cfg.n_perms)
    X_vec = ev.standard_normal((16, 7, 3))  # sets of vectors: the read layer has no order to exploit either
    vec = ReadProcessWrite(3, cfg.hidden, np.random.default_rng(init_seed), process_steps=max(cfg.process_steps))
    metrics["invariance_rpw_vectors"] = encoder_spread(vec, X_vec, ev, cfg.n_perms)

    # (ii) the output order of a set: the 3 largest of 8 digits, three target orders
    X_set, T_set = make_top3_data(ev, cfg.set_eval, cfg.set_n)
    warm = int(cfg.warmup * cfg.set_steps)
    untrained = ReadProcessWrite(1, cfg.hidden, np.random.default_rng(init_seed), process_steps=cfg.set_process_steps)
    C0 = untrained.greedy(X_set, 3)  # (N, 3) the control: the same model before training
    metrics["set_untrained_exact_set"] = float(np.mean(np.all(np.sort(C0, 1) == np.sort(T_set, 1), axis=1)))
    for arm in ("fixed", "random", "search"):
        model = ReadProcessWrite(1, cfg.hidden, np.random.default_rng(init_seed), process_steps=cfg.set_process_steps)
        data = np.random.default_rng(set_seed)
        orders = np.random.default_rng(order_seed)
        chosen: list[np.ndarray] = []

        def batch(i, model=model, data=data, orders=orders, arm=arm, chosen=chosen):
            X, T = make_top3_data(data, cfg.batch_size, cfg.set_n)  # (B, 8, 1), (B, 3) descending
            if arm == "fixed":
                return X, T
            k = orders.integers(0, 6, size=len(X))  # (B,) a uniformly random order per example
            if arm == "search" and i >= warm:
                k = order_log_probs(model, X, T).argmax(axis=1)  # (B,) the order the model finds likeliest
                chosen.append(k)
            return X, np.take_along_axis(T, PERMS3[k], axis=1)

        histories[f"set_{arm}_loss"] = _train(f"set {arm}", model, cfg, cfg.set_steps, batch, cfg.set_lr)
        C = model.greedy(X_set, 3)  # (N, 3)
        metrics[f"set_{arm}_exact_set"] = float(np.mean(np.all(np.sort(C, 1) == np.sort(T_set, 1), axis=1)))
        metrics[f"set_{arm}_exact_seq"] = float(np.mean(np.all(C == T_set, axis=1)))
        if arm == "search" and not chosen:  # warmup = 1: the search never ran
            metrics["search_modal_order"], metrics["search_modal_share"] = None, 0.0
        if arm == "search" and chosen:
            tail = np.concatenate(chosen[-max(1, len(chosen) // 5) :])  # the last fifth of the search
            counts = np.bincount(tail, minlength=6)
            metrics["search_modal_order"] = [int(v) for v in PERMS3[counts.argmax()]]
            metrics["search_modal_share"] = float(counts.max() / counts.sum())
            histories["search_modal_share"] = [np.bincount(k, minlength=6).max() / len(k) for k in chosen]
    metrics["params"] = {k: m.num_parameters() for k, m in sort_models.items()}
    return Result(metrics=metrics, histories=histories)


# ======================================================================================
# Claims and figures
# ======================================================================================


# Thresholds from the quick preset over seeds 0-11 (per-seed values: docs/results/08_order_matters.md).
INVARIANT_TOL = 1e-10  # the card's bound for a permutation-invariant encoder (measured 0.0 in float64)
VARIANT_MIN = 1e-3  # the card's bound for an order-reading encoder (LSTM measured 3.2-7.3)
SEARCH_LEARNS = 0.30  # the order search's exact-set accuracy: about half the smallest measured (0.612)
UNTRAINED_MAX = 0.10  # the untrained model's exact-set accuracy (chance 1/56 = 0.018): measured 0.0 on every seed
SEARCH_SHARE = 0.9  # the card's criterion for "the search settles on one order": measured 1.0 on every seed
# Not asserted (no direction held on every seed): process steps P = 5 vs 0 on sorting; the LSTM
# encoder vs RPW; fixed vs random output order; search vs random order. Reported in paper_vs_ours.


def claims(result: Result) -> list[Claim]:
    m, cfg = result.metrics, result.config
    P_max = max(cfg["process_steps"])
    return [
        Claim(
            f"Read-Process-Write's encoding q*_P is invariant to the input order: max |Δ| ≤ {INVARIANT_TOL:g} over "
            f"{cfg['n_perms']} permutations (trained on sorting, P = {P_max}; untrained, sets of 3-vectors)",
            {"scalars": m[f"invariance_rpw_P{P_max}"], "vectors": m["invariance_rpw_vectors"]},
            m[f"invariance_rpw_P{P_max}"] <= INVARIANT_TOL and m["invariance_rpw_vectors"] <= INVARIANT_TOL,
        ),
        Claim(
            f"control: the LSTM encoder's final state is not (max |Δ| > {VARIANT_MIN:g})",
            m["invariance_lstm"],
            m["invariance_lstm"] > VARIANT_MIN,
        ),
        Claim(
            f"the order search (random orders for the first {cfg['warmup']:.0%} of training, then the model's "
            f"likeliest of the 3! orders) learns the top 3 of {cfg['set_n']}: exact-set accuracy ≥ {SEARCH_LEARNS}",
            m["set_search_exact_set"],
            m["set_search_exact_set"] >= SEARCH_LEARNS,
        ),
        Claim(
            f"control: the same model untrained is at chance (exact-set accuracy ≤ {UNTRAINED_MAX}; 1/56 = 0.018)",
            m["set_untrained_exact_set"],
            m["set_untrained_exact_set"] <= UNTRAINED_MAX,
        ),
        Claim(
            f"the search settles on one order: in the last fifth of training one order is the likeliest for ≥ "
            f"{SEARCH_SHARE:.0%} of examples",
            {"share": m["search_modal_share"], "order": m["search_modal_order"]},
            m["search_modal_share"] >= SEARCH_SHARE,
        ),
    ]


def figures(result: Result) -> dict:
    from .. import plots

    h = result.histories
    figs = {
        "sort_loss": plots.line_plot(
            {k[5:-5]: v for k, v in h.items() if k.startswith("sort_")},
            title="Sorting without output masking",
            ylabel="cross-entropy per step",
        ),
        "set_loss": plots.line_plot(
            {k[4:-5]: v for k, v in h.items() if k.startswith("set_")},
            title="Top 3 of 8: the target order",
            ylabel="cross-entropy per step",
        ),
    }
    if h.get("search_modal_share"):
        figs["search_share"] = plots.line_plot(
            {"modal order's share": h["search_modal_share"]},
            title="Order search: how often the likeliest order is the most common one",
            xlabel="search step",
            ylabel="share of the batch",
        )
    return figs


def paper_vs_ours(result: Result) -> list[tuple[str, str, str]]:
    m, cfg = result.metrics, result.config
    P_max, n_big = max(cfg["process_steps"]), max(cfg["n_test"])
    ps = ", ".join(f"P={P} {m[f'sort_rpw_P{P}_n{n_big}_step_acc']:.1%}" for P in cfg["process_steps"])
    return [
        (
            "more process steps help sorting (§4.3, Table 1)",
            "accuracy rises with process steps [card, unconfirmed]",
            f"n = {n_big}, per-step accuracy: {ps}; LSTM encoder {m[f'sort_lstm_n{n_big}_step_acc']:.1%}",
        ),
        (
            "the encoding ignores the input order",
            "by construction (§4.2)",
            f"max |Δq*| {m[f'invariance_rpw_P{P_max}']:.1e} (RPW) vs {m['invariance_lstm']:.2f} (LSTM)",
        ),
        (
            "the output order matters (§5)",
            "≈ 5 BLEU in translation, up to ≈ 10% on convex hull [card, secondary summary]",
            f"top 3 of 8, exact set: fixed {m['set_fixed_exact_set']:.1%}, random {m['set_random_exact_set']:.1%}, "
            f"search {m['set_search_exact_set']:.1%} (not asserted: a 0% plateau hits fixed or random on some seeds)",
        ),
        (
            "searching over output orders (§5.2)",
            "recovers a good order during training",
            f"exact set {m['set_search_exact_set']:.1%}; modal order {m.get('search_modal_order')} in "
            f"{m.get('search_modal_share', float('nan')):.0%} of the last fifth's choices",
        ),
    ]
