"""The relational memory core's gated memory update (Santoro et al. 2018, §3.3), as a pair.

Each memory row is an LSTM-style cell: an input gate i and a forget gate f (per unit of each
row) mix the candidate memory M̃ (after attention and the MLP) with the previous memory M::

    M' = σ(i + b_i) ⊙ tanh(M̃) + σ(f + b_f) ⊙ M

b_i = 0 and b_f = 1 by default (the forget bias of the DeepMind Sonnet implementation, so
a fresh cell starts by keeping most of its memory).
"""

from __future__ import annotations

import numpy as np

__all__ = ["gated_memory_update_forward", "gated_memory_update_backward"]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # σ(x) = (1 + tanh(x/2)) / 2: one transcendental, and no overflow for large |x|
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def gated_memory_update_forward(
    m_tilde: np.ndarray,
    m: np.ndarray,
    i_pre: np.ndarray,
    f_pre: np.ndarray,
    *,
    input_bias: float = 0.0,
    forget_bias: float = 1.0,
) -> tuple[np.ndarray, tuple]:
    """M' = σ(i + b_i) ⊙ tanh(M̃) + σ(f + b_f) ⊙ M, elementwise.

    m_tilde (..., N, D) candidate memory, m (..., N, D) previous memory, i_pre and f_pre
    (..., N, D) gate pre-activations (all four the same shape) -> M' (..., N, D).
    """
    shapes = {a.shape for a in (m_tilde, m, i_pre, f_pre)}
    if len(shapes) != 1:
        raise ValueError(
            "gated_memory_update: m_tilde, m, i_pre and f_pre must have one shape, got "
            f"{m_tilde.shape}, {m.shape}, {i_pre.shape}, {f_pre.shape}"
        )
    g_i = _sigmoid(i_pre + input_bias)  # (..., N, D) input gate
    g_f = _sigmoid(f_pre + forget_bias)  # (..., N, D) forget gate
    c = np.tanh(m_tilde)  # (..., N, D) the squashed candidate
    out = g_i * c + g_f * m  # (..., N, D)
    return out, (g_i, g_f, c, m)


def gated_memory_update_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """Gradients (dm_tilde, dm, di_pre, df_pre), each (..., N, D)."""
    g_i, g_f, c, m = cache
    dm_tilde = dout * g_i * (1.0 - c * c)  # tanh' = 1 − tanh²
    dm = dout * g_f
    di_pre = dout * c * g_i * (1.0 - g_i)  # σ' = σ(1 − σ)
    df_pre = dout * m * g_f * (1.0 - g_f)
    return dm_tilde, dm, di_pre, df_pre
