"""Optimizers, gradient clipping and learning-rate schedules, with PyTorch's names and semantics.

An optimizer owns ``param_groups`` (a list of dicts: ``"params"`` plus the group's
hyper-parameters) and a per-parameter ``state`` (moment estimates, step counts). ``step()``
reads each parameter's ``.grad`` and updates ``.data`` **in place**; parameters whose grad is
``None`` are skipped (their state, including Adam's step count, does not advance), exactly as
in ``torch.optim``. Gradients accumulate until ``zero_grad()``.

    opt = optim.Adam(model.parameters(), lr=3e-4)
    sched = optim.CosineAnnealingLR(opt, T_max=1000)
    for x, y in batches:
        opt.zero_grad()
        loss = nn.cross_entropy(model(x), y)
        loss.backward()
        optim.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
        sched.step()

Notation in the docstrings follows PyTorch's documentation: θ parameters, g gradient,
γ learning rate, λ weight decay, t the (1-based) step of a parameter.

Dtypes: updates never leave the parameter's dtype. Hyper-parameters are kept as Python
floats, which NumPy treats as "weak" scalars, so ``float32 array * lr`` stays float32 (an
``np.float64`` scalar would silently promote the arithmetic to float64).

``state_dict()`` is flat -- every value is an ndarray, keys like ``"group.0.lr"``,
``"group.0.params"``, ``"state.3.exp_avg"``, ``"state.3.step"`` -- so it can go straight into
``np.savez`` and come back with ``np.load(..., allow_pickle=False)``; ``load_state_dict``
restores it exactly, so training resumes bit for bit.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .autograd import Tensor
from .checks import StateDictKeyError

__all__ = [
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
    "RMSprop",
    "Adagrad",
    "clip_grad_norm_",
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "CosineAnnealingLR",
    "LambdaLR",
    "WarmupInverseSqrt",
    "noam_lambda",
]

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


# ---- flat (ndarray-only) encoding of hyper-parameters and state --------------------------
def _encode(key: str, value: Any) -> np.ndarray:
    """A Python value as an ndarray that ``np.load(allow_pickle=False)`` can read back."""
    if isinstance(value, np.ndarray):
        return value.copy()  # a copy: later in-place updates must not change a saved state
    if isinstance(value, (bool, np.bool_)):  # before int: bool is a subclass of int
        return np.array(bool(value))
    if isinstance(value, (int, np.integer)):
        return np.array(int(value), dtype=np.int64)
    if isinstance(value, (float, np.floating)):
        return np.array(float(value), dtype=np.float64)  # float64 holds a Python float exactly
    if isinstance(value, str):
        return np.array(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
        return np.array([float(v) for v in value], dtype=np.float64)
    raise TypeError(f"state_dict: cannot store {key}={value!r} ({type(value).__name__}) as an ndarray")


def _decode(value: np.ndarray) -> Any:
    """Inverse of :func:`_encode` for hyper-parameters: back to Python scalars/tuples."""
    value = np.asarray(value)
    if value.ndim == 1 and value.dtype.kind == "f":
        return tuple(float(v) for v in value)
    if value.ndim != 0:
        raise ValueError(f"expected a scalar or a 1-d float array, got shape {value.shape}")
    kind = value.dtype.kind
    if kind == "b":
        return bool(value)
    if kind in "iu":
        return int(value)
    if kind == "f":
        return float(value)  # a Python float, never np.float64 (see the module docstring)
    if kind == "U":
        return str(value)
    raise TypeError(f"cannot decode an array of dtype {value.dtype}")


def _float(cls: str, name: str, value: Any) -> float:
    """A hyper-parameter as a Python float; anything but a real number is a TypeError naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{cls}: {name} must be a number, got {type(value).__name__} {value!r}")
    return float(value)


def _check(cond: bool, cls: str, name: str, value: Any, expected: str) -> None:
    # ``cond`` is written as ``value >= 0`` etc., so a NaN fails it too.
    if not cond:
        raise ValueError(f"{cls}: invalid {name}={value!r}; expected {expected}")


# ---- base class ------------------------------------------------------------------------
class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad``, ``step``, state dicts.

    ``params`` is an iterable of Parameters, or of dicts ``{"params": [...], "lr": ...}``
    whose keys override ``defaults`` for that group (e.g. no weight decay on biases).
    Subclasses implement ``_update(p, g, state, group)`` for one parameter array.
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.param_groups: list[dict[str, Any]] = []
        # Keyed by the Parameter object itself, as torch (``opt.state[p]["exp_avg"]``).
        self.state: dict[Tensor, dict[str, Any]] = {}
        if isinstance(params, Tensor):
            raise TypeError(
                f"{type(self).__name__}: params should be an iterable of Parameters or dicts, "
                "got a single Tensor (wrap it in a list)"
            )
        groups = list(params)  # params may be a generator such as model.parameters()
        if not groups:
            raise ValueError(f"{type(self).__name__}: params is an empty list; nothing to optimize")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group (e.g. a newly unfrozen layer); missing hyper-parameters take defaults."""
        name = type(self).__name__
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{name}: a param group must be a dict with a 'params' key, got {type(group).__name__}")
        group = dict(group)
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: params must be Parameters (Tensors), got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (one produced by an op)")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: params must be floating point, got dtype {p.data.dtype}")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids) or seen & set(ids):
            raise ValueError(f"{name}: some parameters appear more than once (in one or several groups)")
        group["params"] = params
        for key, default in self.defaults.items():
            value = group.setdefault(key, default)
            # Normalise to Python scalars: np.float64 hyper-parameters would promote float32 maths.
            if isinstance(default, bool):
                group[key] = bool(value)
            elif isinstance(default, float):
                group[key] = float(value)
            elif isinstance(default, tuple):
                group[key] = tuple(float(v) for v in value)
        self._validate(group)
        self.param_groups.append(group)

    def _validate(self, group: dict[str, Any]) -> None:
        """Raise ValueError naming a bad hyper-parameter (checked for every group)."""
        _check(group["lr"] >= 0, type(self).__name__, "lr", group["lr"], "lr >= 0")
        if "weight_decay" in group:
            wd = group["weight_decay"]
            _check(wd >= 0, type(self).__name__, "weight_decay", wd, "weight_decay >= 0")
        if "eps" in group:
            _check(group["eps"] >= 0, type(self).__name__, "eps", group["eps"], "eps >= 0")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: to ``None`` (default; frees memory, and None-grads are skipped by
        ``step``) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given."""
        loss = closure() if closure is not None else None
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                # Do the maths in the parameter's dtype (a float64 grad on a float32 param is cast).
                g = np.asarray(p.grad, dtype=p.data.dtype)
                if g.shape != p.data.shape:
                    raise ValueError(f"{type(self).__name__}.step: grad has shape {g.shape}; expected {p.data.shape}")
                state = self.state.setdefault(p, {})
                # ``g`` may be p.grad itself: _update must not modify it in place.
                self._update(p.data, g, state, group)
        return loss

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    # ---- state dicts -----------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """A flat dict of ndarray copies (savable with ``np.savez``, loadable without pickle).

        Parameters are numbered 0, 1, ... across groups in order (as torch does);
        ``group.<g>.params`` lists the numbers of group g, ``group.<g>.<key>`` holds its
        hyper-parameters and ``state.<i>.<name>`` the state of parameter i.
        """
        out: dict[str, np.ndarray] = {}
        index = 0
        for gi, group in enumerate(self.param_groups):
            ids = []
            for p in group["params"]:
                for name, value in self.state.get(p, {}).items():
                    out[f"state.{index}.{name}"] = _encode(name, value)
                ids.append(index)
                index += 1
            out[f"group.{gi}.params"] = np.array(ids, dtype=np.int64)
            for key, value in group.items():
                if key != "params":
                    out[f"group.{gi}.{key}"] = _encode(key, value)
        return out

    def load_state_dict(self, state_dict: Mapping[str, np.ndarray]) -> None:
        """Restore hyper-parameters and state saved by :meth:`state_dict` (or read back from
        an ``.npz``). The optimizer must hold the same number of groups and parameters."""
        name = type(self).__name__
        d = {str(k): np.asarray(state_dict[k]) for k in state_dict}  # also accepts an NpzFile
        n_groups = len({k.split(".")[1] for k in d if k.startswith("group.")})
        if n_groups != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: state_dict has {n_groups} param groups; "
                f"this optimizer has {len(self.param_groups)}"
            )
        params: dict[int, Tensor] = {}
        groups: list[dict[str, Any]] = []
        for gi, group in enumerate(self.param_groups):
            key = f"group.{gi}.params"
            if key not in d:
                raise StateDictKeyError(f"{name}.load_state_dict: missing key {key!r}")
            saved_ids = d[key].tolist()
            if len(saved_ids) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: group {gi} has {len(saved_ids)} params in the "
                    f"state_dict; this optimizer's group {gi} has {len(group['params'])}"
                )
            params.update(zip(saved_ids, group["params"]))
            new_group: dict[str, Any] = {"params": group["params"]}
            prefix = f"group.{gi}."
            for k, v in d.items():
                if k.startswith(prefix) and k != key:
                    new_group[k[len(prefix) :]] = _decode(v)
            self._validate(new_group)
            groups.append(new_group)
        states: dict[Tensor, dict[str, Any]] = {}
        for k, v in d.items():
            if k.startswith("group."):
                continue
            parts = k.split(".", 2)
            if len(parts) != 3 or parts[0] != "state" or not parts[1].isdigit():
                raise StateDictKeyError(f"{name}.load_state_dict: unexpected key {k!r}")
            i, field = int(parts[1]), parts[2]
            if i not in params:
                raise StateDictKeyError(f"{name}.load_state_dict: {k!r} refers to no parameter")
            p = params[i]
            if v.ndim == 0 and v.dtype.kind in "iu":
                value: Any = int(v)  # step counters
            else:
                if v.shape != p.data.shape:
                    raise ValueError(f"{name}.load_state_dict: {k} has shape {v.shape}; expected {p.data.shape}")
                value = np.array(v, dtype=p.data.dtype)  # a copy, in the parameter's dtype
            states.setdefault(p, {})[field] = value
        # Everything was checked: commit (a failed load leaves the optimizer untouched).
        self.param_groups = groups
        self.state = states

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for gi, group in enumerate(self.param_groups):
            hyper = ", ".join(f"{k}={v}" for k, v in group.items() if k != "params")
            lines.append(f"  group {gi}: {len(group['params'])} params, {hyper}")
        return "\n".join(lines) + "\n)"


# ---- optimizers ---------------------------------------------------------------------------
class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With momentum μ, dampening τ, weight decay λ, learning rate γ::

        g_t ← g_t + λ θ_{t-1}                         (if λ ≠ 0, L2 penalty in the gradient)
        b_t = g_t                  if t = 1           (momentum buffer starts at the gradient)
        b_t = μ b_{t-1} + (1 − τ) g_t  otherwise
        g_t ← g_t + μ b_t  (nesterov)   or   g_t ← b_t
        θ_t = θ_{t-1} − γ g_t

    This is torch's form (Sutskever et al. 2013 write v = μv − γg, θ += v; the two
    coincide for constant γ). State: ``momentum_buffer`` (only when μ ≠ 0).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        defaults = dict(
            lr=_float(type(self).__name__, "lr", lr),
            momentum=_float(type(self).__name__, "momentum", momentum),
            dampening=_float(type(self).__name__, "dampening", dampening),
            weight_decay=_float(type(self).__name__, "weight_decay", weight_decay),
            nesterov=bool(nesterov),
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        mu = group["momentum"]
        _check(mu >= 0, "SGD", "momentum", mu, "momentum >= 0")
        if group["nesterov"]:
            _check(
                mu > 0 and group["dampening"] == 0,
                "SGD",
                "nesterov",
                True,
                "nesterov=True only with momentum > 0 and dampening = 0",
            )

    def _update(self, p, g, state, group):
        lr, mu, wd = group["lr"], group["momentum"], group["weight_decay"]
        if wd != 0:
            g = g + wd * p
        if mu != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # np.array, not g.copy(): for a 0-d parameter g may be a NumPy scalar,
                # and the in-place updates below need a real (0-d) array.
                buf = state["momentum_buffer"] = np.array(g, dtype=p.dtype)
            else:
                buf *= mu
                buf += (1 - group["dampening"]) * g
            g = g + mu * buf if group["nesterov"] else buf
        p -= lr * g


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015, Algorithm 1) with torch's L2 weight decay.

    With β₁, β₂, ε, learning rate γ and weight decay λ::

        g_t ← g_t + λ θ_{t-1}                   (if λ ≠ 0: L2 added to the gradient)
        m_t = β₁ m_{t-1} + (1 − β₁) g_t         (first moment)
        v_t = β₂ v_{t-1} + (1 − β₂) g_t²        (second moment)
        m̂_t = m_t / (1 − β₁ᵗ),  v̂_t = v_t / (1 − β₂ᵗ)   (bias corrections: m_0 = v_0 = 0)
        θ_t = θ_{t-1} − γ m̂_t / (√v̂_t + ε)

    State: ``step`` (t, per parameter), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    _decoupled = False  # AdamW flips this

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(
            lr=_float(type(self).__name__, "lr", lr),
            betas=tuple(float(b) for b in betas),
            eps=_float(type(self).__name__, "eps", eps),
            weight_decay=_float(type(self).__name__, "weight_decay", weight_decay),
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        betas = group["betas"]
        _check(len(betas) == 2, type(self).__name__, "betas", betas, "a pair (beta1, beta2)")
        for i, b in enumerate(betas):
            _check(0 <= b < 1, type(self).__name__, "betas", betas, f"betas[{i}] in [0, 1)")

    def _update(self, p, g, state, group):
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        if not state:
            state.update(step=0, exp_avg=np.zeros_like(p), exp_avg_sq=np.zeros_like(p))
        if wd != 0:
            if self._decoupled:
                p *= 1 - lr * wd  # AdamW: shrink θ directly, outside the adaptive scaling
            else:
                g = g + wd * p
        state["step"] += 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * (g * g)
        bias1, bias2 = 1 - beta1**t, 1 - beta2**t
        # √v̂ + ε = √v / √(1 − β₂ᵗ) + ε; written so as not to allocate v̂.
        denom = np.sqrt(v) / math.sqrt(bias2) + eps
        p -= (lr / bias1) * m / denom


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter 2019).

    The decay no longer passes through the moments: before the Adam step of :class:`Adam`
    (run with λ = 0), ::

        θ_{t-1} ← θ_{t-1} (1 − γ λ)

    so every weight shrinks at the same relative rate whatever its gradient history.
    Default λ = 1e-2, as torch.
    """

    _decoupled = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


class RMSprop(Optimizer):
    r"""RMSprop (Tieleman & Hinton 2012), optionally centered (Graves 2013) and with momentum.

    With smoothing α, ε, momentum μ, learning rate γ, weight decay λ::

        g_t ← g_t + λ θ_{t-1}                       (if λ ≠ 0)
        v_t = α v_{t-1} + (1 − α) g_t²
        ḡ_t = α ḡ_{t-1} + (1 − α) g_t;  ṽ_t = v_t − ḡ_t²   (centered: a variance estimate)
        ṽ_t = v_t                                    (not centered)
        b_t = μ b_{t-1} + g_t / (√ṽ_t + ε);  θ_t = θ_{t-1} − γ b_t   (μ > 0)
        θ_t = θ_{t-1} − γ g_t / (√ṽ_t + ε)                          (μ = 0)

    No bias correction (v_0 = 0), as torch. State: ``step``, ``square_avg`` (v),
    ``momentum_buffer`` (b, if μ > 0), ``grad_avg`` (ḡ, if centered).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = dict(
            lr=_float(type(self).__name__, "lr", lr),
            alpha=_float(type(self).__name__, "alpha", alpha),
            eps=_float(type(self).__name__, "eps", eps),
            weight_decay=_float(type(self).__name__, "weight_decay", weight_decay),
            momentum=_float(type(self).__name__, "momentum", momentum),
            centered=bool(centered),
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        _check(group["alpha"] >= 0, "RMSprop", "alpha", group["alpha"], "alpha >= 0")
        _check(group["momentum"] >= 0, "RMSprop", "momentum", group["momentum"], "momentum >= 0")

    def _update(self, p, g, state, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, mu = group["weight_decay"], group["momentum"]
        if not state:
            state.update(step=0, square_avg=np.zeros_like(p))
            if mu > 0:
                state["momentum_buffer"] = np.zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p)
        state["step"] += 1  # unused by the update; kept because torch records it
        if wd != 0:
            g = g + wd * p
        v = state["square_avg"]
        v *= alpha
        v += (1 - alpha) * (g * g)
        if group["centered"]:
            gbar = state["grad_avg"]
            gbar *= alpha
            gbar += (1 - alpha) * g
            avg = np.sqrt(v - gbar * gbar)
        else:
            avg = np.sqrt(v)
        avg += eps
        if mu > 0:
            buf = state["momentum_buffer"]
            buf *= mu
            buf += g / avg
            p -= lr * buf
        else:
            p -= lr * g / avg


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al. 2011): per-coordinate steps shrink with the summed squared gradients.

    With learning rate γ, decay η, weight decay λ, ε and s_0 = initial_accumulator_value::

        γ̃_t = γ / (1 + (t − 1) η)
        g_t ← g_t + λ θ_{t-1}                    (if λ ≠ 0)
        s_t = s_{t-1} + g_t²
        θ_t = θ_{t-1} − γ̃_t g_t / (√s_t + ε)

    State: ``step`` (t), ``sum`` (s).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        defaults = dict(
            lr=_float(type(self).__name__, "lr", lr),
            lr_decay=_float(type(self).__name__, "lr_decay", lr_decay),
            weight_decay=_float(type(self).__name__, "weight_decay", weight_decay),
            initial_accumulator_value=_float(
                type(self).__name__, "initial_accumulator_value", initial_accumulator_value
            ),
            eps=_float(type(self).__name__, "eps", eps),
        )
        super().__init__(params, defaults)

    def _validate(self, group: dict[str, Any]) -> None:
        super()._validate(group)
        _check(group["lr_decay"] >= 0, "Adagrad", "lr_decay", group["lr_decay"], "lr_decay >= 0")
        s0 = group["initial_accumulator_value"]
        _check(s0 >= 0, "Adagrad", "initial_accumulator_value", s0, "initial_accumulator_value >= 0")

    def _update(self, p, g, state, group):
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        if not state:
            state.update(step=0, sum=np.full_like(p, group["initial_accumulator_value"]))
        state["step"] += 1
        t = state["step"]
        if wd != 0:
            g = g + wd * p
        clr = lr / (1 + (t - 1) * group["lr_decay"])
        s = state["sum"]
        s += g * g
        p -= clr * g / (np.sqrt(s) + eps)


# ---- gradient clipping ------------------------------------------------------------------
def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    r"""Rescale gradients in place so that their joint norm is at most ``max_norm``.

    The norm is taken over all gradients as if concatenated into one vector::

        ‖g‖_p = (Σ_i ‖g_i‖_p^p)^{1/p}         (p = inf: the largest |g|)
        c = max_norm / (‖g‖_p + 1e-6);   g_i ← c g_i  only if c < 1

    (the 1e-6 keeps c finite for zero gradients; Pascanu et al. 2013 clip this way for
    RNNs). Parameters whose grad is None are ignored. Returns the norm *before* clipping
    (a Python float), as torch. A NaN/Inf norm raises RuntimeError if
    ``error_if_nonfinite``; otherwise, as in torch, it spreads NaNs into the gradients.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    max_norm, norm_type = float(max_norm), float(norm_type)
    _check(max_norm >= 0, "clip_grad_norm_", "max_norm", max_norm, "max_norm >= 0")
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return 0.0
    # Per-tensor norms, then the norm of those norms: equals the norm of the concatenation.
    norms = np.array([float(np.linalg.norm(g.ravel(), ord=norm_type)) for g in grads])
    total = float(np.linalg.norm(norms, ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is {total}; "
            "pass error_if_nonfinite=False to clip anyway"
        )
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # also true for a NaN coef, which then propagates (torch's behaviour)
        for g in grads:
            g *= coef  # a Python float: float32 grads stay float32
    return total


# ---- learning-rate schedules ------------------------------------------------------------
class LRScheduler:
    """Base class: sets ``group["lr"]`` of every param group from a closed-form schedule.

    As in torch, construction records ``group["initial_lr"]`` (the base lr), sets
    ``last_epoch = 0`` and applies the schedule's value at 0; each ``step()`` (call it after
    ``optimizer.step()``) advances ``last_epoch`` by one and applies the value there.
    Subclasses implement ``_lr_at(base_lr, t)``.

    Closed forms (rather than torch's "chainable" multiplicative updates) make the lr a
    pure function of ``last_epoch``, which is what a reader expects from the equations and
    what makes resuming exact. They agree with torch unless something else also edits
    ``group["lr"]`` between steps.
    """

    _hyper: tuple[str, ...] = ()  # scalar hyper-parameters saved in the state_dict

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(self).__name__}: optimizer must be an Optimizer, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise StateDictKeyError(
                    f"{type(self).__name__}: param_groups[{i}] has no 'initial_lr'; resuming with "
                    "last_epoch >= 0 needs the optimizer's state_dict loaded first"
                )
        self.base_lrs: list[float] = [float(g["initial_lr"]) for g in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._last_lr: list[float] = []
        self.step()

    def _lr_at(self, base_lr: float, t: int) -> float:
        raise NotImplementedError

    def get_lr(self) -> list[float]:
        """The schedule's lrs at ``last_epoch``."""
        return [float(self._lr_at(base, self.last_epoch)) for base in self.base_lrs]

    def step(self) -> None:
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The lrs set by the last ``step()`` (one per param group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Flat, ndarray-only (like :meth:`Optimizer.state_dict`)."""
        out = {
            "last_epoch": np.array(self.last_epoch, dtype=np.int64),
            "base_lrs": np.array(self.base_lrs, dtype=np.float64),
            "last_lr": np.array(self._last_lr, dtype=np.float64),
        }
        for name in self._hyper:
            out[name] = _encode(name, getattr(self, name))
        return out

    def load_state_dict(self, state_dict: Mapping[str, np.ndarray]) -> None:
        """Restore the position in the schedule (does not touch the optimizer's lrs; load the
        optimizer's own state_dict for those, as in torch)."""
        d = {str(k): np.asarray(state_dict[k]) for k in state_dict}
        missing = {"last_epoch", "base_lrs", "last_lr", *self._hyper} - set(d)
        if missing:
            raise StateDictKeyError(f"{type(self).__name__}.load_state_dict: missing keys {sorted(missing)}")
        base_lrs = [float(v) for v in d["base_lrs"]]
        if len(base_lrs) != len(self.optimizer.param_groups):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: {len(base_lrs)} base_lrs for "
                f"{len(self.optimizer.param_groups)} param groups"
            )
        hyper = {name: _decode(d[name]) for name in self._hyper}
        last_epoch, last_lr = int(d["last_epoch"]), [float(v) for v in d["last_lr"]]
        # Everything was read: commit (a failed load leaves the scheduler untouched).
        for name, value in hyper.items():
            setattr(self, name, value)
        self.last_epoch, self.base_lrs, self._last_lr = last_epoch, base_lrs, last_lr


class StepLR(LRScheduler):
    """Decay by ``gamma`` every ``step_size`` steps: γ_t = γ_0 · gamma^⌊t / step_size⌋."""

    _hyper = ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        _check(
            isinstance(step_size, (int, np.integer)) and step_size >= 1,
            "StepLR",
            "step_size",
            step_size,
            "an integer >= 1",
        )
        self.step_size, self.gamma = int(step_size), float(gamma)
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma ** (t // self.step_size)


class MultiStepLR(LRScheduler):
    """Decay by ``gamma`` at each milestone: γ_t = γ_0 · gamma^(number of milestones ≤ t),
    e.g. the ResNet papers' "divide by 10 at 32k and 48k iterations"."""

    _hyper = ("milestones", "gamma")

    def __init__(
        self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _check(
            isinstance(milestones, (list, tuple))
            and all(isinstance(m, (int, np.integer)) and m >= 0 for m in milestones),
            "MultiStepLR",
            "milestones",
            milestones,
            "a list of integers >= 0",
        )
        self.milestones, self.gamma = tuple(sorted(int(m) for m in milestones)), float(gamma)
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, t: int) -> float:
        return base_lr * self.gamma ** bisect.bisect_right(self.milestones, t)


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing (Loshchilov & Hutter 2017, SGDR without restarts), closed form:

        γ_t = η_min + (γ_0 − η_min) · (1 + cos(π t / T_max)) / 2

    It reaches η_min at t = T_max and, like torch's, rises again after it (period 2·T_max).
    """

    _hyper = ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        _check(T_max > 0, "CosineAnnealingLR", "T_max", T_max, "T_max > 0")
        self.T_max, self.eta_min = int(T_max), float(eta_min)
        super().__init__(optimizer, last_epoch)

    def _lr_at(self, base_lr: float, t: int) -> float:
        return self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * t / self.T_max)) / 2


class LambdaLR(LRScheduler):
    """γ_t = γ_0 · lr_lambda(t): any schedule written as a multiplier of the base lr.

    ``lr_lambda`` is one function or a list with one per param group. Functions are not
    saved in ``state_dict`` (only arrays are); pass the same ones when you resume.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        n = len(optimizer.param_groups) if isinstance(optimizer, Optimizer) else 0
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"LambdaLR: expected {n} lr_lambdas (one per param group), got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        if not all(callable(f) for f in self.lr_lambdas):
            raise TypeError("LambdaLR: lr_lambda must be a callable or a list of callables")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [float(base * f(self.last_epoch)) for base, f in zip(self.base_lrs, self.lr_lambdas)]


def noam_lambda(d_model: int, warmup: int) -> Callable[[int], float]:
    """The Transformer's learning-rate schedule (Vaswani et al. 2017, §5.3, eq. 3)::

        lrate = d_model^-0.5 · min(step^-0.5, step · warmup^-1.5)

    Linear warm-up for ``warmup`` steps, then decay ∝ 1/√step; the two branches meet at
    ``step == warmup``, the peak, where lrate = (d_model · warmup)^-0.5. The paper counts
    steps from 1; step 0 (the value a scheduler applies before the first update) is
    treated as step 1 so that the first update is not wasted with lr = 0.
    Use as ``LambdaLR(opt, noam_lambda(512, 4000))`` with the optimizer's lr = 1.
    """
    _check(d_model > 0, "noam_lambda", "d_model", d_model, "d_model > 0")
    _check(warmup > 0, "noam_lambda", "warmup", warmup, "warmup > 0")
    scale, w = float(d_model) ** -0.5, float(warmup)

    def lr_lambda(step: int) -> float:
        s = max(int(step), 1)
        return scale * min(s**-0.5, s * w**-1.5)

    return lr_lambda


class WarmupInverseSqrt(LambdaLR):
    """The Transformer schedule as a scheduler: γ_t = γ_0 · noam(t) (see :func:`noam_lambda`).

    The optimizer's lr acts as a scale factor; lr = 1 gives the paper's schedule (Adam with
    β = (0.9, 0.98), ε = 1e-9 in the paper).
    """

    _hyper = ("d_model", "warmup")

    def __init__(self, optimizer: Optimizer, d_model: int, warmup: int = 4000, last_epoch: int = -1) -> None:
        self.d_model, self.warmup = int(d_model), int(warmup)
        super().__init__(optimizer, noam_lambda(d_model, warmup), last_epoch)

    def load_state_dict(self, state_dict: Mapping[str, np.ndarray]) -> None:
        super().load_state_dict(state_dict)
        self.lr_lambdas = [noam_lambda(self.d_model, self.warmup)] * len(self.base_lrs)
