"""The engine's layout: no import cycle inside ``nn/``, the public names in one place, and
nothing outside ``nn/`` importing one of its private modules."""

import ast
import pathlib
import re

import pytest

from sutskever30 import nn
from sutskever30.nn import functional, pairs

ROOT = pathlib.Path(nn.__file__).parent
REPO = ROOT.parents[2]


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Modules of ``nn`` that ``path`` imports anywhere (relative imports resolved)."""
    here = _module_name(path).split(".") if _module_name(path) else []
    package = here if path.name == "__init__.py" else here[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):  # function-level imports count too
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names = [target] if node.module else [".".join([*base, a.name]) for a in node.names]
            for n in names + [".".join([target, a.name]) for a in node.names]:
                if (ROOT / (n.replace(".", "/") + ".py")).exists() or (
                    ROOT / n.replace(".", "/") / "__init__.py"
                ).exists():
                    out.add(n)
    return out


def test_no_import_cycle_inside_nn():
    graph = {_module_name(p): _imports(p) for p in ROOT.rglob("*.py")}
    # a package's __init__ re-exporting its children is not a cycle edge for its children
    state: dict[str, int] = {}

    def visit(m, stack):
        state[m] = 1
        for n in graph.get(m, ()):
            if n == m or (m and n.startswith(m + ".")) or (not m and n):
                continue
            if state.get(n) == 1:
                pytest.fail(f"import cycle: {' -> '.join([*stack, m, n])}")
            if state.get(n) is None:
                visit(n, [*stack, m])
        state[m] = 2

    for m in graph:
        if state.get(m) is None:
            visit(m, [])
    assert "autograd" in graph and "functional" in graph["functional"] | {"functional"}


def test_autograd_holds_only_the_tape():
    public = {n for n in vars(nn.autograd) if not n.startswith("_") and callable(getattr(nn.autograd, n))}
    assert public - {"Callable", "Iterator", "namedtuple", "contextlib", "np", "P", "check_dim"} == {
        "Tensor",
        "Parameter",
        "Node",
        "apply",
        "no_grad",
        "is_grad_enabled",
        "tensor",
        "result_type",
        "MaxResult",
        "MinResult",
    }


def test_names_are_listed_once_and_exist():
    for mod in (nn, functional, pairs):
        assert len(mod.__all__) == len(set(mod.__all__)), mod.__name__
        missing = [n for n in mod.__all__ if not hasattr(mod, n)]
        assert not missing, (mod.__name__, missing)
    assert {"relu", "cross_entropy", "LocalResponseNorm", "functional", "pairs", "checks", "checkpoint"} <= set(
        nn.__all__
    )


def test_every_forward_pair_documents_its_shapes():
    undocumented = [n for n in pairs.__all__ if n.endswith("_forward") and "(" not in (getattr(pairs, n).__doc__ or "")]
    assert not undocumented


def test_no_private_nn_module_is_imported_outside_nn():
    private = re.compile(r"nn\._\w+|nn import _\w+")
    offenders = []
    for folder in ("src/sutskever30", "notebooks", "benchmarks", "tests"):
        for p in (REPO / folder).rglob("*.py"):
            if ROOT in p.parents:
                continue
            for i, line in enumerate(p.read_text().splitlines(), 1):
                if line.lstrip().startswith(("from", "import")) and private.search(line):
                    offenders.append(f"{p.relative_to(REPO)}:{i}: {line.strip()}")
    assert not offenders
