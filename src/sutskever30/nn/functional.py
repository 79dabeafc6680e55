"""The Tensor-level API, with PyTorch's names and argument order (``torch.nn.functional``).

    from sutskever30.nn import functional as F
    loss = F.cross_entropy(F.linear(F.relu(x), w, b), y)

Each function is one :func:`~sutskever30.nn.autograd.apply` of a forward/backward pair
from ``pairs/`` (the maths lives there) plus argument handling. Where the behaviour
differs from torch on purpose, the docstring says so.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from . import pairs as P
from .autograd import Tensor, _binary, _cast, _floating, _needs_grad, _pow, _raw, apply, result_type
from .checks import check_dim, check_positive_int

__all__ = [
    # elementwise and activations
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "matmul",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "gelu",
    "softplus",
    "logsigmoid",
    # reductions and the softmax family
    "amax",
    "amin",
    "logsumexp",
    "softmax",
    "log_softmax",
    # layers
    "linear",
    "embedding",
    "dropout",
    "layer_norm",
    "batch_norm",
    "conv1d",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "local_response_norm",
    "scaled_dot_product_attention",
    "rnn_cell",
    "lstm_cell",
    "gru_cell",
    "rnn",
    "lstm",
    "gru",
    # losses
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "mse_loss",
    "ctc_loss",
    # shape, indexing, graphs, similarity
    "cat",
    "stack",
    "split",
    "gather",
    "where",
    "index_add",
    "scatter_add",
    "roll",
    "cosine_similarity",
    "normalize",
]


# ---- elementwise ---------------------------------------------------------------------
def add(a, b) -> Tensor:
    return _binary(P.add_forward, P.add_backward, a, b)


def sub(a, b) -> Tensor:
    return _binary(P.sub_forward, P.sub_backward, a, b)


def mul(a, b) -> Tensor:
    return _binary(P.mul_forward, P.mul_backward, a, b)


def div(a, b) -> Tensor:
    """True division: integers give float32, as torch."""
    return _binary(P.div_forward, P.div_backward, a, b, true_div=True)


def pow(a, p) -> Tensor:  # noqa: A001 (PyTorch's name)
    return _pow(a, p)


def matmul(a, b) -> Tensor:
    """``torch.matmul``: (..., n, k) @ (..., k, m), batch dims broadcast; 1-D operands as torch.
    Mixed dtypes raise TypeError, as torch."""
    return _tensor(a, "matmul", "input") @ b


def exp(x: Tensor) -> Tensor:
    return _tensor(x, "exp").exp()


def log(x: Tensor) -> Tensor:
    return _tensor(x, "log").log()


def sqrt(x: Tensor) -> Tensor:
    return _tensor(x, "sqrt").sqrt()


def tanh(x: Tensor) -> Tensor:
    return _tensor(x, "tanh").tanh()


def sigmoid(x: Tensor) -> Tensor:
    return _tensor(x, "sigmoid").sigmoid()


def relu(x: Tensor) -> Tensor:
    return _tensor(x, "relu").relu()


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x·Φ(x); ``approximate="tanh"`` for the tanh approximation (GPT-2's)."""
    x = _floating(_tensor(x, "gelu"), "gelu")
    return apply(P.gelu_forward, P.gelu_backward, x, approximate=approximate)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(βx))/β, linear where βx > threshold."""
    x = _floating(_tensor(x, "softplus"), "softplus")
    return apply(P.softplus_forward, P.softplus_backward, x, beta=beta, threshold=threshold)


def logsigmoid(x: Tensor) -> Tensor:
    x = _floating(_tensor(x, "logsigmoid"), "logsigmoid")
    return apply(P.logsigmoid_forward, P.logsigmoid_backward, x)


# ---- reductions and softmax ------------------------------------------------------------
def amax(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _tensor(x, "amax").amax(dim, keepdim)


def amin(x: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    return _tensor(x, "amin").amin(dim, keepdim)


def logsumexp(x: Tensor, dim, keepdim: bool = False) -> Tensor:
    return _floating(_tensor(x, "logsumexp"), "logsumexp").logsumexp(dim, keepdim)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    return _tensor(x, "softmax").softmax(dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return _tensor(x, "log_softmax").log_softmax(dim)


# ---- layers ----------------------------------------------------------------------------
def _without_dx(backward: Callable, x) -> Callable:
    """The layer's backward, told to skip dx when x needs no gradient: the data entering a
    first layer, where dx would be the costliest product of the backward, thrown away."""
    return backward if _needs_grad(x) else functools.partial(backward, input_grad=False)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b; x (..., in), weight (out, in), bias (out,). Mixed dtypes raise, as torch."""
    return apply(P.linear_forward, _without_dx(P.linear_backward, x), x, weight, bias)


def embedding(ids, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    """Rows of ``weight`` (V, D) at integer ``ids`` (...) -> (..., D); row ``padding_idx``
    gets no gradient. Note torch's argument order (input, weight)."""
    return apply(P.embedding_forward, P.embedding_backward, _raw(ids), weight, padding_idx=padding_idx)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None) -> Tensor:
    """Inverted dropout. Differs from torch on purpose: training needs an explicit
    ``rng`` (np.random.Generator); there is no global seed."""
    return apply(P.dropout_forward, P.dropout_backward, x, p=p, rng=rng, training=training)


def layer_norm(
    x: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5
) -> Tensor:
    """``torch.nn.functional.layer_norm``: normalise over the last ``normalized_shape`` axes."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return apply(P.layer_norm_forward, P.layer_norm_backward, x, weight, bias, eps=eps, normalized_shape=shape)


def batch_norm(
    x: Tensor,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """``torch.nn.functional.batch_norm`` argument order; running stats update in place."""
    return apply(
        P.batch_norm_forward,
        P.batch_norm_backward,
        x,
        weight,
        bias,
        _raw(running_mean),
        _raw(running_var),
        training=training,
        momentum=momentum,
        eps=eps,
    )


def conv1d(
    x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1, groups: int = 1
) -> Tensor:
    """x (N, C, L), weight (F, C/groups, K); padding an int, "valid" or "same"."""
    bwd = _without_dx(P.conv1d_backward, x)
    return apply(
        P.conv1d_forward, bwd, x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups
    )


def conv2d(
    x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1, groups: int = 1
) -> Tensor:
    """x (N, C, H, W), weight (F, C/groups, kh, kw); padding an int, a pair, "valid" or "same".
    For a masked (PixelCNN/MADE-style) layer pass ``weight * mask``: the mask then also
    masks the weight's gradient."""
    bwd = _without_dx(P.conv2d_backward, x)
    return apply(
        P.conv2d_forward, bwd, x, weight, bias, stride=stride, padding=padding, dilation=dilation, groups=groups
    )


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return apply(
        P.max_pool2d_forward, P.max_pool2d_backward, x, kernel_size=kernel_size, stride=stride, padding=padding
    )


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return apply(
        P.avg_pool2d_forward, P.avg_pool2d_backward, x, kernel_size=kernel_size, stride=stride, padding=padding
    )


def local_response_norm(x: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """``torch.nn.functional.local_response_norm``: normalise across ``size`` neighbouring channels."""
    return apply(
        P.local_response_norm_forward, P.local_response_norm_backward, x, size=size, alpha=alpha, beta=beta, k=k
    )


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask=None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    *,
    rng: np.random.Generator | None = None,
    need_weights: bool = False,
):
    """softmax(scale · q kᵀ) v, as ``torch.nn.functional.scaled_dot_product_attention``.

    query (..., Tq, d), key (..., Tk, d), value (..., Tk, dv) -> (..., Tq, dv).
    ``attn_mask``: boolean, broadcastable to (..., Tq, Tk), True where attending is
    allowed (torch's boolean convention). Differs from torch on purpose: a float
    (additive) mask is refused; ``dropout_p > 0`` needs ``rng``; ``need_weights=True``
    returns ``(out, weights)`` with the (differentiable) attention weights as well.
    """
    if attn_mask is not None and np.asarray(_raw(attn_mask)).dtype != np.bool_:
        raise TypeError(
            f"scaled_dot_product_attention: attn_mask must be boolean (True = may attend), "
            f"got dtype {np.asarray(_raw(attn_mask)).dtype}"
        )
    out, attn = apply(
        P.scaled_dot_product_attention_forward,
        P.scaled_dot_product_attention_backward,
        query,
        key,
        value,
        _raw(attn_mask),
        scale=scale,
        is_causal=is_causal,
    )
    if dropout_p:  # dropout on the weights, then the product again (torch's order)
        attn = dropout(attn, dropout_p, training=True, rng=rng)
        out = attn @ value
    return (out, attn) if need_weights else out


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity: str = "tanh") -> Tensor:
    return apply(P.rnn_cell_forward, P.rnn_cell_backward, x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity=nonlinearity)


def lstm_cell(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple[Tensor, Tensor]:
    return apply(P.lstm_cell_forward, P.lstm_cell_backward, x, h, c, w_ih, w_hh, b_ih, b_hh)


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None) -> Tensor:
    return apply(P.gru_cell_forward, P.gru_cell_backward, x, h, w_ih, w_hh, b_ih, b_hh)


def rnn(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse: bool = False, nonlinearity: str = "tanh"):
    """An Elman RNN over x (T, B, I); returns (out (T, B, H), h_T). One node for all T."""
    bwd = _without_dx(P.rnn_backward, x)
    return apply(P.rnn_forward, bwd, x, h0, w_ih, w_hh, b_ih, b_hh, reverse=reverse, nonlinearity=nonlinearity)


def lstm(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, reverse: bool = False):
    """An LSTM over x (T, B, I); returns (out (T, B, H), h_T, c_T). One node for all T."""
    return apply(P.lstm_forward, _without_dx(P.lstm_backward, x), x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=reverse)


def gru(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse: bool = False):
    """A GRU over x (T, B, I); returns (out (T, B, H), h_T). One node for all T."""
    return apply(P.gru_forward, _without_dx(P.gru_backward, x), x, h0, w_ih, w_hh, b_ih, b_hh, reverse=reverse)


# ---- losses ----------------------------------------------------------------------------
def cross_entropy(
    logits: Tensor,
    target,
    weight=None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy (torch's argument order). logits (N, C); ``target`` (N,)
    integer class ids or (N, C) class probabilities; ``weight`` (C,) per class."""
    target = _raw(target)
    return apply(
        P.cross_entropy_forward,
        P.cross_entropy_backward,
        logits,
        target,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
        reduction=reduction,
        weight=_raw(weight),
    )


def nll_loss(logp: Tensor, target, weight=None, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of class ids; ``logp`` (N, C) log-probabilities."""
    return apply(
        P.nll_loss_forward,
        P.nll_loss_backward,
        logp,
        _raw(target),
        _raw(weight),
        ignore_index=ignore_index,
        reduction=reduction,
    )


def binary_cross_entropy(p: Tensor, target, weight=None, reduction: str = "mean") -> Tensor:
    """−(t log p + (1 − t) log(1 − p)) for probabilities p; target gets no gradient."""
    return apply(
        P.binary_cross_entropy_forward,
        P.binary_cross_entropy_backward,
        p,
        _raw(target),
        weight=_raw(weight),
        reduction=reduction,
    )


def binary_cross_entropy_with_logits(
    x: Tensor, target, weight=None, reduction: str = "mean", pos_weight=None
) -> Tensor:
    """Sigmoid + binary cross-entropy, stable for large |x|; target gets no gradient."""
    return apply(
        P.binary_cross_entropy_with_logits_forward,
        P.binary_cross_entropy_with_logits_backward,
        x,
        _raw(target),
        weight=_raw(weight),
        pos_weight=_raw(pos_weight),
        reduction=reduction,
    )


def kl_div(logq: Tensor, target, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL(target ‖ q) pointwise with ``logq`` = log q; reduction "mean" (torch's default,
    over elements), "batchmean" (the true KL per sample), "sum" or "none"."""
    return apply(P.kl_div_forward, P.kl_div_backward, logq, target, reduction=reduction, log_target=log_target)


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    return apply(P.mse_forward, P.mse_backward, pred, target, reduction=reduction)


def ctc_loss(
    log_probs: Tensor,
    targets,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """CTC loss over log_probs (T, N, C); targets (N, S) or concatenated (see ``pairs/ctc.py``)."""
    return apply(
        P.ctc_loss_forward,
        P.ctc_loss_backward,
        log_probs,
        _raw(targets),
        _raw(input_lengths),
        _raw(target_lengths),
        blank=blank,
        reduction=reduction,
        zero_infinity=zero_infinity,
    )


# ---- shape, indexing, graphs -------------------------------------------------------------
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return apply(P.concat_forward, P.concat_backward, *_sequence(tensors, "cat"), axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return apply(P.stack_forward, P.stack_backward, *_sequence(tensors, "stack"), axis=dim)


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: an int is the size of every chunk (the last may be smaller)."""
    x = _tensor(x, "split")
    n = x.shape[check_dim("split", dim, x.ndim)]
    if isinstance(split_size_or_sections, int | np.integer) and not isinstance(split_size_or_sections, bool):
        s = check_positive_int("split", "split_size", split_size_or_sections)
        sections = [s] * (n // s) + ([n % s] if n % s else [])
    elif isinstance(split_size_or_sections, list | tuple):
        sections = list(split_size_or_sections)
    else:
        raise TypeError(
            f"split: split_size_or_sections must be an int or a list of ints, got {split_size_or_sections!r}"
        )
    out = apply(P.split_forward, P.split_backward, x, sections=sections, axis=dim)
    return out if isinstance(out, tuple) else (out,)


def gather(x: Tensor, dim: int, index) -> Tensor:
    return _tensor(x, "gather").gather(dim, index)


def where(cond, a, b) -> Tensor:
    """a where ``cond`` (boolean) else b; a and b promote as in arithmetic."""
    dtype = result_type(a, b)
    a, b = _cast(a, dtype), _cast(b, dtype)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    return apply(P.where_forward, P.where_backward, _raw(cond), a, b)


def index_add(x: Tensor, dim: int, index, source: Tensor, *, alpha: float = 1) -> Tensor:
    return _tensor(x, "index_add").index_add(dim, index, source, alpha=alpha)


def scatter_add(x: Tensor, dim: int, index, src: Tensor) -> Tensor:
    return _tensor(x, "scatter_add").scatter_add(dim, index, src)


def roll(x: Tensor, shifts, dims=None) -> Tensor:
    return _tensor(x, "roll").roll(shifts, dims)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    return apply(P.cosine_similarity_forward, P.cosine_similarity_backward, x1, x2, axis=dim, eps=eps)


def normalize(x: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    return apply(P.normalize_forward, P.normalize_backward, x, p=p, axis=dim, eps=eps)


# ---- argument helpers ----------------------------------------------------------------------
def _tensor(x, op: str, name: str = "input") -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}")
    return x


def _sequence(tensors, op: str) -> list:
    if isinstance(tensors, Tensor | np.ndarray) or not isinstance(tensors, Sequence):
        raise TypeError(f"{op}: tensors must be a list or tuple of Tensors, got {type(tensors).__name__}")
    return list(tensors)
