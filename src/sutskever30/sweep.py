"""Sweeps: a grid of (paper, preset, seed, config overrides) run as independent tasks, and
the measured-results pages in ``docs/results/`` written from them. A paper's own
independent runs (paper 7's regulariser arms, the models of papers 14 and 16, paper 22's
model sizes) go through the same backends with :func:`map_tasks`.

* Every task runs :func:`experiment.run_paper` with one BLAS thread, in this process
  (``jobs=1``) or in a pool of processes (``jobs>1``), so the numbers are the same bit for
  bit whichever ran them (for one BLAS kernel).
* A task whose ``metrics.json`` exists with the same config is not run again: a killed
  sweep resumes where it stopped.
* A task that raises is reported with its error; the others go on.

``docs/results/NN_slug.json`` holds each preset's claims per seed, with the command, the
commit and the numerics; ``NN_slug.md`` is rendered from it, keeping the hand-written
"Notes" section between its markers.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from types import ModuleType
from typing import Any

from tqdm import tqdm

from . import registry
from ._malloc import keep_freed_memory
from .experiment import (
    Config,
    all_passed,
    blas_threads,
    claim_verdict,
    dump_json,
    format_measured,
    md_escape,
    module_digest,
    paper_vs_ours_table,
    quick_only_notes,
    run_paper,
    tally,
    write_text_atomic,
)


@dataclass(frozen=True)
class Task:
    """One run of the grid."""

    paper: int
    preset: str
    seed: int
    overrides: tuple[tuple[str, Any], ...] = field(default=())
    module: str = ""  # the paper's module, fixed when the grid is made (registry.module_name)

    @property
    def name(self) -> str:
        tail = "".join(f"-{k}={v}" for k, v in self.overrides)
        return f"p{self.paper:02d}-{self.preset}-s{self.seed}{tail}"

    def load(self) -> ModuleType:
        return importlib.import_module(self.module or registry.module_name(self.paper))

    def config(self) -> Config:
        return self.load().Config.preset(self.preset).replace(**dict(self.overrides))


def grid(papers: Iterable[int], presets: Iterable[str], seeds: Iterable[int], overrides=()) -> list[Task]:
    """Every (paper, preset, seed) combination, papers outermost."""
    return [Task(p, pr, s, tuple(overrides), registry.module_name(p)) for p in papers for pr in presets for s in seeds]


def _summary(task: Task, metrics: Mapping[str, Any] | None, error: str | None) -> dict[str, Any]:
    claims = list(metrics["claims"]) if metrics else []
    passed, checked = tally(claims)  # a quick-only claim on another preset counts neither way
    return {
        "task": task.name,
        "paper": task.paper,
        "preset": task.preset,
        "seed": task.seed,
        "overrides": dict(task.overrides),
        "seconds": metrics["seconds"] if metrics else None,
        "numerics": metrics["numerics"] if metrics else None,
        "claims": claims,
        "paper_vs_ours": list(metrics.get("paper_vs_ours", [])) if metrics else [],
        "figures": list(metrics.get("figures", [])) if metrics else [],
        "passed": passed,
        "total": checked,
        "error": error,
    }


def done(task: Task, runs: Path) -> dict[str, Any] | None:
    """The summary of a task already run with the same config, else None."""
    path = runs / task.name / "metrics.json"
    try:
        metrics = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if metrics.get("config") != task.config().to_dict() or metrics.get("seed") != task.seed:
        return None
    # the paper's code changed since (or the run predates the digest: its claims may be older)
    if metrics.get("module_sha256") != module_digest(task.load()):
        return None
    return _summary(task, metrics, None)


def run_task(task: Task, runs: str | Path) -> dict[str, Any]:
    """Run one task (with the runner's one BLAS thread); never raises (the error goes into the summary)."""
    out = Path(runs) / task.name
    try:
        config = task.config() if task.overrides else None
        run_paper(task.paper, task.preset, task.seed, out, config=config, module=task.load())
        return _summary(task, json.loads((out / "metrics.json").read_text(encoding="utf-8")), None)
    except Exception as exc:  # noqa: BLE001 - a failed task is reported, the sweep goes on
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({Path(last.filename).name}:{last.lineno})" if last else ""
        return _summary(task, None, f"{type(exc).__name__}: {exc}{where}")


def run_sweep(
    tasks: Sequence[Task],
    runs: str | Path,
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Run ``tasks`` (skipping those already done), one progress bar over tasks.

    ``jobs``: processes on this machine (1 = in this process). ``scheduler``: the address of
    a running Dask distributed scheduler (``tcp://host:8786``); tasks then run on its workers.
    Summaries come back in the order of ``tasks``.
    """
    runs = Path(runs)
    runs.mkdir(parents=True, exist_ok=True)
    summaries: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for i, task in enumerate(tasks):
        previous = done(task, runs)
        if previous is None:
            todo.append(i)
        else:
            summaries[i] = previous | {"skipped": True}
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc="sweep", unit="task", disable=None)
    try:
        fn = partial(run_task, runs=str(runs.resolve()))
        for k, summary in _completed(fn, [tasks[i] for i in todo], jobs, scheduler):
            summaries[todo[k]] = summary
            bar.update(1)
            if on_result is not None:
                on_result(summary)
    finally:
        bar.close()
    return [summaries[i] for i in range(len(tasks)) if i in summaries]


# --------------------------------------------------------------------------------------
# the backends: this process, a pool of local processes, a Dask cluster
# --------------------------------------------------------------------------------------

_BACKEND: dict[str, Any] = {"jobs": 1, "scheduler": None}  # where map_tasks sends work


def local_cores() -> int:
    """The local default for ``jobs``: one process per core."""
    return os.cpu_count() or 1


@contextmanager
def backend(jobs: int = 1, scheduler: str | None = None) -> Iterator[None]:
    """Within the block, :func:`map_tasks` runs on ``jobs`` local processes, or on the Dask
    scheduler at ``scheduler``. Outside any block it runs in this process. The CLI's ``run``
    sets it from ``--jobs``/``--scheduler``; a sweep's tasks run their own sweeps serially
    (they already fill the cores)."""
    saved = dict(_BACKEND)
    _BACKEND.update(jobs=int(jobs), scheduler=scheduler)
    try:
        yield
    finally:
        _BACKEND.update(saved)


def map_tasks(fn: Callable[..., Any], items: Iterable[Any], desc: str = "tasks", *, star: bool = False) -> list[Any]:
    """``[fn(item) for item in items]`` (``fn(*item)`` with ``star``) on the current
    :func:`backend`, one bar over items.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one)
    and each call must depend on its item alone (its own seeded generator): then the
    results are the same bit for bit on every backend, as for a sweep's tasks.
    """
    items = list(items)
    if star:
        fn = partial(_star, fn)
    results: list[Any] = [None] * len(items)
    bar = tqdm(total=len(items), desc=desc, unit="task", leave=False, disable=None)
    try:
        for k, value in _completed(fn, items, _BACKEND["jobs"], _BACKEND["scheduler"]):
            results[k] = value
            bar.update(1)
    finally:
        bar.close()
    return results


def _star(fn: Callable[..., Any], item: Sequence[Any]) -> Any:
    return fn(*item)


def _in_worker(fn: Callable[[Any], Any], item: Any) -> Any:
    """``fn(item)`` in a pool or Dask worker, under the run policy of the CLI's process.

    The worker was not started by the CLI: without keep_freed_memory conv steps page-fault
    and run ~4x slower (a Dask nanny also sets MALLOC_TRIM_THRESHOLD_=65536; see
    _malloc.py); one BLAS thread as every run; inner map_tasks calls stay in the worker.
    """
    keep_freed_memory()
    with blas_threads(), backend(jobs=1):
        return fn(item)


def _exit_with(parent: int) -> None:
    """Pool-worker start-up: exit when ``parent`` does. A SIGTERM or SIGKILL to a report's
    process skips the pool's shutdown, and its workers, blocked on a queue whose other end
    they also hold, would otherwise wait forever (Ctrl-C reaches the whole group anyway)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _completed(
    fn: Callable[[Any], Any], items: Sequence[Any], jobs: int, scheduler: str | None
) -> Iterator[tuple[int, Any]]:
    """Yield ``(k, fn(items[k]))`` as each call finishes, on the backend given."""
    if scheduler is not None:
        from distributed import Client  # the [cluster] extra
        from distributed import as_completed as dask_as_completed

        with Client(scheduler) as client:
            futures = {client.submit(_in_worker, fn, item, pure=False): k for k, item in enumerate(items)}
            for future in dask_as_completed(list(futures)):
                yield futures[future], future.result()
    elif jobs <= 1 or len(items) <= 1:
        for k, item in enumerate(items):
            yield k, fn(item)  # in this process, under the caller's policy
    else:
        # spawn: a fresh interpreter per worker, nothing inherited from this one's BLAS pools
        spawn = get_context("spawn")
        with ProcessPoolExecutor(jobs, spawn, initializer=_exit_with, initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(_in_worker, fn, item): k for k, item in enumerate(items)}
            for future in as_completed(futures):
                yield futures[future], future.result()


# --------------------------------------------------------------------------------------
# docs/results
# --------------------------------------------------------------------------------------

NOTES_START = "<!-- notes:start (hand-written; kept when the CLI rewrites this file) -->"
NOTES_END = "<!-- notes:end -->"
DEFAULT_NOTES = "Nothing recorded yet."


def git_commit(where: Path | None = None) -> str:
    """The checkout's commit (short), with ``+dirty`` when tracked files differ from it."""
    where = where or Path(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(where), "diff", "--quiet", "HEAD"], capture_output=True).returncode
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def results_stem(number: int) -> str:
    info = registry.get(number)
    return f"{number:02d}_{info.slug}"


def record(
    summaries: Sequence[Mapping[str, Any]], results: str | Path, *, runs: str | Path, command: str, commit: str
) -> list[Path]:
    """Merge the sweep's summaries into ``results/NN_slug.json`` and re-render the pages.

    A (paper, preset) that this sweep ran replaces that preset's section whole; other
    presets in the file are kept. The lowest seed's "paper vs ours" rows and figures
    (copied from its run directory in ``runs`` to ``results/NN_slug/PRESET/``) represent the
    preset. Returns the markdown files written.
    """
    results = Path(results)
    results.mkdir(parents=True, exist_ok=True)
    by_key: dict[tuple[int, str], list[Mapping[str, Any]]] = {}
    for s in summaries:
        if not s.get("overrides"):  # a run with overrides is not the preset's record
            by_key.setdefault((s["paper"], s["preset"]), []).append(s)
    written = []
    for number in sorted({p for p, _ in by_key}):
        stem = results_stem(number)
        data_path = results / f"{stem}.json"
        data = json.loads(data_path.read_text(encoding="utf-8")) if data_path.exists() else {}
        for (p, preset), group in by_key.items():
            if p != number:
                continue
            group = sorted(group, key=lambda s: s["seed"])
            numerics = next((s["numerics"] for s in group if s["numerics"]), None)
            shown = next((s for s in group if not s["error"]), None)
            figures = _copy_figures(shown, Path(runs), results / stem / preset) if shown else []
            data[preset] = {
                "command": command,
                "commit": commit,
                "numerics": numerics,
                "shown_seed": shown["seed"] if shown else None,
                "paper_vs_ours": shown["paper_vs_ours"] if shown else [],
                "figures": figures,
                "seeds": {
                    str(s["seed"]): {"seconds": s["seconds"], "claims": s["claims"], "error": s["error"]} for s in group
                },
            }
        dump_json(data, data_path)
        md_path = results / f"{stem}.md"
        notes = _existing_notes(md_path)
        write_text_atomic(md_path, render_results(number, data, notes))
        written.append(md_path)
    write_text_atomic(results / "README.md", render_index(results))
    return written


def _copy_figures(summary: Mapping[str, Any], runs: Path, dest: Path) -> list[dict[str, str]]:
    """Copy one run's PNGs into the results folder; the names and relative paths."""
    if dest.exists():
        for old in dest.glob("*.png"):
            old.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for fig in summary["figures"]:
        src = runs / summary["task"] / fig["file"]
        if src.exists():
            shutil.copyfile(src, dest / fig["file"])
            copied.append({"name": fig["name"], "file": f"{dest.parent.name}/{dest.name}/{fig['file']}"})
    return copied


def _existing_notes(path: Path) -> str:
    if not path.exists():
        return DEFAULT_NOTES
    text = path.read_text(encoding="utf-8")
    if NOTES_START in text and NOTES_END in text:
        return text.split(NOTES_START, 1)[1].split(NOTES_END, 1)[0].strip() or DEFAULT_NOTES
    return DEFAULT_NOTES


PRESET_ORDER = ("quick", "full", "smoke")


def _mark(claim: Mapping[str, Any]) -> str:
    mark = {"PASS": "✓ ", "FAIL": "✗ ", "quick-only": "(quick-only) "}[claim_verdict(claim)]
    return mark + md_escape(format_measured(claim["measured"]))


def render_results(number: int, data: Mapping[str, Any], notes: str = DEFAULT_NOTES) -> str:
    """The page ``docs/results/NN_slug.md`` for one paper."""
    from .experiment import describe_numerics

    info = registry.get(number)
    lines = [
        f"# {number} · {info.title}",
        "",
        "Written by `sutskever30 report`; do not edit by hand, except the Notes section at the end.",
        "",
        f"> {info.claim}",
        "",
    ]
    for preset in [p for p in PRESET_ORDER if p in data]:
        section = data[preset]
        seeds = sorted(section["seeds"], key=int)
        runs = [section["seeds"][s] for s in seeds]
        statements = next((r["claims"] for r in runs if r["claims"]), [])
        n_ok = sum(1 for r in runs if not r["error"] and all_passed(r["claims"]))
        lines += [
            f"## Preset `{preset}`: every claim passed on {n_ok} of {len(runs)} seeds",
            "",
            f"- command: `{section['command']}`",
            f"- commit: `{section['commit']}`",
        ]
        if section.get("numerics"):
            lines.append(f"- numerics: {describe_numerics(section['numerics'])}")
        lines += ["", "| claim | " + " | ".join(f"seed {s}" for s in seeds) + " |"]
        lines.append("|---|" + "---|" * len(seeds))
        for i, claim in enumerate(statements):
            cells = []
            for r in runs:
                c = r["claims"][i] if i < len(r["claims"]) else None
                cells.append(_mark(c) if c else "—")
            lines.append(f"| {md_escape(claim['statement'])} | " + " | ".join(cells) + " |")
        lines.append("| seconds | " + " | ".join(f"{r['seconds']:.1f}" if r["seconds"] else "—" for r in runs) + " |")
        unchecked = quick_only_notes(list({c["statement"]: c for r in runs for c in r["claims"]}.values()))
        lines += [""] + unchecked if unchecked else []
        errors = [(s, r["error"]) for s, r in zip(seeds, runs) if r["error"]]
        if errors:
            lines += ["", "Errors:", ""] + [f"- seed {s}: `{md_escape(e)}`" for s, e in errors]
        if section.get("paper_vs_ours"):
            lines += [
                "",
                f"Paper vs ours (seed {section['shown_seed']}):",
                "",
                paper_vs_ours_table(section["paper_vs_ours"]),
            ]
        if section.get("figures"):
            lines += ["", f"Figures (seed {section['shown_seed']}):", ""]
            lines += [f"![{md_escape(f['name'])}]({f['file']})" for f in section["figures"]]
        lines.append("")
    lines += ["## Notes: what was tried and rejected", "", NOTES_START, notes, NOTES_END, ""]
    return "\n".join(lines)


def render_index(results: Path) -> str:
    """``docs/results/README.md``: one row per paper with a recorded run."""
    lines = [
        "# Measured results",
        "",
        "One page per paper, written by `sutskever30 report --seeds ... --out docs/results`.",
        "Seconds are the wall time each run took where it was recorded; runs that shared a busy",
        "machine with other work took longer than they do on an idle one.",
        "",
        "| # | paper | preset | claims passed (all seeds) | seeds | median seconds |",
        "|---:|---|---|---|---|---:|",
    ]
    for path in sorted(results.glob("[0-9][0-9]_*.json")):
        number = int(path.name[:2])
        data = json.loads(path.read_text(encoding="utf-8"))
        for preset in [p for p in PRESET_ORDER if p in data]:
            runs = list(data[preset]["seeds"].values())
            passed, total = tally([c for r in runs for c in r["claims"]])
            secs = sorted(r["seconds"] for r in runs if r["seconds"])
            median = f"{secs[len(secs) // 2]:.1f}" if secs else "—"
            title = md_escape(registry.get(number).title)
            lines.append(
                f"| {number} | [{title}]({path.stem}.md) | {preset} | {passed}/{total} | "
                f"{','.join(sorted(data[preset]['seeds'], key=int))} | {median} |"
            )
    return "\n".join(lines) + "\n"
