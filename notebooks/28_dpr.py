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
# # 28 · Dense Passage Retrieval: a dual encoder trained with in-batch negatives
#
# Karpukhin et al. (2020) replaced BM25 with two learned encoders, $E_Q$ for questions and $E_P$
# for passages, scored by an inner product $\mathrm{sim}(q, p) = E_Q(q)^\top E_P(p)$. For a batch of
# $B$ question–passage pairs, every other passage in the batch is a free negative (Eq. 2):
#
# $$L = -\frac{1}{B}\sum_i \log \frac{e^{\mathrm{sim}(q_i, p_i)}}{\sum_{j} e^{\mathrm{sim}(q_i, p_j)}},$$
#
# the cross-entropy of the $B\times B$ similarity matrix with its positives on the diagonal.
# BM25 scores $\sum_{t\in q} \mathrm{IDF}(t)\,\frac{tf(k_1+1)}{tf + k_1(1-b+b\,|d|/\mathrm{avgdl})}$: it needs
# the same words. Our corpus names each concept with one word in passages and another in
# questions (synonym split), or reuses the passage's word (lexical split).

# %%
# %matplotlib inline
from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p28_dpr as p28
from sutskever30.retrieval import BM25, Tower, in_batch_nll

# %%
show_source(Tower, in_batch_nll, BM25)

# %% [markdown]
# ## Run the experiment (quick preset; smoke under the tests)

# %%
result, found = notebook.run(28, "quick")
print(f"preset {result.preset}: {result.seconds:.1f} s")

# %%
figs = p28.figures(result)
figs["top5_synonym"]

# %%
figs["top5_lexical"]

# %%
figs["train_loss"]

# %% [markdown]
# ## Paper vs ours, and the claims

# %%
notebook.show_paper_vs_ours(28, result)

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Break it
#
# Give the in-batch softmax 4 negatives as well as the baseline: the "more negatives" claim must
# now fail (the two models are identical).

# %%
r2, c2 = notebook.run(28, "quick", few_negatives=31, hard_negatives=False)
notebook.show_claims([c for c in c2 if "negatives help" in c.statement])

# %% [markdown]
# ## Summary
#
# * Dense retrieval wins where questions and passages use different words; BM25 wins where they
#   share them; the hybrid keeps BM25's lexical strength.
# * More in-batch negatives (31 vs 4, same batch and steps) and one BM25 hard negative per
#   question both help, as in the paper's Table 3.
# * Measured values per seed are in `docs/results/28_dpr.md`.
#
# ## Exercises
#
# 1. Set `shared_init=False`. How much does starting both towers from one init matter?
# 2. Raise `filler_prob` to 1.0. What happens to BM25 on synonym questions, and to DPR?
# 3. Replace the per-query standardisation of the hybrid by raw scores with a λ. Which λ works?
