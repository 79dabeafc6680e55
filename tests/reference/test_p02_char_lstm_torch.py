"""Paper 2's hand-written backprop through time against PyTorch (float64): a 2-layer
``torch.nn.LSTM`` + ``Linear`` with the same weights, one-hot inputs, a carried-over state,
mean cross-entropy; the loss and every weight gradient equal to 1e-6."""

import numpy as np
import pytest

from sutskever30.papers import p02_rnn_effectiveness as p02

torch = pytest.importorskip("torch")


def test_hand_bptt_matches_torch():
    rng = np.random.default_rng(0)
    V, H, L, T, B = 7, 5, 2, 6, 3
    P = {k: 2 * v for k, v in p02.CharLSTM(V, H, L, rng=rng, dtype=np.float64).state_dict().items()}
    x, y = rng.integers(0, V, (T, B)), rng.integers(0, V, (T, B))
    h0, c0 = rng.standard_normal((L, B, H)), rng.standard_normal((L, B, H))
    loss, grads, _ = p02.loss_and_grads_by_hand(P, x, y, h0, c0)

    lstm = torch.nn.LSTM(V, H, L, dtype=torch.float64)
    head = torch.nn.Linear(H, V, dtype=torch.float64)
    with torch.no_grad():
        for k, v in P.items():
            module, name = (lstm, k[5:]) if k.startswith("lstm.") else (head, k[5:])
            getattr(module, name).copy_(torch.from_numpy(v))
    onehot = torch.nn.functional.one_hot(torch.from_numpy(x), V).double()
    out, _ = lstm(onehot, (torch.from_numpy(h0), torch.from_numpy(c0)))
    loss_t = torch.nn.functional.cross_entropy(head(out.reshape(T * B, H)), torch.from_numpy(y.reshape(-1)))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), abs=1e-12)
    for k in P:
        module, name = (lstm, k[5:]) if k.startswith("lstm.") else (head, k[5:])
        np.testing.assert_allclose(grads[k], getattr(module, name).grad.numpy(), rtol=1e-6, atol=1e-9, err_msg=k)
