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
# # 14 · Jointly learning to align and translate (Bahdanau, Cho, Bengio 2014)
#
# An encoder-decoder (**RNNencdec**) compresses the whole source sentence into one
# fixed-length vector, and its translations get worse as sentences get longer.
# **RNNsearch** gives the decoder a soft look-up into the source: at every target step it
# scores each source annotation, normalises the scores into alignment weights and reads a
# fresh context vector. On WMT14 EN→FR the paper reports BLEU 17.82 (RNNencdec-50) vs
# 26.75 (RNNsearch-50), and RNNsearch does not collapse on long sentences (its Fig. 2).
#
# Here both models are trained on a translation-like toy task where alignment matters —
# **reversing** a token sequence — and tested on every length, including lengths never seen
# in training. Every number below is computed by `sutskever30.papers.p14_bahdanau_attention`.

# %%
# %matplotlib inline
import numpy as np
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p14_bahdanau_attention as p14

# %% [markdown]
# ## The task

# %%
x, y = p14.make_reversal_batch(2, 8, 20, np.random.default_rng(0))
print("source", x, "\ntarget", y, sep="\n")

# %% [markdown]
# ## Additive attention
#
# With decoder state $s_{i-1}$ and annotations $h_j = [\overrightarrow{h}_j ; \overleftarrow{h}_j]$
# from a bidirectional GRU:
#
# $$e_{ij} = v_a^\top \tanh(W_a s_{i-1} + U_a h_j), \qquad
#   \alpha_{ij} = \frac{\exp e_{ij}}{\sum_k \exp e_{ik}}, \qquad c_i = \sum_j \alpha_{ij} h_j .$$
#
# $U_a h_j$ does not depend on $i$, so it is computed once per sentence. With $v_a = 0$ all
# scores are 0 and the attention starts exactly uniform.

# %%
show_source(p14.additive_attention)

# %% [markdown]
# ## One model class, two models
#
# The context $c_i$ enters the decoder GRU, $s_i = \mathrm{GRU}([E y_{i-1}; c_i], s_{i-1})$,
# and the output layer, which in the paper reads $s_{i-1}$, $c_i$ and the previous word:
# $\tilde t_i = U_o s_{i-1} + V_o E y_{i-1} + C_o c_i$ (appendix A.2.2). RNNencdec is the same
# class with `attention=False`: $c_i$ is the fixed summary
# $[\overrightarrow{h}_{T_x}; \overleftarrow{h}_1]$ for every $i$. Here is the decoder written
# one target step at a time (training runs the same maths as one fused pair,
# `attention_decoder`, tested equal to this):

# %%
show_source(p14.Seq2Seq.decode_steps)

# %% [markdown]
# A third model is an ablation of the output layer: RNNsearch whose output layer reads only
# $[s_{i-1}; c_i]$, without $E y_{i-1}$ (`readout_y_prev=False`). Why it is there is the
# story of the alignment plots below.

# %% [markdown]
# ## Run the experiment
#
# The notebook runs the `full` preset (3000 Adam steps per model, batch 64, learning rate
# cosine-annealed to 0; a few minutes); under the tests it runs the seconds-long `smoke`
# preset, whose claims are not expected to pass. Measured values per seed are in
# `docs/results/14_bahdanau_attention.md`.

# %%
result, found = notebook.run(14)
print(f"preset {result.preset}, seed {result.seed}: {result.seconds:.1f} s")
figs = p14.figures(result)

# %% [markdown]
# ## Accuracy against length (the paper's Fig. 2)

# %%
figs["accuracy_vs_length"]

# %%
figs["loss"]

# %% [markdown]
# ## Alignments (the paper's Fig. 3)
#
# For reversal the ideal alignment is the anti-diagonal: target step $i$ reads source
# position $T_x - 1 - i$ (the *mirror*). First the paper's RNNsearch:

# %%
figs["alignment_example_search"]

# %%
figs["alignment_mean_search"]

# %% [markdown]
# The alignment is a band two positions wide: part of the weight sits on the mirror and part
# one position to its right, $j = T_x - i$, on the source of the token emitted one step
# earlier. Both positions hold the answer: the mirror annotation as its own token, its right
# neighbour in the forward half $\overrightarrow{h}_{T_x-i}$, which has just read
# $x_{T_x-1-i}$. And the blend costs nothing, because the output layer also reads
# $E y_{i-1}$: it knows the other token in the blend and can discount it. Reversing random
# tokens gives $y_{i-1}$ no other use (it says nothing about $y_i$), so the loss has no
# reason to prefer the sharp alignment.
#
# Take $E y_{i-1}$ out of the output layer and the neighbour's own token becomes noise that
# the output layer cannot remove; the attention sharpens onto the mirror:

# %%
figs["alignment_example_search_noprev"]

# %%
figs["alignment_mean_search_noprev"]

# %% [markdown]
# Why not make this the model? The same output layer slows RNNencdec down (its state
# $s_{i-1}$ has not yet seen $y_{i-1}$), so the comparison with the baseline uses the paper's
# output layer for both models, and the ablation is trained beside them on the same data.

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(14, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Summary

# %%
m, L = result.metrics, result.config["train_max"]
display(
    Markdown(f"""
* Trained on lengths {result.config["train_min"]}-{L}, RNNsearch reached {m[f"acc_search_at_{L}"]:.1%}
  token accuracy at length {L} and RNNencdec {m[f"acc_encdec_at_{L}"]:.1%}; RNNencdec's accuracy
  falls with length (Spearman {m["spearman_encdec"]:.2f}).
* Attention started exactly uniform (max deviation {m["init_attention_max_dev"]:.1e}).
* With the paper's output layer the trained attention put {m["mirror_mass_search"]:.2f} of its
  weight on the mirror position and {m["late_mass_search"]:.2f} one position late: the output
  layer reads $E y_{{i-1}}$ and can discount the previous token in a blended context.
* Without $E y_{{i-1}}$ in the output layer the mirror weight was {m["mirror_mass_search_noprev"]:.2f}
  (argmax on the mirror {m["mirror_argmax_search_noprev"]:.0%} of the time), at an accuracy of
  {m[f"acc_search_noprev_at_{L}"]:.1%} at length {L}.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Train the paper's RNNsearch longer (`steps=6000`). Does its alignment sharpen towards the
#    anti-diagonal? Does the learning-rate schedule matter?
# 2. Replace the bidirectional encoder by a forward-only GRU. What happens to the alignment?
# 3. Change the task to a local reordering (swap adjacent pairs) and plot the alignment.
# 4. Initialise $v_a$ randomly instead of 0. Is the attention still uniform at step 0?
