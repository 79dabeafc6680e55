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
# # 10 · ResNet: the degradation problem and identity shortcuts
#
# He, Zhang, Ren and Sun (2015) noticed something odd: stacking more layers onto a plain
# network made its **training** error *higher* (CIFAR-10: plain-56 above plain-20, Figure 1).
# It is not overfitting — the training error itself is worse — and a deeper net could in
# principle copy the shallow one and set the extra layers to the identity. Plain layers just
# find the identity hard to learn.
#
# Their fix: let each block of two layers learn a *residual* $\mathcal{F}(x)$ and add the
# input back,
#
# $$y = \sigma\big(\mathcal{F}(x, \{W_i\}) + x\big), \qquad \mathcal{F}(x) = W_2\, \sigma(W_1 x),$$
#
# with the addition **before** the block's final ReLU $\sigma$ (Eq. 1, Figure 2). Then the
# identity is the default ($\mathcal{F} = 0$), and ResNet-152 won ILSVRC 2015.
#
# Here: MLPs on the 8×8 digits, plain vs residual, 2 / 20 / 40 weight layers, same
# optimiser, He init and budget. Everything below is computed when you run it.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p10_resnet as p10

# %% [markdown]
# ## A block, plain or residual
#
# The only difference between the two families is the `+ skip_scale * x` line; the layers,
# their init and the parameter count are the same. With `skip_scale = 0` the residual code
# path computes exactly the plain block (the tests check it on shared weights).

# %%
show_source(p10.Block, p10.he_linear)

# %% [markdown]
# ## Training
#
# SGD with momentum 0.9, one learning rate, the same batches in the same order for every
# model. A run whose loss becomes NaN or Inf is recorded as diverged (the training error of a
# net that blew up counts as worse than any finite one).

# %%
show_source(p10.train_model)

# %% [markdown]
# ## Run the experiment
#
# The notebook runs the full preset, which adds batch normalisation to both families as the
# paper does (a few minutes); under the tests it runs the seconds-long smoke preset, whose
# claims are not expected to pass.

# %%
result, found = notebook.run(10)
print(f"preset {result.preset}: {result.seconds:.1f} s")

# %%
figs = p10.figures(result)
figs["train_error"]

# %%
figs["train_loss"]

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(10, result)

# %% [markdown]
# Every depth, next to the paper's Figure 6:

# %%
m, cfg = result.metrics, result.config
rows = []
for d in cfg["depths_plain"]:
    rows.append((f"plain-{d}", f"{1 - m[f'plain_{d}_train_acc']:.3f}", f"{m[f'plain_{d}_test_acc']:.3f}"))
for d in cfg["depths_res"]:
    rows.append((f"ResNet-{d}", f"{1 - m[f'res_{d}_train_acc']:.3f}", f"{m[f'res_{d}_test_acc']:.3f}"))
d = max(cfg["depths_res"])
rows.append(
    (f"ResNet-{d}, shortcut × 0", f"{1 - m[f'res_{d}_noskip_train_acc']:.3f}", f"{m[f'res_{d}_noskip_test_acc']:.3f}")
)
display(
    Markdown(
        "Paper (CIFAR-10, Figure 6): plain nets' training error rises with depth (20 → 56); "
        "ResNets' falls (ResNet-20/32/44/56/110 test error 8.75 / 7.51 / 7.17 / 6.97 / 6.43%).\n\n"
        "| model | train error | test accuracy |\n|---|---|---|\n"
        + "\n".join(f"| {a} | {b} | {c} |" for a, b, c in rows)
    )
)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Summary

# %%
sh, dp = min(cfg["depths_plain"]), d
display(
    Markdown(f"""
* **Degradation:** plain-{sh} ends at training loss {m[f"plain_{sh}_train_loss"]:.3g}, plain-{dp} at
  {m[f"plain_{dp}_train_loss"]:.3g}, with the same optimiser, He init and budget.
* **Residual learning fixes it:** ResNet-{dp} (same layers, plus the shortcut) ends at
  {m[f"res_{dp}_train_loss"]:.3g}.
* **The shortcut is what does it:** the same residual net with the shortcut multiplied by 0
  ends at {m[f"res_{dp}_noskip_train_loss"]:.3g}.
* Batch norm in both families: {"on" if cfg["batch_norm"] else "off"} in this run. The measured
  values with and without it, per seed, are in `docs/results/10_resnet.md`.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Set `branch_scale=1.0` (pure He init in the residual branches). What happens to ResNet-40,
#    and why does the variance of $x + \mathcal{F}(x)$ grow with depth?
# 2. Move the addition *after* the final ReLU ($y = \sigma(\mathcal{F}(x)) + x$). Does it still train?
# 3. Try depth 80. How do plain and residual nets behave?
# 4. Replace the identity shortcut by a learned projection $W_s x$ everywhere. What changes?
