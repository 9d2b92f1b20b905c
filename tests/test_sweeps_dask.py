"""Sweeps on a Dask cluster: bit-identical to ``n_jobs=1``, and the data sent once.

The cluster is a ``distributed.LocalCluster`` started here (two single-threaded worker
processes on this machine); ``run_sweep(..., scheduler="local")`` starts its own.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from doubles import ShiftedGaussian, gaussian_sampler

from densitylab import _scheduler
from densitylab.data import sample_moons
from densitylab.models import GMM, DensityForest
from densitylab.seeding import TrainingSet, make_training_sets
from densitylab.sweeps import run_sweep

distributed = pytest.importorskip("distributed", reason="the [distributed] extra")

pytestmark = pytest.mark.slow  # starts worker processes


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=logging.ERROR,
    ) as cluster:
        yield cluster


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster, set_as_default=False) as client:
        yield client


def _moons_sweep(**kwargs):
    sets = make_training_sets(lambda n, rs: sample_moons(n, random_state=rs), [60, 120], 2, seed=5)
    X_test = sample_moons(400, random_state=9)
    return run_sweep(
        GMM(),
        "n_components",
        [1, 2, 4],
        sets,
        {"test": X_test},
        bandwidths={"test": {"median": 0.6, "wide": 1.5}},
        n_generated=300,
        heldout=X_test,
        seed=3,
        progress=False,
        copy_check=True,
        **kwargs,
    )


@pytest.fixture(scope="module")
def serial():
    return _moons_sweep(n_jobs=1)


def test_sweep_on_a_cluster_address_is_bit_identical_to_n_jobs_1(cluster, serial):
    # The documented call: the scheduler's address, as a notebook parameter would hold it.
    on_dask = _moons_sweep(scheduler=cluster.scheduler_address)
    assert serial.equals(on_dask)
    assert len(on_dask.fits) == 12 and len(on_dask.mmd) == 12 * 2 * 2


def test_sweep_on_a_client_is_bit_identical_and_runs_on_the_workers(client, serial):
    before = sum(client.run(lambda dask_worker: len(dask_worker.data)).values(), 0)
    assert before == 0
    assert serial.equals(_moons_sweep(scheduler=client))
    # The client stays open for the caller, and the workers ran the tasks.
    assert client.status == "running"
    executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
    assert sum(executed.values()) > 0


def test_sweeps_one_after_another_on_one_client(client, serial):
    # The same training sets scattered by sweep after sweep (as a study's five sweeps do)
    # must not share keys: the release of one sweep's copy once cancelled the next one's
    # tasks ("lost dependencies").
    for _ in range(4):
        assert serial.equals(_moons_sweep(scheduler=client))


def _executed(client) -> int:
    return sum(client.run(lambda dask_worker: dask_worker.state.executed_count).values())


def test_nested_joblib_calls_stay_inside_the_task(client, monkeypatch):
    # A forest grows its trees with joblib: on a Dask worker that must not become more
    # cluster tasks (it made forest sweeps 2-3 times slower); the results are the same.
    sets = make_training_sets(lambda n, rs: sample_moons(n, random_state=rs), [80], 2, seed=1)
    X_test = sample_moons(200, random_state=2)
    forest, values, refs = DensityForest(n_trees=4, n_jobs=2), [5, 10], {"test": X_test}
    options = {"bandwidths": {"test": {"h": 0.5}}, "n_generated": 100, "progress": False}
    serial = run_sweep(forest, "n_min", values, sets, refs, n_jobs=1, **options)
    submitted = []
    submit = client.submit

    def recording_submit(func, *args, **kwargs):
        submitted.append(func)
        return submit(func, *args, **kwargs)

    monkeypatch.setattr(client, "submit", recording_submit)
    before = _executed(client)
    on_dask = run_sweep(forest, "n_min", values, sets, refs, scheduler=client, **options)
    assert serial.equals(on_dask)
    assert submitted and _executed(client) - before == len(submitted)  # no task from a task


def test_local_scheduler_starts_and_closes_its_own_cluster(serial):
    assert serial.equals(_moons_sweep(scheduler="local", n_jobs=2))


def test_a_local_cluster_writes_nothing_to_stderr():
    # Start-up, the sweep and shut-down, in a fresh process whose workers share its stderr.
    code = textwrap.dedent(
        """
        from densitylab.data import sample_moons
        from densitylab.models import GMM
        from densitylab.seeding import make_training_sets
        from densitylab.sweeps import run_sweep

        if __name__ == "__main__":
            sets = make_training_sets(
                lambda n, rs: sample_moons(n, random_state=rs), [100], 2, seed=0
            )
            X = sample_moons(200, random_state=1)
            result = run_sweep(
                GMM(), "n_components", [1, 2], sets, {"test": X},
                bandwidths={"test": {"h": 0.5}}, n_generated=100, scheduler="local", n_jobs=2,
            )
            print(len(result.fits))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, DENSITYLAB_PROGRESS="0"),
    )
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "4", "")


def test_a_single_worker_cluster_gives_the_same_tables(serial):
    # One worker thread in all: joblib then runs the tasks in this process.
    assert serial.equals(_moons_sweep(scheduler="local", n_jobs=1))


def test_samples_are_scattered_once_and_tasks_stay_small(client, monkeypatch):
    # Large samples: sent with every task they would make each payload megabytes.
    rng = np.random.default_rng(0)
    X_heldout = rng.standard_normal((40_000, 2))
    sets = [
        TrainingSet(n, r, gaussian_sampler(n, rng), references={"own": rng.normal(size=(n, 2))})
        for n in (30, 60)
        for r in range(3)
    ]
    scattered, payloads = [], []
    scatter, submit = client.scatter, client.submit

    def recording_scatter(data, *args, **kwargs):
        scattered.append((data, kwargs))
        return scatter(data, *args, **kwargs)

    def recording_submit(func, *args, **kwargs):
        payloads.append(len(pickle.dumps((func, args, kwargs))))
        return submit(func, *args, **kwargs)

    monkeypatch.setattr(client, "scatter", recording_scatter)
    monkeypatch.setattr(client, "submit", recording_submit)
    result = run_sweep(
        ShiftedGaussian(),
        "shift",
        [0.0, 0.5, 1.0, 2.0],
        sets,
        {"test": X_heldout},
        bandwidths={"test": {"h": 1.0}, "own": {"h": 1.0}},
        kernels="se",
        n_generated=50,
        heldout=X_heldout,
        progress=False,
        scheduler=client,
    )
    assert len(result.fits) == 24
    # One scatter, to every worker, of the sweep's plan (with the 640 kB held-out sample)
    # and of every training set (with its own references)...
    assert len(scattered) == 1
    data, options = scattered[0]
    assert options.get("broadcast") is True and options.get("hash") is False
    assert [x for x in data if isinstance(x, TrainingSet)] == sets
    assert any(getattr(x, "heldout", None) is X_heldout for x in data)
    # ... and every task refers to them: its payload is a few kB, not 640 kB.
    assert payloads and max(payloads) < 20_000 < X_heldout.nbytes


def test_scheduler_values_are_checked_before_any_work():
    sets = make_training_sets(gaussian_sampler, [30], 1, seed=0)
    for bad in ("locl", 8786, "10.0.0.5:8786", object()):
        with pytest.raises(ValueError, match="scheduler must be None"):
            run_sweep(
                ShiftedGaussian(),
                "shift",
                [0.0],
                sets,
                {"test": sets[0].X},
                bandwidths={"test": {"h": 1.0}},
                n_generated=10,
                scheduler=bad,
            )


def test_a_missing_extra_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'densitylab\[distributed\]'"):
        _scheduler.check_scheduler("local")


def test_one_cluster_serves_several_sweeps_as_the_notebooks_use_it(serial):
    from densitylab.sweeps import cluster as open_cluster

    with open_cluster("local", 2) as where:
        assert isinstance(where, distributed.Client)
        first = _moons_sweep(scheduler=where)
        second = _moons_sweep(scheduler=where)
    assert where.status == "closed"
    assert serial.equals(first) and serial.equals(second)
    with open_cluster(None, 2) as where:
        assert where is None
