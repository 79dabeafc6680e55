"""Paper 13 (Attention Is All You Need): the quick-preset claims on one seed, the data,
the masks, the attention module against the engine's MultiheadAttention, a float64
gradient check of the whole encoder-decoder, the probes, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.nn.gradcheck import directional_check
from sutskever30.papers import p13_transformer as p13

PAPER = 13  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    found = quick[1]
    assert len(found) == 8
    failed = [(c.statement, c.measured) for c in found if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r = quick_result
    cfg = p13.Config.quick()
    for task in p13.TASKS:
        for kind in p13.MODELS:
            loss = r.histories[f"{task}_{kind}_loss"]
            assert len(loss) == (cfg.steps_reverse if task == "reverse" else cfg.steps_sort)
            assert np.mean(loss[-20:]) < np.mean(loss[:20])  # every model learned something
    figs = p13.figures(r)
    assert {"attention_reverse", "attention_sort", "scaling_probe", "exact_match"} <= set(figs)


# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("task", ["reverse", "sort"])
def test_make_batch_targets(task):
    b = p13.make_batch(task, 50, np.random.default_rng(0), 3, 9, 20)
    for src, tin, tout, L in zip(b["src"], b["tgt_in"], b["tgt_out"], b["lengths"]):
        x = src[:L]
        assert (x >= p13.N_SPECIAL).all() and (src[L:] == p13.PAD).all()
        y = x[::-1] if task == "reverse" else np.sort(x)
        assert list(tout[:L]) == list(y) and tout[L] == p13.EOS and (tout[L + 1 :] == p13.IGNORE).all()
        assert tin[0] == p13.BOS and list(tin[1 : L + 1]) == list(y)  # teacher forcing: shifted right
        if task == "sort":
            assert len(set(x)) == L  # distinct symbols


def test_make_batch_bad_input():
    with pytest.raises(ValueError, match="task"):
        p13.make_batch("copy", 4, np.random.default_rng(0), 3, 5, 20)
    with pytest.raises(ValueError, match="min_len"):
        p13.make_batch("sort", 4, np.random.default_rng(0), 3, 30, 20)


def test_exact_match_ignores_tokens_after_eos():
    tgt = np.array([[5, 6, p13.EOS, p13.IGNORE], [5, 6, p13.EOS, p13.IGNORE]])
    pred = np.array([[5, 6, p13.EOS, 9], [5, 7, p13.EOS, 9]])
    assert list(p13.exact_match(pred, tgt)) == [True, False]


# --------------------------------------------------------------------------------------
# the model's pieces
# --------------------------------------------------------------------------------------


def test_positional_encoding_formula():
    pe = p13.positional_encoding(10, 16)
    pos, i = 7, 3
    assert pe[pos, 2 * i] == pytest.approx(np.sin(pos / 10000 ** (2 * i / 16)))
    assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(pos / 10000 ** (2 * i / 16)))


def test_multi_head_attention_equals_engine_module():
    """Our explicit W_Q/W_K/W_V/W_O attention = nn.MultiheadAttention with the same weights."""
    rng = np.random.default_rng(0)
    D, h, B, Tq, Tk = 16, 4, 3, 5, 7
    ours = p13.MultiHeadAttention(D, h, rng=rng).double()
    ref = nn.MultiheadAttention(D, h, batch_first=True, rng=rng).double()
    ref.in_proj_weight.data[...] = np.concatenate([ours.W_Q.weight.data, ours.W_K.weight.data, ours.W_V.weight.data])
    ref.in_proj_bias.data[...] = np.concatenate([ours.W_Q.bias.data, ours.W_K.bias.data, ours.W_V.bias.data])
    ref.out_proj.weight.data[...] = ours.W_O.weight.data
    ref.out_proj.bias.data[...] = ours.W_O.bias.data
    xq, xkv = rng.standard_normal((B, Tq, D)), rng.standard_normal((B, Tk, D))
    pad = np.zeros((B, Tk), dtype=bool)
    pad[0, 4:] = True
    out = ours(nn.Tensor(xq), nn.Tensor(xkv), (~pad)[:, None, None, :])
    out_ref, w_ref = ref(nn.Tensor(xq), nn.Tensor(xkv), nn.Tensor(xkv), key_padding_mask=pad)
    np.testing.assert_allclose(out.data, out_ref.data, atol=1e-12)
    np.testing.assert_allclose(ours.attn.mean(axis=1), w_ref.data, atol=1e-12)
    assert np.all(ours.attn[0, :, :, 4:] == 0)  # padded keys get no weight


def _tiny_model(rng, **kw):
    return p13.Transformer(3 + 6, 8, 2, 12, 2, 6, rng=rng, **kw).double()


def test_transformer_gradient_check_float64():
    """Every parameter of a 2+2-layer model at once, along random directions, with a random
    upstream gradient on the logits (not a plain sum)."""
    rng = np.random.default_rng(1)
    model = _tiny_model(rng)
    b = p13.make_batch("reverse", 3, rng, 2, 5, 6)
    params = list(model.parameters())
    logits = model(b["src"], b["tgt_in"])
    dout = rng.standard_normal(logits.shape)
    logits.backward(dout)
    grads = [p.grad for p in params]

    def f(*arrays):
        saved = [p.data for p in params]
        for p, a in zip(params, arrays):
            p.data = a
        with nn.no_grad():
            out = model(b["src"], b["tgt_in"]).data
        for p, a in zip(params, saved):
            p.data = a
        return out

    err = directional_check(f, grads, [p.data.copy() for p in params], dout, rng=rng, n_dirs=4)
    assert err < 1e-6


def test_causal_mask_invariance_and_its_control():
    rng = np.random.default_rng(2)
    model = p13.Transformer(3 + 10, 16, 4, 32, 1, 8, rng=rng)
    data = p13.make_batch("reverse", 8, rng, 3, 8, 10)
    probe = p13.causal_probe(model, data, rng)
    assert probe["bit_identical"] and probe["max_abs_diff_causal"] == 0.0
    assert probe["max_abs_diff_no_mask"] > 1e-3  # the test can fail: without the mask it does


def test_encoder_without_positions_is_permutation_equivariant():
    """Why reversal must collapse without encoder PE: permuting the source permutes the
    memory and leaves the decoder's output unchanged."""
    rng = np.random.default_rng(3)
    model = _tiny_model(rng, src_positions=False)
    src = np.array([[4, 5, 6, 7, 8, 3]])
    perm = np.array([[5, 2, 0, 4, 1, 3]])
    tgt_in = np.array([[p13.BOS, 4, 5]])
    a = model(src, tgt_in).data
    b = model(np.take_along_axis(src, perm, axis=1), tgt_in).data
    np.testing.assert_allclose(a, b, atol=1e-12)
    with_pe = _tiny_model(np.random.default_rng(3))
    assert np.abs(with_pe(src, tgt_in).data - with_pe(np.take_along_axis(src, perm, axis=1), tgt_in).data).max() > 1e-3


def test_zero_output_cuts_the_source():
    rng = np.random.default_rng(4)
    model = _tiny_model(rng)
    for layer in model.decoder:
        layer.cross_attn.zero_output = True
    tgt_in = np.array([[p13.BOS, 4, 5]])
    a = model(np.array([[4, 5, 6, 0, 0, 0]]), tgt_in).data
    b = model(np.array([[7, 3, 8, 6, 5, 0]]), tgt_in).data
    np.testing.assert_array_equal(a, b)


def test_mirror_mass_on_a_perfect_anti_diagonal():
    B, h, T, S = 2, 3, 6, 5
    lengths = np.array([5, 3])
    attn = np.full((B, h, T, S), 1 / S)
    for b, L in enumerate(lengths):
        for i in range(L):
            attn[b, 1, i] = 0
            attn[b, 1, i, L - 1 - i] = 1
    m = p13.mirror_mass(attn, lengths)
    assert m[1] == pytest.approx(1.0) and m[0] == pytest.approx(1 / S)


def test_scaling_probe_saturates_without_scale():
    out = p13.attention_entropy_probe((4, 64, 256), Tq=4, Tk=10, n=32, rng=np.random.default_rng(0))
    # with 1/√d_k the entropy does not depend on d_k; without it, it falls as d_k grows
    assert max(out["entropy_scaled"]) - min(out["entropy_scaled"]) < 0.2
    assert out["entropy_unscaled"][0] > out["entropy_unscaled"][1] > out["entropy_unscaled"][2]
    assert out["grad_unscaled"][2] < out["grad_scaled"][2]


def test_gru_baseline_greedy_matches_teacher_forcing():
    """The step-by-step greedy decoder runs the same GRU as the sequence pair in training."""
    rng = np.random.default_rng(5)
    model = p13.GRUSeq2Seq(3 + 6, 5, 7, rng=rng).double()
    src = np.array([[4, 5, 6, 0], [7, 8, 3, 6]])
    pred = model.greedy(src, 4)  # (B, 4)
    tgt_in = np.concatenate([np.full((2, 1), p13.BOS), pred[:, :-1]], axis=1)
    logits = model(src, tgt_in).data  # (B, 4, V)
    np.testing.assert_array_equal(logits.argmax(-1), pred)


def test_training_ends_on_the_average_of_the_last_checkpoints():
    """§6.1 checkpoint averaging: a 6-step run with n_avg=3, avg_every=2 ends on the mean of
    the weights after steps 2, 4 and 6 (runs of 2, 4, 6 steps with the last weights, n_avg=1;
    the schedule does not depend on the total number of steps, so they share their prefix)."""
    c = p13.Config.smoke()

    def trained(steps, n_avg):
        c.n_avg, c.avg_every = n_avg, 2
        model = p13.Transformer(p13.N_SPECIAL + c.n_symbols, 8, 2, 12, 1, c.max_len, rng=np.random.default_rng(7))
        p13.train_model(model, "reverse", steps, c, np.random.default_rng(8), desc="t")
        return [p.data for p in model.parameters()]

    averaged = trained(6, 3)
    last = [trained(k, 1) for k in (2, 4, 6)]
    assert any(np.abs(a - b).max() > 1e-4 for a, b in zip(last[0], last[2]))  # the weights did move
    for j, a in enumerate(averaged):
        np.testing.assert_allclose(a, (last[0][j] + last[1][j] + last[2][j]) / 3, rtol=1e-5, atol=1e-6)
    assert averaged[0].dtype == np.float32


def test_average_checkpoints_needs_one():
    with pytest.raises(ValueError, match="checkpoint"):
        p13.average_checkpoints([], [])


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(13, "smoke", seed=3), execute(13, "smoke", seed=3)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(13, "smoke", seed=4)
    assert c.histories["reverse_transformer_loss"] != a.histories["reverse_transformer_loss"]


def test_bad_source_ids():
    model = _tiny_model(np.random.default_rng(0))
    data = p13.make_batch("reverse", 2, np.random.default_rng(0), 2, 6, 6)
    data["src"][0, 0] = 99
    with pytest.raises(ValueError, match="src"):
        p13.evaluate(model, data)
