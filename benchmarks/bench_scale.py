"""Sweeps on Dask against joblib's processes: ``python -m benchmarks scale``.

The moons GMM sweep at the study's defaults: train sizes 100/200/500/1000 × 5 repeats,
K = 1/2/3/5/8/12 (120 fits), 2000 test and 2000 generated points, MMD² with SE and IMQ
at the median-heuristic bandwidth, held-out log-likelihood. Every run's tables equal
those of ``n_jobs=1`` bit for bit (checked).

* A running 2-worker ``distributed.LocalCluster`` (the client kept, as for several
  sweeps) against joblib's loky with ``n_jobs=2``: the cost of going through Dask.
* ``scheduler="local"``, which starts and closes a 2-worker cluster for the call,
  against loky with ``n_jobs=2``: that plus the cluster's start-up and shut-down.
* 2 workers against 1 on the running cluster: the speed-up (2 shared cores).

Timings are the best of two runs after a warm-up run (loky and the Dask workers start
their processes and import the package on their first tasks).
"""

from __future__ import annotations

import time

from benchmarks._timing import Figure, fmt_seconds
from densitylab._scheduler import local_cluster
from densitylab.data import sample_moons
from densitylab.mmd import median_heuristic
from densitylab.models import GMM
from densitylab.seeding import make_training_sets
from densitylab.sweeps import run_sweep

TRAIN_SIZES, REPEATS, N_TEST, N_GENERATED = [100, 200, 500, 1000], 5, 2000, 2000
COMPONENTS = [1, 2, 3, 5, 8, 12]


def _sweep_runner():
    sets = make_training_sets(
        lambda n, rs: sample_moons(n, noise=0.1, random_state=rs), TRAIN_SIZES, REPEATS, seed=0
    )
    X_test = sample_moons(N_TEST, noise=0.1, random_state=1)
    options = {
        "bandwidths": {"test": {"median": median_heuristic(X_test)}},
        "n_generated": N_GENERATED,
        "heldout": X_test,
        "progress": False,
    }

    def sweep(**kwargs):
        start = time.perf_counter()
        result = run_sweep(
            GMM(), "n_components", COMPONENTS, sets, {"test": X_test}, **options, **kwargs
        )
        return result, time.perf_counter() - start

    return sweep


def _best(sweep, reference, runs=2, **kwargs):
    """Best seconds of ``runs`` sweeps after a warm-up one; each must equal ``reference``."""
    seconds = []
    for _ in range(runs + 1):
        result, elapsed = sweep(**kwargs)
        assert result.equals(reference), f"results differ from n_jobs=1 with {kwargs}"
        seconds.append(elapsed)
    return min(seconds[1:])


def run() -> list[Figure]:
    import distributed  # the [distributed] extra

    sweep = _sweep_runner()
    reference, _ = sweep(n_jobs=1)
    loky = _best(sweep, reference, n_jobs=2)
    name = f"moons GMM sweep ({len(COMPONENTS) * len(TRAIN_SIZES) * REPEATS} fits)"
    timings = {}
    for n_workers in (1, 2):
        with (
            local_cluster(n_workers) as cluster,
            distributed.Client(cluster, set_as_default=False) as client,
        ):
            timings[n_workers] = _best(sweep, reference, scheduler=client)
    start = time.perf_counter()
    result, _ = sweep(scheduler="local", n_jobs=2)
    per_call = time.perf_counter() - start
    assert result.equals(reference)
    return [
        Figure(
            f"{name}, Dask LocalCluster 2 workers (running) vs loky n_jobs=2",
            fmt_seconds(timings[2]),
            f"{fmt_seconds(loky)} (loky)",
            loky / timings[2],
            "≥ 0.8 (overhead ≤ 25%)",
            loky / timings[2] >= 0.8,
        ),
        Figure(
            f'{name}, scheduler="local" (cluster started and closed) vs loky n_jobs=2',
            fmt_seconds(per_call),
            f"{fmt_seconds(loky)} (loky)",
            loky / per_call,
            "overhead < 15 s (start-up, shut-down)",
            per_call - loky < 15.0,
        ),
        Figure(
            f"{name}, Dask 2 workers vs 1 worker (speed-up)",
            fmt_seconds(timings[2]),
            f"{fmt_seconds(timings[1])} (1 worker)",
            timings[1] / timings[2],
            "≥ 1.3× (2 shared cores)",
            timings[1] / timings[2] >= 1.3,
        ),
    ]
