"""The full preset of the cheapest papers, one seed each: every claim it checks passes.

The other papers' full presets take minutes; the sweep that writes docs/results checks them
(`sutskever30 report --preset full --seeds 0-2`).
"""

import pytest

from sutskever30 import experiment

CHEAPEST = [23, 25, 26]  # full preset 4-14 s each, recorded on a shared machine (docs/results)


@pytest.mark.slow
@pytest.mark.parametrize("number", CHEAPEST)
def test_full_preset_passes_every_checked_claim(number):
    _, found = experiment.execute(number, "full", seed=0)
    failed = [(c.statement, c.measured) for c in found if c.checked and not c.passed]
    assert not failed, failed
