"""Comparisons that respect the noise: which settings of a sweep can be told apart?

Every model of a study is fitted on the same training sets and judged against the
same reference sample, so two settings are compared *paired*, repeat by repeat: the
differences ``d_r = a_r − b_r`` cancel what the two share (the training set, the
reference) and keep what differs. :func:`paired_difference` gives the mean
difference with its t-interval; :func:`rank_settings` finds the best setting of a
sweep and every setting that its repeats cannot separate from it.

A sentence of the report that ranks two settings rests on one of these intervals
(or on :func:`densitylab.mmd.relative_mmd_test` when there are no repeats); when the
interval holds 0, the report says the two tie.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["PairedComparison", "SettingRanking", "paired_difference", "rank_settings"]


class PairedComparison(NamedTuple):
    """The mean of paired differences ``a − b`` with its t-interval.

    Attributes
    ----------
    mean : float
        Mean difference over the pairs.
    se : float
        Its standard error (NaN with fewer than two pairs).
    low, high : float
        The two-sided t-interval at the requested confidence.
    p_value : float
        Two-sided p-value of "the mean difference is 0" (paired t-test).
    n_pairs : int
        Number of pairs.
    """

    mean: float
    se: float
    low: float
    high: float
    p_value: float
    n_pairs: int

    @property
    def separates(self) -> bool:
        """Whether the interval excludes 0 (an undefined interval never does)."""
        return bool(self.low > 0 or self.high < 0)


def paired_difference(a, b, *, confidence=0.95) -> PairedComparison:
    """Mean and t-interval of the paired differences ``a − b``.

    Parameters
    ----------
    a, b : array-like of shape (n_pairs,)
        Matched measurements (e.g. the MMD² of two settings on the same training sets).
    confidence : float, default=0.95
        Coverage of the two-sided interval.

    Returns
    -------
    PairedComparison
        With fewer than two pairs, or a non-finite difference, the spread is unknown:
        ``se``, the interval and the p-value are NaN (and :attr:`~PairedComparison.separates`
        is False).

    Notes
    -----
    The interval is ``mean ± t_{(1+c)/2, n−1} · s/√n`` with ``s`` the standard
    deviation of the differences: exact when the differences are normal, and a good
    approximation for the few, nearly symmetric differences of repeated fits.

    Examples
    --------
    >>> from densitylab.comparisons import paired_difference
    >>> c = paired_difference([1.0, 1.2, 0.9, 1.1], [0.5, 0.6, 0.4, 0.7])
    >>> round(c.mean, 3), c.separates
    (0.5, True)
    >>> paired_difference([1.0, 2.0], [1.5, 1.5]).separates
    False
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}.")
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("a and b must be 1-D arrays of the same, non-zero length.")
    with np.errstate(invalid="ignore"):
        d = a - b
    n = d.size
    if n < 2 or not np.isfinite(d).all():
        mean = float(np.mean(d)) if np.isfinite(d).all() else math.nan
        return PairedComparison(mean, math.nan, math.nan, math.nan, math.nan, n)
    mean = float(np.mean(d))
    se = float(np.std(d, ddof=1) / math.sqrt(n))
    if se == 0.0:
        # Identical differences: no spread to scale by; the sign alone decides.
        p = 1.0 if mean == 0.0 else 0.0
        return PairedComparison(mean, 0.0, mean, mean, p, n)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * se
    p = float(2 * stats.t.sf(abs(mean) / se, n - 1))
    return PairedComparison(mean, se, mean - half, mean + half, p, n)


class SettingRanking(NamedTuple):
    """The best setting of a sweep and the settings its repeats cannot separate from it.

    Attributes
    ----------
    values : list
        The grid, in increasing order.
    means : ndarray
        Mean of the criterion at each value.
    best : object or None
        The value with the best mean; None when no mean is finite.
    tied : list
        Values whose paired difference to ``best`` has an interval containing 0
        (``best`` included), in grid order.
    edge : {"lower", "upper", None}
        Whether ``best`` is the smallest or the largest value of the grid: then the
        optimum may lie beyond the grid.
    comparisons : dict
        For every value, its :class:`PairedComparison` against ``best``.
    """

    values: list
    means: np.ndarray
    best: object
    tied: list
    edge: str | None
    comparisons: dict

    @property
    def separated(self) -> list:
        """Values the repeats do separate from the best (worse beyond the noise)."""
        return [v for v in self.values if v not in self.tied]


def rank_settings(
    table: pd.DataFrame, column: str, *, minimize=True, confidence=0.95
) -> SettingRanking:
    """Rank the values of one sweep by ``column``, paired over repeats.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per value × repeat, with columns ``value``, ``repeat`` and ``column``
        (one family, one training size, one kernel and bandwidth already selected).
    column : str
        The criterion, e.g. ``"mmd2"`` (minimised) or ``"heldout_loglik"`` (maximised).
    minimize : bool, default=True
        Whether smaller is better.
    confidence : float, default=0.95
        Coverage of the paired intervals.

    Returns
    -------
    SettingRanking

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.comparisons import rank_settings
    >>> table = pd.DataFrame({
    ...     "value": [1, 1, 1, 2, 2, 2, 3, 3, 3],
    ...     "repeat": [0, 1, 2] * 3,
    ...     "mmd2": [0.30, 0.32, 0.31, 0.100, 0.120, 0.110, 0.105, 0.118, 0.111],
    ... })
    >>> r = rank_settings(table, "mmd2")
    >>> r.best, r.tied, r.edge
    (2, [2, 3], None)
    """
    missing = {"value", "repeat", column} - set(table.columns)
    if missing:
        raise ValueError(f"table has no column {sorted(missing)}.")
    if table.duplicated(["value", "repeat"]).any():
        raise ValueError(
            "table holds a (value, repeat) pair twice: select one family, training size, "
            "reference, kernel and bandwidth first."
        )
    wide = table.pivot(index="value", columns="repeat", values=column).sort_index()
    values = wide.index.tolist()
    means = wide.mean(axis=1).to_numpy(dtype=np.float64)
    scores = means if minimize else -means
    finite = np.isfinite(scores)
    if not finite.any():
        return SettingRanking(values, means, None, [], None, {})
    best_index = int(np.argmin(np.where(finite, scores, np.inf)))
    best = values[best_index]
    comparisons, tied = {}, []
    for index, value in enumerate(values):
        pairs = wide.loc[[value, best]].dropna(axis=1)
        comparison = paired_difference(
            pairs.iloc[0].to_numpy(), pairs.iloc[1].to_numpy(), confidence=confidence
        )
        comparisons[value] = comparison
        # A mean of -inf (a zero density) is worse than any finite mean: separated.
        worse_for_sure = not finite[index]
        if index == best_index or not (comparison.separates or worse_for_sure):
            tied.append(value)
    edge = None
    if len(values) > 1 and best_index == 0:
        edge = "lower"
    elif len(values) > 1 and best_index == len(values) - 1:
        edge = "upper"
    return SettingRanking(values, means, best, tied, edge, comparisons)
