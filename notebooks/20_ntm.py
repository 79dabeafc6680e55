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
# # 20 · Neural Turing Machines: a network that learns to use a tape
#
# Graves, Wayne and Danihelka (2014) couple a neural network (the *controller*) to an
# external memory $M$ of $N$ slots of width $W$. The controller never touches $M$ directly:
# it emits, at every step, the parameters of a **read head** and a **write head**, each of
# which produces a *weighting* $w_t$ over the slots ($\sum_i w_t(i) = 1$). Everything is
# differentiable, so the whole machine trains by backpropagation.
#
# **Read and write** (§3.1-3.2):
#
# $$r_t = \sum_i w_t(i)\, M_t(i) \quad (2), \qquad
#   M_t(i) = M_{t-1}(i)\,\big[\mathbf 1 - w_t(i)\, e_t\big] + w_t(i)\, a_t \quad (3, 4)$$
#
# **Addressing** (§3.3, Figure 2), four steps per head:
#
# $$w^c_t(i) = \frac{\exp\big(\beta_t K[k_t, M_t(i)]\big)}{\sum_j \exp\big(\beta_t K[k_t, M_t(j)]\big)},
#   \quad K[u, v] = \frac{u \cdot v}{\|u\|\,\|v\|} \quad (5, 6)$$
#
# $$w^g_t = g_t\, w^c_t + (1 - g_t)\, w_{t-1} \quad (7), \qquad
#   \tilde w_t(i) = \sum_j w^g_t(j)\, s_t(i - j) \quad (8), \qquad
#   w_t(i) = \frac{\tilde w_t(i)^{\gamma_t}}{\sum_j \tilde w_t(j)^{\gamma_t}} \quad (9)$$
#
# Content addressing finds a slot by what is in it; the gate $g$, the circular shift $s$ over
# $\{-1, 0, +1\}$ and the sharpening $\gamma \ge 1$ let a head *move* from where it was. The
# copy task (§4.1) needs exactly that: write the inputs to consecutive slots, jump back to the
# first one, read them out in order. Everything below is computed when you run it.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.nn.pairs import memory as MP
from sutskever30.notebook import show_source
from sutskever30.papers import p20_ntm as p20

# %% [markdown]
# ## The memory operations, as forward/backward pairs
#
# Each equation is one pair on plain arrays in `nn/pairs/memory.py`, with its backward written
# by hand (and checked against central differences and a torch twin in the tests). `address`
# chains Eqs. 5-9 from a head's raw controller outputs, with the paper's constraints
# $\beta = \mathrm{softplus}(\hat\beta)$, $g = \sigma(\hat g)$, $s = \mathrm{softmax}(\hat s)$,
# $\gamma = 1 + \mathrm{softplus}(\hat\gamma)$.

# %%
show_source(MP.content_focus_forward, MP.circular_shift_forward, MP.sharpen_forward, MP.memory_write_forward)

# %%
show_source(MP.address_forward)

# %% [markdown]
# ## The machine
#
# A feedforward controller reads $[x_t ; r_{t-1}]$; one linear layer emits both heads'
# parameters; the write head writes $M_{t-1} \to M_t$, the read head reads $M_t$; the
# output is $\sigma(W_y [h_t ; r_t])$. The memory starts at the constant $10^{-6}$ and both
# weightings one-hot on slot 0. The baseline is a one-layer LSTM with the same number of
# parameters.

# %%
show_source(p20.NTM.forward)

# %% [markdown]
# ## Run the experiment
#
# The quick preset (6-bit vectors, lengths 1-8, about 1,000 batches); under the tests the
# smoke preset, whose claims are not expected to pass.

# %%
result, found = notebook.run(20, "quick")
print(f"preset {result.preset}: {result.seconds:.1f} s")

# %%
figs = p20.figures(result)
figs["loss"]

# %% [markdown]
# ## The heads over time (cf. Figure 6)
#
# A copy of twice the longest training length. Columns are time steps (input, delimiter,
# output), rows memory slots. A trained NTM writes one slot further at every input step and,
# after the delimiter, its read head walks over the same slots in the same order.

# %%
L2 = 2 * result.config["max_len"]
figs[f"weightings_len{L2}"]

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(20, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Break it
#
# Take away location addressing: with `shifts=1` the shift kernel holds only the zero shift,
# so a head can move only by content. Watch the write-head probe (and the copy) fail.

# %%
broken, broken_found = notebook.run(20, "quick", shifts=1)
notebook.show_claims(broken_found)

# %% [markdown]
# ## Summary

# %%
m, cfg = result.metrics, result.config
L = cfg["max_len"]
display(
    Markdown(f"""
* **Copy at the training lengths:** the NTM makes {m["ntm_train_bit_errors"]:.2f} bit errors per sequence
  of length {L} ({L * cfg["bits"]} bits); the parameter-matched LSTM {m["lstm_train_bit_errors"]:.2f}.
* **Beyond them:** at length {2 * L}, never seen in training, the NTM's bit-error rate is
  {m["ntm_long_error_rate"]:.3f}, the LSTM's {m["lstm_long_error_rate"]:.3f}.
* **The mechanism:** the write head moves one slot per input step on {m["ntm_train_write_shift"]:.0%}
  of steps; the read head retraces the written slots on {m["ntm_train_read_retrace"]:.0%} of output steps.
* **The memory is what copies:** reading from a zeroed memory puts the NTM at
  {m["ntm_zeroed_train_error_rate"]:.2f} bit-error rate (chance is 0.5).
* Per-seed values, the full preset and what does not reproduce at this scale: `docs/results/20_ntm.md`.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Train with `controller="lstm"`. How many more steps does it need before the write head
#    starts to shift, and why might an LSTM controller be tempted to copy without the memory?
# 2. Replace sharpening by $\gamma = 1$. What happens to the weightings after many shifts?
# 3. Initialise the memory with random values instead of $10^{-6}$. Does training slow down?
# 4. Test at length 40 (more than the 32 slots). What must go wrong, and how does it show in
#    the weightings?
