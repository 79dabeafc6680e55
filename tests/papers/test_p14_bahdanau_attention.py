"""Paper 14 (Bahdanau attention): uniform attention at init, precomputed U_a h = recomputed,
gradient check of the additive attention (float64, random upstream), teacher forcing =
greedy decoding on the reference path, RNNencdec shares every parameter but uses a fixed
context, task layout, bad input, determinism, and the quick-preset claims."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn.gradcheck import check_pair, numerical_grad, rel_error
from sutskever30.papers import p14_bahdanau_attention as p14


def model64(attention=True, seed=0, vocab=7, hidden=5):
    m = p14.Seq2Seq(vocab, hidden, attention=attention, rng=np.random.default_rng(seed), dtype=np.float64)
    return m


def test_uniform_attention_at_init():
    m = model64()
    x, _ = p14.make_reversal_batch(4, 9, 7, np.random.default_rng(1))
    _, att = m.greedy(x, 5)
    np.testing.assert_array_equal(att, np.full_like(att, 1 / 9))
    m.v_a.data[:] = np.random.default_rng(2).standard_normal(m.v_a.shape)  # control: v_a ≠ 0
    _, att = m.greedy(x, 5)
    assert np.max(np.abs(att - 1 / 9)) > 1e-3


def test_precomputed_Uh_gives_identical_attention_and_gradients():
    m = model64()
    m.v_a.data[:] = np.random.default_rng(3).standard_normal(m.v_a.shape)
    x, y = p14.make_reversal_batch(3, 6, 7, np.random.default_rng(4))
    grads = []
    for pre in (True, False):
        m.zero_grad()
        logits, alphas = m.decode(x, p14.teacher_inputs(y), precompute=pre)
        nn.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
        grads.append({k: p.grad.copy() for k, p in m.named_parameters()})
        if pre:
            ref_logits, ref_alphas = logits.data, alphas
    np.testing.assert_array_equal(logits.data, ref_logits)
    for a, b in zip(alphas, ref_alphas):
        np.testing.assert_array_equal(a, b)
    for k in grads[0]:
        np.testing.assert_allclose(grads[0][k], grads[1][k], rtol=1e-12, atol=1e-14)


def test_additive_attention_gradcheck():
    rng = np.random.default_rng(5)
    B, T, H, A = 3, 4, 2, 3
    arrays = {
        "s_prev": rng.standard_normal((B, H)),
        "Uh": rng.standard_normal((B, T, A)),
        "annotations": rng.standard_normal((B, T, 2 * H)),
        "W_a": rng.standard_normal((A, H)),
        "v_a": rng.standard_normal(A),
    }
    dc, dalpha = rng.standard_normal((B, 2 * H)), rng.standard_normal((B, T))

    def L() -> float:
        c, alpha = p14.additive_attention(*[nn.Tensor(v) for v in arrays.values()])
        return float(np.sum(c.data * dc) + np.sum(alpha.data * dalpha))

    ts = {k: nn.Tensor(v, requires_grad=True) for k, v in arrays.items()}
    c, alpha = p14.additive_attention(*ts.values())
    ((c * nn.Tensor(dc)).sum() + (alpha * nn.Tensor(dalpha)).sum()).backward()
    for k, v in arrays.items():
        assert rel_error(ts[k].grad, numerical_grad(L, v)) < 1e-6, k


def test_fused_attention_pair_check_pair():
    """The fused e/α/c pair against central differences, random upstream gradients on both outputs."""
    rng = np.random.default_rng(11)
    B, T, H, A = 3, 5, 2, 4
    inputs = [
        rng.standard_normal((B, H)),
        rng.standard_normal((B, T, A)),
        rng.standard_normal((B, T, 2 * H)),
        rng.standard_normal((A, H)),
        rng.standard_normal(A),
    ]
    err = check_pair(p14.additive_attention_forward, p14.additive_attention_backward, inputs, rng=rng)
    assert err < 1e-7


def test_attention_weights_sum_to_one_and_context_is_their_average():
    rng = np.random.default_rng(6)
    s, Uh, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 6))
    c, alpha = p14.additive_attention(
        nn.Tensor(s), nn.Tensor(Uh), nn.Tensor(h), nn.Tensor(rng.standard_normal((4, 3))), nn.Tensor(np.ones(4))
    )
    np.testing.assert_allclose(alpha.data.sum(axis=1), 1.0)
    np.testing.assert_allclose(c.data, np.einsum("bj,bjd->bd", alpha.data, h), atol=1e-12)


def test_greedy_equals_teacher_forcing_on_its_own_output():
    """Feeding greedy's own outputs back as teacher inputs reproduces its logits' argmax."""
    for attention in (True, False):
        m = model64(attention, seed=7)
        m.v_a.data[:] = np.random.default_rng(8).standard_normal(m.v_a.shape)
        x, _ = p14.make_reversal_batch(4, 6, 7, np.random.default_rng(9))
        pred, att = m.greedy(x, 6)
        with nn.no_grad():
            logits, alphas = m.decode(x, p14.teacher_inputs(pred))
        np.testing.assert_array_equal(np.argmax(logits.data[:, :, 1:], axis=2) + 1, pred)
        if attention:
            np.testing.assert_allclose(np.stack(alphas, axis=1), att, atol=1e-12)


def test_encdec_shares_code_and_uses_a_fixed_context():
    a, b = model64(True, seed=3), model64(False, seed=3)
    assert [k for k, _ in a.named_parameters()] == [k for k, _ in b.named_parameters()]
    for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.data, q.data)  # same init seed, same weights
    # encdec: the source enters only through s_0 and the fixed vector: U_a, W_a, v_a get no gradient
    x, y = p14.make_reversal_batch(2, 5, 7, np.random.default_rng(0))
    logits, alphas = b.decode(x, p14.teacher_inputs(y))
    nn.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
    assert alphas == [] and b.U_a.grad is None and b.W_a.grad is None


def test_reversal_task_and_bad_input():
    x, y = p14.make_reversal_batch(50, 8, 20, np.random.default_rng(0))
    assert x.shape == y.shape == (50, 8)
    np.testing.assert_array_equal(y, x[:, ::-1])
    assert x.min() >= 1 and x.max() <= 20  # id 0 is the start symbol only
    with pytest.raises(ValueError, match="T >= 1"):
        p14.make_reversal_batch(2, 0, 20, np.random.default_rng(0))
    m = model64()
    with pytest.raises(ValueError, match="x"):
        m.encode(np.array([[1, 2, 99]]))
    with pytest.raises(TypeError, match="integer"):
        m.encode(np.zeros((1, 3)))


def test_spearman():
    assert p14._spearman(np.array([3.0, 2, 1]), np.array([1, 2, 3])) == pytest.approx(-1.0)
    assert p14._spearman(np.array([1.0, 1, 2]), np.array([1, 2, 3])) == pytest.approx(np.sqrt(3) / 2)


def tiny_config() -> p14.Config:
    return p14.Config(vocab=6, hidden=8, train_min=2, train_max=4, test_max=5, steps=4, batch=4, n_eval=5)


def test_same_seed_same_numbers_and_figures():
    a, b = p14.run(tiny_config(), seed=1), p14.run(tiny_config(), seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    assert p14.run(tiny_config(), seed=2).histories != a.histories
    assert len(p14.claims(a)) == 5
    assert {"accuracy_vs_length", "alignment_example", "alignment_mean"} <= set(p14.figures(a))


@pytest.fixture(scope="module")
def quick_result():
    return p14.run(p14.Config.quick(), seed=0)


NOT_YET = ("≥ 90% at length", "mirror source position")  # fail on some or all seeds 0-4, see the module docstring


@pytest.mark.slow
def test_quick_claims(quick_result):
    found = p14.claims(quick_result)
    failed = [(c.statement, c.measured) for c in found if not c.passed and not any(s in c.statement for s in NOT_YET)]
    assert not failed, failed


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="seeds 0-4: RNNsearch 0.78-0.91 at length 16, mirror mass 0.43-0.51")
def test_quick_claims_not_yet_reproduced(quick_result):
    found = [c for c in p14.claims(quick_result) if any(s in c.statement for s in NOT_YET)]
    assert len(found) == 2 and all(c.passed for c in found)
