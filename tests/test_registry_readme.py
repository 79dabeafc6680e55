"""The registry of the 30 papers, the paper-module interface, and the README's table."""

from __future__ import annotations

import importlib
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


def test_is_built_matches_the_files_on_disk(monkeypatch):
    monkeypatch.delenv(registry.OVERRIDE_ENV, raising=False)
    for n, p in registry.PAPERS.items():
        on_disk = (PAPERS_DIR / f"p{n:02d}_{p.slug}.py").exists()
        assert registry.is_built(n) == on_disk, n


def test_every_paper_module_is_named_as_the_registry_says():
    expected = {f"p{n:02d}_{p.slug}.py" for n, p in registry.PAPERS.items()}
    stray = [f.name for f in PAPERS_DIR.glob("p[0-9]*.py") if f.name not in expected]
    assert not stray, f"paper modules not in the registry (rename them or fix the slug): {stray}"


def test_load_unbuilt_paper_is_a_clear_error(monkeypatch):
    monkeypatch.delenv(registry.OVERRIDE_ENV, raising=False)
    unbuilt = [n for n in registry.PAPERS if not registry.is_built(n)]
    if not unbuilt:
        pytest.skip("every paper is built")
    with pytest.raises(registry.PaperNotBuilt, match=rf"^paper {unbuilt[0]} is not implemented yet$"):
        registry.load(unbuilt[0])


def test_overrides_point_a_number_at_another_module(monkeypatch):
    monkeypatch.setenv(registry.OVERRIDE_ENV, "3=json")
    assert registry.module_name(3) == "json"
    assert registry.is_built(3) and registry.load(3) is importlib.import_module("json")
    assert registry.module_name(3, use_overrides=False) == "sutskever30.papers.p03_understanding_lstm"
    monkeypatch.setenv(registry.OVERRIDE_ENV, "3=no_such_module_xyz")
    assert not registry.is_built(3)
    monkeypatch.setenv(registry.OVERRIDE_ENV, "three=json")
    with pytest.raises(ValueError, match="expected 'N=module"):
        registry.module_name(3)


@pytest.mark.parametrize("n", [n for n in registry.PAPERS if registry.is_built(n, use_overrides=False)])
def test_built_paper_modules_follow_the_interface(n, monkeypatch):
    monkeypatch.delenv(registry.OVERRIDE_ENV, raising=False)
    module = registry.load(n)
    info = registry.get(n)
    card = module.CARD
    get = (lambda k: card[k]) if isinstance(card, dict) else (lambda k: getattr(card, k))
    assert get("number") == n
    assert get("title") and get("claim") and list(get("concepts"))
    assert get("track") == info.track, "CARD track and registry track disagree"
    assert issubclass(module.Config, experiment.Config)
    assert module.Config.quick() != module.Config.full(), "quick and full presets are identical"
    for fn in ("run", "claims", "figures"):
        assert callable(getattr(module, fn)), fn
    assert module.__doc__ and info.title.split(":")[0].split()[0] in module.__doc__


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
        assert cells[-1] == ("built" if registry.is_built(n, use_overrides=False) else "planned")


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
