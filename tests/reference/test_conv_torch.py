"""Convolution, pooling and normalisation pairs against their PyTorch twins: float64, the
same inputs and weights, forward outputs and all gradients (under the same random upstream
gradient) equal to 1e-6; batch norm's running statistics too."""

import numpy as np
import pytest

from sutskever30.nn import pairs as P

torch = pytest.importorskip("torch")
TF = torch.nn.functional

RTOL, ATOL = 1e-6, 1e-8


def r(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def compare(ours_fwd, ours_bwd, theirs, arrays, opts=None, topts=None, seed=7):
    """Run our pair and ``theirs(*torch tensors, **topts)`` on the same arrays (None stays
    None), backprop one random ``dout`` through both, compare output and gradients."""
    opts = opts or {}
    tensors = [None if a is None else torch.tensor(a, requires_grad=True) for a in arrays]
    out, cache = ours_fwd(*[None if a is None else a.copy() for a in arrays], **opts)
    tout = theirs(*tensors, **(opts if topts is None else topts))
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg="forward")
    dout = np.random.default_rng(seed).standard_normal(out.shape)
    grads = ours_bwd(dout, cache)
    grads = grads if isinstance(grads, tuple) else (grads,)
    tout.backward(torch.tensor(dout))
    assert len(grads) >= len(arrays)
    for i, (g, t) in enumerate(zip(grads, tensors)):
        if t is None:
            assert g is None, f"input {i}: expected no gradient"
        else:
            np.testing.assert_allclose(g, t.grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=f"grad of input {i}")


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    "opts",
    [
        {},
        dict(stride=2, padding=1),
        dict(stride=2, padding=3, dilation=2),
        dict(padding=2, dilation=3),
    ],
)
def test_conv1d(opts, bias):
    arrays = [r(3, 4, 11, seed=1), r(5, 4, 3, seed=2), r(5, seed=3) if bias else None]
    compare(P.conv1d_forward, P.conv1d_backward, TF.conv1d, arrays, opts)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(
    "opts",
    [
        dict(stride=2, padding=1, dilation=2),
        dict(stride=(2, 1), padding=(1, 2), dilation=(2, 1)),
        dict(stride=(1, 3), padding=(0, 1), dilation=(3, 2)),
        {},
    ],
)
def test_conv2d(opts, bias):
    arrays = [r(2, 3, 10, 9, seed=1), r(4, 3, 3, 2, seed=2), r(4, seed=3) if bias else None]
    compare(P.conv2d_forward, P.conv2d_backward, TF.conv2d, arrays, opts)


POOLS = [
    dict(kernel_size=3, stride=2),  # overlapping windows
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=2),
    dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
]


@pytest.mark.parametrize("opts", POOLS)
def test_max_pool2d(opts):
    compare(P.max_pool2d_forward, P.max_pool2d_backward, TF.max_pool2d, [r(2, 3, 9, 8, seed=1)], opts)


def test_max_pool2d_ties_routed_like_torch():
    x = np.random.default_rng(3).integers(0, 3, (2, 2, 7, 7)).astype(np.float64)  # many ties
    compare(
        P.max_pool2d_forward,
        P.max_pool2d_backward,
        TF.max_pool2d,
        [x],
        dict(kernel_size=3, stride=2),
    )


@pytest.mark.parametrize("opts", POOLS)
def test_avg_pool2d(opts):
    compare(P.avg_pool2d_forward, P.avg_pool2d_backward, TF.avg_pool2d, [r(2, 3, 9, 8, seed=1)], opts)


@pytest.mark.parametrize("shape,S", [((3, 4, 6), (6,)), ((3, 4, 6), (4, 6)), ((5, 7), (7,))])
@pytest.mark.parametrize("affine", [True, False])
def test_layer_norm(shape, S, affine):
    if affine:
        arrays, opts = [r(*shape, seed=1), 1 + 0.5 * r(*S, seed=2), r(*S, seed=3)], {}
    else:
        arrays, opts = [r(*shape, seed=1), None, None], dict(normalized_shape=S)

    def theirs(x, g, b, normalized_shape=None):
        return TF.layer_norm(x, S, g, b, eps=1e-5)

    compare(P.layer_norm_forward, P.layer_norm_backward, theirs, arrays, opts)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 3, 4, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(shape, training):
    C = shape[1]
    x, gamma, beta = r(*shape, seed=1), 1 + 0.5 * r(C, seed=2), r(C, seed=3)
    rm, rv = 0.5 * r(C, seed=4), 0.5 + np.abs(r(C, seed=5))
    trm, trv = torch.tensor(rm), torch.tensor(rv)  # torch updates its own copies
    ours_rm, ours_rv = rm.copy(), rv.copy()

    def ours(x, g, b):
        return P.batch_norm_forward(x, g, b, ours_rm, ours_rv, training=training, momentum=0.2, eps=1e-5)

    def ours_bwd(dout, cache):
        dx, dg, db, drm, drv = P.batch_norm_backward(dout, cache)
        assert drm is None and drv is None
        return dx, dg, db

    def theirs(x, g, b):
        return TF.batch_norm(x, trm, trv, g, b, training=training, momentum=0.2, eps=1e-5)

    compare(ours, ours_bwd, theirs, [x, gamma, beta], topts={})
    np.testing.assert_allclose(ours_rm, trm.numpy(), rtol=RTOL, atol=ATOL, err_msg="running_mean")
    np.testing.assert_allclose(ours_rv, trv.numpy(), rtol=RTOL, atol=ATOL, err_msg="running_var")
    if not training:
        np.testing.assert_array_equal(ours_rm, rm)
        np.testing.assert_array_equal(ours_rv, rv)


def test_batch_norm_without_affine():
    x = r(5, 3, 4, seed=1)
    compare(
        lambda x: P.batch_norm_forward(x, None, None, None, None, training=True),
        lambda d, c: P.batch_norm_backward(d, c)[0],
        lambda x: TF.batch_norm(x, None, None, training=True),
        [x],
        topts={},
    )
