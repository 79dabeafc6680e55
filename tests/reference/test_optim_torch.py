"""Optimizers, LR schedules and gradient clipping against their torch twins.

Same float64 parameters, the same seeded sequence of gradients written straight into
``.grad`` (some of them None, which both must skip), 10 steps: parameters and optimizer
state must agree to 1e-10 after every step.
"""

import math

import numpy as np
import pytest

from sutskever30 import nn
from sutskever30.nn import optim

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-10, 1e-12
SHAPES = [(3, 4), (5,), (), (2, 1, 3)]
N_STEPS = 10
NO_GRAD = {(3, 1), (7, 1), (4, 2)}  # (step, param index) whose grad is None on that step

T = torch.optim
CONFIGS = {
    "sgd": (optim.SGD, T.SGD, dict(lr=0.1)),
    "sgd_momentum_dampening": (optim.SGD, T.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    "sgd_nesterov_wd": (
        optim.SGD,
        T.SGD,
        dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
    ),
    "adam": (optim.Adam, T.Adam, dict()),
    "adam_wd": (
        optim.Adam,
        T.Adam,
        dict(lr=0.02, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1),
    ),
    "adamw": (optim.AdamW, T.AdamW, dict()),
    "adamw_wd": (optim.AdamW, T.AdamW, dict(lr=0.02, betas=(0.85, 0.99), weight_decay=0.3)),
    "rmsprop": (optim.RMSprop, T.RMSprop, dict()),
    "rmsprop_centered_momentum": (
        optim.RMSprop,
        T.RMSprop,
        dict(lr=0.01, alpha=0.9, eps=1e-6, momentum=0.8, centered=True, weight_decay=0.05),
    ),
    "rmsprop_momentum": (optim.RMSprop, T.RMSprop, dict(lr=0.01, momentum=0.5)),
    "adagrad": (optim.Adagrad, T.Adagrad, dict()),
    "adagrad_decay": (
        optim.Adagrad,
        T.Adagrad,
        dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5),
    ),
}


def make_pair(seed=0):
    rng = np.random.default_rng(seed)
    init = [np.asarray(rng.standard_normal(s)) for s in SHAPES]
    ours = [nn.Parameter(a.copy()) for a in init]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    return rng, ours, theirs


def set_grads(rng, step, ours, theirs):
    for i, (p, t) in enumerate(zip(ours, theirs)):
        if (step, i) in NO_GRAD:
            p.grad, t.grad = None, None
        else:
            g = np.asarray(3.0 * rng.standard_normal(p.shape))
            p.grad, t.grad = g.copy(), torch.tensor(g.copy())


def assert_same(ours, theirs, opt, topt, where):
    for i, (p, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=f"param {i}, {where}")
        st, tst = opt.state.get(p, {}), topt.state.get(t, {})
        assert set(st) == set(tst), f"param {i}: state {sorted(st)}; torch has {sorted(tst)}"
        for name, value in st.items():  # torch keeps ``step`` as a 0-d float tensor
            theirs_value = tst[name].item() if name == "step" else tst[name].numpy()
            np.testing.assert_allclose(
                value, theirs_value, rtol=RTOL, atol=ATOL, err_msg=f"{name} of param {i}, {where}"
            )


def run_both(ours_cls, theirs_cls, ours_params, theirs_params, kwargs, rng):
    ours, theirs = ours_params, theirs_params
    flat_ours = ours if not isinstance(ours[0], dict) else [p for g in ours for p in g["params"]]
    flat_theirs = theirs if not isinstance(theirs[0], dict) else [p for g in theirs for p in g["params"]]
    opt, topt = ours_cls(ours, **kwargs), theirs_cls(theirs, **kwargs)
    for step in range(N_STEPS):
        set_grads(rng, step, flat_ours, flat_theirs)
        opt.step()
        topt.step()
        assert_same(flat_ours, flat_theirs, opt, topt, f"after step {step + 1}")
    return opt, topt


@pytest.mark.parametrize("name", list(CONFIGS))
def test_optimizer_matches_torch(name):
    ours_cls, theirs_cls, kwargs = CONFIGS[name]
    rng, ours, theirs = make_pair()
    run_both(ours_cls, theirs_cls, ours, theirs, kwargs, rng)


@pytest.mark.parametrize("name", ["sgd_nesterov_wd", "adam_wd", "rmsprop_momentum", "adagrad"])
def test_param_groups_match_torch(name):
    """Per-group overrides (lr, weight_decay) are used for their group only."""
    ours_cls, theirs_cls, kwargs = CONFIGS[name]
    rng, ours, theirs = make_pair(seed=1)
    lr = kwargs.get("lr", 0.01)
    og = [{"params": ours[:2], "lr": 3 * lr, "weight_decay": 0.2}, {"params": ours[2:]}]
    tg = [{"params": theirs[:2], "lr": 3 * lr, "weight_decay": 0.2}, {"params": theirs[2:]}]
    run_both(ours_cls, theirs_cls, og, tg, kwargs, rng)


# ---- learning-rate schedules -------------------------------------------------------------
def lambda_decay(epoch):
    return 0.9**epoch


def lambda_cyclic(epoch):
    return 1.0 + 0.5 * math.sin(epoch)


SCHEDULES = {
    "step": (
        lambda o: optim.StepLR(o, step_size=3, gamma=0.5),
        lambda o: T.lr_scheduler.StepLR(o, 3, 0.5),
    ),
    "step_default_gamma": (
        lambda o: optim.StepLR(o, step_size=4),
        lambda o: T.lr_scheduler.StepLR(o, 4),
    ),
    "multistep": (
        lambda o: optim.MultiStepLR(o, milestones=[2, 5, 5, 8], gamma=0.3),  # a repeated milestone
        lambda o: T.lr_scheduler.MultiStepLR(o, [2, 5, 5, 8], 0.3),
    ),
    "cosine": (
        lambda o: optim.CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
        lambda o: T.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
    ),
    "cosine_eta0": (
        lambda o: optim.CosineAnnealingLR(o, T_max=7),
        lambda o: T.lr_scheduler.CosineAnnealingLR(o, T_max=7),
    ),
    "lambda": (
        lambda o: optim.LambdaLR(o, lambda_decay),
        lambda o: T.lr_scheduler.LambdaLR(o, lambda_decay),
    ),
    "lambda_per_group": (
        lambda o: optim.LambdaLR(o, [lambda_decay, lambda_cyclic]),
        lambda o: T.lr_scheduler.LambdaLR(o, [lambda_decay, lambda_cyclic]),
    ),
    "noam": (
        lambda o: optim.WarmupInverseSqrt(o, d_model=64, warmup=6),
        lambda o: T.lr_scheduler.LambdaLR(o, optim.noam_lambda(64, 6)),
    ),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_torch(name):
    ours_sched, theirs_sched = SCHEDULES[name]
    _, ours, theirs = make_pair()
    opt = optim.SGD([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.03}], lr=0.1)
    topt = T.SGD([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.03}], lr=0.1)
    sched, tsched = ours_sched(opt), theirs_sched(topt)
    for epoch in range(25):  # past T_max: the cosine must turn back up as torch's does
        ours_lr, theirs_lr = sched.get_last_lr(), tsched.get_last_lr()
        np.testing.assert_allclose(ours_lr, theirs_lr, rtol=RTOL, atol=ATOL, err_msg=f"epoch {epoch}")
        assert [g["lr"] for g in opt.param_groups] == ours_lr
        topt.step()  # no grads: a no-op, but torch warns if the scheduler steps first
        opt.step()
        sched.step()
        tsched.step()


# ---- gradient clipping -------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng, ours, theirs = make_pair(seed=2)
    set_grads(rng, 4, ours, theirs)  # step 4: param 2 has no grad
    total = optim.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, float)
    np.testing.assert_allclose(total, ttotal.item(), rtol=RTOL)
    for p, t in zip(ours, theirs):
        if t.grad is None:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=RTOL, atol=ATOL)
