"""Do two samples have the same class proportions? A test that accounts for both sizes.

A generator's class proportions are judged against a *control*: real held-out images
labelled by the same classifier. The classifier's own errors then affect both samples
alike, and the χ² test of homogeneity of the 2 × C table accounts for the two sample
sizes (the control is usually much smaller than the generated sample). The effect size
is the total variation distance between the two label distributions, with a bootstrap
interval.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from densitylab._random import as_generator
from densitylab._validation import check_positive_int

__all__ = ["LabelComparison", "compare_labels"]


class LabelComparison(NamedTuple):
    """Result of :func:`compare_labels`.

    Attributes
    ----------
    counts, control_counts : ndarray of shape (n_classes,)
        Labels of each class in the sample and in the control.
    chi2, dof, p_value : float, int, float
        χ² test of homogeneity of the two label distributions (classes absent from both
        samples are dropped).
    tvd : float
        Total variation distance ``½ Σ_c |p_c − p'_c|`` between the two proportions, in
        [0, 1]: the share of the sample that would have to change class to match the control.
    tvd_low, tvd_high : float
        Percentile bootstrap interval of ``tvd``.
    """

    counts: np.ndarray
    control_counts: np.ndarray
    chi2: float
    dof: int
    p_value: float
    tvd: float
    tvd_low: float
    tvd_high: float


def _counts(labels, n_classes: int, name: str) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.size < 1:
        raise ValueError(f"{name} must be a non-empty 1-D array of class labels.")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must hold integer class labels, got dtype {labels.dtype}.")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"{name} must lie in [0, n_classes) = [0, {n_classes}); pass the right n_classes."
        )
    return np.bincount(labels, minlength=n_classes)


def _tvd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """TVD between rows of count arrays ``a`` and ``b`` (last axis: classes)."""
    p = a / a.sum(axis=-1, keepdims=True)
    q = b / b.sum(axis=-1, keepdims=True)
    return 0.5 * np.abs(p - q).sum(axis=-1)


def compare_labels(
    labels,
    control_labels,
    *,
    n_classes=10,
    n_bootstrap=2000,
    confidence=0.95,
    random_state=None,
) -> LabelComparison:
    """Compare the class proportions of a sample with those of a control sample.

    Parameters
    ----------
    labels : array-like of int, shape (n,)
        Classes of the sample (e.g. a classifier's predictions for generated digits).
    control_labels : array-like of int, shape (n_control,)
        Classes of the control (the same classifier's predictions for real digits).
    n_classes : int, default=10
    n_bootstrap : int, default=2000
        Bootstrap resamples (of each sample, independently) for the TVD interval.
    confidence : float, default=0.95
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator

    Returns
    -------
    LabelComparison

    Notes
    -----
    The χ² statistic is Pearson's for the 2 × C contingency table
    (:func:`scipy.stats.chi2_contingency`, no continuity correction), with
    ``C − 1`` degrees of freedom over the classes present. The bootstrap redraws each
    sample's counts from a multinomial with its observed proportions; the TVD of a
    finite sample is biased upwards (two samples of one distribution have a TVD above
    0), so read the interval against the TVD of the control with itself, not against 0.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.diagnostics import compare_labels
    >>> even = np.repeat(np.arange(10), 50)
    >>> skewed = np.concatenate([even, np.full(300, 8)])
    >>> same = compare_labels(even, even, random_state=0)
    >>> round(same.tvd, 3), round(same.p_value, 3)
    (0.0, 1.0)
    >>> compare_labels(skewed, even, random_state=0).p_value < 1e-6
    True
    """
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    n_bootstrap = check_positive_int(n_bootstrap, "n_bootstrap")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}.")
    counts = _counts(labels, n_classes, "labels")
    control = _counts(control_labels, n_classes, "control_labels")
    present = (counts + control) > 0
    table = np.stack([counts[present], control[present]])
    if table.shape[1] < 2:
        chi2, dof, p = 0.0, 0, 1.0
    else:
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
    rng = as_generator(random_state)
    boot = _tvd(
        rng.multinomial(counts.sum(), counts / counts.sum(), size=n_bootstrap),
        rng.multinomial(control.sum(), control / control.sum(), size=n_bootstrap),
    )
    tail = (1 - confidence) / 2
    low, high = np.quantile(boot, [tail, 1 - tail])
    return LabelComparison(
        counts=counts,
        control_counts=control,
        chi2=float(chi2),
        dof=int(dof),
        p_value=float(p),
        tvd=float(_tvd(counts, control)),
        tvd_low=float(low),
        tvd_high=float(high),
    )
