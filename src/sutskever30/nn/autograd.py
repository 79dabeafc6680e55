"""A thin tape: ``Tensor`` records which pair made it; ``backward()`` replays the pairs'
backwards in reverse.

The tape adds no maths of its own. Each op is one call to :func:`apply`, which runs a
forward pair from ``pairs/`` and, when a gradient is needed, keeps the pair's
backward and cache in a ``Node``. ``Tensor.backward`` sorts the nodes topologically
(iteratively: a 10,000-step recurrence does not hit Python's recursion limit), feeds
each node the gradient of its outputs and hands the returned gradients to its inputs.

Semantics follow PyTorch: gradients of leaf tensors accumulate in ``.grad`` until
zeroed; ``no_grad()`` turns recording off; ``detach()`` cuts a tensor from the graph;
the graph is freed after ``backward()`` unless ``retain_graph=True``; mixed dtypes follow
torch's type promotion (:func:`result_type`); ``max(dim)`` returns ``(values, indices)``.
The Tensor-level functions (``F.relu``, ``F.cross_entropy``, ...) live in ``functional.py``.

Differences from torch, on purpose: comparisons (``x > 0``) return plain boolean ndarrays
(masks, no graph); ``.float()``/``.double()`` return new leaves (use ``.to(dtype)`` for a
differentiable cast); a Python or NumPy float scalar becomes float32 (torch keeps a NumPy
float64 scalar as float64; a 0-d float64 *array* stays float64 here too); there is no
in-place op on tensors that require grad, and no devices.
"""

from __future__ import annotations

import contextlib
from collections import namedtuple
from collections.abc import Callable, Iterator

import numpy as np

from . import pairs as P
from .checks import check_dim

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
    if isinstance(data, str | bytes | dict | set) or data is None:
        raise TypeError(f"Tensor: data must be numbers (a number, nested list or ndarray), got {type(data).__name__}")
    try:
        arr = np.asarray(data, dtype=dtype)
    except (ValueError, TypeError) as e:  # ragged lists, unparsable strings, a bad dtype
        raise TypeError(f"Tensor: data must be a rectangular array of numbers ({e})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: data must be bool, integer or floating point, got dtype {arr.dtype}")
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
        return self.data.shape if dim is None else self.data.shape[check_dim("size", dim, self.ndim)]

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
        return _binary(P.add_forward, P.add_backward, self, o)

    def __radd__(self, o):
        return _binary(P.add_forward, P.add_backward, o, self)

    def __sub__(self, o):
        return _binary(P.sub_forward, P.sub_backward, self, o)

    def __rsub__(self, o):
        return _binary(P.sub_forward, P.sub_backward, o, self)

    def __mul__(self, o):
        return _binary(P.mul_forward, P.mul_backward, self, o)

    def __rmul__(self, o):
        return _binary(P.mul_forward, P.mul_backward, o, self)

    def __truediv__(self, o):
        return _binary(P.div_forward, P.div_backward, self, o, true_div=True)

    def __rtruediv__(self, o):
        return _binary(P.div_forward, P.div_backward, o, self, true_div=True)

    def __pow__(self, p):
        return _pow(self, p)

    def __rpow__(self, base):
        return _pow(base, self)

    def __neg__(self):
        return apply(P.neg_forward, P.neg_backward, self)

    def __matmul__(self, o):
        return apply(P.matmul_forward, P.matmul_backward, self, _as_operand(o, "matmul"))

    def __rmatmul__(self, o):
        return apply(P.matmul_forward, P.matmul_backward, _as_operand(o, "matmul"), self)

    def __getitem__(self, idx):
        if isinstance(idx, tuple):
            idx = tuple(i.data if isinstance(i, Tensor) else i for i in idx)
        elif isinstance(idx, Tensor):
            idx = idx.data
        return apply(P.index_forward, P.index_backward, self, idx=idx)

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
        return apply(P.sum_forward, P.sum_backward, self, axis=_dims(dim), keepdims=keepdim)

    def mean(self, dim=None, keepdim: bool = False) -> Tensor:
        if self.dtype.kind != "f":
            raise TypeError(f"mean: input dtype must be floating point, got {self.dtype} (cast with .float())")
        return apply(P.mean_forward, P.mean_backward, self, axis=_dims(dim), keepdims=keepdim)

    def amax(self, dim=None, keepdim: bool = False) -> Tensor:
        """Max over ``dim`` (int, list/tuple, None = all); ties share the gradient evenly."""
        return apply(P.amax_forward, P.amax_backward, self, axis=_dims(dim), keepdims=keepdim)

    def amin(self, dim=None, keepdim: bool = False) -> Tensor:
        """Min over ``dim`` (int, list/tuple, None = all); ties share the gradient evenly."""
        return apply(P.amin_forward, P.amin_backward, self, axis=_dims(dim), keepdims=keepdim)

    def max(self, dim: int | None = None, keepdim: bool = False):
        """``max()``: the largest entry (a 0-d Tensor; ties share the gradient, as torch).
        ``max(dim)``: the named tuple ``(values, indices)`` along one dim; the first
        maximum takes the gradient. For a reduction over several dims use ``amax``."""
        if dim is None:
            return apply(P.amax_forward, P.amax_backward, self, axis=None, keepdims=False)
        values, indices = apply(P.max_dim_forward, P.max_dim_backward, self, axis=dim, keepdims=keepdim)
        indices.requires_grad = False  # integer positions carry no gradient
        return MaxResult(values, indices)

    def min(self, dim: int | None = None, keepdim: bool = False):
        """As :meth:`max`, for the smallest entries: ``(values, indices)`` with a dim."""
        if dim is None:
            return apply(P.amin_forward, P.amin_backward, self, axis=None, keepdims=False)
        values, indices = apply(P.min_dim_forward, P.min_dim_backward, self, axis=dim, keepdims=keepdim)
        indices.requires_grad = False
        return MinResult(values, indices)

    def logsumexp(self, dim, keepdim: bool = False) -> Tensor:
        return apply(P.logsumexp_forward, P.logsumexp_backward, self, axis=_dims(dim), keepdims=keepdim)

    def exp(self) -> Tensor:
        return apply(P.exp_forward, P.exp_backward, _floating(self, "exp"))

    def log(self) -> Tensor:
        return apply(P.log_forward, P.log_backward, _floating(self, "log"))

    def sqrt(self) -> Tensor:
        return apply(P.sqrt_forward, P.sqrt_backward, _floating(self, "sqrt"))

    def tanh(self) -> Tensor:
        return apply(P.tanh_forward, P.tanh_backward, _floating(self, "tanh"))

    def sigmoid(self) -> Tensor:
        return apply(P.sigmoid_forward, P.sigmoid_backward, _floating(self, "sigmoid"))

    def relu(self) -> Tensor:
        return apply(P.relu_forward, P.relu_backward, self)

    def softmax(self, dim: int = -1) -> Tensor:
        return apply(P.softmax_forward, P.softmax_backward, _floating(self, "softmax"), axis=dim)

    def log_softmax(self, dim: int = -1) -> Tensor:
        return apply(P.log_softmax_forward, P.log_softmax_backward, _floating(self, "log_softmax"), axis=dim)

    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        return apply(P.reshape_forward, P.reshape_backward, self, shape=shape)

    view = reshape

    def permute(self, *dims) -> Tensor:
        if len(dims) == 1 and isinstance(dims[0], tuple | list):
            dims = tuple(dims[0])
        return apply(P.transpose_forward, P.transpose_backward, self, axes=dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        axes = list(range(self.ndim))
        d0, d1 = check_dim("transpose", dim0, self.ndim, "dim0"), check_dim("transpose", dim1, self.ndim, "dim1")
        if self.ndim == 0:
            return self
        axes[d0], axes[d1] = axes[d1], axes[d0]
        return self.permute(axes)

    @property
    def T(self) -> Tensor:
        return apply(P.transpose_forward, P.transpose_backward, self, axes=None)

    def masked_fill(self, mask, value: float) -> Tensor:
        return apply(P.masked_fill_forward, P.masked_fill_backward, self, _raw(mask), value=value)

    def gather(self, dim: int, index) -> Tensor:
        return apply(P.gather_forward, P.gather_backward, self, dim, _raw(index))

    def index_add(self, dim: int, index, source: Tensor, *, alpha: float = 1) -> Tensor:
        """``out = self.clone(); out[index[i]] += alpha·source[i]`` along ``dim`` (a segment sum)."""
        return apply(P.index_add_forward, P.index_add_backward, self, dim, _raw(index), source, alpha=alpha)

    def scatter_add(self, dim: int, index, src: Tensor) -> Tensor:
        """``out[i][index[i][j]] += src[i][j]`` along ``dim`` (torch's element-wise scatter)."""
        return apply(P.scatter_add_forward, P.scatter_add_backward, self, dim, _raw(index), src)

    def roll(self, shifts, dims=None) -> Tensor:
        return apply(P.roll_forward, P.roll_backward, self, shifts=shifts, dims=dims)

    def to(self, dtype) -> Tensor:
        """A differentiable cast (the gradient is cast back)."""
        try:
            dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"to: dtype must be a NumPy dtype such as np.float64, got {dtype!r}") from None
        if dtype.kind != "f":
            raise TypeError(f"to: dtype must be floating point (a differentiable cast), got {dtype}")
        return self if dtype == self.dtype else apply(P.cast_forward, P.cast_backward, self, dtype=dtype)

    def float(self) -> Tensor:
        """float32 data with no history (differs from torch, whose ``.float()`` is differentiable:
        use ``.to(np.float32)`` for that)."""
        return self if self.dtype == np.float32 else Tensor(self.data.astype(np.float32))

    def double(self) -> Tensor:
        """float64 data with no history (see :meth:`float`)."""
        return self if self.dtype == np.float64 else Tensor(self.data.astype(np.float64))


MaxResult = namedtuple("max", ["values", "indices"])  # torch.return_types.max
MinResult = namedtuple("min", ["values", "indices"])


class Parameter(Tensor):
    """A leaf tensor that a ``Module`` owns and an optimizer updates."""

    __slots__ = ()

    def __init__(self, data, requires_grad: bool = True):
        if isinstance(data, str | bytes | dict | set) or data is None:
            raise TypeError(f"Parameter: expected a floating-point array, got {type(data).__name__}")
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


# ---- type promotion (torch's rules) ---------------------------------------------------
_DEFAULT = {"b": np.dtype(bool), "i": np.dtype(np.int64), "f": np.dtype(np.float32)}


def _category(dtype: np.dtype) -> int:
    return {"b": 0, "u": 1, "i": 1, "f": 2}[dtype.kind]


def _operand(x) -> tuple[np.dtype, int]:
    """(dtype, tier): tier 2 a tensor/array with dims, 1 a 0-d one, 0 a Python/NumPy scalar."""
    if isinstance(x, Tensor | np.ndarray):
        if x.dtype.kind not in "biuf":
            raise TypeError(f"expected a bool, integer or float tensor, got dtype {x.dtype}")
        return x.dtype, 2 if x.ndim else 1
    if isinstance(x, bool | np.bool_):
        return _DEFAULT["b"], 0
    if isinstance(x, int | np.integer):
        return _DEFAULT["i"], 0
    if isinstance(x, float | np.floating):
        return _DEFAULT["f"], 0
    raise TypeError(f"expected a Tensor, an ndarray or a real number, got {type(x).__name__}")


def result_type(*operands) -> np.dtype:
    """torch's type promotion: the highest category (bool < int < float) wins; within it,
    tensors with dims decide the width, then 0-d tensors, then Python scalars (float32 /
    int64). So float32 · 0-d float64 -> float32, int · 2.5 -> float32, f32 + f64 (both
    with dims) -> float64."""
    infos = [_operand(x) for x in operands]
    top = max(_category(d) for d, _ in infos)
    for tier in (2, 1, 0):
        same = [d for d, t in infos if t == tier and _category(d) == top]
        if same:
            return np.result_type(*same)
    raise AssertionError("unreachable")


def _cast(x, dtype: np.dtype):
    """A Tensor cast differentiably; an array or scalar converted."""
    if isinstance(x, Tensor):
        return x if x.dtype == dtype else apply(P.cast_forward, P.cast_backward, x, dtype=dtype)
    return np.asarray(x, dtype=dtype)


def _binary(fwd: Callable, bwd: Callable, a, b, true_div: bool = False) -> Tensor:
    """An elementwise op on two operands after torch's type promotion."""
    # fast paths, the common cases: two tensors of one dtype, a float tensor and a Python number
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        if a.data.dtype == b.data.dtype and (a.data.dtype.kind == "f" or not true_div):
            return _apply_broadcast(fwd, bwd, a, b)
    elif isinstance(a, Tensor) and type(b) in (float, int) and a.data.dtype.kind == "f":
        return _apply_broadcast(fwd, bwd, a, np.asarray(b, a.data.dtype))
    elif isinstance(b, Tensor) and type(a) in (float, int) and b.data.dtype.kind == "f":
        return _apply_broadcast(fwd, bwd, np.asarray(a, b.data.dtype), b)
    try:
        dtype = result_type(a, b)
    except TypeError as e:
        raise TypeError(f"{fwd.__name__.removesuffix('_forward')}: {e}") from None
    if true_div and dtype.kind != "f":
        dtype = _DEFAULT["f"]  # int / int is a float, as torch
    a, b = _cast(a, dtype), _cast(b, dtype)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    return _apply_broadcast(fwd, bwd, a, b)


def _apply_broadcast(fwd: Callable, bwd: Callable, a, b) -> Tensor:
    """apply() with NumPy's broadcast error replaced by one naming the op and both shapes."""
    try:
        return apply(fwd, bwd, a, b)
    except ValueError as e:
        if "broadcast" not in str(e):
            raise
        op = fwd.__name__.removesuffix("_forward")
        raise ValueError(
            f"{op}: shapes {np.shape(_raw(a))} and {np.shape(_raw(b))} do not broadcast together"
        ) from None


def _pow(a, p) -> Tensor:
    """a ** p. A Python-number exponent stays a constant (no gradient, bits as before)."""
    if isinstance(a, Tensor) and isinstance(p, int | float) and not isinstance(p, bool):
        if a.dtype.kind != "f" and (isinstance(p, float) or p < 0):
            a = _cast(a, _DEFAULT["f"])  # int ** 2.5 is a float, as torch
        return apply(P.pow_forward, P.pow_backward, a, p)
    return _binary(P.pow_forward, P.pow_backward, a, p)


def _as_operand(x, op: str):
    if isinstance(x, Tensor | np.ndarray):
        return x
    raise TypeError(f"{op}: expected a Tensor or ndarray operand, got {type(x).__name__}")


def _floating(x: Tensor, op: str) -> Tensor:
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: input dtype must be floating point, got {x.dtype} (cast with .float())")
    return x


def _dims(dim):
    """torch accepts one dim or a list/tuple of dims; NumPy wants a tuple."""
    return tuple(dim) if isinstance(dim, list) else dim
