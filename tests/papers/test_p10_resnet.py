"""Paper 10 (ResNet): quick-preset claims on one seed, the skip-zeroed control equals the
plain net (forward and gradients), the skip is added before the final ReLU, layer and
parameter counts, He init, batch-norm variant, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.experiment import execute
from sutskever30.papers import p10_resnet as p10

PAPER = 10  # the quick fixture (tests/papers/conftest.py) runs this paper


@pytest.mark.slow
def test_quick_claims_all_pass(quick):
    failed = [(c.statement, c.measured) for c in quick[1] if not c.passed]
    assert not failed, failed


@pytest.mark.slow
def test_quick_result_is_complete(quick_result):
    r = quick_result
    assert r.paper == 10 and r.preset == "quick"
    cfg = p10.Config.quick()
    assert len(r.histories["res_40_epoch_err"]) == cfg.epochs
    assert {"train_error", "train_loss"} <= set(p10.figures(r))


def copy_weights(src: nn.Module, dst: nn.Module) -> None:
    dst.load_state_dict(src.state_dict())


@pytest.mark.parametrize("batch_norm", [False, True])
def test_skip_zeroed_residual_equals_plain(batch_norm):
    rng = np.random.default_rng(0)
    plain = p10.DeepMLP(10, np.random.default_rng(1), residual=False, batch_norm=batch_norm).double()
    res = p10.DeepMLP(10, np.random.default_rng(2), residual=True, batch_norm=batch_norm).double()
    copy_weights(plain, res)
    x = rng.standard_normal((16, 64))
    dout = rng.standard_normal((16, 10))
    outs, grads = [], []
    for model in (plain, res):
        if model is res:
            model.set_skip_scale(0.0)
        xt = nn.Tensor(x, requires_grad=True)
        out = model(xt)
        out.backward(dout)
        outs.append(out.data)
        grads.append([xt.grad] + [p.grad for p in model.parameters()])
    np.testing.assert_allclose(outs[0], outs[1], rtol=0, atol=1e-12)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    # with the shortcut on, the same weights compute something else
    res.set_skip_scale(1.0)
    assert np.abs(res(nn.Tensor(x)).data - outs[0]).max() > 1e-3


def test_block_adds_the_skip_before_the_final_relu():
    rng = np.random.default_rng(3)
    block = p10.Block(8, rng, residual=True).double()
    x = rng.standard_normal((5, 8))
    W1, b1 = block.fc1.weight.data, block.fc1.bias.data
    W2, b2 = block.fc2.weight.data, block.fc2.bias.data
    F_x = np.maximum(x @ W1.T + b1, 0) @ W2.T + b2
    np.testing.assert_allclose(block(nn.Tensor(x)).data, np.maximum(F_x + x, 0), atol=1e-12)
    # not relu(F) + x: that would let negative values through
    assert not np.allclose(block(nn.Tensor(x)).data, np.maximum(F_x, 0) + x)


def test_counts_and_init():
    rng = np.random.default_rng(0)
    for depth in (2, 20, 40):
        plain = p10.DeepMLP(depth, rng, residual=False)
        res = p10.DeepMLP(depth, rng, residual=True)
        assert plain.n_weight_layers() == res.n_weight_layers() == depth
        assert plain.num_parameters() == res.num_parameters()
    assert len(p10.DeepMLP(40, rng, residual=True).blocks) == 19
    big = p10.he_linear(400, 300, np.random.default_rng(0))
    assert abs(big.weight.data.std() - np.sqrt(2 / 400)) < 0.01 * np.sqrt(2 / 400) * 5
    assert np.all(big.bias.data == 0)
    res = p10.DeepMLP(6, np.random.default_rng(0), residual=True, branch_scale=0.1)
    plain = p10.DeepMLP(6, np.random.default_rng(0), residual=False, branch_scale=0.1)
    # the branch scale only touches the residual family's second layers
    np.testing.assert_allclose(res.blocks[0].fc2.weight.data, 0.1 * plain.blocks[0].fc2.weight.data, rtol=1e-6)
    np.testing.assert_array_equal(res.blocks[0].fc1.weight.data, plain.blocks[0].fc1.weight.data)


def test_bad_depth():
    with pytest.raises(ValueError, match="depth"):
        p10.DeepMLP(7, np.random.default_rng(0), residual=True)


def test_same_seed_same_numbers():
    (a, _), (b, _) = execute(10, "smoke", seed=1), execute(10, "smoke", seed=1)
    assert a.metrics == b.metrics and a.histories == b.histories
    c, _ = execute(10, "smoke", seed=2)
    assert c.histories["res_6_loss"] != a.histories["res_6_loss"]


def test_batch_norm_preset_runs():
    cfg = p10.Config.smoke().replace(epochs=1, batch_norm=True)
    r, _ = execute(p10, config=cfg)
    assert np.isfinite(r.metrics["res_6_train_loss"])
    model = p10.DeepMLP(6, np.random.default_rng(0), residual=True, batch_norm=True)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in model.modules()) == 5
