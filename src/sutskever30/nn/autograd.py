"""A thin tape: ``Tensor`` records which pair made it; ``backward()`` replays the pairs'
backwards in reverse.

The tape adds no maths of its own. Each op is one call to :func:`apply`, which runs a
forward pair from ``functional.py`` and, when a gradient is needed, keeps the pair's
backward and cache in a ``Node``. ``Tensor.backward`` sorts the nodes topologically
(iteratively: a 10,000-step recurrence does not hit Python's recursion limit), feeds
each node the gradient of its outputs and hands the returned gradients to its inputs.

Semantics follow PyTorch: gradients of leaf tensors accumulate in ``.grad`` until
zeroed; ``no_grad()`` turns recording off; ``detach()`` cuts a tensor from the graph;
ops keep the dtype of their inputs; the graph is freed after ``backward()`` unless
``retain_graph=True``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from . import functional as F

_GRAD_ENABLED = True


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block ops are not recorded (evaluation, optimizer updates)."""
    global _GRAD_ENABLED
    prev, _GRAD_ENABLED = _GRAD_ENABLED, False
    try:
        yield
    finally:
        _GRAD_ENABLED = prev


def is_grad_enabled() -> bool:
    return _GRAD_ENABLED


class Node:
    """One recorded op: its backward, cache, inputs and the shapes of its outputs."""

    __slots__ = ("backward", "cache", "inputs", "out_meta", "name")

    def __init__(self, backward, cache, inputs, out_meta, name):
        self.backward = backward
        self.cache = cache
        self.inputs = inputs  # tuple of Tensor | None, aligned with the pair's positions
        self.out_meta = out_meta  # [(shape, dtype)] per output
        self.name = name


def _to_array(data, dtype=None) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    arr = np.asarray(data, dtype=dtype)
    if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.ndarray):
        arr = arr.astype(np.float32)  # Python floats default to float32, as in PyTorch
    return arr


class Tensor:
    """An ndarray plus what is needed to differentiate through it."""

    __slots__ = ("data", "grad", "requires_grad", "_node", "_index", "__weakref__")
    __array_priority__ = 1000  # so ndarray (op) Tensor defers to Tensor's reflected ops

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data: np.ndarray = _to_array(data, dtype)
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"Tensor: only floating-point tensors can require grad, got {self.data.dtype}")
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._node: Node | None = None
        self._index = 0

    # ---- introspection ------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    def size(self, dim: int | None = None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def numel(self) -> int:
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        g = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}{g})"

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return self.data.item()

    def detach(self) -> Tensor:
        """Same data, no history, no gradient."""
        return Tensor(self.data)

    def zero_(self) -> Tensor:
        self.data[...] = 0
        return self

    # ---- backward -----------------------------------------------------------------
    def backward(self, gradient: np.ndarray | None = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) · gradient into every leaf's ``.grad``.

        ``gradient`` defaults to 1 for a scalar, as in PyTorch; a non-scalar needs one.
        """
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: grad can be implicitly created only for scalars; shape is {self.shape}")
            gradient = np.ones_like(self.data)
        gradient = np.asarray(gradient, dtype=self.data.dtype)
        if gradient.shape != self.shape:
            raise ValueError(f"backward: gradient has shape {gradient.shape}; expected {self.shape}")
        if self._node is None:
            self._accumulate_leaf(gradient)
            return
        order = _topological_order(self._node)
        grads: dict[int, list] = {id(self._node): [None] * len(self._node.out_meta)}
        grads[id(self._node)][self._index] = gradient
        for node in order:
            if node.backward is None:
                raise RuntimeError("backward: the graph was freed by an earlier backward(); pass retain_graph=True")
            outs = grads.pop(id(node), None)
            if outs is None:  # no gradient flows into this node
                continue
            douts = [g if g is not None else np.zeros(s, d) for g, (s, d) in zip(outs, node.out_meta)]
            dout = douts[0] if len(douts) == 1 else tuple(douts)
            in_grads = node.backward(dout, node.cache)
            if not isinstance(in_grads, tuple):
                in_grads = (in_grads,)
            for t, g in zip(node.inputs, in_grads):
                if t is None or g is None or not t.requires_grad:
                    continue
                if t._node is None:
                    t._accumulate_leaf(g)
                else:
                    slot = grads.setdefault(id(t._node), [None] * len(t._node.out_meta))
                    slot[t._index] = g if slot[t._index] is None else slot[t._index] + g
            if not retain_graph:
                node.backward, node.cache, node.inputs = None, None, ()

    def _accumulate_leaf(self, g: np.ndarray) -> None:
        g = np.asarray(g, dtype=self.data.dtype)
        if g.shape != self.data.shape:  # a pair must return input-shaped grads
            raise RuntimeError(f"internal: gradient of shape {g.shape} for a leaf of shape {self.shape}")
        self.grad = g.copy() if self.grad is None else self.grad + g

    # ---- operators ----------------------------------------------------------------
    def __add__(self, o):
        return add(self, o)

    def __radd__(self, o):
        return add(o, self)

    def __sub__(self, o):
        return sub(self, o)

    def __rsub__(self, o):
        return sub(o, self)

    def __mul__(self, o):
        return mul(self, o)

    def __rmul__(self, o):
        return mul(o, self)

    def __truediv__(self, o):
        return div(self, o)

    def __rtruediv__(self, o):
        return div(o, self)

    def __pow__(self, p):
        return pow(self, p)

    def __neg__(self):
        return apply(F.neg_forward, F.neg_backward, self)

    def __matmul__(self, o):
        return matmul(self, o)

    def __rmatmul__(self, o):
        return matmul(o, self)

    def __getitem__(self, idx):
        if isinstance(idx, Tensor):
            idx = idx.data
        return apply(F.index_forward, F.index_backward, self, idx=idx)

    # comparisons give plain boolean arrays (no gradient), handy for masks and accuracy
    def __gt__(self, o):
        return self.data > _raw(o)

    def __lt__(self, o):
        return self.data < _raw(o)

    def __ge__(self, o):
        return self.data >= _raw(o)

    def __le__(self, o):
        return self.data <= _raw(o)

    __hash__ = object.__hash__

    # ---- methods (PyTorch names) ---------------------------------------------------
    def sum(self, dim=None, keepdim: bool = False) -> Tensor:
        return apply(F.sum_forward, F.sum_backward, self, axis=dim, keepdims=keepdim)

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        return apply(F.mean_forward, F.mean_backward, self, axis=dim, keepdims=keepdim)

    def max(self, dim=None, keepdim: bool = False) -> Tensor:
        return apply(F.max_forward, F.max_backward, self, axis=dim, keepdims=keepdim)

    def exp(self) -> Tensor:
        return exp(self)

    def log(self) -> Tensor:
        return log(self)

    def sqrt(self) -> Tensor:
        return sqrt(self)

    def tanh(self) -> Tensor:
        return tanh(self)

    def sigmoid(self) -> Tensor:
        return sigmoid(self)

    def relu(self) -> Tensor:
        return relu(self)

    def softmax(self, dim: int = -1) -> Tensor:
        return softmax(self, dim)

    def log_softmax(self, dim: int = -1) -> Tensor:
        return log_softmax(self, dim)

    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return apply(F.reshape_forward, F.reshape_backward, self, shape=shape)

    view = reshape

    def permute(self, *dims) -> Tensor:
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return apply(F.transpose_forward, F.transpose_backward, self, axes=dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        axes = list(range(self.ndim))
        axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
        return self.permute(axes)

    @property
    def T(self) -> Tensor:
        return apply(F.transpose_forward, F.transpose_backward, self, axes=None)

    def masked_fill(self, mask, value: float) -> Tensor:
        return apply(F.masked_fill_forward, F.masked_fill_backward, self, _raw(mask), value=value)

    def float(self) -> Tensor:
        return self if self.dtype == np.float32 else Tensor(self.data.astype(np.float32))

    def double(self) -> Tensor:
        return self if self.dtype == np.float64 else Tensor(self.data.astype(np.float64))


class Parameter(Tensor):
    """A leaf tensor that a ``Module`` owns and an optimizer updates."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        arr = np.asarray(data.data if isinstance(data, Tensor) else data)
        if arr.dtype.kind != "f":
            raise TypeError(f"Parameter: expected a floating-point array, got {arr.dtype}")
        super().__init__(arr, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, dtype={self.dtype})"


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _topological_order(root: Node) -> list[Node]:
    """Nodes reachable from ``root``, each after every node that consumes its outputs.

    Iterative depth-first post-order, reversed. A node is marked when it is *expanded*,
    not when it is pushed: in a DAG a marked node is then always finished, so every
    node lands in ``post`` after all of its inputs' nodes.
    """
    post: list[Node] = []
    expanded: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            post.append(node)
            continue
        if id(node) in expanded:  # pushed twice before it was reached
            continue
        expanded.add(id(node))
        stack.append((node, True))
        for t in node.inputs:
            if t is not None and t._node is not None and id(t._node) not in expanded:
                stack.append((t._node, False))
    post.reverse()
    return post


def _needs_grad(x) -> bool:
    """Whether the tape must carry a gradient back to ``x``."""
    return _GRAD_ENABLED and isinstance(x, Tensor) and x.requires_grad


def apply(forward: Callable, backward: Callable, *inputs, **kwargs):
    """Run a forward pair on the arrays inside ``inputs`` and record its backward.

    Positional inputs may be Tensors or plain arrays/scalars/None (not differentiated).
    Returns a Tensor, or a tuple of Tensors when the pair has several outputs.
    """
    arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
    out, cache = forward(*arrays, **kwargs)
    needs = any(_needs_grad(x) for x in inputs)
    outs = out if isinstance(out, tuple) else (out,)
    results = []
    for o in outs:
        t = Tensor.__new__(Tensor)
        t.data = np.asarray(o)
        t.grad = None
        t.requires_grad = needs
        t._node = None
        t._index = 0
        results.append(t)
    if needs:
        node = Node(
            backward,
            cache,
            tuple(x if isinstance(x, Tensor) else None for x in inputs),
            [(t.data.shape, t.data.dtype) for t in results],
            getattr(forward, "__name__", "op"),
        )
        for i, t in enumerate(results):
            t._node, t._index = node, i
    return tuple(results) if isinstance(out, tuple) else results[0]


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    """``torch.tensor``: a new leaf Tensor."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _lift(a, like):
    """A Python scalar or array next to a Tensor takes the Tensor's dtype."""
    if isinstance(a, Tensor):
        return a
    return np.asarray(a, dtype=like.dtype if np.ndim(a) == 0 else None)


def _binary(fwd, bwd, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    a = _lift(a, b if isinstance(b, Tensor) else a)
    b = _lift(b, a if isinstance(a, Tensor) else b)
    return apply(fwd, bwd, a, b)


# ---- elementwise and reductions ------------------------------------------------------
def add(a, b) -> Tensor:
    return _binary(F.add_forward, F.add_backward, a, b)


def sub(a, b) -> Tensor:
    return _binary(F.sub_forward, F.sub_backward, a, b)


def mul(a, b) -> Tensor:
    return _binary(F.mul_forward, F.mul_backward, a, b)


def div(a, b) -> Tensor:
    return _binary(F.div_forward, F.div_backward, a, b)


def pow(a, p) -> Tensor:  # noqa: A001 (PyTorch's name)
    if isinstance(p, Tensor):
        return _binary(F.pow_forward, F.pow_backward, a, p)
    return apply(F.pow_forward, F.pow_backward, a, p)


def matmul(a, b) -> Tensor:
    return apply(F.matmul_forward, F.matmul_backward, a, b)


def exp(x: Tensor) -> Tensor:
    return apply(F.exp_forward, F.exp_backward, x)


def log(x: Tensor) -> Tensor:
    return apply(F.log_forward, F.log_backward, x)


def sqrt(x: Tensor) -> Tensor:
    return apply(F.sqrt_forward, F.sqrt_backward, x)


def tanh(x: Tensor) -> Tensor:
    return apply(F.tanh_forward, F.tanh_backward, x)


def sigmoid(x: Tensor) -> Tensor:
    return apply(F.sigmoid_forward, F.sigmoid_backward, x)


def relu(x: Tensor) -> Tensor:
    return apply(F.relu_forward, F.relu_backward, x)


def softmax(x: Tensor, dim: int = -1) -> Tensor:
    return apply(F.softmax_forward, F.softmax_backward, x, axis=dim)


def log_softmax(x: Tensor, dim: int = -1) -> Tensor:
    return apply(F.log_softmax_forward, F.log_softmax_backward, x, axis=dim)


def logsumexp(x: Tensor, dim: int = -1, keepdim: bool = False) -> Tensor:
    return apply(F.logsumexp_forward, F.logsumexp_backward, x, axis=dim, keepdims=keepdim)


# ---- layers and losses ------------------------------------------------------------
def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    return apply(F.linear_forward, F.linear_backward, x, weight, bias)


def cross_entropy(
    logits: Tensor, target, ignore_index: int = -100, label_smoothing: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """Softmax cross-entropy; ``target`` holds integer class ids (array or Tensor)."""
    return apply(
        F.cross_entropy_forward,
        F.cross_entropy_backward,
        logits,
        _raw(target),
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
        reduction=reduction,
    )


def mse_loss(pred: Tensor, target, reduction: str = "mean") -> Tensor:
    return apply(F.mse_forward, F.mse_backward, pred, target, reduction=reduction)


def ctc_loss(
    log_probs: Tensor,
    targets,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """CTC loss over log_probs (T, N, C); targets (N, S) or concatenated (see ``nn/ctc.py``)."""
    return apply(
        F.ctc_loss_forward,
        F.ctc_loss_backward,
        log_probs,
        _raw(targets),
        _raw(input_lengths),
        _raw(target_lengths),
        blank=blank,
        reduction=reduction,
        zero_infinity=zero_infinity,
    )


def embedding(ids, weight: Tensor) -> Tensor:
    return apply(F.embedding_forward, F.embedding_backward, _raw(ids), weight)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, rng: np.random.Generator | None = None) -> Tensor:
    return apply(F.dropout_forward, F.dropout_backward, x, p=p, rng=rng, training=training)


def layer_norm(
    x: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None, eps: float = 1e-5
) -> Tensor:
    """``torch.nn.functional.layer_norm``: normalise over the last ``normalized_shape`` axes."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return apply(F.layer_norm_forward, F.layer_norm_backward, x, weight, bias, eps=eps, normalized_shape=shape)


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
        F.batch_norm_forward,
        F.batch_norm_backward,
        x,
        weight,
        bias,
        _raw(running_mean),
        _raw(running_var),
        training=training,
        momentum=momentum,
        eps=eps,
    )


def conv1d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1) -> Tensor:
    bwd = F.conv1d_backward if _needs_grad(x) else functools.partial(F.conv1d_backward, input_grad=False)
    return apply(F.conv1d_forward, bwd, x, weight, bias, stride=stride, padding=padding, dilation=dilation)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1) -> Tensor:
    # The data entering a first layer needs no gradient: skip dx there.
    bwd = F.conv2d_backward if _needs_grad(x) else functools.partial(F.conv2d_backward, input_grad=False)
    return apply(F.conv2d_forward, bwd, x, weight, bias, stride=stride, padding=padding, dilation=dilation)


def max_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return apply(
        F.max_pool2d_forward, F.max_pool2d_backward, x, kernel_size=kernel_size, stride=stride, padding=padding
    )


def avg_pool2d(x: Tensor, kernel_size, stride=None, padding=0) -> Tensor:
    return apply(
        F.avg_pool2d_forward, F.avg_pool2d_backward, x, kernel_size=kernel_size, stride=stride, padding=padding
    )


def local_response_norm(x: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """``torch.nn.functional.local_response_norm``: normalise across ``size`` neighbouring channels."""
    return apply(
        F.local_response_norm_forward, F.local_response_norm_backward, x, size=size, alpha=alpha, beta=beta, k=k
    )


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, mask=None, scale: float | None = None):
    """Returns ``(out, attn)``; ``mask`` is boolean, True where attending is allowed."""
    return apply(
        F.scaled_dot_product_attention_forward,
        F.scaled_dot_product_attention_backward,
        q,
        k,
        v,
        _raw(mask),
        scale=scale,
    )


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity: str = "tanh") -> Tensor:
    return apply(F.rnn_cell_forward, F.rnn_cell_backward, x, h, w_ih, w_hh, b_ih, b_hh, nonlinearity=nonlinearity)


def lstm_cell(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple[Tensor, Tensor]:
    return apply(F.lstm_cell_forward, F.lstm_cell_backward, x, h, c, w_ih, w_hh, b_ih, b_hh)


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None) -> Tensor:
    return apply(F.gru_cell_forward, F.gru_cell_backward, x, h, w_ih, w_hh, b_ih, b_hh)


def rnn(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse: bool = False, nonlinearity: str = "tanh"):
    """An Elman RNN over x (T, B, I); returns (out (T, B, H), h_T). One node for all T."""
    return apply(
        F.rnn_forward, F.rnn_backward, x, h0, w_ih, w_hh, b_ih, b_hh, reverse=reverse, nonlinearity=nonlinearity
    )


def lstm(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, reverse: bool = False):
    """An LSTM over x (T, B, I); returns (out (T, B, H), h_T, c_T). One node for all T."""
    return apply(F.lstm_forward, F.lstm_backward, x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse=reverse)


def gru(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, reverse: bool = False):
    """A GRU over x (T, B, I); returns (out (T, B, H), h_T). One node for all T."""
    return apply(F.gru_forward, F.gru_backward, x, h0, w_ih, w_hh, b_ih, b_hh, reverse=reverse)


# ---- shape ops ----------------------------------------------------------------------
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return apply(F.concat_forward, F.concat_backward, *tensors, axis=dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return apply(F.stack_forward, F.stack_backward, *tensors, axis=dim)


def split(x: Tensor, split_size_or_sections, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: an int is the size of every chunk (the last may be smaller)."""
    n = x.shape[dim]
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        sections = [s] * (n // s) + ([n % s] if n % s else [])
    else:
        sections = list(split_size_or_sections)
    out = apply(F.split_forward, F.split_backward, x, sections=sections, axis=dim)
    return out if isinstance(out, tuple) else (out,)


def gather(x: Tensor, dim: int, index) -> Tensor:
    return apply(F.gather_forward, F.gather_backward, x, dim, _raw(index))


def where(cond, a, b) -> Tensor:
    cond = _raw(cond)
    like = a if isinstance(a, Tensor) else b
    if isinstance(like, Tensor):
        a, b = _lift(a, like), _lift(b, like)
    return apply(F.where_forward, F.where_backward, cond, a, b)
