"""Paper 24 (universal intelligence): the prefix-free language and Kraft, the environments'
semantics, the agent–environment interface, the Bayes-mixture agent, Υ by hand, and the
quick-preset claims."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from sutskever30.experiment import execute
from sutskever30.papers import p24_machine_super_intelligence as p24

PAPER = 24  # the quick fixture (tests/papers/conftest.py) runs this paper

# --------------------------------------------------------------------------------------
# claims on the quick preset (one seed; seeds 0-4 are in docs/results/24_machine_super_intelligence.md)
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 9
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_upsilon_is_recomputed_from_the_measured_matrix(quick_result):
    m = quick_result.metrics
    V, K = np.asarray(m["V"]), np.asarray(m["K_bits"], dtype=float)
    suite = np.asarray(m["env_group"]) == "suite"
    w = 2.0 ** -K[suite]
    by_hand = (V[:, suite] * w).sum(axis=1) / w.sum()
    table = p24.upsilon_table(quick_result)["suite"]
    np.testing.assert_allclose([table[a] for a in m["agents"]], by_hand, rtol=1e-12)
    assert len(m["envs"]) == len(p24.SUITE) + 3 + sum(p24.Config.quick().heldout_quota)
    assert set(p24.figures(quick_result)) == {"upsilon_suite", "upsilon_heldout", "V_matrix"}


# --------------------------------------------------------------------------------------
# the language
# --------------------------------------------------------------------------------------


def test_elias_gamma_known_codes():
    assert [p24.elias_gamma(L) for L in (1, 2, 3, 4, 5, 8)] == ["1", "010", "011", "00100", "00101", "0001000"]
    with pytest.raises(ValueError, match="L"):
        p24.elias_gamma(0)


def test_program_codes_by_hand():
    assert p24.encode(("PRED", ("THUE",))) == "0" + "011"
    assert p24.encode(("REACT", 1)) == "11" + "1"
    assert p24.encode(("BANDIT", 1, 6)) == "10" + "001" + "110"
    assert p24.encode(("PRED", ("PERIOD", (0, 1)))) == "0" + "00" + "010" + "01"
    assert p24.encode(("PRED", ("XOR", ("FIB",), ("COIN", 2)))) == "0" + "111" + "100" + "010" + "010"
    assert p24.program_bits(("PRED", ("NOT", ("COUNT",)))) == 7


def test_decode_is_prefix_free_and_inverts_encode():
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = p24.sample_program(rng, 64)
        if p is None:
            continue
        code = p24.encode(p)
        assert p24.decode_prefix(code) == (p, len(code))
        # whatever follows, the decoder stops where the program ends
        junk = "".join(rng.choice(["0", "1"], size=7))
        assert p24.decode_prefix(code + junk) == (p, len(code))
        # and no proper prefix is a complete program
        assert all(p24.decode_prefix(code[:k]) is None for k in range(len(code)))


def test_kraft_inequality_and_exhaustive_parse():
    sums = []
    for L in (8, 12, 16):
        kr = p24.kraft_check(L, min(L, 12))
        assert kr["prefix_free"] and kr["parse_matches_enumeration"] and kr["roundtrip"]
        sums.append(kr["kraft_sum"])
    assert sums == sorted(sums) and sums[-1] <= 1.0
    small = sorted(p24.describe(p) for p, _ in p24.enumerate_programs(6))
    assert small == sorted(
        ["PRED(THUE)", "PRED(FIB)", "PRED(COUNT)", "PRED(PERIOD(0))", "PRED(PERIOD(1))", "REACT(0)", "REACT(1)"]
    )
    assert p24.kraft_check(6, 6)["kraft_sum"] == 3 * 2**-4 + 2 * 2**-5 + 2 * 2**-3


def test_sampling_from_the_language_draws_programs_with_probability_two_to_minus_length():
    rng = np.random.default_rng(1)
    n = 6000
    counts = Counter(p24.describe(p) for p in (p24.sample_program(rng, 64) for _ in range(n)) if p is not None)
    assert abs(counts["REACT(0)"] / n - 2**-3) < 0.015  # 3 bits
    assert abs(counts["PRED(THUE)"] / n - 2**-4) < 0.012  # 4 bits
    assert abs(counts["BANDIT(0,0)"] / n - 2**-8) < 0.004  # 8 bits


def test_bad_programs_and_bits():
    with pytest.raises(ValueError, match="unknown tag"):
        p24.encode(("FOO",))
    with pytest.raises(ValueError, match="PERIOD"):
        p24.encode(("PRED", ("PERIOD", ())))
    with pytest.raises(ValueError, match="bits"):
        p24.decode_prefix("012")
    with pytest.raises(ValueError, match="V, K"):
        p24.universal_intelligence(np.zeros((2, 3)), np.zeros(2))


# --------------------------------------------------------------------------------------
# semantics
# --------------------------------------------------------------------------------------


def bits(s: str) -> list[float]:
    return [float(c) for c in s]


def test_sequences_by_hand():
    assert list(p24.seq_probs(("THUE",), 16)) == bits("0110100110010110")
    assert list(p24.seq_probs(("FIB",), 13)) == bits("0100101001001")
    assert list(p24.seq_probs(("COUNT",), 12)) == bits("0" + "1" + "10" + "11" + "100" + "101")
    assert list(p24.seq_probs(("PERIOD", (1, 0, 0)), 7)) == bits("1001001")
    assert list(p24.seq_probs(("NOT", ("PERIOD", (1, 0))), 4)) == bits("0101")
    xor = p24.seq_probs(("XOR", ("THUE",), ("PERIOD", (1,))), 8)
    assert list(xor) == bits("10010110")
    noisy = p24.seq_probs(("XOR", ("COIN", 1), ("COIN", 2)), 3)  # 3/16 ⊕ 5/16
    np.testing.assert_allclose(noisy, 3 / 16 * 11 / 16 + 5 / 16 * 13 / 16)


class Recorder:
    """An agent that records exactly what the loop hands it."""

    name = "recorder"

    def reset(self, rng):
        self.rng, self.seen = rng, []

    def act(self):
        return int(self.rng.integers(2))

    def observe(self, o, r):
        self.seen.append((o, r))


def test_agents_see_only_observations_and_rewards():
    for prog in (("PRED", ("THUE",)), ("BANDIT", 1, 6), ("REACT", 0)):
        agent = Recorder()
        V = p24.run_episode(prog, agent, 50, np.random.default_rng(0))
        assert len(agent.seen) == 50
        assert all(type(o) is int and type(r) is int and o in (0, 1) and r in (0, 1) for o, r in agent.seen)
        assert V == pytest.approx(np.mean([r for _, r in agent.seen]))


def test_environment_rewards():
    rng = np.random.default_rng(0)
    env = p24.Environment(("PRED", ("PERIOD", (0, 1))), 4, rng)
    assert [env.step(a) for a in (0, 0, 1, 1)] == [(0, 1), (1, 0), (0, 0), (1, 1)]
    env = p24.Environment(("REACT", 0), 100, rng)
    o_prev, ok = 0, True
    for _ in range(100):  # copying the previous observation is always rewarded
        o, r = env.step(o_prev)
        ok &= r == 1
        o_prev = o
    assert ok
    env = p24.Environment(("BANDIT", 7, 0), 2000, rng)  # p = 15/16 and 1/16
    assert np.mean([env.step(0)[1] for _ in range(2000)]) == pytest.approx(15 / 16, abs=0.02)


class BadAgent(Recorder):
    def act(self):
        return 2


def test_invalid_action_is_named():
    with pytest.raises(ValueError, match="BadAgent.act"):
        p24.run_episode(("REACT", 0), BadAgent(), 5, np.random.default_rng(0))


# --------------------------------------------------------------------------------------
# agents
# --------------------------------------------------------------------------------------


def small_mixture(T: int = 120) -> p24.MixtureAgent:
    progs = p24.enumerate_programs(14)
    return p24.MixtureAgent([p for p, _ in progs], [n for _, n in progs], T)


def test_mixture_posterior_concentrates_on_programs_that_predict_the_truth():
    T = 120
    agent = small_mixture(T)
    truth = ("PRED", ("PERIOD", (0, 1, 1, 0)))
    V = p24.run_episode(truth, agent, T, np.random.default_rng(2))
    assert V > 0.9
    post = agent.posterior()
    x = p24.seq_probs(truth[1], T)
    agrees = np.all(agent.p1 == x, axis=1) & (agent.kind == 0)  # hypotheses with the same sequence
    assert post[agrees].sum() > 0.99


def test_mixture_finds_the_better_bandit_arm():
    agent = small_mixture(300)
    V = np.mean([p24.run_episode(("BANDIT", 1, 6), agent, 300, np.random.default_rng(s)) for s in range(3)])
    assert V > 0.7  # arms 3/16 and 13/16; always the better arm would give 0.8125


def test_markov_agent_learns_to_copy_in_the_reactive_environment():
    V = p24.run_episode(("REACT", 1), p24.MarkovAgent(1), 200, np.random.default_rng(0))
    assert V > 0.95
    V0 = p24.run_episode(("REACT", 1), p24.ConstantAgent(), 200, np.random.default_rng(0))
    assert 0.35 < V0 < 0.65


def test_specialist_is_perfect_on_its_own_environment_only():
    seq = ("XOR", ("PERIOD", (1, 0, 1, 1, 1, 0, 0, 0, 1)), ("THUE",))
    plan = p24.seq_probs(seq, 200).astype(np.int64)
    agent = p24.SpecialistAgent(plan)
    assert p24.run_episode(("PRED", seq), agent, 200, np.random.default_rng(0)) == 1.0
    assert p24.run_episode(("PRED", ("FIB",)), agent, 200, np.random.default_rng(0)) < 0.75


def test_universal_intelligence_by_hand():
    V = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    K = np.array([1, 2])
    np.testing.assert_allclose(p24.universal_intelligence(V, K), [2 / 3, 1 / 3, 0.5])
    np.testing.assert_allclose(p24.universal_intelligence(V, K, normalise=False), [0.5, 0.25, 0.375])


def test_compressed_bits_grow_with_the_description():
    short, long = ("PRED", ("THUE",)), ("PRED", ("PERIOD", tuple([0, 1, 1] * 10)))
    assert 0 < p24.compressed_bits(short) < p24.compressed_bits(long)


# --------------------------------------------------------------------------------------
# determinism
# --------------------------------------------------------------------------------------


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(24, "smoke", seed=3), execute(24, "smoke", seed=3)
    assert a.metrics == b.metrics
    c, _ = execute(24, "smoke", seed=4)
    assert c.metrics["V"] != a.metrics["V"]
