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
        Density on each cell, ``counts_ / (n · cell area)``. For data on extreme scales
        (cell areas beyond about 1e±308) a density may not be representable and reads
        inf or 0 here; :meth:`score_samples` works with log densities and stays exact.
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
    uniformly inside that cell, which is a draw from :math:`p`. A draw that rounds
    onto the cell's upper edge (which belongs to the next cell) is moved to the
    largest float below it, so every sample lies in the cell it was drawn for and
    has positive density.

    The log density is computed as :math:`\log n_c - \log n - \log(a_{i+1}-a_i)
    - \log(b_{j+1}-b_j)` wherever the cell area or the density would overflow or
    underflow, so data of any finite scale are handled exactly. Refused with a
    :class:`ValueError`: data (or a ``range``) whose extent along an axis exceeds
    the largest float64 (about 1.8e308), and ``bins`` so many that neighbouring
    edges round to the same float (e.g. 1000 bins over a width of 1e-9 at 1e6).

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
        self._keep_params(locals())

    def _fit(self, X):
        if X.shape[1] != 2:
            raise ValueError(
                f"Histogram2D needs exactly 2 features, got X with {X.shape[1]} features; "
                "use another model for other dimensions."
            )
        bins = _check_bins(self.bins)
        value_range = _check_range(self.range)
        _check_span(X, value_range)
        counts, self.x_edges_, self.y_edges_ = np.histogram2d(
            X[:, 0], X[:, 1], bins=bins, range=value_range
        )
        _check_edges(self.x_edges_, 0)
        _check_edges(self.y_edges_, 1)
        n_inside = counts.sum()
        if n_inside == 0:
            raise ValueError(
                f"No training point lies inside range={self.range!r}; widen range or use "
                "range=None."
            )
        self.counts_ = counts
        self.density_, self._log_density = _cell_densities(
            counts, n_inside, np.diff(self.x_edges_), np.diff(self.y_edges_)
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
        # lo + u·width can round up onto hi, which belongs to the next cell (perhaps an
        # empty one): such draws go to the last float below hi, so every sample lies in
        # the half-open cell it was drawn for.
        return np.minimum(lo + u * (hi - lo), np.nextafter(hi, lo))


def _cell_densities(counts, n_inside, x_widths, y_widths):
    """``(density, log_density)`` of every cell: ``counts / (n · width_x · width_y)``.

    The log density is ``log`` of that ratio wherever the cell area, its product with
    n and the density are normal floats (bit for bit the direct formula), and
    otherwise the sum ``log count − log n − log width_x − log width_y``, which is
    exact where the area or the density would overflow or underflow (data on scales
    beyond about 1e±154). Empty cells get −inf. ``density`` overflows to inf or
    underflows to 0 where the true value is not representable.
    """
    with np.errstate(all="ignore"):
        denominator = n_inside * np.outer(x_widths, y_widths)
        density = counts / denominator
        sum_of_logs = (
            np.log(counts)
            - np.log(n_inside)
            - np.log(x_widths)[:, None]
            - np.log(y_widths)[None, :]
        )
        log_density = np.log(density)
    tiny = np.finfo(np.float64).tiny
    direct = (
        (denominator >= tiny) & (denominator < np.inf) & (density >= tiny) & (density < np.inf)
    )
    log_density = np.where(direct, log_density, sum_of_logs)
    log_density[counts == 0] = -np.inf
    with np.errstate(over="ignore", under="ignore"):
        density = np.where(direct | (counts == 0), density, np.exp(log_density))
    density[counts == 0] = 0.0
    return density, log_density


def _check_span(X, value_range):
    """Refuse data or a range whose extent along an axis overflows float64."""
    if value_range is None:
        lows, highs, name = X.min(axis=0), X.max(axis=0), "X"
    else:
        (x_lo, x_hi), (y_lo, y_hi) = value_range
        lows, highs, name = np.array([x_lo, y_lo]), np.array([x_hi, y_hi]), "range"
    with np.errstate(over="ignore"):
        spans = highs - lows
    for axis, span in enumerate(spans):
        if not np.isfinite(span):
            raise ValueError(
                f"{name} spans more than the largest float64 along feature {axis} "
                f"({lows[axis]:.3g} to {highs[axis]:.3g}), so the cell widths overflow; "
                "rescale the data (and range)."
            )


def _check_edges(edges, axis):
    """Refuse cells that float64 cannot separate: edges that coincide after rounding."""
    if not np.all(edges[1:] > edges[:-1]):
        raise ValueError(
            f"bins: cells along feature {axis} would be narrower than float64 can resolve "
            f"at {edges[0]:.6g} (cell width {(edges[-1] - edges[0]) / (len(edges) - 1):.3g}); "
            "use fewer bins, or subtract the data's offset first."
        )


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
