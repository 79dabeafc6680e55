"""The edge network's message: one d×d matrix per edge times the state of the edge's source
(Gilmer et al. 2017, §5.1, M(h_v, h_w, e_vw) = A(e_vw) h_w). The pair contract is in
``pairs/__init__.py``.

With E edges, per-edge matrices A (E, D_out, D_in) and source states h (E, D_in)::

    out[e] = A[e] @ h[e]                 (E, D_out)

This is ``torch.bmm(A, h.unsqueeze(-1)).squeeze(-1)``. The general batched ``matmul`` pair
computes the same thing, but its backward forms dA as a stack of (D_out, 1) @ (1, D_in)
products, which is ten times slower at message-passing shapes than the einsum below.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, apply
from ..checks import check_array

__all__ = ["edge_matvec", "edge_matvec_backward", "edge_matvec_forward"]


def edge_matvec_forward(A: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, tuple]:
    """out[e] = A[e] @ h[e]. A (E, D_out, D_in), h (E, D_in) -> out (E, D_out)."""
    A = check_array("edge_matvec: A", A, shape_doc="(E, D_out, D_in)")
    h = check_array("edge_matvec: h", h, shape_doc="(E, D_in)")
    if A.ndim != 3 or h.ndim != 2 or A.shape[0] != h.shape[0] or A.shape[2] != h.shape[1] or A.dtype != h.dtype:
        raise ValueError(
            f"edge_matvec: A is {A.shape} {A.dtype} and h {h.shape} {h.dtype}; "
            "expected A (E, D_out, D_in) and h (E, D_in) of one float dtype"
        )
    out = (A @ h[:, :, None])[:, :, 0]  # (E, D_out)
    return out, (A, h)


def edge_matvec_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray]:
    """dout (E, D_out) -> (dA (E, D_out, D_in), dh (E, D_in))."""
    A, h = cache
    dA = np.einsum("ei,ej->eij", dout, h)  # (E, D_out, D_in) outer products dout[e] h[e]ᵀ
    dh = np.einsum("eij,ei->ej", A, dout)  # (E, D_in) = A[e]ᵀ dout[e]
    return dA, dh


def edge_matvec(A: Tensor, h: Tensor) -> Tensor:
    """Tensor-level ``out[e] = A[e] @ h[e]``: A (E, D_out, D_in), h (E, D_in) -> (E, D_out)."""
    if not isinstance(A, Tensor) or not isinstance(h, Tensor):
        raise TypeError(f"edge_matvec: A and h must be Tensors, got {type(A).__name__} and {type(h).__name__}")
    return apply(edge_matvec_forward, edge_matvec_backward, A, h)
