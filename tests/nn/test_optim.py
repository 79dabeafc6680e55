"""Optimizers, schedules and clipping: exact resume from a state_dict (also through .npz),
dtypes, skipping None grads, real training, bad arguments, the Transformer schedule."""

import math

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import optim

SHAPES = [(4, 3), (3,), ()]
FACTORIES = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    "adam": lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=0.01),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.01),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
}


def make_params(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [nn.Parameter(np.asarray(rng.standard_normal(s), dtype=dtype)) for s in SHAPES]


def grad_sequence(n_steps, dtype, seed=1):
    """Fixed gradients; param 1 has none at step 2, so per-parameter step counts differ."""
    rng = np.random.default_rng(seed)
    seq = [[np.asarray(rng.standard_normal(s), dtype=dtype) for s in SHAPES] for _ in range(n_steps)]
    if n_steps > 2:
        seq[2][1] = None
    return seq


def run(opt, params, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = None if g is None else g.copy()
        opt.step()


def resumed_vs_uninterrupted(name, dtype, save_load):
    """Run 5 steps, save, run 5 more; separately restore the saved state into fresh params
    and a fresh optimizer (with a wrong lr, which the load must overwrite), run the 5 more."""
    grads = grad_sequence(10, dtype)
    params = make_params(dtype)
    opt = FACTORIES[name](params)
    run(opt, params, grads[:5])
    saved, snapshot = opt.state_dict(), [p.data.copy() for p in params]
    run(opt, params, grads[5:])

    params2 = [nn.Parameter(a.copy()) for a in snapshot]
    opt2 = FACTORIES[name](params2)
    opt2.param_groups[0]["lr"] = 123.0
    loaded = save_load(saved)
    kept = {k: v.copy() for k, v in loaded.items()}
    opt2.load_state_dict(loaded)
    run(opt2, params2, grads[5:])
    for k, v in kept.items():  # the optimizer copied what it loaded; stepping left it alone
        np.testing.assert_array_equal(loaded[k], v, err_msg=k)
    for p, p2 in zip(params, params2):
        assert p2.data.dtype == dtype
        np.testing.assert_array_equal(p.data, p2.data)  # bit-identical, not just close
    return opt, opt2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(FACTORIES))
def test_state_dict_round_trip_is_bit_identical(name, dtype):
    resumed_vs_uninterrupted(name, dtype, save_load=lambda d: d)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_state_dict_survives_npz_without_pickle(name, tmp_path):
    def save_load(d):
        assert all(isinstance(v, np.ndarray) for v in d.values())
        np.savez(tmp_path / "opt.npz", **d)
        with np.load(tmp_path / "opt.npz", allow_pickle=False) as f:
            return {k: f[k] for k in f.files}

    resumed_vs_uninterrupted(name, np.float32, save_load)


def test_state_dict_keys_are_flat_and_torch_named():
    params = make_params(np.float64)
    opt = optim.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.5}])
    run(opt, params, grad_sequence(3, np.float64))
    d = opt.state_dict()
    assert d["group.1.lr"] == 0.5 and d["group.0.lr"] == 1e-3
    np.testing.assert_array_equal(d["group.0.params"], [0])
    np.testing.assert_array_equal(d["group.1.params"], [1, 2])
    np.testing.assert_array_equal(d["group.0.betas"], [0.9, 0.999])
    assert int(d["state.0.step"]) == 3 and int(d["state.1.step"]) == 2  # param 1 skipped once
    assert d["state.1.exp_avg"].shape == SHAPES[1]
    # A copy: stepping on must not change what was saved.
    before = d["state.0.exp_avg"].copy()
    run(opt, params, grad_sequence(1, np.float64, seed=5))
    np.testing.assert_array_equal(d["state.0.exp_avg"], before)


def test_load_state_dict_rejects_a_different_model():
    opt = optim.Adam(make_params(np.float64))
    run(opt, opt.param_groups[0]["params"], grad_sequence(1, np.float64))
    other = optim.Adam(make_params(np.float64)[:2])
    with pytest.raises(ValueError, match="group 0 has 3 params"):
        other.load_state_dict(opt.state_dict())
    with pytest.raises(ValueError, match="param groups"):
        optim.Adam([{"params": make_params(np.float64)[:1]}, {"params": make_params(np.float64)[1:]}]).load_state_dict(
            opt.state_dict()
        )


@pytest.mark.parametrize("name", list(FACTORIES))
def test_float32_stays_float32_in_place(name):
    params = make_params(np.float32)
    arrays = [p.data for p in params]
    opt = FACTORIES[name](params)
    # float64 grads on float32 params: the update is still done in float32.
    run(opt, params, grad_sequence(4, np.float64))
    for p, a in zip(params, arrays):
        assert p.data is a and p.data.dtype == np.float32  # updated in place
        for value in opt.state[p].values():
            assert not isinstance(value, np.ndarray) or value.dtype == np.float32


def test_hyperparameters_are_python_floats():
    """np.float64 hyper-parameters would promote float32 arithmetic (NEP 50), also after a
    load from arrays."""
    opt = optim.Adam(make_params(np.float32), lr=np.float64(0.01), betas=np.array([0.9, 0.99]))
    opt2 = optim.Adam(make_params(np.float32))
    opt2.load_state_dict(opt.state_dict())
    override = {
        "params": make_params(np.float32),
        "lr": np.float64(0.01),
        "betas": np.array([0.9, 0.99]),
    }
    opt3 = optim.Adam([override])
    for o in (opt, opt2, opt3):
        group = o.param_groups[0]
        assert type(group["lr"]) is float and type(group["eps"]) is float
        assert isinstance(group["betas"], tuple) and all(type(b) is float for b in group["betas"])
    # And the float32 arithmetic is the same whatever type the lr was given as.
    grads = grad_sequence(3, np.float32)
    params_a, params_b = make_params(np.float32), make_params(np.float32)
    run(optim.SGD([{"params": params_a, "lr": np.float64(0.1)}], lr=0.1), params_a, grads)
    run(optim.SGD(params_b, lr=0.1), params_b, grads)
    for a, b in zip(params_a, params_b):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("name", list(FACTORIES))
def test_none_grads_are_skipped(name):
    params = make_params(np.float64)
    before = params[1].data.copy()
    opt = FACTORIES[name](params)
    params[0].grad = np.ones(SHAPES[0])
    params[2].grad = np.asarray(0.5)
    opt.step()
    np.testing.assert_array_equal(params[1].data, before)
    assert params[1] not in opt.state
    assert not np.array_equal(params[0].data, make_params(np.float64)[0].data)


def test_zero_grad():
    params = make_params(np.float64)
    opt = optim.SGD(params, lr=0.1)
    for p in params:
        p.grad = np.ones(p.shape)
    grad0 = params[0].grad
    opt.zero_grad(set_to_none=False)
    assert params[0].grad is grad0 and not grad0.any()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_param_group_overrides_and_closure():
    params = make_params(np.float64)
    frozen = params[0].data.copy()
    opt = optim.SGD([{"params": params[:1], "lr": 0.0}, {"params": params[1:]}], lr=0.5)
    for p in params:
        p.grad = np.ones(p.shape)
    before = params[1].data.copy()
    assert opt.step(closure=lambda: 7.0) == 7.0
    np.testing.assert_array_equal(params[0].data, frozen)
    np.testing.assert_allclose(params[1].data, before - 0.5)


# ---- a real model ------------------------------------------------------------------------
TRAIN = {
    "sgd": lambda ps: optim.SGD(ps, lr=0.5, momentum=0.9),
    "adam": lambda ps: optim.Adam(ps, lr=0.05),
    "adamw": lambda ps: optim.AdamW(ps, lr=0.05),
    "rmsprop": lambda ps: optim.RMSprop(ps, lr=0.01),
    "adagrad": lambda ps: optim.Adagrad(ps, lr=0.5),
}


@pytest.mark.parametrize("name", list(TRAIN))
def test_training_a_linear_classifier_reduces_the_loss(name):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((128, 2)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0]) + 0.3 > 0).astype(np.int64)  # linearly separable
    model = nn.Linear(2, 2, rng=rng)
    opt = TRAIN[name](model.parameters())
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = nn.cross_entropy(model(nn.Tensor(X)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.4 * losses[0], f"{name}: loss {losses[0]:.3f} -> {losses[-1]:.3f}"
    accuracy = (model(nn.Tensor(X)).data.argmax(1) == y).mean()
    assert accuracy > 0.95
    assert model.weight.data.dtype == np.float32


# ---- bad arguments ----------------------------------------------------------------------
P = make_params(np.float64)
BAD = {
    "lr": lambda: optim.SGD(P, lr=-0.1),
    "momentum": lambda: optim.SGD(P, lr=0.1, momentum=-0.5),
    "nesterov": lambda: optim.SGD(P, lr=0.1, nesterov=True),
    "weight_decay": lambda: optim.SGD(P, lr=0.1, weight_decay=-1.0),
    "betas": lambda: optim.Adam(P, betas=(1.0, 0.999)),
    "eps": lambda: optim.Adam(P, eps=-1e-8),
    "lr=nan": lambda: optim.Adam(P, lr=float("nan")),
    "betas[1]": lambda: optim.AdamW(P, betas=(0.9, -0.1)),
    "alpha": lambda: optim.RMSprop(P, alpha=-0.9),
    "lr_decay": lambda: optim.Adagrad(P, lr_decay=-1.0),
    "initial_accumulator_value": lambda: optim.Adagrad(P, initial_accumulator_value=-1.0),
    "lr (group)": lambda: optim.Adam([{"params": P[:1], "lr": -1.0}, {"params": P[1:]}]),
    "step_size": lambda: optim.StepLR(optim.SGD(P, lr=0.1), step_size=0),
    "milestones": lambda: optim.MultiStepLR(optim.SGD(P, lr=0.1), milestones=[0.5, 3]),
    "milestones (negative)": lambda: optim.MultiStepLR(optim.SGD(P, lr=0.1), milestones=[-1]),
    "T_max": lambda: optim.CosineAnnealingLR(optim.SGD(P, lr=0.1), T_max=0),
    "d_model": lambda: optim.noam_lambda(0, 100),
    "warmup": lambda: optim.WarmupInverseSqrt(optim.SGD(P, lr=1.0), d_model=8, warmup=0),
    "max_norm": lambda: optim.clip_grad_norm_(P, max_norm=-1.0),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_arguments_raise_value_error_naming_them(case):
    argument = case.split(" ")[0].split("=")[0].split("[")[0]
    with pytest.raises(ValueError, match=rf"invalid {argument}="):
        BAD[case]()


def test_bad_params():
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    with pytest.raises(TypeError, match="Parameters"):
        optim.Adam([np.zeros(3)])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([{"params": P[:2]}, {"params": P[1:]}], lr=0.1)


# ---- schedules --------------------------------------------------------------------------
def test_noam_schedule_peaks_at_warmup():
    d_model, warmup = 512, 4000
    lam = optim.noam_lambda(d_model, warmup)
    steps = np.arange(1, 3 * warmup + 1)
    lrs = np.array([lam(s) for s in steps])
    assert steps[lrs.argmax()] == warmup
    assert math.isclose(lrs.max(), (d_model * warmup) ** -0.5, rel_tol=1e-12)
    assert math.isclose(lam(2), 2 * lam(1), rel_tol=1e-12)  # linear warm-up
    assert math.isclose(lam(4 * warmup), lam(warmup) / 2, rel_tol=1e-12)  # ∝ step^-0.5
    assert lam(0) == lam(1) > 0  # the first update is not wasted with lr = 0


def test_warmup_inverse_sqrt_drives_the_optimizer():
    opt = optim.Adam(make_params(np.float64), lr=2.0)  # lr is the scale factor
    sched = optim.WarmupInverseSqrt(opt, d_model=64, warmup=10)
    lrs = []
    for _ in range(40):
        lrs.append(opt.param_groups[0]["lr"])
        sched.step()
    assert int(np.argmax(lrs)) == 10
    assert math.isclose(lrs[10], 2.0 * (64 * 10) ** -0.5, rel_tol=1e-12)


SCHEDULERS = {
    "step": lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
    "multistep": lambda o: optim.MultiStepLR(o, milestones=[5, 9], gamma=0.5),
    "cosine": lambda o: optim.CosineAnnealingLR(o, T_max=8, eta_min=0.01),
    "noam": lambda o: optim.WarmupInverseSqrt(o, d_model=16, warmup=4),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_resume(name, tmp_path):
    def lr_run(opt, sched, n):
        out = []
        for _ in range(n):
            opt.step()
            sched.step()
            out.append(sched.get_last_lr()[0])
        return out

    opt = optim.SGD(make_params(np.float64), lr=0.2, momentum=0.9)
    sched = SCHEDULERS[name](opt)
    lr_run(opt, sched, 7)
    np.savez(tmp_path / "s.npz", **sched.state_dict())
    np.savez(tmp_path / "o.npz", **opt.state_dict())
    expected = lr_run(opt, sched, 6)

    opt2 = optim.SGD(make_params(np.float64), lr=0.2, momentum=0.9)
    sched2 = SCHEDULERS[name](opt2)
    with np.load(tmp_path / "o.npz", allow_pickle=False) as f:
        opt2.load_state_dict(f)
    with np.load(tmp_path / "s.npz", allow_pickle=False) as f:
        sched2.load_state_dict(f)
    assert sched2.last_epoch == 7
    assert lr_run(opt2, sched2, 6) == expected


def test_step_and_cosine_closed_forms():
    opt = optim.SGD(make_params(np.float64), lr=1.0)
    step = optim.StepLR(opt, step_size=2, gamma=0.1)
    seq = [step.get_last_lr()[0]] + [(step.step(), step.get_last_lr()[0])[1] for _ in range(5)]
    np.testing.assert_allclose(seq, [1, 1, 0.1, 0.1, 0.01, 0.01])

    opt = optim.SGD(make_params(np.float64), lr=1.0)
    multi = optim.MultiStepLR(opt, milestones=[330, 220])  # paper 15's 440 steps, unsorted on purpose
    lrs = {0: multi.get_last_lr()[0]}
    for t in range(1, 440):
        multi.step()
        lrs[t] = multi.get_last_lr()[0]
    assert [lrs[t] for t in (0, 219)] == [1.0, 1.0]
    assert lrs[220] == pytest.approx(0.1) and lrs[329] == pytest.approx(0.1)
    assert lrs[330] == pytest.approx(0.01) and lrs[439] == pytest.approx(0.01)

    opt = optim.SGD(make_params(np.float64), lr=1.0)
    cos = optim.CosineAnnealingLR(opt, T_max=4, eta_min=0.2)
    seq = [cos.get_last_lr()[0]] + [(cos.step(), cos.get_last_lr()[0])[1] for _ in range(4)]
    mid = 0.2 + 0.8 * (1 + math.cos(math.pi / 4)) / 2
    np.testing.assert_allclose(seq, [1.0, mid, 0.6, 1.2 - mid, 0.2])


# ---- clipping -----------------------------------------------------------------------------
def test_clip_grad_norm():
    params = make_params(np.float32)
    for p in params:
        p.grad = np.full(p.shape, 2.0, dtype=np.float32)  # 16 entries of 2: norm 8
    params[1].grad = None
    total = optim.clip_grad_norm_(params, max_norm=100.0)
    assert math.isclose(total, 2.0 * math.sqrt(13), rel_tol=1e-6)
    assert (params[0].grad == 2.0).all()  # under the limit: untouched
    total = optim.clip_grad_norm_(params, max_norm=1.0)
    grads = [p.grad for p in params if p.grad is not None]
    clipped = math.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads))
    assert math.isclose(clipped, 1.0, rel_tol=1e-5)
    assert all(g.dtype == np.float32 for g in grads)
    assert optim.clip_grad_norm_(params[1], 1.0) == 0.0  # no gradients at all
    params[0].grad[0, 0] = np.nan
    with pytest.raises(RuntimeError, match="nan"):
        optim.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
