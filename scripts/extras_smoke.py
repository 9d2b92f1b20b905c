"""Check the optional dependencies at whatever versions are installed, every warning an error.

Run by ``make test-oldest`` (the lowest versions pyproject.toml allows) and by
tests/test_packaging.py (the locked ones). Usage: ``python scripts/extras_smoke.py [part ...]``
with parts ``tqdm``, ``distributed`` and ``report`` (default: all three).

* ``tqdm``: a runtime dependency (progress bars), plain and ``tqdm.auto``.
* ``distributed``: the ``[distributed]`` extra. A sweep run on a local Dask cluster
  (``run_sweep(..., scheduler=client)``, worker processes) equals the same sweep run with
  ``n_jobs=1``, bit for bit.
* ``report``: the ``[report]`` extra. ``myst_nb.glue`` of a value outside a notebook.
"""

from __future__ import annotations

import sys
import warnings

PARTS = ("tqdm", "distributed", "report")


def check_tqdm() -> str:
    import tqdm
    import tqdm.auto

    assert sum(tqdm.tqdm(range(5), disable=True)) == 10
    assert sum(tqdm.auto.tqdm(range(5), disable=True)) == 10
    return f"tqdm {tqdm.__version__}"


def _moons(n, random_state):
    import numpy as np
    from sklearn.datasets import make_moons

    seed = np.random.default_rng(random_state).integers(2**31)
    return make_moons(n, noise=0.1, random_state=np.random.RandomState(seed))[0]


def check_distributed() -> str:
    import dask
    import distributed
    import pandas as pd

    from densitylab.models import GMM
    from densitylab.seeding import make_training_sets
    from densitylab.sweeps import run_sweep

    sets = make_training_sets(_moons, [60, 120], 2, seed=3)
    X_test = _moons(200, 99)

    def sweep(n_jobs, scheduler=None):
        result = run_sweep(
            GMM(),
            "n_components",
            [1, 2, 3],
            sets,
            {"test": X_test},
            bandwidths={"test": {"median": 0.5}},
            n_generated=100,
            heldout=X_test,
            seed=1,
            n_jobs=n_jobs,
            progress=False,
            scheduler=scheduler,
        )
        return result.fits.drop(columns="fit_seconds"), result.mmd

    serial = sweep(1)
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as client:  # the documented call
        on_dask = sweep(None, scheduler=client)
    for expected, got in zip(serial, on_dask, strict=True):
        pd.testing.assert_frame_equal(expected, got, check_exact=True)
    return (
        f"dask {dask.__version__}, distributed {distributed.__version__}: {len(on_dask[1])} rows"
    )


def check_report() -> str:
    import myst_nb
    from myst_nb import glue

    glue("extras_smoke", 1.5, display=False)
    return f"myst-nb {myst_nb.__version__}"


def main(parts) -> None:
    warnings.simplefilter("error")
    for part in parts or PARTS:
        if part not in PARTS:
            raise SystemExit(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        print(f"extras_smoke: {globals()[f'check_{part}']()} ok", flush=True)


if __name__ == "__main__":  # the guard keeps Dask's spawned workers from rerunning the checks
    main(sys.argv[1:])
