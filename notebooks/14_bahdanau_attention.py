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
import inspect

import numpy as np
from IPython.display import Markdown, display

from sutskever30.experiment import claims_table, smoke_mode
from sutskever30.papers import p14_bahdanau_attention as p14


def show_source(fn) -> None:
    display(Markdown(f"```python\n{inspect.getsource(fn)}```"))


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
# and the output layer. RNNencdec is the same class with `attention=False`: $c_i$ is the
# fixed summary $[\overrightarrow{h}_{T_x}; \overleftarrow{h}_1]$ for every $i$.

# %%
show_source(p14.Seq2Seq.decode)

# %% [markdown]
# ## Run the experiment
#
# Smoke mode runs a tiny configuration that only exercises the code; otherwise the `full`
# preset (2000 Adam steps per model, batch 64).

# %%
if smoke_mode():
    config = p14.Config(vocab=8, hidden=16, train_min=2, train_max=5, test_max=6, steps=20, batch=8, n_eval=20)
else:
    config = p14.Config.full()
result = p14.run(config, seed=0)
print(f"seed {result.seed}: {result.seconds:.1f} s")
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
# position $T_x - 1 - i$.

# %%
figs["alignment_example"]

# %%
figs["alignment_mean"]

# %% [markdown]
# ## Paper vs ours

# %%
m, L = result.metrics, result.config["train_max"]
rows = [
    ("metric", "BLEU, WMT14 EN→FR (all)", f"token accuracy at length {L}, reversal"),
    ("RNNencdec", "17.82 (-50), 13.93 (-30)", f"{m[f'acc_encdec_at_{L}']:.1%}"),
    ("RNNsearch", "26.75 (-50), 21.50 (-30)", f"{m[f'acc_search_at_{L}']:.1%}"),
    ("RNNencdec degrades with length", "yes (Fig. 2)", f"Spearman {m['spearman_encdec']:.2f}"),
    (
        "alignment",
        "roughly monotone, soft (Fig. 3)",
        f"mirror mass {m['mirror_mass_train_range']:.2f}, one late {m['late_mass_train_range']:.2f}",
    ),
]
display(Markdown("| | paper | ours |\n|---|---|---|\n" + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows[1:])))

# %% [markdown]
# ## Claims

# %%
found = p14.claims(result)
display(Markdown(claims_table(found, markdown=True)))
print(f"{sum(c.passed for c in found)}/{len(found)} claims pass")

# %% [markdown]
# ## Summary

# %%
display(
    Markdown(f"""
* Trained on lengths {result.config["train_min"]}-{L}, RNNsearch reached {m[f"acc_search_at_{L}"]:.1%}
  token accuracy at length {L} and RNNencdec {m[f"acc_encdec_at_{L}"]:.1%}; RNNencdec's accuracy
  falls with length (Spearman {m["spearman_encdec"]:.2f}).
* Attention started exactly uniform (max deviation {m["init_attention_max_dev"]:.1e}). After
  training, the mean weight on the mirror position was {m["mirror_mass_train_range"]:.2f} and the
  argmax hit it {m["mirror_argmax_train_range"]:.0%} of the time, while the weight one position
  late (on the source of the token just emitted, $j = T_x - i$) was {m["late_mass_train_range"]:.2f}.
  The card's mirror-mass criterion (≥ 0.7) is **not met**: the decoder finds the token it just
  emitted by content and reads its neighbour out of the bidirectional annotation, which
  carries neighbouring tokens.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Train longer (`steps=6000`). Does the alignment sharpen towards the anti-diagonal?
# 2. Replace the bidirectional encoder by a forward-only GRU. What happens to the alignment?
# 3. Change the task to a local reordering (swap adjacent pairs) and plot the alignment.
# 4. Initialise $v_a$ randomly instead of 0. Is the attention still uniform at step 0?
