"""The command-line contract: `sutskever30 list | run N | report`, exit codes, files, errors.

Fast cases run stand-in paper modules from tests/fixtures/dummy_papers, wired in through
SUTSKEVER30_PAPER_MODULES (paper 2 -> passing, 4 -> failing, 5 -> diverging). They train
a small real model, so their outputs depend on the seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sutskever30 import registry

FIXTURES = Path(__file__).parent / "fixtures"
DUMMIES = "2=dummy_papers.passing,4=dummy_papers.failing,5=dummy_papers.diverging"
METRICS_KEYS = ["paper", "title", "preset", "seed", "seconds", "numerics", "claims", "metrics"]


def cli(*args: str, cwd: Path | None = None, dummies: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop(registry.OVERRIDE_ENV, None)
    if dummies:
        env[registry.OVERRIDE_ENV] = DUMMIES
        env["PYTHONPATH"] = os.pathsep.join([str(FIXTURES)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return subprocess.run(
        [sys.executable, "-m", "sutskever30.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=600,
    )


def assert_usage_error(proc: subprocess.CompletedProcess, message: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    assert message in lines[0], lines[0]
    assert lines[0].startswith("sutskever30: error: ")


def load_metrics(out: Path) -> dict:
    return json.loads((out / "metrics.json").read_text())


def unbuilt_paper() -> int:
    for n in registry.PAPERS:
        if not registry.is_built(n, use_overrides=False) and n not in (2, 4, 5):
            return n
    pytest.skip("every paper is built")


# --------------------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------------------


def test_list_has_one_row_per_paper_number_first():
    proc = cli("list", dummies=False)
    assert proc.returncode == 0, proc.stderr
    rows = proc.stdout.strip().splitlines()[1:]
    assert len(rows) == 30
    for n, row in zip(registry.PAPERS, rows):
        info = registry.PAPERS[n]
        assert row.split()[0] == str(n)
        assert info.title in row and info.track in row
        expected = "built" if registry.is_built(n, use_overrides=False) else "planned"
        assert row.split()[-1] == expected


def test_list_status_follows_the_modules():
    rows = cli("list").stdout.strip().splitlines()[1:]
    assert rows[1].split()[-1] == "built"  # paper 2 -> dummy module
    n = unbuilt_paper()
    assert rows[n - 1].split()[-1] == "planned"


# --------------------------------------------------------------------------------------
# run: success, failure, outputs
# --------------------------------------------------------------------------------------


def test_run_writes_metrics_report_and_figure(tmp_path):
    out = tmp_path / "out"
    proc = cli("run", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    m = load_metrics(out)
    assert list(m) == METRICS_KEYS
    assert m["paper"] == 2 and m["title"] == registry.get(2).title
    assert m["preset"] == "quick" and m["seed"] == 0
    assert isinstance(m["seconds"], float) and m["seconds"] >= 0
    assert m["numerics"]["numpy"] == np.__version__  # what fixes the numbers besides the seed
    if m["numerics"]["blas"] is not None:
        assert m["numerics"]["blas"]["threads"] >= 1 and m["numerics"]["blas"]["kernel"]
    assert [c["statement"] for c in m["claims"]] == ["training accuracy >= 0.9", "loss decreases"]
    for c in m["claims"]:
        assert c["passed"] is True and list(c) == ["statement", "measured", "passed"]
    assert m["claims"][0]["measured"] == m["metrics"]["train_accuracy"]
    assert 0.9 <= m["metrics"]["train_accuracy"] <= 1.0

    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["loss.png"]
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| training accuracy >= 0.9 |" in report and "| PASS |" in report
    assert "![loss](loss.png)" in report
    assert f"Numerics: NumPy {m['numerics']['numpy']}" in report
    assert "training accuracy >= 0.9" in proc.stdout and "PASS" in proc.stdout
    assert not list(out.glob(".*")), "temporary files left behind"


def test_run_exits_1_when_a_claim_fails(tmp_path):
    proc = cli("run", "4", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    m = load_metrics(tmp_path)
    assert [c["passed"] for c in m["claims"]] == [True, False]
    assert "FAIL" in proc.stdout
    assert "| FAIL |" in (tmp_path / "report.md").read_text()


def test_run_reports_divergence_with_the_step(tmp_path):
    proc = cli("run", "5", "--out", str(tmp_path))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "loss is inf at step" in proc.stderr
    assert not (tmp_path / "metrics.json").exists()


def test_run_default_output_directory(tmp_path):
    proc = cli("run", "2", "--seed", "3", "--preset", "full", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    m = load_metrics(tmp_path / "runs" / "p02-full-s3")
    assert m["preset"] == "full" and m["seed"] == 3


def test_same_seed_same_metrics_json_apart_from_seconds(tmp_path):
    texts = []
    for name in ("a", "b"):
        assert cli("run", "2", "--seed", "7", "--out", str(tmp_path / name)).returncode == 0
        texts.append((tmp_path / name / "metrics.json").read_text())
    a, b = (json.loads(t) for t in texts)
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    strip = lambda t: "\n".join(line for line in t.splitlines() if '"seconds"' not in line)
    assert strip(texts[0]) == strip(texts[1]), "key order / formatting must be stable too"

    assert cli("run", "2", "--seed", "8", "--out", str(tmp_path / "c")).returncode == 0
    c = load_metrics(tmp_path / "c")
    assert c["metrics"] != a["metrics"], "a different seed must give different numbers"


# --------------------------------------------------------------------------------------
# run: usage errors -> one line, exit 2
# --------------------------------------------------------------------------------------


def test_unknown_paper():
    assert_usage_error(cli("run", "31"), "paper 31 does not exist; choose 1-30")
    assert_usage_error(cli("run", "0"), "paper 0 does not exist; choose 1-30")


def test_paper_not_implemented_yet():
    n = unbuilt_paper()
    assert_usage_error(cli("run", str(n)), f"paper {n} is not implemented yet")


def test_non_integer_paper():
    assert_usage_error(cli("run", "abc"), "paper number must be an integer, got 'abc'")
    assert_usage_error(cli("run", "2.5"), "paper number must be an integer")


def test_bad_preset():
    assert_usage_error(cli("run", "2", "--preset", "medium"), "unknown preset 'medium'")


def test_bad_seed():
    assert_usage_error(cli("run", "2", "--seed", "x"), "seed must be a non-negative integer")
    assert_usage_error(cli("run", "2", "--seed", "-1"), "seed must be a non-negative integer")


def test_unwritable_output_directory_is_checked_before_running(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = cli("run", "2", "--out", str(blocker / "out"))
    assert_usage_error(proc, "is not writable")
    assert proc.stdout == "", "nothing may run before the directory is checked"
    assert_usage_error(cli("run", "2", "--out", str(blocker)), "is not writable")


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "the following arguments are required"),
        (("run",), "the following arguments are required: N"),
        (("run", "2", "--bogus"), "unrecognized arguments: --bogus"),
        (("fly",), "invalid choice: 'fly'"),
    ],
)
def test_argparse_errors_are_one_line(args, message):
    assert_usage_error(cli(*args), message)


def test_console_script_is_installed(tmp_path):
    script = Path(sys.executable).parent / "sutskever30"
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    proc = subprocess.run([str(script), "run", "31"], capture_output=True, text=True)
    assert_usage_error(proc, "paper 31 does not exist")
    proc = subprocess.run([str(script), "list"], capture_output=True, text=True)
    assert proc.returncode == 0 and len(proc.stdout.strip().splitlines()) == 31


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------


def test_report_all_passing(tmp_path):
    proc = cli("report", "--papers", "2", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["all_passed"] is True and summary["preset"] == "quick"
    assert [p["paper"] for p in summary["papers"]] == [2]
    assert summary["papers"][0]["passed"] == summary["papers"][0]["total"] == 2
    report = (tmp_path / "report.md").read_text()
    assert "| paper | claim | measured | pass |" in report
    assert "training accuracy >= 0.9" in report
    assert (tmp_path / "p02" / "metrics.json").exists()


def test_report_exits_1_if_any_claim_fails(tmp_path):
    proc = cli("report", "--papers", "2,4", "--out", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["all_passed"] is False
    assert [(p["paper"], p["passed"], p["total"]) for p in summary["papers"]] == [
        (2, 2, 2),
        (4, 1, 2),
    ]
    assert "| FAIL |" in (tmp_path / "report.md").read_text()


def test_report_usage_errors(tmp_path):
    assert_usage_error(cli("report", "--papers", "31"), "paper 31 does not exist")
    assert_usage_error(cli("report", "--papers", "2,x"), "must be an integer, got 'x'")
    assert_usage_error(cli("report", "--papers", "2,2"), "lists a paper twice")
    assert_usage_error(cli("report", "--preset", "slow"), "unknown preset 'slow'")
    n = unbuilt_paper()
    assert_usage_error(cli("report", "--papers", f"2,{n}"), f"paper {n} is not implemented yet")
    blocker = tmp_path / "f"
    blocker.write_text("x")
    assert_usage_error(cli("report", "--papers", "2", "--out", str(blocker)), "is not writable")


# --------------------------------------------------------------------------------------
# The real paper 26 (slow: trains for real)
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_paper_26_for_real(tmp_path):
    if not registry.is_built(26, use_overrides=False):
        pytest.skip("paper 26 is not implemented yet")
    proc = cli("run", "26", "--out", str(tmp_path / "tmp"), dummies=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    m = load_metrics(tmp_path / "tmp")
    assert list(m) == METRICS_KEYS
    assert m["paper"] == 26 and m["preset"] == "quick" and m["seed"] == 0
    assert m["claims"] and all(c["passed"] is True for c in m["claims"])
    assert list((tmp_path / "tmp").glob("*.png"))
    assert "PASS" in (tmp_path / "tmp" / "report.md").read_text()
