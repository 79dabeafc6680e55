"""The 30 papers of the reading list: number, title, authors, year, link, track, concepts.

A paper is *built* when its module ``sutskever30.papers.pNN_<slug>`` exists. ``load(n)``
imports it. Regenerate the README's table with::

    python -m sutskever30.registry --readme-table      # print it
    python -m sutskever30.registry --update-readme     # rewrite it in README.md

Tests (and only tests) may point a paper number at another module with the environment
variable ``SUTSKEVER30_PAPER_MODULES="2=some.module,4=other.module"``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

TRACKS: tuple[str, ...] = ("beginner", "intermediate", "advanced", "theory")
OVERRIDE_ENV = "SUTSKEVER30_PAPER_MODULES"
PACKAGE = "sutskever30.papers"


@dataclass(frozen=True)
class PaperInfo:
    number: int
    slug: str
    title: str
    authors: str
    year: int
    link: str | None
    track: str
    concepts: tuple[str, ...]

    @property
    def module_name(self) -> str:
        return f"{PACKAGE}.p{self.number:02d}_{self.slug}"


_PAPER_LIST: list[PaperInfo] = [
    PaperInfo(
        number=1,
        slug="complexodynamics",
        title="The First Law of Complexodynamics",
        authors="Scott Aaronson",
        year=2011,
        link="https://scottaaronson.blog/?p=762",
        track="theory",
        concepts=(
            "entropy vs. complexity",
            "sophistication",
            "two-part codes",
            "coarse-graining",
        ),
    ),
    PaperInfo(
        number=2,
        slug="rnn_effectiveness",
        title="The Unreasonable Effectiveness of Recurrent Neural Networks",
        authors="Andrej Karpathy",
        year=2015,
        link="https://karpathy.github.io/2015/05/21/rnn-effectiveness/",
        track="beginner",
        concepts=(
            "character-level language model",
            "backprop through time",
            "sampling",
            "temperature",
        ),
    ),
    PaperInfo(
        number=3,
        slug="understanding_lstm",
        title="Understanding LSTM Networks",
        authors="Christopher Olah",
        year=2015,
        link="https://colah.github.io/posts/2015-08-Understanding-LSTMs/",
        track="beginner",
        concepts=(
            "LSTM gates",
            "cell state",
            "vanishing gradients",
            "long-range memory",
        ),
    ),
    PaperInfo(
        number=4,
        slug="rnn_regularization",
        title="Recurrent Neural Network Regularization",
        authors="Wojciech Zaremba, Ilya Sutskever, Oriol Vinyals",
        year=2014,
        link="https://arxiv.org/abs/1409.2329",
        track="intermediate",
        concepts=(
            "dropout on non-recurrent connections",
            "stacked LSTM",
            "perplexity",
        ),
    ),
    PaperInfo(
        number=5,
        slug="mdl_weights",
        title="Keeping Neural Networks Simple by Minimizing the Description Length of the Weights",
        authors="Geoffrey Hinton, Drew van Camp",
        year=1993,
        link="https://www.cs.toronto.edu/~hinton/absps/colt93.pdf",
        track="theory",
        concepts=(
            "minimum description length",
            "noisy weights",
            "bits-back",
            "variational Bayes",
        ),
    ),
    PaperInfo(
        number=6,
        slug="pointer_networks",
        title="Pointer Networks",
        authors="Oriol Vinyals, Meire Fortunato, Navdeep Jaitly",
        year=2015,
        link="https://arxiv.org/abs/1506.03134",
        track="intermediate",
        concepts=(
            "attention as output distribution",
            "variable-size outputs",
            "convex hull",
            "length generalisation",
        ),
    ),
    PaperInfo(
        number=7,
        slug="alexnet",
        title="ImageNet Classification with Deep Convolutional Neural Networks",
        authors="Alex Krizhevsky, Ilya Sutskever, Geoffrey Hinton",
        year=2012,
        link="https://proceedings.neurips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html",
        track="beginner",
        concepts=(
            "convolution",
            "ReLU",
            "dropout",
            "data augmentation",
            "max pooling",
        ),
    ),
    PaperInfo(
        number=8,
        slug="order_matters",
        title="Order Matters: Sequence to Sequence for Sets",
        authors="Oriol Vinyals, Samy Bengio, Manjunath Kudlur",
        year=2015,
        link="https://arxiv.org/abs/1511.06391",
        track="intermediate",
        concepts=(
            "read-process-write",
            "permutation invariance",
            "set encoding",
            "output order",
        ),
    ),
    PaperInfo(
        number=9,
        slug="gpipe",
        title="GPipe: Efficient Training of Giant Neural Networks using Pipeline Parallelism",
        authors="Yanping Huang et al.",
        year=2019,
        link="https://arxiv.org/abs/1811.06965",
        track="advanced",
        concepts=(
            "pipeline parallelism",
            "micro-batches",
            "re-materialisation",
            "synchronous gradient accumulation",
        ),
    ),
    PaperInfo(
        number=10,
        slug="resnet",
        title="Deep Residual Learning for Image Recognition",
        authors="Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun",
        year=2015,
        link="https://arxiv.org/abs/1512.03385",
        track="beginner",
        concepts=(
            "residual connections",
            "degradation problem",
            "batch normalisation",
            "depth",
        ),
    ),
    PaperInfo(
        number=11,
        slug="dilated_conv",
        title="Multi-Scale Context Aggregation by Dilated Convolutions",
        authors="Fisher Yu, Vladlen Koltun",
        year=2015,
        link="https://arxiv.org/abs/1511.07122",
        track="intermediate",
        concepts=(
            "dilated convolution",
            "receptive field",
            "dense prediction",
            "identity initialisation",
        ),
    ),
    PaperInfo(
        number=12,
        slug="mpnn",
        title="Neural Message Passing for Quantum Chemistry",
        authors="Justin Gilmer et al.",
        year=2017,
        link="https://arxiv.org/abs/1704.01212",
        track="advanced",
        concepts=(
            "message passing",
            "graph neural networks",
            "edge networks",
            "set2set readout",
        ),
    ),
    PaperInfo(
        number=13,
        slug="transformer",
        title="Attention Is All You Need",
        authors="Ashish Vaswani et al.",
        year=2017,
        link="https://arxiv.org/abs/1706.03762",
        track="intermediate",
        concepts=(
            "self-attention",
            "multi-head attention",
            "positional encoding",
            "causal mask",
        ),
    ),
    PaperInfo(
        number=14,
        slug="bahdanau_attention",
        title="Neural Machine Translation by Jointly Learning to Align and Translate",
        authors="Dzmitry Bahdanau, Kyunghyun Cho, Yoshua Bengio",
        year=2014,
        link="https://arxiv.org/abs/1409.0473",
        track="intermediate",
        concepts=(
            "additive attention",
            "encoder-decoder",
            "alignment",
            "fixed-length bottleneck",
        ),
    ),
    PaperInfo(
        number=15,
        slug="identity_mappings",
        title="Identity Mappings in Deep Residual Networks",
        authors="Kaiming He, Xiangyu Zhang, Shaoqing Ren, Jian Sun",
        year=2016,
        link="https://arxiv.org/abs/1603.05027",
        track="intermediate",
        concepts=(
            "pre-activation residual units",
            "clean identity paths",
            "gradient propagation",
        ),
    ),
    PaperInfo(
        number=16,
        slug="relation_networks",
        title="A Simple Neural Network Module for Relational Reasoning",
        authors="Adam Santoro et al.",
        year=2017,
        link="https://arxiv.org/abs/1706.01427",
        track="intermediate",
        concepts=(
            "relation networks",
            "pairwise functions",
            "permutation invariance",
            "relational questions",
        ),
    ),
    PaperInfo(
        number=17,
        slug="vlae",
        title="Variational Lossy Autoencoder",
        authors="Xi Chen et al.",
        year=2016,
        link="https://arxiv.org/abs/1611.02731",
        track="advanced",
        concepts=(
            "VAE",
            "posterior collapse",
            "autoregressive decoder",
            "bits-back",
            "lossy codes",
        ),
    ),
    PaperInfo(
        number=18,
        slug="relational_rnn",
        title="Relational Recurrent Neural Networks",
        authors="Adam Santoro et al.",
        year=2018,
        link="https://arxiv.org/abs/1806.01822",
        track="advanced",
        concepts=(
            "relational memory core",
            "attention over memory slots",
            "gated memory",
            "N-th farthest task",
        ),
    ),
    PaperInfo(
        number=19,
        slug="coffee_automaton",
        title="Quantifying the Rise and Fall of Complexity in Closed Systems: The Coffee Automaton",
        authors="Scott Aaronson, Sean Carroll, Lauren Ouellette",
        year=2014,
        link="https://arxiv.org/abs/1405.6903",
        track="theory",
        concepts=(
            "cellular automata",
            "apparent complexity",
            "coarse-graining",
            "compression",
        ),
    ),
    PaperInfo(
        number=20,
        slug="ntm",
        title="Neural Turing Machines",
        authors="Alex Graves, Greg Wayne, Ivo Danihelka",
        year=2014,
        link="https://arxiv.org/abs/1410.5401",
        track="advanced",
        concepts=(
            "external memory",
            "content addressing",
            "location addressing",
            "copy task",
        ),
    ),
    PaperInfo(
        number=21,
        slug="deep_speech2",
        title="Deep Speech 2: End-to-End Speech Recognition in English and Mandarin",
        authors="Dario Amodei et al.",
        year=2015,
        link="https://arxiv.org/abs/1512.02595",
        track="advanced",
        concepts=(
            "CTC loss",
            "forward-backward recursion",
            "bidirectional RNN",
            "end-to-end speech recognition",
        ),
    ),
    PaperInfo(
        number=22,
        slug="scaling_laws",
        title="Scaling Laws for Neural Language Models",
        authors="Jared Kaplan et al.",
        year=2020,
        link="https://arxiv.org/abs/2001.08361",
        track="advanced",
        concepts=(
            "power laws",
            "compute-optimal training",
            "model size vs. data",
            "loss extrapolation",
        ),
    ),
    PaperInfo(
        number=23,
        slug="mdl_tutorial",
        title="A Tutorial Introduction to the Minimum Description Length Principle",
        authors="Peter Grünwald",
        year=2004,
        link="https://arxiv.org/abs/math/0406077",
        track="theory",
        concepts=(
            "two-part codes",
            "model selection",
            "normalised maximum likelihood",
            "prequential coding",
        ),
    ),
    PaperInfo(
        number=24,
        slug="machine_super_intelligence",
        title="Machine Super Intelligence",
        authors="Shane Legg",
        year=2008,
        link="https://www.vetta.org/documents/Machine_Super_Intelligence.pdf",
        track="theory",
        concepts=(
            "universal intelligence",
            "Solomonoff prior",
            "AIXI",
            "reinforcement learning",
        ),
    ),
    PaperInfo(
        number=25,
        slug="kolmogorov_complexity",
        title="Kolmogorov Complexity and Algorithmic Randomness",
        authors="Alexander Shen, Vladimir Uspensky, Nikolai Vereshchagin",
        year=2017,
        link="https://www.lirmm.fr/~ashen/kolmbook-eng-scan.pdf",
        track="theory",
        concepts=(
            "Kolmogorov complexity",
            "invariance theorem",
            "incompressibility",
            "algorithmic probability",
            "normalised compression distance",
        ),
    ),
    PaperInfo(
        number=26,
        slug="cs231n",
        title="CS231n: Convolutional Neural Networks for Visual Recognition",
        authors="Stanford University (Fei-Fei Li, Andrej Karpathy, Justin Johnson et al.)",
        year=2016,
        link="https://cs231n.github.io/",
        track="beginner",
        concepts=(
            "softmax classifier",
            "backpropagation by hand",
            "gradient checking",
            "k-nearest neighbours",
            "cross-validation",
        ),
    ),
    PaperInfo(
        number=27,
        slug="multi_token_prediction",
        title="Better & Faster Large Language Models via Multi-token Prediction",
        authors="Fabian Gloeckle et al.",
        year=2024,
        link="https://arxiv.org/abs/2404.19737",
        track="advanced",
        concepts=(
            "multi-token heads",
            "shared trunk",
            "self-speculative decoding",
            "induction heads",
        ),
    ),
    PaperInfo(
        number=28,
        slug="dpr",
        title="Dense Passage Retrieval for Open-Domain Question Answering",
        authors="Vladimir Karpukhin et al.",
        year=2020,
        link="https://arxiv.org/abs/2004.04906",
        track="intermediate",
        concepts=(
            "dual encoder",
            "in-batch negatives",
            "contrastive loss",
            "BM25 baseline",
        ),
    ),
    PaperInfo(
        number=29,
        slug="rag",
        title="Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks",
        authors="Patrick Lewis et al.",
        year=2020,
        link="https://arxiv.org/abs/2005.11401",
        track="advanced",
        concepts=(
            "retrieval-augmented generation",
            "latent documents",
            "marginalisation",
            "parametric vs. non-parametric memory",
        ),
    ),
    PaperInfo(
        number=30,
        slug="lost_in_the_middle",
        title="Lost in the Middle: How Language Models Use Long Contexts",
        authors="Nelson F. Liu et al.",
        year=2023,
        link="https://arxiv.org/abs/2307.03172",
        track="advanced",
        concepts=(
            "long-context retrieval",
            "position effects",
            "primacy and recency",
            "key-value retrieval",
        ),
    ),
]

PAPERS: dict[int, PaperInfo] = {p.number: p for p in _PAPER_LIST}


class UnknownPaper(ValueError):
    """The number is not one of the 30 papers."""


class PaperNotBuilt(LookupError):
    """The paper is on the list but its module does not exist yet."""


def _check_number(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise UnknownPaper(f"paper number must be an int, got {n!r}")
    if n not in PAPERS:
        raise UnknownPaper(f"paper {n} does not exist; choose 1-{len(PAPERS)}")
    return n


def get(n: int) -> PaperInfo:
    """The registry entry for paper ``n`` (1-30)."""
    return PAPERS[_check_number(n)]


def _overrides() -> dict[int, str]:
    raw = os.environ.get(OVERRIDE_ENV, "").strip()
    out: dict[int, str] = {}
    if not raw:
        return out
    for item in raw.split(","):
        num, sep, module = item.partition("=")
        if not sep or not num.strip().isdigit() or not module.strip():
            raise ValueError(f"{OVERRIDE_ENV}: expected 'N=module,...', got {item!r}")
        out[int(num)] = module.strip()
    return out


def module_name(n: int, *, use_overrides: bool = True) -> str:
    """The import path of paper ``n``'s module (``sutskever30.papers.pNN_slug``)."""
    info = get(n)
    if use_overrides:
        return _overrides().get(info.number, info.module_name)
    return info.module_name


def is_built(n: int, *, use_overrides: bool = True) -> bool:
    """True when paper ``n``'s module exists (found without importing it)."""
    name = module_name(n, use_overrides=use_overrides)
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def load(n: int) -> ModuleType:
    """Import and return paper ``n``'s module; ``PaperNotBuilt`` if it does not exist yet."""
    if not is_built(n):
        raise PaperNotBuilt(f"paper {n} is not implemented yet")
    return importlib.import_module(module_name(n))


def built() -> list[int]:
    """The numbers of the papers whose module exists, ascending."""
    return [n for n in PAPERS if is_built(n)]


def status(n: int, *, use_overrides: bool = True) -> str:
    return "built" if is_built(n, use_overrides=use_overrides) else "planned"


# --------------------------------------------------------------------------------------
# README table
# --------------------------------------------------------------------------------------

TABLE_START = "<!-- papers-table:start (generated by `python -m sutskever30.registry "
TABLE_START += "--update-readme`; do not edit) -->"
TABLE_END = "<!-- papers-table:end -->"


def readme_table() -> str:
    """The markdown table of all 30 papers (linked titles, track, status); no overrides."""
    lines = ["| # | Paper | Year | Track | Status |", "|---:|---|---:|---|---|"]
    for n, p in PAPERS.items():
        title = p.title.replace("|", "\\|")
        cell = f"[{title}]({p.link})" if p.link else title
        lines.append(f"| {n} | {cell} | {p.year} | {p.track} | {status(n, use_overrides=False)} |")
    return "\n".join(lines)


def readme_block() -> str:
    return f"{TABLE_START}\n{readme_table()}\n{TABLE_END}"


_BLOCK_RE = re.compile(re.escape(TABLE_START) + r".*?" + re.escape(TABLE_END), re.DOTALL)


def extract_readme_block(text: str) -> str | None:
    match = _BLOCK_RE.search(text)
    return match.group(0) if match else None


def update_readme(path: str | Path) -> bool:
    """Rewrite the generated table in ``path``; True if the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if extract_readme_block(text) is None:
        raise ValueError(f"{path} has no table markers ({TABLE_START!r} ... {TABLE_END!r})")
    new = _BLOCK_RE.sub(lambda _: readme_block(), text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sutskever30.registry")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--readme-table", action="store_true", help="print the README table")
    group.add_argument(
        "--update-readme",
        metavar="README",
        nargs="?",
        const="README.md",
        help="rewrite the table in README.md (or the given file)",
    )
    args = parser.parse_args(argv)
    if args.readme_table:
        print(readme_block())
        return 0
    changed = update_readme(args.update_readme)
    print(f"{args.update_readme}: {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
