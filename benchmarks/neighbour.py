"""The busy neighbour: one CPU-bound process beside a benchmark, as a learner's browser or
editor would be. OpenBLAS's waiting thread spins when it has to share a core with it."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterator


def spin() -> None:
    while True:
        pass


@contextlib.contextmanager
def busy_neighbour(enabled: bool = True) -> Iterator[bool]:
    """A with-block with one spinning process beside it (none if ``enabled`` is False)."""
    proc = multiprocessing.get_context("spawn").Process(target=spin, daemon=True) if enabled else None
    if proc:
        proc.start()
    try:
        yield enabled
    finally:
        if proc:
            proc.terminate()
            proc.join()
