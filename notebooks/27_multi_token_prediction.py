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
# # 27 · Multi-token prediction and self-speculative decoding
#
# Gloeckle et al. (2024) train a language model to predict the next $n$ tokens at once: a
# shared trunk $z_t = f_s(x_{\le t})$ feeds $n$ independent heads, and
#
# $$P_\theta(x_{t+i} \mid x_{\le t}) = \mathrm{softmax}\big(f_u(f_{h_i}(z_t))\big), \qquad
# L_n = -\sum_t \sum_{i=1}^{n} \log P_\theta(x_{t+i} \mid x_{\le t}) \quad \text{(Eq. 1)}.$$
#
# At scale this helps (13B on code: +12% HumanEval, +17% MBPP); small models can be hurt.
# And the extra heads are free drafters: **self-speculative decoding** drafts $n$ tokens,
# verifies them with head 1 in one pass and keeps the longest agreeing prefix, so the output
# is *exactly* greedy decoding, up to 3× faster.
#
# Here: a character-level MLP trunk on the standard library's source, $n = 4$ against
# next-token prediction ($n = 1$) at equal steps, everything measured when you run it.

# %%
# %matplotlib inline
from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p27_multi_token_prediction as p27

# %% [markdown]
# ## The model and the loss
#
# Head $i$ is trained on the targets shifted by $i$: `Y[:, i-1]` $= x_{t+i}$.

# %%
show_source(p27.MultiTokenMLP, p27.mtp_loss)

# %% [markdown]
# ## Self-speculative decoding
#
# Draft $d_1..d_n$ with the heads ($d_1$ is head 1's own greedy choice). One batched trunk
# call evaluates head 1 after $d_1$, after $d_1 d_2$, …; accept $d_{i+1}$ while head 1 agrees,
# roll back the rest. The same call gives every head's prediction at the last accepted
# position: the next draft. Each call emits between 1 and $n$ tokens, never a token that
# greedy decoding would not have produced.

# %%
show_source(p27.speculative_decode)

# %% [markdown]
# ## Run it

# %%
result, found = notebook.run(27, "quick")
print(f"preset {result.preset}: {result.seconds:.1f} s")

# %%
figs = p27.figures(result)
figs["training_loss"]

# %%
figs["head_offset_accuracy"]

# %%
figs["acceptance"]

# %%
print(repr(result.metrics["sample"][:200]))

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(27, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Break it
#
# Replace the draft heads by untrained ones (the run's own control does this): the output is
# *still* identical to greedy decoding (verification guarantees it), but almost no draft is
# accepted. And if you skip verification, the "speed-up" is a fake: the output changes.

# %%
m = result.metrics
print(f"trained drafts: {m['mtp_tf_accept']:.2f} tokens/call; untrained drafts: {m['control_tf_accept']:.2f}")


def unverified_decode(model, prompt, n_new):
    """Accept every draft without checking it (the fake the card warns about)."""
    import numpy as np

    seq = list(prompt)
    while len(seq) - len(prompt) < n_new:
        seq += [int(t) for t in model.all_heads(np.asarray(seq[-model.context :])[None])[0].argmax(axis=1)]
    return np.asarray(seq[len(prompt) : len(prompt) + n_new])


# %% [markdown]
# Compare with greedy decoding on a fresh small model (trained for a few steps here so the
# cell runs in seconds):

# %%
import numpy as np  # noqa: E402

from sutskever30.data.text import CharVocab, stdlib_source  # noqa: E402

text = stdlib_source(60_000)
vocab = CharVocab(text)
ids = vocab.encode(text)
model = p27.MultiTokenMLP(len(vocab), 32, 4, np.random.default_rng(0))
prompt = ids[1000:1032]
greedy, _ = p27.greedy_decode(model, prompt, 40)
print("speculative == greedy:", np.array_equal(p27.speculative_decode(model, prompt, 40)[0], greedy))
print("unverified  == greedy:", np.array_equal(unverified_decode(model, prompt, 40), greedy))

# %% [markdown]
# ## Summary
#
# * $n$ heads on one trunk, head $i$ trained on $x_{t+i}$; head accuracy falls with $i$, and
#   each head is best at its own offset (the heat map's diagonal).
# * Self-speculative decoding reproduces greedy decoding exactly and needs fewer trunk calls;
#   acceptance is measured both with teacher forcing on held-out text and in free
#   generation (where greedy loops on repetitive code inflate it).
# * At ~0.1M parameters head 1 of the 4-head model is no better than the next-token model
#   (within about 1% bpc, usually a little worse): the paper says small models can be hurt
#   and the gains come with scale. Compare the two bpc values printed in "Paper vs ours".
#
# ## Exercises
#
# 1. Train with $n = 2$ and $n = 8$. How do acceptance and head-1 bpc move?
# 2. Make the heads share all but the last layer. Does acceptance go up or down?
# 3. Implement the paper's memory-efficient backward: run each head's forward and backward
#    in turn, accumulating the gradient at $z_t$. Check that the gradients are identical.
# 4. Replace the MLP trunk by a causal transformer (paper 13). Why does verification then
#    cost one forward pass instead of $n$?
