"""Paper 27 (multi-token prediction): quick-preset claims on one seed; the summed loss equals the
per-head cross-entropies against the shifted targets; self-speculative decoding equals greedy
decoding and accepts exactly what a scripted drafter says it should; determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p27_multi_token_prediction as p27

PAPER = 27  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick):
    r = quick[0]
    assert r.metrics["n_eval_positions"] >= 50_000
    assert len(r.histories["mtp_loss"]) == len(r.histories["ntp_loss"]) == p27.Config.quick().steps
    assert {"training_loss", "head_offset_accuracy", "acceptance"} <= set(p27.figures(r))


def test_windows_shift_targets():
    ids = np.arange(100)
    x, Y = p27.windows(ids, np.array([0, 7]), 5, 4)
    np.testing.assert_array_equal(x[1], [7, 8, 9, 10, 11])
    np.testing.assert_array_equal(Y[1], [12, 13, 14, 15])  # Y[:, i-1] = x_{t+i}


def test_mtp_loss_is_the_sum_of_shifted_cross_entropies():
    rng = np.random.default_rng(0)
    V, L, n = 11, 6, 3
    model = p27.MultiTokenMLP(V, L, n, rng, emb=4, d=8).double()
    x, Y = rng.integers(0, V, (9, L)), rng.integers(0, V, (9, n))
    loss = p27.mtp_loss(model, x, Y).item()
    # by hand in NumPy: trunk, head i, shared unembedding, log-softmax
    W = {k: v for k, v in model.state_dict().items()}
    relu = lambda a: np.maximum(a, 0)  # noqa: E731
    e = W["embed.weight"][x].reshape(9, -1)
    z = relu(relu(e @ W["fc1.weight"].T + W["fc1.bias"]) @ W["fc2.weight"].T + W["fc2.bias"])
    total = 0.0
    for i in range(n):
        u = relu(z @ W[f"heads.{i}.weight"].T + W[f"heads.{i}.bias"]) @ W["unembed.weight"].T + W["unembed.bias"]
        logp = u - np.log(np.exp(u - u.max(1, keepdims=True)).sum(1, keepdims=True)) - u.max(1, keepdims=True)
        total += -logp[np.arange(9), Y[:, i]].mean()
    assert abs(loss - total) < 1e-10
    # permuting head 2's targets changes the loss: heads are tied to their own offsets
    Y2 = Y.copy()
    Y2[:, 1] = Y[::-1, 1]
    assert abs(p27.mtp_loss(model, x, Y2).item() - loss) > 1e-6


class ScriptedModel:
    """A stand-in with the decoder's interface: head 1's greedy next token is (last + 1) mod V;
    head i drafts (last + i) mod V, except heads listed in ``wrong``, which draft a wrong token."""

    def __init__(self, V: int = 13, L: int = 4, n: int = 4, wrong: tuple[int, ...] = ()):
        self.V, self.context, self.n_heads, self.wrong, self.calls = V, L, n, wrong, 0

    def all_heads(self, x: np.ndarray) -> np.ndarray:
        self.calls += 1
        last = x[:, -1]  # (B,)
        out = np.zeros((len(x), self.n_heads, self.V))
        for i in range(self.n_heads):
            tok = (last + i + 1 + (1 if i in self.wrong else 0)) % self.V
            out[np.arange(len(x)), i, tok] = 1.0
        return out


@pytest.mark.parametrize("wrong, per_call", [((), 4), ((2,), 2), ((1,), 1)])
def test_speculative_accepts_the_longest_agreeing_prefix(wrong, per_call):
    model = ScriptedModel(wrong=wrong)
    prompt = np.array([3, 1, 4, 1])
    greedy, calls_g = p27.greedy_decode(model, prompt, 24)
    model.calls = 0
    spec, calls_s, accepted = p27.speculative_decode(model, prompt, 24)
    np.testing.assert_array_equal(greedy, spec)
    np.testing.assert_array_equal(greedy, (1 + np.arange(1, 25)) % 13)
    assert calls_g == 24
    assert set(accepted) == {per_call}
    assert calls_s == model.calls == 1 + 24 // per_call
    ids = np.arange(40) % 13
    acc = p27.teacher_forced_acceptance(ScriptedModel(wrong=wrong), ids, np.arange(10))
    np.testing.assert_array_equal(acc, per_call)


def test_speculative_equals_greedy_on_a_real_untrained_model():
    rng = np.random.default_rng(1)
    model = p27.MultiTokenMLP(20, 8, 4, rng, emb=4, d=16)
    for s in range(3):
        prompt = np.random.default_rng(s).integers(0, 20, 8)
        g, _ = p27.greedy_decode(model, prompt, 40)
        sp, calls, acc = p27.speculative_decode(model, prompt, 40)
        np.testing.assert_array_equal(g, sp)
        assert sum(acc) >= 40 and calls == len(acc) + 1


def test_all_heads_matches_forward_and_heads_differ():
    rng = np.random.default_rng(2)
    model = p27.MultiTokenMLP(15, 5, 3, rng, emb=4, d=8)
    x = rng.integers(0, 15, (6, 5))
    H = model.all_heads(x)
    assert H.shape == (6, 3, 15)
    np.testing.assert_allclose(H[:, 1], model(x)[1].data, rtol=1e-6)
    assert np.abs(H[:, 0] - H[:, 1]).max() > 1e-3  # independent heads, not copies
    ntp = p27.MultiTokenMLP(15, 5, 1, np.random.default_rng(2), emb=4, d=8)
    np.testing.assert_array_equal(ntp.fc1.weight.data, model.fc1.weight.data)  # same trunk init


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(27, "smoke", seed=1), execute(27, "smoke", seed=1)
    keep = lambda m: {k: v for k, v in m.items() if "wallclock" not in k}  # noqa: E731
    assert keep(a.metrics) == keep(b.metrics) and a.histories == b.histories
    c, _ = execute(27, "smoke", seed=2)
    assert c.histories["mtp_loss"] != a.histories["mtp_loss"]


def test_gradients_reach_every_head():
    rng = np.random.default_rng(3)
    model = p27.MultiTokenMLP(10, 4, 4, rng, emb=3, d=8)
    x, Y = rng.integers(0, 10, (16, 4)), rng.integers(0, 10, (16, 4))
    p27.mtp_loss(model, x, Y).backward()
    for i in range(4):
        assert np.abs(model.heads[i].weight.grad).sum() > 0
    assert isinstance(model.trunk(x), nn.Tensor)
