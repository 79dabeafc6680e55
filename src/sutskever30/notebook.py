"""What every notebook shows: the source of a function, a run, its claims and the paper's
numbers beside ours. Notebooks import these instead of redefining them.

    from sutskever30 import notebook
    result, found = notebook.run(10)            # smoke preset under the tests, full otherwise
    notebook.show_claims(found)
    notebook.show_paper_vs_ours(10, result)
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Sequence
from typing import Any

from . import registry
from .experiment import (
    Claim,
    Result,
    check_preset,
    claims_table,
    execute,
    paper_vs_ours_rows,
    paper_vs_ours_table,
    tally,
)
from .sweep import backend, local_cores

SMOKE_ENV = "SUTSKEVER30_SMOKE"


def _display_markdown(text: str) -> None:
    try:
        from IPython.display import Markdown, display
    except ImportError:  # outside Jupyter: plain text
        print(text)
        return
    display(Markdown(text))


def smoke_mode() -> bool:
    """True when the notebook tests ask for seconds-long runs (``SUTSKEVER30_SMOKE=1``)."""
    return os.environ.get(SMOKE_ENV, "") == "1"


def preset(default: str = "full") -> str:
    """The preset a notebook runs: ``smoke`` under the notebook tests, else ``default``."""
    return "smoke" if smoke_mode() else check_preset(default)


def show_source(*objs: Any) -> None:
    """Show the source of functions or classes as highlighted code."""
    for obj in objs:
        _display_markdown(f"```python\n{inspect.getsource(obj)}```")


def show_markdown(text: str) -> None:
    _display_markdown(text)


def run(number: int, preset_name: str = "full", seed: int = 0, **overrides: Any) -> tuple[Result, list[Claim]]:
    """Run paper ``number`` in the notebook's kernel on ``preset_name`` (the smoke preset under
    the notebook tests, whatever is named), with optional config overrides
    (``notebook.run(10, "quick", epochs=5)``); nothing is written to disk. A paper's
    independent arms use this machine's cores, as under ``sutskever30 run``."""
    name = preset(preset_name)
    module = registry.load(number)
    config = module.Config.preset(name).replace(**overrides) if overrides else None
    with backend(jobs=local_cores()):
        result, found = execute(module, name, seed, config=config)
    result.paper = number
    return result, found


def show_claims(claims: Sequence[Claim]) -> None:
    """The claims table, then how many passed."""
    n_pass, n_checked = tally(claims)
    _display_markdown(claims_table(claims, markdown=True) + f"\n\n**{n_pass}/{n_checked} claims passed.**")


def show_paper_vs_ours(number: int, result: Result) -> None:
    """The module's ``paper_vs_ours`` rows: the paper's numbers beside ours."""
    rows = paper_vs_ours_rows(registry.load(number), result)
    _display_markdown(paper_vs_ours_table(rows) if rows else "(this paper module lists no paper-vs-ours rows)")
