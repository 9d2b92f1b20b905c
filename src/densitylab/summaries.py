"""Summaries of sweep results: mean, spread and standard error over repeats; the near-best band.

These reduce a tidy sweep table to the numbers a claim rests on; the words built
from them live in the report layer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ID_COLUMNS", "describe_trend", "near_best", "summarize_sweep"]

#: Columns that identify a row of a sweep apart from ``repeat`` (used to summarise).
ID_COLUMNS = (
    "model",
    "param",
    "value",
    "n_train",
    "reference",
    "kernel",
    "bandwidth_name",
    "bandwidth",
)


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
    >>> from densitylab.summaries import summarize_sweep
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
    >>> from densitylab.summaries import describe_trend
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
    >>> from densitylab.summaries import near_best
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
