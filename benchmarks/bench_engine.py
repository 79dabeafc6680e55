"""Training-step speed of the NumPy engine against PyTorch CPU eager, on the same shapes.

Each step is forward + loss + backward + optimizer update. Ours and PyTorch's steps are
interleaved in one process (so both see the same machine load), and the median of
``--steps`` timed steps after ``--warmup`` is reported. Both run in float32 with the
same weights (copied through ``state_dict``).

    python benchmarks/bench_engine.py            # every model
    python benchmarks/bench_engine.py --only lstm --steps 30
    python benchmarks/bench_engine.py --busy     # with one CPU-bound process beside it

Ours runs under the package's thread policy (``experiment.BLAS_THREADS``, as every paper
run does); PyTorch with its default threads. Prints one line per model: ours ms, torch
ms, ratio (ours / torch; < 1 means faster).
"""

from __future__ import annotations

import os

# Both libraries keep their worker threads spinning after a call (OpenBLAS for about
# 2^28 cycles, OpenMP for its spin count). Interleaved on 2 cores, the idle pool of one
# then steals the cores from the other and slows it by 2x or more. Make idle workers
# sleep at once; measured alone, neither library's step time changes with these.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from neighbour import busy_neighbour  # noqa: E402

import sutskever30  # noqa: E402
from sutskever30 import experiment, nn  # noqa: E402
from sutskever30.nn import optim  # noqa: E402
from sutskever30.papers import p18_relational_rnn as p18  # noqa: E402

sutskever30.keep_freed_memory()  # as the CLI does (see src/sutskever30/_malloc.py)


def copy_into(ours: nn.Module, theirs: torch.nn.Module) -> None:
    state = {
        k: v.detach().numpy().astype(np.float32)
        for k, v in theirs.state_dict().items()
        if not k.endswith("num_batches_tracked")
    }
    ours.load_state_dict(state)


# ---- the four models ----------------------------------------------------------------


def mlp(rng):
    ours = nn.Sequential(
        nn.Linear(784, 512, rng=rng), nn.ReLU(), nn.Linear(512, 512, rng=rng), nn.ReLU(), nn.Linear(512, 10, rng=rng)
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10)
    )
    x = rng.standard_normal((256, 784)).astype(np.float32)  # (B, 784)
    y = rng.integers(0, 10, 256)  # (B,)

    def ours_loss():
        return nn.cross_entropy(ours(nn.Tensor(x)), y)

    def torch_loss():
        return torch.nn.functional.cross_entropy(theirs(tx), ty)

    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    return ours, theirs, ours_loss, torch_loss


def lstm(rng):
    T, B, I, H = 64, 32, 64, 256
    ours, theirs = nn.LSTM(I, H, rng=rng), torch.nn.LSTM(I, H)
    x = rng.standard_normal((T, B, I)).astype(np.float32)  # (T, B, I)
    target = rng.standard_normal((T, B, H)).astype(np.float32)  # (T, B, H)
    tx, tt = torch.from_numpy(x), torch.from_numpy(target)

    def ours_loss():
        return nn.mse_loss(ours(nn.Tensor(x))[0], target)

    def torch_loss():
        return torch.nn.functional.mse_loss(theirs(tx)[0], tt)

    return ours, theirs, ours_loss, torch_loss


class Block(nn.Module):
    """Pre-LN transformer encoder block: x + MHA(LN(x)), then x + FFN(LN(x))."""

    def __init__(self, D, h, rng):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(D), nn.LayerNorm(D)
        self.self_attn = nn.MultiheadAttention(D, h, batch_first=True, rng=rng)
        self.linear1, self.linear2 = nn.Linear(D, 4 * D, rng=rng), nn.Linear(4 * D, D, rng=rng)

    def forward(self, x):
        a = self.norm1(x)  # (B, T, D)
        x = x + self.self_attn(a, a, a, need_weights=False)[0]  # (B, T, D)
        return x + self.linear2(self.linear1(self.norm2(x)).relu())  # (B, T, D)


def transformer(rng):
    B, T, D, h = 16, 128, 256, 4
    ours = Block(D, h, rng)
    theirs = torch.nn.TransformerEncoderLayer(D, h, 4 * D, dropout=0.0, batch_first=True, norm_first=True)
    x = rng.standard_normal((B, T, D)).astype(np.float32)  # (B, T, D)
    target = rng.standard_normal((B, T, D)).astype(np.float32)
    tx, tt = torch.from_numpy(x), torch.from_numpy(target)

    def ours_loss():
        return nn.mse_loss(ours(nn.Tensor(x)), target)

    def torch_loss():
        return torch.nn.functional.mse_loss(theirs(tx), tt)

    return ours, theirs, ours_loss, torch_loss


def convnet(rng):
    def make(lib, **kw):
        return lib.Sequential(
            lib.Conv2d(1, 16, 3, padding=1, **kw),
            lib.ReLU(),
            lib.MaxPool2d(2),
            lib.Conv2d(16, 32, 3, padding=1, **kw),
            lib.ReLU(),
            lib.MaxPool2d(2),
            lib.Flatten(),
            lib.Linear(32 * 7 * 7, 10, **kw),
        )

    ours, theirs = make(nn, rng=rng), make(torch.nn)
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)  # (B, 1, 28, 28)
    y = rng.integers(0, 10, 64)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def ours_loss():
        return nn.cross_entropy(ours(nn.Tensor(x)), y)

    def torch_loss():
        return torch.nn.functional.cross_entropy(theirs(tx), ty)

    return ours, theirs, ours_loss, torch_loss


class TorchRMC(torch.nn.Module):
    """Paper 18's RMC classifier written with torch ops (same parameter names, same step)."""

    def __init__(self, d_in, n_out, N, h, d_k, hidden):
        super().__init__()
        self.N, self.h, self.d_k, self.D = N, h, d_k, h * d_k
        D = self.D
        c = self.core = torch.nn.Module()
        c.W_in, c.W_qkv = torch.nn.Linear(d_in, D), torch.nn.Linear(D, 3 * D, bias=False)
        c.norm1, c.norm2 = torch.nn.LayerNorm(D), torch.nn.LayerNorm(D)
        c.mlp1, c.mlp2 = torch.nn.Linear(D, D), torch.nn.Linear(D, D)
        c.W_gate, c.U_gate = torch.nn.Linear(d_in, 2 * D), torch.nn.Linear(D, 2 * D, bias=False)
        self.fc1, self.fc2 = torch.nn.Linear(N * D, hidden), torch.nn.Linear(hidden, n_out)
        self.M0 = torch.eye(N, D)  # (N, D) not a parameter, as in p18

    def forward(self, X):
        B, T, _ = X.shape
        c, N, D, h, d_k = self.core, self.N, self.D, self.h, self.d_k
        M = self.M0.expand(B, N, D)  # (B, N, D)
        X_row, X_gate = c.W_in(X), c.W_gate(X)  # (B, T, D), (B, T, 2D)
        heads = lambda t: t.reshape(B, t.shape[1], h, d_k).transpose(1, 2)  # noqa: E731
        for t in range(T):
            q, k, v = c.W_qkv(torch.cat([M, X_row[:, t : t + 1]], 1)).split(D, dim=2)  # (B, N+1, D) each
            att = torch.nn.functional.scaled_dot_product_attention(heads(q[:, :N]), heads(k), heads(v))
            M1 = c.norm1(M + att.transpose(1, 2).reshape(B, N, D))  # (B, N, D)
            Mt = c.norm2(M1 + c.mlp2(torch.relu(c.mlp1(M1))))  # (B, N, D)
            i, f = (X_gate[:, t : t + 1] + c.U_gate(torch.tanh(M))).split(D, dim=2)  # (B, N, D) each
            M = torch.sigmoid(i) * torch.tanh(Mt) + torch.sigmoid(f + 1.0) * M  # forget bias 1
        return self.fc2(torch.relu(self.fc1(M.reshape(B, -1))))  # (B, n_out)


def rmc(rng):
    B, T, d_in, n_out = 128, 8, 8, 8
    ours = p18.RMCClassifier(d_in, n_out, 4, 2, 16, 64, rng=rng)
    theirs = TorchRMC(d_in, n_out, 4, 2, 16, 64)
    x = rng.standard_normal((B, T, d_in)).astype(np.float32)  # (B, T, d_in)
    y = rng.integers(0, n_out, B)  # (B,)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def ours_loss():
        return nn.cross_entropy(ours(nn.Tensor(x)), y)

    def torch_loss():
        return torch.nn.functional.cross_entropy(theirs(tx), ty)

    return ours, theirs, ours_loss, torch_loss


MODELS = {
    "mlp": ("MLP 784-512-512-10, B=256", mlp),
    "lstm": ("LSTM H=256, T=64, B=32", lstm),
    "transformer": ("Transformer block D=256, 4 heads, T=128, B=16", transformer),
    "convnet": ("Conv net conv3x3(16)-pool-conv3x3(32)-pool-linear, 1x28x28, B=64", convnet),
    "rmc": ("Relational memory (paper 18): N=4, 2 heads of 16, T=8, B=128", rmc),
}


PAUSE = 0.02  # seconds


def bench(name: str, steps: int, warmup: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    ours, theirs, ours_loss, torch_loss = MODELS[name][1](rng)
    copy_into(ours, theirs)
    with torch.no_grad():  # the twins must compute the same loss, or the ratio means nothing
        gap = abs(ours_loss().item() - torch_loss().item())
    assert gap < 1e-3, f"{name}: ours and torch's losses differ by {gap}"
    opt = optim.Adam(ours.parameters(), lr=1e-4)
    topt = torch.optim.Adam(theirs.parameters(), lr=1e-4)

    def step_ours():
        opt.zero_grad()
        loss = ours_loss()
        loss.backward()
        opt.step()

    def step_torch():
        topt.zero_grad()
        loss = torch_loss()
        loss.backward()
        topt.step()

    t_ours, t_torch = [], []
    for i in range(warmup + steps):
        # A short pause, so neither step starts while the other's workers wind down.
        time.sleep(PAUSE)
        t0 = time.perf_counter()
        step_ours()
        t1 = time.perf_counter()
        time.sleep(PAUSE)
        t2 = time.perf_counter()
        step_torch()
        t3 = time.perf_counter()
        if i >= warmup:
            t_ours.append(t1 - t0)
            t_torch.append(t3 - t2)
    return statistics.median(t_ours) * 1e3, statistics.median(t_torch) * 1e3


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--only", choices=list(MODELS), action="append")
    ap.add_argument("--busy", action="store_true", help="run one CPU-bound process beside the benchmark")
    ap.add_argument("--threads", type=int, default=experiment.BLAS_THREADS, help="our BLAS threads")
    ap.add_argument("--torch-threads", type=int, help="torch's intra-op threads (default: torch's own)")
    args = ap.parse_args()
    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    with busy_neighbour(args.busy):
        print(
            f"# {cpu_name()}, {multiprocessing.cpu_count()} cores, numpy {np.__version__}, torch {torch.__version__}, "
            f"our BLAS threads {args.threads}, torch threads {torch.get_num_threads()}, "
            f"{'one busy neighbour' if args.busy else 'no neighbour'}"
        )
        print(f"{'model':<70} {'ours ms':>9} {'torch ms':>9} {'ratio':>6}")
        ratios = []
        for name in args.only or list(MODELS):
            with experiment.blas_threads(args.threads):
                ours_ms, torch_ms = bench(name, args.steps, args.warmup)
            ratios.append(ours_ms / torch_ms)
            print(f"{MODELS[name][0]:<70} {ours_ms:9.2f} {torch_ms:9.2f} {ours_ms / torch_ms:6.2f}", flush=True)
        print(f"{'geometric mean':<70} {'':>9} {'':>9} {statistics.geometric_mean(ratios):6.2f}")


if __name__ == "__main__":
    main()
