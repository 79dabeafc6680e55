"""Paper 13's encoder and decoder layers against PyTorch's post-LN
``nn.TransformerEncoderLayer`` / ``nn.TransformerDecoderLayer`` (ReLU, dropout 0): same
weights, same masks, float64; outputs and every parameter's gradient equal to 1e-6."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.papers import p13_transformer as p13

torch = pytest.importorskip("torch")

D, H, D_FF, B, S, T = 16, 4, 24, 3, 6, 5


def _copy_attention(ours: p13.MultiHeadAttention, theirs) -> None:
    w = np.concatenate([ours.W_Q.weight.data, ours.W_K.weight.data, ours.W_V.weight.data])
    b = np.concatenate([ours.W_Q.bias.data, ours.W_K.bias.data, ours.W_V.bias.data])
    theirs.in_proj_weight.data = torch.tensor(w)
    theirs.in_proj_bias.data = torch.tensor(b)
    theirs.out_proj.weight.data = torch.tensor(ours.W_O.weight.data)
    theirs.out_proj.bias.data = torch.tensor(ours.W_O.bias.data)


def _copy_common(ours, theirs, norms: int) -> None:
    theirs.linear1.weight.data = torch.tensor(ours.ffn.W_1.weight.data)
    theirs.linear1.bias.data = torch.tensor(ours.ffn.W_1.bias.data)
    theirs.linear2.weight.data = torch.tensor(ours.ffn.W_2.weight.data)
    theirs.linear2.bias.data = torch.tensor(ours.ffn.W_2.bias.data)
    for k in range(1, norms + 1):
        mine, ref = getattr(ours, f"norm{k}"), getattr(theirs, f"norm{k}")
        rng = np.random.default_rng(k)  # non-trivial affine parameters
        mine.weight.data[...] = 1 + 0.1 * rng.standard_normal(D)
        mine.bias.data[...] = 0.1 * rng.standard_normal(D)
        ref.weight.data = torch.tensor(mine.weight.data)
        ref.bias.data = torch.tensor(mine.bias.data)


def _grads_equal(ours, pairs) -> None:
    for name, ref in pairs:
        mine = dict(ours.named_parameters())[name]
        np.testing.assert_allclose(mine.grad, ref.grad.numpy(), rtol=1e-6, atol=1e-8, err_msg=name)


def test_encoder_layer_matches_torch():
    rng = np.random.default_rng(0)
    ours = p13.EncoderLayer(D, H, D_FF, rng=rng).double()
    theirs = torch.nn.TransformerEncoderLayer(D, H, D_FF, dropout=0.0, batch_first=True, dtype=torch.float64)
    _copy_attention(ours.self_attn, theirs.self_attn)
    _copy_common(ours, theirs, norms=2)
    x = rng.standard_normal((B, S, D))
    pad = np.zeros((B, S), dtype=bool)
    pad[1, 4:] = True
    out = ours(nn.Tensor(x), (~pad)[:, None, None, :])
    xt = torch.tensor(x, requires_grad=True)
    ref = theirs(xt, src_key_padding_mask=torch.tensor(pad))
    keep = ~pad  # torch's fast path may zero padded rows; compare the real positions
    np.testing.assert_allclose(out.data[keep], ref.detach().numpy()[keep], rtol=1e-6, atol=1e-9)
    dout = rng.standard_normal(out.shape) * keep[..., None]
    out.backward(dout)
    ref.backward(torch.tensor(dout))
    _grads_equal(
        ours,
        [
            ("ffn.W_1.weight", theirs.linear1.weight),
            ("ffn.W_2.weight", theirs.linear2.weight),
            ("ffn.W_2.bias", theirs.linear2.bias),
            ("norm1.weight", theirs.norm1.weight),
            ("norm2.bias", theirs.norm2.bias),
            ("self_attn.W_O.weight", theirs.self_attn.out_proj.weight),
        ],
    )
    in_proj = np.concatenate(
        [ours.self_attn.W_Q.weight.grad, ours.self_attn.W_K.weight.grad, ours.self_attn.W_V.weight.grad]
    )
    np.testing.assert_allclose(in_proj, theirs.self_attn.in_proj_weight.grad.numpy(), rtol=1e-6, atol=1e-8)


def test_decoder_layer_matches_torch():
    rng = np.random.default_rng(1)
    ours = p13.DecoderLayer(D, H, D_FF, rng=rng).double()
    theirs = torch.nn.TransformerDecoderLayer(D, H, D_FF, dropout=0.0, batch_first=True, dtype=torch.float64)
    _copy_attention(ours.self_attn, theirs.self_attn)
    _copy_attention(ours.cross_attn, theirs.multihead_attn)
    _copy_common(ours, theirs, norms=3)
    y, mem = rng.standard_normal((B, T, D)), rng.standard_normal((B, S, D))
    pad = np.zeros((B, S), dtype=bool)
    pad[0, 3:] = True
    out = ours(nn.Tensor(y), nn.Tensor(mem), p13.causal_mask(T), (~pad)[:, None, None, :])
    ref = theirs(
        torch.tensor(y),
        torch.tensor(mem),
        tgt_mask=torch.tensor(~p13.causal_mask(T)),
        memory_key_padding_mask=torch.tensor(pad),
    )
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-6, atol=1e-9)
    dout = rng.standard_normal(out.shape)
    out.backward(dout)
    ref.backward(torch.tensor(dout))
    _grads_equal(
        ours,
        [
            ("ffn.W_1.bias", theirs.linear1.bias),
            ("norm3.weight", theirs.norm3.weight),
            ("cross_attn.W_O.weight", theirs.multihead_attn.out_proj.weight),
            ("self_attn.W_O.bias", theirs.self_attn.out_proj.bias),
        ],
    )
    for mine, ref_mha in ((ours.self_attn, theirs.self_attn), (ours.cross_attn, theirs.multihead_attn)):
        w = np.concatenate([mine.W_Q.weight.grad, mine.W_K.weight.grad, mine.W_V.weight.grad])
        np.testing.assert_allclose(w, ref_mha.in_proj_weight.grad.numpy(), rtol=1e-6, atol=1e-8)
