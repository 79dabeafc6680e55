"""The command-line contract: `sutskever30 list | run N | report`, exit codes, files, errors.

Most cases call ``cli.main(argv)`` in this process with papers 2, 4 and 5 swapped for the
stand-in modules of tests/fixtures/dummy_papers (the ``dummy_papers`` fixture); those that
need a real process (pipes, a full device, the console script) start one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sutskever30 import cli, registry

FIXTURES = Path(__file__).parents[1] / "fixtures"
METRICS_KEYS = [
    "paper",
    "title",
    "module_sha256",
    "preset",
    "seed",
    "seconds",
    "numerics",
    "config",
    "claims",
    "paper_vs_ours",
    "figures",
    "metrics",
]
# a process that swaps in the dummies the way the fixture does, then runs the CLI
WITH_DUMMIES = f"""
import dataclasses, sys
sys.path.insert(0, {str(FIXTURES)!r})
from sutskever30 import cli, registry
for n, m in {{2: "dummy_papers.passing", 4: "dummy_papers.failing"}}.items():
    registry.PAPERS[n] = dataclasses.replace(registry.PAPERS[n], module=m)
sys.exit(cli.main(sys.argv[1:]))
"""


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_usage_error(result: tuple[int, str, str], message: str) -> None:
    code, out, err = result
    assert code == 2, (code, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert "Traceback" not in err
    assert message in lines[0], lines[0]
    assert lines[0].startswith("sutskever30: error: ")


def load_metrics(out: Path) -> dict:
    return json.loads((out / "metrics.json").read_text())


# --------------------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------------------


def test_list_has_one_row_per_paper_number_first(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    rows = out.strip().splitlines()[1:]
    assert len(rows) == 30
    for n, row in zip(registry.PAPERS, rows):
        info = registry.PAPERS[n]
        assert row.split()[0] == str(n)
        assert info.title in row and info.track in row
        assert row.split()[-1] == ("built" if registry.is_built(n) else "planned")


def test_list_status_follows_the_modules(capsys, dummy_papers, unbuilt):
    rows = run_cli(capsys, "list")[1].strip().splitlines()[1:]
    assert rows[1].split()[-1] == "built"  # paper 2 -> dummy module
    assert rows[unbuilt - 1].split()[-1] == "planned"


# --------------------------------------------------------------------------------------
# run: success, failure, outputs
# --------------------------------------------------------------------------------------


def test_run_writes_metrics_report_and_figure(capsys, dummy_papers, tmp_path):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "run", "2", "--out", str(out))
    assert code == 0, err
    m = load_metrics(out)
    assert list(m) == METRICS_KEYS
    assert m["paper"] == 2 and m["title"] == registry.get(2).title
    assert m["preset"] == "quick" and m["seed"] == 0
    assert m["config"] == {"n": 200, "steps": 60, "lr": 0.5}
    assert isinstance(m["seconds"], float) and m["seconds"] >= 0
    assert m["numerics"]["numpy"] == np.__version__  # what fixes the numbers besides the seed
    if m["numerics"]["blas"] is not None:
        assert m["numerics"]["blas"]["threads"] >= 1 and m["numerics"]["blas"]["kernel"]
    assert [c["statement"] for c in m["claims"]] == ["training accuracy >= 0.9", "loss decreases"]
    for c in m["claims"]:
        assert c["passed"] is True and list(c) == ["statement", "measured", "passed"]
    assert m["claims"][0]["measured"] == m["metrics"]["train_accuracy"]
    assert 0.9 <= m["metrics"]["train_accuracy"] <= 1.0

    assert sorted(p.name for p in out.glob("*.png")) == ["loss.png"]
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (out / "report.md").read_text()
    assert "| training accuracy >= 0.9 |" in report and "| PASS |" in report
    assert "![loss](loss.png)" in report
    assert registry.get(2).claim in report  # the registry's headline claim heads the report
    assert f"Numerics: NumPy {m['numerics']['numpy']}" in report
    assert "training accuracy >= 0.9" in stdout and "PASS" in stdout
    assert not list(out.glob(".*")), "temporary files left behind"


def test_run_exits_1_when_a_claim_fails(capsys, dummy_papers, tmp_path):
    code, stdout, _ = run_cli(capsys, "run", "4", "--out", str(tmp_path))
    assert code == 1
    assert [c["passed"] for c in load_metrics(tmp_path)["claims"]] == [True, False]
    assert "FAIL" in stdout
    assert "| FAIL |" in (tmp_path / "report.md").read_text()


def test_run_reports_divergence_with_the_step(capsys, dummy_papers, tmp_path):
    code, _, err = run_cli(capsys, "run", "5", "--out", str(tmp_path))
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "loss is inf at step" in err
    assert not (tmp_path / "metrics.json").exists()


def test_run_default_output_directory_and_presets(capsys, dummy_papers, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for preset, n in (("full", 400), ("smoke", 50)):
        code, _, err = run_cli(capsys, "run", "2", "--seed", "3", "--preset", preset)
        assert code in (0, 1), err
        m = load_metrics(tmp_path / "runs" / f"p02-{preset}-s3")
        assert m["preset"] == preset and m["seed"] == 3 and m["config"]["n"] == n


def test_same_seed_same_metrics_json_apart_from_seconds(capsys, dummy_papers, tmp_path):
    texts = []
    for name in ("a", "b"):
        assert run_cli(capsys, "run", "2", "--seed", "7", "--out", str(tmp_path / name))[0] == 0
        texts.append((tmp_path / name / "metrics.json").read_text())
    a, b = (json.loads(t) for t in texts)
    a.pop("seconds"), b.pop("seconds")
    assert a == b
    strip = lambda t: "\n".join(line for line in t.splitlines() if '"seconds"' not in line)
    assert strip(texts[0]) == strip(texts[1]), "key order / formatting must be stable too"
    assert run_cli(capsys, "run", "2", "--seed", "8", "--out", str(tmp_path / "c"))[0] == 0
    assert load_metrics(tmp_path / "c")["metrics"] != a["metrics"], "a different seed must give different numbers"


# --------------------------------------------------------------------------------------
# usage errors -> one line, exit 2 (the table-driven fuzz is in test_fuzz.py)
# --------------------------------------------------------------------------------------


def test_unknown_and_unbuilt_papers(capsys, dummy_papers, unbuilt):
    assert_usage_error(run_cli(capsys, "run", "31"), "paper 31 does not exist; choose 1-30")
    assert_usage_error(run_cli(capsys, "run", "0"), "paper 0 does not exist; choose 1-30")
    assert_usage_error(run_cli(capsys, "run", str(unbuilt)), f"paper {unbuilt} is not implemented yet")


@pytest.mark.parametrize("text", ["abc", "2.5", "2_6", "٢٦", "２６", " 2", "+2", "-2", "0x1a", ""])
def test_paper_numbers_are_ascii_digits_only(capsys, dummy_papers, text):
    # int() accepts '2_6', '٢٦' and '２６' (all 26): the CLI does not
    assert_usage_error(run_cli(capsys, "run", text), "paper number must be a non-negative integer in ASCII digits")


def test_seed_and_preset(capsys, dummy_papers):
    assert_usage_error(run_cli(capsys, "run", "2", "--preset", "medium"), "unknown preset 'medium'")
    for seed in ("x", "-1", "1_000", "1e3", "٣"):
        assert_usage_error(run_cli(capsys, "run", "2", "--seed", seed), "seed must be a non-negative integer")


def test_unwritable_or_empty_output_directory_is_refused_before_running(capsys, dummy_papers, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run_cli(capsys, "run", "2", "--out", str(blocker / "out"))
    assert_usage_error(result, "is not writable")
    assert result[1] == "", "nothing may run before the directory is checked"
    assert_usage_error(run_cli(capsys, "run", "2", "--out", str(blocker)), "is not writable")
    assert_usage_error(run_cli(capsys, "run", "2", "--out", ""), "--out must name a directory")


def test_control_characters_in_arguments_are_escaped(capsys):
    code, _, err = run_cli(capsys, "run", "2", "--bogus\n\x1b[31mred")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "\x1b" not in err and "\\x1b" in err


def test_help_exits_0(capsys):
    assert run_cli(capsys, "--help")[0] == 0
    assert run_cli(capsys, "run", "--help")[0] == 0


# --------------------------------------------------------------------------------------
# A real process: pipes, full devices, progress bars, the console script
# --------------------------------------------------------------------------------------


def _proc(*args: str, dummies: bool = False, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", WITH_DUMMIES, *args] if dummies else [sys.executable, "-m", "sutskever30.cli", *args]
    return subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, timeout=300)


def test_a_closed_pipe_ends_quietly():
    # `sutskever30 list | head -1`, with the reader gone before the first write, so the
    # outcome does not depend on whether the output fits in the pipe's buffer
    cmd = [sys.executable, "-m", "sutskever30.cli", "list"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == cli.EXIT_PIPE
    assert err == b"", err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_one_line_and_exit_2_even_without_stderr():
    with open("/dev/full", "w") as full:
        proc = _proc("list", stdout=full)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode().strip() == "sutskever30: error: cannot write output: No space left on device"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "sutskever30.cli", "run", "31"], stderr=full, timeout=60)
    assert proc.returncode == 2  # the message could not be written; the code still says usage error


def test_piped_output_has_no_progress_bar_frames(tmp_path):
    proc = _proc("run", "2", "--out", str(tmp_path), dummies=True)
    assert proc.returncode == 0, proc.stderr
    assert b"\r" not in proc.stderr and b"\r" not in proc.stdout
    assert b"dummy2" not in proc.stderr  # the bar's description never printed


def test_importing_the_package_leaves_malloc_alone():
    # the allocator setting is the CLI's (and the tests'), never a side effect of the import
    code = "import sutskever30, sutskever30.nn, sutskever30.experiment, sutskever30._malloc as m; print(m.applied())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "sutskever30"
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    proc = subprocess.run([str(script), "run", "31"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("sutskever30: error: paper 31 does not exist")
    proc = subprocess.run([str(script), "list"], capture_output=True, text=True)
    assert proc.returncode == 0 and len(proc.stdout.strip().splitlines()) == 31


# --------------------------------------------------------------------------------------
# The real paper 26 (slow: trains for real)
# --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_paper_26_for_real(capsys, tmp_path):
    code, stdout, err = run_cli(capsys, "run", "26", "--out", str(tmp_path))
    assert code == 0, stdout + err
    m = load_metrics(tmp_path)
    assert list(m) == METRICS_KEYS
    assert m["paper"] == 26 and m["preset"] == "quick" and m["seed"] == 0
    assert m["claims"] and all(c["passed"] is True for c in m["claims"])
    assert list(tmp_path.glob("*.png"))
    assert "PASS" in (tmp_path / "report.md").read_text()
