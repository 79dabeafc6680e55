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
# # 05 · Keeping neural networks simple: the description length of the weights
#
# Hinton & van Camp (1993) ask how much *information* a network's weights contain, and
# answer: make each weight a Gaussian $q(w) = \mathcal N(\mu, \sigma^2)$ and count bits.
# To send the training targets to a receiver who has the inputs, send
#
# 1. the weights, which by the *bits-back* argument cost $\mathrm{KL}(q\,\|\,p)$ bits against
#    a coding prior $p$ agreed in advance (the sender picks $w$ from $q$ using bits the
#    receiver gets back), and
# 2. the targets' misfit under those noisy weights, with Gaussian output noise $\sigma_n$:
#    $\frac{\mathbb E_q[\mathrm{SSE}]}{2\sigma_n^2 \ln 2} + N \log_2 \frac{\sqrt{2\pi}\,\sigma_n}{t}$
#    bits for targets sent to precision $t$.
#
# Minimising the sum learns a precision for every weight. A weight that does not matter can
# be very imprecise ($\sigma \gg |\mu|$) and then costs almost nothing.
#
# The paper's technical point: with one tanh hidden layer and a linear output,
# $\mathbb E_q[\mathrm{SSE}]$ and its derivatives can be computed *exactly*, without sampling.
#
# Everything below is computed by `sutskever30.papers.p05_mdl_weights` when the notebook runs.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p05_mdl_weights as p05

# %% [markdown]
# ## The expected error without Monte Carlo
#
# For a fixed input $x$ and independent Gaussian weights, hidden pre-activation $j$ is exactly
# Gaussian: $a_j \sim \mathcal N(m_j, s_j^2)$ with $m_j = \sum_i \mu_{ji} x_i + \mu_{b_j}$ and
# $s_j^2 = \sum_i \sigma_{ji}^2 x_i^2 + \sigma_{b_j}^2$. Then $\mathbb E[\tanh a_j]$ and
# $\mathbb E[\tanh^2 a_j]$ are one-dimensional Gaussian integrals (Gauss–Hermite quadrature,
# 32 nodes). The output $\hat y = \sum_j v_j h_j + c$ is a sum of independent products, so
#
# $$\mathbb E[\hat y] = \sum_j \mu_{v_j} \mathbb E[h_j] + \mu_c, \qquad
# \mathrm{Var}[\hat y] = \sum_j \big((\mu_{v_j}^2 + \sigma_{v_j}^2)\,\mathbb E[h_j^2] - \mu_{v_j}^2\, \mathbb E[h_j]^2\big) + \sigma_c^2,$$
#
# and $\mathbb E[(y - \hat y)^2] = (y - \mathbb E[\hat y])^2 + \mathrm{Var}[\hat y]$.

# %%
show_source(p05.expected_output_moments)

# %% [markdown]
# The weights' cost is KL(q‖p) in bits. The paper's coding prior is *adaptive*: a mixture
# of zero-mean Gaussians whose proportions and widths are learned with the weights. A
# narrow component lets a weight be "exactly zero" at a cost of about one bit, and a broad
# one carries the weights that matter. The entropy of q is closed-form; $\mathbb E_q[\log p(w)]$
# is a 1-D Gaussian integral, done with the same quadrature.

# %%
show_source(p05.kl_mixture_forward)

# %% [markdown]
# ## The task and the baselines
#
# 32 inputs, only 3 of which matter: $y = \tanh(2x_a - 1.5x_b + x_c) + \varepsilon$,
# $\varepsilon \sim \mathcal N(0, 0.1^2)$, with **50 training examples** for a 32-4-1 network
# of 137 weights. The same net, init, optimiser and number of steps is trained three ways:
#
# * **(a) maximum likelihood**: plain squared error;
# * **(b) weight decay**, $\lambda$ picked by 5-fold cross-validation on the 50 examples;
# * **(c) MDL noisy weights**: data bits + KL bits, every $\mu$ and $\sigma$ learned.

# %%
show_source(p05.make_task)

# %% [markdown]
# ## Run the experiment
#
# The notebook runs the `full` preset (10,000 steps per method). Under the tests
# (`SUTSKEVER30_SMOKE=1`) it runs the seconds-long smoke preset of 200 steps, whose claims are
# printed but not expected to hold. The measured values per seed are in
# `docs/results/05_mdl_weights.md`.

# %%
result, found = notebook.run(5)
m, tp = result.metrics, result.metrics["two_part_ml"]
print(f"preset {result.preset}, seed {result.seed}: {result.seconds:.1f} s; relevant inputs {m['relevant_inputs']}")

# %%
figs = p05.figures(result)
figs["test_mse"]

# %% [markdown]
# Which weights does the code say matter? Blue cells have $\sigma < |\mu|$: they must be
# stated precisely. Red cells have $\sigma > |\mu|$: the weight could be set to zero.

# %%
figs["sigma_over_mu"]

# %%
figs["bits"]

# %%
figs["training"]

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(5, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Summary

# %%
display(
    Markdown(f"""
* **Exact expected error.** Moment propagation gave E[SSE] = {m["expected_sse_moments"]:.4f};
  {result.config["mc_samples"]:,} weight samples gave {m["expected_sse_monte_carlo"]:.4f}.
* **Generalisation from 50 examples.** Maximum likelihood fits the training set
  (training MSE {m["train_mse_ml"]:.1e}) and scores {m["test_mse_ml"]:.3f} on the test set;
  weight decay with a cross-validated λ scores {m["test_mse_weight_decay"]:.3f}; the noisy-weight
  net scores {m["test_mse_mdl"]:.3f} with no penalty to tune.
* **The code finds the relevant inputs.** {m["irrelevant_prunable_fraction"]:.0%} of the weights
  leaving irrelevant inputs have σ ≥ |μ|; the relevant inputs' weights into the active
  unit have σ/|μ| of {", ".join(f"{r:.2f}" for r in m["relevant_ratio"])}.
* **Bits.** Data {m["mdl_data_bits"]:.0f} + weights {m["mdl_weight_bits"]:.0f} bits for the MDL net,
  against {tp["total"]:.0f} bits for the best fixed-precision two-part code of the ML net.
* **What this is not.** Not magnitude pruning: no weight is removed. Each σ is learned,
  by gradient descent on the description length.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Set `kl_warmup=0.0`. Does training still find the signal on every seed? Why would the
#    full KL term from step 0 switch hidden units off?
# 2. Learn the output noise $\sigma_n$ too (add a `log_sigma_n` parameter to the data term).
#    What value does it reach, and how does it compare with the teacher's 0.1?
# 3. Replace the paper's adaptive mixture prior by one Gaussian per weight matrix
#    (`prior="gaussian"`). Does the KL term rise? How many irrelevant weights stay prunable?
# 4. Draw 20 weight samples from the trained $q$ and plot the predictions on a line through
#    input space. Where is the net uncertain?
# 5. Increase `n_train` to 500. How do the three methods compare now, and why?
