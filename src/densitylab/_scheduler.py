"""Where a sweep's tasks run: joblib's own worker processes, or a Dask cluster.

Dask is an optional extra (``pip install 'densitylab[distributed]'``), imported only
when a scheduler is asked for, so the default install stays lean. Tasks reach the
cluster through joblib's Dask backend; the samples every task reads (training sets,
references, held-out data) are scattered to every worker once, before the first
task, so a task carries only its own few parameters.
"""

from __future__ import annotations

import contextlib
import logging
import numbers
import sys

import joblib

__all__ = ["check_scheduler", "cluster", "local_cluster", "parallel_context"]

_EXTRA = "pip install 'densitylab[distributed]'"


def _distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(
            f"Running on a Dask cluster needs Dask's distributed scheduler: {_EXTRA}"
        ) from exc
    return distributed


def check_scheduler(scheduler):
    """``None``, ``"local"``, a scheduler address such as ``"tcp://10.0.0.5:8786"``, or a
    :class:`distributed.Client`; anything else is a ValueError naming ``scheduler``."""
    if scheduler is None:
        return None
    if isinstance(scheduler, str):
        if scheduler == "local" or "://" in scheduler:
            _distributed()  # a missing extra is reported before any work is done
            return scheduler
    # A Client exists only where distributed was imported (no import for a wrong value).
    elif "distributed" in sys.modules and isinstance(scheduler, sys.modules["distributed"].Client):
        return scheduler
    raise ValueError(
        "scheduler must be None (joblib's processes on this machine), 'local' (a Dask "
        "LocalCluster started for the call), a Dask scheduler address such as "
        f"'tcp://10.0.0.5:8786', or a distributed.Client; got {scheduler!r}."
    )


def _local_workers(n_jobs) -> int:
    """Workers of a LocalCluster: ``n_jobs``, or every core for ``None`` and ``-1``."""
    if n_jobs is None or n_jobs == -1:
        return joblib.cpu_count()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs < 1:
        raise ValueError(f"n_jobs must be None, -1 or an integer >= 1, got {n_jobs!r}.")
    return int(n_jobs)


def local_cluster(n_workers: int):
    """A ``distributed.LocalCluster`` as ``scheduler="local"`` starts it, on this machine."""
    return _distributed().LocalCluster(
        n_workers=n_workers,
        # One thread per worker process, as joblib's processes: the tasks hold the GIL
        # in their Python parts, and BLAS stays on one thread too.
        threads_per_worker=1,
        processes=True,
        # No dashboard; the scheduler's small HTTP server (health, metrics) on a free
        # loopback port, not on 8787, which another cluster may hold (that would warn).
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        # Only critical log records: a worker's heartbeat that meets the closing scheduler
        # logs an ERROR with a traceback, which would reach stderr (and a notebook) after
        # every sweep. A task's own error still reaches the caller, as an exception.
        silence_logs=logging.CRITICAL,
    )


@contextlib.contextmanager
def parallel_context(scheduler, n_jobs, shared):
    """Run the ``joblib.Parallel`` calls inside on ``scheduler`` (see :func:`check_scheduler`).

    Yields ``share``: ``share(obj)`` is what a task should receive for one of the objects
    in ``shared`` (the large arguments of many tasks). Without a scheduler it is ``obj``
    itself. With one, the ``shared`` objects are sent to every worker once and ``share``
    gives their futures, which Dask resolves on the workers (unless the cluster has a
    single worker thread, when joblib runs the tasks here). ``"local"`` starts a LocalCluster
    of :func:`_local_workers` single-threaded worker processes and closes it on exit; an
    address connects a client, closed on exit; a given Client is used as it is and left
    open.
    """
    if scheduler is None:
        yield lambda obj: obj
        return
    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        if isinstance(scheduler, distributed.Client):
            client = scheduler
        elif scheduler == "local":
            cluster = stack.enter_context(local_cluster(_local_workers(n_jobs)))
            client = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        else:
            client = stack.enter_context(distributed.Client(scheduler, set_as_default=False))
        stack.enter_context(joblib.parallel_config(backend="dask", client=client))
        if joblib.effective_n_jobs(-1) == 1:
            # A cluster of a single worker thread: joblib runs the tasks in this process
            # (as for n_jobs=1), where they need the objects themselves.
            yield lambda obj: obj
            return
        # hash=False: keys of their own. Content-hashed keys are shared by consecutive
        # sweeps over the same training sets, and the release of the last sweep's copy
        # could then cancel this sweep's tasks ("lost dependencies", as seen here; see
        # also dask/distributed#3703, which joblib's own scatter avoids likewise).
        futures = client.scatter(list(shared), broadcast=True, hash=False)
        by_id = {id(obj): future for obj, future in zip(shared, futures, strict=True)}
        yield lambda obj: by_id.get(id(obj), obj)


@contextlib.contextmanager
def cluster(scheduler, n_jobs=None):
    """One cluster for several sweeps: yields what to pass to them as ``scheduler``.

    ``None`` yields ``None`` (joblib's processes). ``"local"`` starts one LocalCluster
    and an address connects one client, for the whole block, and yield that
    ``distributed.Client`` (closed on exit); a given Client is yielded as it is.

    Examples
    --------
    >>> from densitylab.sweeps import cluster
    >>> with cluster(None) as scheduler:  # no Dask: the sweeps run on joblib's processes
    ...     print(scheduler)
    None
    """
    scheduler = check_scheduler(scheduler)
    if scheduler is None or not isinstance(scheduler, str):
        yield scheduler
        return
    distributed = _distributed()
    with contextlib.ExitStack() as stack:
        if scheduler == "local":
            target = stack.enter_context(local_cluster(_local_workers(n_jobs)))
        else:
            target = scheduler
        yield stack.enter_context(distributed.Client(target, set_as_default=False))
