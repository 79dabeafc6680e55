"""Bad input gets one clear error naming the argument and what was expected."""

import numpy as np
import pytest

from sutskever30 import nn

R = np.random.default_rng(0)


def t(*shape, dtype=np.float32):
    return nn.Tensor(np.zeros(shape, dtype))


def test_linear_wrong_in_features():
    lin = nn.Linear(3, 2, rng=R)
    with pytest.raises(ValueError, match=r"linear: x has shape \(4, 5\).*expected x \(\.\.\., in\)"):
        lin(t(4, 5))


def test_conv2d_wrong_rank_and_channels():
    conv = nn.Conv2d(3, 4, 3, rng=R)
    with pytest.raises(ValueError, match="conv2d"):
        conv(t(3, 8, 8))
    with pytest.raises(ValueError, match="conv2d.*channel"):
        conv(t(1, 2, 8, 8))


def test_cross_entropy_bad_targets():
    logits = t(4, 3)
    with pytest.raises(ValueError, match=r"target: id 3 is out of range; expected ids in \[0, 3\)"):
        nn.cross_entropy(logits, np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="target: id -1"):
        nn.cross_entropy(logits, np.array([0, 1, 2, -1]))
    with pytest.raises(TypeError, match="target: expected integer ids, got dtype float64"):
        nn.cross_entropy(logits, np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match=r"target: expected shape \(4,\), got \(3,\)"):
        nn.cross_entropy(logits, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"logits: expected shape \(N, C\)"):
        nn.cross_entropy(t(2, 4, 3), np.array([0, 1]))


def test_embedding_out_of_vocabulary():
    emb = nn.Embedding(5, 2, rng=R)
    with pytest.raises(ValueError, match=r"ids: id 7 is out of range; expected ids in \[0, 5\)"):
        emb(np.array([1, 7]))
    with pytest.raises(TypeError, match="ids: expected integer ids"):
        emb(np.array([1.0]))


def test_matmul_and_mse_shape_mismatch():
    with pytest.raises(ValueError, match="matmul.*same k"):
        t(2, 3) @ t(4, 5)
    with pytest.raises(ValueError, match="mse: pred has shape"):
        nn.mse_loss(t(2, 3), np.zeros((3, 2), np.float32))


def test_recurrent_modules_check_input():
    with pytest.raises(ValueError, match=r"LSTM: x has shape \(2, 3\)"):
        nn.LSTM(3, 4, rng=R)(t(2, 3))
    with pytest.raises(ValueError, match="I=3"):
        nn.GRU(3, 4, rng=R)(t(5, 2, 4))


def test_modules_require_explicit_rng():
    with pytest.raises(TypeError, match="rng=np.random.default_rng"):
        nn.Linear(3, 2)


def test_load_state_dict_checks_keys_and_shapes():
    lin = nn.Linear(3, 2, rng=R)
    with pytest.raises(KeyError, match="missing keys"):
        lin.load_state_dict({"weight": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"weight has shape \(3, 2\); expected \(2, 3\)"):
        lin.load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(2)})
