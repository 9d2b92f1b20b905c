"""Do two samples have the same class proportions? A test that accounts for both sizes.

A generator's class proportions are judged against a *control*: real held-out images
labelled by the same classifier. The classifier's own errors then affect both samples
alike, and the χ² test of homogeneity of the 2 × C table accounts for the two sample
sizes (the control is usually much smaller than the generated sample). The effect size
is Cramér's V of the table, bias-corrected (the χ² statistic's mean under equal
proportions, its degrees of freedom, is subtracted; Bergsma 2013), with a confidence
interval from the noncentral χ² law that always holds the corrected V (the total
variation distance between the two label distributions is reported beside it, as a
description).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import optimize, stats

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
    cramers_v : float
        Cramér's V of the 2 × C table, ``sqrt(chi2 / N)`` with ``N`` all labels: 0 when
        the proportions agree, 1 when the two samples share no class. Biased upwards:
        under equal proportions χ² averages ``dof``, so V ≈ sqrt(dof / N) from noise alone.
    v_low, v_high : float
        The confidence interval of V, from the noncentral χ² law of the statistic.
    tvd : float
        Total variation distance ``½ Σ_c |p_c − p'_c|`` between the two proportions, in
        [0, 1]: the share of the sample that would have to change class to match the
        control (a description; with finite samples it is above 0 even for one law).
    cramers_v_corrected : float
        The bias-corrected V, ``sqrt(max(0, chi2 − dof) / N)``: the noncentrality's
        moment estimate ``chi2 − dof`` in place of ``chi2``. It always lies in
        ``[v_low, v_high]`` (the observed χ² is above the mean of the noncentral law at
        the lower end and below it at the upper end) and is 0 when χ² ≤ dof.
    """

    counts: np.ndarray
    control_counts: np.ndarray
    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    v_low: float
    v_high: float
    tvd: float
    cramers_v_corrected: float = 0.0


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


def _tvd(a: np.ndarray, b: np.ndarray) -> float:
    return float(0.5 * np.abs(a / a.sum() - b / b.sum()).sum())


def _noncentrality(chi2: float, dof: int, tail: float) -> float:
    """The noncentrality λ at which ``P(χ²_dof(λ) ≥ chi2) = tail`` (0 if none is needed)."""

    def excess(lam):
        return stats.ncx2.sf(chi2, dof, lam) - tail if lam > 0 else stats.chi2.sf(chi2, dof) - tail

    if excess(0.0) >= 0:
        return 0.0
    upper = max(10.0, 2 * chi2)
    while excess(upper) < 0:
        upper *= 2
    return float(optimize.brentq(excess, 0.0, upper, xtol=1e-10))


def compare_labels(labels, control_labels, *, n_classes=10, confidence=0.95) -> LabelComparison:
    """Compare the class proportions of a sample with those of a control sample.

    Parameters
    ----------
    labels : array-like of int, shape (n,)
        Classes of the sample (e.g. a classifier's predictions for generated digits).
    control_labels : array-like of int, shape (n_control,)
        Classes of the control (the same classifier's predictions for real digits).
    n_classes : int, default=10
    confidence : float, default=0.95
        Coverage of the interval of Cramér's V.

    Returns
    -------
    LabelComparison

    Notes
    -----
    The χ² statistic is Pearson's for the 2 × C contingency table
    (:func:`scipy.stats.chi2_contingency`, no continuity correction), with ``C − 1``
    degrees of freedom over the classes present. Cramér's V of a 2 × C table is
    ``V = sqrt(χ² / N)``. Its interval inverts the noncentral χ² law: the noncentrality
    ``λ`` runs over the values for which the observed χ² is not in either tail, and
    ``V = sqrt(λ / N)`` at the two ends (Smithson 2003, *Confidence Intervals*, ch. 4);
    the lower end is 0 when the proportions do not differ significantly. The point
    estimate to report with it is the bias-corrected ``sqrt(max(0, χ² − dof) / N)``
    (Bergsma 2013, *J. Korean Stat. Soc.* 42, 323–328, corrects V the same way): the
    plain V can lie above its own interval when χ² is below ``dof``.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.diagnostics import compare_labels
    >>> even = np.repeat(np.arange(10), 50)
    >>> skewed = np.concatenate([even, np.full(300, 8)])
    >>> same = compare_labels(even, even)
    >>> round(same.cramers_v, 3), round(same.p_value, 3), same.v_low
    (0.0, 1.0, 0.0)
    >>> result = compare_labels(skewed, even)
    >>> result.p_value < 1e-6, result.v_low < result.cramers_v_corrected < result.v_high
    (True, True)
    """
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}.")
    counts = _counts(labels, n_classes, "labels")
    control = _counts(control_labels, n_classes, "control_labels")
    present = (counts + control) > 0
    table = np.stack([counts[present], control[present]])
    total = float(table.sum())
    if table.shape[1] < 2:
        chi2, dof, p = 0.0, 0, 1.0
        low = high = 0.0
    else:
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
        tail = (1 - confidence) / 2
        low = _noncentrality(chi2, dof, tail)
        high = _noncentrality(chi2, dof, 1 - tail)
    return LabelComparison(
        counts=counts,
        control_counts=control,
        chi2=float(chi2),
        dof=int(dof),
        p_value=float(p),
        cramers_v=float(np.sqrt(chi2 / total)),
        v_low=float(np.sqrt(low / total)),
        v_high=float(np.sqrt(high / total)),
        tvd=_tvd(counts, control),
        cramers_v_corrected=float(np.sqrt(max(0.0, chi2 - dof) / total)),
    )
