"""Paper 4's masked-recurrence LSTM pair against PyTorch (float64): without a mask it equals
``torch.nn.LSTM``; with a mask it equals a ``torch.nn.LSTMCell`` loop whose recurrent
input is multiplied by the same mask. Forward and every gradient to 1e-6."""

import numpy as np
import pytest

from sutskever30.papers import p04_rnn_regularization as p04

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("masked", [False, True], ids=["no-mask", "mask"])
def test_recurrent_dropout_pair_matches_torch(masked):
    rng = np.random.default_rng(0)
    T, B, I, H = 5, 3, 4, 6
    x, h0, c0 = rng.standard_normal((T, B, I)), rng.standard_normal((B, H)), rng.standard_normal((B, H))
    W_ih, W_hh = rng.standard_normal((4 * H, I)) * 0.5, rng.standard_normal((4 * H, H)) * 0.5
    b_ih, b_hh = rng.standard_normal(4 * H) * 0.5, rng.standard_normal(4 * H) * 0.5
    mask = (rng.random((T, B, H)) >= 0.4) / 0.6 if masked else None
    (out, hT, cT), cache = p04.lstm_recurrent_dropout_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh, mask)
    douts = tuple(rng.standard_normal(a.shape) for a in (out, hT, cT))
    dx, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh, _ = p04.lstm_recurrent_dropout_backward(douts, cache)

    cell = torch.nn.LSTMCell(I, H, dtype=torch.float64)
    with torch.no_grad():
        for name, a in (("weight_ih", W_ih), ("weight_hh", W_hh), ("bias_ih", b_ih), ("bias_hh", b_hh)):
            getattr(cell, name).copy_(torch.from_numpy(a))
    xt, ht, ct = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    h, c, outs = ht, ct, []
    for t in range(T):
        h_in = h if mask is None else h * torch.from_numpy(mask[t])
        h, c = cell(xt[t], (h_in, c))
        outs.append(h)
    out_t = torch.stack(outs)
    torch.autograd.backward([out_t, h, c], [torch.from_numpy(d) for d in douts])

    def close(ours, theirs, what):
        np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=1e-6, atol=1e-9, err_msg=what)

    close(out, out_t, "out")
    close(cT, c, "c_T")
    close(dx, xt.grad, "dx")
    close(dh0, ht.grad, "dh0")
    close(dc0, ct.grad, "dc0")
    close(dW_ih, cell.weight_ih.grad, "dW_ih")
    close(dW_hh, cell.weight_hh.grad, "dW_hh")
    close(db_ih, cell.bias_ih.grad, "db_ih")
    close(db_hh, cell.bias_hh.grad, "db_hh")
