"""Wall time of each paper's quick preset, as a learner runs it: ``sutskever30 run N``.

Each paper runs as its own process (start-up included), one after another, optionally with
one CPU-bound process beside it (``--busy``). Prints one line per paper: wall seconds,
CPU seconds, and whether every claim passed.

    python benchmarks/bench_papers.py                 # every built paper, idle
    python benchmarks/bench_papers.py --busy          # with one busy neighbour
    python benchmarks/bench_papers.py --papers 2,13 --threads 2   # OpenBLAS at 2 threads
    python benchmarks/bench_papers.py --keep runs/bench   # keep the runs, to compare their numbers
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from neighbour import busy_neighbour

from sutskever30 import registry


def run_one(number: int, seed: int, threads: int | None, out: str) -> tuple[float, float, int]:
    """(wall s, CPU s of the child, exit code) of one ``sutskever30 run``."""
    env = dict(os.environ)
    code = "import sys; from sutskever30 import cli, experiment; "
    if threads is not None:  # override the package's policy, to measure the alternative
        code += f"experiment.BLAS_THREADS = {threads}; "
    code += "sys.exit(cli.main(sys.argv[1:]))"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(number), "--seed", str(seed), "--out", out],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", help="comma-separated numbers (default: every built paper)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--busy", action="store_true", help="run one CPU-bound process beside each run")
    ap.add_argument("--threads", type=int, help="BLAS threads instead of the package's policy")
    ap.add_argument("--keep", help="keep each run's files in this folder (default: a temporary one)")
    args = ap.parse_args()
    numbers = [int(n) for n in args.papers.split(",")] if args.papers else registry.built()
    walls = []
    with busy_neighbour(args.busy):
        print(
            f"# quick preset, seed {args.seed}, {'one busy neighbour' if args.busy else 'no neighbour'}, "
            f"BLAS threads {args.threads or 'policy'}"
        )
        print(f"{'paper':>5} {'wall s':>8} {'cpu s':>8}  claims")
        with tempfile.TemporaryDirectory() as tmp:
            folder = args.keep or tmp
            for n in numbers:
                wall, cpu, rc = run_one(n, args.seed, args.threads, os.path.join(folder, str(n)))
                walls.append(wall)
                verdict = {0: "all passed", 1: "a claim failed"}.get(rc, f"exit {rc}")
                print(f"{n:>5} {wall:8.1f} {cpu:8.1f}  {verdict}", flush=True)
        print(f"median {statistics.median(walls):.1f} s, max {max(walls):.1f} s, total {sum(walls):.0f} s")


if __name__ == "__main__":
    main()
