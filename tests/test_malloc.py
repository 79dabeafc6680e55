"""The allocator setting (``sutskever30.keep_freed_memory``, applied by the CLI, the tests and
the benchmarks, never by the import): on glibc a training step then reuses freed memory
instead of page-faulting it back in; importing the package alone changes nothing; the
opt-out keeps the defaults."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

glibc = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's"
)

# page faults per step of a small conv net (forward, backward, Adam) after warm-up steps
FAULTS_PER_STEP = """
import resource, sys
import numpy as np
import sutskever30
from sutskever30 import nn

tuned = sutskever30.keep_freed_memory() if sys.argv[1] == "call" else False

rng = np.random.default_rng(0)
net = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1, rng=rng), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 10, rng=rng),
)
x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)  # (B, 1, 28, 28)
y = rng.integers(0, 10, 64)  # (B,)
opt = nn.optim.Adam(net.parameters(), lr=1e-3)

def step():
    opt.zero_grad()
    nn.cross_entropy(net(nn.Tensor(x)), y).backward()
    opt.step()

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(tuned, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""


def _run(env_extra: dict[str, str], call: bool = True) -> tuple[bool, float]:
    env = {k: v for k, v in os.environ.items() if k != "SUTSKEVER30_NO_MALLOPT"}
    env.update(OPENBLAS_NUM_THREADS="1", **env_extra)
    cmd = [sys.executable, "-c", FAULTS_PER_STEP, "call" if call else "import-only"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    tuned, faults = out.stdout.split()
    return tuned == "True", float(faults)


@glibc
def test_a_training_step_does_not_page_fault_after_warm_up():
    tuned, faults = _run({})
    assert tuned
    # untuned glibc measured ~7,000 faults per step here (1 MB of activations per layer)
    assert faults < 50, f"{faults} page faults per step"


@glibc
def test_importing_the_package_keeps_glibcs_defaults():
    tuned, faults = _run({}, call=False)
    assert not tuned
    # the untuned allocator re-faults the step's temporaries: ~7,000 faults measured, > 1,000 always
    assert faults > 1000, f"{faults} page faults per step: did the import change the allocator?"


@glibc
def test_the_opt_out_keeps_the_defaults():
    tuned, _ = _run({"SUTSKEVER30_NO_MALLOPT": "1"})
    assert not tuned
