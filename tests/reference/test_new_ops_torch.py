"""The losses, activations, graph, retrieval and convolution ops added to the engine,
each against its torch twin through ``check_op`` (forward and gradients to 1e-6)."""

import numpy as np
import pytest
from helpers import check_op

from sutskever30 import nn

torch = pytest.importorskip("torch")
pytestmark = [  # torch's own notices about its kl_div 'mean' and padding='same' internals
    pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning"),
    pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning"),
]

Y = np.array([1, 4, 0, 4, 2, 3])
W_CLASS = np.array([0.5, 2.0, 1.0, 0.25, 3.0])


def probs(shape, seed):
    p = np.random.default_rng(seed).random(shape) + 0.05
    return p / p.sum(axis=-1, keepdims=True)


# ---- losses -------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(reduction, weighted):
    y = np.array([1, -100, 4, 0, 4, 2])
    w = W_CLASS if weighted else None
    check_op(
        [(6, 5)],
        lambda x, F, T: F.nll_loss(
            F.log_softmax(x, 1), T(y), weight=None if w is None else T(w), reduction=reduction, ignore_index=-100
        ),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_with_class_weights(reduction, smoothing):
    y = np.array([1, -100, 4, 0, 4, 2])
    check_op(
        [(6, 5)],
        lambda x, F, T: F.cross_entropy(x, T(y), weight=T(W_CLASS), reduction=reduction, label_smoothing=smoothing),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_probability_targets(reduction, smoothing, weighted):
    q = probs((6, 5), 1)
    check_op(
        [(6, 5)],
        lambda x, F, T: F.cross_entropy(
            x, T(q), weight=T(W_CLASS) if weighted else None, reduction=reduction, label_smoothing=smoothing
        ),
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy(reduction):
    t = np.random.default_rng(2).random((4, 3))
    w = np.array([0.5, 1.0, 2.0])
    check_op([(4, 3)], lambda x, F, T: F.binary_cross_entropy(x.sigmoid(), T(t), reduction=reduction))
    check_op([(4, 3)], lambda x, F, T: F.binary_cross_entropy(x.sigmoid(), T(t), weight=T(w), reduction=reduction))


def test_binary_cross_entropy_clamps_log_at_minus_100():
    p, t = np.array([0.0, 1.0, 0.5]), np.array([1.0, 0.0, 1.0])
    ours = nn.binary_cross_entropy(nn.Tensor(p), t, reduction="none").data
    theirs = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_with_logits(reduction):
    t = np.random.default_rng(3).random((4, 3))
    w, pw = np.array([0.5, 1.0, 2.0]), np.array([3.0, 0.5, 1.0])
    check_op([(4, 3)], lambda x, F, T: F.binary_cross_entropy_with_logits(x * 30, T(t), reduction=reduction))
    check_op(
        [(4, 3)],
        lambda x, F, T: F.binary_cross_entropy_with_logits(x, T(t), weight=T(w), pos_weight=T(pw), reduction=reduction),
    )


@pytest.mark.parametrize("reduction", ["mean", "batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    p = probs((4, 5), 4)
    # both the input (log q) and the target are differentiable
    check_op(
        [(4, 5), np.log(p) if log_target else p],
        lambda x, t, F: F.kl_div(F.log_softmax(x, 1), t, reduction=reduction, log_target=log_target),
    )


# ---- activations --------------------------------------------------------------------------
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu(approximate):
    check_op([(4, 6)], lambda x, F: F.gelu(x * 3, approximate=approximate))
    check_op([(4, 6)], lambda x: nn.GELU(approximate)(x * 3), lambda x: torch.nn.GELU(approximate)(x * 3))


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0)])
def test_softplus(beta, threshold):
    check_op([(4, 6)], lambda x, F: F.softplus(x * 4, beta=beta, threshold=threshold))
    check_op(
        [(4, 6)], lambda x: nn.Softplus(beta, threshold)(x * 4), lambda x: torch.nn.Softplus(beta, threshold)(x * 4)
    )


def test_logsigmoid():
    check_op([(4, 6)], lambda x, F: F.logsigmoid(x * 20))


# ---- embedding, attention -------------------------------------------------------------------
def test_embedding_padding_idx_gets_no_gradient():
    ids = np.array([[0, 2, 2], [1, 0, 3]])
    check_op([(4, 5)], lambda w, F, T: F.embedding(T(ids), w, padding_idx=2))
    rng = np.random.default_rng(0)
    emb = nn.Embedding(4, 3, padding_idx=-1, rng=rng)
    np.testing.assert_array_equal(emb.weight.data[3], 0)  # as torch's init
    emb(ids).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[3], 0)


@pytest.mark.parametrize("Tq, Tk", [(5, 5), (3, 6), (6, 3)])
def test_sdpa_is_causal_and_scale(Tq, Tk):
    check_op(
        [(2, 3, Tq, 4), (2, 3, Tk, 4), (2, 3, Tk, 5)],
        lambda q, k, v, F: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7),
        rtol=1e-6,
    )


def test_sdpa_boolean_attn_mask_by_keyword():
    mask = np.random.default_rng(1).random((4, 6)) > 0.3
    mask[:, 0] = True
    check_op(
        [(2, 4, 3), (2, 6, 3), (2, 6, 3)],
        lambda q, k, v, F, T: F.scaled_dot_product_attention(q, k, v, attn_mask=T(mask)),
    )


# ---- graphs: segment sums and batched products ------------------------------------------------
def test_index_add_is_a_differentiable_segment_sum():
    dst = np.array([0, 2, 2, 1, 0, 2])  # 6 edges into 3 nodes
    check_op([(3, 4), (6, 4)], lambda x, m, T: x.index_add(0, T(dst), m))
    check_op([(4, 3), (4, 6)], lambda x, m, T: x.index_add(1, T(dst), m, alpha=2.0))


def test_scatter_add():
    idx = np.array([[0, 1, 0], [2, 0, 2]])
    check_op([(3, 3), (2, 3)], lambda x, s, T: x.scatter_add(0, T(idx), s))
    check_op([(2, 4), (2, 3)], lambda x, s, T: x.scatter_add(1, T(np.array([[3, 3, 0], [1, 2, 1]])), s))


@pytest.mark.parametrize("a, b", [((3, 4, 5), (3, 5, 2)), ((7, 4, 4), (7, 4, 1)), ((2, 1, 3, 4), (5, 4, 2))])
def test_batched_matmul(a, b):
    check_op([a, b], lambda x, y: x @ y)


# ---- retrieval and NTM addressing --------------------------------------------------------------
@pytest.mark.parametrize("dim", [1, -1, 0])
def test_cosine_similarity(dim):
    check_op([(4, 5), (4, 5)], lambda a, b, F: F.cosine_similarity(a, b, dim=dim))
    check_op([(4, 1, 5), (1, 3, 5)], lambda a, b, F: F.cosine_similarity(a, b, dim=-1))  # broadcasting


def test_cosine_similarity_of_a_zero_vector_uses_eps():
    z = np.zeros((2, 3))
    z[1] = [1.0, 2.0, 2.0]
    check_op([z, (2, 3)], lambda a, b, F: F.cosine_similarity(a, b, dim=1, eps=1e-3), grad=False)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("dim", [1, 0, -1])
def test_normalize(p, dim):
    check_op([(3, 4)], lambda x, F: F.normalize(x, p=p, dim=dim))


def test_normalize_clamps_small_norms_like_torch():
    x = np.array([[1e-14, -2e-14], [3.0, 4.0]])
    check_op([x], lambda a, F: F.normalize(a, dim=1))


@pytest.mark.parametrize("shifts, dims", [(1, 0), (-2, 1), ((1, 2), (0, 1)), (3, None), ((5,), (-1,))])
def test_roll(shifts, dims):
    check_op([(3, 4)], lambda x: x.roll(shifts, dims))


# ---- convolution: 'same' padding, groups, masks ---------------------------------------------------
@pytest.mark.parametrize("k, d", [(3, 1), (4, 1), (3, 2), (2, 3)])
def test_conv_padding_same(k, d):
    check_op([(2, 3, 7, 6), (4, 3, k, k), (4,)], lambda x, w, b, F: F.conv2d(x, w, b, padding="same", dilation=d))
    check_op([(2, 3, 9), (4, 3, k)], lambda x, w, F: F.conv1d(x, w, padding="same", dilation=d))
    check_op([(2, 3, 9), (4, 3, k)], lambda x, w, F: F.conv1d(x, w, padding="valid", dilation=d))


@pytest.mark.parametrize("groups, C, Fo", [(2, 4, 6), (3, 3, 3), (4, 8, 4)])
def test_conv_groups(groups, C, Fo):
    check_op(
        [(2, C, 6, 5), (Fo, C // groups, 3, 2), (Fo,)],
        lambda x, w, b, F: F.conv2d(x, w, b, stride=(2, 1), padding=1, groups=groups),
    )
    check_op([(2, C, 8), (Fo, C // groups, 3)], lambda x, w, F: F.conv1d(x, w, padding="same", groups=groups))


def test_grouped_conv_module_matches_torch_with_copied_weights():
    ours = nn.Conv2d(4, 6, 3, padding="same", groups=2, rng=np.random.default_rng(0), dtype=np.float64)
    theirs = torch.nn.Conv2d(4, 6, 3, padding="same", groups=2).double()
    assert tuple(theirs.weight.shape) == ours.weight.shape
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    x = np.random.default_rng(1).standard_normal((2, 4, 5, 5))
    np.testing.assert_allclose(ours(nn.Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-9)


def test_masked_linear_and_conv_mask_the_weight_and_its_gradient():
    mask = np.tril(np.ones((4, 4)))  # MADE-style: output i sees inputs <= i
    check_op([(3, 4), (4, 4), (4,)], lambda x, w, b, F, T: F.linear(x, w * T(mask), b))
    lin = nn.MaskedLinear(4, 4, mask, rng=np.random.default_rng(0), dtype=np.float64)
    lin(nn.Tensor(np.ones((2, 4)))).sum().backward()
    np.testing.assert_array_equal(lin.weight.grad[mask == 0], 0)
    cmask = np.ones((2, 2, 3, 3))
    cmask[:, :, 1, 2:] = cmask[:, :, 2:] = 0  # PixelCNN's type-B mask
    check_op([(1, 2, 5, 5), (2, 2, 3, 3)], lambda x, w, F, T: F.conv2d(x, w * T(cmask), padding=1))
    conv = nn.MaskedConv2d(2, 2, 3, cmask, padding=1, rng=np.random.default_rng(0), dtype=np.float64)
    conv(nn.Tensor(np.ones((1, 2, 5, 5)))).sum().backward()
    np.testing.assert_array_equal(conv.weight.grad[cmask == 0], 0)
