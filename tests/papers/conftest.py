"""Shared by the paper tests: each file names its paper (``PAPER = N``) and gets that paper's
quick run, on seed 0, once per file."""

from __future__ import annotations

import pytest

from sutskever30.experiment import execute


@pytest.fixture(scope="module")
def quick(request):
    """(result, claims) of ``PAPER``'s quick preset on seed 0."""
    return execute(request.module.PAPER, "quick", seed=0)


@pytest.fixture(scope="module")
def quick_result(quick):
    return quick[0]
