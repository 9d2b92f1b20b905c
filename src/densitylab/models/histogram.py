"""Two-dimensional histogram density: piecewise constant on the cells of ``np.histogram2d``."""

from __future__ import annotations

import numbers

import numpy as np

from densitylab.models._base import DensityEstimatorBase

__all__ = ["Histogram2D"]


class Histogram2D(DensityEstimatorBase):
    r"""Histogram density estimate of two-dimensional data.

    Parameters
    ----------
    bins : int or (int, int), default=20
        Number of bins along both axes, or along x and y separately, each at
        least 1 (as the integer forms of :func:`numpy.histogram2d`).
    range : None or ((float, float), (float, float)), default=None
        ``[(xmin, xmax), (ymin, ymax)]``, each ``min < max``, finite. ``None`` spans
        the training data (its minimum to its maximum on each axis, widened by
        ±0.5 where that width is zero), exactly as :func:`numpy.histogram2d`.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Default source of randomness for :meth:`sample`.

    Attributes
    ----------
    counts_ : ndarray of shape (n_bins_x, n_bins_y)
        Training points per cell, as returned by :func:`numpy.histogram2d`.
    density_ : ndarray of shape (n_bins_x, n_bins_y)
        Density on each cell, ``counts_ / (n · cell area)``.
    x_edges_ : ndarray of shape (n_bins_x + 1,)
        Cell edges along the first feature.
    y_edges_ : ndarray of shape (n_bins_y + 1,)
        Cell edges along the second feature.
    n_features_in_ : int
        Number of features seen during :meth:`fit` (always 2).

    Notes
    -----
    On cell :math:`c = [a_i, a_{i+1}) \times [b_j, b_{j+1})` holding :math:`n_c` of
    the :math:`n` training points inside the range, the density is

    .. math:: p(x) = \frac{n_c}{n\,(a_{i+1}-a_i)(b_{j+1}-b_j)},

    and :math:`p(x) = 0` (log density :math:`-\infty`) outside the range. As in
    :func:`numpy.histogram2d`, every cell is half-open except the last along each
    axis, which also holds its upper edge. With an explicit ``range`` that leaves
    out training points, :math:`n` counts only the points inside it, so the density
    still integrates to one (as ``np.histogram2d(..., density=True)``).

    :meth:`sample` picks a cell with probability :math:`n_c / n` (exactly: a
    uniform draw among the :math:`n` points, mapped to its cell) and then a point
    uniformly inside that cell, which is a draw from :math:`p`.

    References
    ----------
    D. W. Scott, *Multivariate Density Estimation*, Wiley, 1992, ch. 3.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import Histogram2D
    >>> X = np.array([[0.0, 0.0], [0.5, 0.5], [1.0, 1.0], [1.0, 0.0]])
    >>> hist = Histogram2D(bins=2).fit(X)
    >>> hist.x_edges_
    array([0. , 0.5, 1. ])
    >>> hist.density_  # counts / (4 points * 0.25 area)
    array([[1., 0.],
           [1., 2.]])
    >>> np.exp(hist.score_samples([[0.9, 0.9], [1.0, 1.0], [1.5, 0.0]]))
    array([2., 2., 0.])
    >>> hist.sample(3, random_state=0).shape
    (3, 2)
    """

    def __init__(self, bins=20, range=None, random_state=None):
        self.bins = bins
        self.range = range
        self.random_state = random_state

    def _fit(self, X):
        if X.shape[1] != 2:
            raise ValueError(
                f"Histogram2D needs exactly 2 features, got X with {X.shape[1]} features; "
                "use another model for other dimensions."
            )
        bins = _check_bins(self.bins)
        value_range = _check_range(self.range)
        counts, self.x_edges_, self.y_edges_ = np.histogram2d(
            X[:, 0], X[:, 1], bins=bins, range=value_range
        )
        n_inside = counts.sum()
        if n_inside == 0:
            raise ValueError(
                f"No training point lies inside range={self.range!r}; widen range or use "
                "range=None."
            )
        self.counts_ = counts
        area = np.outer(np.diff(self.x_edges_), np.diff(self.y_edges_))
        self.density_ = counts / (n_inside * area)
        # log 0 = -inf without the divide-by-zero warning of np.log(0).
        self._log_density = np.log(
            self.density_, out=np.full_like(self.density_, -np.inf), where=self.density_ > 0
        )
        self._cumulative_counts = np.cumsum(counts.ravel())
        return self

    def _score_samples(self, X):
        ix, inside_x = _bin_index(self.x_edges_, X[:, 0])
        iy, inside_y = _bin_index(self.y_edges_, X[:, 1])
        inside = inside_x & inside_y
        out = np.full(X.shape[0], -np.inf)
        out[inside] = self._log_density[ix[inside], iy[inside]]
        return out

    def _sample(self, n_samples, rng):
        n_inside = self._cumulative_counts[-1]
        # Cell of a uniformly drawn training point: probability counts / n, exactly.
        point = rng.integers(0, int(n_inside), size=n_samples)
        cell = np.searchsorted(self._cumulative_counts, point, side="right")
        ix, iy = np.unravel_index(cell, self.counts_.shape)
        u = rng.random((n_samples, 2))
        lo = np.column_stack([self.x_edges_[ix], self.y_edges_[iy]])
        hi = np.column_stack([self.x_edges_[ix + 1], self.y_edges_[iy + 1]])
        # min() keeps the rounded lo + u·width inside its cell's upper edge.
        return np.minimum(lo + u * (hi - lo), hi)


def _bin_index(edges, values):
    """Cell index of each value, as ``np.histogram2d`` assigns it, and whether it is inside."""
    n_bins = len(edges) - 1
    index = np.searchsorted(edges, values, side="right") - 1
    index[values == edges[-1]] = n_bins - 1  # the last cell holds its upper edge
    inside = (index >= 0) & (index < n_bins)
    return index, inside


def _is_int(value) -> bool:
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool)


def _check_bins(bins):
    """``bins`` as a pair of ints >= 1."""
    pair = (bins, bins) if _is_int(bins) else bins
    try:
        ok = len(pair) == 2 and all(_is_int(b) and b >= 1 for b in pair)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"bins must be an integer >= 1 or a pair of such integers, got {bins!r}.")
    return int(pair[0]), int(pair[1])


def _check_range(value_range):
    """``range`` as None or ((xmin, xmax), (ymin, ymax)) with finite min < max."""
    if value_range is None:
        return None
    message = (
        "range must be None or [(xmin, xmax), (ymin, ymax)] with finite xmin < xmax "
        f"and ymin < ymax, got {value_range!r}."
    )
    try:
        arr = np.asarray(value_range, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(message) from exc
    if arr.shape != (2, 2) or not np.all(np.isfinite(arr)) or not np.all(arr[:, 0] < arr[:, 1]):
        raise ValueError(message)
    return [(float(lo), float(hi)) for lo, hi in arr]
