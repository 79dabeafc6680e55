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
# # 06 · Pointer Networks: attention as the output
#
# A sequence-to-sequence model writes tokens from a fixed vocabulary. Many problems want
# something else: an answer made of **positions in the input** — the points on a convex hull,
# the order of a tour, the sorted order of a list. The number of possible answers then grows
# with the input, and a fixed softmax cannot name position 17 if it was built for 10.
#
# Vinyals, Fortunato and Jaitly (2015) keep the encoder, the decoder and Bahdanau-style additive
# attention, and change one thing. Attention normally *blends* the encoder states into a
# context vector (eq. 2). A Pointer Net uses the attention scores themselves as the output
# distribution (eq. 3):
#
# $$u^i_j = v^\top \tanh(W_1 e_j + W_2 d_i), \quad j = 1, \dots, n, \qquad
#   p(C_i \mid C_1, \dots, C_{i-1}, \mathcal{P}) = \operatorname{softmax}(u^i).$$
#
# There is one logit per input position, so the output size *is* the input size.
#
# Here, at toy scale: points in the unit square, trained on n = 5-10, tested up to n = 20.
# Everything below is computed when you run it.

# %%
# %matplotlib inline
import numpy as np
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p06_pointer_networks as p06

# %% [markdown]
# ## The pointer
#
# `pointer_logits` is eq. 3 for all positions at once; `PointerNet.step` runs one decoder step.
# With `pointer=True` the logits are returned as they are (masked where a point was already
# chosen). With `pointer=False` the same scores blend a context vector, and a Linear layer maps
# it to a fixed vocabulary {EOS, 1, ..., 10}: the paper's "LSTM + attention" baseline.

# %%
show_source(p06.pointer_logits, p06.PointerNet.step)

# %% [markdown]
# ## The task: the nearest-neighbour chain
#
# Sorting with masking looks like a good first task, but it is a trap: once chosen positions
# are masked, the fixed score $-c\,x_j$ sorts any list perfectly, so the decoder need not learn
# anything. The chain used here (start at the leftmost point, then always the nearest unvisited
# one) has no such rule: where to go next depends on where you are, so the decoder must read
# its input, the point it chose last. The labels come from brute force.
#
# The paper's own task, the planar convex hull, is implemented too (`hull_targets`, exact match
# and area coverage in `hull_metrics`). Within the quick budget its loss stays on a plateau; with
# 3000 steps at H = 64 (the full preset) it learns, and its numbers are reported beside the
# paper's Table 1, not asserted.

# %%
show_source(p06.chain_targets)

# %%
rng = np.random.default_rng(0)
P, T = p06.make_data(rng, "chain", 1, 8)
display(Markdown(f"8 points; the chain visits positions {list(T[0])}"))

# %% [markdown]
# ## Run the experiment
#
# Three models on the same batches, from the same initial weights of their shared layers:
# the Ptr-Net, the fixed-vocabulary seq2seq with attention, and the Ptr-Net with its decoder
# input zeroed (it cannot know which point it is at). Plus the untrained Ptr-Net. Under the
# tests this cell runs the seconds-long smoke preset, whose claims are not expected to pass.

# %%
result, found = notebook.run(6, "quick")
print(f"preset {result.preset}: {result.seconds:.1f} s")

# %%
figs = p06.figures(result)
figs["train_loss"]

# %%
figs["accuracy_vs_n"]

# %% [markdown]
# One test set: the Ptr-Net's output distribution at each step. Its width is the number of
# input points (plus the masked EOS column, dropped here).

# %%
figs["pointer"]

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(6, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Break it
#
# Zero the decoder input of the main Ptr-Net too (`break_ptr=True`). It trains on the same
# data, but it no longer knows which point it chose last; the learning, baseline, OOD and
# zero-input claims should now fail. (The probe may still pass: step 1 can be guessed from the
# encoder alone. Under the tests this runs the smoke preset.)

# %%
broken, found_broken = notebook.run(6, "quick", break_ptr=True)
notebook.show_claims(found_broken)

# %% [markdown]
# ## Summary

# %%
m, cfg = result.metrics, result.config
n_in, n_ood = max(n for n in cfg["n_test"] if n <= cfg["n_train"][1]), max(cfg["n_test"])
display(
    Markdown(f"""
* **Pointing works:** the Ptr-Net follows the chain at n = {n_in} with per-step accuracy
  {m[f"ptr_n{n_in}_step_acc"]:.1%} ({m[f"ptr_n{n_in}_exact"]:.1%} whole chains right).
* **The fixed vocabulary does not:** the same encoder, decoder and attention with a 10-way
  output reach {m[f"seq2seq_n{n_in}_step_acc"]:.1%} per step, and cannot name a point above 10.
* **Beyond the training sizes:** at n = {n_ood}, {m[f"ptr_n{n_ood}_step_acc"]:.1%} per step for the
  Ptr-Net, {m[f"seq2seq_n{n_ood}_step_acc"]:.1%} for the fixed vocabulary.
* **The decoder's input is what it uses:** zeroed, the chain fails
  ({m[f"zero_input_n{n_in}_exact"]:.1%} exact at n = {n_in}).
* The convex hull, the paper's own task, is in the full preset; per-seed numbers and what did
  not reproduce are in `docs/results/06_pointer_networks.md`.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Turn the output masking off (make `step` skip `masked_fill`). How often does the Ptr-Net
#    now point to a point twice?
# 2. Sort lists with masking and the fixed score $u_j = -x_j$ (no training). Why does this show
#    that sorting with masking cannot test a pointer network?
# 3. Run the full preset and compare the convex hull's exact match and area coverage with the
#    paper's Table 1. What would you change to get the hull off its plateau?
# 4. Add beam search (width 3) to `greedy`. How much does exact match at n = 20 improve?
