"""Paper 25 (Kolmogorov complexity): the vectorised Turing-machine enumerator against a
plain one-machine simulator, every estimator on inputs with known answers, and the
quick-preset claims."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from sutskever30.experiment import execute
from sutskever30.papers import p25_kolmogorov_complexity as p25

PAPER = 25  # the quick fixture (tests/papers/conftest.py) runs this paper

# --------------------------------------------------------------------------------------
# Turing machines
# --------------------------------------------------------------------------------------


def test_one_state_machines_by_hand():
    # Entry (state 0, blank) is read first. If it halts the output is the written bit; if
    # it moves, the head meets a fresh blank in state 0 again and moves on forever.
    census = p25.enumerate_machines(1, 10)
    assert census.n_machines == 6**2
    assert census.strings == ["0", "1"]
    assert census.counts.tolist() == [6, 6]  # 2 halting choices x 6 free choices of entry (0, 1)
    assert census.halting_steps.tolist() == [0, 12] + [0] * 9


@pytest.mark.parametrize("n_states,max_steps", [(2, 8), (2, 3)])
def test_vectorised_enumeration_equals_reference_simulator(n_states, max_steps):
    M = p25.transitions_per_entry(n_states) ** (2 * n_states)
    halted, keys, _ = p25.simulate(np.arange(M), n_states, max_steps)
    got = dict(zip(halted.tolist(), (p25._key_to_string(int(k)) for k in keys)))
    for i in range(M):
        assert got.get(i) == p25.run_machine(i, n_states, max_steps), i


def test_three_state_sample_equals_reference_simulator():
    rng = np.random.default_rng(0)
    sample = rng.choice(14**6, size=3000, replace=False)
    halted, keys, steps = p25.simulate(sample, 3, 25)
    got = dict(zip(halted.tolist(), (p25._key_to_string(int(k)) for k in keys)))
    assert len(got) > 500  # the sample has plenty of halting machines
    for i in sample.tolist():
        assert got.get(i) == p25.run_machine(i, 3, 25), i
    assert steps.min() >= 1 and steps.max() <= 21  # S(3) = 21: nothing halts later


def test_machine_table_and_transitions():
    assert [p25.transitions_per_entry(n) for n in (1, 2, 3)] == [6, 10, 14]
    assert p25.decode_transition(0, 3) == (0, -1, 0)
    assert p25.decode_transition(11, 3) == (1, 1, 2)
    assert p25.decode_transition(13, 3) == (1, 0, -1)  # write 1 and halt
    assert p25.machine_table(14**6 - 1, 3) == [13] * 6
    with pytest.raises(ValueError, match=r"in \[0, 14\)"):
        p25.decode_transition(14, 3)


@pytest.mark.parametrize("bad", [0, 4, 2.0, "3"])
def test_bad_machine_class_is_named(bad):
    with pytest.raises(ValueError, match="n_states must be an int in 1..3"):
        p25.enumerate_machines(bad, 10)
    with pytest.raises(ValueError, match="max_steps"):
        p25.enumerate_machines(2, 40)
    with pytest.raises(ValueError, match="indices in"):
        p25.simulate(np.array([10**4 * 4]), 2, 5)


def test_ctm_complexity_known_histogram():
    K = p25.ctm_complexity(["0", "00", "01"], np.array([2, 1, 1]), symmetrize=False)
    assert K == {"0": 1.0, "00": 2.0, "01": 2.0}
    Ks = p25.ctm_complexity(["0", "00", "01"], np.array([2, 1, 1]))
    # orbits: {0, 1} share 1/2 -> 1/4 each; {00, 11} -> 1/8 each; {01, 10} -> 1/8 each
    assert Ks == {"0": 2.0, "1": 2.0, "00": 3.0, "11": 3.0, "01": 3.0, "10": 3.0}
    assert sum(2.0**-k for k in Ks.values()) == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(ValueError, match="positive count"):
        p25.ctm_complexity(["0"], np.array([0]))


# --------------------------------------------------------------------------------------
# compressors, PRNG, counting code, NCD
# --------------------------------------------------------------------------------------


def test_thue_morse_prefix():
    assert p25.thue_morse_bytes(2) == bytes([0b01101001, 0b10010110])


def test_xorshift32_known_first_word_and_program_length():
    assert p25.prng_bytes(1, 4) == (270369).to_bytes(4, "little")  # Marsaglia's first output from seed 1
    assert p25.prng_bytes(7, 10) == p25.prng_bytes(7, 12)[:10]
    assert 100 < p25.prng_program_bytes() < 300


def test_compressed_sizes():
    sizes = p25.compressed_sizes(b"a" * 10_000)
    assert sizes["best"] == min(sizes["zlib"], sizes["bz2"], sizes["lzma"]) < 100
    with pytest.raises(TypeError, match="expects bytes"):
        p25.compressed_sizes("text")


@pytest.mark.parametrize("n", range(1, 13))
def test_run_length_code_is_injective_and_lengths_match(n):
    strings = ["".join(b) for b in itertools.product("01", repeat=n)]
    codes = [p25.run_length_code(x) for x in strings]
    assert len(set(codes)) == len(codes)
    assert all(p25.run_length_decode(c, n) == x for c, x in zip(codes, strings))
    lengths = p25.run_length_code_lengths(n)  # index = x as a binary number, MSB first
    assert lengths.tolist() == [len(c) for c in codes]


def test_run_length_code_known_values():
    assert p25.run_length_code("0" * 20) == "0" + "000010100"  # gamma(20) = 0000 10100
    assert p25.run_length_code("0101") == "01111"
    assert p25.run_length_code_lengths(20).min() == 10
    with pytest.raises(ValueError, match="0/1 string"):
        p25.run_length_code("012")


def test_ncd_known_cases():
    rng = np.random.default_rng(0)
    x, y = rng.bytes(4000), rng.bytes(4000)
    assert p25.ncd(x, x) < 0.05
    assert p25.ncd(x, y) > 0.95


def test_stdlib_files_are_seeded():
    a = p25.stdlib_package_files(("email", "json"), 2, 4000, np.random.default_rng(3))
    b = p25.stdlib_package_files(("email", "json"), 2, 4000, np.random.default_rng(3))
    assert [f[1] for f in a] == [f[1] for f in b]
    assert [f[0] for f in a] == ["email", "email", "json", "json"]
    with pytest.raises(ValueError, match="has only"):
        p25.stdlib_package_files(("json",), 50, 4000, np.random.default_rng(0))


# --------------------------------------------------------------------------------------
# the experiment
# --------------------------------------------------------------------------------------


def test_smoke_config_runs_and_draws():
    r, found = execute(25, "smoke", seed=0)
    assert r.metrics["machines"] == 10**4
    assert not found[0].passed  # no pinned value for (2, 8): the regression claim must not pass
    assert set(p25.figures(r)) == {"ctm_complexity", "mean_K_by_length", "compression", "counting", "ncd"}


def test_ctm_complexity_does_not_depend_on_the_hash_seed():
    # a set's iteration order follows PYTHONHASHSEED; K and Σ 2^-K must not
    census = p25.enumerate_machines(2, 8)
    code = (
        "import json; from sutskever30.papers import p25_kolmogorov_complexity as p25; "
        "c = p25.enumerate_machines(2, 8); K = p25.ctm_complexity(c.strings, c.counts); "
        "print(json.dumps([list(K.items()), sum(2.0**-k for k in K.values())]))"
    )
    outs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        outs.add(
            subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
        )
    assert len(outs) == 1
    assert len(json.loads(outs.pop())[0]) >= len(census.strings)


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 8
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_matches_card_calibration(quick_result):
    m = quick_result.metrics
    assert m["distinct_outputs"] == 95
    assert m["present_by_length"] == {"1": 2, "2": 4, "3": 8, "4": 16, "5": 32, "6": 26, "7": 7}
    steps = quick_result.histories["halting_by_step"]
    assert sum(steps) == m["halting"]
    # the busy beaver S(3) = 21: no machine halts at steps 22-25, so the census is exact
    assert steps[21] > 0 and not any(steps[22:])
