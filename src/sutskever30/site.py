"""The website: ``sutskever30 site --out site/`` builds the whole suite with MkDocs (Material,
mkdocs-jupyter, mkdocstrings) from a checkout.

What this module writes is Markdown and an ``mkdocs.yml``; MkDocs does all the HTML. Pages:

* home: what this is, the learning tracks, the 30 papers with status and recorded claims;
* per paper: the headline claim, the recorded runs from ``docs/results/`` (claims per seed,
  paper vs ours, figures), the notebook executed on the smoke preset at build time, and the
  annotated source (the module's comments and docstrings beside its code, labml-style);
* the engine: pairs and the tape, and an API reference from the docstrings.

Offline: KaTeX comes from the npm registry at build time (``npm pack katex``) into the
site's assets, search is Material's built-in (lunr, offline), and no font or script is
loaded from another host.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from . import registry
from .experiment import all_passed, md_escape, tally

ROOT = Path(__file__).resolve().parents[2]  # the checkout: src/sutskever30/site.py
KATEX = "katex@0.16"
TRACK_TEXT = {
    "beginner": "start here: backpropagation by hand, gradient checking, the training loop",
    "intermediate": "attention and sequence models",
    "advanced": "memory, structure and scale",
    "theory": "complexity and compression",
}


# --------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------


def _results(number: int) -> dict:
    path = ROOT / "docs" / "results" / f"{number:02d}_{registry.get(number).slug}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _tally(section: dict) -> tuple[int, int, int, int]:
    """(claims passed, claims run, seeds with every claim passed, seeds) over a preset's seeds."""
    runs = list(section["seeds"].values())
    passed, total = tally([c for r in runs for c in r["claims"]])
    clean = sum(1 for r in runs if not r["error"] and all_passed(r["claims"]))
    return passed, total, clean, len(runs)


def home_page() -> str:
    lines = [
        "# sutskever30",
        "",
        "The 30 papers on Ilya Sutskever's reading list, implemented in NumPy, small enough to read and",
        "fast enough to run on a laptop CPU. Every model trains or simulates for real, every gradient",
        "is checked against finite differences and PyTorch, and every claim below is *measured*: a",
        "failing claim is shown as failing.",
        "",
        "## Learning tracks",
        "",
    ]
    for track in registry.TRACKS:
        papers = [p for p in registry.PAPERS.values() if p.track == track]
        links = ", ".join(f"[{p.number}](papers/{p.number:02d}_{p.slug}.md)" for p in papers)
        lines.append(f"* **{track}**: {TRACK_TEXT[track]} ({links})")
    lines += [
        "",
        "## The papers",
        "",
        "Claims are those of the recorded runs in `docs/results/`, every seed counted (a quick-only claim",
        "is not counted on the full preset); the time is the median wall time of a quick run, as recorded",
        "(on a shared machine, so an upper bound).",
        "",
        "| # | paper | track | status | quick claims passed | full claims passed | quick run |",
        "|---:|---|---|---|---|---|---:|",
    ]
    for n, p in registry.PAPERS.items():
        data = _results(n)
        status = registry.status(n)
        claims = {"quick": "—", "full": "—"}
        secs = "—"
        for preset in claims:
            if preset in data:
                passed, total, clean, seeds = _tally(data[preset])
                claims[preset] = f"[{passed}/{total} over {seeds} seeds](papers/{n:02d}_{p.slug}.md)"
        if "quick" in data:
            times = sorted(r["seconds"] for r in data["quick"]["seeds"].values() if r["seconds"])
            secs = f"{times[len(times) // 2]:.0f} s" if times else "—"
        title = f"[{md_escape(p.title)}](papers/{n:02d}_{p.slug}.md)"
        lines.append(f"| {n} | {title} | {p.track} | {status} | {claims['quick']} | {claims['full']} | {secs} |")
    return "\n".join(lines) + "\n"


def paper_page(number: int, has_notebook: bool) -> str:
    p = registry.get(number)
    stem = f"{number:02d}_{p.slug}"
    lines = [
        f"# {number} · {p.title}",
        "",
        f"{p.authors} ({p.year})" + (f" · [the paper]({p.link})" if p.link else ""),
        "",
        f"> {p.claim}",
        "",
        f"Track: **{p.track}** · concepts: {', '.join(p.concepts)}",
        "",
    ]
    if not registry.is_built(number):
        return "\n".join(lines + ["*Not built yet.*", ""])
    more = [f"[annotated source]({stem}_source.md)"]
    if has_notebook:
        more.insert(0, f"[notebook]({stem}_notebook.ipynb)")
    lines += ["Read: " + " · ".join(more), ""]
    results = ROOT / "docs" / "results" / f"{stem}.md"
    if results.exists():
        body = results.read_text(encoding="utf-8").split("\n", 1)[1]  # without its title
        body = body.replace(f"> {p.claim}\n", "", 1)  # the headline claim is already above
        body = body.replace(
            "Written by `sutskever30 report`; do not edit by hand, except the Notes section at the end.", ""
        )
        lines += [
            "The recorded runs below were written by `sutskever30 report` (the command and commit are given).",
            "A ✗ marks a claim that failed on that seed.",
            body.replace("\n## ", "\n## "),
        ]
    else:
        lines += ["*No recorded run yet.*", ""]
    return "\n".join(lines) + "\n"


def _chunks(source: str) -> list[tuple[str, str]]:
    """Split a module into (prose, code) pairs: the module docstring, then each top-level
    statement with the comment block above it and its own docstring as prose."""
    tree = ast.parse(source)
    lines = source.splitlines()
    out: list[tuple[str, str]] = []
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        out.append((str(body[0].value.value), ""))
        body = body[1:]
    prev_end = tree.body[0].end_lineno if out else 0
    for node in body:
        start = node.lineno - 1 - len(getattr(node, "decorator_list", []))
        gap = lines[prev_end:start]
        comments = [
            ln.strip()[1:].strip() for ln in gap if ln.strip().startswith("#") and not set(ln.strip()) <= {"#", "="}
        ]
        code = "\n".join(lines[start : node.end_lineno])
        doc = (
            ast.get_docstring(node) if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) else None
        )
        prose = "\n".join(comments) + (("\n\n" if comments else "") + doc if doc else "")
        if out and not prose and not out[-1][0] and out[-1][1]:
            out[-1] = ("", out[-1][1] + "\n\n" + code)  # runs of undocumented statements stay together
        else:
            out.append((prose, code))
        prev_end = node.end_lineno
    return out


def prose_markdown(text: str) -> str:
    """Docstring prose as Python-Markdown. Docstrings indent a list item's continuation by
    2 spaces and a block inside it (an equation) by 6; Markdown needs 4 and 8, or the block
    runs into the paragraph and the next item into the block. Inside a list, indentation
    doubles, and each item starts after a blank line; everything else is left as written."""
    out, in_list = [], False
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if stripped and indent == 0:
            in_list = bool(re.match(r"[*-] ", stripped))
            if in_list and out and out[-1].strip():
                out.append("")  # else an item after a continuation paragraph joins that paragraph
        out.append(" " * (2 * indent) + stripped if in_list and indent else line)
    return "\n".join(out)


def source_page(number: int) -> str:
    p = registry.get(number)
    module = Path(registry.load(number).__file__)
    lines = [
        f"# {number} · {p.title}: annotated source",
        "",
        f"`src/sutskever30/papers/{module.name}`, read top to bottom: the comments and docstrings on the left,",
        "the code they describe on the right.",
        "",
    ]
    for prose, code in _chunks(module.read_text(encoding="utf-8")):
        if not code:  # the module docstring reads across the page
            lines += [prose_markdown(prose.strip()), ""]
            continue
        prose = prose_markdown(prose.strip())
        lines += ['<div class="annotated" markdown>', '<div class="prose" markdown>', "", prose, "", "</div>"]
        lines += ['<div class="code" markdown>', "", f"```python\n{code}\n```", "", "</div>", "</div>", ""]
    return "\n".join(lines) + "\n"


ENGINE_PAGE = """# The engine: pairs and the tape

Everything a paper trains runs on `sutskever30.nn`, about three thousand lines of NumPy.

**Pairs.** Every differentiable operation is a pair of functions on plain arrays in
`nn/pairs/`: `x_forward(...) -> (out, cache)` and `x_backward(dout, cache) -> grads`, with the
shapes in the docstring. Read a pair and you have read all the mathematics there is. Each
pair's backward is checked against central differences in float64 with random upstream
gradients, and against PyTorch.

**The tape.** `nn.Tensor` records, for each operation, the pair's backward and its cache.
`loss.backward()` walks the recorded graph in reverse topological order and calls the
backwards. The tape adds no mathematics of its own.

**PyTorch's names.** `nn.functional` (`F.relu`, `F.cross_entropy`, `F.conv2d`,
`F.scaled_dot_product_attention`, ...), modules (`nn.Linear`, `nn.LSTM`, `nn.MultiheadAttention`,
...), optimizers and schedules (`nn.optim`) follow PyTorch's names and semantics; where they
differ on purpose, the docstring says so.

* [API reference](api.md)
"""

API_PAGE = """# API reference

::: sutskever30.nn.functional

::: sutskever30.nn.modules

::: sutskever30.nn.optim

::: sutskever30.experiment
"""

CSS = """
.md-grid { max-width: 1600px; }
.annotated { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 3fr); gap: 1rem;
  border-top: 1px solid var(--md-default-fg-color--lightest); padding-top: .4rem; }
.annotated .prose { font-size: .72rem; }
.annotated .code pre { margin-top: 0; }
@media (max-width: 900px) { .annotated { grid-template-columns: 1fr; } }
.md-typeset table:not([class]) { font-size: .66rem; }
.md-typeset table:not([class]) td:first-child { min-width: 14rem; }  /* the claim, readable beside 8 seeds */
"""

KATEX_INIT = """document.addEventListener("DOMContentLoaded", function () {
  renderMathInElement(document.body, {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\\\[", right: "\\\\]", display: true},
      {left: "$", right: "$", display: false},
      {left: "\\\\(", right: "\\\\)", display: false}
    ],
    ignoredClasses: ["highlight", "code", "jp-CodeCell"],
    throwOnError: false
  });
});
"""


def mkdocs_config(nav_papers: list[tuple[str, list]]) -> dict:
    return {
        "site_name": "sutskever30",
        "site_description": "The 30 papers of Ilya Sutskever's reading list, in NumPy, with every claim measured.",
        "docs_dir": "docs",
        "use_directory_urls": False,
        "theme": {"name": "material", "font": False, "features": ["navigation.sections", "search.highlight"]},
        "markdown_extensions": ["tables", "md_in_html", "admonition", "pymdownx.superfences", "pymdownx.highlight"],
        "plugins": [
            "search",  # Material's lunr search runs in the browser: offline once served
            {"mkdocs-jupyter": {"execute": False, "include_source": True, "ignore_h1_titles": True}},
            {
                "mkdocstrings": {
                    "handlers": {"python": {"paths": [str(ROOT / "src")], "options": {"show_source": False}}}
                }
            },
        ],
        "extra_css": ["assets/katex/katex.min.css", "assets/site.css"],
        "extra_javascript": [
            "assets/katex/katex.min.js",
            "assets/katex/contrib/auto-render.min.js",
            "assets/katex-init.js",
        ],
        "nav": [
            {"Home": "index.md"},
            {"Papers": [{title: items} for title, items in nav_papers]},
            {"Engine": [{"Pairs and the tape": "engine.md"}, {"API reference": "api.md"}]},
            {"Measured results": "results.md"},
        ],
    }


# --------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------


def vendor_katex(dest: Path) -> None:
    """Unpack KaTeX's dist/ from the npm registry into ``dest`` (no CDN at run time)."""
    with tempfile.TemporaryDirectory() as tmp:
        name = subprocess.run(
            ["npm", "pack", KATEX, "--silent", "--pack-destination", tmp],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[-1]
        with tarfile.open(Path(tmp) / name) as tar:
            tar.extractall(tmp, filter="data")
        shutil.copytree(
            Path(tmp) / "package" / "dist", dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.md", "*.html")
        )


def execute_notebook(src: Path, dest: Path) -> None:
    """The jupytext notebook as an .ipynb executed on the smoke preset (seconds per notebook)."""
    import jupytext
    import nbclient

    nb = jupytext.read(src)
    with tempfile.TemporaryDirectory() as cwd:
        env_before = os.environ.get("SUTSKEVER30_SMOKE")
        os.environ["SUTSKEVER30_SMOKE"] = "1"  # inherited by the kernel
        try:
            nbclient.NotebookClient(
                nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": cwd}}
            ).execute()
        finally:
            if env_before is None:
                os.environ.pop("SUTSKEVER30_SMOKE", None)
            else:
                os.environ["SUTSKEVER30_SMOKE"] = env_before
    jupytext.write(nb, dest, fmt="ipynb")


def build(out: str | Path, *, notebooks: bool = True, workdir: str | Path | None = None) -> Path:
    """Write the site's sources into ``workdir`` (a temporary folder by default) and build it into ``out``."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    out = Path(out).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(workdir) if workdir else Path(tmp)
        docs = work / "docs"
        if docs.exists():
            shutil.rmtree(docs)
        (docs / "papers").mkdir(parents=True)
        (docs / "assets").mkdir()
        vendor_katex(docs / "assets" / "katex")
        (docs / "assets" / "site.css").write_text(CSS, encoding="utf-8")
        (docs / "assets" / "katex-init.js").write_text(KATEX_INIT, encoding="utf-8")
        (docs / "index.md").write_text(home_page(), encoding="utf-8")
        (docs / "engine.md").write_text(ENGINE_PAGE, encoding="utf-8")
        (docs / "api.md").write_text(API_PAGE, encoding="utf-8")
        results = ROOT / "docs" / "results"
        index = results / "README.md"
        text = index.read_text(encoding="utf-8") if index.exists() else "# Measured results\n\nNone yet.\n"
        (docs / "results.md").write_text(text.replace("](", "](papers/"), encoding="utf-8")

        nav: dict[str, list] = {track: [] for track in registry.TRACKS}
        for n, p in registry.PAPERS.items():
            stem = f"{n:02d}_{p.slug}"
            nb_src = ROOT / "notebooks" / f"{stem}.py"
            built = registry.is_built(n)
            has_nb = built and notebooks and nb_src.exists()
            (docs / "papers" / f"{stem}.md").write_text(paper_page(n, has_nb), encoding="utf-8")
            entry: list = [{"Recorded runs": f"papers/{stem}.md"}]
            if built:
                if (results / stem).is_dir():
                    shutil.copytree(results / stem, docs / "papers" / stem)
                (docs / "papers" / f"{stem}_source.md").write_text(source_page(n), encoding="utf-8")
                entry.append({"Annotated source": f"papers/{stem}_source.md"})
                if has_nb:
                    execute_notebook(nb_src, docs / "papers" / f"{stem}_notebook.ipynb")
                    entry.append({"Notebook": f"papers/{stem}_notebook.ipynb"})
            nav[p.track].append({f"{n} · {p.title}": entry})
        config_path = work / "mkdocs.yml"
        cfg = mkdocs_config([(track, items) for track, items in nav.items()])
        cfg["site_dir"] = str(out)
        import yaml

        config_path.write_text(yaml.safe_dump(cfg, sort_keys=False, allow_unicode=True), encoding="utf-8")
        mkdocs_build(load_config(str(config_path)))
    return out
