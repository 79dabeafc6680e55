"""Modules against their PyTorch twins: copy the PyTorch module's weights in through
``load_state_dict`` (same names, same layouts), run both in float64, compare outputs and
every parameter and input gradient to 1e-6."""

import numpy as np
import pytest

from sutskever30 import nn

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-6, 1e-9


def copy_weights(ours: nn.Module, theirs) -> None:
    state = {
        k: v.detach().numpy().astype(np.float64)
        for k, v in theirs.state_dict().items()
        if k != "num_batches_tracked" and not k.endswith(".num_batches_tracked")
    }
    ours.double()
    ours.load_state_dict(state)


def as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def compare(ours, theirs, x: np.ndarray, call=None, tcall=None, seed=1):
    """Forward both, backward one random upstream gradient per output, compare all."""
    theirs = theirs.double()
    copy_weights(ours, theirs)
    xs, xt = nn.Tensor(x.copy(), requires_grad=True), torch.tensor(x.copy(), requires_grad=True)
    outs = as_tuple((call or (lambda m, v: m(v)))(ours, xs))
    touts = as_tuple((tcall or (lambda m, v: m(v)))(theirs, xt))
    rng = np.random.default_rng(seed)
    douts = []
    for o, t in zip(outs, touts):
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=RTOL, atol=ATOL)
        douts.append(rng.standard_normal(o.shape))
    total = sum((o * d).sum() for o, d in zip(outs, douts))
    total.backward()
    torch.autograd.backward(list(touts), [torch.tensor(d) for d in douts])
    np.testing.assert_allclose(xs.grad, xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    tparams = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, tparams[name].grad.numpy(), rtol=RTOL, atol=ATOL, err_msg=name)


def X(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


R = np.random.default_rng(0)


def test_linear_sequential():
    ours = nn.Sequential(nn.Linear(5, 7, rng=R), nn.Tanh(), nn.Linear(7, 3, rng=R))
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3))
    compare(ours, theirs, X(4, 5))


def test_layer_norm():
    compare(nn.LayerNorm(6), torch.nn.LayerNorm(6), X(2, 3, 6))
    compare(nn.LayerNorm((3, 6)), torch.nn.LayerNorm((3, 6)), X(2, 3, 6))
    compare(
        nn.LayerNorm((3, 6), elementwise_affine=False), torch.nn.LayerNorm((3, 6), elementwise_affine=False), X(2, 3, 6)
    )


@pytest.mark.parametrize("train", [True, False])
def test_batch_norm_2d_both_modes(train):
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3).double()
    with torch.no_grad():  # non-trivial affine params and running stats
        theirs.weight.uniform_(0.5, 1.5)
        theirs.bias.uniform_(-0.5, 0.5)
        theirs.running_mean.uniform_(-1, 1)
        theirs.running_var.uniform_(0.5, 2)
    ours.train(train)
    theirs.train(train)
    compare(ours, theirs, X(4, 3, 5, 5))
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=RTOL)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=RTOL)


def test_batch_norm_1d():
    compare(nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), X(6, 4))


def test_conv_pool_net():
    ours = nn.Sequential(
        nn.Conv2d(2, 4, 3, stride=2, padding=2, dilation=2, rng=R),
        nn.ReLU(),
        nn.MaxPool2d(3, 2),
        nn.Flatten(),
        nn.Linear(4 * 2 * 2, 3, rng=R),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, stride=2, padding=2, dilation=2),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(3, 2),
        torch.nn.Flatten(),
        torch.nn.Linear(16, 3),
    )
    compare(ours, theirs, X(2, 2, 11, 11))


def test_conv1d():
    compare(
        nn.Conv1d(3, 4, 3, padding=2, dilation=2, rng=R), torch.nn.Conv1d(3, 4, 3, padding=2, dilation=2), X(2, 3, 9)
    )


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(cls):
    ours, theirs = getattr(nn, cls)(4, 5, rng=R), getattr(torch.nn, cls)(4, 5)
    compare(ours, theirs, X(3, 4))


def test_lstm_cell_with_state():
    h0, c0 = X(3, 5, seed=2), X(3, 5, seed=3)
    compare(
        nn.LSTMCell(4, 5, rng=R),
        torch.nn.LSTMCell(4, 5),
        X(3, 4),
        call=lambda m, v: m(v, (nn.Tensor(h0), nn.Tensor(c0))),
        tcall=lambda m, v: m(v, (torch.tensor(h0), torch.tensor(c0))),
    )


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_sequence_modules(cls, bidirectional):
    kw = dict(num_layers=2, bidirectional=bidirectional, batch_first=True)
    ours, theirs = getattr(nn, cls)(3, 4, rng=R, **kw), getattr(torch.nn, cls)(3, 4, **kw)

    def flat(out):  # (output, h_n) or (output, (h_n, c_n)) -> flat tuple
        o, s = out
        return (o, *s) if isinstance(s, tuple) else (o, s)

    compare(ours, theirs, X(2, 6, 3), call=lambda m, v: flat(m(v)), tcall=lambda m, v: flat(m(v)))


@pytest.mark.parametrize("batch_first", [False, True])
def test_multihead_attention_with_masks(batch_first):
    E, h, T, B = 8, 2, 5, 3
    ours = nn.MultiheadAttention(E, h, batch_first=batch_first, rng=R)
    theirs = torch.nn.MultiheadAttention(E, h, batch_first=batch_first)
    causal = np.triu(np.ones((T, T), dtype=bool), k=1)  # True = not allowed (PyTorch)
    pad = np.zeros((B, T), dtype=bool)
    pad[1, -2:] = True
    kv = X(B, T, E, seed=4) if batch_first else X(T, B, E, seed=4)
    compare(
        ours,
        theirs,
        X(B, T, E) if batch_first else X(T, B, E),
        call=lambda m, q: m(q, nn.Tensor(kv), nn.Tensor(kv), attn_mask=causal, key_padding_mask=pad),
        tcall=lambda m, q: m(
            q, torch.tensor(kv), torch.tensor(kv), attn_mask=torch.tensor(causal), key_padding_mask=torch.tensor(pad)
        ),
    )


def test_embedding_and_dropout_eval():
    ours, theirs = nn.Embedding(6, 4, rng=R), torch.nn.Embedding(6, 4).double()
    copy_weights(ours, theirs)
    ids = np.array([[0, 5, 5], [2, 1, 0]])
    np.testing.assert_allclose(ours(ids).data, theirs(torch.tensor(ids)).detach().numpy())
    d = nn.Dropout(0.5, rng=R).eval()
    x = nn.Tensor(X(3, 3))
    np.testing.assert_array_equal(d(x).data, x.data)


def test_lstm_with_initial_state_and_dropout_off_in_eval():
    h0, c0 = X(4, 3, 5, seed=2), X(4, 3, 5, seed=3)  # (layers·directions, B, H)
    kw = dict(num_layers=2, bidirectional=True, dropout=0.3)
    ours, theirs = nn.LSTM(4, 5, rng=R, **kw).eval(), torch.nn.LSTM(4, 5, **kw).eval()

    def flat(out):
        o, (h, c) = out
        return o, h, c

    compare(
        ours,
        theirs,
        X(6, 3, 4),
        call=lambda m, v: flat(m(v, (nn.Tensor(h0), nn.Tensor(c0)))),
        tcall=lambda m, v: flat(m(v, (torch.tensor(h0), torch.tensor(c0)))),
    )
