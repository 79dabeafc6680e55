"""Attention pairs (the pair contract is in ``pairs/__init__.py``).

Scaled dot-product attention (Vaswani et al. 2017, eq. 1), batched over any leading dims
(batch, heads, ...), which broadcast between q, k and v:

    S = scale · q kᵀ                     (..., Tq, Tk)   scale = 1/√d unless given
    S[~mask] = −∞                        mask True = may attend (PyTorch's boolean attn_mask)
    A = softmax(S, axis=−1)              (..., Tq, Tk)
    out = A v                            (..., Tq, dv)

Both ``out`` and the weights ``A`` are outputs, and both are differentiable (a paper may
put a loss on the attention map). A query row that may attend to nothing gets all-zero
weights and a zero output (not NaN), as PyTorch's math backend does.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import check_array
from .core import unbroadcast

__all__ = ["scaled_dot_product_attention_forward", "scaled_dot_product_attention_backward"]


def _check_qkv(q, k, v, mask) -> tuple[tuple[int, ...], np.ndarray | None]:
    """Validate shapes; return the broadcast leading dims and the mask as a bool array."""
    q = check_array("q", q, shape_doc="(..., Tq, d)")
    k = check_array("k", k, shape_doc="(..., Tk, d)")
    v = check_array("v", v, shape_doc="(..., Tk, dv)")
    for name, a, doc in (
        ("q", q, "(..., Tq, d)"),
        ("k", k, "(..., Tk, d)"),
        ("v", v, "(..., Tk, dv)"),
    ):
        if a.ndim < 2:
            raise ValueError(f"attention: {name} has shape {a.shape}; expected {doc}")
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"attention: k has shape {k.shape}; expected (..., Tk, d) = (..., Tk, {q.shape[-1]}) "
            f"with the same d as q {q.shape}"
        )
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"attention: v has shape {v.shape}; expected (..., Tk, dv) = (..., {k.shape[-2]}, dv) "
            f"with the same Tk as k {k.shape}"
        )
    if not q.dtype == k.dtype == v.dtype:
        raise TypeError(f"attention: q, k, v have dtypes {q.dtype}, {k.dtype}, {v.dtype}; expected one dtype")
    try:
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(
            f"attention: leading (batch/head) dims of q {q.shape}, k {k.shape}, v {v.shape} do not broadcast together"
        ) from None
    if mask is None:
        return lead, None
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(
            f"attention: mask has dtype {mask.dtype}; expected a boolean array, True where attending is allowed"
        )
    scores_shape = (*lead, q.shape[-2], k.shape[-2])
    try:
        ok = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(
            f"attention: mask has shape {mask.shape}; expected a shape broadcastable to (..., Tq, Tk) = {scores_shape}"
        )
    return lead, mask


def scaled_dot_product_attention_forward(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    mask: np.ndarray | None = None,
    scale: float | None = None,
    is_causal: bool = False,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple]:
    """softmax(scale · q kᵀ, masked) v, as ``torch.nn.functional.scaled_dot_product_attention``
    with a boolean ``attn_mask`` (which returns only ``out``; here the weights come too).

    q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv); leading dims broadcast.
    mask: bool, broadcastable to (..., Tq, Tk), True = may attend; None = all may.
    scale: defaults to 1/√d.
    is_causal: query i attends to keys 0..i only (torch's top-left aligned causal mask,
    ``ones(Tq, Tk).tril()``); not together with ``mask``, as torch.
    Returns ``((out (..., Tq, dv), attn (..., Tq, Tk)), cache)``.
    Backward: ``scaled_dot_product_attention_backward((dout, dattn), cache) -> (dq, dk, dv, None)``.
    """
    lead, mask = _check_qkv(q, k, v, mask)
    if is_causal:
        if mask is not None:
            raise ValueError("attention: pass either mask or is_causal=True, not both (as torch)")
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))  # (Tq, Tk) True = may attend
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int | float | np.floating)):
        raise TypeError(f"attention: scale must be a float or None, got {scale!r}")
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    qs = q * scale  # (..., Tq, d) scaling q is cheaper than scaling the (Tq, Tk) scores
    attn = qs @ np.swapaxes(k, -1, -2)  # (..., Tq, Tk) scores S, turned into A in place
    if mask is not None:
        np.copyto(attn, -np.inf, where=~mask)  # (..., Tq, Tk) exp(−∞) = 0: no weight
    m = attn.max(axis=-1, keepdims=True)  # (..., Tq, 1) row max, for a stable exp
    if mask is not None:
        m[m == -np.inf] = 0  # (..., Tq, 1) a fully masked row: avoid −∞ − (−∞) = NaN
    attn -= m  # (..., Tq, Tk) ≤ 0
    np.exp(attn, out=attn)  # (..., Tq, Tk)
    denom = attn.sum(axis=-1, keepdims=True)  # (..., Tq, 1) ≥ 1 unless the row is masked
    if mask is not None:
        denom[denom == 0] = 1  # (..., Tq, 1) fully masked row stays all zeros
    attn /= denom  # (..., Tq, Tk) rows sum to 1
    out = attn @ v  # (..., Tq, dv)
    cache = (qs, k, v, attn, scale, q.shape, lead)
    return (out, attn), cache


def scaled_dot_product_attention_backward(douts: tuple, cache: tuple) -> tuple:
    """(dout (..., Tq, dv), dattn (..., Tq, Tk)) -> (dq, dk, dv, None); either upstream
    gradient may be zeros (or None). The mask gets no gradient."""
    qs, k, v, attn, scale, q_shape, lead = cache
    dout, dattn = douts
    if dout is not None:
        dA = dout @ np.swapaxes(v, -1, -2)  # (..., Tq, Tk) ∂L/∂A through out = A v
        if dattn is not None:
            dA += dattn  # (..., Tq, Tk) plus the gradient on the weights themselves
        dv = np.swapaxes(attn, -1, -2) @ dout  # (..., Tk, dv)
    else:
        dA = np.array(dattn, dtype=attn.dtype, copy=True)  # (..., Tq, Tk) our own buffer
        dv = np.zeros((*lead, *v.shape[-2:]), dtype=v.dtype)  # (..., Tk, dv)
    # softmax Jacobian-vector product, in place: dS = A ⊙ (dA − Σ_j dA_j A_j)
    dA -= np.einsum("...ij,...ij->...i", dA, attn)[..., None]  # (..., Tq, Tk)
    dA *= attn  # (..., Tq, Tk) dS; masked entries have A = 0, so no gradient
    dq = dA @ k  # (..., Tq, d) ∂L/∂(scale·q)
    dq *= scale  # (..., Tq, d)
    dk = np.swapaxes(dA, -1, -2) @ qs  # (..., Tk, d)
    dq = unbroadcast(dq, q_shape)  # (q's shape) sum over broadcast leading dims
    dk = unbroadcast(dk, k.shape)  # (k's shape)
    dv = unbroadcast(dv, v.shape)  # (v's shape)
    return dq, dk, dv, None
