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
# # 25 · Kolmogorov complexity: what we can compute about an uncomputable quantity
#
# Shen, Uspensky and Vereshchagin's book defines the complexity of a string $x$ as the
# length of the shortest program that prints it,
#
# $$K_U(x) = \min\{|p| : U(p) = x\},$$
#
# and proves that the choice of universal machine $U$ only shifts it by a constant
# (*invariance*: $K_U(x) \le K_V(x) + c_{UV}$). $K$ is not computable. This notebook works
# with four facts about it that *can* be checked by computation:
#
# 1. **Coding theorem.** $-\log_2 m(x) = K(x) + O(1)$, where $m(x)$ is the probability that
#    a random program prints $x$. We estimate $m$ by running *every* 3-state, 2-symbol
#    Turing machine.
# 2. **Compressors only bound $K$ from above.** $K(x) \le C(x) + O(1)$ for any compressor
#    $C$; a pseudo-random stream shows how loose the bound can be.
# 3. **Counting.** Fewer than $2^{n-c}$ programs are shorter than $n - c$ bits, so at most a
#    $2^{-c}$ fraction of strings of length $n$ can be compressed by $c$ bits.
# 4. **Information distance.** $\mathrm{NCD}(x, y) = \frac{C(xy) - \min(C(x), C(y))}{\max(C(x), C(y))}$
#    groups files by what they share.
#
# Every number below is computed by `sutskever30.papers.p25_kolmogorov_complexity` when
# the notebook runs.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p25_kolmogorov_complexity as p25

# %% [markdown]
# ## Every small Turing machine at once
#
# A machine with $n$ states has a transition for each (state, symbol read). Each is one of
# $4n + 2$ choices: write 0 or 1, move left or right, go to one of $n$ states, or write a
# symbol and halt. So there are $(4n+2)^{2n}$ machines: $14^6 = 7{,}529{,}536$ for $n = 3$.
# Each starts on a blank (all-0) tape; if it halts within 25 steps (no 3-state machine
# halts later: the busy-beaver step count is $S(3) = 21$), its output is the block of cells
# its head visited.
#
# The simulator runs all machines together: one 64-bit word of tape per machine, and the
# machines that halted are dropped from the arrays after each step.

# %%
show_source(p25.simulate)

# %% [markdown]
# A plain one-machine simulator, which the tests compare against the vectorised one:

# %%
show_source(p25.run_machine)

# %% [markdown]
# From the counts, $m(s) = \#\{\text{machines printing } s\} / \#\{\text{halting machines}\}$
# and $K_\mathrm{CTM}(s) = -\log_2 m(s)$. Reversing a machine's moves reverses its output, so
# reversal is an exact symmetry; complementing is not (the blank is 0), so by convention
# $m$ is averaged over $s$, its reverse, its complement and both.

# %%
show_source(p25.ctm_complexity)

# %% [markdown]
# ## The pseudo-random program, and the counting code
#
# This is the whole "program" for a 100 KB stream: the function below plus a 4-byte seed.

# %%
show_source(p25.prng_bytes)

# %% [markdown]
# For counting we need a compressor that can actually shorten a 20-bit string. zlib cannot:
# its framing alone is more than 20 bits. The run-length code below writes the first bit,
# then each run length in Elias-gamma code ($2\lfloor\log_2 r\rfloor + 1$ bits). Given $n$
# it decodes uniquely, and the tests check this for every string up to 12 bits.

# %%
show_source(p25.run_length_code)

# %% [markdown]
# ## Run the experiment
#
# The notebook runs the `full` preset. Under the notebook tests (`SUTSKEVER30_SMOKE=1`) it
# runs the seconds-long smoke preset instead: 2-state machines, short streams. Its claims
# are printed but are not expected to hold; the regression claim in particular has no
# pinned value for 2 states. The values measured per seed are in
# `docs/results/25_kolmogorov_complexity.md`.

# %%
result, found = notebook.run(25)
m = result.metrics
print(f"preset {result.preset}, seed {result.seed}: {result.seconds:.1f} s")
print(f"{m['machines']:,} machines, {m['halting']:,} halt, {m['distinct_outputs']} distinct outputs")

# %%
figs = p25.figures(result)
figs["ctm_complexity"]

# %%
figs["mean_K_by_length"]

# %%
figs["compression"]

# %%
figs["counting"]

# %%
figs["ncd"]

# %% [markdown]
# ## Book vs ours

# %%
notebook.show_paper_vs_ours(25, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Summary

# %%
ratio, mean_K = m["compression_ratio"], m["mean_K_by_length"]
display(
    Markdown(f"""
* **The coding theorem, computed.** Of {m["machines"]:,} machines, {m["halting"]:,} halted and
  printed {m["distinct_outputs"]} distinct strings. Rare outputs are complex ones: the
  simplest strings of each length are {m["argmin_K"]}, and mean $K_\\mathrm{{CTM}}$ grows with
  length ({", ".join(f"{v:.1f}" for v in mean_K.values())} bits).
* **Compressors are upper bounds, not $K$.** The xorshift32 stream compresses to
  {ratio["xorshift32"]:.4f} of its size, no better than true random bytes
  ({ratio["random"]:.4f}), yet {m["prng_program_bytes"]} bytes of source and a 4-byte seed
  regenerate all of it. Thue–Morse, whose rule is as short, is found by the compressors
  ({ratio["thue_morse"]:.4f}).
* **Most strings are incompressible.** For every $n$ up to {result.config["counting_max_n"]}
  and every $c$, the strings our injective code shortens by $c$ bits are fewer than
  $2^{{n-c}}$ (largest ratio {m["counting_worst_ratio"]:.3g}), although some strings shrink
  to half their length.
* **Shared information is measurable.** Files sit closer (in NCD) to their own package than
  to the others, though not by much: plain zlib sees the shared vocabulary of Python code.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Run `p25.enumerate_machines(2, 25)`. How many distinct outputs do 2-state machines
#    produce, and why are they too few to rank strings of length 5?
# 2. Change the counting code to a fixed-length code that writes $x$ as it is. What is the
#    largest ratio now, and what does that say about "compressing every string"?
# 3. Replace zlib by lzma in `ncd`. Does the within/between gap grow? Why might a
#    compressor with a longer window matter for NCD?
# 4. Write a 300-byte program for the Thue–Morse stream. Its compressed size is a few
#    hundred bytes too. Why does the compressor find this regularity and not xorshift's?
# 5. The invariance theorem says two universal machines agree up to a constant. Compare
#    $K_\mathrm{CTM}$ from 2-state and 3-state machines on strings of length ≤ 3. Do they
#    rank the strings the same way?
