"""What every paper shares, and the runner behind ``sutskever30 run``.

A paper module (``sutskever30.papers.pNN_slug``) provides only the science::

    class Config(experiment.Config)          hyper-parameters, with smoke(), quick() and full() presets
    run(config, rng) -> Result               trains / simulates for real; returns only what it measured
    claims(result) -> list[Claim]            the paper's effect as checkable statements
    figures(result) -> dict[str, Figure]     built through helpers in ``sutskever30.plots``
    paper_vs_ours(result) -> list[Row]       optional: the paper's numbers beside ours

and :func:`run_paper` does the plumbing: it builds the config and the RNG, times the run,
labels the :class:`Result`, calls ``claims`` and ``figures``, and writes ``metrics.json``,
``run.json``, ``report.md`` and the PNGs. Paper metadata (title, authors, headline claim)
lives in ``sutskever30.registry`` only.

Loops: :func:`train_loop` is for optimisation (its numbers are losses, with a NaN guard that
names the step); :func:`progress` is for simulations (a progress bar and nothing else).
Both show a bar on a terminal only, so piped output and logs stay readable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
from tqdm import tqdm

PRESETS: tuple[str, ...] = ("smoke", "quick", "full")
T = TypeVar("T")


def make_rng(seed: int) -> np.random.Generator:
    """The one way a seed becomes randomness (PCG64, bit-reproducible)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def check_preset(name: object) -> str:
    """``name`` if it is one of :data:`PRESETS`, else a ValueError that lists them."""
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}")
    return name


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------


def to_jsonable(value: Any, *, where: str = "value") -> Any:
    """Convert numpy scalars/arrays, tuples and Paths to plain JSON types.

    Non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"`` so the output is
    strict JSON. Anything else that JSON cannot hold raises ``TypeError`` naming ``where``.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isfinite(x):
            return x
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise TypeError(f"{where}: object arrays are not JSON-able")
        return to_jsonable(value.tolist(), where=where)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"{where}: keys must be str, got {k!r}")
            out[k] = to_jsonable(v, where=f"{where}[{k!r}]")
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, where=f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: {type(value).__name__} is not JSON-able")


def dump_json(obj: Any, path: str | Path) -> None:
    """Write strict JSON (no NaN), atomically."""
    text = json.dumps(to_jsonable(obj), indent=2, allow_nan=False, ensure_ascii=False) + "\n"
    write_text_atomic(path, text)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------------------
# Config / Claim / Result
# --------------------------------------------------------------------------------------


@dataclass
class Config:
    """Base class for a paper's hyper-parameters: a dataclass whose fields all have defaults.

    Three presets, each a classmethod a paper overrides::

        smoke()   ≤ 10 s: every code path, for notebooks and tests (claims need not pass)
        quick()   ≤ 30 s: what ``sutskever30 run N`` runs; every claim must pass
        full()    ≤ 5 min: the paper at its best on this machine
    """

    @classmethod
    def smoke(cls) -> Config:
        raise NotImplementedError(f"{cls.__module__}.{cls.__qualname__} has no smoke preset")

    @classmethod
    def quick(cls) -> Config:
        return cls()

    @classmethod
    def full(cls) -> Config:
        raise NotImplementedError(f"{cls.__module__}.{cls.__qualname__} has no full preset")

    @classmethod
    def preset(cls, name: str) -> Config:
        """``Config.preset("smoke" | "quick" | "full")``."""
        return getattr(cls, check_preset(name))()

    @property
    def preset_name(self) -> str:
        """The name of the preset this config equals, else "custom"."""
        for name in PRESETS:
            try:
                if self == type(self).preset(name):
                    return name
            except NotImplementedError:
                continue
        return "custom"

    def to_dict(self) -> dict[str, Any]:
        """The fields as a JSON-able dict (tuples become lists, numpy scalars plain)."""
        raw = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return to_jsonable(raw, where=f"{type(self).__name__}")

    def replace(self, **overrides: Any) -> Config:
        """A copy with some fields changed (for sweeps); an unknown field or another type is refused."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        clean: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in fields:
                raise ValueError(f"{type(self).__name__} has no field {name!r}; fields: {', '.join(fields)}")
            old = fields[name]
            if isinstance(old, tuple) and isinstance(value, list):
                value = tuple(value)  # JSON and the command line give lists
            elif isinstance(old, float) and type(value) is int:
                value = float(value)
            if old is not None and type(value) is not type(old):
                raise TypeError(
                    f"{type(self).__name__}.{name} must be {type(old).__name__}, got {type(value).__name__}"
                )
            clean[name] = value
        return dataclasses.replace(self, **clean)


@dataclass
class Claim:
    """One checkable statement of a paper's effect, with the number(s) behind the verdict."""

    statement: str
    measured: Any
    passed: bool
    # why the claim holds at the quick preset's scale only, in one line ("": at every preset)
    quick_only: str = ""
    checked: bool = True  # set by the runner: False for a quick-only claim on another preset

    def __post_init__(self) -> None:
        if not isinstance(self.statement, str) or not self.statement:
            raise TypeError("Claim.statement must be a non-empty str")
        if not isinstance(self.passed, (bool, np.bool_)):
            raise TypeError(
                f"Claim.passed must be a bool, got {type(self.passed).__name__} (claim: {self.statement!r})"
            )
        self.passed = bool(self.passed)
        if not isinstance(self.quick_only, str):
            raise TypeError(f"Claim.quick_only must be a str (the reason), got {type(self.quick_only).__name__}")
        self.measured = to_jsonable(self.measured, where=f"Claim({self.statement!r}).measured")

    @property
    def verdict(self) -> str:
        """PASS, FAIL, or "quick-only" when the runner did not check it on this preset."""
        return claim_verdict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        d = {"statement": self.statement, "measured": self.measured, "passed": self.passed}
        if self.quick_only:
            d |= {"quick_only": self.quick_only, "checked": self.checked}
        return d


QUICK_ONLY_PRESETS = ("quick", "smoke")  # where a quick-only claim is checked


def claim_verdict(claim: Mapping[str, Any]) -> str:
    """PASS, FAIL, or "quick-only" for a claim the preset does not check (a claim's dict)."""
    if not claim.get("checked", True):
        return "quick-only"
    return "PASS" if claim["passed"] else "FAIL"


def tally(claims: Sequence[Claim | Mapping[str, Any]]) -> tuple[int, int]:
    """(passed, checked) over claims or their dicts: a quick-only claim on another preset
    is shown but not counted either way."""
    dicts = [c.to_dict() if isinstance(c, Claim) else c for c in claims]
    checked = [c for c in dicts if c.get("checked", True)]
    return sum(bool(c["passed"]) for c in checked), len(checked)


def all_passed(claims: Sequence[Claim | Mapping[str, Any]]) -> bool:
    """Every checked claim passed (and there was at least one claim)."""
    passed, checked = tally(claims)
    return bool(claims) and passed == checked


@dataclass
class Result:
    """What a paper's ``run(config, rng)`` measured.

    ``metrics`` (JSON-able scalars/lists) and ``histories`` (curves) go into the JSON files;
    ``arrays`` hold what figures need (decision grids, attention maps) and stay in memory.
    The runner fills in the labels below the line; a paper never sets them.
    """

    metrics: dict[str, Any] = field(default_factory=dict)
    histories: dict[str, list[float]] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    # ---- set by the runner ----
    paper: int | None = None
    preset: str = "custom"
    seed: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    numerics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.config, Config):
            self.config = self.config.to_dict()
        self.config = to_jsonable(dict(self.config), where="Result.config")
        self.metrics = to_jsonable(dict(self.metrics), where="Result.metrics")
        hist: dict[str, list[float]] = {}
        for name, curve in self.histories.items():
            try:
                hist[name] = [float(v) for v in np.asarray(curve, dtype=np.float64).ravel()]
            except (TypeError, ValueError) as exc:
                raise TypeError(f"Result.histories[{name!r}] must be a sequence of floats") from exc
        self.histories = hist
        for name, arr in self.arrays.items():
            if not isinstance(arr, np.ndarray):
                raise TypeError(f"Result.arrays[{name!r}] must be an np.ndarray")
        self.seconds = float(self.seconds)


# --------------------------------------------------------------------------------------
# Loops: optimisation and simulation
# --------------------------------------------------------------------------------------


class TrainingDiverged(FloatingPointError):
    """A loss became NaN or Inf. The message names the step and the value."""


def progress(iterable: Iterable[T], desc: str, total: int | None = None) -> Iterator[T]:
    """A progress bar over ``iterable`` for simulations (no loss); shown on a terminal only."""
    # disable=None: tqdm turns itself off when stderr is not a terminal (pipes, CI logs)
    yield from tqdm(iterable, desc=desc, total=total, leave=False, disable=None, dynamic_ncols=True)


_STATE_KEYS = ("model", "optimizer", "scheduler", "rng")
_STATEFUL = ("model", "optimizer", "scheduler")  # objects with state_dict/load_state_dict


def _check_state(state: Mapping[str, Any] | None) -> dict[str, Any]:
    if state is None:
        return {}
    unknown = set(state) - set(_STATE_KEYS)
    if unknown:
        raise ValueError(f"state has unknown keys {sorted(unknown)}; allowed: {', '.join(_STATE_KEYS)}")
    if "rng" in state and not isinstance(state["rng"], np.random.Generator):
        raise TypeError("state['rng'] must be an np.random.Generator")
    for key in _STATEFUL:
        if key in state and not (hasattr(state[key], "state_dict") and hasattr(state[key], "load_state_dict")):
            raise TypeError(f"state[{key!r}] must have state_dict() and load_state_dict()")
    return dict(state)


def _save_training_state(
    path: Path, state: dict[str, Any], step: int, n_steps: int, losses: list[float], desc: str
) -> None:
    from .nn.checkpoint import rng_state, save_checkpoint

    arrays: dict[str, np.ndarray] = {"losses": np.asarray(losses, dtype=np.float64)}
    for key in _STATEFUL:
        if key in state:
            for name, arr in state[key].state_dict().items():
                arrays[f"{key}/{name}"] = np.asarray(arr)
    meta: dict[str, Any] = {"step": step, "n_steps": n_steps, "desc": desc}
    meta["parts"] = sorted(state)
    if "rng" in state:
        meta["rng"] = rng_state(state["rng"])
    save_checkpoint(path, arrays, meta)


def _load_training_state(path: Path, state: dict[str, Any], n_steps: int) -> tuple[int, list[float]]:
    from .nn.checkpoint import load_checkpoint, set_rng_state

    arrays, meta = load_checkpoint(path)
    saved_parts = sorted(meta.get("parts", []))
    if saved_parts != sorted(state):
        raise ValueError(
            f"checkpoint {path} holds {saved_parts} but state has {sorted(state)}; "
            "resume with the same state keys it was saved with"
        )
    step = int(meta["step"])
    if step > n_steps:
        raise ValueError(f"checkpoint {path} is at step {step}, beyond n_steps={n_steps}")
    for key in _STATEFUL:
        if key in state:
            prefix = f"{key}/"
            part = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
            state[key].load_state_dict(part)
    if "rng" in state:
        set_rng_state(state["rng"], meta["rng"])
    losses = [float(v) for v in arrays["losses"]]
    if len(losses) != step:
        raise ValueError(f"checkpoint {path} is corrupt: {len(losses)} losses for step {step}")
    return step, losses


def _as_float(loss: Any, i: int, desc: str) -> float:
    if hasattr(loss, "item"):
        loss = loss.item()
    try:
        return float(loss)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{desc}: step({i}) must return a float loss, got {type(loss).__name__}") from exc


def train_loop(
    step: Callable[[int], float],
    n_steps: int,
    *,
    desc: str = "train",
    state: dict[str, Any] | None = None,
    checkpoint_path: str | Path | None = None,
    checkpoint_every: int = 0,
    resume: bool = False,
    progress: bool = True,
) -> list[float]:
    """Call ``step(i)`` for ``i`` in ``range(n_steps)`` and return the list of losses.

    * A NaN or Inf loss raises :class:`TrainingDiverged` naming the step and the value.
    * ``state={"model": m, "optimizer": opt, "rng": rng}`` names what a checkpoint holds
      (add ``"scheduler": sched`` when an lr schedule is used).
      With ``checkpoint_path`` it is saved every ``checkpoint_every`` steps (if > 0) and at
      the end; ``resume=True`` continues from the checkpoint if the file exists (otherwise it
      starts at step 0). Everything ``step`` depends on must be in ``state`` (or be a pure
      function of ``i``) for a resumed run to equal an uninterrupted one bit for bit.
    * ``progress=False`` hides the bar; with True it shows on a terminal only.
    """
    if isinstance(n_steps, bool) or not isinstance(n_steps, (int, np.integer)) or n_steps < 0:
        raise ValueError(f"n_steps must be an int >= 0, got {n_steps!r}")
    if isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, (int, np.integer)):
        raise ValueError(f"checkpoint_every must be an int >= 0, got {checkpoint_every!r}")
    if checkpoint_every < 0:
        raise ValueError(f"checkpoint_every must be an int >= 0, got {checkpoint_every!r}")
    parts = _check_state(state)
    path = Path(checkpoint_path) if checkpoint_path is not None else None
    if path is None and (resume or checkpoint_every):
        raise ValueError("resume and checkpoint_every need a checkpoint_path")
    if path is not None and not parts:
        raise ValueError("checkpoint_path needs state={'model': ..., 'optimizer': ..., 'rng': ...}")

    start, losses = 0, []
    if resume and path is not None and path.exists():
        start, losses = _load_training_state(path, parts, int(n_steps))

    every_postfix = max(1, int(n_steps) // 100)
    bar = tqdm(
        range(start, int(n_steps)),
        desc=desc,
        total=int(n_steps),
        initial=start,
        leave=False,
        disable=None if progress else True,  # None: only on a terminal
        dynamic_ncols=True,
    )
    try:
        for i in bar:
            loss = _as_float(step(i), i, desc)
            if not math.isfinite(loss):
                raise TrainingDiverged(
                    f"{desc}: loss is {loss} at step {i} (of {n_steps}); lower the learning rate or check the inputs"
                )
            losses.append(loss)
            if not bar.disable and (i % every_postfix == 0 or i == n_steps - 1):
                bar.set_postfix(loss=f"{loss:.4g}", refresh=False)
            if path is not None and checkpoint_every and (i + 1) % checkpoint_every == 0:
                _save_training_state(path, parts, i + 1, int(n_steps), losses, desc)
    finally:
        bar.close()
    if path is not None and (not checkpoint_every or n_steps % checkpoint_every != 0):
        _save_training_state(path, parts, int(n_steps), int(n_steps), losses, desc)
    return losses


# --------------------------------------------------------------------------------------
# The runner: number -> Config + rng -> run -> labelled Result -> claims -> files
# --------------------------------------------------------------------------------------


# Every run's BLAS threads. Two OpenBLAS threads gain nothing on these small matrices when
# the machine is idle, and made quick runs 2.3-3.6x slower when another process held the
# second core (the waiting thread spins): benchmarks/README.md has the measurements.
BLAS_THREADS = 1


def blas_threads(n: int | None = None) -> Any:
    """A with-block in which BLAS and OpenMP use ``n`` threads (default ``BLAS_THREADS``)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(BLAS_THREADS if n is None else int(n))


def numerics_environment() -> dict[str, Any]:
    """What, besides the seed, fixes the numbers: NumPy's version and its BLAS.

    Same seed, same numbers holds bit for bit for one BLAS kernel and thread count. OpenBLAS
    picks its matrix-product kernel by CPU (Haswell, SkylakeX, Zen, ...) and splits sums by
    thread count; either changes float32 rounding, which training then amplifies.
    """
    env: dict[str, Any] = {"numpy": np.__version__, "blas": None}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return env
    pools = [p for p in threadpool_info() if p.get("user_api") == "blas"]
    # SciPy ships its own OpenBLAS (another version); the one that counts is NumPy's,
    # which wheels keep in numpy.libs (numpy/.dylibs on macOS).
    ours = [p for p in pools if any(part.startswith("numpy") for part in Path(p.get("filepath", "")).parts[-3:-1])]
    if pools:
        pool = (ours or pools)[0]
        env["blas"] = {
            "library": pool.get("internal_api"),
            "version": pool.get("version"),
            "kernel": pool.get("architecture"),
            "threads": pool.get("num_threads"),
        }
    return env


def describe_numerics(env: Mapping[str, Any]) -> str:
    """'NumPy 2.4.6, openblas 0.3.31 (SkylakeX kernel, 2 threads)'."""
    blas = env.get("blas")
    text = f"NumPy {env.get('numpy')}"
    if blas:
        text += f", {blas['library']} {blas['version']} ({blas['kernel']} kernel, {blas['threads']} threads)"
    return text


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    return int(seed)


def execute(
    paper: int | ModuleType,
    preset: str = "quick",
    seed: int = 0,
    *,
    config: Config | None = None,
) -> tuple[Result, list[Claim]]:
    """Run one paper in this process and check its claims; writes nothing.

    ``config`` replaces the preset's (its label is then the config's own preset name).
    """
    from . import registry

    module = registry.load(paper) if not isinstance(paper, ModuleType) else paper
    name = module.__name__
    seed = _check_seed(seed)
    if config is None:
        config = module.Config.preset(check_preset(preset))
    elif not isinstance(config, module.Config):
        raise TypeError(f"config must be a {name}.Config, got {type(config).__name__}")
    else:
        preset = config.preset_name
    rng = make_rng(seed)
    with blas_threads():  # the same thread policy for the CLI, sweeps, notebooks and tests
        t0 = time.perf_counter()
        result = module.run(config, rng)
        seconds = time.perf_counter() - t0
        if not isinstance(result, Result):
            raise TypeError(f"{name}.run must return a Result, got {type(result).__name__}")
        result.paper = paper if isinstance(paper, int) else getattr(module, "NUMBER", None)
        result.preset, result.seed, result.seconds = preset, seed, seconds
        result.config = config.to_dict()
        result.numerics = numerics_environment()
        found = module.claims(result)
    if not isinstance(found, Sequence) or not all(isinstance(c, Claim) for c in found):
        raise TypeError(f"{name}.claims must return a list of Claim")
    if not found:
        raise ValueError(f"{name}.claims returned no claims")
    for c in found:
        c.checked = not c.quick_only or preset in QUICK_ONLY_PRESETS
    return result, list(found)


def module_digest(module: ModuleType) -> str:
    """SHA-256 of a paper module's source: a resumed sweep re-runs a task whose code changed."""
    return hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()


def metrics_document(
    title: str,
    result: Result,
    claims: Sequence[Claim],
    rows: Sequence[tuple[str, str, str]] = (),
    figures: Sequence[tuple[str, str]] = (),
    digest: str | None = None,
) -> dict[str, Any]:
    """The content of metrics.json (key order fixed: same seed, same file but ``seconds``)."""
    return {
        "paper": result.paper,
        "title": title,
        "module_sha256": digest,
        "preset": result.preset,
        "seed": result.seed,
        "seconds": round(float(result.seconds), 3),
        "numerics": result.numerics,
        "config": result.config,
        "claims": [c.to_dict() for c in claims],
        "paper_vs_ours": [list(row) for row in rows],
        "figures": [{"name": name, "file": file} for name, file in figures],
        "metrics": result.metrics,
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items()) + "}"
    return str(value)


def format_measured(value: Any) -> str:
    """A short human string for a claim's measured value (floats to 4 significant digits)."""
    return _fmt(value)


def md_escape(text: str) -> str:
    """Escape a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def claims_table(claims: Sequence[Claim], *, markdown: bool = False) -> str:
    """The claims as a table: statement, measured, PASS/FAIL (or quick-only, with its reason below)."""
    rows = [(c.statement, format_measured(c.measured), c.verdict) for c in claims]
    notes = quick_only_notes([c.to_dict() for c in claims])
    if markdown:
        lines = ["| claim | measured | result |", "|---|---|---|"]
        lines += [f"| {md_escape(s)} | {md_escape(m)} | {r} |" for s, m, r in rows]
        return "\n".join(lines + ([""] + notes if notes else []))
    w0 = max([len("claim")] + [len(r[0]) for r in rows])
    w1 = max([len("measured")] + [len(r[1]) for r in rows])
    lines = [f"{'claim':<{w0}}  {'measured':<{w1}}  result", f"{'-' * w0}  {'-' * w1}  ------"]
    lines += [f"{s:<{w0}}  {m:<{w1}}  {r}" for s, m, r in rows]
    return "\n".join(lines + notes)


def quick_only_notes(claims: Sequence[Mapping[str, Any]]) -> list[str]:
    """One line per quick-only claim this preset did not check: the claim and why."""
    return [
        f"- quick-only, not checked on this preset: {md_escape(c['statement'])} ({md_escape(c['quick_only'])})"
        for c in claims
        if not c.get("checked", True)
    ]


def paper_vs_ours_rows(module: ModuleType, result: Result) -> list[tuple[str, str, str]]:
    """The module's optional ``paper_vs_ours(result)`` rows: (quantity, the paper's, ours)."""
    fn = getattr(module, "paper_vs_ours", None)
    if fn is None:
        return []
    rows = [tuple(str(cell) for cell in row) for row in fn(result)]
    if not all(len(row) == 3 for row in rows):
        raise TypeError(f"{module.__name__}.paper_vs_ours must return (quantity, paper, ours) rows")
    return rows  # type: ignore[return-value]


def paper_vs_ours_table(rows: Sequence[tuple[str, str, str]]) -> str:
    lines = ["| | paper | ours |", "|---|---|---|"]
    lines += [f"| {md_escape(a)} | {md_escape(b)} | {md_escape(c)} |" for a, b, c in rows]
    return "\n".join(lines)


def _figure_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "figure"
    return f"{stem}.png"


def _paper_report(
    result: Result, claims: Sequence[Claim], figures: Sequence[tuple[str, str]], rows: Sequence[tuple[str, str, str]]
) -> str:
    from . import registry

    info = registry.get(result.paper) if result.paper in registry.PAPERS else None
    n_pass, n_checked = tally(claims)
    lines = [f"# Paper {result.paper}: {info.title if info else ''}", ""]
    if info:
        lines += [f"{info.authors} ({info.year})" + (f" — <{info.link}>" if info.link else ""), ""]
        lines += [f"> {info.claim}", ""]
    lines += [
        f"Preset `{result.preset}`, seed {result.seed}, {result.seconds:.1f} s. "
        f"**{n_pass}/{n_checked} claims passed.**",
        "",
        f"Numerics: {describe_numerics(result.numerics)}.",
        "",
        "## Claims",
        "",
        claims_table(claims, markdown=True),
        "",
    ]
    if rows:
        lines += ["## Paper vs ours", "", paper_vs_ours_table(rows), ""]
    lines += ["## Figures", ""]
    for name, filename in figures:
        lines += [f"![{name}]({filename})", ""]
    lines += ["## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {md_escape(k)} | {md_escape(format_measured(v))} |" for k, v in result.metrics.items()]
    lines += ["", "## Config", "", "| field | value |", "|---|---|"]
    lines += [f"| {k} | {md_escape(format_measured(v))} |" for k, v in result.config.items()]
    return "\n".join(lines) + "\n"


def run_paper(
    number: int,
    preset: str = "quick",
    seed: int = 0,
    out: str | Path | None = None,
    *,
    config: Config | None = None,
    module: ModuleType | None = None,
) -> tuple[Result, list[Claim]]:
    """Run paper ``number`` and write metrics.json, run.json, report.md and the figures into ``out``.

    ``out`` defaults to ``runs/pNN-PRESET-sSEED``; ``module`` to the registry's. Returns the
    labelled Result and its claims.
    """
    from . import plots, registry

    module = module or registry.load(number)
    result, found = execute(module, preset, seed, config=config)
    result.paper = number
    out = Path(out) if out is not None else Path("runs") / f"p{number:02d}-{result.preset}-s{result.seed}"
    out.mkdir(parents=True, exist_ok=True)
    figs = module.figures(result)
    if not isinstance(figs, dict) or not figs:
        raise TypeError(f"{module.__name__}.figures must return a non-empty dict of figures")
    written = []
    for name, fig in figs.items():
        filename = _figure_filename(str(name))
        plots.save(fig, out / filename)
        written.append((str(name), filename))
    rows = paper_vs_ours_rows(module, result)
    doc = metrics_document(registry.get(number).title, result, found, rows, written, module_digest(module))
    dump_json(doc, out / "metrics.json")
    dump_json({"config": result.config, "histories": result.histories}, out / "run.json")
    write_text_atomic(out / "report.md", _paper_report(result, found, written, rows))
    return result, found
