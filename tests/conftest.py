"""Test-session setup and the fixtures several test files share."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

# One BLAS/OpenMP thread per pytest-xdist worker: with one thread per core in every worker
# the pools oversubscribe the cores and spin. The same policy as a sweep's tasks.
if os.environ.get("PYTEST_XDIST_WORKER"):
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    try:  # numpy may already be loaded by a plugin: limit the live pools too
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass

import sutskever30  # noqa: E402
from sutskever30 import registry  # noqa: E402

sutskever30.keep_freed_memory()  # as the CLI does: the tests see the allocator users get

FIXTURES = Path(__file__).parent / "fixtures"
DUMMIES = {
    2: "dummy_papers.passing",
    4: "dummy_papers.failing",
    5: "dummy_papers.diverging",
    6: "dummy_papers.quick_only",
}


@pytest.fixture
def dummy_papers(monkeypatch: pytest.MonkeyPatch) -> dict[int, str]:
    """Papers 2, 4, 5 and 6 become the stand-in modules of tests/fixtures/dummy_papers
    (passing, failing, diverging, one quick-only claim): small real models, so outputs
    depend on the seed."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    for n, module in DUMMIES.items():
        monkeypatch.setitem(registry.PAPERS, n, dataclasses.replace(registry.PAPERS[n], module=module))
    return DUMMIES


@pytest.fixture
def unbuilt() -> int:
    """A paper number with no module yet (and not one of the dummies)."""
    for n in registry.PAPERS:
        if n not in DUMMIES and not registry.is_built(n):
            return n
    pytest.skip("every paper is built")
