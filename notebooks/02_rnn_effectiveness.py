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
# # 02 · The Unreasonable Effectiveness of RNNs: a character-level LSTM on Python source
#
# Karpathy's blog post (<https://karpathy.github.io/2015/05/21/rnn-effectiveness/>) trains
# LSTMs that read text one character at a time and predict the next one. Trained on
# Shakespeare, Wikipedia, LaTeX or the Linux kernel, their samples keep brackets and quotes
# matched and code indented; a softmax *temperature* trades diversity for fidelity; and some
# single cells turn out to track quotes, line length or indentation.
#
# Here the text is the Python standard library's own source (it is on every machine). Since
# it differs between Python versions, every statement below is *relative*: the LSTM against
# n-gram models fitted to the same characters, its samples against a unigram sample and the
# real text, trained cells against untrained ones. All numbers come from the run below.

# %%
# %matplotlib inline
import numpy as np
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.nn import pairs
from sutskever30.notebook import show_source
from sutskever30.papers import p02_rnn_effectiveness as p02

# %% [markdown]
# ## The model
#
# Each character $x_t$ is a one-hot vector over the vocabulary (about 100 symbols). An LSTM
# updates its state,
#
# $$\begin{aligned}
# [a_i\ a_f\ a_g\ a_o] &= W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}, \\
# c_t &= \sigma(a_f) \odot c_{t-1} + \sigma(a_i) \odot \tanh(a_g), \qquad
# h_t = \sigma(a_o) \odot \tanh(c_t),
# \end{aligned}$$
#
# and a linear read-out gives the logits of the next character, $z_t = W_{hy} h_t + b_y$,
# $p(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(z_t)$. The loss is the mean cross-entropy; we
# report it in **bits per character**, $\text{bpc} = \text{CE} / \ln 2$.
#
# Training uses **truncated backprop through time**: the text is cut into $B$ long rows read
# in parallel, windows of 64 characters are fed in order, and the state $(h, c)$ at the end of
# one window is the start of the next (carried over, but detached: gradients stop at the
# boundary). Gradients are clipped to a global norm of 5.

# %%
show_source(p02.CharLSTM)

# %% [markdown]
# ## Backprop through time, by hand
#
# As in Karpathy's `min-char-rnn`, the backward pass can be written out: run the cell forward
# one step at a time and keep each step's cache; then walk back from $t = T-1$ to 0. The
# gradient reaching $h_t$ is the sum of what comes from the read-out at $t$ and what comes
# back from step $t+1$; the cell state's gradient flows back through $c_t = f \odot c_{t-1}
# + \dots$; the weights' gradients are summed over time.

# %%
# one step's backward (the engine's cell pair), then BPTT
show_source(pairs.lstm_cell_backward, p02.loss_and_grads_by_hand)

# %% [markdown]
# The training itself uses the autograd tape with the engine's sequence pair (one node for
# all 64 steps, faster). Both must give the same gradients; here on random float64 weights
# and a random carried-over state:

# %%
rng = np.random.default_rng(0)
P = {k: 2 * v for k, v in p02.CharLSTM(7, 5, 2, rng=rng, dtype=np.float64).state_dict().items()}
x, y = rng.integers(0, 7, (6, 3)), rng.integers(0, 7, (6, 3))
h0, c0 = rng.standard_normal((2, 3, 5)), rng.standard_normal((2, 3, 5))
loss_hand, g_hand, _ = p02.loss_and_grads_by_hand(P, x, y, h0, c0)
loss_tape, g_tape = p02.loss_and_grads_tape(P, x, y, h0, c0)
print(f"loss: by hand {loss_hand:.15f}, tape {loss_tape:.15f}")
for k in P:
    print(f"{k:>22}: max |hand − tape| = {np.max(np.abs(g_hand[k] - g_tape[k])):.1e}")

# %% [markdown]
# ## The baselines: n-gram models on the same characters
#
# A unigram model (add-one), and interpolated **Kneser–Ney** bigram and trigram models
# (absolute discount $D = 0.75$). Kneser–Ney's lower orders count in how many *different
# contexts* a string occurs, not how often:
#
# $$p(w \mid uv) = \frac{\max(c(uvw) - D, 0)}{c(uv\cdot)} + \frac{D\, N_{1+}(uv\cdot)}{c(uv\cdot)}\,
#   p_{\text{cont}}(w \mid v).$$
#
# A trigram model sees two characters of context. Whatever the LSTM does better must come
# from further back.

# %%
show_source(p02.kneser_ney)

# %% [markdown]
# ## Temperature sampling
#
# $p_i \propto \exp(z_i / T)$: $T \to 0$ is greedy decoding, $T = 1$ samples the model,
# $T > 1$ flattens it. One batch row per temperature, so all are sampled at once.

# %%
show_source(p02.sample)

# %% [markdown]
# ## Run the experiment
#
# The notebook runs the `full` preset (2 layers of 128 units, a few minutes); under the tests
# it runs the seconds-long smoke preset (a few steps, every code path, claims not expected to
# pass).

# %%
result, found = notebook.run(2)
m = result.metrics
print(f"preset {result.preset}, seed {result.seed}: {result.seconds:.1f} s, {m['epochs']:.1f} epochs")

# %%
figs = p02.figures(result)
figs["bpc"]

# %% [markdown]
# ## Samples
#
# The same model at three temperatures (the first 600 characters of each), then a sample of
# the unigram model for comparison.

# %%
for T in ("0.5", "1", "1.5"):
    display(Markdown(f"**T = {T}**\n```\n{m['samples'][T][:600]}\n```"))
display(Markdown(f"**unigram**\n```\n{m['samples']['unigram'][:300]}\n```"))

# %%
figs["entropy_vs_temperature"]

# %% [markdown]
# ## An interpretable cell?
#
# A scanner marks, for each validation character, whether it is inside a string literal, how
# many brackets are open and how far its line is indented. For every unit of $h$ and $c$ we
# correlate its activation with each indicator on the first half of the validation text, pick
# the best unit, and then measure it on the *second* half, so a unit that correlates by luck
# does not count. The untrained network gets the same probe.

# %%
show_source(p02.code_indicators)
figs["probe"]

# %%
probe = m["probe"]
rows = ["| indicator | trained: unit | fit half | held-out half | untrained: held-out |", "|---|---|---|---|---|"]
for k in probe["trained"]:
    t, u = probe["trained"][k], probe["untrained"][k]
    rows.append(
        f"| {k} | {t['state']}[{t['unit']}] | {t['r_fit']:+.2f} | {t['r_heldout']:+.2f} | {u['r_heldout']:+.2f} |"
    )
display(Markdown("\n".join(rows)))

# %% [markdown]
# ## Post vs ours

# %%
notebook.show_paper_vs_ours(2, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Summary

# %%
display(
    Markdown(f"""
* After {m["epochs"]:.1f} passes over {m["n_train"]:,} characters the LSTM predicts the
  validation text at {m["bpc_lstm"]:.2f} bits per character, against {m["bpc_kn3"]:.2f} for a
  Kneser–Ney trigram and {m["bpc_bigram"]:.2f} for a bigram fitted to the same characters.
* When a bracket is open the LSTM multiplies the probability of a closing one by
  {m["close_ratio_trained"]:.2f} (the trigram, which sees two characters: by
  {m["close_ratio_kn3"]:.2f}; the untrained network: {m["close_ratio_untrained"]:.2f}).
* Temperature: the samples' character entropy goes
  {" → ".join(f"{v:.2f}" for v in m["sample_entropy"].values())} bits as T rises through
  {list(result.config["temperatures"])}; the real text has {m["val_text_entropy"]:.2f}.
  Share of 30-character windows found verbatim in the training text, by T:
  {", ".join(f"{k}: {v:.0%}" for k, v in m["copied"].items())}.
* The backward pass written out by hand equals the tape's (max difference
  {m["bptt_hand_vs_tape"]:.0e}).
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Set `bptt=8`. The model can no longer be *trained* to use more than 8 characters of
#    context, although the state is still carried. What happens to the bracket ratio?
# 2. Remove the clipping (`clip=1e9`) and raise `lr`. How often does the gradient norm spike?
# 3. Replace the LSTM by a vanilla RNN (`nn.RNN`) with the same number of parameters. Compare
#    the validation bpc.
# 4. Sample at T = 0.1 and look for the loop the model falls into. Is it copied from the
#    training text (`p02.copied_fraction`)?
# 5. Write a probe for "inside a comment" and look for a unit that tracks it.
