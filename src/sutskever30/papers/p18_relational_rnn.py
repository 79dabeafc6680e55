"""Relational Recurrent Neural Networks (Santoro et al., 2018).

Adam Santoro, Ryan Faulkner, David Raposo, Jack Rae, Mike Chrzanowski, Théophane Weber,
Daan Wierstra, Oriol Vinyals, Razvan Pascanu, Timothy Lillicrap, NeurIPS 2018.
https://arxiv.org/abs/1806.01822

What is implemented
-------------------
* **The relational memory core (RMC)**, §3: a memory matrix M (N slots × D) carried over
  time. At each step the memory rows attend over [M; x̃], the memory plus the embedded input
  (multi-head dot-product attention, §3.1, Eq. 1 with the input appended to the keys and
  values as in §3.2); a residual connection and layer norm, a row-wise MLP with another
  residual and layer norm (§3.2); then every row is an LSTM-style cell whose input and
  forget gates mix the candidate with the old row (§3.3). The gated update is a new engine
  pair, ``nn.pairs.gated_memory_update_forward/backward``, gradient-checked and twinned
  with PyTorch in the tests.
* **The N-th farthest task** (§4.1): K vectors arrive one per step, each tagged with its
  label, n and m (one-hots); after the last one the model names the label of the n-th
  farthest vector from vector m. The quick preset asks the "farthest from m" question
  (n = 1); the full preset also tries the full task (random n).
* **Baseline**: an LSTM with the same parameter count (±10 %), the same readout MLP, data,
  optimiser, steps and seeds.
* **Controls and probes**: the slot-interaction ablation (each memory row attends only to
  itself and the input, so the memory is a set of independent per-slot cells); zeroing the
  memory before every step of a trained RMC; the input dependence of the attention weights
  and their entropy before and after training.

Differences from the paper (and why)
------------------------------------
* Scale: K = 4 vectors of 2 dimensions (the paper: 8 of 16), 4 slots of 2 heads × 16
  (the authors' reduced example: head size 2048), batch 128 and 1000 (quick) or 3000
  (full) Adam steps instead of 1M. The full N-th farthest task is only tried by the full
  preset and reported: two public reimplementations could not reproduce it at all.
* Asserted vs reported: at this scale the RMC beats neither the parameter-matched LSTM
  nor its own slot-interaction ablation on every seed, so those two comparisons are
  *reported*, not asserted. Asserted: the RMC learns, its attention depends
  on the input and sharpens, zeroing its memory destroys it, untrained it is at chance.
* The gating follows DeepMind's Sonnet RMC, the authors' released code: the gates read the
  input and tanh(M) (the paper's Eq. uses a per-row h), there is no output gate, and the
  core's output is the flattened memory. No output projection after the attention heads
  (also as Sonnet: the heads' concatenation already has the memory's width).
* The readout is one MLP on the final output (the paper's is deeper).

Notation → code
---------------
M (B, N, D) the memory, N = ``n_slots``, D = ``n_heads · head_size``; x_t (B, d_in) the
t-th input, x̃ = ``W_in`` x_t its embedding as a memory row; W^q, W^k, W^v the attention
projections (stacked in ``W_qkv``); M̃ the candidate memory; i, f the input and forget
gates (``W_gate`` on x_t plus ``U_gate`` on tanh M); M' = σ(i) ⊙ tanh(M̃) + σ(f + 1) ⊙ M.

Measured values per seed, and what was tried and rejected: ``docs/results/18_relational_rnn.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import nn
from ..experiment import Claim, Result, train_loop
from ..experiment import Config as _BaseConfig
from ..nn.pairs import rmc as P_rmc

# ======================================================================================
# The model
# ======================================================================================


def gated_memory_update(
    m_tilde: nn.Tensor, m: nn.Tensor, i_pre: nn.Tensor, f_pre: nn.Tensor, *, forget_bias: float = 1.0
) -> nn.Tensor:
    """§3.3: M' = σ(i) ⊙ tanh(M̃) + σ(f + b_f) ⊙ M, one tape node (``nn.pairs.rmc``)."""
    return nn.apply(
        P_rmc.gated_memory_update_forward,
        P_rmc.gated_memory_update_backward,
        m_tilde,
        m,
        i_pre,
        f_pre,
        forget_bias=forget_bias,
    )


class RelationalMemory(nn.Module):
    """One RMC step: M_{t-1}, x_t → M_t (B, N, D).

    ``interact=False`` is the ablation: each row attends only to itself and the input, so
    no information moves between slots (a per-slot recurrent update). ``zero_memory=True``
    feeds zeros instead of M_{t-1} at every step (a trained model then forgets everything
    but the last input). The last step's attention weights are kept in ``self.attn``.
    """

    def __init__(
        self,
        d_in: int,
        n_slots: int = 4,
        n_heads: int = 2,
        head_size: int = 16,
        *,
        rng: np.random.Generator,
        interact: bool = True,
    ):
        super().__init__()
        self.N, self.h, self.d_k = n_slots, n_heads, head_size
        self.D = D = n_heads * head_size
        self.interact, self.zero_memory = interact, False
        self.W_in = nn.Linear(d_in, D, rng=rng)  # x_t → x̃, a row like a memory row
        self.W_qkv = nn.Linear(D, 3 * D, bias=False, rng=rng)  # W^q, W^k, W^v stacked: one product
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.mlp1, self.mlp2 = nn.Linear(D, D, rng=rng), nn.Linear(D, D, rng=rng)
        self.W_gate = nn.Linear(d_in, 2 * D, rng=rng)  # input → (i, f), shared by the rows
        self.U_gate = nn.Linear(D, 2 * D, bias=False, rng=rng)  # tanh(M) → (i, f), per row
        # M_0: slot k starts as the k-th basis vector (Sonnet's initial state), so slots differ
        self.M0 = np.eye(n_slots, D, dtype=np.float32)  # (N, D)
        self.attn: np.ndarray | None = None

    def initial_memory(self, B: int) -> nn.Tensor:
        return nn.Tensor(np.broadcast_to(self.M0.astype(self.W_in.weight.dtype), (B, self.N, self.D)).copy())

    def _heads(self, t: nn.Tensor) -> nn.Tensor:
        B, T, _ = t.shape
        return t.reshape(B, T, self.h, self.d_k).permute(0, 2, 1, 3)  # (B, h, T, d_k)

    def attend(self, M: nn.Tensor, x_row: nn.Tensor) -> nn.Tensor:
        """§3.1-3.2: rows of M attend over [M; x̃] with h heads; returns (B, N, D)."""
        B = M.shape[0]
        MX = nn.cat([M, x_row], dim=1)  # (B, N+1, D) the memory plus the input row
        q, k, v = nn.split(self.W_qkv(MX), self.D, dim=2)  # (B, N+1, D) each
        q, _ = nn.split(q, [self.N, 1], dim=1)  # (B, N, D): only memory rows ask, the input row is read
        Q, K, V = self._heads(q), self._heads(k), self._heads(v)  # (B, h, N, d_k), (B, h, N+1, d_k) ×2
        mask = None
        if not self.interact:  # row k may see only slot k and the input
            mask = np.concatenate([np.eye(self.N, dtype=bool), np.ones((self.N, 1), bool)], axis=1)  # (N, N+1)
        out, attn = nn.scaled_dot_product_attention(Q, K, V, attn_mask=mask, need_weights=True)  # (B, h, N, d_k)
        self.attn = attn.data  # (B, h, N, N+1)
        return out.permute(0, 2, 1, 3).reshape(B, self.N, self.D)  # (B, N, h·d_k)

    def embed(self, X: nn.Tensor) -> tuple[nn.Tensor, nn.Tensor]:
        """The input's two projections for all T steps in one product each: x̃_t and W_gate x_t."""
        return self.W_in(X), self.W_gate(X)  # (B, T, D), (B, T, 2D)

    def forward(self, x_row: nn.Tensor, x_gate: nn.Tensor, M: nn.Tensor) -> nn.Tensor:
        """x_row (B, 1, D) = x̃_t, x_gate (B, 1, 2D) = W_gate x_t, M (B, N, D) = M_{t−1} → M_t."""
        if self.zero_memory:
            M = M * 0.0  # (B, N, D) the control: nothing survives from step t−1
        M_att = self.norm1(M + self.attend(M, x_row))  # (B, N, D) residual + layer norm
        M_tilde = self.norm2(M_att + self.mlp2(nn.relu(self.mlp1(M_att))))  # (B, N, D) row-wise MLP
        gates = x_gate + self.U_gate(nn.tanh(M))  # (B, N, 2D) the input's part is shared by the rows
        i_pre, f_pre = nn.split(gates, self.D, dim=2)  # (B, N, D) each
        return gated_memory_update(M_tilde, M, i_pre, f_pre)  # (B, N, D)


class RMCClassifier(nn.Module):
    """Reads the K inputs with the RMC, then an MLP on the flattened final memory → K logits."""

    def __init__(self, d_in: int, n_out: int, n_slots: int, n_heads: int, head_size: int, hidden: int, *, rng, **kw):
        super().__init__()
        self.core = RelationalMemory(d_in, n_slots, n_heads, head_size, rng=rng, **kw)
        self.fc1 = nn.Linear(n_slots * self.core.D, hidden, rng=rng)
        self.fc2 = nn.Linear(hidden, n_out, rng=rng)

    def forward(self, X: nn.Tensor) -> nn.Tensor:
        B, T, _ = X.shape  # (B, T, d_in)
        M = self.core.initial_memory(B)  # (B, N, D)
        X_row, X_gate = self.core.embed(X)  # (B, T, D), (B, T, 2D)
        # split, not X[:, t]: one tape node whose backward is a concatenation
        for x_row, x_gate in zip(nn.split(X_row, 1, dim=1), nn.split(X_gate, 1, dim=1)):
            M = self.core(x_row, x_gate, M)  # (B, N, D) from x_row (B, 1, D), x_gate (B, 1, 2D)
        return self.fc2(nn.relu(self.fc1(M.reshape(B, -1))))  # (B, K)


class LSTMClassifier(nn.Module):
    """The baseline: an LSTM over the K inputs, the same kind of readout MLP on h_T."""

    def __init__(self, d_in: int, n_out: int, hidden_size: int, hidden: int, *, rng):
        super().__init__()
        self.lstm = nn.LSTM(d_in, hidden_size, batch_first=True, rng=rng)
        self.fc1 = nn.Linear(hidden_size, hidden, rng=rng)
        self.fc2 = nn.Linear(hidden, n_out, rng=rng)

    def forward(self, X: nn.Tensor) -> nn.Tensor:
        _, (h_T, _) = self.lstm(X)  # (1, B, H)
        return self.fc2(nn.relu(self.fc1(h_T.reshape(X.shape[0], -1))))  # (B, K)


def matched_lstm_size(target: int, d_in: int, n_out: int, hidden: int) -> int:
    """The LSTM width whose classifier has the parameter count closest to ``target``."""
    count = lambda H: 4 * H * (d_in + H + 2) + H * hidden + hidden + hidden * n_out + n_out  # noqa: E731
    return min(range(1, 1024), key=lambda H: abs(count(H) - target))


# ======================================================================================
# The data
# ======================================================================================


def nth_farthest(
    B: int, K: int, d: int, rng: np.random.Generator, *, n: int | None = 1
) -> tuple[np.ndarray, np.ndarray]:
    """N-th farthest (§4.1): K vectors uniform in [−1, 1]^d, each input is
    [vector, label one-hot, n one-hot, m one-hot]; the target is the label of the n-th
    farthest vector from vector m. ``n=1`` asks "farthest from m"; ``n=None`` draws n.

    Returns X (B, K, d + 3K) float32 and y (B,) int.
    """
    vecs = rng.uniform(-1, 1, size=(B, K, d))  # (B, K, d)
    m = rng.integers(0, K, size=B)  # (B,)
    n_idx = rng.integers(0, K, size=B) if n is None else np.full(B, n - 1)  # (B,) 0-based
    dist = np.linalg.norm(vecs - vecs[np.arange(B), m][:, None, :], axis=2)  # (B, K)
    order = np.argsort(-dist, axis=1, kind="stable")  # (B, K) farthest first
    y = order[np.arange(B), n_idx]  # (B,)
    eye = np.eye(K)
    X = np.concatenate(
        [vecs, np.broadcast_to(eye, (B, K, K)), np.repeat(eye[n_idx][:, None], K, 1), np.repeat(eye[m][:, None], K, 1)],
        axis=2,
    )  # (B, K, d + 3K)
    return X.astype(np.float32), y


# ======================================================================================
# The experiment
# ======================================================================================


@dataclass
class Config(_BaseConfig):
    K: int = 4  # vectors per sequence (the paper: 8)
    d: int = 2  # their dimension (the paper: 16)
    n_slots: int = 4
    n_heads: int = 2
    head_size: int = 16
    hidden: int = 64  # the readout MLP's width
    batch_size: int = 128
    steps: int = 1000
    lr: float = 3e-3
    n_test: int = 2000
    evals: int = 10  # test-accuracy points on each learning curve
    full_task: bool = False  # also train RMC and LSTM on the full N-th farthest task (random n)

    @classmethod
    def smoke(cls) -> Config:
        return cls(steps=20, batch_size=32, n_test=200, evals=2, full_task=True)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def full(cls) -> Config:
        return cls(steps=3000, full_task=True)


def accuracy(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    """Test accuracy from the model's logits, no tape."""
    with nn.no_grad():
        return float(np.mean(model(nn.Tensor(X)).data.argmax(axis=1) == y))


def attention_probe(model: RMCClassifier, X: np.ndarray) -> dict[str, float]:
    """The last step's attention over [M; x̃] on the test inputs.

    ``tv``: total-variation distance between the attention distributions of two different
    examples (each example against the next one), averaged over heads and rows: 0 if the
    weights ignore the input. ``entropy``: mean entropy of a row's attention, in nats.
    """
    with nn.no_grad():
        model(nn.Tensor(X))
    a = model.core.attn.astype(np.float64)  # (B, h, N, N+1)
    tv = 0.5 * np.abs(a - np.roll(a, 1, axis=0)).sum(axis=-1)  # (B, h, N)
    ent = -(a * np.log(np.clip(a, 1e-12, None))).sum(axis=-1)  # (B, h, N)
    return {"tv": float(tv.mean()), "entropy": float(ent.mean())}


def train(
    name: str, model: nn.Module, cfg: Config, data_seed: int, test: tuple[np.ndarray, np.ndarray], n: int | None
) -> dict:
    """Adam on fresh batches from one data stream (the same for every model of a run)."""
    X_te, y_te = test
    data_rng = np.random.default_rng(data_seed)
    opt = nn.optim.Adam(model.parameters(), lr=cfg.lr)
    every = max(1, cfg.steps // cfg.evals)
    curve: list[float] = []

    def step(i: int) -> float:
        X, y = nth_farthest(cfg.batch_size, cfg.K, cfg.d, data_rng, n=n)  # (B, K, d+3K), (B,)
        loss = nn.cross_entropy(model(nn.Tensor(X)), y)  # ()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if (i + 1) % every == 0:
            curve.append(accuracy(model, X_te, y_te))
        return loss.item()

    losses = train_loop(step, cfg.steps, desc=f"p18 {name}")
    return {"losses": losses, "curve": curve, "acc": accuracy(model, X_te, y_te)}


def run(config: Config, rng: np.random.Generator) -> Result:
    cfg = config
    d_in = cfg.d + 3 * cfg.K
    test_seed, data_seed, init_seed = (int(s) for s in rng.integers(0, 2**31, size=3))
    tasks = {"farthest": 1, "nth": None} if cfg.full_task else {"farthest": 1}

    def rmc(interact: bool = True) -> RMCClassifier:
        # the same init seed: the ablation starts from the RMC's own weights
        return RMCClassifier(
            d_in, cfg.K, cfg.n_slots, cfg.n_heads, cfg.head_size, cfg.hidden,
            rng=np.random.default_rng(init_seed), interact=interact,
        )  # fmt: skip

    n_params = rmc().num_parameters()
    H = matched_lstm_size(n_params, d_in, cfg.K, cfg.hidden)
    metrics: dict = {"rmc_params": n_params, "lstm_params": 0, "lstm_hidden": H}
    histories: dict = {}
    arrays: dict = {}
    for task, n in tasks.items():
        test = nth_farthest(cfg.n_test, cfg.K, cfg.d, np.random.default_rng([test_seed, len(task)]), n=n)
        models = {
            "rmc": rmc(),
            "lstm": LSTMClassifier(d_in, cfg.K, H, cfg.hidden, rng=np.random.default_rng(init_seed)),
        }
        if task == "farthest":
            models["noint"] = rmc(interact=False)
            untrained = rmc()
            metrics["untrained_acc"] = accuracy(untrained, *test)
            probe0 = attention_probe(untrained, test[0])
            metrics["attn_tv_init"], metrics["attn_entropy_init"] = probe0["tv"], probe0["entropy"]
        metrics["lstm_params"] = models["lstm"].num_parameters()
        for name, model in models.items():
            r = train(f"{task} {name}", model, cfg, data_seed, test, n)
            metrics[f"{task}_{name}_acc"] = r["acc"]
            histories[f"{task}_{name}_loss"] = r["losses"]
            histories[f"{task}_{name}_curve"] = r["curve"]
        if task == "farthest":
            core = models["rmc"].core
            probe = attention_probe(models["rmc"], test[0])
            metrics["attn_tv"], metrics["attn_entropy"] = probe["tv"], probe["entropy"]
            arrays["attn"] = core.attn[:4].mean(axis=1)  # (4, N, N+1) four examples, mean over heads
            core.zero_memory = True
            metrics["zero_memory_acc"] = accuracy(models["rmc"], *test)
            core.zero_memory = False
        # the best a rule can do without comparing vectors: never answer m (1/(K−1))
        metrics[f"{task}_chance"] = 1.0 / (cfg.K - 1) if n == 1 else 1.0 / cfg.K
    return Result(metrics=metrics, histories=histories, arrays=arrays)


# ======================================================================================
# Claims and figures
# ======================================================================================

# Thresholds sit at about half the smallest margin measured over seeds 0-7 (docs/results/18_relational_rnn.md).
LEARN_MARGIN = 0.12  # RMC accuracy above the "never m" rule's 1/3: smallest measured 0.230 (seed 4)
ATTN_TV = 0.2  # attention distance between two inputs (≈ 0.02 at init): smallest measured 0.401 (seeds 4, 5)
ENTROPY_DROP = 0.17  # attention entropy, init minus trained (nats): smallest measured 0.345 (seed 4)
ZERO_DROP = 0.12  # accuracy lost when the memory is zeroed: smallest measured 0.236 (seed 4)
UNTRAINED_SLACK = 0.10  # |untrained accuracy − 1/4|: largest measured 0.057 (seed 3), so about twice it
PARAM_TOL = 0.10  # the card's ±10 % parameter match


def claims(result: Result) -> list[Claim]:
    m, cfg = result.metrics, result.config
    acc, chance = m["farthest_rmc_acc"], m["farthest_chance"]
    rel = abs(m["lstm_params"] - m["rmc_params"]) / m["rmc_params"]
    return [
        Claim(
            f"the RMC learns 'farthest from m': test accuracy ≥ 1/{cfg['K'] - 1} (never answering m) + {LEARN_MARGIN}",
            acc,
            acc >= chance + LEARN_MARGIN,
        ),
        Claim(
            f"the attention over [M; x] depends on the input: mean total-variation distance between two "
            f"examples' weights ≥ {ATTN_TV}",
            m["attn_tv"],
            m["attn_tv"] >= ATTN_TV,
        ),
        Claim(
            f"the attention sharpens with training: mean row entropy drops by ≥ {ENTROPY_DROP} nats from init",
            {"init": m["attn_entropy_init"], "trained": m["attn_entropy"]},
            m["attn_entropy"] <= m["attn_entropy_init"] - ENTROPY_DROP,
        ),
        Claim(
            f"control: zeroing the memory before every step of the trained RMC costs ≥ {ZERO_DROP} accuracy",
            {"trained": acc, "zeroed memory": m["zero_memory_acc"]},
            m["zero_memory_acc"] <= acc - ZERO_DROP,
        ),
        Claim(
            f"control: the untrained RMC is at chance (|accuracy − 1/{cfg['K']}| ≤ {UNTRAINED_SLACK})",
            m["untrained_acc"],
            abs(m["untrained_acc"] - 1 / cfg["K"]) <= UNTRAINED_SLACK,
        ),
        Claim(
            f"the LSTM baseline has the RMC's parameter count (±{PARAM_TOL:.0%}), data, steps and seeds",
            {"rmc": m["rmc_params"], "lstm": m["lstm_params"]},
            rel <= PARAM_TOL,
        ),
    ]


def figures(result: Result) -> dict:
    from .. import plots

    h, cfg = result.histories, result.config
    names = {"rmc": "RMC", "noint": "RMC, no slot interaction", "lstm": "LSTM (matched)"}
    every = max(1, cfg["steps"] // cfg["evals"])
    figs = {}
    for task in ("farthest", "nth"):
        curves = {label: h[f"{task}_{k}_curve"] for k, label in names.items() if f"{task}_{k}_curve" in h}
        if curves:
            n = min(len(c) for c in curves.values())
            figs[f"{task}_accuracy"] = plots.line_plot(
                {k: v[:n] for k, v in curves.items()},
                x=np.arange(1, n + 1) * every,
                title="Farthest from m" if task == "farthest" else "N-th farthest (full task)",
                xlabel="Adam step",
                ylabel="test accuracy",
                hlines={"chance (never m)" if task == "farthest" else "chance": result.metrics[f"{task}_chance"]},
            )
    if "attn" in result.arrays:
        a = result.arrays["attn"]  # (4, N, N+1)
        figs["attention"] = plots.heatmap(
            a.reshape(-1, a.shape[-1]),
            title="Last-step attention, 4 test inputs",
            xlabel="key: memory slots, then input",
            ylabel="example × slot (4 rows each)",
        )
    return figs


def paper_vs_ours(result: Result) -> list[tuple[str, str, str]]:
    m = result.metrics
    rows = [
        (
            "RMC on its relational task",
            "91% on N-th farthest (8 vectors of 16 dims)",
            f"{m['farthest_rmc_acc']:.1%} on 'farthest from m' (4 vectors of 2 dims)",
        ),
        (
            "LSTM on the same task",
            "about 30% on N-th farthest",
            f"{m['farthest_lstm_acc']:.1%} ({m['lstm_params']} parameters vs the RMC's {m['rmc_params']})",
        ),
        (
            "memory–memory attention matters",
            "the model's premise (§1, §3.1); no such ablation reported",
            f"slot-interaction ablation {m['farthest_noint_acc']:.1%} vs RMC {m['farthest_rmc_acc']:.1%} (reported)",
        ),
    ]
    if "nth_rmc_acc" in m:
        rows.append(
            (
                "full N-th farthest task",
                "RMC 91%, LSTM about 30%",
                f"RMC {m['nth_rmc_acc']:.1%}, LSTM {m['nth_lstm_acc']:.1%} (chance {m['nth_chance']:.0%})",
            )
        )
    return rows
