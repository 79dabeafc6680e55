"""Large products cut into blocks: the same bits on any number of threads, and a @ b."""

import itertools

import numpy as np
import pytest

from sutskever30 import nn, sweep
from sutskever30.nn import parallel
from sutskever30.nn.parallel import ALIGN, MIN_WORK, blocks, mm


@pytest.fixture
def two_threads():
    parallel.set_num_threads(2)
    yield
    parallel.set_num_threads(1)


# (m, k, n) from just over MIN_WORK to ~100M multiply-adds: rows and
# columns cut, edges on and off ALIGN, k within and beyond OpenBLAS's k-panel
SIZES = [1, 17, 32, 100, 128, 256, 500, 1024, 2048]
SHAPES = sorted(
    (m, k, n)
    for m, k, n in itertools.product(SIZES, [9, 64, 144, 256, 784, 1024], SIZES)
    if MIN_WORK <= m * n * k <= 1.2e8
)


def _layout(rng, shape, dtype, transposed):
    """A (rows, cols) matrix stored as given or as the transpose of a contiguous one."""
    rows, cols = shape
    data = rng.standard_normal((cols, rows) if transposed else (rows, cols)).astype(dtype)
    return data.T if transposed else data


TOL = {np.float32: {"rtol": 1e-4, "atol": 1e-3}, np.float64: {"rtol": 1e-10, "atol": 1e-9}}


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_bits_do_not_depend_on_the_thread_count(dtype):
    """Each block is one BLAS call whichever thread runs it; and the blocks make a @ b."""
    rng = np.random.default_rng(0)
    cut = 0
    for i, (m, k, n) in enumerate(SHAPES):
        ta, tb = divmod(i % 4, 2)  # the four layouts in turn
        a, b = _layout(rng, (m, k), dtype, ta), _layout(rng, (k, n), dtype, tb)  # (m, k), (k, n)
        where = f"{(m, k, n)} {dtype.__name__} transposed={ta, tb}"
        outs = []
        for threads in (1, 2, 3):
            parallel.set_num_threads(threads)
            outs.append(mm(a, b))  # (m, n)
        parallel.set_num_threads(1)
        for out in outs[1:]:
            np.testing.assert_array_equal(out, outs[0], err_msg=where)
        np.testing.assert_allclose(outs[0], a @ b, **TOL[dtype], err_msg=where)  # only rounding differs
        cut += len(blocks(m, n, k)[1]) > 1
    assert cut >= 80  # the grid really exercises cutting, not just the whole-call path


def test_a_cut_product_is_its_blocks_one_call_each(two_threads):
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((1000, 100)), rng.standard_normal((100, 500))  # (m, k), (k, n)
    axis, parts = blocks(1000, 500, 100)
    assert axis == 0 and len(parts) == 4
    np.testing.assert_array_equal(mm(a, b), np.concatenate([a[s] @ b for s in parts]))


@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((16, 4, 128, 64), (16, 4, 64, 128)),  # attention scores: batch and heads
        ((8, 256, 128), (128, 512)),  # a batch times one matrix
        ((256, 128), (8, 128, 512)),  # one matrix times a batch
        ((3, 256, 128), (1, 128, 512)),  # broadcast first axis: run whole
    ],
)
def test_batched_products_are_cut_by_matrices_with_the_same_bits(two_threads, a_shape, b_shape):
    rng = np.random.default_rng(1)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    np.testing.assert_array_equal(mm(a, b), a @ b)


@pytest.mark.parametrize("m, k, n", [(4096, 64, 64), (64, 256, 4096), (300, 700, 200), (1000, 9, 2048)])
def test_blocks_cover_the_output_once_at_aligned_edges(m, k, n):
    axis, parts = blocks(m, n, k)
    side = m if axis == 0 else n
    assert parts[0].start == 0 and parts[-1].stop == side
    assert all(p.stop == q.start for p, q in itertools.pairwise(parts))
    assert all(p.start % ALIGN == 0 and p.stop - p.start >= ALIGN // 2 for p in parts)
    assert 1 < len(parts) <= parallel.MAX_BLOCKS


def test_small_products_are_never_cut():
    assert len(blocks(32, 1024, 256)[1]) == 1  # an LSTM step: 8.4M multiply-adds


def _train_step(threads: int) -> list[np.ndarray]:
    """One step of an LSTM, an attention block and a conv layer, large enough to be cut."""
    parallel.set_num_threads(threads)
    rng = np.random.default_rng(0)
    lstm = nn.LSTM(64, 256, rng=rng)
    attn = nn.MultiheadAttention(256, 4, rng=rng)
    conv = nn.Conv2d(16, 32, 3, padding=1, rng=rng)
    x = nn.Tensor(rng.standard_normal((64, 32, 64)).astype(np.float32))  # (T, B, I)
    img = nn.Tensor(rng.standard_normal((64, 16, 28, 28)).astype(np.float32))  # (N, C, H, W)
    h, _ = lstm(x)  # (T, B, H)
    a, _ = attn(h, h, h)  # (T, B, H)
    loss = (a * nn.Tensor(rng.standard_normal(a.shape).astype(np.float32))).sum()
    loss = loss + (conv(img) * nn.Tensor(rng.standard_normal((64, 32, 28, 28)).astype(np.float32))).sum()
    loss.backward()
    parallel.set_num_threads(1)
    return [p.grad for m in (lstm, attn, conv) for p in m.parameters()]


def test_a_training_step_has_the_same_gradients_on_two_threads():
    for g1, g2 in zip(_train_step(1), _train_step(2), strict=True):
        np.testing.assert_array_equal(g1, g2)


def test_a_run_backend_sets_the_product_threads_and_restores_them():
    assert nn.get_num_threads() == 1
    with sweep.backend(jobs=2):
        assert nn.get_num_threads() == 2
        with sweep.backend(jobs=1):  # a sweep's task inside a run: one thread
            assert nn.get_num_threads() == 1
        assert nn.get_num_threads() == 2
    assert nn.get_num_threads() == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, None])
def test_set_num_threads_rejects_anything_but_a_positive_int(bad):
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        nn.set_num_threads(bad)
