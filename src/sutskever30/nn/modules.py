"""Modules with PyTorch's names, parameter layouts and initialisations.

Each module holds ``Parameter``s and calls the Tensor-level functions in
``functional.py``, which run the pairs in ``pairs/``. Parameter names and shapes match PyTorch's, so a
``state_dict`` can be copied across in the reference tests.

Randomness is explicit: a module that samples (initialisation, dropout) takes an
``rng`` (``np.random.Generator``); nothing here touches NumPy's global seed.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np

from . import functional as F
from .autograd import Parameter, Tensor, _raw
from .checks import StateDictKeyError, check_positive_int

__all__ = [
    "GELU",
    "GRU",
    "LSTM",
    "RNN",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "Identity",
    "LayerNorm",
    "Linear",
    "LocalResponseNorm",
    "LSTMCell",
    "MaskedConv2d",
    "MaskedLinear",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "MultiheadAttention",
    "ReLU",
    "RNNCell",
    "Sequential",
    "Sigmoid",
    "Softplus",
    "Tanh",
]


def _need_rng(rng, who: str) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{who}: pass rng=np.random.default_rng(seed) (explicit randomness), got {type(rng).__name__}")
    return rng


def _uniform(rng, bound: float, shape, dtype) -> Parameter:
    return Parameter(rng.uniform(-bound, bound, size=shape).astype(dtype))


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _kernel(who: str, kernel_size, n: int) -> tuple[int, ...]:
    """kernel_size: an int >= 1 or a tuple of ``n`` of them."""
    ks = (kernel_size,) * n if isinstance(kernel_size, int) and not isinstance(kernel_size, bool) else kernel_size
    if not isinstance(ks, tuple | list) or len(ks) != n:
        raise TypeError(f"{who}: kernel_size must be an int or a tuple of {n} ints, got {kernel_size!r}")
    return tuple(check_positive_int(who, "kernel_size", k) for k in ks)


def _check_module(who: str, i: int, m) -> None:
    if not isinstance(m, Module):
        raise TypeError(
            f"{who}: argument {i} is a {type(m).__name__}, not a Module (wrap a function such as "
            f"nn.relu in its module, nn.ReLU())"
        )


class Module:
    """Base class: registers Parameters, sub-modules and buffers set as attributes."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before setting attributes")
        for d in (self._parameters, self._modules, self._buffers):
            d.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, value: np.ndarray) -> None:
        """A state array that is saved in ``state_dict`` but not trained (running stats)."""
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # ---- traversal --------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, m in self._modules.items():
            yield from m.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def children(self) -> Iterator[Module]:
        yield from self._modules.values()

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        seen = set()
        for prefix, m in self.named_modules():
            for name, p in m._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{prefix}.{name}" if prefix else name), p

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def num_parameters(self) -> int:
        return sum(p.data.size for p in self.parameters())

    # ---- state ------------------------------------------------------------------------
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """Copies of every parameter and buffer, keyed as in PyTorch ("0.weight")."""
        out: OrderedDict[str, np.ndarray] = OrderedDict()
        for prefix, m in self.named_modules():
            for name, p in m._parameters.items():
                out[f"{prefix}.{name}" if prefix else name] = p.data.copy()
            for name, b in m._buffers.items():
                out[f"{prefix}.{name}" if prefix else name] = np.array(b, copy=True)
        return out

    def load_state_dict(self, state: dict[str, np.ndarray], strict: bool = True) -> None:
        """Copy arrays in place (shapes must match); ``strict`` requires the same keys.

        All or nothing: every key, shape and dtype is checked before the first copy, so a
        bad entry leaves the module exactly as it was."""
        if not isinstance(state, dict):
            raise TypeError(f"load_state_dict: state must be a dict of arrays, got {type(state).__name__}")
        own = {}
        for prefix, m in self.named_modules():
            for name in list(m._parameters) + list(m._buffers):
                own[f"{prefix}.{name}" if prefix else name] = (m, name)
        if strict:
            missing, unexpected = set(own) - set(state), set(state) - set(own)
            if missing or unexpected:
                raise StateDictKeyError(
                    f"load_state_dict: missing keys {sorted(missing)}, unexpected keys {sorted(unexpected)}"
                )
        plan = []
        for key, value in state.items():
            if key not in own:
                continue
            m, name = own[key]
            target = m._parameters[name].data if name in m._parameters else m._buffers[name]
            value = np.asarray(_raw(value))
            if value.shape != target.shape:
                raise ValueError(f"load_state_dict: {key} has shape {value.shape}; expected {target.shape}")
            if value.dtype.kind not in "biuf":
                raise TypeError(f"load_state_dict: {key} has dtype {value.dtype}; expected a numeric array")
            plan.append((target, value))
        for target, value in plan:  # every entry checked: now copy
            target[...] = value

    # ---- modes and grads ------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def to(self, dtype) -> Module:
        """Cast every parameter and buffer (float64 for gradient checks)."""
        for m in self.modules():
            for p in m._parameters.values():
                p.data = p.data.astype(dtype)
                p.grad = None
            for name, b in list(m._buffers.items()):
                m.register_buffer(name, b.astype(dtype))
        return self

    def double(self) -> Module:
        return self.to(np.float64)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, m in self._modules.items():
            lines.append("  (" + name + "): " + repr(m).replace("\n", "\n  "))
        return lines[0] + (")" if len(lines) == 1 else "\n" + "\n".join(lines[1:]) + "\n)")


class Sequential(Module):
    """Modules applied in order; named "0", "1", ... as in PyTorch."""

    def __init__(self, *modules: Module):
        super().__init__()
        for i, m in enumerate(modules):
            _check_module("Sequential", i, m)
            setattr(self, str(i), m)

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x


class ModuleList(Module):
    """A list of sub-modules, registered under "0", "1", ..."""

    def __init__(self, modules=()):
        super().__init__()
        for m in modules:
            self.append(m)

    def append(self, m: Module) -> None:
        _check_module("ModuleList", len(self._modules), m)
        setattr(self, str(len(self._modules)), m)

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


# ---- activations ---------------------------------------------------------------------
class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class GELU(Module):
    """x·Φ(x); ``approximate="tanh"`` for the tanh form."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return F.gelu(x, self.approximate)


class Softplus(Module):
    """log(1 + exp(βx))/β, linear above ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Tensor) -> Tensor:
        return F.softplus(x, self.beta, self.threshold)


class Identity(Module):
    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """(N, ...) -> (N, prod(...))."""

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1)


# ---- layers --------------------------------------------------------------------------
class Linear(Module):
    """y = x Wᵀ + b, W (out, in); init U(−1/√in, 1/√in) as PyTorch."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, rng=None, dtype=np.float32):
        super().__init__()
        rng = _need_rng(rng, "Linear")
        check_positive_int("Linear", "in_features", in_features)
        check_positive_int("Linear", "out_features", out_features)
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = _uniform(rng, bound, (out_features, in_features), dtype)
        self.bias = _uniform(rng, bound, (out_features,), dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class MaskedLinear(Linear):
    """A Linear whose weight is multiplied by a fixed 0/1 ``mask`` (out, in) before the
    product (MADE's autoregressive masks); the masked weights get zero gradient."""

    def __init__(self, in_features: int, out_features: int, mask, bias: bool = True, *, rng=None, dtype=np.float32):
        super().__init__(in_features, out_features, bias, rng=rng, dtype=dtype)
        mask = np.asarray(_raw(mask))
        if mask.shape != (out_features, in_features):
            raise ValueError(
                f"MaskedLinear: mask has shape {mask.shape}; expected (out, in) = {(out_features, in_features)}"
            )
        self.register_buffer("mask", mask.astype(dtype))

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


class Embedding(Module):
    """A lookup table (V, D), init N(0, 1) as PyTorch; row ``padding_idx`` (if given)
    starts at zero and gets no gradient."""

    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, *, rng=None, dtype=np.float32
    ):
        super().__init__()
        rng = _need_rng(rng, "Embedding")
        check_positive_int("Embedding", "num_embeddings", num_embeddings)
        check_positive_int("Embedding", "embedding_dim", embedding_dim)
        if padding_idx is not None:
            if isinstance(padding_idx, bool) or not isinstance(padding_idx, int):
                raise TypeError(f"Embedding: padding_idx must be an int or None, got {padding_idx!r}")
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be in [-{num_embeddings}, {num_embeddings}), got {padding_idx}"
                )
            padding_idx %= num_embeddings
        self.padding_idx = padding_idx
        self.weight = Parameter(rng.standard_normal((num_embeddings, embedding_dim)).astype(dtype))
        if padding_idx is not None:
            self.weight.data[padding_idx] = 0

    def forward(self, ids) -> Tensor:
        return F.embedding(ids, self.weight, self.padding_idx)


class Dropout(Module):
    """Inverted dropout in training mode, identity in eval mode."""

    def __init__(self, p: float = 0.5, *, rng=None):
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout: p must be a float in [0, 1), got {p!r}")
        self.p = p
        self.rng = _need_rng(rng, "Dropout") if p > 0 else rng

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, training=self.training, rng=self.rng)


class LayerNorm(Module):
    """Normalise over the last ``len(normalized_shape)`` axes, then scale and shift."""

    def __init__(self, normalized_shape, eps: float = 1e-5, elementwise_affine: bool = True, *, dtype=np.float32):
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        for n in shape:
            check_positive_int("LayerNorm", "normalized_shape", n)
        self.normalized_shape, self.eps = shape, eps
        self.weight = Parameter(np.ones(shape, dtype)) if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype)) if elementwise_affine else None

    def forward(self, x: Tensor) -> Tensor:
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True, *, dtype=np.float32
    ):
        super().__init__()
        check_positive_int(type(self).__name__, "num_features", num_features)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1], got {momentum!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(num_features, dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype)) if affine else None
        self.register_buffer("running_mean", np.zeros(num_features, dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype))

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}: x has shape {x.shape}; expected {self._ndims} dims with "
                f"{self.num_features} channels in dim 1"
            )
        return F.batch_norm(
            x,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            training=self.training,
            momentum=self.momentum,
            eps=self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L)."""

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W)."""

    _ndims = (4,)


class _ConvNd(Module):
    """Shared by Conv1d/Conv2d: weight (F, C, *kernel), init U(−1/√fan_in, ·) as PyTorch,
    fan_in = C · prod(kernel)."""

    _op = None  # the tape op, set by subclasses

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: tuple[int, ...],
        stride,
        padding,
        dilation,
        bias: bool,
        rng,
        dtype,
        groups: int = 1,
    ):
        super().__init__()
        who = type(self).__name__
        rng = _need_rng(rng, who)
        check_positive_int(who, "in_channels", in_channels)
        check_positive_int(who, "out_channels", out_channels)
        check_positive_int(who, "groups", groups)
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{who}: groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}"
            )
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        bound = 1 / math.sqrt(in_channels // groups * math.prod(kernel))
        self.weight = _uniform(rng, bound, (out_channels, in_channels // groups, *kernel), dtype)
        self.bias = _uniform(rng, bound, (out_channels,), dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return self._op(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """x (N, C, L) * w (F, C, K)."""

    _op = staticmethod(F.conv1d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        stride=1,
        padding=0,
        dilation=1,
        bias: bool = True,
        groups: int = 1,
        *,
        rng=None,
        dtype=np.float32,
    ):
        kernel = _kernel("Conv1d", kernel_size, 1)
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation, bias, rng, dtype, groups)


class Conv2d(_ConvNd):
    """x (N, C, H, W) * w (F, C, kh, kw)."""

    _op = staticmethod(F.conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        bias: bool = True,
        groups: int = 1,
        *,
        rng=None,
        dtype=np.float32,
    ):
        kernel = _kernel("Conv2d", kernel_size, 2)
        super().__init__(in_channels, out_channels, kernel, stride, padding, dilation, bias, rng, dtype, groups)


class MaskedConv2d(Conv2d):
    """A Conv2d whose weight is multiplied by a fixed 0/1 ``mask`` (F, C, kh, kw) before
    the product (PixelCNN's masked convolutions); masked weights get zero gradient."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, mask, *args, **kwargs):
        super().__init__(in_channels, out_channels, kernel_size, *args, **kwargs)
        mask = np.asarray(_raw(mask))
        if mask.shape != self.weight.shape:
            raise ValueError(f"MaskedConv2d: mask has shape {mask.shape}; expected the weight's {self.weight.shape}")
        self.register_buffer("mask", mask.astype(self.weight.dtype))

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, self.stride, self.padding, self.dilation, self.groups)


class _Pool2d(Module):
    _op = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        _kernel(type(self).__name__, kernel_size, 2)
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x: Tensor) -> Tensor:
        return self._op(x, self.kernel_size, self.stride, self.padding)


class MaxPool2d(_Pool2d):
    """Max over (possibly overlapping) windows; the gradient goes to the argmax."""

    _op = staticmethod(F.max_pool2d)


class AvgPool2d(_Pool2d):
    """Mean over windows (zero padding counted, PyTorch's default)."""

    _op = staticmethod(F.avg_pool2d)


class LocalResponseNorm(Module):
    """Divide each activation by (k + alpha/size · Σ x² over ``size`` neighbouring channels)^beta."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        check_positive_int("LocalResponseNorm", "size", size)
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, x: Tensor) -> Tensor:
        return F.local_response_norm(x, self.size, self.alpha, self.beta, self.k)


# ---- recurrent -----------------------------------------------------------------------
class _CellBase(Module):
    _gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, *, rng=None, dtype=np.float32):
        super().__init__()
        rng = _need_rng(rng, type(self).__name__)
        check_positive_int(type(self).__name__, "input_size", input_size)
        check_positive_int(type(self).__name__, "hidden_size", hidden_size)
        self.input_size, self.hidden_size = input_size, hidden_size
        G, bound = self._gates * hidden_size, 1 / math.sqrt(hidden_size)
        self.weight_ih = _uniform(rng, bound, (G, input_size), dtype)
        self.weight_hh = _uniform(rng, bound, (G, hidden_size), dtype)
        self.bias_ih = _uniform(rng, bound, (G,), dtype) if bias else None
        self.bias_hh = _uniform(rng, bound, (G,), dtype) if bias else None

    def _zeros(self, x: Tensor) -> Tensor:
        return Tensor(np.zeros((x.shape[0], self.hidden_size), dtype=x.dtype))


class RNNCell(_CellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        rng=None,
        dtype=np.float32,
    ):
        super().__init__(input_size, hidden_size, bias, rng=rng, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        h = self._zeros(x) if h is None else h
        return F.rnn_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity)


class LSTMCell(_CellBase):
    """Gates stacked i, f, g, o (PyTorch's order). Returns (h', c')."""

    _gates = 4

    def forward(self, x: Tensor, hc: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        h, c = (self._zeros(x), self._zeros(x)) if hc is None else hc
        return F.lstm_cell(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class GRUCell(_CellBase):
    """Gates stacked r, z, n (PyTorch's order)."""

    _gates = 3

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        h = self._zeros(x) if h is None else h
        return F.gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class _RNNBase(Module):
    """Multi-layer, optionally bidirectional recurrence over (T, B, I) (or (B, T, I) with
    ``batch_first``). Parameters are named as PyTorch's (``weight_ih_l0``,
    ``weight_hh_l0_reverse``, ...), so weights copy across one-to-one. Each layer and
    direction is one sequence pair (``functional.lstm_forward`` etc.): the loop over time
    runs inside it, with the input projections of all steps done in one product."""

    _gates = 1

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        rng=None,
        dtype=np.float32,
    ):
        super().__init__()
        who = type(self).__name__
        rng = _need_rng(rng, who)
        check_positive_int(who, "input_size", input_size)
        check_positive_int(who, "hidden_size", hidden_size)
        check_positive_int(who, "num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not 0 <= dropout < 1:
            raise ValueError(f"{who}: dropout must be a float in [0, 1), got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first, self.dropout, self.bidirectional = batch_first, dropout, bidirectional
        self.rng = rng  # for dropout between layers
        D, G, bound = 2 if bidirectional else 1, self._gates * hidden_size, 1 / math.sqrt(hidden_size)
        for layer in range(num_layers):
            size_in = input_size if layer == 0 else D * hidden_size
            for sfx in ["", "_reverse"][:D]:
                setattr(self, f"weight_ih_l{layer}{sfx}", _uniform(rng, bound, (G, size_in), dtype))
                setattr(self, f"weight_hh_l{layer}{sfx}", _uniform(rng, bound, (G, hidden_size), dtype))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{sfx}", _uniform(rng, bound, (G,), dtype))
                    setattr(self, f"bias_hh_l{layer}{sfx}", _uniform(rng, bound, (G,), dtype))
                else:
                    object.__setattr__(self, f"bias_ih_l{layer}{sfx}", None)
                    object.__setattr__(self, f"bias_hh_l{layer}{sfx}", None)

    def _weights(self, layer: int, sfx: str):
        return [getattr(self, f"{n}_l{layer}{sfx}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def _run(self, x: Tensor, state: tuple, w: list, reverse: bool) -> tuple:
        """One layer, one direction: returns (out (T, B, H), *final_state)."""
        raise NotImplementedError

    def forward(self, x: Tensor, hx=None):
        if x.ndim != 3 or x.shape[-1] != self.input_size:
            order = "(B, T, I)" if self.batch_first else "(T, B, I)"
            raise ValueError(f"{type(self).__name__}: x has shape {x.shape}; expected {order} with I={self.input_size}")
        if self.batch_first:
            x = x.transpose(0, 1)  # (T, B, I)
        T, B, _ = x.shape
        D = 2 if self.bidirectional else 1
        states = self._initial_states(hx, B, x.dtype, self.num_layers * D)  # L·D × (h,) or (h, c)
        finals = []
        for layer in range(self.num_layers):
            outs = []
            for d, sfx in enumerate(["", "_reverse"][:D]):
                out, *final = self._run(x, states[layer * D + d], self._weights(layer, sfx), reverse=d == 1)
                outs.append(out)  # (T, B, H)
                finals.append(final)
            x = outs[0] if D == 1 else F.cat(outs, dim=2)  # (T, B, D·H)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, training=True, rng=self.rng)  # (T, B, D·H)
        if self.batch_first:
            x = x.transpose(0, 1)  # (B, T, D·H)
        h_n = F.stack([f[0] for f in finals], dim=0)  # (L·D, B, H)
        if len(finals[0]) == 1:
            return x, h_n
        return x, (h_n, F.stack([f[1] for f in finals], dim=0))  # c_n (L·D, B, H)

    def _initial_states(self, hx, B: int, dtype, n: int) -> list[tuple]:
        n_state = 2 if self._gates == 4 else 1
        if hx is None:
            return [tuple(Tensor(np.zeros((B, self.hidden_size), dtype)) for _ in range(n_state))] * n
        hx = hx if isinstance(hx, tuple) else (hx,)
        for s in hx:
            if s.shape != (n, B, self.hidden_size):
                raise ValueError(
                    f"{type(self).__name__}: initial state has shape {s.shape}; "
                    f"expected (num_layers·directions, B, H) = ({n}, {B}, {self.hidden_size})"
                )
        return [tuple(s[i] for s in hx) for i in range(n)]


class RNN(_RNNBase):
    """Elman RNN over a sequence (tanh or relu); returns (output, h_n)."""

    def __init__(self, *args, nonlinearity: str = "tanh", **kwargs):
        super().__init__(*args, **kwargs)
        self.nonlinearity = nonlinearity

    def _run(self, x, state, w, reverse):
        return F.rnn(x, state[0], *w, reverse=reverse, nonlinearity=self.nonlinearity)


class GRU(_RNNBase):
    """GRU over a sequence; returns (output, h_n)."""

    _gates = 3

    def _run(self, x, state, w, reverse):
        return F.gru(x, state[0], *w, reverse=reverse)


class LSTM(_RNNBase):
    """LSTM over a sequence; returns (output, (h_n, c_n))."""

    _gates = 4

    def _run(self, x, state, w, reverse):
        return F.lstm(x, state[0], state[1], *w, reverse=reverse)


# ---- attention -----------------------------------------------------------------------
class MultiheadAttention(Module):
    """PyTorch's ``nn.MultiheadAttention``: packed in-projection ``in_proj_weight`` (3E, E),
    ``out_proj`` Linear(E, E). Inputs (T, B, E), or (B, T, E) with ``batch_first``.

    Masks follow PyTorch's convention for this module: a boolean ``attn_mask`` (Tq, Tk)
    or ``key_padding_mask`` (B, Tk) is True where attending is NOT allowed. Returns
    ``(out, weights)`` with weights averaged over heads (B, Tq, Tk) unless
    ``average_attn_weights=False`` (B, h, Tq, Tk).
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        bias: bool = True,
        batch_first: bool = False,
        *,
        rng=None,
        dtype=np.float32,
    ):
        super().__init__()
        rng = _need_rng(rng, "MultiheadAttention")
        check_positive_int("MultiheadAttention", "embed_dim", embed_dim)
        check_positive_int("MultiheadAttention", "num_heads", num_heads)
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads, self.batch_first = embed_dim, num_heads, batch_first
        bound = math.sqrt(6 / (embed_dim + 3 * embed_dim))  # xavier_uniform on (3E, E), as PyTorch
        self.in_proj_weight = _uniform(rng, bound, (3 * embed_dim, embed_dim), dtype)
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, rng=rng, dtype=dtype)
        if bias:
            self.out_proj.bias.data[...] = 0

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        attn_mask=None,
        key_padding_mask=None,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ):
        for name, t in (("query", query), ("key", key), ("value", value)):
            if not isinstance(t, Tensor) or t.ndim != 3:
                got = t.shape if isinstance(t, Tensor) else type(t).__name__
                raise ValueError(
                    f"MultiheadAttention: {name} is {got}; expected a Tensor (T, B, E) (or (B, T, E) with batch_first)"
                )
        if self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))  # (T, B, E)
        Tq, B, E = query.shape
        Tk = key.shape[0]
        if E != self.embed_dim or key.shape[2] != E or value.shape[:2] != key.shape[:2]:
            raise ValueError(
                f"MultiheadAttention: query {query.shape}, key {key.shape}, value {value.shape}; "
                f"expected (T, B, {self.embed_dim}) each, key and value with the same T"
            )
        h, dh = self.num_heads, E // self.num_heads
        w_q, w_k, w_v = F.split(self.in_proj_weight, E, dim=0)  # (E, E) each
        b_q, b_k, b_v = F.split(self.in_proj_bias, E, dim=0) if self.in_proj_bias is not None else (None,) * 3
        q = F.linear(query, w_q, b_q)  # (Tq, B, E)
        k = F.linear(key, w_k, b_k)  # (Tk, B, E)
        v = F.linear(value, w_v, b_v)  # (Tk, B, E)

        def heads(t, T):
            return t.reshape(T, B, h, dh).permute(1, 2, 0, 3)  # (B, h, T, dh)

        allowed = np.ones((B, 1, Tq, Tk), dtype=bool)
        if attn_mask is not None:
            m = np.asarray(_raw(attn_mask))
            if m.dtype != bool or m.shape != (Tq, Tk):
                raise ValueError(
                    f"MultiheadAttention: attn_mask must be a bool array ({Tq}, {Tk}), got {m.dtype} {m.shape}"
                )
            allowed = allowed & ~m
        if key_padding_mask is not None:
            m = np.asarray(_raw(key_padding_mask))
            if m.dtype != bool or m.shape != (B, Tk):
                raise ValueError(
                    f"MultiheadAttention: key_padding_mask must be a bool array ({B}, {Tk}), got {m.dtype} {m.shape}"
                )
            allowed = allowed & ~m[:, None, None, :]
        out, attn = F.scaled_dot_product_attention(
            heads(q, Tq), heads(k, Tk), heads(v, Tk), attn_mask=allowed, need_weights=True
        )
        out = out.permute(2, 0, 1, 3).reshape(Tq, B, E)  # (Tq, B, E)
        out = self.out_proj(out)  # (Tq, B, E)
        if self.batch_first:
            out = out.transpose(0, 1)  # (B, Tq, E)
        if not need_weights:
            return out, None
        return out, (attn.mean(dim=1) if average_attn_weights else attn)  # (B, Tq, Tk)
