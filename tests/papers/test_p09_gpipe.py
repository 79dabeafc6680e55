"""Paper 9 (GPipe): quick claims on one seed; the executor really calls the stages and its
schedule is GPipe's; pipelined = full-batch = autograd gradients; the allocator counts what
it is given; the bubble formula; determinism."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p09_gpipe as p09

PAPER = 9  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


def small(seed=0, L=6, width=16, N=24):
    rng = np.random.default_rng(seed)
    return p09.make_mlp(L, width, rng), rng.standard_normal((N, 64)), rng.integers(0, 10, N)


def test_full_batch_gradients_equal_the_autograd_tape():
    layers, X, y = small()
    loss, grads = p09.full_batch_grads(p09.copy_layers(layers), X, y)
    mods = []
    for lay in layers:
        lin = nn.Linear(lay.W.shape[1], lay.W.shape[0], rng=np.random.default_rng(0)).double()
        lin.weight.data[...], lin.bias.data[...] = lay.W, lay.b
        mods += [lin] + ([nn.ReLU()] if lay.relu else [])
    net = nn.Sequential(*mods)
    out = nn.cross_entropy(net(nn.Tensor(X)), y)
    out.backward()
    assert abs(out.item() - loss) < 1e-12
    tape = [g for lin in mods if isinstance(lin, nn.Linear) for g in (lin.weight.grad, lin.bias.grad)]
    for a, b in zip(grads, tape):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("K,M,remat", [(1, 1, False), (2, 3, True), (3, 4, False), (6, 8, True)])
def test_pipelined_gradients_equal_full_batch(K, M, remat):
    layers, X, y = small()
    _, g_full = p09.full_batch_grads(p09.copy_layers(layers), X, y)
    pipe = p09.Pipeline(p09.copy_layers(layers), K, remat=remat)
    pipe.step(X, y, M)
    assert p09.max_rel_diff(pipe.grads(), g_full) < 1e-12
    # a forward per layer per micro-batch, twice with re-materialization
    assert {lay.n_forward for lay in pipe.layers} == {M * (2 if remat else 1)}


@pytest.mark.parametrize("K,M", [(2, 1), (3, 4), (4, 8), (5, 3)])
def test_schedule_is_gpipe_fill_drain(K, M):
    layers, X, y = small(L=10, N=24 if 24 % M == 0 else 8 * M)
    X, y = X[: 24 // M * M], y[: 24 // M * M]
    _, log = p09.Pipeline(layers, K, remat=True).step(X, y, M)
    assert p09.check_schedule(log, K, M)
    assert max(t for t, *_ in log) + 1 == 3 * (M + K - 1)
    assert p09.bubble_fraction(log, K) == Fraction(K - 1, M + K - 1)
    # stage 0's first forward at tick 0, the last stage's at K − 1; the first backward right after the last forward
    first = {(op, k, m): t for t, k, m, op in sorted(log, reverse=True)}
    assert first[("F", 0, 0)] == 0 and first[("F", K - 1, 0)] == K - 1
    assert first[("B", K - 1, M - 1)] == M + K - 1


def test_check_schedule_catches_a_broken_log():
    layers, X, y = small(L=8)
    _, log = p09.Pipeline(layers, 4, remat=False).step(X, y, 4)
    swapped = [(t, k, m, op) if (k, m, op) != (2, 1, "F") else (t - 3, k, m, op) for t, k, m, op in log]
    assert not p09.check_schedule(swapped, 4, 4)


def test_allocator_counts_views_once_and_skips_parameters():
    W = np.zeros((4, 4))
    mem = p09.ActivationMemory([W])
    x = np.zeros((10, 8))
    mem.hold(("a",), (x, x[:5], x.reshape(80), W))
    assert mem.current == x.nbytes
    mem.hold(("b",), [np.zeros(3, dtype=bool)])
    assert mem.current == x.nbytes + 3 and mem.peak == x.nbytes + 3
    mem.release(("a",))
    assert mem.current == 3 and mem.peak == x.nbytes + 3


@pytest.mark.parametrize("K,M", [(2, 2), (4, 4), (4, 8)])
def test_memory_matches_the_formula(K, M):
    layers, X, y = small(L=8, width=32, N=32)
    for remat in (True, False):
        pipe = p09.Pipeline(p09.copy_layers(layers), K, remat=remat)
        pipe.step(X, y, M)
        for s, r in zip(pipe.stages, pipe.parts):
            assert s.memory.peak == p09.predicted_peak_bytes(pipe.layers, r, 32, M, remat)
            assert s.memory.current == 0  # everything released after the step


def test_real_pipeline_matches_the_simulation():
    layers, X, y = small(L=6, width=16, N=16)
    grads, seconds, backend = p09.real_pipeline(p09.copy_layers(layers), 2, 4, X, y, steps=1, remat=True)
    sim = p09.Pipeline(p09.copy_layers(layers), 2, remat=True)
    sim.step(X, y, 4)
    assert backend == "processes" and seconds > 0
    assert p09.max_rel_diff(grads, sim.grads()) == 0.0


def test_bad_arguments():
    with pytest.raises(ValueError, match="K must be"):
        p09.partition(4, 5)
    layers, X, y = small()
    with pytest.raises(ValueError, match="micro-batches"):
        p09.Pipeline(layers, 2, remat=True).step(X, y, 5)


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(9, "smoke", seed=1), execute(9, "smoke", seed=1)
    drop = ("real_seconds_per_step", "serial_seconds_per_step", "real_speedup")
    strip = lambda m: {k: v for k, v in m.items() if k not in drop}  # noqa: E731  (timings)
    assert strip(a.metrics) == strip(b.metrics) and a.histories == b.histories
    c, _ = execute(9, "smoke", seed=2)
    assert c.histories["train_loss"] != a.histories["train_loss"]
