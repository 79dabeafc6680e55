"""experiment.py: Config presets, Claim/Result validation, train_loop's NaN guard and
checkpoint/resume (bit-identical to an uninterrupted run, with a real model and Adam)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pytest

from sutskever30 import experiment, nn
from sutskever30.experiment import Claim, Config, Result, TrainingDiverged, train_loop

# --------------------------------------------------------------------------------------
# Config
# --------------------------------------------------------------------------------------


@dataclass
class ToyConfig(Config):
    hidden: int = 16
    steps: int = 100
    sizes: tuple[int, ...] = (1, 2)
    extra: dict = field(default_factory=dict)

    @classmethod
    def smoke(cls) -> ToyConfig:
        return cls(steps=2)

    @classmethod
    def quick(cls) -> ToyConfig:
        return cls(steps=10)

    @classmethod
    def full(cls) -> ToyConfig:
        return cls(hidden=64, steps=1000)


def test_preset_dispatches_to_subclass_presets():
    assert ToyConfig.preset("smoke") == ToyConfig(steps=2)
    assert ToyConfig.preset("quick") == ToyConfig(steps=10)
    assert ToyConfig.preset("full") == ToyConfig(hidden=64, steps=1000)
    assert isinstance(ToyConfig.preset("full"), ToyConfig)


def test_unknown_preset_is_a_clear_value_error():
    with pytest.raises(ValueError, match=r"unknown preset 'medium'; choose one of: smoke, quick, full"):
        ToyConfig.preset("medium")


def test_preset_name_and_to_dict():
    assert ToyConfig.smoke().preset_name == "smoke"
    assert ToyConfig.quick().preset_name == "quick"
    assert ToyConfig.full().preset_name == "full"
    assert ToyConfig(hidden=3).preset_name == "custom"
    d = ToyConfig(sizes=(np.int64(3), 4), extra={"lr": np.float32(0.5)}).to_dict()
    assert d == {"hidden": 16, "steps": 100, "sizes": [3, 4], "extra": {"lr": 0.5}}
    assert type(d["sizes"][0]) is int
    json.dumps(d)


def test_a_config_without_smoke_or_full_says_so():
    @dataclass
    class Bare(Config):
        steps: int = 1

    assert Bare.preset("quick") == Bare()
    with pytest.raises(NotImplementedError, match="no smoke preset"):
        Bare.preset("smoke")
    assert Bare().preset_name == "quick"


def test_replace_checks_names_and_types():
    c = ToyConfig.quick().replace(hidden=8, sizes=[3, 4])
    assert c == ToyConfig(hidden=8, steps=10, sizes=(3, 4)) and c.preset_name == "custom"
    with pytest.raises(ValueError, match="has no field 'hiden'"):
        ToyConfig().replace(hiden=8)
    with pytest.raises(TypeError, match=r"ToyConfig.hidden must be int, got str"):
        ToyConfig().replace(hidden="8")
    with pytest.raises(TypeError, match=r"must be int, got bool"):
        ToyConfig().replace(steps=True)


# --------------------------------------------------------------------------------------
# Claim / Result
# --------------------------------------------------------------------------------------


def test_claim_coerces_numpy_bools_and_values():
    c = Claim("accuracy > 0.9", np.float32(0.95), np.float32(0.95) > 0.9)
    assert c.passed is True and type(c.passed) is bool
    assert type(c.measured) is float
    c = Claim("vector", {"a": np.arange(3), "b": (np.int32(1), np.nan)}, np.bool_(False))
    assert c.passed is False
    assert c.measured == {"a": [0, 1, 2], "b": [1, "nan"]}
    json.dumps(c.to_dict(), allow_nan=False)


@pytest.mark.parametrize("bad", [1, 0.0, "yes", None, np.array([True])])
def test_claim_rejects_non_bool_passed(bad):
    with pytest.raises(TypeError, match="passed must be a bool"):
        Claim("x", 1.0, bad)


def test_claim_rejects_unjsonable_measured():
    with pytest.raises(TypeError, match="not JSON-able"):
        Claim("x", object(), True)


def test_result_normalises_and_validates():
    r = Result(
        config=ToyConfig.quick(),
        metrics={"acc": np.float64(0.5), "curve": np.array([1, 2])},
        histories={"loss": np.array([1.0, 0.5], dtype=np.float32)},
        arrays={"grid": np.zeros((2, 2))},
    )
    assert r.config == ToyConfig.quick().to_dict()
    assert r.metrics == {"acc": 0.5, "curve": [1, 2]}
    assert r.histories == {"loss": [1.0, 0.5]} and type(r.histories["loss"][0]) is float
    with pytest.raises(TypeError, match=r"Result.metrics\['model'\]"):
        Result(metrics={"model": object()})
    with pytest.raises(TypeError, match=r"Result.arrays\['x'\]"):
        Result(arrays={"x": [1, 2]})


# --------------------------------------------------------------------------------------
# train_loop basics and the NaN guard
# --------------------------------------------------------------------------------------


def test_train_loop_calls_steps_in_order_and_records_losses():
    calls = []

    def step(i):
        calls.append(i)
        return 1.0 / (i + 1)

    losses = train_loop(step, 5, progress=False)
    assert calls == [0, 1, 2, 3, 4]
    assert losses == [1.0, 0.5, 1 / 3, 0.25, 0.2]


def test_train_loop_accepts_tensor_like_losses():
    losses = train_loop(lambda i: nn.Tensor(np.array(2.0 * i)), 3, progress=False)
    assert losses == [0.0, 2.0, 4.0]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_nan_guard_names_the_step_and_value(bad):
    calls = []

    def step(i):
        calls.append(i)
        return bad if i == 7 else 1.0

    with pytest.raises(TrainingDiverged, match=rf"loss is {bad} at step 7 \(of 20\)") as info:
        train_loop(step, 20, desc="toy", progress=False)
    assert isinstance(info.value, FloatingPointError)
    assert "toy" in str(info.value)
    assert calls == list(range(8)), "training must stop at the bad step"


def test_nan_guard_catches_a_real_divergence():
    w = np.array([1.0])

    def step(i):  # gradient descent on w**2 with lr 1.5: w -> -2w each step
        with np.errstate(over="ignore"):
            loss = float(w[0] ** 2)
            w[0] -= 1.5 * 2 * w[0]
        return loss

    with pytest.raises(TrainingDiverged, match=r"loss is inf at step 512 "):
        train_loop(step, 1000, progress=False)


def test_train_loop_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="n_steps"):
        train_loop(lambda i: 0.0, -1, progress=False)
    with pytest.raises(ValueError, match="need a checkpoint_path"):
        train_loop(lambda i: 0.0, 3, resume=True, progress=False)
    with pytest.raises(ValueError, match="need a checkpoint_path"):
        train_loop(lambda i: 0.0, 3, checkpoint_every=1, progress=False)
    with pytest.raises(ValueError, match="needs state"):
        train_loop(lambda i: 0.0, 3, checkpoint_path=tmp_path / "c.npz", progress=False)
    with pytest.raises(ValueError, match="unknown keys"):
        train_loop(lambda i: 0.0, 3, state={"model": None, "lr": 1}, progress=False)
    with pytest.raises(TypeError, match="Generator"):
        train_loop(lambda i: 0.0, 3, state={"rng": np.random.RandomState(0)}, progress=False)
    with pytest.raises(TypeError, match="must return a float loss"):
        train_loop(lambda i: "low", 3, progress=False)


# --------------------------------------------------------------------------------------
# Checkpoint / resume with a real model, Adam and a data/dropout rng
# --------------------------------------------------------------------------------------


class Crash(Exception):
    """Simulated interruption (a killed process)."""


def _spiral(n_per_class: int = 40, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(123)
    X, y = [], []
    for c in range(k):
        r = np.linspace(0.0, 1.0, n_per_class)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, 0.2, n_per_class)
        X.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        y.append(np.full(n_per_class, c))
    return np.concatenate(X).astype(np.float32), np.concatenate(y)  # (N, 2) float32 like the model


def _setup(seed: int = 0):
    """Build model, optimizer and rng exactly as a fresh process would."""
    from sutskever30.nn import optim

    rng = np.random.default_rng(seed)
    model = nn.Sequential(
        nn.Linear(2, 32, rng=rng),
        nn.ReLU(),
        nn.Linear(32, 3, rng=rng),
    )
    opt = optim.Adam(list(model.parameters()), lr=1e-2)
    sched = optim.StepLR(opt, step_size=7, gamma=0.5)
    return model, opt, sched, rng


def _make_step(model, opt, sched, rng, X, y, crash_at: int | None = None):
    def step(i: int) -> float:
        if crash_at is not None and i == crash_at:
            raise Crash(f"killed at step {i}")
        idx = rng.choice(len(X), size=16, replace=False)  # minibatch from the saved rng
        h = nn.relu(model[0](nn.Tensor(X[idx])))
        h = nn.dropout(h, p=0.2, training=True, rng=rng)  # and dropout from it too
        loss = nn.cross_entropy(model[2](h), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        return loss.item()

    return step


def _uninterrupted(n_steps: int):
    X, y = _spiral()
    model, opt, sched, rng = _setup()
    losses = train_loop(_make_step(model, opt, sched, rng, X, y), n_steps, progress=False)
    return losses, model.state_dict(), opt.state_dict(), rng.random()


def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    n_steps, every, crash_at = 30, 10, 17
    ref_losses, ref_weights, ref_opt, ref_next = _uninterrupted(n_steps)

    X, y = _spiral()
    path = tmp_path / "train.npz"
    model, opt, sched, rng = _setup()
    state = {"model": model, "optimizer": opt, "scheduler": sched, "rng": rng}
    with pytest.raises(Crash):
        train_loop(
            _make_step(model, opt, sched, rng, X, y, crash_at=crash_at),
            n_steps,
            state=state,
            checkpoint_path=path,
            checkpoint_every=every,
            progress=False,
        )
    assert path.exists()

    # A new "process": fresh objects, then resume from the step-10 checkpoint.
    model, opt, sched, rng = _setup()
    model.load_state_dict({k: v + 1.0 for k, v in model.state_dict().items()})  # garbage
    rng.random(100)  # and a different rng position: resume must overwrite both
    state = {"model": model, "optimizer": opt, "scheduler": sched, "rng": rng}
    losses = train_loop(
        _make_step(model, opt, sched, rng, X, y),
        n_steps,
        state=state,
        checkpoint_path=path,
        checkpoint_every=every,
        resume=True,
        progress=False,
    )
    assert losses == ref_losses  # exact float equality, every step
    for key, value in ref_weights.items():
        np.testing.assert_array_equal(model.state_dict()[key], value, err_msg=key)
    new_opt = opt.state_dict()
    assert list(new_opt) == list(ref_opt)
    for key, value in ref_opt.items():
        np.testing.assert_array_equal(new_opt[key], value, err_msg=key)
    assert rng.random() == ref_next
    assert sched.last_epoch == n_steps and opt.param_groups[0]["lr"] == 1e-2 * 0.5 ** (30 // 7)


@pytest.mark.parametrize("left_out", ["rng", "optimizer", "scheduler"])
def test_resume_with_missing_state_is_not_identical(tmp_path, left_out):
    """The previous test can fail: leave one part out of the state and the runs differ."""
    n_steps = 20
    ref_losses, *_ = _uninterrupted(n_steps)
    X, y = _spiral()
    path = tmp_path / "train.npz"

    def partial_state(model, opt, sched, rng):
        full = {"model": model, "optimizer": opt, "scheduler": sched, "rng": rng}
        return {k: v for k, v in full.items() if k != left_out}

    model, opt, sched, rng = _setup()
    with pytest.raises(Crash):
        train_loop(
            _make_step(model, opt, sched, rng, X, y, crash_at=15),
            n_steps,
            state=partial_state(model, opt, sched, rng),
            checkpoint_path=path,
            checkpoint_every=10,
            progress=False,
        )
    model, opt, sched, rng = _setup()
    losses = train_loop(
        _make_step(model, opt, sched, rng, X, y),
        n_steps,
        state=partial_state(model, opt, sched, rng),
        checkpoint_path=path,
        checkpoint_every=10,
        resume=True,
        progress=False,
    )
    assert losses[:10] == ref_losses[:10]
    assert losses[10:] != ref_losses[10:]


def test_resume_without_checkpoint_starts_fresh_and_saves_final(tmp_path):
    X, y = _spiral()
    ref_losses, ref_weights, _, _ = _uninterrupted(12)
    model, opt, sched, rng = _setup()
    path = tmp_path / "sub.npz"
    losses = train_loop(
        _make_step(model, opt, sched, rng, X, y),
        12,
        state={"model": model, "optimizer": opt, "scheduler": sched, "rng": rng},
        checkpoint_path=path,
        checkpoint_every=5,
        resume=True,
        progress=False,
    )
    assert losses == ref_losses
    from sutskever30.nn.checkpoint import load_checkpoint

    arrays, meta = load_checkpoint(path)
    assert meta["step"] == 12
    np.testing.assert_array_equal(arrays["losses"], np.array(ref_losses))
    np.testing.assert_array_equal(arrays["model/0.weight"], ref_weights["0.weight"])

    # Resuming a finished run does no more steps and returns the saved history.
    calls = []
    again = train_loop(
        lambda i: calls.append(i) or 0.0,
        12,
        state={"model": model, "optimizer": opt, "scheduler": sched, "rng": rng},
        checkpoint_path=path,
        resume=True,
        progress=False,
    )
    assert calls == [] and again == ref_losses


def test_resume_rejects_mismatched_state_or_length(tmp_path):
    X, y = _spiral()
    model, opt, sched, rng = _setup()
    path = tmp_path / "c.npz"
    train_loop(
        _make_step(model, opt, sched, rng, X, y),
        4,
        state={"model": model, "optimizer": opt, "scheduler": sched, "rng": rng},
        checkpoint_path=path,
        progress=False,
    )
    with pytest.raises(ValueError, match="same state keys"):
        train_loop(
            lambda i: 0.0,
            4,
            state={"model": model},
            checkpoint_path=path,
            resume=True,
            progress=False,
        )
    with pytest.raises(ValueError, match="beyond n_steps=3"):
        train_loop(
            lambda i: 0.0,
            3,
            state={"model": model, "optimizer": opt, "scheduler": sched, "rng": rng},
            checkpoint_path=path,
            resume=True,
            progress=False,
        )


def test_claims_table_formats():
    claims = [Claim("a | b", 0.123456, True), Claim("c", [1.0, 2.5], False)]
    md = experiment.claims_table(claims, markdown=True)
    assert md.splitlines()[2] == "| a \\| b | 0.1235 | PASS |"
    assert md.splitlines()[3] == "| c | [1, 2.5] | FAIL |"
    plain = experiment.claims_table(claims)
    assert "PASS" in plain and "FAIL" in plain


def test_numerics_reports_numpys_blas_even_with_scipys_loaded(monkeypatch):
    """SciPy brings a second OpenBLAS (its own version); metrics.json must name NumPy's,
    whichever the loader lists first (both orders are tried). NumPy's build record is the
    independent witness."""
    pytest.importorskip("scipy.linalg")
    threadpoolctl = pytest.importorskip("threadpoolctl")
    built = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
    if "openblas" not in built["name"] or len({p["version"] for p in pools}) < 2:
        pytest.skip("the check needs NumPy's and SciPy's OpenBLAS loaded, in different versions")
    for order in (pools, pools[::-1]):
        monkeypatch.setattr(threadpoolctl, "threadpool_info", lambda order=order: order)
        assert experiment.numerics_environment()["blas"]["version"] == built["version"]


def test_every_run_uses_the_blas_thread_policy(dummy_papers):
    """The CLI, sweeps, notebooks and tests all go through execute: one policy for all."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(2):
        result, _ = experiment.execute(2, "smoke", 0)
    blas = result.numerics["blas"]
    if blas is None:
        pytest.skip("threadpoolctl finds no BLAS pool in this NumPy")
    assert blas["threads"] == experiment.BLAS_THREADS
