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
# # 24 · Machine Super Intelligence: universal intelligence and AIXI
#
# Shane Legg's thesis (2008, <https://www.vetta.org/documents/Machine_Super_Intelligence.pdf>)
# defines the intelligence of an agent $\pi$ as its performance over *all* computable
# environments, simple ones counting more:
#
# $$\Upsilon(\pi) = \sum_{\mu \in E} 2^{-K(\mu)}\, V_\mu^\pi ,$$
#
# with $K(\mu)$ the Kolmogorov complexity of environment $\mu$ and $V_\mu^\pi \le 1$ the
# agent's expected (bounded) total reward in it. The agent that maximises $\Upsilon$ is AIXI:
# a Bayes mixture over all environments with prior $2^{-K(\mu)}$, acting by expectimax.
# Neither $K$ nor AIXI is computable, so here we build a small world where everything is:
#
# * a **prefix-free language** of environments, so $K(\mu)$ := the length of $\mu$'s program
#   in bits (an *upper bound* on its Kolmogorov complexity, up to an interpreter constant);
# * a set of agents that see **only observations and rewards**;
# * $\Upsilon$ computed from measured rewards, and checked to order the agents sensibly, also
#   on environments held out from the design.
#
# Every number below is measured by `sutskever30.papers.p24_machine_super_intelligence`.

# %%
# %matplotlib inline
from IPython.display import Markdown, display

from sutskever30 import notebook
from sutskever30.notebook import show_source
from sutskever30.papers import p24_machine_super_intelligence as p24

# %% [markdown]
# ## The language and its Kraft inequality
#
# A program is a token tree written as bits: a tag from a prefix-free tag code, then the
# tag's arguments (Elias-γ for a pattern's length, 3 bits for a probability index). The
# decoder always knows where a program ends, so no program is a prefix of another, and
# then the Kraft inequality $\sum_p 2^{-\ell(p)} \le 1$ must hold: $2^{-\ell}$ is a
# (semi-)probability distribution over programs, the "Solomonoff-style" prior.
#
# ```
# env ::= 0 seq | 10 i i (bandit) | 11 b (reactive)
# seq ::= 00 γ(L) bits (PERIOD) | 010 i (COIN) | 011 (THUE) | 100 (FIB) | 101 (COUNT)
#       | 110 seq (NOT) | 111 seq seq (XOR)
# ```

# %%
show_source(p24.encode_seq)
for prog in [("PRED", ("THUE",)), ("REACT", 0), ("BANDIT", 1, 6), ("PRED", ("XOR", ("THUE",), ("PERIOD", (0, 1))))]:
    code = p24.encode(prog)
    print(f"{p24.describe(prog):30s} {code:20s} K = {len(code):2d} bits, K̂ = {p24.compressed_bits(prog)} bits")

# %%
max_bits, parse_bits = 20, 14
kr = p24.kraft_check(max_bits, parse_bits)
print(
    f"{kr['n_programs']} programs of ≤ {max_bits} bits: Σ 2^-ℓ = {kr['kraft_sum']:.6f} ≤ 1; "
    f"prefix-free: {kr['prefix_free']}; every bit string of ≤ {parse_bits} bits parsed: "
    f"the complete programs found = the enumerated ones: {kr['parse_matches_enumeration']}"
)

# %% [markdown]
# Feeding fair coin flips to the decoder draws a program with probability exactly
# $2^{-\ell(p)}$; that is how the held-out environments are drawn.

# %%
show_source(p24.sample_program)

# %% [markdown]
# ## The agent–environment loop
#
# Each step the agent emits $a \in \{0, 1\}$ and gets a percept: an observation
# $o \in \{0, 1\}$ and a reward $r \in \{0, 1\}$. That is all it ever sees.
# $V = \frac1T\sum_t r_t \in [0, 1]$.

# %%
show_source(p24.run_episode)

# %% [markdown]
# ## AIXI-lite: the Bayes-mixture agent
#
# The class $\mathcal M$ is every program of the language up to 16 bits; prior
# $w(\mu) = 2^{-\ell(\mu)}$; after each percept $w(\mu) \leftarrow w(\mu)\,\mu(o, r \mid a, h)$
# (with a $10^{-3}$ "anything can happen" floor, so that an environment outside the class
# only demotes hypotheses). To act it draws $\mu \sim w$ and takes the action with the
# highest immediate expected reward under $\mu$ (posterior sampling: 1-step expectimax on a
# sampled environment, which also explores bandit arms). AIXI proper would plan over the
# whole horizon with all computable environments; this is the finite, myopic version.

# %%
show_source(p24.MixtureAgent.act, p24.MixtureAgent.observe)

# %% [markdown]
# ## Run the experiment
#
# Quick preset: T = 200 steps, 3 episodes per (agent, environment), the 30-environment suite,
# the specialist's 3-environment niche and 30 held-out environments drawn from the prior
# (20 deterministic bit-prediction programs, 6 stochastic, 4 bandits). Under the notebook
# tests the tiny smoke preset runs instead, so the claims are not expected to hold there.

# %%
result, found = notebook.run(24, notebook.preset("quick"))
m = result.metrics
U = p24.upsilon_table(result)
print(f"preset {result.preset}, seed {result.seed}: {result.seconds:.1f} s; mixture class: {m['mixture_class_size']}")

# %%
figs = p24.figures(result)
figs["upsilon_suite"]

# %%
figs["upsilon_heldout"]

# %%
figs["V_matrix"]

# %% [markdown]
# ## Υ per agent on every environment set
#
# "normalised Υ" is $\Upsilon / \sum_\mu 2^{-K(\mu)}$, a weighted mean of $V$.
# *niche (uniform)* is the plain mean over the specialist's three environments.

# %%
sets = ["suite", "heldout", "heldout_stochastic", "suite_deterministic", "suite+niche_K_hat", "niche_uniform"]
rows = ["| agent | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
for agent in m["agents"]:
    rows.append(f"| {agent} | " + " | ".join(f"{U[s][agent]:.3f}" for s in sets) + " |")
display(Markdown("\n".join(rows)))
eff = U["effective_envs"]
print(f"effective number of environments (Σw)²/Σw² on suite + niche: K: {eff['K']:.1f}, K̂: {eff['K_hat']:.1f}")

# %% [markdown]
# ## Paper vs ours

# %%
notebook.show_paper_vs_ours(24, result)

# %% [markdown]
# ## Claims

# %%
notebook.show_claims(found)

# %% [markdown]
# ## Summary

# %%
spec = m["agents"].index("specialist")
order = ["Bayes mixture", "Markov-3", "frequency", "constant-0"]
display(
    Markdown(f"""
* **Υ orders agents sensibly.** On the suite: Bayes mixture {U["suite"]["Bayes mixture"]:.3f},
  Markov-3 {U["suite"]["Markov-3"]:.3f}, frequency {U["suite"]["frequency"]:.3f}, constant-0
  {U["suite"]["constant-0"]:.3f}, random {U["suite"]["random"]:.3f}. On held-out deterministic
  environments drawn from the prior: {", ".join(f"{U['heldout'][a]:.3f}" for a in order)}.
* **Occam weighting demotes the specialist.** It scores
  {m["V"][spec][m["env_group"].index("niche")]:.2f} on its own ~40-bit environment and is first
  on its niche under uniform weights ({U["niche_uniform"]["specialist"]:.3f}), but its Υ over
  suite + niche is {U["suite+niche"]["specialist"]:.3f}: its niche weighs ~2^−40.
* **The mixture wins because the world is simple.** Environments with short programs carry
  most of the weight and the mixture's class contains them; where it does not (long periods
  of the held-out set, the specialist's niche) the Markov agents can beat it.
* **Which K matters less than Occam.** With the compressor estimate K̂ the weights are far
  more peaked (≈ {eff["K_hat"]:.1f} effective environments instead of {eff["K"]:.1f}, since
  a text description costs ~8 bits per character), yet every learner still beats every
  non-learner.
* **Stochastic environments do not separate learners.** On held-out coins and bandits, Υ of
  the learners is within a few hundredths ({U["heldout_stochastic"]["Bayes mixture"]:.3f} for
  the mixture, {U["heldout_stochastic"]["frequency"]:.3f} for frequency): for i.i.d. bits the
  frequency rule is already optimal.
""")
)

# %% [markdown]
# ## Exercises
#
# 1. Raise `class_bits` to 18. How many hypotheses does the mixture hold, and which held-out
#    environments does it now solve?
# 2. Replace posterior sampling by greedy 1-step expectimax (argmax of the posterior-mean reward).
#    What happens on the bandits, and why?
# 3. Give the specialist a short niche (e.g. hard-wire it to PERIOD(01)). Where does it rank now?
# 4. Add a token to the language (e.g. `INTERLEAVE seq seq`). Re-run `kraft_check`: does the sum
#    stay ≤ 1? What must be true of the new tag's codeword?
# 5. Make ε (the mixture's noise floor) 0 and run on a held-out environment outside its class.
#    What happens to the posterior?
