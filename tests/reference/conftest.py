"""Shared by the PyTorch twins: skip the whole folder without torch, and one seeded rng."""

import numpy as np
import pytest

pytest.importorskip("torch")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)
