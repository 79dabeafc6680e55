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
# # 22 · Scaling laws for neural language models
#
# Kaplan et al. (2020) found that a language model's test loss follows power laws in the
# number of non-embedding parameters $N$, the data $D$ and the compute $C$:
#
# $$L(N) = (N_c/N)^{\alpha_N},\quad L(D) = (D_c/D)^{\alpha_D},\quad
# L(N, D) = \Big[\big(\tfrac{N_c}{N}\big)^{\alpha_N/\alpha_D} + \tfrac{D_c}{D}\Big]^{\alpha_D},$$
#
# with $\alpha_N \approx 0.076$, $\alpha_D \approx 0.095$, $\alpha_C \approx 0.050$; shape
# matters little at fixed $N$, and larger models are more sample-efficient.
#
# Two toys, both run for real:
#
# * **(A)** a solvable model: features $x_i \sim \mathcal N(0, \lambda_i)$ with
#   $\lambda_i = i^{-(1+a)}$, a linear teacher, a "size-$N$" model using the first $N$
#   features. With unlimited data its risk is $\sum_{i>N}\lambda_i \approx N^{-a}/a$, so
#   $\alpha_N = a$; with $D$ samples, ridge regression's risk is computed from its fitted weights.
# * **(B)** character-level MLP language models on the standard library's source, 7 widths.

# %%
# %matplotlib inline
from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p22_scaling_laws as p22

# %%
show_source(p22.ridge_risk, p22.CharMLP)

# %% [markdown]
# ## Run (quick preset; smoke under the tests)

# %%
result, found = notebook.run(22, "quick")
print(f"preset {result.preset}: {result.seconds:.1f} s")

# %%
figs = p22.figures(result)
figs["A_L_of_N"]

# %%
figs["A_L_of_ND"]

# %%
figs["A_frontier"]

# %%
figs["B_L_of_N"]

# %%
figs["B_sample_efficiency"]

# %% [markdown]
# ## Paper vs ours
#
# Our exponents are not Kaplan's: toy (A)'s are set by the spectrum $a$, and toy (B)'s tiny
# models, small vocabulary and 8-character context are far from the regime of the paper.

# %%
notebook.show_paper_vs_ours(22, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Break it
#
# The power law in toy (A) comes from the power-law spectrum. Replace it by an exponential
# decay and the log-log fit falls apart (this is the control claim).

# %%
import numpy as np  # noqa: E402

Ns = [2**k for k in range(3, 11)]
for kind in ("power", "exp"):
    L = p22.loss_unlimited_data(p22.spectrum(2**16, 0.5, kind), Ns)
    fit = p22.power_law_fit(np.array(Ns), L)
    print(f"{kind:5s} spectrum: alpha = {fit['alpha']:.3f}, log-log R² = {fit['r2']:.4f}")

# %% [markdown]
# ## Summary
#
# * (A) The fitted $\hat\alpha_N$ recovers $a$; ridge regression's $L(D)$ is a power law; Kaplan's
#   $L(N, D)$ fits the grid; the compute-optimal $N$ grows as about $C^{1/2}$ when
#   $\alpha_N \approx \alpha_D$ (Kaplan's 0.73 comes from $\alpha_N < \alpha_D$ in real LMs).
# * (B) Loss falls monotonically with $N$; bigger models reach a given loss in fewer tokens;
#   depth matters little at matched $N$; non-embedding counting gives the straighter line.
#
# ## Exercises
#
# 1. Change $a$ in toy (A) and predict the new $\hat\alpha_D$ and the frontier exponent.
# 2. In toy (B), train every width 4× longer: does the fitted exponent move?
# 3. Scale the embedding with the width: does counting all parameters get worse still?
