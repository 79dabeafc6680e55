"""Every notebook (``notebooks/*.py``, jupytext percent format) runs top to bottom in smoke
mode (``SUTSKEVER30_SMOKE=1``) in a fresh kernel of this interpreter; a cell that raises
fails the test with the cell's traceback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.py"))
CELL_TIMEOUT = 300  # seconds per cell
PROBE = "import sys; print(sys.executable)"


def execute(path: Path, cwd: Path) -> nbformat.NotebookNode:
    nb = jupytext.read(path)
    # a first cell that reports which interpreter the kernel runs on
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    client = nbclient.NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()  # raises CellExecutionError naming the cell if any cell raises
    return nb


@pytest.mark.slow
@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_smoke_mode(path: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SUTSKEVER30_SMOKE", "1")  # inherited by the kernel process
    nb = execute(path, tmp_path)
    probe = "".join(o.get("text", "") for o in nb.cells[0].outputs).strip()
    assert Path(probe).resolve() == Path(sys.executable).resolve(), (
        f"the kernel ran {probe}, not this interpreter {sys.executable}"
    )
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"
    ]
    assert not errors
    # nothing was written next to the notebook sources: the kernel's cwd was tmp_path
    assert not any(p.suffix == ".png" for p in path.parent.iterdir())
