"""Figures from Results. The only module of the library that imports matplotlib.

Figures are plain ``matplotlib.figure.Figure`` objects drawn on the Agg canvas (no pyplot,
no global state, no window), so library code works headless and notebooks can still show
them (``display(fig)`` or just ``fig`` as the last line of a cell).

    figs = {"loss": plots.line_plot({"linear": h1, "2-layer": h2}, ylabel="loss")}
    plots.save(figs["loss"], "runs/p26/loss.png")
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "Axes",
    "Figure",
    "bar_plot",
    "decision_boundaries",
    "decision_boundary",
    "heatmap",
    "image_grid",
    "line_plot",
    "new_figure",
    "save",
    "scatter_plot",
]


def new_figure(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float] | None = None
) -> tuple[Figure, np.ndarray]:
    """An Agg-backed figure and a 2-D array of its axes, for figures the helpers don't cover."""
    if figsize is None:
        figsize = (4.5 * ncols, 3.5 * nrows)
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    axes = np.asarray(fig.subplots(nrows, ncols, squeeze=False))
    return fig, axes


def line_plot(
    histories: Mapping[str, Sequence[float]],
    *,
    title: str = "",
    xlabel: str = "step",
    ylabel: str = "loss",
    logy: bool = False,
    logx: bool = False,
    x: Sequence[float] | None = None,
    hlines: Mapping[str, float] | None = None,
) -> Figure:
    """One line per named curve (e.g. training losses of the method and its baseline)."""
    if not histories:
        raise ValueError("line_plot needs at least one curve")
    fig, axes = new_figure()
    ax = axes[0, 0]
    for name, curve in histories.items():
        ys = np.asarray(curve, dtype=np.float64)
        xs = np.arange(len(ys)) if x is None else np.asarray(x, dtype=np.float64)
        if len(xs) != len(ys):
            raise ValueError(f"line_plot: curve {name!r} has {len(ys)} points, x has {len(xs)}")
        ax.plot(xs, ys, label=name, linewidth=1.5)
    for name, value in (hlines or {}).items():
        ax.axhline(value, linestyle="--", color="gray", linewidth=1)
        ax.annotate(
            name,
            (0.01, value),
            xycoords=("axes fraction", "data"),
            fontsize=8,
            color="gray",
            va="bottom",
        )
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def scatter_plot(
    X: np.ndarray,
    y: np.ndarray | None = None,
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
) -> Figure:
    """2-D points, coloured by integer label ``y`` if given."""
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"scatter_plot: X must have shape (N, 2), got {X.shape}")
    fig, axes = new_figure()
    ax = axes[0, 0]
    ax.scatter(
        X[:, 0],
        X[:, 1],
        c=None if y is None else np.asarray(y),
        s=12,
        cmap=None if y is None else "viridis",  # a cmap without labels makes matplotlib warn
        edgecolors="k",
        linewidths=0.3,
    )
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def decision_boundary(
    xx: np.ndarray,
    yy: np.ndarray,
    zz: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    *,
    title: str = "",
) -> Figure:
    """Predicted class ``zz`` on the mesh ``(xx, yy)`` (all shape (H, W)), with the data on top."""
    xx, yy, zz = np.asarray(xx), np.asarray(yy), np.asarray(zz)
    if not (xx.shape == yy.shape == zz.shape) or xx.ndim != 2:
        raise ValueError(
            f"decision_boundary: xx, yy, zz must share one 2-D shape, got {xx.shape}, {yy.shape}, {zz.shape}"
        )
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: X must have shape (N, 2), got {X.shape}")
    fig, axes = new_figure(figsize=(4.5, 4.5))
    ax = axes[0, 0]
    ax.contourf(xx, yy, zz, alpha=0.35, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], c=np.asarray(y), s=12, cmap="viridis", edgecolors="k", linewidths=0.3)
    ax.set(title=title, xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()))
    ax.set_aspect("equal")
    return fig


def image_grid(
    images: np.ndarray,
    *,
    ncols: int = 8,
    titles: Sequence[str] | None = None,
    title: str = "",
    cmap: str = "gray",
) -> Figure:
    """Images of shape (N, H, W) or (N, H, W, 3) in a grid."""
    images = np.asarray(images)
    if images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[-1] not in (3, 4)):
        raise ValueError(f"image_grid: images must be (N, H, W) or (N, H, W, 3), got {images.shape}")
    n = images.shape[0]
    if n == 0:
        raise ValueError("image_grid: no images")
    if titles is not None and len(titles) != n:
        raise ValueError(f"image_grid: {len(titles)} titles for {n} images")
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig, axes = new_figure(nrows, ncols, figsize=(1.3 * ncols, 1.3 * nrows + 0.4))
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < n:
            ax.imshow(images[k], cmap=cmap if images.ndim == 3 else None)
            if titles is not None:
                ax.set_title(titles[k], fontsize=7)
    if title:
        fig.suptitle(title)
    return fig


def heatmap(
    matrix: np.ndarray,
    *,
    xlabels: Sequence[str] | None = None,
    ylabels: Sequence[str] | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    annotate: bool = False,
    cmap: str = "viridis",
) -> Figure:
    """A 2-D array as a colour map (attention weights, confusion matrices, ...)."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2:
        raise ValueError(f"heatmap: matrix must be 2-D, got shape {m.shape}")
    # room for the tick labels (7 pt: ~0.06 in a character), or long row names squeeze the
    # axes to nothing and the layout gives up (paper 24's 72-character environments)
    label_w = 0.06 * max((len(str(s)) for s in ylabels), default=0) if ylabels is not None else 0.0
    label_h = 0.06 * max((len(str(s)) for s in xlabels), default=0) if xlabels is not None else 0.0
    size = (max(3.5, 0.45 * m.shape[1] + 2 + label_w), max(3.0, 0.4 * m.shape[0] + 1.5 + label_h))
    fig, axes = new_figure(figsize=size)
    ax = axes[0, 0]
    im = ax.imshow(m, cmap=cmap, aspect="auto")
    fig.colorbar(im, ax=ax)
    if xlabels is not None:
        ax.set_xticks(range(m.shape[1]), labels=list(xlabels), rotation=90, fontsize=7)
    if ylabels is not None:
        ax.set_yticks(range(m.shape[0]), labels=list(ylabels), fontsize=7)
    if annotate:
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax.text(j, i, f"{m[i, j]:.2g}", ha="center", va="center", fontsize=6, color="w")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def bar_plot(
    values: Mapping[str, float],
    *,
    title: str = "",
    ylabel: str = "",
    hline: float | None = None,
) -> Figure:
    """One bar per named value (e.g. accuracy of method, baseline and control)."""
    if not values:
        raise ValueError("bar_plot needs at least one value")
    fig, axes = new_figure()
    ax = axes[0, 0]
    names = list(values)
    heights = [float(values[k]) for k in names]
    bars = ax.bar(range(len(names)), heights, color="tab:blue")
    ax.bar_label(bars, fmt="%.3g", fontsize=8)
    ax.set_xticks(range(len(names)), labels=names, rotation=20, ha="right", fontsize=8)
    if hline is not None:
        ax.axhline(hline, linestyle="--", color="gray", linewidth=1)
    ax.set(title=title, ylabel=ylabel)
    return fig


def save(fig: Figure, path: str | Path, *, dpi: int = 100) -> Path:
    """Write ``fig`` as PNG to ``path`` (atomically: temp file + rename) and return the path."""
    if not isinstance(fig, Figure):
        raise TypeError(f"save: expected a matplotlib Figure, got {type(fig).__name__}")
    path = Path(path)
    if path.suffix.lower() != ".png":
        raise ValueError(f"save: only .png is supported, got {path.name!r}")
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.png")
    try:
        fig.savefig(tmp, dpi=dpi, format="png", metadata={"Software": None})
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def decision_boundaries(
    xx: np.ndarray,
    yy: np.ndarray,
    panels: Mapping[str, np.ndarray],
    X: np.ndarray,
    y: np.ndarray,
    *,
    title: str = "",
) -> Figure:
    """Several classifiers' predicted classes on one mesh, side by side, data on top.

    ``panels`` maps a panel title to its predicted classes ``zz`` (same shape as ``xx``).
    """
    xx, yy = np.asarray(xx), np.asarray(yy)
    if xx.shape != yy.shape or xx.ndim != 2:
        raise ValueError(f"decision_boundaries: xx, yy must share one 2-D shape, got {xx.shape}, {yy.shape}")
    if not panels:
        raise ValueError("decision_boundaries needs at least one panel")
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundaries: X must have shape (N, 2), got {X.shape}")
    fig, axes = new_figure(1, len(panels), figsize=(4.0 * len(panels), 4.2))
    levels = np.arange(int(np.max(y)) + 2) - 0.5  # one colour band per class
    for ax, (name, zz) in zip(axes[0], panels.items()):
        zz = np.asarray(zz)
        if zz.shape != xx.shape:
            raise ValueError(f"decision_boundaries: panel {name!r} has shape {zz.shape}, mesh is {xx.shape}")
        ax.contourf(xx, yy, zz, levels=levels, alpha=0.35, cmap="viridis")
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=np.asarray(y),
            s=10,
            cmap="viridis",
            edgecolors="k",
            linewidths=0.3,
            vmin=levels[0] + 0.5,
            vmax=levels[-1] - 0.5,
        )
        ax.set(xlim=(xx.min(), xx.max()), ylim=(yy.min(), yy.max()))
        ax.set_title(name, fontsize=9)
        ax.set_aspect("equal")
    if title:
        fig.suptitle(title)
    return fig


def pipeline_gantt(charts: Mapping[str, np.ndarray], *, title: str = "") -> Figure:
    """Pipeline schedules as Gantt charts, one panel per name (e.g. ``"K4_M8"``).

    Each chart is (stages, ticks): the micro-batch m for a forward tick, −1 − m for a
    backward tick, NaN when the stage is idle (the bubble, drawn white).
    """
    if not charts:
        raise ValueError("pipeline_gantt needs at least one chart")
    fig, axes = new_figure(len(charts), 1, figsize=(7.5, 1.0 + 1.1 * sum(np.shape(c)[0] for c in charts.values()) / 2))
    for ax, (name, chart) in zip(axes[:, 0], charts.items()):
        chart = np.asarray(chart, dtype=np.float64)
        if chart.ndim != 2:
            raise ValueError(f"pipeline_gantt: chart {name!r} must be 2-D (stages, ticks), got {chart.shape}")
        n_mb = int(np.nanmax(np.where(chart >= 0, chart, -1 - chart))) + 1 if np.isfinite(chart).any() else 1
        rgb = np.ones(chart.shape + (3,))
        fwd, bwd = chart >= 0, chart < 0
        shade = lambda v, n=n_mb: 0.35 + 0.55 * v / max(1, n - 1)  # noqa: E731
        rgb[fwd] = np.stack([0.2 * np.ones(fwd.sum()), shade(chart[fwd]), 0.9 * np.ones(fwd.sum())], axis=1)
        rgb[bwd] = np.stack([0.95 * np.ones(bwd.sum()), shade(-1 - chart[bwd]), 0.2 * np.ones(bwd.sum())], axis=1)
        ax.imshow(rgb, aspect="auto", interpolation="nearest")
        for k in range(chart.shape[0]):
            for t in range(chart.shape[1]):
                if np.isfinite(chart[k, t]) and chart.shape[1] <= 80:
                    v = int(chart[k, t])
                    ax.text(t, k, str(v if v >= 0 else -1 - v), ha="center", va="center", fontsize=5)
        ax.set_yticks(range(chart.shape[0]), labels=[f"stage {k}" for k in range(chart.shape[0])], fontsize=7)
        ax.set_xlabel("tick (blue: forward, orange: backward, white: bubble)", fontsize=7)
        ax.set_title(name, fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def grouped_bar_plot(
    groups: Mapping[str, Mapping[str, float]],
    *,
    title: str = "",
    ylabel: str = "",
    hline: float | None = None,
) -> Figure:
    """Bars grouped by category: ``groups[series][category]`` (e.g. accuracy per model per question type)."""
    if not groups:
        raise ValueError("grouped_bar_plot needs at least one series")
    series = list(groups)
    categories = list(groups[series[0]])
    for s in series:
        if list(groups[s]) != categories:
            raise ValueError(f"grouped_bar_plot: series {s!r} has categories {list(groups[s])}, expected {categories}")
    fig, axes = new_figure(figsize=(max(4.5, 0.9 * len(categories) * len(series) / 2 + 2), 3.5))
    ax = axes[0, 0]
    width = 0.8 / len(series)
    for k, s in enumerate(series):
        xs = np.arange(len(categories)) + (k - (len(series) - 1) / 2) * width
        ax.bar(xs, [float(groups[s][c]) for c in categories], width=width, label=s)
    ax.set_xticks(range(len(categories)), labels=categories, fontsize=8)
    if hline is not None:
        ax.axhline(hline, linestyle="--", color="gray", linewidth=1)
    ax.set(title=title, ylabel=ylabel)
    ax.legend(fontsize=8)
    return fig


def heatmap_row(
    matrices: Mapping[str, np.ndarray],
    *,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    cmap: str = "gray",
) -> Figure:
    """Several 2-D arrays side by side on one colour scale (e.g. an NTM's write and read weightings over time)."""
    if not matrices:
        raise ValueError("heatmap_row needs at least one matrix")
    ms = {k: np.asarray(v, dtype=np.float64) for k, v in matrices.items()}
    for k, m in ms.items():
        if m.ndim != 2:
            raise ValueError(f"heatmap_row: matrix {k!r} must be 2-D, got shape {m.shape}")
    vmin, vmax = min(m.min() for m in ms.values()), max(m.max() for m in ms.values())
    fig, axes = new_figure(1, len(ms), figsize=(3.2 * len(ms) + 0.8, 3.6))
    for ax, (name, m) in zip(axes[0], ms.items()):
        im = ax.imshow(m, cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax)
        ax.set(title=name, xlabel=xlabel, ylabel=ylabel)
    fig.colorbar(im, ax=list(axes[0]))
    if title:
        fig.suptitle(title)
    return fig
