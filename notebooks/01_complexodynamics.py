# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 · The First Law of Complexodynamics
#
# Scott Aaronson's 2011 blog post (<https://scottaaronson.blog/?p=762>) asks a question
# about a cup of coffee. Pour in cream: at first the two liquids are separated (simple),
# then tendrils and swirls appear (interesting), then everything is uniformly brown
# (simple again). **Entropy** only rises; **interestingness** rises and then falls. What
# quantity captures the second curve?
#
# * Not plain **Kolmogorov complexity** $K(x)$, the length of the shortest program that prints
#   the state $x$: a random equilibrium state is incompressible, so $K(x)$ rises with
#   entropy and stays high.
# * The post proposes **complextropy**, a resource-bounded *sophistication*: the length of the
#   shortest *efficient* program describing a *set* $S$ of states such that $x$ looks like a
#   typical member of $S$. Equilibrium is simple ($S$ = "all half-cream states"); the
#   initial state is simple; the middle needs a detailed $S$. This is a conjecture; the
#   post has no experiment.
#
# Here we build a computable stand-in and measure it on a real simulation. Everything below
# is computed by `sutskever30.papers.p01_complexodynamics` when you run it.

# %%
# %matplotlib inline
import numpy as np
from IPython.display import Markdown, display

from sutskever30 import complexity as cx
from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p01_complexodynamics as p01

# %% [markdown]
# ## The dynamics: symmetric exclusion
#
# An $N \times N$ grid, cream (1) on top, coffee (0) below, closed walls. One sweep tiles the
# grid twice with disjoint adjacent pairs (random orientation and parity) and swaps each
# pair with probability ½. Swapping two equal cells does nothing, so only differing
# neighbours exchange; the amount of cream is conserved. Because the pairs are disjoint,
# all swaps of a tiling happen at once, vectorised.

# %%
show_source(cx.exclusion_sweep)

# %% [markdown]
# ## Sophistication as the model part of a two-part code
#
# A two-part code describes $x$ by first a *model* $S$ and then *$x$ given $S$*. We restrict
# $S$ to an efficiently samplable class: cut the $R = N$ rows into contiguous segments, and
# let each segment's cells be i.i.d. Bernoulli($\hat p$). For a segment with $n$ cells of
# which $k$ are cream:
#
# $$\underbrace{\tfrac12 \log_2 n + \log_2 R}_{\text{model bits}} \;+\;
#   \underbrace{n\,H(k/n)}_{\text{data bits}}, \qquad H(p) = -p\log_2 p - (1-p)\log_2(1-p).$$
#
# $\tfrac12\log_2 n$ pays for $\hat p$ at the precision its sampling error warrants and
# $\log_2 R$ for where the segment ends. More segments fit the profile better (fewer data
# bits) but cost model bits; the optimum balances them. We find it **exactly** by dynamic
# programming over where the last segment starts, $\text{best}[j] = \min_i \text{best}[i] +
# \text{cost}(i, j)$, and call its model bits the complexity $C(t)$ and its data bits the
# entropy $S(t)$.

# %%
show_source(cx.segment_cost, cx.optimal_segmentation)

# %% [markdown]
# Three known profiles: a step (the initial state) needs 2 segments and no data bits; a
# flat profile needs 1; white noise also needs 1 (all its bits are data). The tests also
# check the DP against brute force over all $2^{R-1}$ segmentations.

# %%
rng = np.random.default_rng(0)
step = cx.optimal_segmentation(cx.initial_state(32).sum(axis=1), 32)
flat = cx.optimal_segmentation(np.full(32, 16), 32)
noise = cx.optimal_segmentation((rng.random((32, 32)) < 0.5).sum(axis=1), 32)
for name, s in [("step", step), ("flat", flat), ("white noise", noise)]:
    print(f"{name:>12}: {s.n_segments} segments, model {s.model_bits:6.1f} bits, data {s.data_bits:7.1f} bits")

# %% [markdown]
# ## Run the experiment
#
# Snapshots on a log-spaced time grid; at each one we measure the two-part code, the
# compressed size of the raw bits (zlib, bz2, lzma: upper bounds on $K(x)$), and the same
# two-part code on a **shuffled** copy of the state (same amount of cream, no structure:
# the i.i.d. control). The notebook runs the full preset (about half a minute); under the
# tests it runs the smoke preset, a tiny grid whose claims are not expected to pass.

# %%
result, found = notebook.run(1)
cfg = result.config
print(f"preset {result.preset}: {cfg['N']}×{cfg['N']} grid, {cfg['sweeps']} sweeps, {result.seconds:.1f} s")

# %%
figs = p01.figures(result)
figs["snapshots"]

# %% [markdown]
# The complexity curve: the model needs two segments at the start, a staircase of several
# segments while the interface spreads into a ramp, and one segment at equilibrium.

# %%
figs["complexity"]

# %%
figs["segments"]

# %% [markdown]
# Entropy and the compressors rise together and stay up: $K(x)$ (as far as a compressor can
# bound it) measures randomness, not structure.

# %%
figs["entropy"]

# %% [markdown]
# ## Blog vs ours

# %%
notebook.show_paper_vs_ours(1, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Break it
#
# Stop the mixing: with `p_swap = 0` no pair ever swaps, the state stays the initial step,
# and the complexity never rises nor the entropy: the rise-and-fall claims must fail (the
# quick preset, a few seconds).

# %%
_, frozen = notebook.run(1, notebook.preset("quick"), p_swap=0.0)
notebook.show_claims(frozen)

# %% [markdown]
# ## Summary

# %%
m = result.metrics
display(
    Markdown(f"""
* **Entropy rises.** The data part of the optimal code went from {m["S0"]:.0f} to
  {m["S_end"]:.0f} bits ({m["cells"]} cells), Spearman correlation with time
  {m["spearman_S_t"]:.3f}.
* **Complexity rises and falls.** The model part went from {m["C0"]:.1f} bits (2 segments) to
  {m["C_max"]:.1f} bits ({m["segments_max"]:.0f} segments) at t = {m["t_at_C_max"]:.0f}
  sweeps, and back to {m["C_end"]:.1f} bits ({m["segments_end"]:.0f} segment).
* **Compressed size is not complexity.** zlib's size of the raw state has Spearman
  {m["spearman_zlib_t"]:.3f} with time and ends at {m["zlib_end_over_max"]:.2f} of its maximum.
* **The control.** Shuffling the cells (same marginal, no structure) gives at most
  {m["control_C_max"]:.1f} model bits: the bump comes from spatial structure, not from the
  amount of cream.
* **Caveat.** This is a proxy for sophistication under a tiny model class (row densities);
  the blog's complextropy is not computable and its rise and fall remains a conjecture.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Drop the $\tfrac12\log_2 n$ and $\log_2 R$ terms from `segment_cost` (model cost 0).
#    How many segments does the optimum pick at equilibrium, and what happens to the bump?
# 2. Replace the row profile by column profiles. Why does the complexity stay flat?
# 3. Add a model class of *linear ramps* per segment (two parameters, $\log_2 n$ model bits).
#    Does the peak shrink? What does that say about the choice of model class?
# 4. Make the dynamics non-conservative (flip cells at random). Which claims fail?
