"""The 30 papers of the reading list: the single source of their metadata.

Each entry holds the number, slug, title, authors, year, link, track, concepts and the
one-sentence headline claim. A paper is *built* when its module ``sutskever30.papers.pNN_slug``
exists; ``load(n)`` imports it. Regenerate the README's table with::

    python -m sutskever30.registry --readme-table      # print it
    python -m sutskever30.registry --update-readme     # rewrite it in README.md

Tests swap a paper's module by replacing its entry (``dataclasses.replace(info, module=...)``)
in :data:`PAPERS` with pytest's monkeypatch.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

TRACKS: tuple[str, ...] = ("beginner", "intermediate", "advanced", "theory")
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
    claim: str  # the paper's headline claim, with its own numbers
    module: str | None = None  # import path; None means sutskever30.papers.pNN_slug

    @property
    def module_name(self) -> str:
        return self.module or f"{PACKAGE}.p{self.number:02d}_{self.slug}"


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
        claim=(
            "In a closed system mixing coffee and cream, entropy rises monotonically, but the "
            "'interestingness' is low at the start, high in the middle and low again at equilibrium. "
            "Kolmogorov complexity K(x) behaves like entropy, so it is not the right measure; resource-"
            "bounded sophistication ('complextropy') is conjectured to rise and then fall. The blog has no "
            "numbers."
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
            "LSTM",
            "truncated backprop through time",
            "backprop through time by hand",
            "gradient clipping",
            "temperature sampling",
            "n-gram baselines (Kneser-Ney)",
            "bits per character",
            "interpretable cells",
        ),
        claim=(
            "Character-level LSTMs trained on raw text (Shakespeare, Wikipedia, LaTeX, the Linux source; "
            "typically 2-3 layers of 512 units) learn long-range structure — matched brackets and quotes, "
            "indentation — that their samples reproduce; the softmax temperature trades diversity against "
            "fidelity; and single cells are interpretable (quote detector, line-length counter, indentation)."
            " No headline metric."
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
            "constant error carousel",
            "GRU",
        ),
        claim=(
            "Plain RNNs fail on long-range dependencies because the gradient through many steps vanishes; the"
            " LSTM's cell state, changed only by gated additions (C_t = f_t ⊙ C_{t−1} + i_t ⊙ C̃_t), carries "
            "information across many steps, and variants such as the GRU do about as well. Qualitative: the "
            "post has no numbers."
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
            "overfitting",
            "inverted dropout",
            "truncated backprop through time",
            "perplexity",
        ),
        claim=(
            "Dropout applied only to the non-recurrent connections of a stacked LSTM (input → layer, layer → "
            "layer, layer → softmax; never h_{t−1} → h_t) regularises it: on Penn Treebank word-level "
            "perplexity (val / test) a non-regularised 2×200 LSTM gets 120.7 / 114.5, a medium 2×650 LSTM "
            "with 50% dropout 86.2 / 82.7 and a large 2×1500 with 65% dropout 82.2 / 78.4."
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
            "bits-back",
            "noisy weights",
            "variational inference",
        ),
        claim=(
            "Gaussian weight noise with learned per-weight variances, trained to minimise expected error plus"
            " the weights' description length (KL, bits-back), generalises from few examples and finds which "
            "weights matter."
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
        claim=(
            "Using attention as the output distribution over input positions lets a sequence model emit "
            "answers whose vocabulary is the input itself, so it solves convex hull, Delaunay triangulation "
            "and small TSP instances from examples and generalises beyond the training sizes (convex hull at "
            "n = 50: Ptr-Net 72.6% exact, 99.9% area vs 1.9% for an LSTM)."
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
            "local response normalisation",
            "SGD with momentum",
        ),
        claim=(
            "A 60M-parameter CNN (5 conv + 3 FC layers) with ReLUs, local response normalisation, overlapping"
            " pooling, dropout and data augmentation, trained with SGD + momentum and weight decay, reaches "
            "37.5% / 17.0% top-1 / top-5 error on ILSVRC-2010. ReLUs reach 25% training error on CIFAR-10 six"
            " times faster than tanh; dropout prevents heavy overfitting; augmentation reduces overfitting."
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
        claim=(
            "The order in which a set is read and written changes what a sequence model learns: a Read-"
            "Process-Write encoder whose process block attends over the memory without input is invariant to "
            "input order, more process steps help on sorting, and a loss that searches over output orderings "
            "fixes the lack of a canonical order."
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
        claim=(
            "Pipelining a network's K stages over M micro-batches, with synchronous accumulated gradients and"
            " re-materialised activations, trains giant models with gradients identical to unpartitioned "
            "training and a bubble overhead of (K−1)/(M+K−1), giving near-linear speed-up (a 557M-parameter "
            "AmoebaNet at 84.4% ImageNet top-1, a 6B-parameter 128-layer Transformer)."
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
        claim=(
            "Deeper plain networks have higher training error than shallower ones (the degradation problem: "
            "plain-56 > plain-20 on CIFAR-10, plain-34 > plain-18 on ImageNet). Adding identity shortcuts, y "
            "= F(x) + x, makes the deeper net train well and generalise better (ResNet-34 25.03% vs plain-34 "
            "28.54% top-1; 3.57% top-5 with an ensemble, winning ILSVRC 2015)."
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
        claim=(
            "Dilated convolutions grow the receptive field exponentially (3, 5, 9, 17, 33, 65, 67 for the "
            "context module's dilations 1, 1, 2, 4, 8, 16, 1) without losing resolution or coverage; a "
            "context module of such layers, identity-initialised, improves dense prediction (VOC-2012 test: "
            "67.6% mIoU front end, 75.3% with context + CRF-RNN)."
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
        claim=(
            "Message passing neural networks (messages M_t, GRU update U_t, readout R) unify graph networks "
            "for molecules; an edge network message A(e_vw)·h_w with a set2set readout reaches state of the "
            "art on all 13 QM9 targets and chemical accuracy on 11 of them."
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
            "scaled dot-product attention",
            "multi-head attention",
            "sinusoidal positional encoding",
            "causal and padding masks",
            "residual + LayerNorm",
            "warmup learning-rate schedule",
            "label smoothing",
            "encoder-decoder",
        ),
        claim=(
            "The Transformer, an encoder-decoder built only from attention and position-wise feed-forward "
            "layers (no recurrence, no convolution), reaches 28.4 BLEU on WMT14 English-German and 41.8 on "
            "English-French (big model; base: 27.3 / 38.1) at a fraction of the training cost of recurrent "
            "models (base: 12 h on 8 P100 GPUs)."
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
            "bidirectional RNN",
        ),
        claim=(
            "Additive attention over bidirectional-GRU annotations (RNNsearch) beats the fixed-vector "
            "encoder-decoder (RNNencdec) and does not collapse on long sentences: WMT14 EN→FR BLEU "
            "RNNencdec-50 17.82 vs RNNsearch-50 26.75 (all sentences), 26.71 vs 34.16 (no UNK); the soft "
            "alignments are interpretable."
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
        claim=(
            "With identity skip connections and identity after-addition (pre-activation units), x_L = x_l + Σ"
            " F(x_i): signals propagate directly forward and backward, so very deep nets train better "
            "(CIFAR-10 ResNet-1001: 4.62% error; ResNet-164 5.46% vs 5.93% for the original unit); scaling "
            "the shortcut by a constant (0.5) makes optimisation fail (ResNet-110: 12.35% vs 6.61%)."
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
        claim=(
            "A relation network RN(O) = f_φ(Σ_{i,j} g_θ(o_i, o_j, q)) plugged into a standard model solves "
            "relational questions that plain MLPs and CNNs fail: 95.5% on CLEVR (super-human), about 94% on "
            "Sort-of-CLEVR's relational questions against 63% for a CNN+MLP."
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
        claim=(
            "The bits-back view explains posterior collapse: what an autoregressive decoder can model locally"
            " is cheaper to leave out of z, so restricting the decoder's receptive field makes z a lossy code"
            " of global structure (MNIST 79.03 nats with autoregressive-flow priors)."
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
        claim=(
            "A relational memory core, whose memory slots interact through multi-head attention with an MLP "
            "and LSTM-style gating, reasons relationally over time: 91% on the N-th farthest task against "
            "about 30% for an LSTM, and 31.6 test perplexity on WikiText-103."
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
        claim=(
            "Apparent complexity (compressed size of a coarse-grained state) of a 2-D coffee/cream mixing "
            "automaton rises and then falls while entropy (compressed size of the fine state) rises "
            "monotonically. Complexity never becomes large for non-interacting particles (proved); for "
            "interacting particles the paper's numerics showed a maximum comparable to the cup's width, which"
            " the authors' 2014 correction attributes to border-pixel artefacts."
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
        claim=(
            "A controller coupled to a differentiable external memory with content and location addressing "
            "learns simple algorithms such as copy, repeat copy and associative recall from examples, and "
            "generalises to sequences longer than any it was trained on, where an LSTM degrades quickly."
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
        claim=(
            "One end-to-end network (convolutions + bidirectional recurrent layers + a softmax over "
            "characters, trained with CTC) recognises English and Mandarin speech; with SortaGrad, batch "
            "normalisation and HPC training it reaches a WER of 5.33 on LibriSpeech test-clean (human 5.83) "
            "and 13.25 on test-other (human 12.69), 3.60 on WSJ eval'92."
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
        claim=(
            "Language-model loss falls as a power law in non-embedding parameters N, data D and compute C "
            "(α_N ≈ 0.076, α_D ≈ 0.095, α_C ≈ 0.050) over many orders of magnitude; architecture details "
            "matter little at fixed N, larger models are more sample-efficient, and compute-optimal training "
            "uses large models stopped early."
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
            "parametric complexity",
            "prequential coding",
            "Bayesian mixture codes",
        ),
        claim=(
            "Learning is compression: pick the hypothesis H that minimises L(H) + L(D | H). Maximum "
            "likelihood always prefers the most complex polynomial and overfits; the two-part code picks a "
            "moderate degree. Refined MDL codes data with universal codes (NML, whose parametric complexity "
            "is ≈ (k/2)·log n + const, Bayesian mixtures, prequential codes), which are asymptotically "
            "equivalent; MDL is consistent and guards against overfitting at small n."
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
            "Kolmogorov complexity (upper bound)",
            "prefix-free codes and the Kraft inequality",
            "AIXI",
            "Bayes-mixture agent",
            "reinforcement learning",
        ),
        claim=(
            "Universal intelligence Υ(π) = Σ_μ 2^{−K(μ)}·V_μ^π scores an agent by its bounded expected reward"
            " in every computable environment, weighted by a simplicity prior. Random and constant agents "
            "score low, specialists are penalised unless their niche is simple, learners score higher, and "
            "AIXI, the Bayes mixture over all environments with prior 2^{−K}, maximises Υ (but is "
            "incomputable)."
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
            "coding theorem",
            "counting argument",
            "compression distance",
            "invariance theorem",
            "incompressibility",
            "algorithmic probability",
            "normalised compression distance",
        ),
        claim=(
            "K(x) is uncomputable but upper-bounded by any compressor; most strings are incompressible "
            "(counting); algorithmic probability gives K up to a constant (coding theorem); compression "
            "distance clusters related objects."
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
            "multiclass SVM",
            "backpropagation by hand",
            "L2 regularisation",
            "gradient checking",
            "sanity checks",
            "k-nearest neighbours",
            "cross-validation",
        ),
        claim=(
            "On the 3-class spiral (100 points per class) a softmax linear classifier reaches about 49% "
            "training accuracy and a 2-layer ReLU net with 100 hidden units about 98% (full-batch gradient "
            "descent, step 1, L2 1e-3). Sanity checks: the initial loss is ln K; analytic and numerical "
            "gradients agree to a relative error below 1e-7; a tiny training set can be overfit; kNN's k is "
            "chosen by cross-validation."
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
        claim=(
            "Training a shared trunk with n independent heads that predict the next n tokens costs no extra "
            "training time, helps larger models more (13B: 12% more HumanEval and 17% more MBPP problems) and"
            " lets a 4-token model decode up to 3× faster by self-speculative decoding."
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
        claim=(
            "A dual encoder trained with in-batch negatives from question-passage pairs beats BM25 by 9-19% "
            "absolute top-20 retrieval accuracy on open-domain QA (NQ top-20 78.4 vs 59.1), while BM25 stays "
            "ahead where questions reuse the passage's words (SQuAD)."
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
        claim=(
            "A seq2seq generator conditioned on passages from a dense index, trained end-to-end by "
            "marginalising over the retrieved documents (RAG-Sequence and RAG-Token), answers open-domain "
            "questions better than closed-book models (NQ 44.5 EM) and can be updated by swapping its index "
            "without retraining."
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
        claim=(
            "Language models use long contexts unevenly: accuracy on multi-document QA and key-value "
            "retrieval is U-shaped in the position of the relevant item, highest at the beginning or end and "
            "worst in the middle (GPT-3.5-Turbo with 20 documents: about 75% first, below 55% in the middle, "
            "about 65% last), and query-aware contextualisation makes key-value retrieval near-perfect."
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


def module_name(n: int) -> str:
    """The import path of paper ``n``'s module (``sutskever30.papers.pNN_slug``)."""
    return get(n).module_name


def is_built(n: int) -> bool:
    """True when paper ``n``'s module exists (found without importing it)."""
    try:
        return importlib.util.find_spec(module_name(n)) is not None
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


def status(n: int) -> str:
    return "built" if is_built(n) else "planned"


# --------------------------------------------------------------------------------------
# README table
# --------------------------------------------------------------------------------------

TABLE_START = "<!-- papers-table:start (generated by `python -m sutskever30.registry "
TABLE_START += "--update-readme`; do not edit) -->"
TABLE_END = "<!-- papers-table:end -->"


def readme_table() -> str:
    """The markdown table of all 30 papers (linked titles, track, status)."""
    lines = ["| # | Paper | Year | Track | Status |", "|---:|---|---:|---|---|"]
    for n, p in PAPERS.items():
        title = p.title.replace("|", "\\|")
        cell = f"[{title}]({p.link})" if p.link else title
        lines.append(f"| {n} | {cell} | {p.year} | {p.track} | {status(n)} |")
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
