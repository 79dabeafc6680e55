"""Large matrix products on more than one thread, with the same numbers on any number.

BLAS runs with one thread (``experiment.BLAS_THREADS``): OpenBLAS's own threads split every
product statically and spin while they wait, so beside one busy process a 2-core run slowed
2-4x. Instead, a large product ``a @ b`` is always cut into a few fixed blocks of rows of the
output (or of its columns, or of a batch's matrices), each a one-thread BLAS call. With more
than one thread (``set_num_threads``, which ``sweep.backend`` sets from ``--jobs``), the
calling thread and its helpers take blocks from one queue until none is left, so a thread on
a busy core takes fewer, and waiting threads sleep.

Same seed, same numbers: the blocks are a function of the shape alone, and each block is the
same BLAS call whichever thread runs it, so one thread and four give the same bits on any
BLAS. The blocks are cut even on one thread for that reason. It is not free: each block packs
the other operand again, 0-6% of a one-thread step in ``benchmarks/bench_engine.py``. Nor is
it always the bits of one whole call: a BLAS kernel may treat the rows at a block's edge
differently (OpenBLAS's does where the other side is not a multiple of its tile).
"""

from __future__ import annotations

import itertools
import math
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["get_num_threads", "mm", "set_num_threads"]

MIN_WORK = 1 << 24  # m·n·k: 16.8M multiply-adds (~0.3 ms); below it a hand-off costs more than it saves
MAX_BLOCKS = 4  # two cores, and an uneven share when one is busy; more blocks pack more often
ALIGN = 16  # block edges at multiples of 16 rows/columns: whole tiles of the BLAS kernels

_threads = 1  # a library call in someone else's program uses one core
_pool: ThreadPoolExecutor | None = None
_pool_key = (0, 0)  # (pid, helpers) of _pool: a forked child must not reuse its parent's
_lock = threading.Lock()


def set_num_threads(n: int) -> None:
    """Threads for large matrix products in this process (``torch.set_num_threads``)."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"set_num_threads: n must be an int >= 1, got {n!r}")
    global _threads
    _threads = int(n)


def get_num_threads() -> int:
    """Threads for large matrix products in this process (1 unless a run set more)."""
    return _threads


def blocks(m: int, n: int, k: int) -> tuple[int, list[slice]]:
    """How ``(m, k) @ (k, n)`` is cut: (axis, slices), axis 0 for rows of the output, 1 for
    its columns; one slice for a product too small to cut. A function of the shape only."""
    axis, side = (0, m) if m >= n else (1, n)
    count = max(1, min(MAX_BLOCKS, side // ALIGN)) if m * n * k >= MIN_WORK else 1
    # edges at multiples of ALIGN, at least ALIGN apart: only the last block has a partial tile
    cuts = [round(side * i / count / ALIGN) * ALIGN for i in range(count)] + [side]
    return axis, [slice(lo, hi) for lo, hi in itertools.pairwise(cuts)]


def _plan(a: np.ndarray, b: np.ndarray) -> tuple[int, list[slice]] | None:
    """How ``a @ b`` is cut, or None to run it whole.

    2-D: :func:`blocks`. A batch of matrices (a or b 3-D or more, their first axes equal, or
    the other one 2-D): slices of the first axis (axis 2), each still NumPy's loop of one
    BLAS call per matrix, the same calls the whole batch makes."""
    if a.ndim < 2 or b.ndim < 2:
        return None
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    if a.ndim == b.ndim == 2:
        axis, parts = blocks(m, n, k)
        return (axis, parts) if len(parts) > 1 else None
    if a.ndim >= 3 and b.ndim >= 3 and (a.ndim != b.ndim or a.shape[0] != b.shape[0]):
        return None  # the first axes do not pair up (broadcasting): run it whole
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    count = min(MAX_BLOCKS, batch[0]) if m * n * k * math.prod(batch) >= MIN_WORK else 1
    if count <= 1:
        return None
    cuts = [batch[0] * i // count for i in range(count + 1)]
    return 2, [slice(lo, hi) for lo, hi in itertools.pairwise(cuts)]


def _helpers(count: int) -> ThreadPoolExecutor:
    """``count`` helper threads, started on first use (a process that never cuts has none)."""
    global _pool, _pool_key
    with _lock:
        if _pool_key != (os.getpid(), count):
            if _pool is not None and _pool_key[0] == os.getpid():
                _pool.shutdown(wait=False)
            _pool, _pool_key = ThreadPoolExecutor(count, "sutskever30-mm"), (os.getpid(), count)
        return _pool


def mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b``, a large product cut into blocks on ``get_num_threads()`` threads (the
    same bits on any number). a (..., m, k), b (..., k, n) -> (..., m, n)."""
    plan = _plan(a, b)
    if plan is None:
        return a @ b
    axis, parts = plan
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    out = np.empty((*batch, a.shape[-2], b.shape[-1]), dtype=np.result_type(a, b))  # (..., m, n)
    todo: queue.SimpleQueue[slice] = queue.SimpleQueue()
    for s in parts:
        todo.put(s)

    def work() -> None:
        while True:
            try:
                s = todo.get_nowait()
            except queue.Empty:
                return
            if axis == 0:  # rows of a 2-D product
                np.matmul(a[s], b, out=out[s])  # (rows, n)
            elif axis == 1:  # its columns
                np.matmul(a, b[:, s], out=out[:, s])  # (m, cols)
            else:  # matrices of a batch
                np.matmul(a[s] if a.ndim > 2 else a, b[s] if b.ndim > 2 else b, out=out[s])  # (items, ..., m, n)

    n_helpers = min(_threads, len(parts)) - 1
    helpers = [_helpers(n_helpers).submit(work) for _ in range(n_helpers)] if n_helpers > 0 else []
    work()  # this thread takes blocks too
    for h in helpers:
        h.result()
    return out
