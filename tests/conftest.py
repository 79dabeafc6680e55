"""Test-session setup shared by every test file."""

from __future__ import annotations

import os

# pytest-xdist runs one worker per core. Each worker gets one BLAS/OpenMP thread: with the
# default (one thread per core in every worker) the pools oversubscribe the cores and spin.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    try:  # numpy may already be loaded by a plugin: limit the live pools too
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
