"""``sutskever30 list | run N | report``: the command line.

Exit codes: 0 every claim passed; 1 a claim failed (or training diverged); 2 usage error
(unknown paper, paper not built yet, bad preset/seed, unwritable output directory), always
reported as one line on stderr without a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from . import registry
from .experiment import (
    PRESETS,
    Claim,
    Result,
    TrainingDiverged,
    claims_table,
    dump_json,
    execute,
    format_measured,
    metrics_document,
    numerics_environment,
    write_text_atomic,
)

PROG = "sutskever30"


class UsageError(Exception):
    """Bad command-line input: one line on stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (no usage dump) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="The 30 papers of Ilya Sutskever's reading list, in NumPy, with every claim measured.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{list,run,report}")
    sub.required = True

    sub.add_parser("list", help="the 30 papers, their track and status")

    run = sub.add_parser("run", help="run one paper and write metrics.json, figures, report.md")
    run.add_argument("paper", metavar="N", help="paper number, 1-30")
    run.add_argument("--preset", default="quick", help="quick (seconds, default) or full")
    run.add_argument("--seed", default="0", help="random seed (default 0)")
    run.add_argument("--out", default=None, help="output directory (default runs/pNN-PRESET-sSEED)")

    rep = sub.add_parser("report", help="run the built papers and write one summary table")
    rep.add_argument("--preset", default="quick", help="quick (default) or full")
    rep.add_argument("--papers", default=None, help="comma-separated numbers (default: all built)")
    rep.add_argument("--seed", default="0", help="random seed (default 0)")
    rep.add_argument("--out", default=None, help="output directory (default runs/report-PRESET)")
    return parser


# --------------------------------------------------------------------------------------
# Validation (everything that can be checked before a paper runs)
# --------------------------------------------------------------------------------------


def _paper_number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise UsageError(f"paper number must be an integer, got {text!r}") from None
    if n not in registry.PAPERS:
        raise UsageError(f"paper {n} does not exist; choose 1-{len(registry.PAPERS)}")
    if not registry.is_built(n):
        raise UsageError(f"paper {n} is not implemented yet")
    return n


def _preset(text: str) -> str:
    if text not in PRESETS:
        raise UsageError(f"unknown preset {text!r}; choose one of: {', '.join(PRESETS)}")
    return text


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise UsageError(f"seed must be a non-negative integer, got {text!r}") from None
    if seed < 0:
        raise UsageError(f"seed must be a non-negative integer, got {text!r}")
    return seed


def _writable_dir(path: Path) -> Path:
    """Create ``path`` if needed and prove it is writable by writing a file into it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"output directory {str(path)!r} is not writable: {reason}") from None
    return path


# --------------------------------------------------------------------------------------
# Writing one paper's outputs
# --------------------------------------------------------------------------------------


def _figure_filename(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "figure"
    return f"{stem}.png"


def _write_figures(module: ModuleType, result: Result, out: Path) -> list[tuple[str, str]]:
    from . import plots

    figs = module.figures(result)
    if not isinstance(figs, dict) or not figs:
        raise TypeError(f"{module.__name__}.figures must return a non-empty dict of figures")
    written = []
    for name, fig in figs.items():
        filename = _figure_filename(str(name))
        plots.save(fig, out / filename)
        written.append((str(name), filename))
    return written


def _describe_numerics(env: dict) -> str:
    """'NumPy 2.4.6, openblas 0.3.31 (SkylakeX kernel, 2 threads)' for report.md."""
    blas = env.get("blas")
    text = f"NumPy {env['numpy']}"
    if blas:
        text += f", {blas['library']} {blas['version']} ({blas['kernel']} kernel, {blas['threads']} threads)"
    return text


def _paper_report(
    info: registry.PaperInfo,
    result: Result,
    claims: Sequence[Claim],
    figures: Sequence[tuple[str, str]],
) -> str:
    n_pass = sum(c.passed for c in claims)
    lines = [
        f"# Paper {info.number}: {info.title}",
        "",
        f"{info.authors} ({info.year})" + (f" — <{info.link}>" if info.link else ""),
        "",
        f"Preset `{result.preset}`, seed {result.seed}, {result.seconds:.1f} s. "
        f"**{n_pass}/{len(claims)} claims passed.**",
        "",
        f"Numerics: {_describe_numerics(numerics_environment())}.",
        "",
        "## Claims",
        "",
        claims_table(claims, markdown=True),
        "",
        "## Figures",
        "",
    ]
    for name, filename in figures:
        lines += [f"![{name}]({filename})", ""]
    lines += ["## Metrics", "", "| metric | value |", "|---|---|"]
    lines += [f"| {k} | {format_measured(v)} |" for k, v in result.metrics.items()]
    lines += ["", "## Config", "", "| field | value |", "|---|---|"]
    lines += [f"| {k} | {format_measured(v)} |" for k, v in result.config.items()]
    return "\n".join(lines) + "\n"


def run_paper(n: int, preset: str, seed: int, out: Path) -> tuple[Result, list[Claim]]:
    """Run paper ``n`` and write metrics.json, run.json, the figures and report.md into ``out``."""
    info = registry.get(n)
    module = registry.load(n)
    result, found = execute(module, preset=preset, seed=seed)
    figures = _write_figures(module, result, out)
    dump_json(metrics_document(n, info.title, result, found), out / "metrics.json")
    dump_json({"config": result.config, "histories": result.histories}, out / "run.json")
    write_text_atomic(out / "report.md", _paper_report(info, result, found, figures))
    return result, found


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
    seed = _seed(args.seed)
    out = Path(args.out) if args.out is not None else Path("runs") / f"p{n:02d}-{preset}-s{seed}"
    _writable_dir(out)
    _, found = run_paper(n, preset, seed, out)
    info = registry.get(n)
    print(f"Paper {n}: {info.title} ({preset}, seed {seed})")
    print(claims_table(found))
    n_pass = sum(c.passed for c in found)
    print(f"{n_pass}/{len(found)} claims passed; wrote {out}/metrics.json, report.md, figures")
    return 0 if n_pass == len(found) else 1


def _paper_list(text: str | None) -> list[int]:
    if text is None:
        numbers = registry.built()
        if not numbers:
            raise UsageError("no paper is implemented yet")
        return numbers
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise UsageError(f"--papers needs comma-separated numbers, got {text!r}")
    numbers = [_paper_number(t) for t in items]
    if len(set(numbers)) != len(numbers):
        raise UsageError(f"--papers lists a paper twice: {text!r}")
    return numbers


def cmd_report(args: argparse.Namespace) -> int:
    preset = _preset(args.preset)
    seed = _seed(args.seed)
    numbers = _paper_list(args.papers)
    out = Path(args.out) if args.out is not None else Path("runs") / f"report-{preset}"
    _writable_dir(out)

    rows: list[dict[str, Any]] = []
    for n in numbers:
        info = registry.get(n)
        sub = _writable_dir(out / f"p{n:02d}")
        result, found = run_paper(n, preset, seed, sub)
        rows.append(
            {
                "paper": n,
                "title": info.title,
                "seconds": round(result.seconds, 3),
                "passed": sum(c.passed for c in found),
                "total": len(found),
                "claims": [c.to_dict() for c in found],
            }
        )
        print(f"paper {n:>2}: {rows[-1]['passed']}/{len(found)} claims passed", flush=True)

    all_passed = all(r["passed"] == r["total"] for r in rows)
    summary = {"preset": preset, "seed": seed, "all_passed": all_passed, "papers": rows}
    dump_json(summary, out / "summary.json")

    lines = [
        f"# sutskever30 report (preset `{preset}`, seed {seed})",
        "",
        f"{sum(r['passed'] for r in rows)}/{sum(r['total'] for r in rows)} claims passed over {len(rows)} paper(s).",
        "",
        "| paper | claim | measured | pass |",
        "|---:|---|---|---|",
    ]
    for r in rows:
        link = f"[{r['paper']}](p{r['paper']:02d}/report.md)"
        for c in r["claims"]:
            statement = c["statement"].replace("|", "\\|")
            measured = format_measured(c["measured"]).replace("|", "\\|")
            lines.append(f"| {link} | {statement} | {measured} | {'PASS' if c['passed'] else 'FAIL'} |")
    write_text_atomic(out / "report.md", "\n".join(lines) + "\n")
    print(f"{'all claims passed' if all_passed else 'some claims FAILED'}; wrote {out}/report.md")
    return 0 if all_passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sutskever30`` console script; returns the exit code."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "list":
            return cmd_list()
        if args.command == "run":
            return cmd_run(args)
        return cmd_report(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except TrainingDiverged as exc:
        print(f"{PROG}: training diverged: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
