"""Hyper-parameter sweeps with repeats, returned as tidy :class:`pandas.DataFrame`.

A sweep fits one estimator template at every value of one hyper-parameter on
every training set, draws a generated sample from each fit, and compares it
with one or more reference samples through the unbiased squared MMD, for each
kernel and bandwidth. Every task (one value on one training set) draws its
randomness from its own :class:`numpy.random.SeedSequence`, derived from the
master seed and the task's identity only (:func:`densitylab.seeding.task_seeds`), so

* any task can be recomputed alone (:func:`fit_and_sample`),
* results do not depend on the order of the grid or on ``n_jobs``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from densitylab import diagnostics
from densitylab._blas import single_blas_thread
from densitylab._validation import check_grid, check_scalar_param
from densitylab.mmd import combine_mean_kernels, mean_kernel
from densitylab.seeding import TrainingSet, task_seeds

__all__ = ["PROGRESS_ENV", "SWEEP_COLUMNS", "fit_and_sample", "run_sweep"]

#: Columns of :func:`run_sweep`'s result, in order (the agreed API, then additions).
SWEEP_COLUMNS = (
    "model",
    "param",
    "value",
    "n_train",
    "repeat",
    "reference",
    "kernel",
    "bandwidth",
    "mmd2",
    "heldout_loglik",
    "fit_seconds",
    "n_generated",
    # additions: share of held-out points with density exactly 0 (they make the
    # mean log-likelihood -inf), and the copy check (NaN unless requested).
    "heldout_zero_share",
    "copy_share",
    "copy_threshold",
    "copy_median_ratio",
)

# Environment override of the progress default: "1" forces progress lines, "0" silences them.
PROGRESS_ENV = "DENSITYLAB_PROGRESS"


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
    >>> from densitylab.sweeps import fit_and_sample
    >>> from densitylab.models import GMM
    >>> ts = TrainingSet(200, 0, sample_moons(200, random_state=0))
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


def _run_task(
    model,
    param,
    value,
    training_set,
    references,
    reference_means,
    bandwidths,
    kernels,
    n_generated,
    heldout,
    seed,
    copy,
):
    """One task of a sweep: fit, sample, score; a list of row dicts."""
    # The models' linear algebra works on tiny matrices (2×2 in 2-D), where BLAS threads
    # cost far more than they save (a 2×2 triangular solve took ~4 ms with 2 threads
    # against ~20 µs with 1); parallelism comes from the tasks. The MMD runs outside the
    # limit: it manages its own threads.
    with single_blas_thread():
        start = time.perf_counter()
        fitted, X_gen = fit_and_sample(
            model, param, value, training_set, n_generated=n_generated, seed=seed
        )
        fit_seconds = time.perf_counter() - start
        log_density = None if heldout is None else fitted.score_samples(heldout)
    base = {
        "model": type(model).__name__,
        "param": param,
        "value": value,
        "n_train": training_set.n_train,
        "repeat": training_set.repeat,
        "heldout_loglik": np.nan,
        "fit_seconds": fit_seconds,
        "n_generated": n_generated,
        "heldout_zero_share": np.nan,
        "copy_share": np.nan,
        "copy_threshold": np.nan,
        "copy_median_ratio": np.nan,
    }
    if heldout is not None:
        base["heldout_loglik"] = float(np.mean(log_density))
        base["heldout_zero_share"] = float(np.mean(np.isneginf(log_density)))
        if copy:
            result = diagnostics.copy_check(X_gen, training_set.X, heldout)
            base["copy_share"] = result.share
            base["copy_threshold"] = result.threshold
            base["copy_median_ratio"] = result.median_ratio
    rows = []
    # MMD²_u's within-sample means: the references' come precomputed (they are the same
    # for every task), the generated sample's are shared by references with equal h.
    generated_means = {}
    for ref_name, X_ref in references.items():
        for kernel in kernels:
            for h in bandwidths[ref_name]:
                if (kernel, h) not in generated_means:
                    generated_means[kernel, h] = mean_kernel(X_gen, kernel=kernel, bandwidth=h)
                mmd2 = combine_mean_kernels(
                    generated_means[kernel, h],
                    reference_means[ref_name, kernel, h],
                    mean_kernel(X_gen, X_ref, kernel=kernel, bandwidth=h),
                )
                rows.append(
                    base | {"reference": ref_name, "kernel": kernel, "bandwidth": h, "mmd2": mmd2}
                )
    return rows


def _interactive() -> bool:
    """Whether to print progress by default: a terminal, unless the environment says."""
    forced = os.environ.get(PROGRESS_ENV, "").strip()
    if forced in {"0", "1"}:
        return forced == "1"
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


def run_sweep(
    model,
    param: str,
    values,
    training_sets,
    references,
    *,
    bandwidths,
    kernels=("se", "imq"),
    n_generated: int,
    heldout=None,
    seed: int = 0,
    n_jobs=None,
    progress=None,
    copy_check: bool = False,
) -> pd.DataFrame:
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
        The grid, e.g. ``[1, 2, 3, 5, 8, 12]``.
    training_sets : sequence of TrainingSet
        Every value is fitted on each of them (every model of a study gets the
        same sets).
    references : mapping of str to ndarray
        Samples each generated sample is compared with, e.g. ``{"test": X_test}``.
    bandwidths : mapping of str to sequence of float
        MMD bandwidths per reference name, e.g. ``{"test": [h_med]}``.
    kernels : sequence of {"se", "imq"}, default=("se", "imq")
        MMD kernels.
    n_generated : int
        Size of each generated sample.
    heldout : ndarray or None, default=None
        Held-out sample for the mean log-likelihood column (NaN when None).
    seed : int, default=0
        Master seed. The task ``(model class, value, n_train, repeat)`` draws from
        ``derive_seed(seed, model class name, value, n_train, repeat)``: results are
        the same for every ``n_jobs`` and every order of ``values``.
    n_jobs : int or None, default=None
        Parallel workers (joblib); ``None`` means 1.
    progress : bool or None, default=None
        Print one progress line per finished task to standard error. ``None``:
        only when standard error is a terminal (so never in a papermill run or a
        book build); the environment variable ``DENSITYLAB_PROGRESS=0``/``1``
        overrides that default.
    copy_check : bool, default=False
        Also run :func:`densitylab.diagnostics.copy_check` of each generated sample
        against its training set and ``heldout`` (which must then be given).

    Returns
    -------
    pandas.DataFrame
        One row per value × training set × reference × kernel × bandwidth, with
        the columns of :data:`SWEEP_COLUMNS`: ``model`` (class name), ``param``,
        ``value``, ``n_train``, ``repeat``, ``reference``, ``kernel``,
        ``bandwidth``, ``mmd2``, ``heldout_loglik`` (mean held-out log density),
        ``fit_seconds`` (fit plus sampling, wall clock; the only column that
        varies between identical runs), ``n_generated``, ``heldout_zero_share``
        (share of held-out points at density 0), ``copy_share``,
        ``copy_threshold``, ``copy_median_ratio``.

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
    >>> df = run_sweep(GMM(), "n_components", [1, 3], sets, {"test": X_test},
    ...                bandwidths={"test": [0.5]}, n_generated=200, heldout=X_test)
    >>> len(df)  # 2 values x 2 training sets x 1 reference x 2 kernels x 1 bandwidth
    8
    """
    if not isinstance(param, str) or not param:
        raise ValueError(f"param must be the name of a hyper-parameter, got {param!r}.")
    if param not in model.get_params():
        raise ValueError(
            f"param={param!r} is not a hyper-parameter of {type(model).__name__}; "
            f"choose one of {sorted(model.get_params())}."
        )
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one hyper-parameter value.")
    training_sets = list(training_sets)
    if not training_sets or not all(isinstance(ts, TrainingSet) for ts in training_sets):
        raise ValueError("training_sets must be a non-empty sequence of TrainingSet.")
    if not isinstance(references, Mapping) or not references:
        raise ValueError("references must be a non-empty mapping of name to sample.")
    missing = [name for name in references if name not in bandwidths]
    if missing:
        raise ValueError(f"bandwidths has no entry for the references {missing}.")
    bandwidths = {
        name: check_grid(bandwidths[name], f"bandwidths[{name!r}]", minimum=0, exclusive=True)
        for name in references
    }
    kernels = tuple(kernels)
    unknown = [k for k in kernels if k not in ("se", "imq")]
    if not kernels or unknown:
        raise ValueError(
            f"kernels must be a non-empty selection of 'se' and 'imq', got {kernels}."
        )
    n_generated = check_scalar_param(n_generated, "n_generated", integer=True, minimum=2)
    check_scalar_param(seed, "seed", integer=True, minimum=0)
    if copy_check and heldout is None:
        raise ValueError("copy_check=True needs a heldout sample; pass heldout=X_heldout.")
    references = {name: np.asarray(X, dtype=np.float64) for name, X in references.items()}
    heldout = None if heldout is None else np.asarray(heldout, dtype=np.float64)
    show = _interactive() if progress is None else bool(progress)

    reference_means = {
        (name, kernel, h): mean_kernel(X_ref, kernel=kernel, bandwidth=h)
        for name, X_ref in references.items()
        for kernel in kernels
        for h in bandwidths[name]
    }
    tasks = [(value, ts) for value in values for ts in training_sets]
    # Largest training sets first, so the slowest tasks do not end the sweep on one
    # worker; rows are put back in grid order below. Seeds do not depend on the order.
    dispatch = sorted(range(len(tasks)), key=lambda i: -tasks[i][1].n_train)
    jobs = (
        delayed(_run_task)(
            model,
            param,
            tasks[i][0],
            tasks[i][1],
            references,
            reference_means,
            bandwidths,
            kernels,
            n_generated,
            heldout,
            seed,
            copy_check,
        )
        for i in dispatch
    )
    # return_as="generator" yields in submission order whatever the number of workers.
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    by_task = [None] * len(tasks)
    start = time.perf_counter()
    label = f"{type(model).__name__} {param}"
    for done, (i, task_rows) in enumerate(zip(dispatch, results, strict=True), start=1):
        by_task[i] = task_rows
        if show:
            elapsed = time.perf_counter() - start
            end = "\n" if done == len(tasks) else ""
            line = f"\r{label}: {done}/{len(tasks)} fits, {elapsed:.1f} s"
            print(line, end=end, file=sys.stderr, flush=True)
    rows = [row for task_rows in by_task for row in task_rows]
    return pd.DataFrame(rows, columns=list(SWEEP_COLUMNS))
