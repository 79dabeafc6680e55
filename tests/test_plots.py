"""plots.py: every helper draws a real PNG headless, and bad input is one clear error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from sutskever30 import plots

PNG = b"\x89PNG\r\n\x1a\n"


def _figures() -> dict[str, plots.Figure]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(int)
    xx, yy = np.meshgrid(np.linspace(-2, 2, 20), np.linspace(-2, 2, 20))
    return {
        "line": plots.line_plot({"a": [3, 2, 1], "b": [3, 1, 0.5]}, logy=True, hlines={"ln 3": 1}),
        "scatter": plots.scatter_plot(X, y),
        "boundary": plots.decision_boundary(xx, yy, (xx > 0).astype(int), X, y),
        "boundaries": plots.decision_boundaries(
            xx, yy, {"left": (xx > 0).astype(int), "right": (yy > 0).astype(int)}, X, y
        ),
        "images": plots.image_grid(rng.random((5, 8, 8)), ncols=3, titles=list("abcde")),
        "heatmap": plots.heatmap(rng.random((3, 4)), xlabels=list("wxyz"), annotate=True),
        "bars": plots.bar_plot({"linear": 0.5, "2-layer": 0.98}, hline=0.95),
    }


def test_every_helper_saves_a_png(tmp_path):
    for name, fig in _figures().items():
        path = plots.save(fig, tmp_path / f"{name}.png")
        data = path.read_bytes()
        assert data[:8] == PNG and len(data) > 1000, name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.png" for n in _figures()), (
        "temporary files left behind"
    )


def test_same_figure_same_bytes(tmp_path):
    a = plots.save(_figures()["boundary"], tmp_path / "a.png").read_bytes()
    b = plots.save(_figures()["boundary"], tmp_path / "b.png").read_bytes()
    assert a == b


def test_bad_input_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="at least one curve"):
        plots.line_plot({})
    with pytest.raises(ValueError, match=r"curve 'a' has 3 points, x has 2"):
        plots.line_plot({"a": [1, 2, 3]}, x=[0, 1])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 2\)"):
        plots.scatter_plot(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="share one 2-D shape"):
        plots.decision_boundary(np.zeros((2, 2)), np.zeros((2, 3)), np.zeros((2, 2)), np.zeros((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match=r"panel 'p' has shape \(3, 3\), mesh is \(2, 2\)"):
        plots.decision_boundaries(
            np.zeros((2, 2)),
            np.zeros((2, 2)),
            {"p": np.zeros((3, 3))},
            np.zeros((1, 2)),
            np.zeros(1),
        )
    with pytest.raises(ValueError, match=r"images must be \(N, H, W\)"):
        plots.image_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="must be 2-D"):
        plots.heatmap(np.zeros(3))
    with pytest.raises(ValueError, match="only .png"):
        plots.save(plots.bar_plot({"a": 1}), tmp_path / "x.jpg")
    with pytest.raises(TypeError, match="matplotlib Figure"):
        plots.save("not a figure", tmp_path / "x.png")


def test_heatmap_makes_room_for_long_row_names(tmp_path):
    """Paper 24's heat map has 63 environments named by up to 72 characters; the figure
    must widen for them instead of squeezing the axes until the layout gives up."""
    rows = [f"PRED(XOR(XOR(PERIOD({'10' * 12}),THUE),COIN({i}))) [51] heldout_deterministic" for i in range(63)]
    matrix = np.random.default_rng(0).random((63, 9))  # (rows, columns)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied" is a UserWarning
        fig = plots.heatmap(matrix, xlabels=[f"agent {j}" for j in range(9)], ylabels=rows, title="V")
        plots.save(fig, tmp_path / "v.png")
