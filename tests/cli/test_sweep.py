"""Sweeps (``sutskever30 report``): the same numbers from every backend, a failed task that
does not stop the others, resuming a killed sweep, and the docs/results pages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from sutskever30 import _malloc, cli, registry, sweep
from sutskever30.experiment import execute


def strip_seconds(path):
    m = json.loads(path.read_text())
    m.pop("seconds")
    return m


def test_local_pool_and_serial_give_the_same_numbers_bit_for_bit(dummy_papers, tmp_path):
    tasks = sweep.grid([2, 4], ["quick"], [0, 1])
    serial = sweep.run_sweep(tasks, tmp_path / "serial", jobs=1)
    pooled = sweep.run_sweep(tasks, tmp_path / "pool", jobs=2)
    assert [s["task"] for s in serial] == [s["task"] for s in pooled] == [t.name for t in tasks]
    for t in tasks:
        a = strip_seconds(tmp_path / "serial" / t.name / "metrics.json")
        b = strip_seconds(tmp_path / "pool" / t.name / "metrics.json")
        assert a == b
        assert a["numerics"]["blas"] is None or a["numerics"]["blas"]["threads"] == 1  # one BLAS thread per task
    assert [s["passed"] for s in serial] == [s["passed"] for s in pooled]
    assert serial[2]["passed"] == 1  # the failing dummy's claim fails on seed 0


@pytest.mark.parametrize("paper", [7, 14, 16, 22])
def test_a_papers_own_tasks_give_the_same_numbers_on_a_local_pool(paper):
    # independent arms (7: the regulariser arms, 14 and 16: the models, 22: the model
    # sizes) go through sweep.map_tasks; each seeds its own generators, so 2 spawned
    # processes give the serial run's numbers bit for bit
    serial, _ = execute(paper, "smoke", seed=3)
    with sweep.backend(jobs=2):
        pooled, _ = execute(paper, "smoke", seed=3)
    assert serial.metrics == pooled.metrics and serial.histories == pooled.histories
    assert serial.arrays.keys() == pooled.arrays.keys()
    for k, v in serial.arrays.items():
        np.testing.assert_array_equal(v, pooled.arrays[k], err_msg=k)


def test_a_failed_task_is_reported_and_the_rest_go_on(dummy_papers, tmp_path):
    tasks = sweep.grid([5, 2], ["quick"], [0])
    summaries = sweep.run_sweep(tasks, tmp_path, jobs=1)
    assert summaries[0]["error"].startswith("TrainingDiverged: diverging: loss is inf at step")
    assert summaries[1]["error"] is None and summaries[1]["passed"] == 2


def test_a_rerun_sweep_runs_only_the_missing_or_changed_tasks(dummy_papers, tmp_path):
    tasks = sweep.grid([2], ["quick"], [0, 1, 2])
    sweep.run_sweep(tasks, tmp_path, jobs=1)
    # as if killed before seed 2 finished, and seed 1 run with another config
    for f in (tmp_path / tasks[2].name).iterdir():
        f.unlink()
    m = json.loads((tmp_path / tasks[1].name / "metrics.json").read_text())
    m["config"]["steps"] = 1
    (tmp_path / tasks[1].name / "metrics.json").write_text(json.dumps(m))
    ran = []
    again = sweep.run_sweep(tasks, tmp_path, jobs=1, on_result=lambda s: ran.append(s["task"]))
    assert ran == [tasks[1].name, tasks[2].name]
    assert [s.get("skipped", False) for s in again] == [True, False, False]
    assert all(s["passed"] == 2 for s in again)
    # a task whose paper module changed since it ran is run again
    m = json.loads((tmp_path / tasks[0].name / "metrics.json").read_text())
    m["module_sha256"] = "0" * 64
    (tmp_path / tasks[0].name / "metrics.json").write_text(json.dumps(m))
    ran.clear()
    sweep.run_sweep(tasks, tmp_path, jobs=1, on_result=lambda s: ran.append(s["task"]))
    assert ran == [tasks[0].name]
    # ... and so is one recorded without the digest: nothing says its claims are current
    m = json.loads((tmp_path / tasks[0].name / "metrics.json").read_text())
    del m["module_sha256"]
    (tmp_path / tasks[0].name / "metrics.json").write_text(json.dumps(m))
    ran.clear()
    sweep.run_sweep(tasks, tmp_path, jobs=1, on_result=lambda s: ran.append(s["task"]))
    assert ran == [tasks[0].name]


def test_report_writes_results_pages_and_keeps_their_notes(capsys, dummy_papers, tmp_path):
    out, runs = tmp_path / "results", tmp_path / "runs"
    assert cli.main(["report", "--papers", "2,4", "--seeds", "0-2", "--out", str(out), "--runs", str(runs)]) == 1
    stdout = capsys.readouterr().out
    assert "p04-quick-s0: 1/2 claims passed" in stdout and "p02-quick-s2: 2/2 claims passed" in stdout
    page = out / f"02_{registry.get(2).slug}.md"
    text = page.read_text()
    assert "## Preset `quick`: every claim passed on 3 of 3 seeds" in text
    assert "| claim | seed 0 | seed 1 | seed 2 |" in text
    assert "sutskever30 report --papers 2,4 --seeds 0-2" in text
    failing = json.loads((out / f"04_{registry.get(4).slug}.json").read_text())["quick"]["seeds"]
    n_ok = sum(all(c["passed"] for c in r["claims"]) for r in failing.values())
    assert f"every claim passed on {n_ok} of 3 seeds" in (out / f"04_{registry.get(4).slug}.md").read_text()
    # a hand-written note survives the next report, and another preset is added beside quick
    page.write_text(text.replace(sweep.DEFAULT_NOTES, "Tried lr 1.0: diverged."))
    assert cli.main(["report", "--papers", "2", "--preset", "full", "--out", str(out), "--runs", str(runs)]) == 0
    text = page.read_text()
    assert "Tried lr 1.0: diverged." in text
    assert "## Preset `quick`" in text and "## Preset `full`: every claim passed on 1 of 1 seeds" in text
    data = json.loads(page.with_suffix(".json").read_text())
    assert sorted(data) == ["full", "quick"] and sorted(data["quick"]["seeds"]) == ["0", "1", "2"]
    # the lowest seed's figures are copied beside the page, and shown on it
    assert (out / f"02_{registry.get(2).slug}" / "quick" / "loss.png").exists()
    assert f"![loss](02_{registry.get(2).slug}/quick/loss.png)" in text
    index = (out / "README.md").read_text()
    assert f"[{registry.get(2).title}](02_{registry.get(2).slug}.md) | full | 2/2 |" in index


def test_a_dask_cluster_gives_the_same_numbers(dummy_papers, tmp_path):
    distributed = pytest.importorskip("distributed")
    tasks = sweep.grid([2], ["quick"], [0, 1])
    sweep.run_sweep(tasks, tmp_path / "local", jobs=1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        sweep.run_sweep(tasks, tmp_path / "dask", scheduler=c.scheduler_address)
        with distributed.Client(c) as client:
            kept = client.run(_malloc.applied)  # {worker: bool}
        # a paper's own sweep (paper 22's model sizes) on the same cluster
        with sweep.backend(scheduler=c.scheduler_address):
            on_cluster, _ = execute(22, "smoke", seed=3)
    here, _ = execute(22, "smoke", seed=3)
    assert on_cluster.metrics == here.metrics and on_cluster.histories == here.histories
    # a Dask worker is not started by our CLI: the task itself keeps freed memory (else
    # conv steps page-fault there, ~4x slower); workers start without it, so a worker
    # that has it got it from a task (Dask may give both tasks to one worker)
    assert sum(kept.values()) >= 1, kept
    for t in tasks:
        assert strip_seconds(tmp_path / "local" / t.name / "metrics.json") == strip_seconds(
            tmp_path / "dask" / t.name / "metrics.json"
        )


def test_a_quick_only_claim_is_checked_on_quick_and_shown_unchecked_on_full(capsys, dummy_papers, tmp_path):
    out, runs = tmp_path / "results", tmp_path / "runs"
    args = ["--papers", "6", "--out", str(out), "--runs", str(runs)]
    assert cli.main(["report", *args]) == 0
    assert "p06-quick-s0: 2/2 claims passed" in capsys.readouterr().out
    # on full the claim fails, is shown with its reason, and is not counted
    assert cli.main(["report", "--preset", "full", *args]) == 0
    assert "p06-full-s0: 1/1 claims passed" in capsys.readouterr().out
    page = (out / f"06_{registry.get(6).slug}.md").read_text()
    assert "## Preset `full`: every claim passed on 1 of 1 seeds" in page
    assert "| at most 60 steps | (quick-only) 120 |" in page
    assert "- quick-only, not checked on this preset: at most 60 steps (the full preset trains 120 steps)" in page
    full = json.loads((out / f"06_{registry.get(6).slug}.json").read_text())["full"]["seeds"]["0"]["claims"][1]
    assert full == {
        "statement": "at most 60 steps",
        "measured": 120,
        "passed": False,
        "quick_only": "the full preset trains 120 steps",
        "checked": False,
    }
    assert "| 6 | " in (out / "README.md").read_text() and "| full | 1/1 |" in (out / "README.md").read_text()
    # run: the same verdicts, exit 0, the table says quick-only
    assert cli.main(["run", "6", "--preset", "full", "--out", str(tmp_path / "one")]) == 0
    stdout = capsys.readouterr().out
    assert "quick-only" in stdout and "1/1 claims passed" in stdout
    assert "quick-only, not checked on this preset" in (tmp_path / "one" / "report.md").read_text()


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid, from /proc; None once it is gone."""
    try:
        state, ppid = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[:2]
    except OSError:
        return None
    return state, int(ppid)


def _alive(pid: int) -> bool:
    found = _state_and_parent(pid)
    return found is not None and found[0] != "Z"  # a zombie has exited


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    pids = (int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit())
    return [c for c in pids if (s := _state_and_parent(c)) is not None and s[0] != "Z" and s[1] == pid]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_pool_workers_exit_when_the_sweep_process_is_killed():
    """A SIGTERM to the process running a pool (not to its group) must not leave its
    workers behind: they exit within seconds."""
    script = (
        "import time\n"
        "from sutskever30 import sweep\n"
        "with sweep.backend(jobs=2):\n"
        "    sweep.map_tasks(time.sleep, [60, 60])\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = [w for w in _children(parent.pid) if "spawn" in (Path("/proc") / str(w) / "cmdline").read_text()]
        assert len(workers) == 2, f"expected 2 pool workers, found {workers}"
        parent.send_signal(signal.SIGTERM)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "pool workers outlived their parent"
    finally:
        parent.kill()
        for w in filter(_alive, workers):
            os.kill(w, signal.SIGKILL)
