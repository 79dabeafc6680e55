"""Recurrent cell pairs (the pair contract is in ``pairs/__init__.py``).

One time step of a vanilla RNN, an LSTM and a GRU (``*_cell``), and the same cells run
over a whole sequence (``rnn``/``lstm``/``gru``, backprop through time inside the pair),
with PyTorch's weight layouts and gate order, so the weights of ``torch.nn.RNNCell`` / ``LSTMCell`` / ``GRUCell`` can be
copied in unchanged. Shapes: B batch, I input features, H hidden units.

* ``rnn_cell``:  h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)   (or relu)
* ``lstm_cell``: gates stacked i, f, g, o in W_ih (4H, I), W_hh (4H, H), biases (4H,)
      i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)      a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
      c' = f ⊙ c + i ⊙ g      h' = o ⊙ tanh(c')
* ``gru_cell``:  gates stacked r, z, n in W_ih (3H, I), W_hh (3H, H), biases (3H,)
      r = σ(W_ir x + b_ir + W_hr h + b_hr)   z = σ(W_iz x + b_iz + W_hz h + b_hz)
      n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))   h' = (1 − z) ⊙ n + z ⊙ h

Each step does exactly two matrix products forward (all gates of x at once, all gates of
h at once) and four backward (dx, dh, dW_ih, dW_hh); gate nonlinearities run in place on
slices of the (B, G·H) pre-activation buffer. Inputs must share one floating dtype,
which the outputs keep (float32 in, float32 out).
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array

__all__ = [
    "rnn_cell_forward",
    "rnn_cell_backward",
    "lstm_cell_forward",
    "lstm_cell_backward",
    "gru_cell_forward",
    "gru_cell_backward",
    "rnn_forward",
    "rnn_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_forward",
    "gru_backward",
    # building blocks for variants of the LSTM (paper 4's masked recurrence)
    "lstm_gates",
    "lstm_gates_backward",
    "check_sequence",
]

_GATES = {"lstm_cell": "i, f, g, o", "gru_cell": "r, z, n"}


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _sigmoid_(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^−a), computed in place in ``a`` (a view into a gate buffer).

    Stable: for a ≪ 0, e^−a overflows to inf and 1 / (1 + inf) = 0, the right limit (the
    overflow warning is silenced); for a ≫ 0, e^−a underflows to 0 and σ = 1. One exp
    and no temporaries, which matters: this runs on 3H of every 4H LSTM gate columns.
    """
    with np.errstate(over="ignore"):
        np.negative(a, out=a)
        np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)
    return a


def _check_cell(op: str, n_gates: int, x, h, c, W_ih, W_hh, b_ih, b_hh) -> int:
    """Validate one cell's inputs; return H. Shapes are read off the weights: W_hh
    (G·H, H) fixes H, W_ih (G·H, I) fixes I, x fixes B."""
    G = n_gates
    GH = "H" if G == 1 else f"{G}H"  # the symbol for the stacked-gates dim
    stacked = "" if G == 1 else f" (gates {_GATES[op]} stacked along dim 0)"
    W_hh = check_array("W_hh", W_hh, ndim=2, shape_doc=f"({GH}, H){stacked}")
    H = W_hh.shape[1]
    if W_hh.shape[0] != G * H:
        raise ValueError(f"{op}: W_hh has shape {W_hh.shape}; expected ({GH}, H) = ({G * H}, {H}){stacked}")
    W_ih = check_array("W_ih", W_ih, ndim=2, shape_doc=f"({GH}, I){stacked}")
    if W_ih.shape[0] != G * H:
        raise ValueError(
            f"{op}: W_ih has shape {W_ih.shape}; expected ({GH}, I) = ({G * H}, I) to match W_hh {W_hh.shape}"
        )
    I = W_ih.shape[1]
    x = check_array("x", x, ndim=2, shape_doc=f"(B, I) = (B, {I})")
    if x.shape[1] != I:
        raise ValueError(f"{op}: x has shape {x.shape}; expected (B, I) = (B, {I}) to match W_ih {W_ih.shape}")
    B = x.shape[0]
    named = [("h", h)] if c is None else [("h", h), ("c", c)]
    for name, s in named:
        check_array(name, s, shape_doc=f"(B, H) = ({B}, {H})")
        if s.shape != (B, H):
            raise ValueError(
                f"{op}: {name} has shape {s.shape}; expected (B, H) = ({B}, {H}) "
                f"(B from x {x.shape}, H from W_hh {W_hh.shape})"
            )
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is None:
            continue
        check_array(name, b, shape_doc=f"({GH},) = ({G * H},)")
        if b.shape != (G * H,):
            raise ValueError(f"{op}: {name} has shape {b.shape}; expected ({GH},) = ({G * H},)")
    arrays = [("x", x), *named, ("W_ih", W_ih), ("W_hh", W_hh), ("b_ih", b_ih), ("b_hh", b_hh)]
    for name, a in arrays:
        if a is not None and a.dtype != x.dtype:
            raise TypeError(
                f"{op}: {name} has dtype {a.dtype} but x has {x.dtype}; all inputs must share "
                f"one dtype (cast with .astype)"
            )
    return H


def _preactivation(x, h, W_ih, W_hh, b_ih, b_hh) -> np.ndarray:
    """a = x W_ihᵀ + h W_hhᵀ + b_ih + b_hh, one fresh (B, G·H) buffer."""
    a = x @ W_ih.T  # (B, GH)   W_ih.T is a view: BLAS reads it transposed, no copy
    a += h @ W_hh.T  # (B, GH)
    if b_ih is not None:
        a += b_ih  # (B, GH)
    if b_hh is not None:
        a += b_hh  # (B, GH)
    return a


def _zeros_if_none(g, like: np.ndarray) -> np.ndarray:
    return np.zeros_like(like) if g is None else g


# --------------------------------------------------------------------------------------
# vanilla RNN
# --------------------------------------------------------------------------------------


def rnn_cell_forward(
    x: np.ndarray,
    h: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
    nonlinearity: str = "tanh",
) -> tuple[np.ndarray, tuple]:
    """One Elman RNN step, as ``torch.nn.RNNCell``.

    x (B, I), h (B, H), W_ih (H, I), W_hh (H, H), b_ih (H,) | None, b_hh (H,) | None.
    h' = φ(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) with φ = tanh or relu -> h' (B, H).
    Backward: ``rnn_cell_backward(dh', cache) -> (dx, dh, dW_ih, dW_hh, db_ih, db_hh)``.
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_cell: nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
    _check_cell("rnn_cell", 1, x, h, None, W_ih, W_hh, b_ih, b_hh)
    h_new = _preactivation(x, h, W_ih, W_hh, b_ih, b_hh)  # (B, H) pre-activation
    if nonlinearity == "tanh":
        np.tanh(h_new, out=h_new)  # (B, H)
    else:
        np.maximum(h_new, 0, out=h_new)  # (B, H)
    cache = (x, h, W_ih, W_hh, h_new, nonlinearity, b_ih is not None, b_hh is not None)
    return h_new, cache


def rnn_cell_backward(dh_new: np.ndarray, cache: tuple) -> tuple:
    """dh' (B, H) -> (dx (B, I), dh (B, H), dW_ih (H, I), dW_hh (H, H), db_ih, db_hh)."""
    x, h, W_ih, W_hh, h_new, nonlinearity, has_b_ih, has_b_hh = cache
    if nonlinearity == "tanh":
        da = h_new * h_new  # (B, H)
        np.subtract(1, da, out=da)  # (B, H) tanh' = 1 − h'²
        da *= dh_new  # (B, H)
    else:
        da = dh_new * (h_new > 0)  # (B, H) relu' = [a > 0] = [h' > 0]
    return _linear_grads(da, x, h, W_ih, W_hh, has_b_ih, has_b_hh)


def _linear_grads(da, x, h, W_ih, W_hh, has_b_ih, has_b_hh, da_h=None) -> tuple:
    """Gradients through a = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh given da (B, GH).

    ``da_h`` (B, GH) replaces da on the h side when the two differ (the GRU's n gate).
    """
    da_h = da if da_h is None else da_h
    dx = da @ W_ih  # (B, I)
    dh = da_h @ W_hh  # (B, H)
    dW_ih = da.T @ x  # (GH, I)
    dW_hh = da_h.T @ h  # (GH, H)
    db_ih = da.sum(axis=0) if has_b_ih else None  # (GH,)
    if not has_b_hh:
        db_hh = None
    elif da_h is da and db_ih is not None:
        db_hh = db_ih.copy()  # (GH,) same values; a copy so the two are never aliased
    else:
        db_hh = da_h.sum(axis=0)  # (GH,)
    return dx, dh, dW_ih, dW_hh, db_ih, db_hh


# --------------------------------------------------------------------------------------
# LSTM
# --------------------------------------------------------------------------------------


def lstm_cell_forward(
    x: np.ndarray,
    h: np.ndarray,
    c: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    """One LSTM step, as ``torch.nn.LSTMCell`` (Hochreiter & Schmidhuber 1997, with the
    forget gate of Gers et al. 2000).

    x (B, I), h (B, H), c (B, H), W_ih (4H, I), W_hh (4H, H), b_ih (4H,) | None,
    b_hh (4H,) | None; the 4H rows are the gates in the order i, f, g, o:

        [a_i a_f a_g a_o] = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh          (B, 4H)
        i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)             (B, H) each
        c' = f ⊙ c + i ⊙ g                                            (B, H)
        h' = o ⊙ tanh(c')                                             (B, H)

    Returns ``((h', c'), cache)``.
    Backward: ``lstm_cell_backward((dh', dc'), cache) -> (dx, dh, dc, dW_ih, dW_hh, db_ih, db_hh)``.
    """
    _check_cell("lstm_cell", 4, x, h, c, W_ih, W_hh, b_ih, b_hh)
    acts = _preactivation(x, h, W_ih, W_hh, b_ih, b_hh)  # (B, 4H) a, activated in place below
    h_new, c_new, tanh_c = lstm_gates(acts, c)  # (B, H) each
    cache = (x, h, c, W_ih, W_hh, acts, tanh_c, b_ih is not None, b_hh is not None)
    return (h_new, c_new), cache


def lstm_gates(acts: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pre-activations a (B, 4H) -> activated gates in place; return h', c', tanh(c')."""
    H = c.shape[1]
    a_g = acts[:, 2 * H : 3 * H].copy()  # (B, H) kept aside: one σ pass over all 4H is cheaper
    _sigmoid_(acts)  # (B, 4H) i, f, o (and the g slot, overwritten next)
    np.tanh(a_g, out=acts[:, 2 * H : 3 * H])  # (B, H) g
    i, f, g, o = acts[:, :H], acts[:, H : 2 * H], acts[:, 2 * H : 3 * H], acts[:, 3 * H :]  # (B, H)
    c_new = f * c  # (B, H)
    c_new += i * g  # (B, H) c' = f ⊙ c + i ⊙ g
    tanh_c = np.tanh(c_new)  # (B, H)
    h_new = o * tanh_c  # (B, H)
    return h_new, c_new, tanh_c


def lstm_cell_backward(douts: tuple, cache: tuple) -> tuple:
    """(dh' (B, H), dc' (B, H)) -> (dx (B, I), dh (B, H), dc (B, H), dW_ih (4H, I),
    dW_hh (4H, H), db_ih (4H,) | None, db_hh (4H,) | None).

    Either upstream gradient may be zeros (or None) when only h' or only c' is used.
    """
    x, h, c, W_ih, W_hh, acts, tanh_c, has_b_ih, has_b_hh = cache
    dh_new, dc_new = douts
    da = np.empty_like(acts)  # (B, 4H)
    dc_prev = lstm_gates_backward(_zeros_if_none(dh_new, tanh_c), dc_new, acts, c, tanh_c, da)
    dx, dh, dW_ih, dW_hh, db_ih, db_hh = _linear_grads(da, x, h, W_ih, W_hh, has_b_ih, has_b_hh)
    return dx, dh, dc_prev, dW_ih, dW_hh, db_ih, db_hh


def lstm_gates_backward(
    dh_new: np.ndarray, dc_new: np.ndarray | None, acts: np.ndarray, c: np.ndarray, tanh_c: np.ndarray, da: np.ndarray
) -> np.ndarray:
    """Gradients (dh', dc') -> pre-activation gradient written into ``da`` (B, 4H);
    returns dc for the previous cell state."""
    H = tanh_c.shape[1]
    i, f, g, o = acts[:, :H], acts[:, H : 2 * H], acts[:, 2 * H : 3 * H], acts[:, 3 * H :]  # (B, H)

    # total gradient reaching c': from h' = o ⊙ tanh(c') and from the next step's c
    dc = tanh_c * tanh_c  # (B, H)
    np.subtract(1, dc, out=dc)  # (B, H) tanh'(c') = 1 − tanh²(c')
    dc *= o  # (B, H)
    dc *= dh_new  # (B, H)
    if dc_new is not None:
        dc += dc_new  # (B, H)

    # gradient of the post-activation gates, written straight into the (B, 4H) buffer
    da_i, da_f, da_g, da_o = da[:, :H], da[:, H : 2 * H], da[:, 2 * H : 3 * H], da[:, 3 * H :]
    np.multiply(dc, g, out=da_i)  # (B, H) ∂c'/∂i = g
    np.multiply(dc, c, out=da_f)  # (B, H) ∂c'/∂f = c
    np.multiply(dc, i, out=da_g)  # (B, H) ∂c'/∂g = i
    np.multiply(dh_new, tanh_c, out=da_o)  # (B, H) ∂h'/∂o = tanh(c')

    # through the nonlinearities: σ' = s(1 − s) on i, f, o; tanh' = 1 − g² on g (one
    # (B, 4H) pass for the derivatives, then one product: fewer calls than per gate)
    deriv = 1 - acts  # (B, 4H)
    deriv *= acts  # (B, 4H) s(1 − s)
    np.multiply(g, g, out=deriv[:, 2 * H : 3 * H])  # (B, H)
    np.subtract(1, deriv[:, 2 * H : 3 * H], out=deriv[:, 2 * H : 3 * H])  # (B, H) 1 − g²
    da *= deriv  # (B, 4H)
    return dc * f  # (B, H) the constant error carousel: with f = 1, dc = dc'


# --------------------------------------------------------------------------------------
# GRU
# --------------------------------------------------------------------------------------


def gru_cell_forward(
    x: np.ndarray,
    h: np.ndarray,
    W_ih: np.ndarray,
    W_hh: np.ndarray,
    b_ih: np.ndarray | None = None,
    b_hh: np.ndarray | None = None,
) -> tuple[np.ndarray, tuple]:
    """One GRU step, as ``torch.nn.GRUCell`` (Cho et al. 2014).

    x (B, I), h (B, H), W_ih (3H, I), W_hh (3H, H), b_ih (3H,) | None, b_hh (3H,) | None;
    the 3H rows are the gates in the order r, z, n:

        r = σ(W_ir x + b_ir + W_hr h + b_hr)                          (B, H)
        z = σ(W_iz x + b_iz + W_hz h + b_hz)                          (B, H)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))                 (B, H)
        h' = (1 − z) ⊙ n + z ⊙ h                                      (B, H)

    The reset gate multiplies W_hn h + b_hn *after* the product (PyTorch's and cuDNN's
    form; the paper's applies r to h before W_hn). Returns ``(h', cache)``.
    Backward: ``gru_cell_backward(dh', cache) -> (dx, dh, dW_ih, dW_hh, db_ih, db_hh)``.
    """
    _check_cell("gru_cell", 3, x, h, None, W_ih, W_hh, b_ih, b_hh)
    gi = x @ W_ih.T  # (B, 3H) becomes [r z n] in place
    if b_ih is not None:
        gi += b_ih  # (B, 3H)
    gh = h @ W_hh.T  # (B, 3H)
    if b_hh is not None:
        gh += b_hh  # (B, 3H)
    h_new, hn = _gru_gates(gi, gh, h)  # (B, H) each
    cache = (x, h, W_ih, W_hh, gi, hn, b_ih is not None, b_hh is not None)
    return h_new, cache


def _gru_gates(gi: np.ndarray, gh: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x-side gi (B, 3H) and h-side gh (B, 3H) pre-activations -> h'; gi becomes [r z n]
    in place; also returns hn = W_hn h + b_hn (B, H), which the backward needs."""
    H = h.shape[1]
    rz = gi[:, : 2 * H]  # (B, 2H)
    rz += gh[:, : 2 * H]  # (B, 2H)
    _sigmoid_(rz)  # (B, 2H)
    r, z = gi[:, :H], gi[:, H : 2 * H]  # (B, H)
    hn = gh[:, 2 * H :]  # (B, H) W_hn h + b_hn
    n = gi[:, 2 * H :]  # (B, H)
    n += r * hn  # (B, H)
    np.tanh(n, out=n)  # (B, H)
    h_new = h - n  # (B, H)
    h_new *= z  # (B, H)
    h_new += n  # (B, H) h' = n + z ⊙ (h − n)
    return h_new, hn


def gru_cell_backward(dh_new: np.ndarray, cache: tuple) -> tuple:
    """dh' (B, H) -> (dx (B, I), dh (B, H), dW_ih (3H, I), dW_hh (3H, H), db_ih (3H,) | None,
    db_hh (3H,) | None)."""
    x, h, W_ih, W_hh, gi, hn, has_b_ih, has_b_hh = cache
    dgi, dgh = np.empty_like(gi), np.empty_like(gi)  # (B, 3H) x-side and h-side pre-activation grads
    dh_direct = _gru_gates_backward(dh_new, gi, hn, h, dgi, dgh)  # (B, H)
    dx, dh, dW_ih, dW_hh, db_ih, db_hh = _linear_grads(dgi, x, h, W_ih, W_hh, has_b_ih, has_b_hh, da_h=dgh)
    dh += dh_direct  # (B, H)
    return dx, dh, dW_ih, dW_hh, db_ih, db_hh


def _gru_gates_backward(dh_new, gi, hn, h, dgi, dgh) -> np.ndarray:
    """dh' -> the x-side (dgi) and h-side (dgh) pre-activation gradients, written in place;
    returns the gradient of the direct path h' = … + z ⊙ h."""
    H = hn.shape[1]
    r, z, n = gi[:, :H], gi[:, H : 2 * H], gi[:, 2 * H :]  # (B, H)
    dr, dz, dn = dgi[:, :H], dgi[:, H : 2 * H], dgi[:, 2 * H :]  # (B, H)
    np.subtract(1, z, out=dn)  # (B, H)
    dn *= dh_new  # (B, H) ∂h'/∂n = 1 − z
    dn *= 1 - n * n  # (B, H) through tanh: gradient of W_in x + b_in + r ⊙ hn
    np.subtract(h, n, out=dz)  # (B, H)
    dz *= dh_new  # (B, H) ∂h'/∂z = h − n
    dz *= z * (1 - z)  # (B, H) through σ
    np.multiply(dn, hn, out=dr)  # (B, H) ∂/∂r = dn ⊙ hn
    dr *= r * (1 - r)  # (B, H) through σ
    dgh[:, : 2 * H] = dgi[:, : 2 * H]  # (B, 2H) r and z see x and h alike
    np.multiply(dn, r, out=dgh[:, 2 * H :])  # (B, H) hn enters as r ⊙ hn
    return dh_new * z  # (B, H)


# --------------------------------------------------------------------------------------
# whole sequences: the cells above, looped over time inside one pair
# --------------------------------------------------------------------------------------
#
# The x side of every step does not depend on the recurrence, so it is one matrix product
# for all T steps, before the loop (forward) and after it (backward: dx, dW_ih, and dW_hh
# from the stacked previous states). Only h W_hhᵀ and the gates run step by step. This is
# what cuDNN does, and it is the same arithmetic as the cells, checked against them.


def check_sequence(op: str, n_gates: int, x, state0, W_ih, W_hh, b_ih, b_hh) -> int:
    """Check a sequence pair's arguments (x (T, B, I), state0 (h0,) or (h0, c0), weights
    with ``n_gates``·H rows) with messages naming ``op``; returns the hidden size H."""
    x = check_array(f"{op}: x", x, ndim=3, shape_doc="(T, B, I)")
    if x.shape[0] == 0:
        raise ValueError(f"{op}: x has shape {x.shape}; expected (T, B, I) with T >= 1")
    h0, c0 = state0 if len(state0) == 2 else (state0[0], None)
    return _check_cell(op.replace("_forward", "_cell"), n_gates, x[0], h0, c0, W_ih, W_hh, b_ih, b_hh)


def _seq_forward(kind, x, state0, W_ih, W_hh, b_ih, b_hh, reverse, nonlinearity="tanh"):
    """Shared driver: returns (outputs, cache). ``state0`` is (h0,) or (h0, c0)."""
    n_gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    H = check_sequence(f"{kind}_forward", n_gates, x, state0, W_ih, W_hh, b_ih, b_hh)
    T, B, I = x.shape
    x2 = x.reshape(T * B, I)  # (T·B, I)
    XW = (x2 @ W_ih.T).reshape(T, B, n_gates * H)  # (T, B, GH) every step's x side at once
    if b_ih is not None:
        XW += b_ih
    if b_hh is not None and kind != "gru":  # the GRU's b_hn sits inside r ⊙ (·)
        XW += b_hh
    out = np.empty((T, B, H), dtype=x.dtype)  # (T, B, H)
    H_prev = np.empty((T, B, H), dtype=x.dtype)  # (T, B, H) the state each step started from
    saved = [None] * T
    state = state0
    for t in range(T - 1, -1, -1) if reverse else range(T):
        h = state[0]  # (B, H)
        H_prev[t] = h
        a = XW[t]  # (B, GH) a view; the step activates it in place
        if kind == "lstm":
            a += h @ W_hh.T  # (B, 4H)
            h, c, tanh_c = lstm_gates(a, state[1])  # (B, H) each
            saved[t] = (a, state[1], tanh_c)
            state = (h, c)
        elif kind == "gru":
            gh = h @ W_hh.T  # (B, 3H)
            if b_hh is not None:
                gh += b_hh
            h, hn = _gru_gates(a, gh, h)  # (B, H) each
            saved[t] = (a, hn)
            state = (h,)
        else:
            a += h @ W_hh.T  # (B, H)
            h = np.tanh(a, out=a) if nonlinearity == "tanh" else np.maximum(a, 0, out=a)  # (B, H)
            saved[t] = (a,)
            state = (h,)
        out[t] = h
    cache = (kind, x2, x.shape, W_ih, W_hh, H_prev, saved, reverse, nonlinearity, b_ih is not None, b_hh is not None)
    return (out, *state), cache


def _seq_backward(douts, cache, input_grad: bool = True):
    """Backpropagation through time over the cached sequence. ``input_grad=False`` returns
    dx as None and skips its product: the data entering a first layer needs no gradient."""
    kind, x2, x_shape, W_ih, W_hh, H_prev, saved, reverse, nonlinearity, has_b_ih, has_b_hh = cache
    T, B, I = x_shape
    H = H_prev.shape[2]
    dout, *dstate = douts
    GH = W_hh.shape[0]
    dXW = np.empty((T, B, GH), dtype=H_prev.dtype)  # (T, B, GH) x-side pre-activation grads
    dHW = np.empty_like(dXW) if kind == "gru" else dXW  # (T, B, GH) h side (differs only for the GRU)
    dh = np.zeros((B, H), H_prev.dtype) if dstate[0] is None else dstate[0].copy()  # (B, H)
    dc = None if kind != "lstm" else dstate[1]  # (B, H) or None
    for t in range(T) if reverse else range(T - 1, -1, -1):
        if dout is not None:
            dh += dout[t]  # (B, H) from the output at t and from step t + 1
        if kind == "lstm":
            a, c_prev, tanh_c = saved[t]
            dc = lstm_gates_backward(dh, dc, a, c_prev, tanh_c, dXW[t])  # (B, H)
            dh = dXW[t] @ W_hh  # (B, H)
        elif kind == "gru":
            a, hn = saved[t]
            direct = _gru_gates_backward(dh, a, hn, H_prev[t], dXW[t], dHW[t])  # (B, H)
            dh = dHW[t] @ W_hh  # (B, H)
            dh += direct
        else:
            (h_t,) = saved[t]
            if nonlinearity == "tanh":
                np.multiply(dh, 1 - h_t * h_t, out=dXW[t])  # (B, H)
            else:
                np.multiply(dh, h_t > 0, out=dXW[t])  # (B, H)
            dh = dXW[t] @ W_hh  # (B, H)
    dX2, dH2 = dXW.reshape(T * B, GH), dHW.reshape(T * B, GH)  # (T·B, GH)
    dx = (dX2 @ W_ih).reshape(T, B, I) if input_grad else None  # (T, B, I); None: x is data
    dW_ih = dX2.T @ x2  # (GH, I)
    dW_hh = dH2.T @ H_prev.reshape(T * B, H)  # (GH, H)
    db_ih = dX2.sum(axis=0) if has_b_ih else None  # (GH,)
    db_hh = dH2.sum(axis=0) if has_b_hh else None  # (GH,)
    dstate0 = (dh, dc) if kind == "lstm" else (dh,)
    return (dx, *dstate0, dW_ih, dW_hh, db_ih, db_hh)


def rnn_forward(x, h0, W_ih, W_hh, b_ih=None, b_hh=None, reverse=False, nonlinearity="tanh"):
    """``rnn_cell`` over a sequence. x (T, B, I), h0 (B, H) -> ((out (T, B, H), h_T), cache);
    ``reverse`` runs t = T−1 … 0 (the backward direction of a bidirectional RNN).
    Backward: ``rnn_backward((dout, dh_T), cache) -> (dx, dh0, dW_ih, dW_hh, db_ih, db_hh)``."""
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_forward: nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
    return _seq_forward("rnn", x, (h0,), W_ih, W_hh, b_ih, b_hh, reverse, nonlinearity)


def rnn_backward(douts, cache, input_grad: bool = True):
    return _seq_backward(douts, cache, input_grad)


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih=None, b_hh=None, reverse=False):
    """``lstm_cell`` over a sequence (gates i, f, g, o). x (T, B, I), h0 and c0 (B, H) ->
    ((out (T, B, H), h_T, c_T), cache).
    Backward: ``lstm_backward((dout, dh_T, dc_T), cache) -> (dx, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh)``."""
    return _seq_forward("lstm", x, (h0, c0), W_ih, W_hh, b_ih, b_hh, reverse)


def lstm_backward(douts, cache, input_grad: bool = True):
    return _seq_backward(douts, cache, input_grad)


def gru_forward(x, h0, W_ih, W_hh, b_ih=None, b_hh=None, reverse=False):
    """``gru_cell`` over a sequence (gates r, z, n). x (T, B, I), h0 (B, H) ->
    ((out (T, B, H), h_T), cache).
    Backward: ``gru_backward((dout, dh_T), cache) -> (dx, dh0, dW_ih, dW_hh, db_ih, db_hh)``."""
    return _seq_forward("gru", x, (h0,), W_ih, W_hh, b_ih, b_hh, reverse)


def gru_backward(douts, cache, input_grad: bool = True):
    return _seq_backward(douts, cache, input_grad)
