"""``sutskever30 list | run N | report``: argument parsing and printing; the work is in
``experiment.run_paper`` and ``sweep``.

Exit codes: 0 every claim passed; 1 a claim failed, a task failed or training diverged;
2 a usage error or output that cannot be written, always one line on stderr and no
traceback; 141 (128 + SIGPIPE) when the reader of stdout went away, as for other Unix tools.
"""

from __future__ import annotations

import argparse
import errno
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import registry, sweep
from ._malloc import keep_freed_memory
from .experiment import PRESETS, TrainingDiverged, claims_table, run_paper, tally

PROG = "sutskever30"
EXIT_PIPE = 141
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EROFS, errno.EACCES}


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit code 2."""


def _printable(text: str) -> str:
    """``text`` with control characters and newlines escaped, so an error stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage dump) and raise UsageError."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        allow_abbrev=False,
        description="The 30 papers of Ilya Sutskever's reading list, in NumPy, with every claim measured.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{list,run,report,site}", parser_class=_Parser)
    sub.required = True

    sub.add_parser("list", allow_abbrev=False, help="the 30 papers, their track and status")

    site = sub.add_parser("site", allow_abbrev=False, help="build the website (needs the [docs] extra and npm)")
    site.add_argument("--out", default="site", help="output directory (default site/)")
    site.add_argument("--no-notebooks", action="store_true", help="skip executing the notebooks (faster)")

    run = sub.add_parser("run", allow_abbrev=False, help="run one paper and write metrics.json, figures, report.md")
    run.add_argument("paper", metavar="N", help="paper number, 1-30")
    run.add_argument("--preset", default="quick", help="smoke (seconds), quick (default) or full (minutes)")
    run.add_argument("--seed", default="0", help="random seed, a non-negative integer (default 0)")
    run.add_argument("--out", default=None, help="output directory (default runs/pNN-PRESET-sSEED)")
    _backend_arguments(run, "a paper's independent arms (papers 7, 14, 16, 22)")

    rep = sub.add_parser(
        "report", allow_abbrev=False, help="run a grid of papers x seeds and write docs/results-style pages"
    )
    rep.add_argument("--preset", default="quick", help="smoke, quick (default) or full")
    rep.add_argument("--papers", default=None, help="comma-separated numbers (default: every built paper)")
    rep.add_argument("--seeds", default="0", help="seeds as 0-7 or 0,2,5 (default 0)")
    rep.add_argument("--out", default=None, help="where the result pages go (default runs/report-PRESET)")
    rep.add_argument("--runs", default=None, help="where each task's run directory goes (default runs/sweep-PRESET)")
    _backend_arguments(rep, "the tasks")
    return parser


def _backend_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--jobs", default=None, help=f"processes on this machine for {what} (default: one per core)")
    parser.add_argument(
        "--scheduler",
        default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
        help="a Dask scheduler address, tcp://host:8786 (default $DASK_SCHEDULER_ADDRESS; none: local cores)",
    )


def _scheduler(text: str | None) -> str | None:
    if text and not re.fullmatch(r"(tcp|tls|inproc|ucx)://\S+", text):
        raise UsageError(f"--scheduler must be an address like tcp://host:8786, got {text!r}")
    return text or None


# --------------------------------------------------------------------------------------
# Validation: every input checked once, before anything runs
# --------------------------------------------------------------------------------------

_DIGITS = re.compile(r"[0-9]+")  # ASCII only: int() would take '2_6', '٢٦' and '２６'


def _integer(text: str, what: str) -> int:
    if not _DIGITS.fullmatch(text):
        raise UsageError(f"{what} must be a non-negative integer in ASCII digits, got {text!r}")
    return int(text)


def _paper_number(text: str) -> int:
    n = _integer(text, "paper number")
    if n not in registry.PAPERS:
        raise UsageError(f"paper {n} does not exist; choose 1-{len(registry.PAPERS)}")
    if not registry.is_built(n):
        raise UsageError(f"paper {n} is not implemented yet")
    return n


def _preset(text: str) -> str:
    if text not in PRESETS:
        raise UsageError(f"unknown preset {text!r}; choose one of: {', '.join(PRESETS)}")
    return text


def _items(text: str, what: str) -> list[str]:
    items = [t.strip() for t in text.split(",")]
    if not text.strip() or any(not t for t in items):
        raise UsageError(f"{what} needs comma-separated values with none empty, got {text!r}")
    return items


def _paper_list(text: str | None) -> list[int]:
    if text is None:
        numbers = registry.built()
        if not numbers:
            raise UsageError("no paper is implemented yet")
        return numbers
    numbers = [_paper_number(t) for t in _items(text, "--papers")]
    if len(set(numbers)) != len(numbers):
        raise UsageError(f"--papers lists a paper twice: {text!r}")
    return numbers


def _seed_list(text: str) -> list[int]:
    seeds: list[int] = []
    for item in _items(text, "--seeds"):
        lo, dash, hi = item.partition("-")
        if dash:
            a, b = _integer(lo, "--seeds range start"), _integer(hi, "--seeds range end")
            if b < a:
                raise UsageError(f"--seeds range {item!r} runs backwards")
            seeds += range(a, b + 1)
        else:
            seeds.append(_integer(item, "--seeds"))
    if len(set(seeds)) != len(seeds):
        raise UsageError(f"--seeds lists a seed twice: {text!r}")
    return seeds


def _jobs(text: str | None) -> int:
    if text is None:
        return sweep.local_cores()
    jobs = _integer(text, "--jobs")
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {text!r}")
    return jobs


def _writable_dir(text: str, what: str) -> Path:
    """Create the directory if needed and prove it is writable by writing a file into it."""
    if not text.strip():
        raise UsageError(f"{what} must name a directory, got {text!r}")
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"{what} {text!r} is not writable: {reason}") from None
    return path


# --------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------


def cmd_list() -> int:
    rows = [(str(n), p.title, p.track, registry.status(n)) for n, p in registry.PAPERS.items()]
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"{'#':>{w[0]}}  {'title':<{w[1]}}  {'track':<{w[2]}}  status")
    for num, title, track, status in rows:
        print(f"{num:>{w[0]}}  {title:<{w[1]}}  {track:<{w[2]}}  {status}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    n = _paper_number(args.paper)
    preset = _preset(args.preset)
    seed = _integer(args.seed, "seed")
    jobs, scheduler = _jobs(args.jobs), _scheduler(args.scheduler)
    out = _writable_dir(args.out if args.out is not None else f"runs/p{n:02d}-{preset}-s{seed}", "--out")
    with sweep.backend(jobs, scheduler):
        _, found = run_paper(n, preset, seed, out)
    print(f"Paper {n}: {registry.get(n).title} ({preset}, seed {seed})")
    print(claims_table(found))
    n_pass, n_checked = tally(found)
    print(f"{n_pass}/{n_checked} claims passed; wrote {out}/metrics.json, report.md, figures")
    return 0 if n_pass == n_checked else 1


def cmd_report(args: argparse.Namespace, argv: Sequence[str]) -> int:
    preset = _preset(args.preset)
    numbers = _paper_list(args.papers)
    seeds = _seed_list(args.seeds)
    jobs = _jobs(args.jobs)
    out = _writable_dir(args.out if args.out is not None else f"runs/report-{preset}", "--out")
    runs = _writable_dir(args.runs if args.runs is not None else f"runs/sweep-{preset}", "--runs")
    scheduler = _scheduler(args.scheduler)

    def show(s: dict) -> None:
        verdict = f"error: {s['error']}" if s["error"] else f"{s['passed']}/{s['total']} claims passed"
        print(f"{s['task']}: {verdict}", flush=True)

    tasks = sweep.grid(numbers, [preset], seeds)
    summaries = sweep.run_sweep(tasks, runs, jobs=jobs, scheduler=scheduler, on_result=show)
    command = "sutskever30 " + " ".join(shlex.quote(a) for a in argv)
    sweep.record(summaries, out, runs=runs, command=command, commit=sweep.git_commit())
    bad = [s for s in summaries if s["error"] or s["passed"] != s["total"]]
    skipped = sum(1 for s in summaries if s.get("skipped"))
    print(
        f"{len(summaries) - len(bad)}/{len(summaries)} runs passed every claim"
        + (f" ({skipped} already done, not re-run)" if skipped else "")
        + f"; wrote {out}/"
    )
    return 0 if not bad else 1


def cmd_site(args: argparse.Namespace) -> int:
    out = _writable_dir(args.out, "--out")
    try:
        import material  # noqa: F401  (MkDocs Material)
        import mkdocs_jupyter  # noqa: F401

        from . import site
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise UsageError(f"the site needs the docs extra: pip install -e '.[docs]' ({exc})") from None
    built = site.build(out, notebooks=not args.no_notebooks)
    print(f"wrote the site to {built}/; serve it with: python -m http.server -d {built}")
    return 0


def _say(message: str) -> None:
    """One line on stderr; if stderr itself cannot be written, the exit code still tells."""
    try:
        print(f"{PROG}: {_printable(message)}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def _dispatch(argv: Sequence[str]) -> int:
    args = _build_parser().parse_args(argv)
    if args.command == "list":
        return cmd_list()
    if args.command == "site":
        return cmd_site(args)
    keep_freed_memory()  # fewer page faults per training step; see _malloc.py
    if args.command == "run":
        return cmd_run(args)
    return cmd_report(args, argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sutskever30`` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _dispatch(argv)
        sys.stdout.flush()
        return code
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except UsageError as exc:
        _say(f"error: {exc}")
        return 2
    except TrainingDiverged as exc:
        _say(f"training diverged: {exc}")
        return 1
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly; point stdout at /dev/null so the
        # interpreter's own flush at exit does not complain again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except OSError as exc:
        if exc.errno not in _WRITE_ERRORS:
            raise
        _say(f"error: cannot write output: {exc.strerror or exc}")  # stdout or a file on a full device
        return 2


if __name__ == "__main__":
    sys.exit(main())
