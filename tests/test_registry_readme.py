"""The registry of the 30 papers, the paper-module interface, and the README's table."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

from sutskever30 import experiment, registry

ROOT = Path(__file__).resolve().parents[1]
PAPERS_DIR = ROOT / "src" / "sutskever30" / "papers"
README = ROOT / "README.md"


def test_thirty_papers_with_complete_entries():
    assert list(registry.PAPERS) == list(range(1, 31))
    slugs = [p.slug for p in registry.PAPERS.values()]
    assert len(set(slugs)) == 30
    for n, p in registry.PAPERS.items():
        assert p.number == n
        assert re.fullmatch(r"[a-z][a-z0-9_]*", p.slug), p.slug
        assert p.title and p.authors
        assert 1950 < p.year < 2030
        assert p.track in registry.TRACKS
        assert len(p.concepts) >= 2 and all(p.concepts)
        assert p.link is None or p.link.startswith("https://"), p.link
    assert registry.get(26).slug == "cs231n"
    assert registry.get(26).module_name == "sutskever30.papers.p26_cs231n"


@pytest.mark.parametrize("bad", [0, 31, -1, "3", 2.0, True])
def test_get_rejects_unknown_numbers_clearly(bad):
    with pytest.raises(registry.UnknownPaper, match=r"paper|must be an int"):
        registry.get(bad)
    with pytest.raises(ValueError):
        registry.get(bad)


def test_get_message():
    with pytest.raises(ValueError, match=r"^paper 31 does not exist; choose 1-30$"):
        registry.get(31)


def test_is_built_matches_the_files_on_disk():
    for n, p in registry.PAPERS.items():
        on_disk = (PAPERS_DIR / f"p{n:02d}_{p.slug}.py").exists()
        assert registry.is_built(n) == on_disk, n


def test_every_paper_module_is_named_as_the_registry_says():
    expected = {f"p{n:02d}_{p.slug}.py" for n, p in registry.PAPERS.items()}
    stray = [f.name for f in PAPERS_DIR.glob("p[0-9]*.py") if f.name not in expected]
    assert not stray, f"paper modules not in the registry (rename them or fix the slug): {stray}"


def test_load_unbuilt_paper_is_a_clear_error(unbuilt):
    with pytest.raises(registry.PaperNotBuilt, match=rf"^paper {unbuilt} is not implemented yet$"):
        registry.load(unbuilt)


def test_a_test_can_swap_a_papers_module(dummy_papers):
    assert registry.module_name(2) == "dummy_papers.passing"
    assert registry.load(2) is importlib.import_module("dummy_papers.passing")


@pytest.mark.parametrize("n", registry.built())
def test_built_paper_modules_follow_the_interface(n):
    module = registry.load(n)
    info = registry.get(n)
    assert not hasattr(module, "CARD"), "paper metadata lives in the registry only"
    assert issubclass(module.Config, experiment.Config)
    presets = [module.Config.preset(p) for p in experiment.PRESETS]
    assert len({repr(c) for c in presets}) == 3, "smoke, quick and full presets must differ"
    assert list(inspect.signature(module.run).parameters) == ["config", "rng"]
    for fn in ("run", "claims", "figures", "paper_vs_ours"):
        assert callable(getattr(module, fn)), fn
    doc = module.__doc__
    first = doc.strip().splitlines()[0].lower()
    # the docstring opens with the paper's title (or its subtitle) and gives its link
    assert any(part.strip().lower() in first for part in info.title.split(":")), first
    assert info.link is None or info.link in doc


@pytest.mark.parametrize("n", registry.built())
def test_module_docstrings_hold_no_measurements(n):
    """Per-seed tables, timings and change logs live in docs/results/, not in the module."""
    doc = registry.load(n).__doc__
    offending = [
        line
        for line in doc.splitlines()
        if re.match(r"\s*seeds?\s+\d", line, re.I) or re.search(r"\d\s*s (of )?CPU|\bseeds \d+-\d+", line)
    ]
    assert not offending, offending
    assert f"docs/results/{n:02d}_{registry.get(n).slug}.md" in doc, "the docstring points to its results page"


def test_registry_holds_each_papers_headline_claim():
    for p in registry.PAPERS.values():
        assert len(p.claim) > 60 and p.claim.rstrip().endswith((".", ")")), p.number


# --------------------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------------------


def test_readme_table_is_in_sync_with_the_registry():
    text = README.read_text(encoding="utf-8")
    block = registry.extract_readme_block(text)
    assert block is not None, "README.md lost its paper-table markers"
    assert block == registry.readme_block(), (
        "README.md's paper table is out of date; run: python -m sutskever30.registry --update-readme"
    )


def test_readme_table_rows_show_status_and_track():
    rows = [line for line in registry.readme_table().splitlines()[2:]]
    assert len(rows) == 30
    for n, row in zip(registry.PAPERS, rows):
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[0] == str(n)
        assert cells[-2] == registry.get(n).track
        assert cells[-1] == ("built" if registry.is_built(n) else "planned")


def test_readme_has_exactly_the_two_setup_commands():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, re.DOTALL)
    setup = [b for b in blocks if "pip install -e" in b and "sutskever30 run 26" in b]
    assert len(setup) == 1, "one code block holds the two set-up commands"
    commands = [line for line in setup[0].splitlines() if line.strip() and not line.startswith("#")]
    assert commands == [
        "pip install -e . && sutskever30 run 26",
        'pip install -e ".[test]" && pytest',
    ]


def test_ci_script_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.startswith("#!/usr/bin/env bash")
    assert "set -euo pipefail" in ci
    assert 'pip install -e ".[test]"' in ci
    lines = [line.strip() for line in ci.splitlines()]
    assert lines[-1] == "pytest" or lines[-1].endswith(" pytest"), lines[-1]
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run must be executable"


def test_update_readme_rewrites_only_the_table(tmp_path):
    fake = tmp_path / "README.md"
    fake.write_text(f"intro\n\n{registry.TABLE_START}\nstale\n{registry.TABLE_END}\n\nrest\n")
    assert registry.update_readme(fake) is True
    assert fake.read_text() == f"intro\n\n{registry.readme_block()}\n\nrest\n"
    assert registry.update_readme(fake) is False
