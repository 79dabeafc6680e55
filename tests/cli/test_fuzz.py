"""Table-driven bad invocations: every one exits 2 with one escaped line on stderr, no
traceback, and nothing trains (running a paper or a sweep fails the test)."""

from __future__ import annotations

import pytest

from sutskever30 import cli, registry, sweep

BAD_NUMBERS = ["abc", "2.5", "2_6", "٢٦", "２６", " 2", "2 ", "+2", "-2", "0x1a", "", "1e1", "0", "31", "99", "10" * 20]
BAD_PRESETS = ["medium", "QUICK", "", "quick ", "smoke,quick", "full\n", "Quick", "fast"]
BAD_SEEDS = ["x", "-1", "1_000", "1e3", "٣", "", "1.0", " 1", "+1", "0x10", "１"]
BAD_PAPER_LISTS = ["", ",", "2,,4", "2,", ",2", "31", "x", "2,2", "2;4", "2 4", "٢", "2,31", "0"]
BAD_SEED_LISTS = ["", "0-", "-3", "3-1", "0-x", "1,1", "0,,1", "a", "0..7", "1_0", "0-٣", "0-3,2", ","]
BAD_JOBS = ["0", "-1", "x", "", "1.5", "٢"]
BAD_SCHEDULERS = ["localhost:8786", "http://host:8786", "tcp://", "tcp:// host"]

CASES: list[tuple[str, ...]] = [
    (),
    ("fly",),
    ("RUN",),
    ("lst",),
    ("",),
    ("list", "2"),
    ("list", "--bogus"),
    ("run",),
    ("run", "2", "3"),
    ("run", "2", "--bogus"),
    ("run", "2", "--seeds", "0-3"),
    ("run", "2", "--runs", "x"),
    ("run", "2", "--preset"),
    ("run", "2", "--seed"),
    ("run", "2", "--out"),
    ("run", "2", "--out", ""),
    ("run", "2", "--out", "   "),
    ("run", "2\n3"),
    ("run", "2", "--\x1b[31mred"),
    ("report", "--seed", "0"),
    ("report", "--out", ""),
    ("report", "--runs", ""),
    ("report", "--papers"),
    ("report", "extra"),
    *[("run", n) for n in BAD_NUMBERS],
    *[("run", "2", "--preset", p) for p in BAD_PRESETS],
    *[("run", "2", "--seed", s) for s in BAD_SEEDS],
    *[("report", "--papers", p) for p in BAD_PAPER_LISTS],
    *[("report", "--papers", "2", "--seeds", s) for s in BAD_SEED_LISTS],
    *[("report", "--papers", "2", "--jobs", j) for j in BAD_JOBS],
    *[("report", "--papers", "2", "--preset", p) for p in BAD_PRESETS],
    *[("report", "--papers", "2", "--scheduler", s) for s in BAD_SCHEDULERS],
    *[("run", "22", "--jobs", j) for j in BAD_JOBS],
    *[("run", "22", "--scheduler", s) for s in BAD_SCHEDULERS],
]


def test_the_table_has_at_least_100_distinct_cases():
    assert len(set(CASES)) == len(CASES) >= 100


@pytest.fixture
def nothing_trains(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a bad invocation started a run")

    monkeypatch.setattr(cli, "run_paper", refuse)
    monkeypatch.setattr(sweep, "run_sweep", refuse)


@pytest.mark.parametrize("argv", CASES, ids=[repr(c)[:60] for c in CASES])
def test_bad_invocation_is_one_clear_line(argv, capsys, dummy_papers, nothing_trains, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a bad --out must not leave directories anywhere that matters
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 2, (argv, code, out, err)
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), err
    assert lines[0].startswith("sutskever30: error: ") and "Traceback" not in err
    assert all(c.isprintable() for c in lines[0]), lines[0]


def test_an_unbuilt_paper_is_a_usage_error_too(capsys, dummy_papers, nothing_trains, unbuilt):
    for argv in (["run", str(unbuilt)], ["report", "--papers", f"2,{unbuilt}"]):
        assert cli.main(argv) == 2
        assert capsys.readouterr().err == f"sutskever30: error: paper {unbuilt} is not implemented yet\n"
    assert not registry.is_built(unbuilt)
