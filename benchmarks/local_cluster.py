"""Run one sutskever30 command against a fresh 2-worker Dask LocalCluster and print its wall
time (the cluster's start-up excluded): the "Dask cluster" rows of benchmarks/README.md.

    python benchmarks/local_cluster.py sutskever30 report --preset quick --seeds 0-3 --runs DIR
    python benchmarks/local_cluster.py sutskever30 run 22 --preset full

The scheduler's address is appended as ``--scheduler``. Needs the [cluster] extra.
"""

from __future__ import annotations

import subprocess
import sys
import time

if __name__ == "__main__":  # LocalCluster starts processes: the guard is required
    if len(sys.argv) < 2:
        sys.exit("usage: python benchmarks/local_cluster.py COMMAND [ARGS...]")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        t0 = time.perf_counter()
        rc = subprocess.run([*sys.argv[1:], "--scheduler", cluster.scheduler_address]).returncode
        print(f"wall {time.perf_counter() - t0:.1f} s, exit {rc}", flush=True)
    sys.exit(rc)
