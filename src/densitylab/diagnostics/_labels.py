"""Label balance of generated digits and balanced batches, for the digits study."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

from densitylab._random import as_generator
from densitylab._validation import as_array, check_positive_int, check_rectangular


class LabelBalance(NamedTuple):
    """How evenly a set of (predicted) class labels covers the classes.

    Attributes
    ----------
    counts : ndarray of shape (n_classes,)
        Number of labels equal to each class ``0 … n_classes-1``.
    proportions : ndarray of shape (n_classes,)
        ``counts / n_samples``.
    kl_to_uniform : float
        ``KL(p ‖ uniform)`` in nats: 0 for perfectly even labels, ``log n_classes``
        when every label is the same class.
    chi2 : float
        Pearson's χ² statistic of ``counts`` against equal expected counts.
    p_value : float
        Its p-value with ``n_classes - 1`` degrees of freedom.
    n_samples : int
        Number of labels.
    """

    counts: np.ndarray
    proportions: np.ndarray
    kl_to_uniform: float
    chi2: float
    p_value: float
    n_samples: int


def _check_labels(labels, n_classes: int) -> np.ndarray:
    """Validate integer class labels in ``[0, n_classes)`` and return them as int64."""
    try:
        labels = as_array(labels)
    except ValueError:
        raise ValueError(
            "labels must be a 1-D array of integer class indices; got a ragged sequence."
        ) from None
    if labels.ndim != 1:
        raise ValueError(f"labels must be one-dimensional, got shape {labels.shape}.")
    if labels.size == 0:
        raise ValueError("labels is empty; at least one label is needed.")
    integral = np.issubdtype(labels.dtype, np.integer) or (
        np.issubdtype(labels.dtype, np.floating)
        and bool(np.all(np.isfinite(labels) & (labels == np.round(labels))))
    )
    if not integral:
        raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}.")
    # The range is checked in the labels' own dtype: a cast to int64 first would wrap
    # values beyond its range (1e20, 2**63 as uint64) into unrelated numbers.
    low, high = labels.min(), labels.max()
    if low < 0 or high >= n_classes:
        raise ValueError(
            f"labels must lie in [0, n_classes) = [0, {n_classes}), got values from "
            f"{_plain(low)} to {_plain(high)}; pass the right n_classes."
        )
    return labels.astype(np.int64)


def _plain(value) -> str:
    """A label as typed: 3 for an integral float 3.0, 1e+20 for a huge one."""
    value = value.item()
    return str(int(value)) if isinstance(value, float) and abs(value) < 1e15 else str(value)


def label_balance(labels, *, n_classes=10) -> LabelBalance:
    """Label histogram, KL divergence to the uniform law and χ² test of equal counts.

    A generator of digits should produce every class about equally often (the
    training data are balanced); a classifier's predicted labels for the
    generated images reveal classes it over- or under-produces, something the
    MMD² alone does not report.

    Parameters
    ----------
    labels : array-like of shape (n_samples,)
        Integer class labels in ``[0, n_classes)``, e.g. a classifier's predictions.
    n_classes : int, default=10
        Number of classes, including classes that never occur in ``labels``.

    Returns
    -------
    LabelBalance
        ``counts``, ``proportions``, ``kl_to_uniform``, ``chi2``, ``p_value``,
        ``n_samples``.

    Notes
    -----
    With proportions :math:`p_c = n_c / n`,
    :math:`\\mathrm{KL}(p \\,\\|\\, u) = \\sum_c p_c \\log(K p_c)` (nats, :math:`0 \\log 0 = 0`)
    and :math:`\\chi^2 = \\sum_c (n_c - n/K)^2 / (n/K)`, referred to a χ²
    law with :math:`K-1` degrees of freedom (:func:`scipy.stats.chisquare`).
    The χ² approximation wants about five expected labels per class (n ≥ 5K).

    Examples
    --------
    >>> from densitylab.diagnostics import label_balance
    >>> lb = label_balance([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 20)
    >>> round(lb.kl_to_uniform, 6), round(lb.chi2, 6), round(lb.p_value, 6)
    (0.0, 0.0, 1.0)
    """
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    labels = _check_labels(labels, n_classes)
    counts = np.bincount(labels, minlength=n_classes)
    n = int(counts.sum())
    proportions = counts / n
    kl = float(stats.entropy(proportions, np.full(n_classes, 1.0 / n_classes)))
    test = stats.chisquare(counts)
    return LabelBalance(
        counts=counts,
        proportions=proportions,
        kl_to_uniform=kl,
        chi2=float(test.statistic),
        p_value=float(test.pvalue),
        n_samples=n,
    )


def predicted_label_balance(classifier, X, *, n_classes=10):
    """Label ``X`` with a fitted classifier and measure the balance of its predictions.

    Parameters
    ----------
    classifier : fitted classifier
        Anything with ``predict`` returning integer labels in ``[0, n_classes)``,
        e.g. a :class:`sklearn.ensemble.RandomForestClassifier` trained on digits.
    X : array-like of shape (n_samples, n_features)
        Generated samples.
    n_classes : int, default=10

    Returns
    -------
    predicted : ndarray of shape (n_samples,)
        The predicted labels.
    balance : LabelBalance
        :func:`label_balance` of ``predicted``.

    Examples
    --------
    >>> from sklearn.dummy import DummyClassifier
    >>> from densitylab.diagnostics import predicted_label_balance
    >>> clf = DummyClassifier(strategy="constant", constant=3).fit([[0.0]] * 10, [3] * 10)
    >>> predicted, lb = predicted_label_balance(clf, [[0.0]] * 50)
    >>> int(lb.counts[3]), round(lb.p_value, 12)
    (50, 0.0)
    """
    predicted = np.asarray(classifier.predict(check_rectangular(X, "X")))
    return predicted, label_balance(predicted, n_classes=n_classes)


class BalancedBatch(NamedTuple):
    """An equal number of samples per predicted class, ordered by class.

    Attributes
    ----------
    X : ndarray of shape (n_rows, n_features)
        ``per_class`` rows of each class that occurs, class 0 first.
    labels : ndarray of shape (n_rows,)
        The class of each row.
    available : ndarray of shape (n_classes,)
        How many samples of each class the pool held.
    with_replacement : ndarray of bool, shape (n_classes,)
        Classes with fewer than ``per_class`` but at least one sample: their rows
        were drawn with replacement, so the batch repeats some images.
    missing : ndarray of int
        Classes with no sample at all: absent from the batch.
    """

    X: np.ndarray
    labels: np.ndarray
    available: np.ndarray
    with_replacement: np.ndarray
    missing: np.ndarray


def balanced_batch(X, labels, per_class, *, n_classes=10, random_state=None) -> BalancedBatch:
    """Draw the same number of samples from each class of a labelled pool.

    Shows what a generator produces *for each class* without the class
    proportions of its output getting in the way.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The pool, e.g. generated digits.
    labels : array-like of shape (n_samples,)
        Class of each row in ``[0, n_classes)``, e.g. a classifier's predictions.
    per_class : int
        Rows wanted from each class, at least 1.
    n_classes : int, default=10
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of the draw; equal seeds give identical batches.

    Returns
    -------
    BalancedBatch
        ``X``, ``labels``, ``available``, ``with_replacement``, ``missing``.

    Notes
    -----
    A class with at least ``per_class`` samples is drawn without replacement.
    A class with fewer (but at least one) is drawn *with* replacement, so every
    class present keeps exactly ``per_class`` rows; such classes are flagged in
    ``with_replacement`` so that a figure can say that some images repeat.
    A class with no sample cannot be filled: it is listed in ``missing`` and
    left out, so that a shortfall is reported rather than hidden.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.diagnostics import balanced_batch
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> batch = balanced_batch(X, [0, 0, 0, 1, 1, 1, 1, 2, 2, 2], 2, n_classes=4,
    ...                        random_state=0)
    >>> batch.labels.tolist(), batch.missing.tolist()
    ([0, 0, 1, 1, 2, 2], [3])
    """
    n_classes = check_positive_int(n_classes, "n_classes", minimum=2)
    per_class = check_positive_int(per_class, "per_class")
    X = np.asarray(check_rectangular(X, "X"))
    if X.ndim != 2:
        raise ValueError(f"X must be two-dimensional (n_samples, n_features), got {X.shape}.")
    labels = _check_labels(labels, n_classes)
    if labels.shape[0] != X.shape[0]:
        raise ValueError(
            f"labels has {labels.shape[0]} entries but X has {X.shape[0]} rows; they must match."
        )
    rng = as_generator(random_state)
    available = np.bincount(labels, minlength=n_classes)
    picks = []
    for c in range(n_classes):
        members = np.flatnonzero(labels == c)
        if members.size:
            picks.append(rng.choice(members, size=per_class, replace=members.size < per_class))
    rows = np.concatenate(picks) if picks else np.empty(0, dtype=np.int64)
    return BalancedBatch(
        X=X[rows],
        labels=labels[rows],
        available=available,
        with_replacement=(available > 0) & (available < per_class),
        missing=np.flatnonzero(available == 0),
    )
