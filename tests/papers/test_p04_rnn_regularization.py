"""Paper 4 (Zaremba et al.): the masked-recurrence LSTM pair (gradients, equality with
nn.lstm), where each setting puts its dropout masks, eval determinism, and the
quick-preset claims on one seed."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair
from sutskever30.papers import p04_rnn_regularization as p04

PAPER = 4  # the quick fixture (tests/papers/conftest.py) runs this paper


def lstm_inputs(rng, T=4, B=3, I=5, H=4):
    return [
        rng.standard_normal((T, B, I)),
        rng.standard_normal((B, H)),
        rng.standard_normal((B, H)),
        rng.standard_normal((4 * H, I)) * 0.5,
        rng.standard_normal((4 * H, H)) * 0.5,
        rng.standard_normal(4 * H),
        rng.standard_normal(4 * H),
    ]


# --------------------------------------------------------------------------------------
# the pair
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
def test_recurrent_dropout_pair_gradcheck(masked):
    rng = np.random.default_rng(1)
    args = lstm_inputs(rng)
    T, B, _ = args[0].shape
    mask = (rng.random((T, B, 4)) >= 0.5) / 0.5 if masked else None
    err = check_pair(
        p04.lstm_recurrent_dropout_forward,
        p04.lstm_recurrent_dropout_backward,
        [*args, mask],
        wrt=range(7),
        rng=rng,
    )
    assert err < 1e-6


def test_without_mask_it_is_the_engines_lstm():
    rng = np.random.default_rng(2)
    args = lstm_inputs(rng)
    ours, c1 = p04.lstm_recurrent_dropout_forward(*args)
    ref, c2 = P.lstm_forward(*args)
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)
    douts = tuple(rng.standard_normal(o.shape) for o in ours)
    g1 = p04.lstm_recurrent_dropout_backward(douts, c1)
    g2 = P.lstm_backward(douts, c2)
    for a, b in zip(g1[:7], g2):
        np.testing.assert_allclose(a, b, atol=1e-12)
    assert g1[7] is None  # no gradient for the mask


def test_mask_acts_only_on_the_recurrent_input():
    """Step by step with the cell pair: a_t uses m_t ⊙ h_{t−1}; the outputs are unmasked."""
    rng = np.random.default_rng(3)
    x, h, c, W_ih, W_hh, b1, b2 = lstm_inputs(rng)
    mask = (rng.random((4, 3, 4)) >= 0.5) / 0.5
    (out, hT, cT), _ = p04.lstm_recurrent_dropout_forward(x, h, c, W_ih, W_hh, b1, b2, mask)
    for t in range(4):
        (h, c), _ = P.lstm_cell_forward(x[t], h * mask[t], c, W_ih, W_hh, b1, b2)
        np.testing.assert_allclose(out[t], h, atol=1e-13)
    np.testing.assert_allclose(cT, c, atol=1e-13)


def test_bad_mask_shape_is_a_clear_error():
    rng = np.random.default_rng(4)
    args = lstm_inputs(rng)
    with pytest.raises(ValueError, match=r"mask_h has shape \(4, 3, 5\); expected \(T, B, H\) = \(4, 3, 4\)"):
        p04.lstm_recurrent_dropout_forward(*args, mask_h=np.ones((4, 3, 5)))


# --------------------------------------------------------------------------------------
# the model: where the masks go, eval determinism
# --------------------------------------------------------------------------------------


def small_model(variant, p=0.5):
    m = p04.DropoutLSTMLM(9, 6, 2, variant, p, rng=np.random.default_rng(0), dtype=np.float64)
    m.rng = np.random.default_rng(1)
    return m


EXPECTED_SITES = {
    "none": set(),
    "zaremba": {"embed->L1", "L1->L2", "L2->softmax"},
    "naive": {"embed->L1", "L1->L2", "L2->softmax", "h(t-1)->L1", "h(t-1)->L2"},
}


@pytest.mark.parametrize("variant", p04.VARIANTS)
def test_masks_are_applied_exactly_where_the_setting_says(variant):
    m = small_model(variant)
    ids = np.random.default_rng(2).integers(0, 9, (5, 3))
    logits, _ = m(ids, m.zero_state(3))
    assert set(m.last_masks) == EXPECTED_SITES[variant]
    for name, mask in m.last_masks.items():
        assert set(np.unique(mask)) <= {0.0, 2.0}, name  # inverted dropout, p = 0.5
        shape = (5, 3, 6)
        assert mask.shape == shape, name
    if variant != "none":
        # rebuild the forward by hand from the recorded masks: the vertical masks multiply
        # the layer inputs/outputs, the recurrent ones only the copy of h_{t−1} in W_hh h
        M = m.last_masks
        x = m.embed.weight.data[ids] * M["embed->L1"]
        h0 = np.zeros((3, 6))
        for k in range(2):
            W = [getattr(m.lstm, f"{n}_l{k}").data for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            mh = M.get(f"h(t-1)->L{k + 1}")
            (out, _, _), _ = p04.lstm_recurrent_dropout_forward(x, h0, h0, *W, mask_h=mh)
            x = out * M["L1->L2" if k == 0 else "L2->softmax"]
        ref = x.reshape(15, 6) @ m.head.weight.data.T + m.head.bias.data
        np.testing.assert_allclose(logits.data, ref, atol=1e-12)


@pytest.mark.parametrize("variant", p04.VARIANTS)
def test_eval_mode_is_deterministic_and_draws_no_mask(variant):
    m = small_model(variant)
    ids = np.random.default_rng(3).integers(0, 9, (5, 3))
    m.eval()
    a = m(ids, m.zero_state(3))[0].data
    assert m.last_masks == {}
    b = m(ids, m.zero_state(3))[0].data
    np.testing.assert_array_equal(a, b)
    m.train()
    c = m(ids, m.zero_state(3))[0].data
    d = m(ids, m.zero_state(3))[0].data
    if variant == "none":
        np.testing.assert_array_equal(c, a)  # no dropout: train mode = eval mode
    else:
        assert np.abs(c - d).max() > 0  # fresh masks every call


def test_model_gradients_match_central_differences():
    m = small_model("naive")
    ids = np.random.default_rng(4).integers(0, 9, (4, 2))
    y = np.random.default_rng(5).integers(0, 9, 8)
    logits, _ = m(ids, m.zero_state(2))
    masks = dict(m.last_masks)
    nn.cross_entropy(logits, y).backward()
    W = m.lstm.weight_hh_l1

    def loss():  # the same masks replayed
        it = iter(masks.values())
        m._mask = lambda name, shape, dtype: next(it)
        out = nn.cross_entropy(m(ids, m.zero_state(2))[0], y).item()
        del m._mask
        return out

    from sutskever30.nn.gradcheck import numerical_grad

    num = numerical_grad(loss, W.data)
    assert np.linalg.norm(W.grad - num) / (np.linalg.norm(W.grad) + np.linalg.norm(num)) < 1e-7


def test_bad_variant_is_a_clear_error():
    with pytest.raises(ValueError, match="variant must be one of"):
        p04.DropoutLSTMLM(5, 4, 2, "recurrent", 0.5, rng=np.random.default_rng(0))


def test_interleaved_split_is_disjoint_and_spread():
    ids = np.arange(8_000)
    train, val = p04.interleaved_split(ids, 2_000, 500)
    assert len(val) == 2_000 and len(train) == 6_000
    assert not set(train) & set(val)  # no character position in both
    assert val.min() < 2_000 and val.max() >= 6_000  # blocks from the start and the end
    with pytest.raises(ValueError, match="interleaved_split"):
        p04.interleaved_split(ids, 0, 500)


# --------------------------------------------------------------------------------------
# quick preset, one seed
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_same_budget_for_every_setting(quick_result):
    r, cfg = quick_result, p04.Config.quick()
    assert r.metrics["steps"] == {v: cfg.steps for v in p04.VARIANTS}
    for v in p04.VARIANTS:
        assert len(r.histories[f"{v}_val"]) == cfg.steps // cfg.eval_every
    assert set(p04.figures(r)) == {"val", "train_vs_val"}
    assert len(p04.paper_vs_ours(r)) == 3 + 2 * len(p04.VARIANTS)


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(4, "smoke", seed=1), execute(4, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(4, "smoke", seed=2)
    assert c.histories["zaremba_train_loss"] != a.histories["zaremba_train_loss"]
