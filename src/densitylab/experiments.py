"""Hyper-parameter sweeps with repeats, returned as tidy :class:`pandas.DataFrame`.

A sweep fits one estimator template at every value of one hyper-parameter on
every training set, draws a generated sample from each fit, and compares it
with one or more reference samples through the unbiased squared MMD, for each
kernel and bandwidth. Every task (one value on one training set) draws its
randomness from its own :class:`numpy.random.SeedSequence`, derived from the
master seed and the task's identity only, so

* any task can be recomputed alone (:func:`fit_and_sample`),
* results do not depend on the order of the grid or on ``n_jobs``.

The module also holds the parameter checks the notebooks run before any
computation (:func:`check_grid`, :func:`check_scalar_param`) and
:func:`summarize_sweep`, which reduces the repeats to mean, standard deviation
and standard error.
"""

from __future__ import annotations

import ast
import hashlib
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from densitylab import diagnostics
from densitylab.mmd import combine_mean_kernels, mean_kernel
from densitylab.models._base import single_blas_thread

__all__ = [
    "TrainingSet",
    "check_grid",
    "check_scalar_param",
    "derive_seed",
    "describe_trend",
    "fit_and_sample",
    "from_text",
    "make_training_sets",
    "near_best",
    "run_sweep",
    "summarize_sweep",
]

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

#: Columns that identify a row of a sweep apart from ``repeat`` (used to summarise).
ID_COLUMNS = ("model", "param", "value", "n_train", "reference", "kernel", "bandwidth")

# Environment override of the progress default: "1" forces progress lines, "0" silences them.
PROGRESS_ENV = "DENSITYLAB_PROGRESS"


@dataclass(frozen=True)
class TrainingSet:
    """One training sample of a sweep: its size, its repeat index and the data.

    Every model of a study is fitted on the same sequence of training sets, so
    differences between models are not differences between data.
    """

    n_train: int
    repeat: int
    X: np.ndarray


# ---------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------


def _canonical(part) -> str:
    """A stable text form of one seed-key part (equal values give equal text).

    ``5``, ``np.int64(5)`` and ``5.0`` map to the same text, so a grid held as
    floats and one held as ints seed identically; strings are tagged so that the
    string ``"5"`` does not collide with the number 5.
    """
    if isinstance(part, bool | np.bool_):
        return f"b:{bool(part)}"
    if isinstance(part, numbers.Integral):
        return f"n:{int(part)}"
    if isinstance(part, numbers.Real):
        value = float(part)
        return f"n:{int(value)}" if value.is_integer() else f"n:{value!r}"
    if part is None:
        return "none"
    return f"s:{part}"


def derive_seed(seed, *key) -> np.random.SeedSequence:
    """The :class:`~numpy.random.SeedSequence` of one named piece of a study.

    The entropy is the master ``seed`` followed by a SHA-256 digest of ``key``,
    so the stream of, say, ``("train", 500, 3)`` is the same whatever else the
    study computes and in whatever order.

    Parameters
    ----------
    seed : int
        Master seed, a non-negative integer.
    *key : str, int or float
        Identity of the piece, e.g. ``"test"`` or ``("GMM", 5, 1000, 2)``.

    Returns
    -------
    numpy.random.SeedSequence

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.experiments import derive_seed
    >>> a = np.random.default_rng(derive_seed(0, "train", 100, 0)).random()
    >>> b = np.random.default_rng(derive_seed(0, "train", 100, 0)).random()
    >>> a == b
    True
    """
    seed = check_scalar_param(seed, "seed", integer=True, minimum=0)
    text = "\x1f".join(_canonical(part) for part in key).encode()
    digest = hashlib.sha256(text).digest()
    words = np.frombuffer(digest, dtype="<u4").tolist()
    return np.random.SeedSequence([seed, *words])


def _task_seeds(seed, model_name: str, value, n_train: int, repeat: int):
    """Fit seed (int, for ``random_state``) and sampling generator of one task."""
    fit_ss, sample_ss = derive_seed(seed, model_name, value, n_train, repeat).spawn(2)
    return int(fit_ss.generate_state(1)[0]), np.random.default_rng(sample_ss)


# ---------------------------------------------------------------------------
# Parameter checks
# ---------------------------------------------------------------------------


def check_scalar_param(value, name: str, *, integer=False, minimum=None, exclusive=False):
    """Check one scalar parameter; raise a :class:`ValueError` that names it.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The parameter's name, quoted in the error.
    integer : bool, default=False
        Require an integer (booleans are rejected); otherwise any finite real.
    minimum : float or None, default=None
        Lower bound.
    exclusive : bool, default=False
        Whether the bound itself is excluded (``value > minimum``).

    Returns
    -------
    int or float
        The value as a Python ``int`` or ``float``.

    Examples
    --------
    >>> from densitylab.experiments import check_scalar_param
    >>> check_scalar_param(2000, "n_test", integer=True, minimum=2)
    2000
    >>> check_scalar_param(1, "n_test", integer=True, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: n_test must be an integer >= 2, got 1.
    """
    kind = "an integer" if integer else "a number"
    bound = "" if minimum is None else f" {'>' if exclusive else '>='} {minimum}"
    message = f"{name} must be {kind}{bound}, got {value!r}."
    wanted = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool | np.bool_) or not isinstance(value, wanted):
        raise ValueError(message)
    value = int(value) if integer else float(value)
    if not math.isfinite(value):
        raise ValueError(message)
    if minimum is not None and (value <= minimum if exclusive else value < minimum):
        raise ValueError(message)
    return value


def from_text(value, name: str):
    """Read a parameter given as text (``papermill -p name "[1, 2]"``) as a Python literal.

    Non-strings are returned unchanged, so a notebook can pass every parameter
    through it before checking.

    Examples
    --------
    >>> from densitylab.experiments import from_text
    >>> from_text("[100, 200]", "train_sizes"), from_text([100], "train_sizes")
    ([100, 200], [100])
    """
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(
            f"{name} must be a Python literal such as [1, 2], got {value!r}."
        ) from None


def check_grid(values, name: str, *, integer=False, minimum=None, exclusive=False) -> list:
    """Check a parameter grid: a non-empty sequence of distinct valid scalars.

    Parameters
    ----------
    values : sequence
        The grid (a list, tuple or 1-D array).
    name : str
        The parameter's name, quoted in every error.
    integer, minimum, exclusive
        As in :func:`check_scalar_param`, applied to each entry.

    Returns
    -------
    list
        The grid as a list of Python ``int`` or ``float``, order kept.

    Raises
    ------
    ValueError
        If the grid is not a sequence, is empty, holds an invalid entry or holds a
        value twice; the message names the parameter.

    Examples
    --------
    >>> from densitylab.experiments import check_grid
    >>> check_grid([0.05, 0.1], "kde_bandwidths", minimum=0, exclusive=True)
    [0.05, 0.1]
    >>> check_grid([], "hist_bins", integer=True, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: hist_bins must be a non-empty list of values, got [].
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(f"{name} must be a non-empty list of values, got {values!r}.")
    if len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list of values, got {list(values)!r}.")
    checked = []
    for entry in values:
        try:
            checked.append(
                check_scalar_param(
                    entry, name, integer=integer, minimum=minimum, exclusive=exclusive
                )
            )
        except ValueError:
            kind = "integers" if integer else "numbers"
            bound = "" if minimum is None else f" {'>' if exclusive else '>='} {minimum}"
            raise ValueError(
                f"every entry of {name} must be one of the {kind}{bound}; "
                f"{entry!r} in {list(values)!r} is not."
            ) from None
    if len(set(checked)) != len(checked):
        raise ValueError(f"{name} holds a value twice: {list(values)!r}; list each value once.")
    return checked


# ---------------------------------------------------------------------------
# Training sets, one task, the sweep
# ---------------------------------------------------------------------------


def make_training_sets(
    sampler: Callable, train_sizes, repeats: int, *, seed: int
) -> list[TrainingSet]:
    """Draw independent training sets for every train size × repeat.

    Parameters
    ----------
    sampler : callable
        ``sampler(n, random_state)`` returning an ``(n, n_features)`` array, e.g.
        ``lambda n, rs: sample_moons(n, noise=0.1, random_state=rs)``.
    train_sizes : sequence of int
        Training set sizes.
    repeats : int
        Independent training sets per size.
    seed : int
        Master seed; the set ``(n, r)`` is drawn from
        ``derive_seed(seed, "train", n, r)`` and so does not change when other
        sizes or repeats are added.

    Returns
    -------
    list of TrainingSet
        Ordered by size, then repeat.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.experiments import make_training_sets
    >>> sets = make_training_sets(
    ...     lambda n, rs: sample_moons(n, random_state=rs), [100, 200], 2, seed=0
    ... )
    >>> [(s.n_train, s.repeat, s.X.shape) for s in sets][:2]
    [(100, 0, (100, 2)), (100, 1, (100, 2))]
    """
    sizes = check_grid(train_sizes, "train_sizes", integer=True, minimum=2)
    repeats = check_scalar_param(repeats, "repeats", integer=True, minimum=1)
    return [
        TrainingSet(n, r, np.asarray(sampler(n, derive_seed(seed, "train", n, r))))
        for n in sizes
        for r in range(repeats)
    ]


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
    >>> from densitylab.experiments import TrainingSet, fit_and_sample
    >>> from densitylab.models import GMM
    >>> ts = TrainingSet(200, 0, sample_moons(200, random_state=0))
    >>> gmm, X_gen = fit_and_sample(GMM(), "n_components", 3, ts, n_generated=50, seed=0)
    >>> X_gen.shape
    (50, 2)
    """
    n_generated = check_scalar_param(n_generated, "n_generated", integer=True, minimum=1)
    fit_seed, sample_rng = _task_seeds(
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
    >>> from densitylab.experiments import make_training_sets, run_sweep
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


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------


def summarize_sweep(results: pd.DataFrame, columns=("mmd2",), by=None) -> pd.DataFrame:
    """Mean, standard deviation and standard error of ``columns`` over repeats.

    Parameters
    ----------
    results : pandas.DataFrame
        A sweep result (or several concatenated).
    columns : sequence of str, default=("mmd2",)
        Numeric columns to summarise.
    by : sequence of str or None, default=None
        Grouping columns; default: those of :data:`ID_COLUMNS` present in
        ``results`` (everything that identifies a row except ``repeat``).

    Returns
    -------
    pandas.DataFrame
        One row per group with ``<column>_mean``, ``<column>_std`` (sample
        standard deviation, ddof=1; NaN for a single repeat or non-finite
        values), ``<column>_se`` (``std / sqrt(count)``) and ``n_repeats``.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.experiments import summarize_sweep
    >>> df = pd.DataFrame({"model": ["A"] * 3, "value": [1] * 3, "mmd2": [1.0, 2.0, 3.0]})
    >>> summarize_sweep(df, by=["model", "value"])[["mmd2_mean", "mmd2_std", "n_repeats"]]
       mmd2_mean  mmd2_std  n_repeats
    0        2.0       1.0          3
    """
    by = [c for c in ID_COLUMNS if c in results.columns] if by is None else list(by)
    columns = list(columns)
    if not columns:
        raise ValueError("columns must name at least one column to summarise.")
    absent = [c for c in by + columns if c not in results.columns]
    if absent:
        raise ValueError(f"results has no column {absent}; it has {list(results.columns)}.")
    groups = results.groupby(by, sort=True, dropna=False)
    out = groups.size().rename("n_repeats").to_frame()
    for column in columns:
        out[f"{column}_mean"] = groups[column].mean()
        # The spread of non-finite values (e.g. a log-likelihood of -inf) is undefined.
        finite = groups[column].apply(lambda s: bool(np.isfinite(s.to_numpy(float)).all()))
        std = groups[column].std(ddof=1).where(finite)
        out[f"{column}_std"] = std
        out[f"{column}_se"] = std / np.sqrt(out["n_repeats"])
    ordered = [f"{c}_{stat}" for c in columns for stat in ("mean", "std", "se")] + ["n_repeats"]
    return out[ordered].reset_index()


# ---------------------------------------------------------------------------
# Words for computed claims
# ---------------------------------------------------------------------------


def describe_trend(x, y, labels=None) -> str:
    """Describe how ``y`` changes along the grid ``x``, in words a sentence can use.

    Parameters
    ----------
    x : sequence of float
        The grid, in increasing order.
    y : sequence of float
        The values (e.g. mean MMD² per grid value), same length, finite.
    labels : sequence of str, optional
        How each grid value reads in the text (e.g. ``"K = 5"``); default ``f"{x:g}"``.

    Returns
    -------
    str
        ``"rises at every step"``, ``"falls at every step"``,
        ``"falls until <x>, then rises"``, ``"rises until <x>, then falls"``,
        ``"stays level"`` or ``"changes direction <k> times"`` (a step of exactly 0
        keeps the current direction).

    Examples
    --------
    >>> from densitylab.experiments import describe_trend
    >>> describe_trend([10, 20, 30, 50], [0.05, 0.01, 0.02, 0.04])
    'falls until 20, then rises'
    >>> describe_trend([0.05, 0.1, 0.2], [0.001, 0.004, 0.02])
    'rises at every step'
    >>> describe_trend([1, 2, 3], [3.0, 1.0, 2.0], labels=["K = 1", "K = 2", "K = 3"])
    'falls until K = 2, then rises'
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError("x and y must be 1-D of the same length, at least 2.")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise ValueError("x and y must be finite to describe a trend.")
    if np.any(np.diff(x) <= 0):
        raise ValueError("x must be strictly increasing.")
    labels = [f"{v:g}" for v in x] if labels is None else [str(label) for label in labels]
    if len(labels) != x.size:
        raise ValueError("labels must have one entry per grid value.")
    signs = np.sign(np.diff(y))
    if not signs.any():
        return "stays level"
    # A zero step keeps the direction of the last non-zero one (or the first, at the start).
    nonzero = signs[signs != 0]
    signs = np.where(signs == 0, np.nan, signs)
    filled = pd.Series(signs).ffill().fillna(nonzero[0]).to_numpy()
    turns = np.flatnonzero(np.diff(filled) != 0)
    if turns.size == 0:
        return "rises at every step" if filled[0] > 0 else "falls at every step"
    if turns.size == 1:
        turn = labels[turns[0] + 1]
        if filled[0] < 0:
            return f"falls until {turn}, then rises"
        return f"rises until {turn}, then falls"
    return f"changes direction {turns.size} times"


def near_best(values, means, ses, *, minimize=True, n_se=2.0) -> list:
    """Grid values whose mean is within ``n_se`` standard errors of the best mean.

    The difference to the best is compared with ``n_se · sqrt(se_i² + se_best²)``,
    the standard error of a difference of two independent means; values inside
    that band are not distinguishable from the best by these repeats.

    Parameters
    ----------
    values : sequence
        Grid values.
    means, ses : sequence of float
        Mean and standard error of the criterion at each value.
    minimize : bool, default=True
        Whether the best mean is the smallest (MMD²) or the largest (log-likelihood).
    n_se : float, default=2.0
        Width of the band in standard errors.

    Returns
    -------
    list
        The values within the band, in grid order (the best is always included).
        With a NaN standard error (one repeat), only the best.

    Examples
    --------
    >>> from densitylab.experiments import near_best
    >>> near_best([1, 2, 3], [0.10, 0.02, 0.025], [0.01, 0.002, 0.002])
    [2, 3]
    """
    values = list(values)
    means = np.asarray(means, dtype=np.float64)
    ses = np.asarray(ses, dtype=np.float64)
    if not (len(values) == means.size == ses.size) or not values:
        raise ValueError("values, means and ses must be non-empty and of the same length.")
    scores = means if minimize else -means
    if not np.isfinite(scores).any():
        raise ValueError("no finite mean: there is no best value.")
    scores = np.where(np.isfinite(scores), scores, np.inf)
    best = int(np.argmin(scores))
    band = n_se * np.sqrt(ses**2 + ses[best] ** 2)
    keep = scores - scores[best] <= np.where(np.isfinite(band), band, 0.0)
    keep[best] = True
    return [v for v, k in zip(values, keep, strict=True) if k]
