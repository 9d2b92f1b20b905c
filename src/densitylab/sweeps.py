"""Hyper-parameter sweeps with repeats, returned as tidy :class:`pandas.DataFrame`.

A sweep fits one estimator template at every value of one hyper-parameter on
every training set, draws a generated sample from each fit, and compares it
with one or more reference samples through the unbiased squared MMD, for each
kernel and bandwidth. Every task (one value on one training set) draws its
randomness from its own :class:`numpy.random.SeedSequence`, derived from the
master seed and the task's identity only (:func:`densitylab.seeding.task_seeds`), so

* any task can be recomputed alone (:func:`fit_and_sample`),
* results do not depend on the order of the grid, on ``n_jobs`` or on where the tasks
  run (this machine's processes or a Dask cluster: ``scheduler``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, parallel_config
from sklearn.base import clone

from densitylab import diagnostics
from densitylab._blas import single_blas_thread
from densitylab._progress import PROGRESS_ENV, progress_bar
from densitylab._scheduler import check_scheduler, cluster, parallel_context
from densitylab._sweep_checks import (
    check_bandwidths,
    check_kernels,
    check_samples,
    check_values,
)
from densitylab._validation import check_scalar_param
from densitylab.mmd import combine_mean_kernels, mean_kernel
from densitylab.seeding import TrainingSet, derive_seed, task_seeds
from densitylab.sweep_result import FIT_COLUMNS, MMD_COLUMNS, SweepResult

__all__ = ["PROGRESS_ENV", "cluster", "fit_and_sample", "run_sweep"]


def fit_and_sample(model, param, value, training_set: TrainingSet, *, n_generated, seed):
    """Fit one sweep task and draw its generated sample, exactly as :func:`run_sweep` does.

    Parameters
    ----------
    model : estimator
        Template; it is cloned, never modified.
    param : str
        Hyper-parameter to set to ``value``.
    value : object
        The hyper-parameter's value.
    training_set : TrainingSet
        The data to fit.
    n_generated : int
        Size of the generated sample.
    seed : int
        Master seed of the sweep.

    Returns
    -------
    fitted_model : estimator
        The fitted clone (its ``random_state`` is the task's fit seed when the
        estimator has that parameter).
    X_generated : ndarray of shape (n_generated, n_features)

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.seeding import TrainingSet
    >>> ts = TrainingSet(200, 0, sample_moons(200, random_state=0))
    >>> from densitylab.models import GMM
    >>> from densitylab.sweeps import fit_and_sample
    >>> gmm, X_gen = fit_and_sample(GMM(), "n_components", 3, ts, n_generated=50, seed=0)
    >>> X_gen.shape
    (50, 2)
    """
    n_generated = check_scalar_param(n_generated, "n_generated", integer=True, minimum=1)
    fit_seed, sample_rng = task_seeds(
        seed, type(model).__name__, value, training_set.n_train, training_set.repeat
    )
    estimator = clone(model).set_params(**{param: value})
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=fit_seed)
    estimator.fit(training_set.X)
    return estimator, estimator.sample(n_generated, random_state=sample_rng)


def _fit_row(model, param, value, training_set, n_generated, fit_seconds):
    return {
        "model": type(model).__name__,
        "param": param,
        "value": value,
        "n_train": training_set.n_train,
        "repeat": training_set.repeat,
        "n_generated": n_generated,
        "heldout_loglik": np.nan,
        "heldout_zero_share": np.nan,
        "copy_share": np.nan,
        "copy_threshold": np.nan,
        "copy_median_ratio": np.nan,
        "ct_statistic": np.nan,
        "fit_seconds": fit_seconds,
    }


def _run_task(model, param, value, training_set, plan):
    """One task of a sweep: fit, sample, score. Returns (fit row, list of MMD² rows)."""
    # Joblib calls inside a task (a forest's trees, scikit-learn's neighbour searches) run
    # in the task, as in joblib's own workers: the parallelism comes from the tasks. On a
    # Dask worker joblib would otherwise send them back to the cluster as tiny tasks,
    # which made forest and KDE sweeps 2-3 times slower.
    with parallel_config(backend="sequential"):
        return _task_rows(model, param, value, training_set, plan)


def _task_rows(model, param, value, training_set, plan):
    # The models' linear algebra works on tiny matrices (2×2 in 2-D), where BLAS threads
    # cost far more than they save (a 2×2 triangular solve took ~4 ms with 2 threads
    # against ~20 µs with 1); parallelism comes from the tasks. The MMD runs outside the
    # limit: it manages its own threads.
    heldout = plan.heldout_of(training_set)
    with single_blas_thread():
        start = time.perf_counter()
        fitted, X_gen = fit_and_sample(
            model, param, value, training_set, n_generated=plan.n_generated, seed=plan.seed
        )
        fit_seconds = time.perf_counter() - start
        log_density = None if heldout is None else fitted.score_samples(heldout)
    fit = _fit_row(model, param, value, training_set, plan.n_generated, fit_seconds)
    if heldout is not None:
        fit["heldout_loglik"] = float(np.mean(log_density))
        fit["heldout_zero_share"] = float(np.mean(np.isneginf(log_density)))
        if plan.copy_check:
            copies = diagnostics.copy_check(X_gen, training_set.X, heldout)
            fit["copy_share"] = copies.share
            fit["copy_threshold"] = copies.threshold
            fit["copy_median_ratio"] = copies.median_ratio
            # k-means cells of C_T: a seed of their own, from the task's identity.
            cells_seed = derive_seed(
                plan.seed,
                "copying",
                fit["model"],
                value,
                training_set.n_train,
                training_set.repeat,
            )
            fit["ct_statistic"] = diagnostics.data_copying_test(
                X_gen, training_set.X, heldout, random_state=cells_seed
            ).statistic
    keys = {k: fit[k] for k in ("model", "param", "value", "n_train", "repeat")}
    rows = []
    # MMD²_u's within-sample means: the references' come precomputed (the same for every
    # task on a training set), the generated sample's are shared by references with equal h.
    generated_means = {}
    for ref_name, X_ref in plan.references_of(training_set).items():
        for kernel in plan.kernels:
            for h_name, h in plan.bandwidths[ref_name].items():
                if (kernel, h) not in generated_means:
                    generated_means[kernel, h] = mean_kernel(X_gen, kernel=kernel, bandwidth=h)
                mmd2 = combine_mean_kernels(
                    generated_means[kernel, h],
                    plan.reference_means[training_set.repeat, training_set.n_train][
                        ref_name, kernel, h
                    ],
                    mean_kernel(X_gen, X_ref, kernel=kernel, bandwidth=h),
                )
                rows.append(
                    keys
                    | {
                        "reference": ref_name,
                        "kernel": kernel,
                        "bandwidth_name": h_name,
                        "bandwidth": h,
                        "mmd2": mmd2,
                    }
                )
    return fit, rows


@dataclass(frozen=True)
class _SweepPlan:
    """Everything a task needs besides its value and training set (checked once)."""

    references: dict  # sweep-wide reference samples, by name
    bandwidths: dict  # reference name -> {bandwidth name: h}
    kernels: tuple
    n_generated: int
    heldout: np.ndarray | None
    seed: int
    copy_check: bool
    reference_means: dict  # (repeat, n_train) -> {(reference, kernel, h): within-sample mean}

    def references_of(self, training_set: TrainingSet) -> dict:
        return self.references | dict(training_set.references)

    def heldout_of(self, training_set: TrainingSet):
        return self.heldout if training_set.heldout is None else training_set.heldout


def run_sweep(
    model,
    param: str,
    values,
    training_sets,
    references=None,
    *,
    bandwidths,
    kernels=("se", "imq"),
    n_generated: int,
    heldout=None,
    seed: int = 0,
    n_jobs=None,
    progress=None,
    copy_check: bool = False,
    scheduler=None,
) -> SweepResult:
    """Fit, sample and score ``model`` at every value of ``param`` on every training set.

    Parameters
    ----------
    model : estimator
        Template with ``fit``, ``sample(n, random_state=)`` and ``score_samples``;
        cloned for every task with ``set_params(**{param: value})`` and, when it
        has one, a task-specific ``random_state``.
    param : str
        The hyper-parameter swept, e.g. ``"n_components"``.
    values : sequence
        The grid, e.g. ``[1, 2, 3, 5, 8, 12]``; each setting once.
    training_sets : sequence of TrainingSet
        Every value is fitted on each of them (every model of a study gets the
        same sets). A set's own ``references`` and ``heldout`` apply to its fits.
    references : mapping of str to ndarray, optional
        Samples every generated sample is compared with, e.g. ``{"test": X_test}``.
        May be omitted when every training set carries its own.
    bandwidths : mapping of str to mapping of str to float
        Named MMD bandwidths per reference, e.g. ``{"test": {"median": 0.82}}``.
    kernels : {"se", "imq"} or a sequence of them, default=("se", "imq")
        MMD kernels.
    n_generated : int
        Size of each generated sample, at least 2.
    heldout : ndarray or None, default=None
        Held-out sample for the log-likelihood and the copy checks (NaN when None and
        the training set carries none).
    seed : int, default=0
        Master seed. The task ``(model class, value, n_train, repeat)`` draws from
        ``derive_seed(seed, model class name, value, n_train, repeat)``: results are
        the same for every ``n_jobs`` and every order of ``values``.
    n_jobs : int or None, default=None
        Parallel workers on this machine (joblib); ``None`` means 1. With
        ``scheduler="local"``: the number of Dask workers (``None`` or -1: one per core).
        Ignored for other schedulers, whose clusters have their own workers.
    progress : bool or None, default=None
        Show a tqdm progress bar (``"{Model} {param}"``, one step per fit) on standard
        error, or as a widget in Jupyter. ``None``: only when standard error is a
        terminal (so never in a papermill run or a book build); the environment variable
        ``DENSITYLAB_PROGRESS=0``/``1`` overrides that default.
    copy_check : bool, default=False
        Also run the copy checks of :mod:`densitylab.diagnostics` on each generated
        sample against its training set and held-out sample (which must exist).
    scheduler : None, "local", str or distributed.Client, default=None
        Where the tasks run. ``None``: joblib's processes on this machine. Otherwise a
        Dask cluster, through joblib's Dask backend (``pip install
        'densitylab[distributed]'``): ``"local"`` starts a ``distributed.LocalCluster``
        for the call; an address such as ``"tcp://10.0.0.5:8786"`` connects to a running
        cluster; a ``distributed.Client`` is used as it is (one for several sweeps
        starts the cluster once). The samples go to every worker once, not with every
        task. Results are bit-identical to ``n_jobs=1`` in every case.

    Returns
    -------
    SweepResult
        ``fits``: one row per value × training set
        (:data:`~densitylab.sweep_result.FIT_COLUMNS`); ``mmd``: one row per fit ×
        reference × kernel × named bandwidth (:data:`~densitylab.sweep_result.MMD_COLUMNS`).
        Rows follow the grid order, then the order of ``training_sets``.
        ``fit_seconds`` is the only column that varies between identical runs.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.seeding import make_training_sets
    >>> from densitylab.sweeps import run_sweep
    >>> from densitylab.models import GMM
    >>> sets = make_training_sets(
    ...     lambda n, rs: sample_moons(n, random_state=rs), [100], 2, seed=0
    ... )
    >>> X_test = sample_moons(200, random_state=1)
    >>> result = run_sweep(GMM(), "n_components", [1, 3], sets, {"test": X_test},
    ...                    bandwidths={"test": {"median": 0.5}}, n_generated=200,
    ...                    heldout=X_test)
    >>> len(result.fits), len(result.mmd)  # 2 values x 2 sets; x 2 kernels
    (4, 8)

    The same sweep on a Dask cluster (here one started for the call) gives the same
    numbers, bit for bit:

    >>> on_dask = run_sweep(GMM(), "n_components", [1, 3], sets, {"test": X_test},
    ...                     bandwidths={"test": {"median": 0.5}}, n_generated=200,
    ...                     heldout=X_test, scheduler="local", n_jobs=2)  # doctest: +SKIP
    >>> on_dask.equals(result)  # doctest: +SKIP
    True
    """
    if not isinstance(param, str) or not param:
        raise ValueError(f"param must be the name of a hyper-parameter, got {param!r}.")
    if param not in model.get_params():
        raise ValueError(
            f"param={param!r} is not a hyper-parameter of {type(model).__name__}; "
            f"choose one of {sorted(model.get_params())}."
        )
    values = check_values(values)
    training_sets = list(training_sets)
    if not training_sets or not all(isinstance(ts, TrainingSet) for ts in training_sets):
        raise ValueError("training_sets must be a non-empty sequence of TrainingSet.")
    identities = [(ts.n_train, ts.repeat) for ts in training_sets]
    if len(set(identities)) != len(identities):
        raise ValueError("training_sets holds two sets with the same (n_train, repeat).")
    references = check_samples({} if references is None else references, "references")
    per_set = [check_samples(ts.references, "TrainingSet.references") for ts in training_sets]
    names = list(dict.fromkeys([*references, *(n for refs in per_set for n in refs)]))
    if any(not (references | refs) for refs in per_set):
        raise ValueError(
            "every fit needs a reference sample: pass references={'test': X_test} or give "
            "each TrainingSet its own references."
        )
    bandwidths = check_bandwidths(bandwidths, names)
    kernels = check_kernels(kernels)
    n_generated = check_scalar_param(n_generated, "n_generated", integer=True, minimum=2)
    seed = check_scalar_param(seed, "seed", integer=True, minimum=0)
    heldout = None if heldout is None else np.asarray(heldout, dtype=np.float64)
    if copy_check and any(heldout is None and ts.heldout is None for ts in training_sets):
        raise ValueError("copy_check=True needs a heldout sample; pass heldout=X_heldout.")
    scheduler = check_scheduler(scheduler)

    # The within-sample means of the references, per training set; a sample shared by all
    # sets (a sweep-wide reference) is computed once, not once per set.
    cache = {}

    def reference_mean(X_ref, kernel, h):
        if (id(X_ref), kernel, h) not in cache:
            cache[id(X_ref), kernel, h] = mean_kernel(X_ref, kernel=kernel, bandwidth=h)
        return cache[id(X_ref), kernel, h]

    reference_means = {
        (ts.repeat, ts.n_train): {
            (name, kernel, h): reference_mean(X_ref, kernel, h)
            for name, X_ref in (references | refs).items()
            for kernel in kernels
            for h in bandwidths[name].values()
        }
        for ts, refs in zip(training_sets, per_set, strict=True)
    }
    plan = _SweepPlan(
        references,
        bandwidths,
        kernels,
        n_generated,
        heldout,
        seed,
        bool(copy_check),
        reference_means,
    )
    tasks = [(value, ts) for value in values for ts in training_sets]
    # Largest training sets first, so the slowest tasks do not end the sweep on one
    # worker; rows are put back in grid order below. Seeds do not depend on the order.
    dispatch = sorted(range(len(tasks)), key=lambda i: -tasks[i][1].n_train)
    by_task = [None] * len(tasks)
    bar = progress_bar(len(tasks), f"{type(model).__name__} {param}", "fit", progress)
    # The plan and the training sets are every task's large arguments: on a Dask cluster
    # they go to every worker once, and tasks refer to them (``shared``).
    with parallel_context(scheduler, n_jobs, [plan, *training_sets]) as shared, bar:
        jobs = (
            delayed(_run_task)(model, param, value, shared(ts), shared(plan))
            for value, ts in (tasks[i] for i in dispatch)
        )
        # return_as="generator" yields in submission order whatever the number of workers.
        results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
        for i, task_result in zip(dispatch, results, strict=True):
            by_task[i] = task_result
            bar.update()
    fits = pd.DataFrame([fit for fit, _ in by_task], columns=list(FIT_COLUMNS))
    mmd = pd.DataFrame([row for _, rows in by_task for row in rows], columns=list(MMD_COLUMNS))
    return SweepResult(fits, mmd)
