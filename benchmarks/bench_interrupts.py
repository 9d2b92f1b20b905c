"""Ctrl-C latency of long computations: ``python -m benchmarks interrupts``.

Each computation runs in its own process group and would take a minute or more; once
its main work is under way (the process says so when the first kernel tile, the
permutations or the first sweep task start) it gets SIGINT, as from Ctrl-C in a
terminal, 0.5 s later. The
figure is the time from the signal to the KeyboardInterrupt caught in the process;
the interpreter's own exit comes after (shown beside it). Before issue 12 a threaded
MMD² of 60k × 60k points first summed all its remaining tiles, and the permutation
test drew all its relabellings in one call (seconds to tens of seconds).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from benchmarks._timing import Figure

TARGET = 1.0  # seconds

PRELUDE = """
def announce_first_call(function):
    said = []
    def wrapper(*args, **kwargs):
        if not said:
            said.append(True)
            print("running", flush=True)
        return function(*args, **kwargs)
    return wrapper
"""

CASES = {
    "mmd2_unbiased 60k × 60k, n_jobs=2 (threads)": """
        import numpy as np
        from densitylab.mmd import _tiles, mmd2_unbiased
        _tiles._tile_sum = announce_first_call(_tiles._tile_sum)
        rng = np.random.default_rng(0)
        X, Y = rng.normal(size=(60_000, 2)), rng.normal(size=(60_000, 2))
        call = lambda: mmd2_unbiased(X, Y, bandwidth=1.0, n_jobs=2)
    """,
    "mmd_permutation_test 6000 + 6000, 4000 permutations": """
        import numpy as np
        from densitylab.mmd import _permutation, mmd_permutation_test
        _permutation.as_generator = announce_first_call(_permutation.as_generator)
        rng = np.random.default_rng(0)
        X, Y = rng.normal(size=(6000, 2)), rng.normal(size=(6000, 2))
        call = lambda: mmd_permutation_test(X, Y, bandwidth=1.0, n_permutations=4000)
    """,
}
SWEEP = """
    from densitylab import sweeps
    from densitylab.data import sample_moons
    from densitylab.models import GaussianKDE
    from densitylab.seeding import make_training_sets
    sweeps._run_task = announce_first_call(sweeps._run_task)
    sets = make_training_sets(lambda n, rs: sample_moons(n, random_state=rs), [500], 8, seed=0)
    X_test = sample_moons(20_000, random_state=1)
    call = lambda: sweeps.run_sweep(
        GaussianKDE(), "bandwidth", [0.05, 0.1, 0.2, 0.3], sets, {{"test": X_test}},
        bandwidths={{"test": {{"h": 0.5}}}}, n_generated=20_000, n_jobs={n_jobs}, progress=False
    )
"""
for _n_jobs in (1, 2):
    CASES[f"run_sweep, KDE, 20k generated and test points, n_jobs={_n_jobs}"] = SWEEP.format(
        n_jobs=_n_jobs
    )

RUN = """
try:
    call()
except KeyboardInterrupt:
    print("interrupted", flush=True)
    raise
"""


def interrupt_latency(setup: str) -> tuple[float, float]:
    """Seconds from SIGINT to the caught KeyboardInterrupt, and to the end of the process."""
    code = PRELUDE + textwrap.dedent(setup) + RUN
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout.readline().strip() == "running"
        time.sleep(0.5)
        sent = time.perf_counter()
        os.killpg(proc.pid, signal.SIGINT)
        caught = float("inf")
        for line in proc.stdout:
            if line.startswith("interrupted"):
                caught = time.perf_counter() - sent
                break
        proc.wait(timeout=300)
        return caught, time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run() -> list[Figure]:
    figures = []
    for name, setup in CASES.items():
        caught, exited = interrupt_latency(setup)
        figures.append(
            Figure(
                f"Ctrl-C during {name}",
                f"{caught:.2f} s (process ended after {exited:.2f} s)",
                f"{TARGET:.0f} s (target)",
                TARGET / max(caught, 0.01),  # timing resolution: 0.01 s
                f"< {TARGET:.0f} s (ratio = target / ours)",
                caught < TARGET,
            )
        )
    return figures
