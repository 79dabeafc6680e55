"""External-memory pairs: the addressing, read and write of a Neural Turing Machine
(Graves, Wayne & Danihelka 2014, §3; the pair contract is in ``pairs/__init__.py``).

Shapes: B batch, N memory slots, W word size; M (B, N, W) the memory, w (B, N) a
weighting (each row sums to 1). Equation numbers are the paper's::

    read      r = Σ_i w(i) M(i)                                       (2)   memory_read
    write     M'(i) = M(i) ⊙ (1 − w(i) e) + w(i) a                     (3, 4) memory_write
    content   K(u, v) = u·v / (‖u‖ ‖v‖ + ε)                            (6)
              w^c(i) = softmax_i(β K(k, M(i)))                         (5)   content_focus
    gate      w^g = g w^c + (1 − g) w_prev                              (7)   interpolate
    shift     w̃(i) = Σ_j w^g(j) s(i − j)   (indices mod N)            (8)   circular_shift
    sharpen   w(i) = w̃(i)^γ / Σ_j w̃(j)^γ                              (9)   sharpen

``address`` chains (5)-(9) in one pair, starting from a head's raw controller outputs
[k | β̂ | ĝ | ŝ | γ̂] with the constraints of §3.3 (β = softplus(β̂) ≥ 0, g = σ(ĝ),
s = softmax(ŝ), γ = 1 + softplus(γ̂) ≥ 1). One tape node per head step instead of a dozen
keeps a NumPy NTM fast enough to train in seconds; its backward is the four pairs'
backwards in reverse, so every piece is checked on its own too.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "address_backward",
    "address_forward",
    "circular_shift_backward",
    "circular_shift_forward",
    "content_focus_backward",
    "content_focus_forward",
    "interpolate_backward",
    "interpolate_forward",
    "memory_read_backward",
    "memory_read_forward",
    "memory_write_backward",
    "memory_write_forward",
    "sharpen_backward",
    "sharpen_forward",
]


def _check(name: str, arr: np.ndarray, ndim: int, shape_doc: str) -> np.ndarray:
    if not isinstance(arr, np.ndarray) or arr.dtype.kind != "f" or arr.ndim != ndim:
        got = f"{arr.dtype} {arr.shape}" if isinstance(arr, np.ndarray) else type(arr).__name__
        raise ValueError(f"{name}: expected a float array {shape_doc}, got {got}")
    return arr


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_backward(dp: np.ndarray, p: np.ndarray) -> np.ndarray:
    return p * (dp - (dp * p).sum(axis=-1, keepdims=True))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for any x


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))  # stable for any x


# ---- read and write (Eqs. 2-4) -------------------------------------------------------------
def memory_read_forward(M: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, tuple]:
    """r = Σ_i w(i) M(i) (Eq. 2). M (B, N, W), w (B, N) -> r (B, W)."""
    _check("memory_read: M", M, 3, "(B, N, W)")
    _check("memory_read: w", w, 2, "(B, N)")
    r = (w[:, None, :] @ M)[:, 0, :]  # (B, W)
    return r, (M, w)


def memory_read_backward(dr: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """dr (B, W) -> (dM (B, N, W), dw (B, N))."""
    M, w = cache
    dM = w[:, :, None] * dr[:, None, :]  # (B, N, W)
    dw = (M @ dr[:, :, None])[:, :, 0]  # (B, N)
    return dM, dw


def memory_write_forward(M: np.ndarray, w: np.ndarray, e: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Erase then add (Eqs. 3-4): M'(i) = M(i) ⊙ (1 − w(i) e) + w(i) a.

    M (B, N, W), w (B, N), e (B, W) in [0, 1], a (B, W) -> M' (B, N, W).
    """
    _check("memory_write: M", M, 3, "(B, N, W)")
    for name, x, nd, doc in (("w", w, 2, "(B, N)"), ("e", e, 2, "(B, W)"), ("a", a, 2, "(B, W)")):
        _check(f"memory_write: {name}", x, nd, doc)
    keep = 1.0 - w[:, :, None] * e[:, None, :]  # (B, N, W) 1 − w(i) e
    M_new = M * keep + w[:, :, None] * a[:, None, :]  # (B, N, W)
    return M_new, (M, w, e, a, keep)


def memory_write_backward(dM_new: np.ndarray, cache: tuple) -> tuple[np.ndarray, ...]:
    """dM' (B, N, W) -> (dM, dw (B, N), de (B, W), da (B, W))."""
    M, w, e, a, keep = cache
    dM = dM_new * keep  # (B, N, W)
    dkeep = dM_new * M  # (B, N, W) ∂L/∂(1 − w eᵀ), times −1 below
    dw = (dM_new @ a[:, :, None])[:, :, 0] - (dkeep @ e[:, :, None])[:, :, 0]  # (B, N)
    de = -(w[:, None, :] @ dkeep)[:, 0, :]  # (B, W)
    da = (w[:, None, :] @ dM_new)[:, 0, :]  # (B, W)
    return dM, dw, de, da


# ---- addressing (Eqs. 5-9) -------------------------------------------------------------------
def content_focus_forward(
    k: np.ndarray, beta: np.ndarray, M: np.ndarray, eps: float = 1e-8
) -> tuple[np.ndarray, tuple]:
    """w^c(i) = softmax_i(β K(k, M(i))), K the cosine similarity (Eqs. 5-6).

    k (B, W), beta (B,) ≥ 0, M (B, N, W) -> w^c (B, N). K = k·M(i) / (‖k‖ ‖M(i)‖ + eps).
    """
    _check("content_focus: k", k, 2, "(B, W)")
    _check("content_focus: beta", beta, 1, "(B,)")
    _check("content_focus: M", M, 3, "(B, N, W)")
    dot = (M @ k[:, :, None])[:, :, 0]  # (B, N) k·M(i)
    nk = np.sqrt((k * k).sum(axis=1))  # (B,)
    nM = np.sqrt((M * M).sum(axis=2))  # (B, N)
    D = nk[:, None] * nM + eps  # (B, N)
    K = dot / D  # (B, N)
    wc = _softmax(beta[:, None] * K)  # (B, N)
    return wc, (k, beta, M, dot, nk, nM, D, K, wc)


def content_focus_backward(dwc: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dw^c (B, N) -> (dk (B, W), dbeta (B,), dM (B, N, W))."""
    k, beta, M, dot, nk, nM, D, K, wc = cache
    dz = _softmax_backward(dwc, wc)  # (B, N) ∂L/∂(βK)
    dbeta = (dz * K).sum(axis=1)  # (B,)
    dK = beta[:, None] * dz  # (B, N)
    ddot = dK / D  # (B, N)
    dD = -dK * dot / (D * D)  # (B, N)
    tiny = np.finfo(k.dtype).tiny  # ∂‖x‖/∂x = x/‖x‖, taken as 0 at x = 0
    dk = (ddot[:, None, :] @ M)[:, 0, :] + ((dD * nM).sum(axis=1) / np.maximum(nk, tiny))[:, None] * k  # (B, W)
    dM = ddot[:, :, None] * k[:, None, :] + (dD * nk[:, None] / np.maximum(nM, tiny))[:, :, None] * M  # (B, N, W)
    return dk, dbeta, dM


def interpolate_forward(wc: np.ndarray, g: np.ndarray, w_prev: np.ndarray) -> tuple[np.ndarray, tuple]:
    """w^g = g w^c + (1 − g) w_prev (Eq. 7). wc (B, N), g (B,) in (0, 1), w_prev (B, N) -> (B, N)."""
    _check("interpolate: wc", wc, 2, "(B, N)")
    _check("interpolate: g", g, 1, "(B,)")
    _check("interpolate: w_prev", w_prev, 2, "(B, N)")
    wg = g[:, None] * wc + (1.0 - g[:, None]) * w_prev  # (B, N)
    return wg, (wc, g, w_prev)


def interpolate_backward(dwg: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dw^g (B, N) -> (dwc (B, N), dg (B,), dw_prev (B, N))."""
    wc, g, w_prev = cache
    return g[:, None] * dwg, (dwg * (wc - w_prev)).sum(axis=1), (1.0 - g[:, None]) * dwg


def circular_shift_forward(w: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, tuple]:
    """w̃(i) = Σ_j w(j) s(i − j), indices mod N (Eq. 8): a circular convolution.

    w (B, N), s (B, S) with S = 2R + 1 ≤ N odd, the weights of the shifts −R..R
    -> w̃ (B, N). Shift +1 moves the focus from slot i to slot i + 1.
    """
    _check("circular_shift: w", w, 2, "(B, N)")
    _check("circular_shift: s", s, 2, "(B, S)")
    S = s.shape[1]
    if S % 2 != 1 or S > w.shape[1] or s.shape[0] != w.shape[0]:
        raise ValueError(f"circular_shift: s must be (B, S) with S odd and <= N; got s {s.shape}, w {w.shape}")
    N, R = w.shape[1], S // 2
    src = (np.arange(N)[None, :] - np.arange(-R, R + 1)[:, None]) % N  # (S, N) slot i reads w(i − o)
    rolled = w[:, src]  # (B, S, N) w(i − o) for each shift o
    out = (s[:, None, :] @ rolled)[:, 0, :]  # (B, N)
    return out, (s, rolled, src)


def circular_shift_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """dw̃ (B, N) -> (dw (B, N), ds (B, S))."""
    s, rolled, src = cache
    ds = (rolled @ dout[:, :, None])[:, :, 0]  # (B, S)
    S, N = src.shape
    dst = (np.arange(N)[None, :] + np.arange(-(S // 2), S // 2 + 1)[:, None]) % N  # (S, N) slot j feeds j + o
    dw = (s[:, None, :] @ dout[:, dst])[:, 0, :]  # (B, N) Σ_o s(o) dw̃(j + o)
    return dw, ds


def sharpen_forward(w: np.ndarray, gamma: np.ndarray, eps: float = 1e-12) -> tuple[np.ndarray, tuple]:
    """w(i)^γ / Σ_j w(j)^γ (Eq. 9), computed as softmax(γ log(w + eps)).

    w (B, N) ≥ 0, gamma (B,) ≥ 1 -> (B, N). ``eps`` keeps the log finite where a weight
    underflowed to 0.
    """
    _check("sharpen: w", w, 2, "(B, N)")
    _check("sharpen: gamma", gamma, 1, "(B,)")
    logw = np.log(w + eps)  # (B, N)
    out = _softmax(gamma[:, None] * logw)  # (B, N)
    return out, (w, gamma, logw, out, eps)


def sharpen_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """dw_out (B, N) -> (dw (B, N), dgamma (B,))."""
    w, gamma, logw, out, eps = cache
    dq = _softmax_backward(dout, out)  # (B, N) ∂L/∂(γ log w)
    return dq * gamma[:, None] / (w + eps), (dq * logw).sum(axis=1)


def address_forward(raw: np.ndarray, w_prev: np.ndarray, M: np.ndarray, clip: float = 20.0) -> tuple[np.ndarray, tuple]:
    """One head's weighting from its raw controller outputs, Eqs. 5-9 in order.

    raw (B, W + 3 + S) = [k (W) | β̂ | ĝ | ŝ (S) | γ̂], clipped to ±``clip``; w_prev (B, N);
    M (B, N, W) -> w (B, N). Constraints (§3.3): β = softplus(β̂), g = σ(ĝ),
    s = softmax(ŝ), γ = 1 + softplus(γ̂). S = 1 leaves only the zero shift (no location
    addressing). The cache also holds the intermediate weightings and parameters
    (``cache[-1]``: dict with wc, wg, w_tilde, beta, g, s, gamma) for probes.
    """
    _check("address: raw", raw, 2, "(B, W + 3 + S)")
    _check("address: w_prev", w_prev, 2, "(B, N)")
    _check("address: M", M, 3, "(B, N, W)")
    B, N, W = M.shape
    S = raw.shape[1] - W - 3
    if raw.shape[0] != B or w_prev.shape != (B, N) or S < 1 or S % 2 != 1:
        raise ValueError(
            f"address: raw must be (B, W + 3 + S) with S odd; got raw {raw.shape}, w_prev {w_prev.shape}, M {M.shape}"
        )
    x = np.clip(raw, -clip, clip)  # (B, P) the clipped controller outputs
    k, b_hat, g_hat, s_hat, c_hat = x[:, :W], x[:, W], x[:, W + 1], x[:, W + 2 : W + 2 + S], x[:, -1]
    beta, g, s, gamma = _softplus(b_hat), _sigmoid(g_hat), _softmax(s_hat), 1.0 + _softplus(c_hat)
    wc, c1 = content_focus_forward(k, beta, M)  # (B, N) Eqs. 5-6
    wg, c2 = interpolate_forward(wc, g, w_prev)  # (B, N) Eq. 7
    wt, c3 = circular_shift_forward(wg, s)  # (B, N) Eq. 8
    w, c4 = sharpen_forward(wt, gamma)  # (B, N) Eq. 9
    parts = {"wc": wc, "wg": wg, "w_tilde": wt, "beta": beta, "g": g, "s": s, "gamma": gamma}
    return w.astype(raw.dtype, copy=False), (raw, x, clip, W, S, c1, c2, c3, c4, parts)


def address_backward(dw: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dw (B, N) -> (draw (B, W + 3 + S), dw_prev (B, N), dM (B, N, W))."""
    raw, x, clip, W, S, c1, c2, c3, c4, parts = cache
    dwt, dgamma = sharpen_backward(dw, c4)
    dwg, ds = circular_shift_backward(dwt, c3)
    dwc, dg, dw_prev = interpolate_backward(dwg, c2)
    dk, dbeta, dM = content_focus_backward(dwc, c1)
    g = parts["g"]
    dx = np.empty_like(x)  # (B, P)
    dx[:, :W] = dk
    dx[:, W] = dbeta * _sigmoid(x[:, W])  # softplus' = σ
    dx[:, W + 1] = dg * g * (1.0 - g)
    dx[:, W + 2 : W + 2 + S] = _softmax_backward(ds, parts["s"])
    dx[:, -1] = dgamma * _sigmoid(x[:, -1])
    dx *= np.abs(raw) <= clip  # no gradient through the clip
    return dx, dw_prev, dM
