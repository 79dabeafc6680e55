"""Connectionist Temporal Classification (Graves et al., 2006) as a forward/backward pair.

CTC scores a label sequence y = (y_1 … y_L) against T frames of log-probabilities by
summing over every *alignment*: a frame-wise path π over the C symbols (labels + blank)
that collapses to y once repeats are merged and blanks removed,

    p(y | x) = Σ_{π ∈ B⁻¹(y)} Π_t p_t(π_t),        loss = −log p(y | x).

The sum is computed on the extended label sequence l' = (∅, y_1, ∅, y_2, …, y_L, ∅) of
length S = 2L + 1, with log-space forward variables α_t(s) (all path prefixes that end at
l'_s at frame t, emissions up to and including t) and backward variables β_t(s) (all
suffixes that continue from l'_s at frame t, emissions after t):

    α_0(0) = log p_0(∅),  α_0(1) = log p_0(y_1),  α_0(s > 1) = −∞
    α_t(s) = lse(α_{t−1}(s), α_{t−1}(s−1), [α_{t−1}(s−2)]) + log p_t(l'_s)
    β_{T−1}(S−1) = β_{T−1}(S−2) = 0,  β_{T−1}(s < S−2) = −∞
    β_t(s) = lse over s' ∈ {s, s+1, [s+2]} of β_{t+1}(s') + log p_{t+1}(l'_{s'})

where the bracketed skip s−2 → s is allowed only when l'_s is a label and differs from
l'_{s−2}: a blank may be skipped between two *different* labels, never between a doubled
letter ("aa" needs a blank between the two a's). Then log p(y|x) = lse(α_{T−1}(S−1),
α_{T−1}(S−2)), and every (t, s) carries the posterior γ_t(s) = exp(α_t(s) + β_t(s) −
log p(y|x)) of the paths through it, so

    ∂loss/∂log p_t(c) = −Σ_{s : l'_s = c} γ_t(s).

This is the gradient with respect to the ``log_probs`` argument itself, for any real
input (normalised or not), so the float64 finite-difference check applies directly.
PyTorch's ``ctc_loss`` returns instead the gradient with respect to the logits of a
log-softmax (exp(log p) − γ); both give the same gradient once chained through
``log_softmax``, which is how the reference test compares them.

Everything is vectorised over the batch and the extended positions s; the only Python
loop is over time (one for α, one for β).
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array

__all__ = ["ctc_loss_forward", "ctc_loss_backward", "ctc_extended_labels"]

_REDUCTIONS = ("none", "mean", "sum")


def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log(eᵃ + eᵇ + eᶜ), elementwise; −∞ when all three are −∞ (no NaN)."""
    return np.logaddexp(np.logaddexp(a, b), c)


def _padded_targets(targets, target_lengths: np.ndarray, N: int) -> np.ndarray:
    """Targets as an (N, L_max) int array, from a padded (N, S) or concatenated (ΣL,) array."""
    targets = np.asarray(targets)
    if targets.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: targets must hold integer label ids, got dtype {targets.dtype}")
    L_max = int(target_lengths.max()) if N else 0
    if targets.ndim == 2:
        if targets.shape[0] != N or targets.shape[1] < L_max:
            raise ValueError(
                f"ctc_loss: targets has shape {targets.shape}; expected (N, S) = ({N}, ≥ {L_max}) "
                "or a 1-D concatenation of length sum(target_lengths)"
            )
        return targets[:, :L_max].astype(np.int64)
    if targets.ndim == 1:
        if targets.shape[0] != int(target_lengths.sum()):
            raise ValueError(
                f"ctc_loss: 1-D targets has length {targets.shape[0]}; expected sum(target_lengths) = "
                f"{int(target_lengths.sum())}"
            )
        out = np.zeros((N, L_max), np.int64)  # (N, L_max)
        ends = np.cumsum(target_lengths)  # (N,)
        pos = np.arange(L_max)  # (L_max,)
        valid = pos[None, :] < target_lengths[:, None]  # (N, L_max)
        src = (ends - target_lengths)[:, None] + pos[None, :]  # (N, L_max) index into targets
        out[valid] = targets[src[valid]]
        return out
    raise ValueError(f"ctc_loss: targets must be (N, S) or 1-D, got shape {targets.shape}")


def _lengths(name: str, lengths, N: int, lo: int, hi: int) -> np.ndarray:
    lengths = np.asarray(lengths)
    if lengths.dtype.kind not in "iu":
        raise TypeError(f"ctc_loss: {name} must hold integers, got dtype {lengths.dtype}")
    if lengths.shape != (N,):
        raise ValueError(f"ctc_loss: {name} has shape {lengths.shape}; expected (N,) = ({N},)")
    if N and (lengths.min() < lo or lengths.max() > hi):
        raise ValueError(f"ctc_loss: {name} must lie in [{lo}, {hi}], got values in [{lengths.min()}, {lengths.max()}]")
    return lengths.astype(np.int64)


def ctc_extended_labels(y: np.ndarray, target_lengths: np.ndarray, blank: int = 0):
    """l' = (∅, y_1, ∅, …, y_L, ∅) for a batch, and where the α recursion may skip.

    y (N, L_max) label ids -> (ext (N, S) with S = 2·L_max + 1, can_skip (N, S) bool,
    valid (N, S) bool: s < 2·L_n + 1). can_skip[n, s] is True where the transition
    s − 2 → s is allowed: l'_s is a label and l'_s ≠ l'_{s−2}.
    """
    N, L_max = y.shape
    S = 2 * L_max + 1
    ext = np.full((N, S), blank, np.int64)  # (N, S) blanks at even s
    ext[:, 1::2] = y  # (N, L_max) labels at odd s
    can_skip = np.zeros((N, S), bool)  # (N, S)
    can_skip[:, 3::2] = y[:, 1:] != y[:, :-1]  # a doubled letter must pass through a blank
    valid = np.arange(S)[None, :] < (2 * target_lengths + 1)[:, None]  # (N, S)
    return ext, can_skip & valid, valid


def ctc_loss_forward(
    log_probs: np.ndarray,
    targets,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
):
    """CTC loss (PyTorch's ``F.ctc_loss`` semantics).

    log_probs (T, N, C) frame log-probabilities (normally a log_softmax over C, blank
    included); targets (N, S) padded or (ΣL_n,) concatenated label ids, never ``blank``;
    input_lengths (N,) in [1, T]; target_lengths (N,) in [0, S].
    reduction: "none" -> (N,) per-utterance −log p(y|x); "sum" -> their sum; "mean" ->
    mean over the batch of −log p(y|x) / max(L_n, 1) (PyTorch's normalisation).
    zero_infinity: utterances with no valid alignment (p = 0, loss = ∞) get loss 0 and
    zero gradient instead of ∞.
    Returns (loss, cache); backward: ``ctc_loss_backward(dloss, cache) -> (dlog_probs,
    None, None, None)``.
    """
    log_probs = check_array("ctc_loss: log_probs", log_probs, ndim=3, shape_doc="(T, N, C)")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"ctc_loss: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    T, N, C = log_probs.shape
    if not 0 <= blank < C:
        raise ValueError(f"ctc_loss: blank must be a class id in [0, {C}), got {blank}")
    if np.isnan(log_probs).any():
        raise ValueError("ctc_loss: log_probs contains NaN")
    T_n = _lengths("input_lengths", input_lengths, N, 1, T)  # (N,)
    L_n = _lengths("target_lengths", target_lengths, N, 0, max(np.asarray(targets).shape[-1], 0))
    y = _padded_targets(targets, L_n, N)  # (N, L_max)
    in_target = np.arange(y.shape[1])[None, :] < L_n[:, None]  # (N, L_max)
    if ((y < 0) | (y >= C))[in_target].any():
        raise ValueError(
            f"ctc_loss: targets must be label ids in [0, {C}), got {y[in_target].min()}…{y[in_target].max()}"
        )
    if (y == blank)[in_target].any():
        raise ValueError(f"ctc_loss: targets must not contain the blank id {blank}")

    dtype = log_probs.dtype
    ext, can_skip, valid = ctc_extended_labels(y, L_n, blank)  # (N, S) each
    S = ext.shape[1]
    n_idx = np.arange(N)[:, None]  # (N, 1)
    e = log_probs[:, n_idx, ext]  # (T, N, S) log p_t(l'_s), emissions on the extended labels
    neg_inf = np.asarray(-np.inf, dtype)

    # ---- α: forward over t (α includes the emission at t) --------------------------------
    alpha = np.full((T, N, S), neg_inf, dtype)  # (T, N, S)
    alpha[0, :, 0] = e[0, :, 0]  # start in the leading blank ...
    if S > 1:
        alpha[0, :, 1] = np.where(L_n > 0, e[0, :, 1], neg_inf)  # ... or in the first label
    for t in range(1, T):
        prev = alpha[t - 1]  # (N, S)
        stay = prev  # s → s
        shifted = np.concatenate([np.full((N, 2), neg_inf, dtype), prev], axis=1)  # (N, S + 2)
        step = shifted[:, 1 : S + 1]  # (N, S) s−1 → s
        skip = shifted[:, :S]  # (N, S) s−2 → s
        skip = np.where(can_skip, skip, neg_inf)  # (N, S) only between different labels
        new = _lse3(stay, step, skip) + e[t]  # (N, S)
        new = np.where(valid, new, neg_inf)  # (N, S)
        alpha[t] = np.where((t < T_n)[:, None], new, prev)  # (N, S) frozen after T_n − 1

    last = T_n - 1  # (N,) last frame of each utterance
    end = 2 * L_n  # (N,) index of the trailing blank in l'
    a_last = alpha[last, np.arange(N)]  # (N, S)
    a_end = a_last[np.arange(N), end]  # (N,) ended in the trailing blank
    a_lab = np.where(L_n > 0, a_last[np.arange(N), np.maximum(end - 1, 0)], neg_inf)  # (N,) ended in y_L
    log_p = np.logaddexp(a_end, a_lab)  # (N,) log p(y | x)
    nll = -log_p  # (N,)
    impossible = ~np.isfinite(nll)  # (N,) no alignment fits in T_n frames
    if zero_infinity:
        nll = np.where(impossible, np.zeros((), dtype), nll)

    scale = np.ones(N, dtype)  # (N,) d(reduced loss)/d(nll_n)
    if reduction == "none":
        loss = nll.astype(dtype)  # (N,)
    elif reduction == "sum":
        loss = np.asarray(nll.sum(), dtype)  # ()
    else:
        scale = (1.0 / (np.maximum(L_n, 1) * N)).astype(dtype)  # (N,)
        loss = np.asarray((nll * scale).sum(), dtype)  # ()
    cache = (log_probs.shape, dtype, e, alpha, ext, can_skip, valid, T_n, L_n, log_p, impossible, scale, reduction)
    return loss, cache


def ctc_loss_backward(dloss, cache):
    """∂loss/∂log p_t(c) = −Σ_{s: l'_s = c} γ_t(s), γ from the β recursion (see module doc).

    Frames t ≥ T_n and utterances with no valid alignment get zero gradient.
    Returns (dlog_probs (T, N, C), None, None, None).
    """
    shape, dtype, e, alpha, ext, can_skip, valid, T_n, L_n, log_p, impossible, scale, reduction = cache
    T, N, C = shape
    S = ext.shape[1]
    neg_inf = np.asarray(-np.inf, dtype)
    rows = np.arange(N)  # (N,)
    end = 2 * L_n  # (N,)

    # ---- β: backward over t (β excludes the emission at t) -------------------------------
    beta = np.full((T, N, S), neg_inf, dtype)  # (T, N, S)
    init = np.full((N, S), neg_inf, dtype)  # (N, S) β_{T_n−1}: end in y_L or the final blank
    init[rows, end] = 0.0
    has_label = L_n > 0  # (N,)
    init[rows[has_label], end[has_label] - 1] = 0.0
    skip_from = np.concatenate([can_skip, np.zeros((N, 2), bool)], axis=1)[:, 2:]  # (N, S) s → s+2 allowed
    for t in range(T - 1, -1, -1):
        if t == T - 1:
            rec = np.full((N, S), neg_inf, dtype)  # (N, S) no frame after the last one
        else:
            nxt = beta[t + 1] + e[t + 1]  # (N, S) β_{t+1}(s') + log p_{t+1}(l'_{s'})
            stay = nxt  # s → s
            shifted = np.concatenate([nxt, np.full((N, 2), neg_inf, dtype)], axis=1)  # (N, S + 2)
            step = shifted[:, 1 : S + 1]  # (N, S) s → s+1
            skip = shifted[:, 2:]  # (N, S) s → s+2
            skip = np.where(skip_from, skip, neg_inf)  # (N, S)
            rec = np.where(valid, _lse3(stay, step, skip), neg_inf)  # (N, S)
        beta[t] = np.where((t == T_n - 1)[:, None], init, np.where((t < T_n - 1)[:, None], rec, neg_inf))

    # ---- γ and the gradient ---------------------------------------------------------------
    finite = ~impossible  # (N,)
    safe_log_p = np.where(finite, log_p, 0.0).astype(dtype)  # (N,) avoids ∞ − ∞ below
    gamma = np.exp(alpha + beta - safe_log_p[None, :, None])  # (T, N, S) posterior of (t, s)
    gamma *= finite[None, :, None]  # impossible utterances: zero gradient
    onehot = (ext[:, :, None] == np.arange(C)).astype(dtype)  # (N, S, C) which class each l'_s is
    occupancy = np.einsum("tns,nsc->tnc", gamma, onehot)  # (T, N, C) Σ_{s: l'_s = c} γ_t(s)
    d_nll = np.asarray(dloss, dtype) * scale if reduction != "none" else np.asarray(dloss, dtype)  # (N,)
    dlog_probs = (-occupancy * d_nll[None, :, None]).astype(dtype)  # (T, N, C)
    return dlog_probs, None, None, None
