"""Import audits of src/: torch only in tests, matplotlib only in plots.py, papers don't print."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "sutskever30"
FILES = sorted(SRC.rglob("*.py"))


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Every module a file imports: import x, from x import y, importlib/__import__("x")."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def offenders(package: str, allowed: set[str] = frozenset()) -> list[str]:
    bad = []
    for path in FILES:
        rel = path.relative_to(SRC).as_posix()
        if rel in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, module in imported_modules(tree):
            if module == package or module.startswith(package + "."):
                bad.append(f"{rel}:{lineno} imports {module}")
    return bad


def test_src_has_python_files():
    assert len(FILES) >= 5


def test_no_torch_under_src():
    assert offenders("torch") == []


def test_matplotlib_only_in_plots():
    assert offenders("matplotlib", {"plots.py"}) == []


def test_the_audit_can_fail(tmp_path):
    tree = ast.parse(
        "import os\nimport torch.nn as tnn\nfrom torch import optim\n"
        "import importlib\nimportlib.import_module('torch')\n"
    )
    modules = [m for _, m in imported_modules(tree)]
    assert modules.count("torch") == 2 and "torch.nn" in modules


def _prints_outside_main(tree: ast.AST) -> list[int]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and isinstance(node.test, ast.Compare)
            and isinstance(node.test.left, ast.Name)
            and node.test.left.id == "__name__"
        ):
            skip |= {id(n) for n in ast.walk(node)}
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "print"
        and id(node) not in skip
    ]


@pytest.mark.parametrize("path", sorted((SRC / "papers").glob("p[0-9]*.py")), ids=lambda p: p.name)
def test_paper_modules_do_not_print(path):
    lines = _prints_outside_main(ast.parse(path.read_text(encoding="utf-8")))
    assert lines == [], f"{path.name} calls print() on lines {lines}; return data in the Result"
