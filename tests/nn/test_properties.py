"""Property-based tests (hypothesis): broadcasting and reductions on random shapes.

Hand-picked shapes miss the odd cases (size-1 axes in the middle, rank-0 operands, a
reduction over every axis); here hypothesis draws them, and every draw is compared with
central differences in float64 under a random upstream gradient.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, broadcastable_shapes

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)  # same examples on every run
BINARY = [
    (P.add_forward, P.add_backward),
    (P.sub_forward, P.sub_backward),
    (P.mul_forward, P.mul_backward),
    (P.div_forward, P.div_backward),
]


@st.composite
def broadcast_pair(draw):
    shape_a = draw(array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    shape_b = draw(broadcastable_shapes(shape_a, min_dims=0, max_dims=4, min_side=1, max_side=3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape_a)
    b = rng.uniform(0.5, 2.0, shape_b) * rng.choice([-1.0, 1.0], shape_b)  # |b| ≥ 0.5 for div
    return a, b, draw(st.integers(0, len(BINARY) - 1))


@SETTINGS
@given(broadcast_pair())
def test_broadcasting_binary_ops_gradcheck(case):
    a, b, k = case
    fwd, bwd = BINARY[k]
    out, cache = fwd(a, b)
    assert out.shape == np.broadcast_shapes(a.shape, b.shape)
    da, db = bwd(np.ones_like(out), cache)
    assert da.shape == a.shape and db.shape == b.shape  # unbroadcast restores the shapes
    assert check_pair(fwd, bwd, [np.array(a), np.array(b)]) < 1e-6


@st.composite
def reduction_case(draw):
    shape = draw(array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    axes = draw(st.one_of(st.none(), st.lists(st.integers(0, len(shape) - 1), min_size=1, unique=True)))
    keepdims = draw(st.booleans())
    x = np.random.default_rng(draw(st.integers(0, 2**16))).standard_normal(shape)
    return x, None if axes is None else tuple(axes), keepdims


@SETTINGS
@given(reduction_case())
def test_reductions_gradcheck(case):
    x, axis, keepdims = case
    for fwd, bwd in [
        (P.sum_forward, P.sum_backward),
        (P.mean_forward, P.mean_backward),
        (P.max_forward, P.max_backward),
    ]:
        out, _ = fwd(x, axis=axis, keepdims=keepdims)
        np.testing.assert_allclose(out, getattr(np, fwd.__name__.split("_")[0])(x, axis=axis, keepdims=keepdims))
        assert check_pair(fwd, bwd, [x.copy()], dict(axis=axis, keepdims=keepdims)) < 1e-6


@SETTINGS
@given(st.integers(1, 6), st.integers(2, 7), st.floats(0.0, 0.5), st.integers(0, 2**16))
def test_cross_entropy_gradcheck_any_size(N, C, smoothing, seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal(
        (N, C)
    )  # (N, C); larger scales make some p ~ 1e-5, below what central differences resolve to 1e-6
    target = rng.integers(0, C, N)
    target[rng.random(N) < 0.2] = -100  # some ignored rows
    kw = dict(label_smoothing=smoothing)
    assert check_pair(P.cross_entropy_forward, P.cross_entropy_backward, [logits, target], kw) < 1e-6
