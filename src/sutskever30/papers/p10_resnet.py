"""Deep Residual Learning for Image Recognition (ResNet).

Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun, CVPR 2016 (arXiv 2015).
https://arxiv.org/abs/1512.03385

What is implemented
-------------------
The paper's first observation and its fix, at toy scale:

* **The degradation problem** (Section 1, Figure 1; Section 4.2, Figure 6): a deeper
  *plain* network reaches a *higher training error* than a shallower one. This is not
  overfitting (the training error is worse) and, with a good init, not vanishing
  gradients in the usual sense: the deeper net is just harder to optimise.
* **Residual learning** (Section 3.1-3.2, Eq. 1): each block of two weight layers learns
  F(x) = W₂ σ(W₁ x) and outputs y = σ(F(x) + x): the identity shortcut is added *before*
  the block's final ReLU σ. Plain and residual nets have exactly the same layers and
  parameter count; only the ``+ x`` differs.
* The same optimiser (SGD, momentum 0.9), learning rate, batch order, budget and He
  initialisation (Section 3.4; He et al. 2015, N(0, 2/fan_in)) for both families.
* Controls: the residual code path with the shortcut multiplied by 0 computes exactly the
  plain net (tested on shared weights), and trained from the residual init it fails like
  a plain net (``res_noskip``).
* The full preset adds batch normalisation after every hidden weight layer (before the
  ReLU, and before the addition in a block), in both families, as the paper does.

Models (MLPs on the 8×8 digits, 64 inputs, width 32; depth = number of weight layers,
counted as the paper counts them)::

    stem  Linear(64, 32) → ReLU
    (depth − 2)/2 blocks of two Linear(32, 32) layers
        plain:     x → σ(W₂ σ(W₁ x))
        residual:  x → σ(W₂ σ(W₁ x) + x)
    head  Linear(32, 10)

The network is an MLP, not a CNN, because the phenomenon is about depth and
optimisation, not convolution; a 40-layer MLP on 1,400 digits trains in about a second.

Differences from the paper (and why)
------------------------------------
* CIFAR-10 and 20-110-layer CNNs → 1,400 digits and 2/20/40-layer MLPs of width 32.
* No batch normalisation in the quick preset (the paper uses it everywhere; the full
  preset adds it to both families). Without BN, He init keeps the *plain* net's forward
  signal at unit scale (the right init for it), but a residual sum of He-initialised
  branches doubles the variance at every block (2^19 after 19 blocks), and res-40 then
  diverges at once. So the last layer of every residual branch is initialised at 0.1×
  its He scale (the idea behind "zero-init" of the last BN γ in later ResNet recipes and
  Fixup). It is a property of the residual family's init, not of the optimiser; the plain
  family keeps plain He init (scaling its layers by 0.1 would kill its signal, an unfair
  baseline). ``branch_scale=1.0`` in the config gives the pure-He residual net (res-40
  then diverges at step 2; see docs/results/10_resnet.md).
* "Training error" is the error on the whole training set after training (no augmentation,
  no dropout), plus the mean training loss over the last epoch.

Notation → code
---------------
x (N, 64) inputs, y (N,) labels; F(x, {W_i}) = W₂ σ(W₁ x) the residual function
(``Block.forward``), σ = ReLU, y = σ(F(x) + x) (Eq. 1 with the ReLU after the addition);
the skip is ``skip_scale * x`` (1 normally, 0 for the control).

Measured values per seed, and what was tried and rejected: ``docs/results/10_resnet.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import nn
from ..data.digits import load_digits_split
from ..experiment import Claim, Result, TrainingDiverged, train_loop
from ..experiment import Config as _BaseConfig

# ======================================================================================
# The model
# ======================================================================================


def he_linear(n_in: int, n_out: int, rng: np.random.Generator, scale: float = 1.0) -> nn.Linear:
    """Linear layer with He init, W ~ N(0, 2/n_in)·scale², b = 0."""
    layer = nn.Linear(n_in, n_out, rng=rng)
    layer.weight.data[...] = scale * np.sqrt(2.0 / n_in) * rng.standard_normal((n_out, n_in))  # (out, in)
    layer.bias.data[...] = 0.0
    return layer


class Block(nn.Module):
    """Two weight layers. Plain: σ(W₂ σ(W₁ x)). Residual: σ(W₂ σ(W₁ x) + s·x), s = skip_scale."""

    def __init__(
        self,
        width: int,
        rng: np.random.Generator,
        *,
        residual: bool,
        batch_norm: bool = False,
        branch_scale: float = 1.0,
    ):
        super().__init__()
        self.residual = residual
        self.skip_scale = 1.0 if residual else 0.0
        self.fc1 = he_linear(width, width, rng)
        self.fc2 = he_linear(width, width, rng, scale=branch_scale if residual else 1.0)
        self.bn1 = nn.BatchNorm1d(width) if batch_norm else nn.Identity()
        self.bn2 = nn.BatchNorm1d(width) if batch_norm else nn.Identity()

    def forward(self, x: nn.Tensor) -> nn.Tensor:
        h = nn.relu(self.bn1(self.fc1(x)))  # (N, D)
        F_x = self.bn2(self.fc2(h))  # (N, D) the residual function F(x)
        if self.skip_scale != 0.0:
            F_x = F_x + self.skip_scale * x  # (N, D) F(x) + x, before the final ReLU
        return nn.relu(F_x)  # (N, D)


class DeepMLP(nn.Module):
    """stem → (depth − 2)/2 blocks → head; ``depth`` counts weight layers."""

    def __init__(
        self,
        depth: int,
        rng: np.random.Generator,
        *,
        residual: bool,
        width: int = 32,
        n_in: int = 64,
        n_out: int = 10,
        batch_norm: bool = False,
        branch_scale: float = 1.0,
    ):
        super().__init__()
        if depth < 2 or depth % 2:
            raise ValueError(f"depth must be an even number >= 2 (stem + blocks of 2 + head), got {depth}")
        self.depth, self.residual = depth, residual
        self.stem = he_linear(n_in, width, rng)
        self.stem_bn = nn.BatchNorm1d(width) if batch_norm else nn.Identity()
        self.blocks = nn.ModuleList(
            [
                Block(width, rng, residual=residual, batch_norm=batch_norm, branch_scale=branch_scale)
                for _ in range((depth - 2) // 2)
            ]
        )
        # the head keeps PyTorch's default init (no ReLU follows it)
        self.head = nn.Linear(width, n_out, rng=rng)

    def set_skip_scale(self, s: float) -> None:
        """Multiply every shortcut by ``s`` (0 turns the residual net into the plain one)."""
        for b in self.blocks:
            b.skip_scale = float(s)

    def n_weight_layers(self) -> int:
        return sum(isinstance(m, nn.Linear) for m in self.modules())

    def forward(self, x: nn.Tensor) -> nn.Tensor:
        h = nn.relu(self.stem_bn(self.stem(x)))  # (N, D)
        for block in self.blocks:
            h = block(h)  # (N, D)
        return self.head(h)  # (N, 10)


# ======================================================================================
# The data
# ======================================================================================


def standardised_digits(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The 8×8 digits (1400 train / 397 test), standardised per pixel with the training statistics."""
    X_tr, y_tr, X_te, y_te = load_digits_split(rng)  # (1400, 64), (1400,), (397, 64), (397,)
    mu, sd = X_tr.mean(axis=0), X_tr.std(axis=0) + 0.1  # (64,) (64,)
    return ((X_tr - mu) / sd).astype(np.float32), y_tr, ((X_te - mu) / sd).astype(np.float32), y_te


# ======================================================================================
# The experiment
# ======================================================================================


@dataclass
class Config(_BaseConfig):
    width: int = 32
    depths_plain: tuple[int, ...] = (2, 20, 40)
    depths_res: tuple[int, ...] = (20, 40)
    epochs: int = 30
    batch_size: int = 64
    lr: float = 0.01
    momentum: float = 0.9
    batch_norm: bool = False
    branch_scale: float = 0.1

    @classmethod
    def smoke(cls) -> Config:
        return cls(epochs=2, depths_plain=(2, 6), depths_res=(6,), batch_size=200)

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def full(cls) -> Config:
        return cls(batch_norm=True, epochs=40, depths_plain=(2, 20, 40, 56), depths_res=(20, 40, 56))


def evaluate(model: nn.Module, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) over the whole set, eval mode, no tape."""
    model.eval()
    with nn.no_grad():
        scores = model(nn.Tensor(X))  # (N, 10)
        loss = nn.cross_entropy(scores, y).item()
        acc = float(np.mean(scores.data.argmax(axis=1) == y))
    model.train()
    return loss, acc


def train_model(
    name: str,
    model: DeepMLP,
    cfg: Config,
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    order_seed: int,
) -> dict:
    """SGD + momentum on one model; a diverged run (NaN/Inf loss) is recorded, not raised."""
    X_tr, y_tr, X_te, y_te = data
    N = len(y_tr)
    steps_per_epoch = N // cfg.batch_size
    order_rng = np.random.default_rng(order_seed)  # the same batch order for every model
    opt = nn.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    perm = order_rng.permutation(N)
    epoch_err: list[float] = []

    def step(i: int) -> float:
        nonlocal perm
        j = i % steps_per_epoch
        if j == 0 and i > 0:
            _, acc = evaluate(model, X_tr, y_tr)
            epoch_err.append(1.0 - acc)
            perm = order_rng.permutation(N)
        idx = perm[j * cfg.batch_size : (j + 1) * cfg.batch_size]  # (B,)
        loss = nn.cross_entropy(model(nn.Tensor(X_tr[idx])), y_tr[idx])  # ()
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    diverged_at = None
    try:
        losses = train_loop(step, cfg.epochs * steps_per_epoch, desc=f"p10 {name}")
        train_loss, train_acc = evaluate(model, X_tr, y_tr)
        test_loss, test_acc = evaluate(model, X_te, y_te)
        epoch_err.append(1.0 - train_acc)
    except TrainingDiverged as exc:  # the deep plain net may blow up: that is a result
        diverged_at = str(exc)
        losses, train_loss, train_acc, test_loss, test_acc = [], float("inf"), 0.0, float("inf"), 0.0
    if not np.isfinite(train_loss):  # finite steps, but the final weights overflow
        train_loss, train_acc = float("inf"), 0.0
        diverged_at = diverged_at or "final evaluation overflowed"
    return {
        "losses": losses,
        "epoch_err": epoch_err,
        "train_loss": train_loss,
        "train_acc": train_acc,
        "test_loss": test_loss,
        "test_acc": test_acc,
        "diverged": diverged_at,
        "params": model.num_parameters(),
        "weight_layers": model.n_weight_layers(),
    }


def run(config: Config, rng: np.random.Generator) -> Result:
    data = standardised_digits(rng)
    init_seed, order_seed = (int(s) for s in rng.integers(0, 2**31, size=2))

    def build(depth: int, residual: bool) -> DeepMLP:
        # the init seed depends on the depth only: plain-d and res-d start from the same
        # weights except the residual branches' last layers (scaled by branch_scale)
        return DeepMLP(
            depth,
            np.random.default_rng([init_seed, depth]),
            residual=residual,
            width=config.width,
            batch_norm=config.batch_norm,
            branch_scale=config.branch_scale,
        )

    runs: dict[str, dict] = {}
    for d in config.depths_plain:
        runs[f"plain_{d}"] = train_model(f"plain-{d}", build(d, False), config, data, order_seed)
    for d in config.depths_res:
        runs[f"res_{d}"] = train_model(f"res-{d}", build(d, True), config, data, order_seed)
    d_max = max(config.depths_res)
    control = build(d_max, True)
    control.set_skip_scale(0.0)  # residual init and code path, shortcut × 0
    runs[f"res_{d_max}_noskip"] = train_model(f"res-{d_max} skip=0", control, config, data, order_seed)

    metrics: dict = {}
    histories: dict = {}
    for name, r in runs.items():
        for key in ("train_loss", "train_acc", "test_loss", "test_acc", "diverged", "params", "weight_layers"):
            metrics[f"{name}_{key}"] = r[key]
        histories[f"{name}_loss"] = r["losses"]
        histories[f"{name}_epoch_err"] = r["epoch_err"]
    return Result(metrics=metrics, histories=histories)


# ======================================================================================
# Claims and figures
# ======================================================================================


# Thresholds sit at about half the smallest margin measured over seeds (docs/results/10_resnet.md).
ERR_GAP = 0.08  # plain-deep's training error minus plain-2's: smallest measured 0.171
LOSS_RATIO = 4.0  # plain-deep's loss over plain-2's: smallest measured 8.2
RESIDUAL_GAIN = 10.0  # plain-mid's loss over res-mid's: smallest measured 122 (10 is far below half)
WELL_LOSS, WELL_ACC = 0.05, 0.99  # residual nets end at loss <= 3.4e-4 and accuracy 1.000
DEPTH_SLACK = 0.01  # res-deep may trail res-mid by one point of training accuracy
CONTROL_LOSS = 0.5  # the skip-zeroed net stays at chance, ln 10 = 2.30


def claims(result: Result) -> list[Claim]:
    m, cfg = result.metrics, result.config
    shallow = min(cfg["depths_plain"])
    deep = max(cfg["depths_res"])
    mid = min(cfg["depths_res"])
    loss = lambda name: m[f"{name}_train_loss"]  # noqa: E731  (inf when diverged)
    acc = lambda name: m[f"{name}_train_acc"]  # noqa: E731
    out = [
        Claim(
            f"degradation: plain-{deep} has a higher training error than plain-{shallow} (by ≥ {ERR_GAP}; "
            "a diverged run counts as error 1)",
            {f"plain_{deep}": 1 - acc(f"plain_{deep}"), f"plain_{shallow}": 1 - acc(f"plain_{shallow}")},
            1 - acc(f"plain_{deep}") >= 1 - acc(f"plain_{shallow}") + ERR_GAP,
        ),
        Claim(
            f"degradation in the loss too: plain-{deep} train loss ≥ {LOSS_RATIO:g}× plain-{shallow}'s",
            {f"plain_{deep}": loss(f"plain_{deep}"), f"plain_{shallow}": loss(f"plain_{shallow}")},
            loss(f"plain_{deep}") >= LOSS_RATIO * loss(f"plain_{shallow}"),
        ),
        Claim(
            f"at depth {mid} too the residual net trains far better: "
            f"res-{mid} train loss ≤ plain-{mid} / {RESIDUAL_GAIN:g}",
            {f"res_{mid}": loss(f"res_{mid}"), f"plain_{mid}": loss(f"plain_{mid}")},
            loss(f"res_{mid}") <= loss(f"plain_{mid}") / RESIDUAL_GAIN,
        ),
        Claim(
            f"res-{deep} trains well: train loss ≤ {WELL_LOSS} and train accuracy ≥ {WELL_ACC}",
            {"loss": loss(f"res_{deep}"), "acc": acc(f"res_{deep}")},
            loss(f"res_{deep}") <= WELL_LOSS and acc(f"res_{deep}") >= WELL_ACC,
        ),
        Claim(
            f"res-{mid} trains well: train loss ≤ {WELL_LOSS} and train accuracy ≥ {WELL_ACC}",
            {"loss": loss(f"res_{mid}"), "acc": acc(f"res_{mid}")},
            loss(f"res_{mid}") <= WELL_LOSS and acc(f"res_{mid}") >= WELL_ACC,
        ),
        Claim(
            f"depth does not hurt the residual net: res-{deep} train acc ≥ res-{mid} train acc − {DEPTH_SLACK}",
            {f"res_{deep}": acc(f"res_{deep}"), f"res_{mid}": acc(f"res_{mid}")},
            acc(f"res_{deep}") >= acc(f"res_{mid}") - DEPTH_SLACK,
        ),
        Claim(
            f"control: res-{deep} with the shortcut × 0 does not train (train loss ≥ {CONTROL_LOSS})",
            loss(f"res_{deep}_noskip"),
            loss(f"res_{deep}_noskip") >= CONTROL_LOSS,
        ),
        Claim(
            f"plain-{deep} and res-{deep} have the same {deep} weight layers and parameter count",
            {
                "layers": [m[f"plain_{deep}_weight_layers"], m[f"res_{deep}_weight_layers"]],
                "params": [m[f"plain_{deep}_params"], m[f"res_{deep}_params"]],
            },
            m[f"plain_{deep}_weight_layers"] == m[f"res_{deep}_weight_layers"] == deep
            and m[f"plain_{deep}_params"] == m[f"res_{deep}_params"],
        ),
    ]
    return out


def figures(result: Result) -> dict:
    from .. import plots

    h, cfg = result.histories, result.config
    figs = {}
    err = {}
    for d in cfg["depths_plain"]:
        err[f"plain-{d}"] = h[f"plain_{d}_epoch_err"]
    for d in cfg["depths_res"]:
        err[f"ResNet-{d}"] = h[f"res_{d}_epoch_err"]
    n = max(len(v) for v in err.values())
    pad = lambda c: list(c) + [float("nan")] * (n - len(c))  # noqa: E731  (a diverged run stops early)
    figs["train_error"] = plots.line_plot(
        {k: pad(v) for k, v in err.items()},
        x=np.arange(1, n + 1),
        title="Plain vs residual (cf. Figs. 1, 6)",
        xlabel="epoch",
        ylabel="training error",
    )
    figs["train_loss"] = plots.line_plot(
        {k.replace("_loss", ""): v for k, v in h.items() if k.endswith("_loss") and v},
        title="Training loss per step",
        xlabel="step",
        ylabel="cross-entropy",
        logy=True,
    )
    return figs


def paper_vs_ours(result: Result) -> list[tuple[str, str, str]]:
    m, cfg = result.metrics, result.config
    shallow, deep = min(cfg["depths_plain"]), max(cfg["depths_res"])
    err = lambda name: 1 - m[f"{name}_train_acc"]  # noqa: E731
    return [
        (
            "a deeper plain net trains worse",
            "plain-56 above plain-20 in training error (CIFAR-10, Fig. 1)",
            f"plain-{deep} {err(f'plain_{deep}'):.3f} vs plain-{shallow} {err(f'plain_{shallow}'):.3f} training error",
        ),
        (
            "shortcuts fix it at the same depth",
            "ResNet-34 25.03% vs plain-34 28.54% top-1 error (ImageNet, Table 2)",
            f"res-{deep} {err(f'res_{deep}'):.3f} vs plain-{deep} {err(f'plain_{deep}'):.3f} training error",
        ),
        (
            "the shortcut is what matters",
            "(not run in the paper)",
            f"res-{deep} with the shortcut × 0: loss {m[f'res_{deep}_noskip_train_loss']:.2f} (chance 2.30)",
        ),
    ]
