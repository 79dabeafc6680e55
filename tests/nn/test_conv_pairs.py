"""Convolution, pooling and normalisation pairs: gradient checks (float64, random upstream
gradients, rel. error < 1e-6), a loop-by-loop conv2d reference, semantics (ties, NaN,
running statistics, dtypes) and bad-input messages."""

import numpy as np
import pytest

from sutskever30.nn import pairs as P
from sutskever30.nn.gradcheck import check_pair

TOL = 1e-6


def r(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# --------------------------------------------------------------------------------------
# gradient checks
# --------------------------------------------------------------------------------------

CONV2D = {  # name: (x shape, w shape, options)
    "plain": ((2, 2, 5, 5), (3, 2, 3, 3), {}),
    "stride2_pad1": ((2, 2, 6, 5), (3, 2, 3, 3), dict(stride=2, padding=1)),
    "dilation2": ((1, 2, 7, 7), (3, 2, 3, 3), dict(dilation=2, padding=2)),
    "non_square_all_pairs": (
        (1, 2, 7, 8),
        (3, 2, 2, 3),
        dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
    ),
    "kernel_1x1": ((2, 3, 4, 4), (2, 3, 1, 1), {}),
    "stride_gt_kernel": ((1, 2, 7, 7), (2, 2, 2, 2), dict(stride=3, padding=1)),
}


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", CONV2D)
def test_conv2d_gradcheck(name, bias):
    xs, ws, opts = CONV2D[name]
    inputs = [r(*xs, seed=1), r(*ws, seed=2), r(ws[0], seed=3) if bias else None]
    assert check_pair(P.conv2d_forward, P.conv2d_backward, inputs, opts) < TOL
    out, cache = P.conv2d_forward(*inputs, **opts)
    grads = P.conv2d_backward(np.ones_like(out), cache)
    assert len(grads) == 3 and (grads[2] is None) == (not bias)


@pytest.mark.parametrize("name", CONV2D)
def test_conv2d_backward_without_input_grad(name):
    """input_grad=False (the first layer's data) returns dx as None and the same dw, db."""
    xs, ws, opts = CONV2D[name]
    out, cache = P.conv2d_forward(r(*xs, seed=1), r(*ws, seed=2), r(ws[0], seed=3), **opts)
    dout = r(*out.shape, seed=4)
    dx, dw, db = P.conv2d_backward(dout, cache)
    none, dw2, db2 = P.conv2d_backward(dout, cache, input_grad=False)
    assert dx is not None and none is None
    np.testing.assert_array_equal(dw2, dw)
    np.testing.assert_array_equal(db2, db)
    x1 = r(2, 3, 9, seed=1)
    out, cache = P.conv1d_forward(x1, r(4, 3, 3, seed=2), None, padding=1)
    none, dw1, db1 = P.conv1d_backward(r(*out.shape, seed=4), cache, input_grad=False)
    assert none is None and db1 is None and dw1.shape == (4, 3, 3)


@pytest.mark.parametrize("opts", [{}, dict(stride=2, padding=1), dict(dilation=2, padding=2), dict(stride=(3,))])
def test_conv1d_gradcheck(opts):
    inputs = [r(2, 3, 9, seed=1), r(4, 3, 3, seed=2), r(4, seed=3)]
    assert check_pair(P.conv1d_forward, P.conv1d_backward, inputs, opts) < TOL
    out, _ = P.conv1d_forward(*inputs, **opts)
    assert out.ndim == 3


POOL = {  # name: (x shape, options)
    "k2": ((2, 2, 4, 6), dict(kernel_size=2)),
    "k3_s2_overlap": ((2, 2, 7, 8), dict(kernel_size=3, stride=2)),
    "k3_s1_pad1": ((1, 2, 5, 6), dict(kernel_size=3, stride=1, padding=1)),
    "non_square": ((1, 2, 6, 7), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1))),
    "ragged_edge": ((1, 2, 7, 7), dict(kernel_size=2)),  # last row/column not covered
    "stride_gt_kernel": ((1, 2, 8, 8), dict(kernel_size=2, stride=3, padding=1)),  # gaps between windows
}


@pytest.mark.parametrize("name", POOL)
@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d"])
def test_pool_gradcheck(op, name):
    xs, opts = POOL[name]
    fwd, bwd = getattr(P, f"{op}_forward"), getattr(P, f"{op}_backward")
    assert check_pair(fwd, bwd, [r(*xs, seed=4)], opts) < TOL


@pytest.mark.parametrize(
    "opts",
    [dict(kernel_size=3, stride=2), dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=(3, 2), stride=(2, 1))],
)
def test_overlapping_max_pool_backward_equals_the_tap_loop_bit_for_bit(opts):
    """The scatter-add sums a pixel's gradients from several windows in kernel-offset
    order, as adding the taps one by one does: float32 results identical, bit for bit
    (inputs with many ties, so pixels are the max of up to 4 windows)."""
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, (3, 4, 11, 10)).astype(np.float32)  # (N, C, H, W), many ties
    out, cache = P.max_pool2d_forward(x, **opts)
    dout = rng.standard_normal(out.shape).astype(np.float32)  # (N, C, Ho, Wo)
    arg, _, xp_shape, (kh, kw), (sh, sw), (ph, pw) = cache
    Ho, Wo = out.shape[2:]
    want = np.zeros(xp_shape, np.float32)  # (N, C, Hp, Wp)
    hits = np.zeros(xp_shape, int)  # how many windows chose each pixel
    for i in range(kh):
        for j in range(kw):
            tap = (slice(None), slice(None), slice(i, i + sh * (Ho - 1) + 1, sh), slice(j, j + sw * (Wo - 1) + 1, sw))
            want[tap] += dout * (arg == i * kw + j)
            hits[tap] += arg == i * kw + j
    assert hits.max() >= 3  # the summation order matters only from three terms on
    want = want[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]]
    got = P.max_pool2d_backward(dout, cache)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("shape,S", [((3, 5), (5,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm_gradcheck(shape, S, affine):
    if affine:
        inputs = [r(*shape, seed=1), 1 + 0.5 * r(*S, seed=2), r(*S, seed=3)]
        opts = {}
    else:
        inputs, opts = [r(*shape, seed=1), None, None], dict(normalized_shape=S)
    assert check_pair(P.layer_norm_forward, P.layer_norm_backward, inputs, opts) < TOL
    out, _ = P.layer_norm_forward(*inputs, **opts)
    axes = tuple(range(len(shape) - len(S), len(shape)))
    if not affine:  # normalised: zero mean, unit (biased) variance over the last len(S) axes
        np.testing.assert_allclose(out.mean(axis=axes), 0, atol=1e-12)
        np.testing.assert_allclose(out.var(axis=axes), 1, rtol=1e-3)


BN_SHAPES = [(6, 3), (4, 3, 5), (3, 2, 3, 4)]


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_train_gradcheck(shape):
    C = shape[1]
    inputs = [r(*shape, seed=1), 1 + 0.5 * r(C, seed=2), r(C, seed=3), None, None]
    assert check_pair(P.batch_norm_forward, P.batch_norm_backward, inputs, dict(training=True)) < TOL


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_eval_gradcheck(shape):
    C = shape[1]
    rm, rv = r(C, seed=4), 0.5 + np.abs(r(C, seed=5))
    inputs = [r(*shape, seed=1), 1 + 0.5 * r(C, seed=2), r(C, seed=3), rm, rv]
    err = check_pair(P.batch_norm_forward, P.batch_norm_backward, inputs, dict(training=False), wrt=[0, 1, 2])
    assert err < TOL


def test_batch_norm_without_affine_gradcheck():
    inputs = [r(5, 3, 4, seed=1), None, None, None, None]
    assert check_pair(P.batch_norm_forward, P.batch_norm_backward, inputs) < TOL
    out, cache = P.batch_norm_forward(*inputs)
    assert P.batch_norm_backward(r(5, 3, 4, seed=2), cache)[1:] == (None,) * 4


# --------------------------------------------------------------------------------------
# forward semantics
# --------------------------------------------------------------------------------------


def naive_conv2d(x, w, b, stride, padding, dilation):
    """The definition, one output element at a time."""
    N, C, H, W = x.shape
    Fo, _, kh, kw = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    xp[:, :, ph : ph + H, pw : pw + W] = x
    Ho = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    Wo = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((N, Fo, Ho, Wo))
    for n in range(N):
        for f in range(Fo):
            for y in range(Ho):
                for z in range(Wo):
                    acc = b[f]
                    for c in range(C):
                        for i in range(kh):
                            for j in range(kw):
                                acc += w[f, c, i, j] * xp[n, c, y * sh + i * dh, z * sw + j * dw]
                    out[n, f, y, z] = acc
    return out


@pytest.mark.parametrize(
    "stride,padding,dilation",
    [((1, 1), (0, 0), (2, 2)), ((2, 1), (1, 2), (2, 3)), ((2, 2), (2, 1), (1, 2))],
)
def test_conv2d_matches_naive_loops(stride, padding, dilation):
    x, w, b = r(2, 3, 9, 8, seed=1), r(4, 3, 3, 2, seed=2), r(4, seed=3)
    out, _ = P.conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(out, naive_conv2d(x, w, b, stride, padding, dilation), rtol=1e-12, atol=1e-12)


def test_conv1d_equals_conv2d_with_unit_height():
    x, w, b = r(2, 3, 10, seed=1), r(4, 3, 3, seed=2), r(4, seed=3)
    out1, _ = P.conv1d_forward(x, w, b, stride=2, padding=1, dilation=2)
    out2, _ = P.conv2d_forward(x[:, :, None], w[:, :, None], b, stride=(1, 2), padding=(0, 1), dilation=(1, 2))
    np.testing.assert_allclose(out1, out2[:, :, 0], rtol=1e-12, atol=1e-12)


def test_max_pool_ties_go_to_the_first_element_and_nan_propagates():
    x = np.zeros((1, 1, 2, 2))
    out, cache = P.max_pool2d_forward(x, 2)
    dx = P.max_pool2d_backward(np.full((1, 1, 1, 1), 3.0), cache)
    np.testing.assert_array_equal(dx[0, 0], [[3.0, 0.0], [0.0, 0.0]])  # all tie: first one wins
    x = np.array([[[[1.0, 2.0], [np.nan, 5.0]]]])
    out, cache = P.max_pool2d_forward(x, 2)
    assert np.isnan(out).all()
    np.testing.assert_array_equal(P.max_pool2d_backward(np.ones((1, 1, 1, 1)), cache)[0, 0], [[0, 0], [1, 0]])


def test_pools_against_direct_windows():
    x = r(2, 3, 9, 8, seed=6)
    mx, _ = P.max_pool2d_forward(x, 3, 2, 1)
    av, _ = P.avg_pool2d_forward(x, 3, 2, 1)
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))  # zeros, counted by the average
    xm = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), constant_values=-np.inf)
    for y in range(mx.shape[2]):
        for z in range(mx.shape[3]):
            np.testing.assert_allclose(mx[:, :, y, z], xm[:, :, 2 * y : 2 * y + 3, 2 * z : 2 * z + 3].max(axis=(2, 3)))
            np.testing.assert_allclose(av[:, :, y, z], xp[:, :, 2 * y : 2 * y + 3, 2 * z : 2 * z + 3].mean(axis=(2, 3)))


def test_batch_norm_running_stats_update_in_place():
    x = r(8, 3, 4, seed=1)
    rm, rv = np.zeros(3), np.ones(3)
    ids = id(rm), id(rv)
    out, _ = P.batch_norm_forward(x, None, None, rm, rv, training=True, momentum=0.25)
    n = 8 * 4
    np.testing.assert_allclose(rm, 0.25 * x.mean(axis=(0, 2)))
    np.testing.assert_allclose(rv, 0.75 + 0.25 * x.var(axis=(0, 2)) * n / (n - 1))  # unbiased
    assert (id(rm), id(rv)) == ids
    np.testing.assert_allclose(out.mean(axis=(0, 2)), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2)), 1, rtol=1e-3)  # biased variance normalises
    # eval mode uses (and leaves alone) the running statistics
    before = rm.copy(), rv.copy()
    out, _ = P.batch_norm_forward(x, None, None, rm, rv, training=False)
    np.testing.assert_allclose(out, (x - rm[:, None]) / np.sqrt(rv[:, None] + 1e-5))
    np.testing.assert_array_equal(rm, before[0])
    np.testing.assert_array_equal(rv, before[1])


def _float32_cases():
    x4, x3 = r(2, 3, 6, 6).astype(np.float32), r(2, 3, 7).astype(np.float32)
    g3, b3 = np.ones(3, np.float32), np.zeros(3, np.float32)
    return {
        "conv2d": (
            P.conv2d_forward,
            P.conv2d_backward,
            [x4, r(4, 3, 3, 3).astype(np.float32), b3[:1].repeat(4)],
            dict(padding=1),
        ),
        "conv1d": (
            P.conv1d_forward,
            P.conv1d_backward,
            [x3, r(4, 3, 3).astype(np.float32), None],
            {},
        ),
        "max_pool2d": (
            P.max_pool2d_forward,
            P.max_pool2d_backward,
            [x4],
            dict(kernel_size=3, stride=2),
        ),
        "avg_pool2d": (P.avg_pool2d_forward, P.avg_pool2d_backward, [x4], dict(kernel_size=2)),
        "layer_norm": (
            P.layer_norm_forward,
            P.layer_norm_backward,
            [x4, np.ones((6, 6), np.float32), None],
            {},
        ),
        "batch_norm": (
            P.batch_norm_forward,
            P.batch_norm_backward,
            [x4, g3, b3, np.zeros(3, np.float32), np.ones(3, np.float32)],
            {},
        ),
    }


@pytest.mark.parametrize("name", list(_float32_cases()))
def test_float32_in_float32_out(name):
    fwd, bwd, inputs, opts = _float32_cases()[name]
    out, cache = fwd(*inputs, **opts)
    assert out.dtype == np.float32
    grads = bwd(np.ones_like(out), cache)
    for g in grads if isinstance(grads, tuple) else (grads,):
        assert g is None or g.dtype == np.float32


def test_forward_does_not_modify_inputs():
    x, w = r(2, 3, 6, 6, seed=1), r(4, 3, 3, 3, seed=2)
    x0, w0 = x.copy(), w.copy()
    P.conv2d_forward(x, w, None, padding=1)
    P.max_pool2d_forward(x, 3, 2, 1)
    P.avg_pool2d_forward(x, 2)
    P.layer_norm_forward(x, None, None)
    P.batch_norm_forward(x, None, None, None, None)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


# --------------------------------------------------------------------------------------
# bad input: one clear error naming the argument and the expected shape
# --------------------------------------------------------------------------------------

X4, W4 = r(1, 3, 8, 8), r(4, 3, 3, 3)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (
            lambda: P.conv2d_forward(r(3, 8, 8), W4),
            ValueError,
            r"conv2d: x: expected shape \(N, C, H, W\), got \(3, 8, 8\)",
        ),
        (
            lambda: P.conv2d_forward(X4, r(4, 3, 3)),
            ValueError,
            r"conv2d: weight: expected shape \(F, C, kh, kw\)",
        ),
        (
            lambda: P.conv2d_forward(X4, r(4, 4, 3, 3)),
            ValueError,
            r"conv2d: x has 3 channels but weight expects 4; "
            r"expected x \(N, C, H, W\) and weight \(F, C, kh, kw\)",
        ),
        (
            lambda: P.conv2d_forward(X4, W4, r(3)),
            ValueError,
            r"conv2d: bias has shape \(3,\); expected \(4,\)",
        ),
        (
            lambda: P.conv2d_forward(X4.astype(np.float32), W4),
            TypeError,
            r"conv2d: x is float32 but weight is float64",
        ),
        (
            lambda: P.conv2d_forward(X4.astype(int), W4),
            TypeError,
            r"conv2d: x: expected a floating-point array",
        ),
        (lambda: P.conv2d_forward(X4.tolist(), W4), TypeError, r"conv2d: x: expected an ndarray"),
        (
            lambda: P.conv2d_forward(X4, W4, stride=0),
            ValueError,
            r"conv2d: stride must be >= 1, got \(0, 0\)",
        ),
        (lambda: P.conv2d_forward(X4, W4, padding=-1), ValueError, r"conv2d: padding must be >= 0"),
        (
            lambda: P.conv2d_forward(X4, W4, stride=(1, 2, 3)),
            TypeError,
            r"conv2d: stride must be an int or a tuple of 2",
        ),
        (
            lambda: P.conv2d_forward(X4, W4, dilation=1.5),
            TypeError,
            r"conv2d: dilation must be an int",
        ),
        (
            lambda: P.conv2d_forward(X4, W4, dilation=4),
            ValueError,
            r"conv2d: the kernel spans 9 along H .* padded input has only 8",
        ),
        (
            lambda: P.conv1d_forward(X4, W4),
            ValueError,
            r"conv1d: x: expected shape \(N, C, L\), got \(1, 3, 8, 8\)",
        ),
        (
            lambda: P.conv1d_forward(r(2, 3, 8), r(4, 2, 3)),
            ValueError,
            r"conv1d: x has 3 channels but weight expects 2",
        ),
        (
            lambda: P.conv1d_forward(r(2, 3, 8), r(4, 3, 3), stride=(1, 1)),
            TypeError,
            r"conv1d: stride must be an int",
        ),
        (
            lambda: P.max_pool2d_forward(r(3, 8, 8), 2),
            ValueError,
            r"max_pool2d: x: expected shape \(N, C, H, W\)",
        ),
        (
            lambda: P.max_pool2d_forward(X4, 2, padding=2),
            ValueError,
            r"max_pool2d: padding \(2, 2\) must be at most half",
        ),
        (
            lambda: P.avg_pool2d_forward(X4, 9),
            ValueError,
            r"avg_pool2d: the kernel spans 9 along H",
        ),
        (lambda: P.avg_pool2d_forward(X4, 0), ValueError, r"avg_pool2d: kernel_size must be >= 1"),
        (
            lambda: P.layer_norm_forward(r(2, 5), r(4), None),
            ValueError,
            r"layer_norm: x has shape \(2, 5\); expected x \(\.\.\., 4\)",
        ),
        (
            lambda: P.layer_norm_forward(r(2, 4), r(4), r(3)),
            ValueError,
            r"layer_norm: beta has shape \(3,\); expected \(4,\)",
        ),
        (
            lambda: P.batch_norm_forward(r(2, 3, 4, 4, 4)),
            ValueError,
            r"batch_norm: x: expected shape \(N, C\), \(N, C, L\) or",
        ),
        (
            lambda: P.batch_norm_forward(r(4, 3), r(4)),
            ValueError,
            r"batch_norm: gamma has shape \(4,\); expected \(3,\)",
        ),
        (
            lambda: P.batch_norm_forward(r(4, 3), training=False),
            ValueError,
            r"batch_norm: training=False needs running_mean",
        ),
        (
            lambda: P.batch_norm_forward(r(1, 3)),
            ValueError,
            r"batch_norm: expected more than 1 value per channel",
        ),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
