"""Copy checks: do generated points sit closer to the training points than fresh data do?

A model that memorises its training set (a KDE with a tiny bandwidth, a mixture with
one component per point) can score a small MMD² while producing little that is new.
"""

from __future__ import annotations

import math
import numbers
from typing import NamedTuple

import numpy as np
from sklearn.neighbors import NearestNeighbors

from densitylab._validation import check_2d_array

# Data whose largest magnitude lies outside [2**-500, 2**500] are scaled by a power of
# two before the distances, whose squares would otherwise overflow or underflow.
_SAFE_EXPONENT = 500


class CopyCheck(NamedTuple):
    """Result of :func:`copy_check`.

    Attributes
    ----------
    share : float
        Share of generated points whose distance to the nearest training point
        is below ``threshold``. About ``quantile`` for a generator that does not
        copy; near 1 for one that reproduces training points.
    threshold : float
        The ``quantile``-quantile of the held-out-to-training nearest-neighbour
        distances.
    median_ratio : float
        Median generated-to-training distance divided by the median
        held-out-to-training distance: about 1 without copying, near 0 with it.
    quantile : float
        The quantile used, i.e. the share expected without copying.
    """

    share: float
    threshold: float
    median_ratio: float
    quantile: float


def copy_check(X_generated, X_train, X_heldout, *, quantile=0.05) -> CopyCheck:
    """Check whether generated points copy training points (data-copying test).

    Fresh data drawn from the true distribution lie, typically, at some distance
    from the nearest training point. If generated points are systematically
    *closer* to the training set than held-out points are, the model reproduces
    its training data instead of its distribution.

    Parameters
    ----------
    X_generated : array-like of shape (n_generated, n_features)
        Samples from the fitted model.
    X_train : array-like of shape (n_train, n_features)
        The model's training data.
    X_heldout : array-like of shape (n_heldout, n_features)
        Data from the same distribution, not used for training (at least 2 rows).
    quantile : float, default=0.05
        Quantile of the held-out distances used as the threshold, in (0, 1); any real
        number type (a NumPy scalar too).

    Returns
    -------
    CopyCheck
        ``share``, ``threshold``, ``median_ratio``, ``quantile``.

    Raises
    ------
    ValueError
        If an array is not a finite rectangular 2-D numeric array, the numbers of
        features differ, ``quantile`` is not in (0, 1), or the distances exceed the
        float64 range (data near ±1.8e308: rescale them).

    Notes
    -----
    With :math:`d(x) = \\min_i \\|x - x_i^{\\text{train}}\\|` (Euclidean, from
    :class:`sklearn.neighbors.NearestNeighbors`), the threshold is
    :math:`t = Q_q\\{d(x^{\\text{heldout}}_j)\\}` and the share is
    :math:`\\frac{1}{m}\\#\\{k : d(x^{\\text{gen}}_k) < t\\}`. If generated
    and held-out points come from the same distribution and neither depends on
    the training set, the share is about :math:`q`. This is a simple summary
    of the idea behind the data-copying test of Meehan, Chaudhuri & Dasgupta
    (2020), which compares the same two distance distributions with a
    Mann-Whitney U test, cell by cell.

    Data of any finite magnitude are handled: beyond about 1e150 (or below about
    1e-150) the distances are computed on the data scaled by a power of two and
    scaled back exactly, so that their squares neither overflow nor underflow.

    References
    ----------
    C. Meehan, K. Chaudhuri and S. Dasgupta, "A non-parametric test to detect
    data-copying in generative models", AISTATS 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.diagnostics import copy_check
    >>> rng = np.random.default_rng(0)
    >>> X_train, X_heldout = rng.standard_normal((500, 2)), rng.standard_normal((500, 2))
    >>> copy_check(X_train[:300], X_train, X_heldout).share  # exact copies
    1.0
    """
    X_generated = check_2d_array(X_generated, "X_generated")
    X_train = check_2d_array(X_train, "X_train")
    X_heldout = check_2d_array(X_heldout, "X_heldout", min_samples=2)
    n_features = X_train.shape[1]
    for name, X in (("X_generated", X_generated), ("X_heldout", X_heldout)):
        if X.shape[1] != n_features:
            raise ValueError(
                f"{name} has {X.shape[1]} features but X_train has {n_features}; they must match."
            )
    quantile = _check_quantile(quantile)
    exponent = _scale_exponent(X_generated, X_train, X_heldout)
    X_generated, X_train, X_heldout = (
        np.ldexp(X, -exponent) if exponent else X for X in (X_generated, X_train, X_heldout)
    )
    nn = NearestNeighbors(n_neighbors=1).fit(X_train)
    d_generated = nn.kneighbors(X_generated, return_distance=True)[0][:, 0]
    d_heldout = nn.kneighbors(X_heldout, return_distance=True)[0][:, 0]
    threshold = float(np.quantile(d_heldout, quantile))
    median_heldout = float(np.median(d_heldout))
    # Held-out points that coincide with training points make the ratio undefined.
    ratio = float(np.median(d_generated)) / median_heldout if median_heldout > 0 else np.nan
    share = float(np.mean(d_generated < threshold))
    try:
        threshold = math.ldexp(threshold, exponent)
    except OverflowError:
        raise ValueError(
            "The nearest-neighbour distances of X_heldout to X_train exceed the float64 "
            "range (values near ±1.8e308); rescale the data, dividing all three arrays by "
            "the same factor."
        ) from None
    return CopyCheck(
        share=share,
        threshold=threshold,
        median_ratio=ratio,
        quantile=quantile,
    )


def _check_quantile(quantile) -> float:
    """``quantile`` as a float strictly between 0 and 1 (NumPy scalars included)."""
    if isinstance(quantile, bool | np.bool_) or not isinstance(quantile, numbers.Real):
        raise ValueError(
            f"quantile must be a real number strictly between 0 and 1, got {quantile!r}."
        )
    if not 0.0 < float(quantile) < 1.0:
        raise ValueError(f"quantile must lie strictly between 0 and 1, got {quantile!r}.")
    return float(quantile)


def _scale_exponent(*arrays) -> int:
    """0 for data of ordinary magnitude, else ``e`` such that ``X / 2**e`` lies in [-1, 1].

    Nearest neighbours do not change under scaling, and scaling by a power of two is
    exact, so distances computed on the scaled data and multiplied back by ``2**e`` are
    those of the data, without the overflow (beyond ~1e154) or underflow (below
    ~1e-154) of their squares.
    """
    top = max(float(np.max(np.abs(X))) for X in arrays)
    exponent = math.frexp(top)[1]
    return exponent if top > 0 and abs(exponent) > _SAFE_EXPONENT else 0
