"""Local response normalisation (Krizhevsky, Sutskever & Hinton 2012, Section 3.3).

Shapes (PyTorch's ``torch.nn.functional.local_response_norm`` semantics)::

    local_response_norm_forward(x (N, C, *spatial), size, alpha=1e-4, beta=0.75, k=1.0)
        -> out (N, C, *spatial);                   local_response_norm_backward -> dx

Each activation is divided by a power of the summed squares of its neighbours *across
channels* at the same position ("brightness normalisation": kernels compete):

    s_c = k + (alpha / size) · Σ_{c' ∈ W(c)} x_{c'}²,      out_c = x_c · s_c^(−beta),

with the window W(c) = [c − ⌊size/2⌋, c + ⌈size/2⌉ − 1] clipped to [0, C). This is
PyTorch's convention: alpha is divided by ``size`` (the paper writes alpha without the
1/size; its k=2, n=5, alpha=1e-4, beta=0.75 correspond to alpha=5e-4 here), and for an
even ``size`` the window has one more channel before c than after.

Backward. out_c depends on x_c directly and on every x_j in W(c) through s_c:

    dx_j = dout_j · s_j^(−beta) − (2·alpha·beta / size) · x_j · Σ_{c : j ∈ W(c)} dout_c · x_c · s_c^(−beta−1).

j ∈ W(c) ⇔ c ∈ [j − ⌈size/2⌉ + 1, j + ⌊size/2⌋], the mirror window, so both sums are
sliding-window sums along the channel axis: ``size`` shifted adds, no loop over C.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_array

__all__ = ["local_response_norm_forward", "local_response_norm_backward"]


def _window_sum(a: np.ndarray, before: int, after: int) -> np.ndarray:
    """out[:, c] = Σ a[:, c'] for c' in [c − before, c + after] ∩ [0, C), any trailing axes.

    Zero-pads the channel axis and adds ``before + after + 1`` shifted slices: a loop over
    the window's offsets only (like conv's kernel taps), each add one contiguous array op.
    """
    N, C = a.shape[:2]
    padded = np.zeros((N, C + before + after, *a.shape[2:]), dtype=a.dtype)  # (N, C + size − 1, ...)
    padded[:, before : before + C] = a
    out = padded[:, 0:C].copy()  # (N, C, ...) offset −before
    for o in range(1, before + after + 1):
        out += padded[:, o : o + C]  # (N, C, ...) offset o − before
    return out


def local_response_norm_forward(
    x: np.ndarray, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> tuple[np.ndarray, tuple]:
    """out = x · (k + alpha/size · Σ_window x²)^(−beta), the window running across channels.

    x (N, C, *spatial) with at least 3 dims (as PyTorch) -> out, same shape.
    """
    x = check_array("local_response_norm: x", x, shape_doc="(N, C, *spatial)")
    if x.ndim < 3:
        raise ValueError(f"local_response_norm: x must be (N, C, *spatial) with >= 3 dims, got shape {x.shape}")
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 1:
        raise ValueError(f"local_response_norm: size must be an int >= 1, got {size!r}")
    if not k > 0 or alpha < 0:
        raise ValueError(f"local_response_norm: need k > 0 and alpha >= 0, got k={k}, alpha={alpha}")
    before, after = size // 2, (size - 1) // 2  # window W(c) = [c − before, c + after]
    s = k + (alpha / size) * _window_sum(x * x, before, after)  # (N, C, ...) the denominator base
    scale = s ** (-beta)  # (N, C, ...)
    out = x * scale  # (N, C, ...)
    return out, (x, s, scale, size, alpha, beta, before, after)


def local_response_norm_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dout (N, C, *spatial) -> dx (N, C, *spatial)."""
    x, s, scale, size, alpha, beta, before, after = cache
    g = dout * x * scale / s  # (N, C, ...) dout_c · x_c · s_c^(−beta−1)
    mirrored = _window_sum(g, after, before)  # (N, C, ...) Σ over c with j ∈ W(c)
    return dout * scale - (2.0 * alpha * beta / size) * x * mirrored  # (N, C, ...)
