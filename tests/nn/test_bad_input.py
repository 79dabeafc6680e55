"""Bad input across the public ``nn`` API gets one clear error: ValueError, TypeError or
(for a dim or index out of range, as torch) IndexError, whose message names the argument
and what was expected. One table; every row must raise, none may be silently accepted."""

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import functional as F
from sutskever30.nn import optim
from sutskever30.nn.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from sutskever30.nn.gradcheck import check_pair, directional_check, numerical_grad, rel_error
from sutskever30.nn.pairs import relu_backward, relu_forward

R = np.random.default_rng(0)
VE, TE, IE = ValueError, TypeError, IndexError


def t(*shape, dtype=np.float32, grad=False):
    return nn.Tensor(np.zeros(shape, dtype), requires_grad=grad)


def ti(*shape):
    return nn.Tensor(np.zeros(shape, np.int64))


def rt(*shape, dtype=np.float32):
    return nn.Tensor(R.standard_normal(shape).astype(dtype))


X = t(2, 3)
IMG = t(2, 3, 8, 8)
W3 = t(4, 3, 3, 3)
SEQ = t(5, 2, 3)
Q, K, V = t(2, 4, 8), t(2, 6, 8), t(2, 6, 5)
LOGITS = t(4, 3)
LOGP = t(4, 3)
Y = np.array([0, 1, 2, 1])


def lin(i=3, o=2):
    return nn.Linear(i, o, rng=R)


def mha():
    return nn.MultiheadAttention(8, 2, rng=R)


def sgd_params():
    return [nn.Parameter(np.ones(3, np.float32))]


def opt():
    return optim.SGD(sgd_params(), lr=0.1)


def nonleaf_param():
    return optim.SGD([nn.Parameter(np.ones(3)) * 2], lr=0.1)


def step_with_bad_grad():
    p = nn.Parameter(np.ones(3))
    o = optim.SGD([p], lr=0.1)
    p.grad = np.ones(4)
    o.step()


def write_and_load(tmp, data: bytes):
    p = tmp / "bad.npz"
    p.write_bytes(data)
    return load_checkpoint(p)


# (call, exception, regex that names the argument)
CASES = [
    # ---- constructing tensors ----
    (lambda: nn.Tensor("abc"), TE, r"Tensor: data .*str"),
    (lambda: nn.Tensor([{}]), TE, r"Tensor: data"),
    (lambda: nn.Tensor(None), TE, r"Tensor: data .*NoneType"),
    (lambda: nn.Tensor(np.array([1 + 2j])), TE, r"Tensor: data .*complex"),
    (lambda: nn.Tensor(np.array(["a"], dtype=object)), TE, r"Tensor: data .*object"),
    (lambda: nn.Tensor([[1.0, 2.0], [3.0]]), TE, r"Tensor: data must be a rectangular"),
    (lambda: nn.Tensor(np.ones(3, int), requires_grad=True), TE, r"Tensor: only floating-point"),
    (lambda: nn.tensor({1: 2}), TE, r"Tensor: data .*dict"),
    (lambda: nn.Tensor(b"xy"), TE, r"Tensor: data .*bytes"),
    (lambda: nn.Parameter(np.ones(3, int)), TE, r"Parameter: expected a floating-point"),
    (lambda: nn.Parameter("abc"), TE, r"Parameter: expected a floating-point"),
    # ---- Tensor methods ----
    (lambda: X.sum([0, 5]), IE, r"sum: dim out of range.*got 5"),
    (lambda: X.sum(1.5), TE, r"sum: dim must be an int"),
    (lambda: X.sum([0, 0]), VE, r"sum: dim \[0, 0\] repeats"),
    (lambda: X.mean(7), IE, r"mean: dim out of range"),
    (lambda: ti(2, 3).mean(), TE, r"mean: input dtype must be floating"),
    (lambda: X.amax(3), IE, r"amax: dim out of range"),
    (lambda: X.amin("a"), TE, r"amin: dim must be an int"),
    (lambda: X.max(5), IE, r"max: dim out of range"),
    (lambda: X.max([0, 1]), TE, r"max: dim must be an int"),
    (lambda: X.min(-4), IE, r"min: dim out of range"),
    (lambda: t(0, 3).max(), VE, r"amax: x has shape \(0, 3\); expected a non-empty"),
    (lambda: X.softmax(5), IE, r"softmax: dim out of range"),
    (lambda: X.log_softmax(2.0), TE, r"log_softmax: dim must be an int"),
    (lambda: X.logsumexp(9), IE, r"logsumexp: dim out of range"),
    (lambda: X.permute(0, 5), IE, r"permute: dim out of range.*got 5"),
    (lambda: X.permute(0, 0), VE, r"permute: dims \[0, 0\] must be a permutation"),
    (lambda: X.permute(0), VE, r"permute: dims \[0\] must be a permutation"),
    (lambda: X.transpose(0, 2), IE, r"transpose: dim1 out of range"),
    (lambda: X.transpose(-3, 0), IE, r"transpose: dim0 out of range"),
    (lambda: X.reshape(5, 5), VE, r"reshape: shape \[5, 5\] is invalid for x of shape \(2, 3\)"),
    (lambda: X.reshape(-1, -1), VE, r"reshape: shape \[-1, -1\] is invalid"),
    (lambda: X.reshape(2.5), TE, r"reshape: shape must be ints"),
    (lambda: X.view(7), VE, r"reshape: shape \[7\] is invalid"),
    (lambda: X[5], IE, r"index: .*tensor of shape \(2, 3\)"),
    (lambda: X[:, 9], IE, r"index: .*tensor of shape \(2, 3\)"),
    (lambda: X.masked_fill(np.ones((3, 3), bool), 0.0), VE, r"masked_fill: mask has shape \(3, 3\)"),
    (lambda: X.masked_fill(np.ones((2, 3)), 0.0), TE, r"masked_fill: mask must be a boolean"),
    (lambda: X.gather(1, np.array([[0.5]])), TE, r"gather: index must hold integers"),
    (lambda: X.gather(1, np.array([0, 1])), VE, r"gather: index has 1 dims"),
    (lambda: X.gather(1, np.array([[3], [0]])), IE, r"gather: index 3 is out of bounds for dim 1 with size 3"),
    (lambda: X.gather(1, np.array([[-1], [0]])), IE, r"gather: index -1 is out of bounds"),
    (lambda: X.gather(5, np.array([[0], [0]])), IE, r"gather: dim out of range"),
    (lambda: X.gather(1, np.zeros((4, 1), int)), VE, r"gather: index has shape \(4, 1\); expected index.size\(0\)"),
    (lambda: X.size(4), IE, r"size: dim out of range"),
    (lambda: X.roll(1, 4), IE, r"roll: dim out of range"),
    (lambda: X.roll((1, 2), 0), VE, r"roll: shifts .* and dims .* must have the same length"),
    (lambda: X.roll(1.5), TE, r"roll: shifts must be an int"),
    (lambda: X.roll((1, 2)), VE, r"roll: with dims=None, shifts must be one int"),
    (lambda: X.index_add(0, np.array([0, 5]), t(2, 3)), IE, r"index_add: index 5 is out of bounds"),
    (lambda: X.index_add(0, np.array([0.0]), t(1, 3)), TE, r"index_add: index must be a 1-D integer"),
    (lambda: X.index_add(0, np.array([0]), t(2, 3)), VE, r"index_add: source is \(2, 3\).*expected \(1, 3\)"),
    (lambda: X.index_add(2, np.array([0]), t(2, 1)), IE, r"index_add: dim out of range"),
    (lambda: X.scatter_add(0, np.zeros((3, 3), int), t(2, 3)), VE, r"scatter_add: index has shape \(3, 3\)"),
    (lambda: X.scatter_add(0, np.array([[9, 0, 0]]), t(1, 3)), IE, r"scatter_add: index 9 is out of bounds"),
    (lambda: X.scatter_add(0, np.array([[0]]), t(1, 3, 1)), VE, r"scatter_add: src is \(1, 3, 1\)"),
    (lambda: X.to("foo"), TE, r"to: dtype"),
    (lambda: t(grad=True).backward(np.ones(5)), VE, r"backward: gradient has shape \(5,\); expected \(\)"),
    # ---- operators ----
    (lambda: X + "a", TE, r"add: expected a Tensor, an ndarray or a real number, got str"),
    (lambda: X * None, TE, r"mul: expected a Tensor.*NoneType"),
    (lambda: X - [1.0, 2.0], TE, r"sub: expected a Tensor.*list"),
    (lambda: X / {}, TE, r"div: expected a Tensor.*dict"),
    (lambda: X + t(4, 5), VE, r"add: shapes \(2, 3\) and \(4, 5\) do not broadcast"),
    (lambda: X * np.ones(4, np.float32), VE, r"mul: shapes \(2, 3\) and \(4,\) do not broadcast"),
    (lambda: X ** "x", TE, r"pow: expected a Tensor.*str"),
    (lambda: X + np.array(["a"]), TE, r"add: expected a bool, integer or float tensor, got dtype <U1"),
    (lambda: X @ t(4, 2), VE, r"matmul: a has shape \(2, 3\) and b \(4, 2\)"),
    (lambda: X @ 3, TE, r"matmul: expected a Tensor or ndarray operand, got int"),
    (lambda: t() @ X, VE, r"matmul: inputs must have at least 1 dimension"),
    (lambda: X @ t(3, 2, dtype=np.float64), TE, r"matmul: a is float32 but b is float64"),
    (lambda: t(2, 3, 4) @ t(5, 4, 2), VE, r"matmul: batch dims of a \(2, 3, 4\) and b \(5, 4, 2\)"),
    # ---- functional: activations and reductions ----
    (lambda: F.relu([1.0, 2.0]), TE, r"relu: input must be a Tensor, got list"),
    (lambda: F.gelu(X, approximate="fast"), VE, r"gelu: approximate must be 'none' or 'tanh'"),
    (lambda: F.gelu(ti(3)), TE, r"gelu: input dtype must be floating"),
    (lambda: F.softplus(X, beta=0), VE, r"softplus: beta must be > 0"),
    (lambda: F.logsigmoid(np.zeros(3)), TE, r"logsigmoid: input must be a Tensor"),
    (lambda: F.exp(ti(3)), TE, r"exp: input dtype must be floating"),
    (lambda: F.log("a"), TE, r"log: input must be a Tensor"),
    (lambda: F.sigmoid(ti(3)), TE, r"sigmoid: input dtype must be floating"),
    (lambda: F.softmax(X, dim=5), IE, r"softmax: dim out of range"),
    (lambda: F.logsumexp(X, 3), IE, r"logsumexp: dim out of range"),
    (lambda: F.amax(X, (0, 4)), IE, r"amax: dim out of range"),
    # ---- functional: layers ----
    (lambda: F.linear([[1.0, 2.0]], t(2, 2)), TE, r"linear: x: expected an ndarray"),
    (lambda: F.linear(X, t(3)), VE, r"linear: x has shape \(2, 3\) and weight \(3,\)"),
    (lambda: F.linear(X, t(2, 3), t(3)), VE, r"linear: bias has shape \(3,\); expected \(2,\)"),
    (lambda: F.linear(X, t(2, 3, dtype=np.float64)), TE, r"linear: x is float32 but weight is float64"),
    (lambda: F.linear(ti(2, 3), t(2, 3)), TE, r"linear: x: expected a floating-point array"),
    (lambda: F.embedding(np.array([5]), t(4, 2)), VE, r"ids: id 5 is out of range"),
    (lambda: F.embedding(np.array([0.5]), t(4, 2)), TE, r"ids: expected integer ids"),
    (lambda: F.embedding(np.array([1]), t(4, 2), padding_idx=9), VE, r"embedding: padding_idx must be in"),
    (lambda: F.embedding(np.array([1]), t(4)), VE, r"embedding: weight: expected shape \(V, D\)"),
    (lambda: F.dropout(X, p=1.0, rng=R), VE, r"dropout: p must be a float in \[0, 1\)"),
    (lambda: F.dropout(X, p=-0.1, rng=R), VE, r"dropout: p must be"),
    (lambda: F.dropout(X, p="a", rng=R), VE, r"dropout: p must be"),
    (lambda: F.dropout(X, p=0.5), TE, r"dropout: pass rng=np.random.Generator"),
    (lambda: F.layer_norm(X, 5), VE, r"layer_norm: x has shape \(2, 3\)"),
    (lambda: F.layer_norm(X, 3, weight=t(4)), VE, r"layer_norm: gamma has shape \(4,\)"),
    (lambda: F.batch_norm(IMG, np.zeros(2), np.ones(3)), VE, r"batch_norm: running_mean has shape \(2,\)"),
    (lambda: F.batch_norm(t(5), None, None, training=True), VE, r"batch_norm: x: expected shape"),
    (lambda: F.conv2d(t(3, 8, 8), W3), VE, r"conv2d: x: expected shape \(N, C, H, W\)"),
    (lambda: F.conv2d(IMG, t(4, 2, 3, 3)), VE, r"conv2d: x has 3 channels but weight expects 2"),
    (lambda: F.conv2d(IMG, W3, stride=0), VE, r"conv2d: stride must be >= 1"),
    (lambda: F.conv2d(IMG, W3, padding=-1), VE, r"conv2d: padding must be >= 0"),
    (lambda: F.conv2d(IMG, W3, padding="full"), VE, r"conv2d: padding must be an int, a tuple of ints, 'same'"),
    (lambda: F.conv2d(IMG, W3, padding="same", stride=2), VE, r"conv2d: padding='same' needs stride 1"),
    (lambda: F.conv2d(IMG, W3, dilation=(1,)), TE, r"conv2d: dilation must be an int or a tuple of 2 ints"),
    (lambda: F.conv2d(IMG, W3, groups=0), VE, r"conv2d: groups must be an int >= 1"),
    (lambda: F.conv2d(IMG, t(4, 1, 3, 3), groups=2), VE, r"conv2d: groups=2 must divide"),
    (lambda: F.conv2d(IMG, t(4, 3, 3, 3, dtype=np.float64)), TE, r"conv2d: x is float32 but weight is float64"),
    (lambda: F.conv2d(t(1, 3, 2, 2), W3), VE, r"conv2d: the kernel spans 3 along H"),
    (lambda: F.conv2d(IMG, t(4, 3, 0, 3)), VE, r"conv2d: x .* and weight .* must have no empty"),
    (lambda: F.conv1d(IMG, t(4, 3, 3)), VE, r"conv1d: x: expected shape \(N, C, L\)"),
    (lambda: F.conv1d(t(2, 3, 9), t(4, 3, 3), stride=(1, 1)), TE, r"conv1d: stride must be an int"),
    (lambda: F.conv1d(t(2, 3, 9), t(4, 3, 3), t(3)), VE, r"conv1d: bias has shape \(3,\); expected \(4,\)"),
    (lambda: F.max_pool2d(IMG, 0), VE, r"max_pool2d: kernel_size must be >= 1"),
    (lambda: F.max_pool2d(IMG, 2, padding=2), VE, r"max_pool2d: padding \(2, 2\) must be at most half"),
    (lambda: F.avg_pool2d(t(3, 8, 8), 2), VE, r"avg_pool2d: x: expected shape \(N, C, H, W\)"),
    (lambda: F.avg_pool2d(IMG, 2, stride=-1), VE, r"avg_pool2d: stride must be >= 1"),
    (lambda: F.local_response_norm(X, 3), VE, r"local_response_norm: x must be \(N, C, \*spatial\)"),
    (lambda: F.local_response_norm(IMG, 0), VE, r"local_response_norm: size must be an int >= 1"),
    (lambda: F.scaled_dot_product_attention(Q, t(2, 6, 7), V), VE, r"attention: k has shape \(2, 6, 7\)"),
    (lambda: F.scaled_dot_product_attention(Q, K, t(2, 5, 5)), VE, r"attention: v has shape \(2, 5, 5\)"),
    (lambda: F.scaled_dot_product_attention(Q, K, V, attn_mask=np.zeros((4, 6))), TE, r"attn_mask must be boolean"),
    (
        lambda: F.scaled_dot_product_attention(Q, K, V, attn_mask=np.ones((3, 6), bool)),
        VE,
        r"attention: mask has shape \(3, 6\)",
    ),
    (
        lambda: F.scaled_dot_product_attention(Q, K, V, attn_mask=np.ones((4, 6), bool), is_causal=True),
        VE,
        r"attention: pass either mask or is_causal",
    ),
    (lambda: F.scaled_dot_product_attention(t(8), K, V), VE, r"attention: q has shape \(8,\)"),
    (lambda: F.scaled_dot_product_attention(Q, K, V, scale="a"), TE, r"attention: scale must be a float"),
    (lambda: F.scaled_dot_product_attention(Q, t(2, 6, 8, dtype=np.float64), V), TE, r"attention: q, k, v have dtypes"),
    (lambda: F.lstm_cell(t(2, 3), t(2, 5), t(2, 4), t(16, 3), t(16, 4)), VE, r"lstm_cell: h has shape \(2, 5\)"),
    (lambda: F.gru_cell(t(2, 3), t(2, 4), t(12, 3), t(11, 4)), VE, r"gru_cell: W_hh has shape \(11, 4\)"),
    (lambda: F.rnn_cell(t(2, 3), t(2, 4), t(4, 3), t(4, 4), nonlinearity="gelu"), VE, r"nonlinearity must be"),
    (
        lambda: F.lstm(t(2, 3), t(2, 4), t(2, 4), t(16, 3), t(16, 4)),
        VE,
        r"lstm.*x: expected shape \(T, B, I\), got \(2, 3\)",
    ),
    # ---- functional: losses ----
    (
        lambda: F.cross_entropy(LOGITS, np.array([0, 1, 2, 3])),
        VE,
        r"target: id 3 is out of range; expected ids in \[0, 3\)",
    ),
    (lambda: F.cross_entropy(LOGITS, np.array([0, 1, 2, -1])), VE, r"target: id -1"),
    (
        lambda: F.cross_entropy(LOGITS, np.array([0.0, 1.0, 2.0, 1.0])),
        TE,
        r"target: expected integer ids, got dtype float64",
    ),
    (lambda: F.cross_entropy(LOGITS, np.array([0, 1, 2])), VE, r"target: expected shape \(4,\), got \(3,\)"),
    (lambda: F.cross_entropy(t(2, 4, 3), np.array([0, 1])), VE, r"logits: expected shape \(N, C\)"),
    (lambda: F.cross_entropy(LOGITS, Y, reduction="avg"), VE, r"cross_entropy: reduction must be one of"),
    (lambda: F.cross_entropy(LOGITS, Y, label_smoothing=2.0), VE, r"cross_entropy: label_smoothing must be"),
    (lambda: F.cross_entropy(LOGITS, Y, weight=np.ones(4, np.float32)), VE, r"cross_entropy: weight has shape \(4,\)"),
    (lambda: F.cross_entropy(LOGITS, np.ones((4, 2), np.float32)), VE, r"cross_entropy: target has shape \(4, 2\)"),
    (lambda: F.nll_loss(LOGP, Y, reduction="avg"), VE, r"nll_loss: reduction must be one of"),
    (lambda: F.nll_loss(t(3), Y), VE, r"nll_loss: input: expected shape \(N, C\)"),
    (lambda: F.nll_loss(LOGP, np.array([0, 1, 2, 7])), VE, r"target: id 7 is out of range"),
    (lambda: F.nll_loss(LOGP, Y, weight=np.ones(2, np.float32)), VE, r"nll_loss: weight has shape \(2,\)"),
    (
        lambda: F.binary_cross_entropy(X + 2.0, np.zeros((2, 3), np.float32)),
        VE,
        r"binary_cross_entropy: input must hold",
    ),
    (lambda: F.binary_cross_entropy(X, np.zeros((3, 2), np.float32)), VE, r"binary_cross_entropy: target is \(3, 2\)"),
    (lambda: F.binary_cross_entropy(X, [0.0] * 6), VE, r"binary_cross_entropy: target is list"),
    (
        lambda: F.binary_cross_entropy_with_logits(X, np.zeros((2, 3), np.float32), reduction="bad"),
        VE,
        r"binary_cross_entropy_with_logits: reduction must be one of",
    ),
    (lambda: F.kl_div(X, np.zeros((2, 3), np.float32), reduction="avg"), VE, r"kl_div: reduction must be one of"),
    (lambda: F.kl_div(X, -np.ones((2, 3), np.float32)), VE, r"kl_div: target must be probabilities >= 0"),
    (lambda: F.kl_div(X, np.zeros((2, 3))), VE, r"kl_div: target is \(2, 3\) float64; expected"),
    (lambda: F.mse_loss(X, np.zeros((3, 2), np.float32)), VE, r"mse: pred has shape \(2, 3\) but target \(3, 2\)"),
    (lambda: F.mse_loss(X, np.zeros((2, 3), np.float32), reduction="bad"), VE, r"mse_loss: reduction must be one of"),
    (lambda: F.ctc_loss(t(5, 3), np.array([[1]]), [5], [1]), VE, r"ctc_loss: log_probs"),
    (lambda: F.ctc_loss(t(5, 1, 3), np.array([[1]]), [9], [1]), VE, r"ctc_loss: input_lengths must lie in"),
    (lambda: F.ctc_loss(t(5, 1, 3), np.array([[1]]), [5], [1], blank=3), VE, r"ctc_loss: blank must be a class id"),
    (lambda: F.ctc_loss(t(5, 1, 3), np.array([[1.0]]), [5], [1]), TE, r"ctc_loss: targets must hold integer"),
    # ---- functional: shape, indexing, similarity ----
    (lambda: F.cat([]), VE, r"cat: tensors must be a non-empty sequence"),
    (lambda: F.cat([X, t(2, 4)], 0), VE, r"cat: tensors\[1\] has shape \(2, 4\).*except in dim 0"),
    (lambda: F.cat([X], dim=5), IE, r"cat: dim out of range"),
    (lambda: F.cat(X), TE, r"cat: tensors must be a list or tuple"),
    (lambda: F.cat([X, t(2, 3, dtype=np.float64)]), TE, r"cat: tensors\[1\] is float64"),
    (lambda: F.cat([X, "a"]), TE, r"cat: tensors\[1\] must be a Tensor"),
    (lambda: F.stack([X, t(3, 2)]), VE, r"stack: tensors\[1\] has shape \(3, 2\)"),
    (lambda: F.stack([X], dim=4), IE, r"stack: dim out of range"),
    (lambda: F.split(X, 0), VE, r"split: split_size must be >= 1"),
    (lambda: F.split(X, -1), VE, r"split: split_size must be >= 1"),
    (lambda: F.split(X, [1, 2]), VE, r"split: sizes \[1, 2\] must add up to dim 0 of size 2"),
    (lambda: F.split(X, 1, dim=4), IE, r"split: dim out of range"),
    (lambda: F.split(X, 1.5), TE, r"split: split_size_or_sections must be an int or a list"),
    (lambda: F.where(np.ones((2, 3)), X, X), TE, r"where: condition must be a boolean"),
    (lambda: F.where(np.ones((4, 3), bool), X, X), VE, r"where: condition \(4, 3\), input \(2, 3\)"),
    (lambda: F.cosine_similarity(X, t(4, 5)), VE, r"cosine_similarity: x1 \(2, 3\) and x2 \(4, 5\) do not broadcast"),
    (lambda: F.cosine_similarity(X, X, dim=4), IE, r"cosine_similarity: dim out of range"),
    (lambda: F.cosine_similarity(X, t(2, 3, dtype=np.float64)), TE, r"cosine_similarity: x1 is float32 but x2"),
    (lambda: F.normalize(X, p=0), VE, r"normalize: p must be a number > 0"),
    (lambda: F.normalize(X, dim=3), IE, r"normalize: dim out of range"),
    (lambda: F.index_add(X, 0, np.zeros((1, 1), int), t(1, 3)), TE, r"index_add: index must be a 1-D integer"),
    (lambda: F.gather([1.0], 0, np.array([0])), TE, r"gather: input must be a Tensor"),
    (lambda: F.roll(X, (1, 1), dims=(0, 9)), IE, r"roll: dim out of range"),
    # ---- modules: constructors ----
    (lambda: nn.Linear(0, 3, rng=R), VE, r"Linear: in_features must be >= 1, got 0"),
    (lambda: nn.Linear(-1, 3, rng=R), VE, r"Linear: in_features must be >= 1, got -1"),
    (lambda: nn.Linear(3, 2.5, rng=R), TE, r"Linear: out_features must be an int"),
    (lambda: nn.Linear(3, 2), TE, r"Linear: pass rng=np.random.default_rng"),
    (lambda: nn.Embedding(0, 3, rng=R), VE, r"Embedding: num_embeddings must be >= 1"),
    (lambda: nn.Embedding(5, 3, padding_idx=5, rng=R), VE, r"Embedding: padding_idx must be in \[-5, 5\)"),
    (lambda: nn.Embedding(5, 3, padding_idx=1.0, rng=R), TE, r"Embedding: padding_idx must be an int"),
    (lambda: nn.Conv2d(0, 3, 3, rng=R), VE, r"Conv2d: in_channels must be >= 1"),
    (lambda: nn.Conv2d(3, 4, 0, rng=R), VE, r"Conv2d: kernel_size must be >= 1"),
    (lambda: nn.Conv2d(3, 4, (3,), rng=R), TE, r"Conv2d: kernel_size must be an int or a tuple of 2"),
    (lambda: nn.Conv2d(4, 6, 3, groups=4, rng=R), VE, r"Conv2d: groups=4 must divide in_channels=4 and out_channels=6"),
    (lambda: nn.Conv1d(3, 4, 0, rng=R), VE, r"Conv1d: kernel_size must be >= 1"),
    (lambda: nn.Conv1d(3, 0, 3, rng=R), VE, r"Conv1d: out_channels must be >= 1"),
    (lambda: nn.MaxPool2d(0), VE, r"MaxPool2d: kernel_size must be >= 1"),
    (lambda: nn.AvgPool2d((2, 2, 2)), TE, r"AvgPool2d: kernel_size must be an int or a tuple of 2"),
    (lambda: nn.LSTM(3, 0, rng=R), VE, r"LSTM: hidden_size must be >= 1"),
    (lambda: nn.LSTM(3, 4, num_layers=0, rng=R), VE, r"LSTM: num_layers must be >= 1"),
    (lambda: nn.LSTM(3, 4, dropout=1.5, rng=R), VE, r"LSTM: dropout must be a float in \[0, 1\)"),
    (lambda: nn.GRU(0, 4, rng=R), VE, r"GRU: input_size must be >= 1"),
    (lambda: nn.RNNCell(0, 3, rng=R), VE, r"RNNCell: input_size must be >= 1"),
    (lambda: nn.LSTMCell(3, -2, rng=R), VE, r"LSTMCell: hidden_size must be >= 1"),
    (lambda: nn.MultiheadAttention(8, 0, rng=R), VE, r"MultiheadAttention: num_heads must be >= 1"),
    (
        lambda: nn.MultiheadAttention(8, 3, rng=R),
        VE,
        r"MultiheadAttention: embed_dim 8 is not divisible by num_heads 3",
    ),
    (lambda: nn.MultiheadAttention(0, 1, rng=R), VE, r"MultiheadAttention: embed_dim must be >= 1"),
    (lambda: nn.LayerNorm(0), VE, r"LayerNorm: normalized_shape must be >= 1"),
    (lambda: nn.BatchNorm1d(0), VE, r"BatchNorm1d: num_features must be >= 1"),
    (lambda: nn.BatchNorm1d(3, momentum=2.0), VE, r"BatchNorm1d: momentum must be in \[0, 1\]"),
    (lambda: nn.Dropout(1.0), VE, r"Dropout: p must be a float in \[0, 1\)"),
    (lambda: nn.Dropout(0.5), TE, r"Dropout: pass rng=np.random.default_rng"),
    (lambda: nn.LocalResponseNorm(0), VE, r"LocalResponseNorm: size must be >= 1"),
    (lambda: nn.GELU("fast"), VE, r"GELU: approximate must be 'none' or 'tanh'"),
    (lambda: nn.Sequential(nn.relu), TE, r"Sequential: argument 0 is a function, not a Module"),
    (lambda: nn.Sequential(lin(), "relu"), TE, r"Sequential: argument 1 is a str, not a Module"),
    (lambda: nn.ModuleList([1]), TE, r"ModuleList: argument 0 is a int, not a Module"),
    (lambda: nn.MaskedLinear(3, 2, np.ones((3, 2)), rng=R), VE, r"MaskedLinear: mask has shape \(3, 2\)"),
    (lambda: nn.MaskedConv2d(2, 2, 3, np.ones((2, 2, 3)), rng=R), VE, r"MaskedConv2d: mask has shape \(2, 2, 3\)"),
    # ---- modules: forwards and state ----
    (lambda: lin()(t(4, 5)), VE, r"linear: x has shape \(4, 5\).*expected x \(\.\.\., in\)"),
    (lambda: lin()(t(4, 3, dtype=np.float64)), TE, r"linear: x is float64 but weight is float32"),
    (lambda: nn.Embedding(5, 2, rng=R)(np.array([1, 7])), VE, r"ids: id 7 is out of range; expected ids in \[0, 5\)"),
    (lambda: nn.Embedding(5, 2, rng=R)(np.array([1.0])), TE, r"ids: expected integer ids"),
    (lambda: nn.Conv2d(3, 4, 3, rng=R)(t(3, 8, 8)), VE, r"conv2d: x: expected shape \(N, C, H, W\)"),
    (lambda: nn.Conv2d(3, 4, 3, rng=R)(t(1, 2, 8, 8)), VE, r"conv2d: x has 2 channels"),
    (lambda: nn.LSTM(3, 4, rng=R)(t(2, 3)), VE, r"LSTM: x has shape \(2, 3\)"),
    (lambda: nn.GRU(3, 4, rng=R)(t(5, 2, 4)), VE, r"GRU: x has shape \(5, 2, 4\); expected \(T, B, I\) with I=3"),
    (lambda: nn.LSTM(3, 4, rng=R)(SEQ, (t(1, 2, 4), t(1, 3, 4))), VE, r"LSTM: initial state has shape \(1, 3, 4\)"),
    (lambda: mha()(t(4, 8), t(4, 8), t(4, 8)), VE, r"MultiheadAttention: query is \(4, 8\)"),
    (lambda: mha()(t(4, 2, 8), t(6, 2, 8), t(6, 2, 8), attn_mask=np.ones((4, 5), bool)), VE, r"attn_mask must be"),
    (
        lambda: mha()(t(4, 2, 8), t(6, 2, 8), t(6, 2, 8), key_padding_mask=np.ones((2, 5), bool)),
        VE,
        r"key_padding_mask must be",
    ),
    (lambda: mha()(t(4, 2, 8), t(6, 2, 7), t(6, 2, 8)), VE, r"MultiheadAttention: query .* key .* value"),
    (lambda: nn.LayerNorm(4)(X), VE, r"layer_norm: x has shape \(2, 3\)"),
    (lambda: nn.BatchNorm2d(4)(IMG), VE, r"BatchNorm2d: x has shape \(2, 3, 8, 8\)"),
    (lambda: nn.BatchNorm1d(3)(t(1, 3)), VE, r"batch_norm: expected more than 1 value per channel"),
    (lambda: lin().load_state_dict({"weight": np.zeros((2, 3))}), VE, r"load_state_dict: missing keys \['bias'\]"),
    (
        lambda: lin().load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)}),
        VE,
        r"load_state_dict: weight has shape \(3, 2\); expected \(2, 3\)",
    ),
    (lambda: lin().load_state_dict("x"), TE, r"load_state_dict: state must be a dict"),
    (
        lambda: lin().load_state_dict({"weight": np.full((2, 3), "a"), "bias": np.zeros(2)}),
        TE,
        r"load_state_dict: weight has dtype <U1",
    ),
    # ---- optimizers and schedulers ----
    (lambda: optim.SGD(sgd_params(), lr=-1.0), VE, r"SGD: invalid lr=-1.0; expected lr >= 0"),
    (lambda: optim.SGD(sgd_params(), lr="a"), TE, r"SGD: lr must be a number"),
    (lambda: optim.SGD([], lr=0.1), VE, r"SGD: params is an empty list"),
    (lambda: optim.SGD(sgd_params(), lr=0.1, momentum=-1.0), VE, r"SGD: invalid momentum=-1.0"),
    (lambda: optim.SGD(sgd_params(), lr=0.1, nesterov=True), VE, r"SGD: invalid nesterov"),
    (lambda: optim.SGD([np.ones(3)], lr=0.1), TE, r"SGD: params must be Parameters"),
    (lambda: nonleaf_param(), VE, r"SGD: can't optimize a non-leaf Tensor"),
    (lambda: optim.SGD([nn.Parameter(np.ones(2))] * 2, lr=0.1), VE, r"SGD: some parameters appear more than once"),
    (lambda: optim.Adam(sgd_params(), betas=(1.0, 0.9)), VE, r"Adam: invalid betas=\(1.0, 0.9\)"),
    (lambda: optim.Adam(sgd_params(), betas=(0.9,)), VE, r"Adam: invalid betas=\(0.9,\); expected a pair"),
    (lambda: optim.AdamW(sgd_params(), weight_decay=-0.1), VE, r"AdamW: invalid weight_decay=-0.1"),
    (lambda: optim.Adam(sgd_params(), eps=-1.0), VE, r"Adam: invalid eps=-1.0"),
    (lambda: optim.RMSprop(sgd_params(), alpha=-1.0), VE, r"RMSprop: invalid alpha=-1.0"),
    (lambda: optim.Adagrad(sgd_params(), lr_decay=-1.0), VE, r"Adagrad: invalid lr_decay=-1.0"),
    (lambda: step_with_bad_grad(), VE, r"SGD.step: grad has shape \(4,\); expected \(3,\)"),
    (lambda: optim.clip_grad_norm_(sgd_params(), -1.0), VE, r"clip_grad_norm_: invalid max_norm=-1.0"),
    (lambda: optim.StepLR(opt(), 0), VE, r"StepLR: invalid step_size=0"),
    (lambda: optim.StepLR("opt", 1), TE, r"StepLR: optimizer must be an Optimizer"),
    (lambda: optim.MultiStepLR(opt(), [3, -2]), VE, r"MultiStepLR: invalid milestones"),
    (lambda: optim.CosineAnnealingLR(opt(), 0), VE, r"CosineAnnealingLR: invalid T_max=0"),
    (lambda: optim.LambdaLR(opt(), 3), TE, r"LambdaLR: lr_lambda must be a callable"),
    (lambda: optim.LambdaLR(opt(), [abs, abs]), VE, r"LambdaLR: expected 1 lr_lambdas"),
    (lambda: optim.noam_lambda(0, 10), VE, r"noam_lambda: invalid d_model=0"),
    (lambda: opt().load_state_dict({}), VE, r"SGD.load_state_dict: state_dict has 0 param groups"),
    (lambda: optim.StepLR(opt(), 2).load_state_dict({}), VE, r"StepLR.load_state_dict: missing keys"),
    # ---- checkpoints ----
    (lambda: save_checkpoint("x.npz", {"__meta__": np.zeros(1)}, {}), VE, r"array name '__meta__' is reserved"),
    (lambda: save_checkpoint("x.npz", {1: np.zeros(1)}, {}), VE, r"array names must be non-empty str, got 1"),
    (lambda: save_checkpoint("x.npz", {"a": np.array([{}], object)}, {}), TE, r"array 'a' has dtype object"),
    (lambda: save_checkpoint("x.npz", {}, {"x": float("nan")}), TE, r"checkpoint meta must be JSON-able"),
    (lambda: rng_state("x"), TE, r"rng must be an np.random.Generator"),
    (lambda: set_rng_state(R, {"bit_generator": "MT19937"}), VE, r"rng state is for bit generator 'MT19937'"),
    (lambda: set_rng_state(None, {}), TE, r"rng must be an np.random.Generator"),
    # ---- gradient checks ----
    (lambda: rel_error(np.zeros(2), np.zeros(3)), VE, r"rel_error: shapes differ, \(2,\) vs \(3,\)"),
    (lambda: check_pair(relu_forward, relu_backward, [np.zeros(3, np.float32)]), TE, r"check_pair: input 0 is float32"),
    (lambda: check_pair(relu_forward, relu_backward, [np.zeros(3)], wrt=[2]), IE, r"check_pair: wrt index 2"),
    (lambda: numerical_grad(lambda: 0.0, np.zeros(3, int)), TE, r"numerical_grad: x must be a float64 array"),
    (lambda: directional_check(np.sin, [np.zeros(2)], [np.zeros(2), np.zeros(2)], 1.0), VE, r"directional_check: 1"),
]


@pytest.mark.parametrize(("call", "exc", "match"), CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_bad_call_raises_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04 truncated", np.random.default_rng(0).bytes(300)],
    ids=["empty", "truncated", "random"],
)
def test_damaged_checkpoint_raises_value_error_naming_the_file(tmp_path, data):
    with pytest.raises(ValueError, match=r"checkpoint .*bad\.npz"):
        write_and_load(tmp_path, data)


def test_the_table_is_large_and_distinct():
    assert len(CASES) >= 150
    assert len({m for _, _, m in CASES}) >= 150  # distinct expected messages, not one call repeated
