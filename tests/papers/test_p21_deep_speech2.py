"""Paper 21 (Deep Speech 2): quick-preset claims, decoding (greedy, the wrong blank-less
collapse, prefix beam search) on fabricated posteriors, edit distance and CER, the
synthetic speech data, the model's shapes, and determinism."""

from __future__ import annotations

import itertools
import math
from dataclasses import fields

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn import pairs as P
from sutskever30.papers import p21_deep_speech2 as p21

PAPER = 21  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 6
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r, c = quick_result, p21.Config.quick()
    for name in ("sortagrad", "shuffled"):
        assert len(r.histories[f"{name}_loss"]) == c.steps
        assert len(r.histories[f"{name}_test_cer"]) == len(r.arrays["eval_steps"])
        # the CTC loss fell by far during training (per character, from ~3 at init)
        assert np.mean(r.histories[f"{name}_loss"][-20:]) < 0.1 * r.histories[f"{name}_loss"][0]
    assert 0.2 < r.metrics["test_frac_with_double"] < 0.8  # both kinds of utterance are tested
    assert r.metrics["beam_logp_ge_greedy_frac"] >= 0.99  # beam finds labelings at least as probable
    figs = p21.figures(r)
    assert set(figs) == {"loss", "test_cer", "posteriors", "cer"}


# --------------------------------------------------------------------------------------
# decoding on fabricated posteriors
# --------------------------------------------------------------------------------------


def posteriors(frames: list[list[float]]) -> np.ndarray:
    return np.log(np.asarray(frames, dtype=np.float64))  # (T, C)


def test_greedy_needs_blanks_for_doubled_letters():
    # frame arg-maxes: a a ∅ a b  → "aab" (the blank separates the two a's)
    lp = posteriors([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1], [0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])  # (T=5, C=3)
    assert p21.greedy_decode(lp[:, None, :], np.array([5]))[0] == [1, 1, 2]
    assert p21.collapse(np.argmax(lp, 1)) == [1, 1, 2]
    # dropping blanks before merging repeats loses the doubled letter
    assert p21.collapse_without_blanks(np.argmax(lp, 1)) == [1, 2]
    # without a blank between them, two a-frames are one "a" whichever decoder is used
    assert p21.collapse([1, 1, 2]) == [1, 2]


def test_greedy_decode_respects_lengths_and_batches():
    rng = np.random.default_rng(0)
    lp = rng.standard_normal((9, 4, 5))  # (T, N, C)
    lengths = np.array([9, 3, 1, 6])
    out = p21.greedy_decode(lp, lengths)
    for n in range(4):
        assert out[n] == p21.collapse(np.argmax(lp[: lengths[n], n], axis=1))


def test_beam_search_beats_greedy():
    # p(∅) = 0.6, p(a) = 0.4 in both frames: the best path is ∅∅ ("", p = 0.36) but
    # "a" has three paths (a∅, ∅a, aa) with p = 0.24 + 0.24 + 0.16 = 0.64
    lp = posteriors([[0.6, 0.4], [0.6, 0.4]])
    assert p21.collapse(np.argmax(lp, 1)) == []
    assert p21.prefix_beam_search(lp, beam_width=8) == [1]
    assert p21.prefix_beam_search(lp, beam_width=2) == [1]
    assert p21.prefix_beam_search(lp, beam_width=1) == []  # width 1 keeps only "" after frame 0


def labeling_logp(lp: np.ndarray, y: list[int]) -> float:
    tgt = np.array([y if y else [1]])
    nll, _ = P.ctc_loss_forward(lp[:, None, :], tgt, np.array([len(lp)]), np.array([len(y)]), reduction="none")
    return -float(nll[0])


@pytest.mark.parametrize("seed", range(4))
def test_wide_beam_finds_the_most_probable_labeling(seed):
    # with a beam wider than the number of prefixes, prefix beam search is exact
    rng = np.random.default_rng(seed)
    T, C = 5, 3
    lp = P.log_softmax_forward(rng.standard_normal((T, C)) * 1.5, axis=1)[0]  # (T, C)
    candidates = [list(y) for L in range(T + 1) for y in itertools.product(range(1, C), repeat=L)]
    scores = [labeling_logp(lp, y) for y in candidates]
    best = candidates[int(np.argmax(scores))]
    found = p21.prefix_beam_search(lp, beam_width=200)
    assert labeling_logp(lp, found) == pytest.approx(max(scores), abs=1e-12)
    assert found == best
    # and the beam's labeling is never less probable than greedy's
    greedy = p21.collapse(np.argmax(lp, 1))
    assert labeling_logp(lp, p21.prefix_beam_search(lp, beam_width=8)) >= labeling_logp(lp, greedy) - 1e-12


def test_prefix_probabilities_sum_over_alignments():
    # width 1 on a single frame: the chosen prefix's probability is the exact frame probability
    lp = posteriors([[0.2, 0.5, 0.3]])
    assert p21.prefix_beam_search(lp, beam_width=2) == [1]
    assert p21.prefix_beam_search(lp, beam_width=1) == [1]
    # a pruned label is never tried
    lp = posteriors([[0.5, 0.4999, 0.0001]] * 2)
    assert 2 not in p21.prefix_beam_search(lp, beam_width=8, prune=1e-3)


# --------------------------------------------------------------------------------------
# edit distance and CER
# --------------------------------------------------------------------------------------


def edit_distance_recursive(a, b):
    if not a:
        return len(b)
    if not b:
        return len(a)
    return min(
        edit_distance_recursive(a[1:], b) + 1,
        edit_distance_recursive(a, b[1:]) + 1,
        edit_distance_recursive(a[1:], b[1:]) + (a[0] != b[0]),
    )


def test_edit_distance():
    assert p21.edit_distance("kitten", "sitting") == 3
    assert p21.edit_distance([], [1, 2]) == 2
    assert p21.edit_distance([1, 1, 2], [1, 2]) == 1
    assert p21.edit_distance([3], [3]) == 0
    rng = np.random.default_rng(0)
    for _ in range(40):
        a = list(rng.integers(0, 3, rng.integers(0, 6)))
        b = list(rng.integers(0, 3, rng.integers(0, 6)))
        d = p21.edit_distance(a, b)
        assert d == edit_distance_recursive(a, b) == p21.edit_distance(b, a)


def test_cer():
    refs = [[1, 1, 2], [3, 4]]
    assert p21.cer(refs, refs) == 0.0
    assert p21.cer([[1, 2], [3, 4, 5]], refs) == pytest.approx(2 / 5)  # one deletion + one insertion
    assert p21.cer([[], []], refs) == 1.0
    with pytest.raises(ValueError, match="hypotheses"):
        p21.cer([[1]], refs)


# --------------------------------------------------------------------------------------
# data and model
# --------------------------------------------------------------------------------------


def test_speech_data():
    rng = np.random.default_rng(0)
    protos = p21.make_prototypes(8, 16, rng)
    d = p21.make_speech(300, protos, rng)
    # the model's inputs are frames and label strings only: no durations or boundaries
    assert [f.name for f in fields(d)] == ["x", "input_lengths", "labels", "target_lengths"]
    assert d.x.shape == (300, d.input_lengths.max(), 16) and d.x.dtype == np.float32
    assert d.target_lengths.min() >= 3 and d.target_lengths.max() <= 8
    assert d.input_lengths.min() >= 2 * d.target_lengths.min()
    labels = d.label_list()
    assert all(1 <= k <= 8 for y in labels for k in y)
    has = d.has_double()
    assert has.tolist() == [any(a == b for a, b in zip(y, y[1:])) for y in labels]
    assert 0.2 < has.mean() < 0.8
    again = p21.make_speech(300, p21.make_prototypes(8, 16, np.random.default_rng(0)), np.random.default_rng(0))
    other = p21.make_speech(300, protos, np.random.default_rng(1))
    rng2 = np.random.default_rng(0)
    same = p21.make_speech(300, p21.make_prototypes(8, 16, rng2), rng2)
    np.testing.assert_array_equal(same.x, d.x)
    assert not np.array_equal(other.labels, again.labels)


def test_doubled_letters_are_distinguishable_from_long_ones():
    # "aa" (2 + 3 frames) and "a" (5 frames) differ: the second a starts with its onset frame
    onset, steady = np.eye(2, 4), np.eye(2, 4)[::-1]
    protos = (onset, steady)
    rng = np.random.default_rng(0)
    d = p21.make_speech(200, protos, rng, min_chars=2, max_chars=2, sigma=0.0, p_double=1.0)
    for i in range(len(d)):
        frames = d.x[i, : d.input_lengths[i]]
        k = d.labels[i, 0] - 1
        n_onsets = int(np.sum(np.all(frames == onset[k], axis=1)))
        assert n_onsets == 2  # one onset per character


@pytest.mark.parametrize("stride", [1, 2])
def test_model_shapes_and_lengths(stride):
    rng = np.random.default_rng(0)
    model = p21.DeepSpeech(16, 9, channels=8, hidden=6, stride=stride, rng=rng)
    x = nn.Tensor(rng.standard_normal((3, 11, 16)).astype(np.float32))
    lp = model(x)  # (T', N, C)
    T_out = model.output_lengths(np.array([11, 7, 4]))
    assert lp.shape == (T_out[0], 3, 9)
    np.testing.assert_allclose(np.exp(lp.data).sum(axis=2), 1.0, atol=1e-5)
    if stride == 1:
        np.testing.assert_array_equal(T_out, [11, 7, 4])
    else:
        np.testing.assert_array_equal(T_out, [6, 4, 2])


def test_bidirectional_model_sees_the_future():
    # changing the last frame changes the output at frame 0 only through the backward GRU
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 20, 16)).astype(np.float32)
    y = x.copy()
    y[0, -1] += 5.0
    for bidirectional, moves in ((True, True), (False, False)):
        model = p21.DeepSpeech(16, 9, channels=8, hidden=6, bidirectional=bidirectional, rng=np.random.default_rng(2))
        with nn.no_grad():
            a, b = model(nn.Tensor(x)).data, model(nn.Tensor(y)).data  # (T, 1, C)
        assert (np.abs(a[0] - b[0]).max() > 1e-6) == moves


def test_sortagrad_first_epoch_is_sorted_then_shuffled():
    lengths = np.random.default_rng(0).integers(5, 50, 64)
    batches = p21._epoch_orders(64, 8, 16, lengths, True, np.random.default_rng(0))
    first = np.concatenate(batches[:8])
    assert np.all(np.diff(lengths[first]) >= 0)
    second = np.concatenate(batches[8:])
    assert sorted(second) == list(range(64)) and np.any(np.diff(lengths[second]) < 0)
    shuffled = np.concatenate(p21._epoch_orders(64, 8, 8, lengths, False, np.random.default_rng(0)))
    assert sorted(shuffled) == list(range(64)) and np.any(np.diff(lengths[shuffled]) < 0)


def test_brute_force_helper_agrees_with_pair():
    worst_fwd, worst_grad = p21.ctc_exactness(np.random.default_rng(0), n_cases=2)
    assert worst_fwd < 1e-10 and worst_grad < 1e-6
    assert math.isinf(p21.ctc_brute_force(np.zeros((2, 2)), [1, 1]))


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(21, "smoke", seed=3), execute(21, "smoke", seed=3)
    assert a.metrics == b.metrics and a.histories == b.histories
    other, _ = execute(21, "smoke", seed=4)
    assert other.histories["sortagrad_loss"] != a.histories["sortagrad_loss"]


def test_presets_differ():
    assert p21.Config.quick() != p21.Config.full()
    assert p21.Config.quick().preset_name == "quick"
