"""The unbiased MMD² estimator, its three kernel means, the median heuristic, kernel matrices."""

from __future__ import annotations

import math

import numpy as np
from scipy.spatial.distance import pdist

from densitylab._random import as_generator
from densitylab._validation import check_positive_int
from densitylab.mmd import _tiles
from densitylab.mmd._checks import (
    _check_bandwidth,
    _check_kernel,
    _check_n_jobs,
    _check_pair,
    _check_sample,
)
from densitylab.mmd._tiles import (
    _cross_tiles,
    _factors,
    _group_mean,
    _kernel_tile,
    _tile_sums,
    _unit_scale,
    _within_tiles,
)


def _resolve_bandwidth(X, Y, bandwidth) -> float:
    if bandwidth is None:
        return median_heuristic(X, Y)
    return _check_bandwidth(bandwidth)


def kernel_matrix(X, Y=None, kernel="se", bandwidth=None):
    """Dense kernel matrix ``K[i, j] = k(x_i, y_j)`` (``Y=None``: ``k(x_i, x_j)``).

    Meant for teaching and small samples: it allocates the full matrix.
    :func:`mmd2_unbiased` never does.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample, finite.
    Y : array-like of shape (n_samples_Y, n_features), default=None
        Second sample; ``None`` means ``X`` itself.
    kernel : {"se", "imq"}, default="se"
        ``"se"``: ``exp(−d²/σ²)``; ``"imq"``: ``(1 + d²/σ²)^(−1/2)``.
    bandwidth : float > 0, default=None
        ``σ``; ``None`` means :func:`median_heuristic` of the pooled sample.

    Returns
    -------
    K : ndarray of shape (n_samples_X, n_samples_Y)
        Values in (0, 1] (an SE value underflows to 0 beyond ``d ≈ 27 σ``); with
        ``Y=None`` exactly symmetric with a unit diagonal.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.mmd import kernel_matrix
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kernel_matrix(X, kernel="se", bandwidth=1.0).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    >>> kernel_matrix(X, kernel="imq", bandwidth=1.0).round(4)
    array([[1.    , 0.7071],
           [0.7071, 1.    ]])
    """
    kernel = _check_kernel(kernel)
    X = _check_sample(X, "X", 1)
    if Y is None:
        h = _check_bandwidth(bandwidth) if bandwidth is not None else median_heuristic(X)
        h, X = _unit_scale(h, X)
        left, right = _factors(X, X.mean(axis=0), h, kernel)
        K = _kernel_tile(left, right, kernel, np.empty((X.shape[0], X.shape[0])))
        # Mirror the upper triangle (the product is symmetric only up to rounding) and
        # set k(x, x) = 1 exactly.
        K = np.triu(K, 1)
        K += K.T
        np.fill_diagonal(K, 1.0)
        return K
    X, Y = _check_pair(X, Y, 1)
    h, X, Y = _unit_scale(_resolve_bandwidth(X, Y, bandwidth), X, Y)
    centre = 0.5 * (X.mean(axis=0) + Y.mean(axis=0))
    left, _ = _factors(X, centre, h, kernel)
    _, right = _factors(Y, centre, h, kernel)
    return _kernel_tile(left, right, kernel, np.empty((X.shape[0], Y.shape[0])))


def median_heuristic(X, Y=None, max_n=1000, random_state=0):
    """Median-heuristic bandwidth of the pooled sample.

    ``σ = sqrt(median{‖z_i − z_j‖² : i < j} / 2)`` over the rows of ``X`` and ``Y``
    stacked, on a seeded subsample (without replacement) of at most ``max_n`` rows.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        First sample, finite.
    Y : array-like of shape (n_samples_Y, n_features), default=None
        Optional second sample, pooled with ``X``.
    max_n : int, default=1000
        Largest number of pooled rows used (at least 2); the median then costs
        ``max_n²/2`` distances. All rows are used when there are no more.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator, default=0
        Seed of the subsample; the default makes the bandwidth deterministic.

    Returns
    -------
    h : float
        The bandwidth, > 0.

    Raises
    ------
    ValueError
        If the median squared distance is 0 (at least half of the pairs of points
        coincide, e.g. all points are equal): pass an explicit bandwidth instead. Also
        if the median distance itself exceeds the float64 range (data near ±1.8e308):
        rescale the data.

    Notes
    -----
    With ``σ² = median(d²)/2``, the SE kernel ``exp(−d²/σ²)`` equals ``exp(−2)`` at
    the median distance, so it neither saturates at 1 nor vanishes for typical pairs.
    Garreau, Jitkrittum & Kanagawa (2017), "Large sample analysis of the median
    heuristic", arXiv:1707.07269, study this choice. The distances are computed
    directly (:func:`scipy.spatial.distance.pdist`), so they are exact far from the
    origin too. Where squared distances would overflow (coordinates beyond about
    1e154) or underflow (differences below about 1e-154), they are computed on the
    data centred and scaled by a power of two, which the bandwidth undoes exactly: any
    finite data whose median distance is representable get their bandwidth.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.mmd import median_heuristic
    >>> X = np.array([[0.0], [1.0], [3.0]])  # squared distances 1, 4, 9: median 4
    >>> median_heuristic(X)
    1.4142135623730951
    """
    X = _check_sample(X, "X", 1)
    if Y is None:
        Z = X
    else:
        X, Y = _check_pair(X, Y, 1)
        Z = np.concatenate([X, Y])
    if Z.shape[0] < 2:
        raise ValueError("X (with Y) needs at least 2 samples for a pairwise distance.")
    max_n = check_positive_int(max_n, "max_n", minimum=2)
    rng = as_generator(random_state)
    if Z.shape[0] > max_n:
        Z = Z[rng.choice(Z.shape[0], size=max_n, replace=False)]
    median = float(np.median(pdist(Z, "sqeuclidean")))
    if _SQ_DISTANCE_TINY <= median < math.inf:
        return math.sqrt(0.5 * median)
    # Squared distances overflowed or may have underflowed: recompute them on data
    # centred and scaled by a power of two, which rescales the bandwidth exactly.
    median, exponent = _rescaled_median_sq_distance(Z)
    if median == 0.0:
        raise ValueError(
            "The median squared distance between the points is 0 (at least half of the "
            "pairs coincide, e.g. all points are equal), so the median heuristic has no "
            "scale; pass an explicit bandwidth."
        )
    try:
        return math.ldexp(math.sqrt(0.5 * median), exponent)
    except OverflowError:
        raise ValueError(
            "The median distance between the points of X (with Y) exceeds the float64 "
            "range (values near ±1.8e308); rescale the data, e.g. divide X and Y by the "
            "same large factor."
        ) from None


# Below this a median squared distance may have lost precision to underflow (subnormal
# squares of coordinate differences): 2**-960 leaves 62 bits of headroom above them.
_SQ_DISTANCE_TINY = 2.0**-960


def _rescaled_median_sq_distance(Z) -> tuple[float, int]:
    """``(m, e)``: the median squared pairwise distance of ``Z`` is ``m · 4**e``.

    ``Z`` is scaled by a power of two into [-1, 1] (exact), centred (so that a large
    common offset does not hide small differences) and scaled again so that its largest
    coordinate lies in [1/2, 1): the squared distances then neither overflow nor
    underflow, whatever the data's magnitude.
    """
    first = math.frexp(float(np.max(np.abs(Z))))[1]
    centred = np.ldexp(Z, -first)
    centred -= centred.mean(axis=0)
    spread = float(np.max(np.abs(centred)))
    if spread == 0.0:
        return 0.0, 0
    second = math.frexp(spread)[1]
    median = float(np.median(pdist(np.ldexp(centred, -second), "sqeuclidean")))
    return median, first + second


def mmd2_unbiased(X, Y, kernel="se", bandwidth=None, *, n_jobs=None):
    """Unbiased estimate MMD²_u of the squared MMD between two samples.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
        First sample, finite, n ≥ 2.
    Y : array-like of shape (m, n_features)
        Second sample, finite, m ≥ 2.
    kernel : {"se", "imq"}, default="se"
        ``"se"``: ``exp(−d²/σ²)``; ``"imq"``: ``(1 + d²/σ²)^(−1/2)``.
    bandwidth : float > 0, default=None
        ``σ``; ``None`` means :func:`median_heuristic` ``(X, Y)`` (seeded, so
        deterministic).
    n_jobs : int, default=None
        Threads for the kernel tiles; ``None`` uses as many as NumPy's BLAS may use
        (all CPUs unless limited, e.g. inside a joblib worker), ``-1`` all CPUs.
        The result does not depend on it. While the tiles run, NumPy's BLAS is
        limited to one thread (process-wide, as scikit-learn's ``KMeans`` does).

    Returns
    -------
    mmd2 : float
        MMD²_u. It can be slightly negative: the estimator is unbiased, and its
        expectation is 0 when both samples come from one distribution.

    Raises
    ------
    ValueError
        If ``X`` or ``Y`` is missing, ragged, non-numeric, not 2-D or not finite
        (the message names which), the kernel, bandwidth or ``n_jobs`` is invalid,
        the bandwidth is so small that ``(x − c)/σ`` overflows, or, with
        ``bandwidth=None``, :func:`median_heuristic` fails.

    Notes
    -----
    Gretton, Borgwardt, Rasch, Schölkopf & Smola (2012), "A kernel two-sample test",
    JMLR 13:723–773, Lemma 6:

    .. math::

        \\mathrm{MMD}^2_u = \\frac{1}{n(n-1)} \\sum_{i \\ne j} k(x_i, x_j)
            + \\frac{1}{m(m-1)} \\sum_{i \\ne j} k(y_i, y_j)
            - \\frac{2}{nm} \\sum_{i, j} k(x_i, y_j).

    The SE kernel is characteristic; the IMQ kernel (Gorham & Mackey 2017,
    "Measuring sample quality with kernels", ICML) has heavy tails, so it still
    separates distributions when the bandwidth is small relative to their distance.

    Numerics: squared distances come from ``‖a‖² + ‖b‖² − 2 a·b`` on
    ``a = (x − c)/σ``, ``b = (y − c)/σ`` with ``c`` the sample mean (within-sample
    sums) or the midpoint of both means (cross sum), so data far from the origin lose
    no precision, and are clipped at 0. The sums run over tiles of
    :data:`TILE` × :data:`TILE` kernel values — only the upper triangle for the
    within-sample sums — so memory is ``O(TILE² · n_jobs + (n + m) · n_features)``.
    Data of any finite magnitude are accepted: beyond about 1e289 they are divided,
    with the bandwidth, by a power of two first (exact; the kernels depend on
    ``(x − y)/h`` only), so their means and centred values cannot overflow.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.mmd import mmd2_unbiased
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> same = mmd2_unbiased(X, rng.normal(size=(500, 2)), bandwidth=1.0)
    >>> shifted = mmd2_unbiased(X, rng.normal(size=(500, 2)) + 1.0, bandwidth=1.0)
    >>> abs(same) < 0.01 < shifted
    True
    """
    kernel = _check_kernel(kernel)
    X, Y = _check_pair(X, Y, 2)
    h, X, Y = _unit_scale(_resolve_bandwidth(X, Y, bandwidth), X, Y)
    n_jobs = _check_n_jobs(n_jobs)
    n, m = X.shape[0], Y.shape[0]
    groups = [
        _within_tiles(X, h, kernel, _tiles.TILE),
        _within_tiles(Y, h, kernel, _tiles.TILE),
        _cross_tiles(X, Y, h, kernel, _tiles.TILE),
    ]
    tiles = [tile for group in groups for tile in group]
    pairs = n * (n - 1) // 2 + m * (m - 1) // 2 + n * m
    n_threads = min(n_jobs, len(tiles)) if pairs >= _tiles._PARALLEL_MIN_PAIRS else 1
    sums = iter(_tile_sums(tiles, _tiles.TILE, n_threads))
    within_x, within_y, cross = (
        _group_mean(group, sums, count)
        for group, count in zip(groups, (n * (n - 1), m * (m - 1), n * m), strict=True)
    )
    return combine_mean_kernels(within_x, within_y, cross)


def combine_mean_kernels(within_x: float, within_y: float, cross: float) -> float:
    """MMD²_u from its three kernel means: ``within_x + within_y − 2·cross``.

    The one place where :func:`mmd2_unbiased` combines the means of
    :func:`mean_kernel`, so that a caller who caches a mean (e.g. of a fixed
    reference sample) gets bit-identical results.
    """
    return float(within_x + within_y - 2.0 * cross)


def mean_kernel(X, Y=None, kernel="se", bandwidth=None, *, n_jobs=None):
    """Mean kernel value over distinct pairs: one of the three terms of MMD²_u.

    ``Y=None`` gives the within-sample mean ``1/(n(n−1)) Σ_{i≠j} k(x_i, x_j)``; otherwise
    the cross mean ``1/(nm) Σ_{i,j} k(x_i, y_j)``. :func:`mmd2_unbiased` is
    ``combine_mean_kernels(mean_kernel(X), mean_kernel(Y), mean_kernel(X, Y))`` to the
    last bit, so a sweep that compares many samples with one reference can compute
    the reference's term once.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
        A sample, finite, n ≥ 2 (``Y=None``) or n ≥ 1.
    Y : array-like of shape (m, n_features), default=None
        Second sample for the cross mean.
    kernel : {"se", "imq"}, default="se"
    bandwidth : float > 0, default=None
        ``σ``; ``None`` means :func:`median_heuristic` of the pooled sample.
    n_jobs : int, default=None
        Threads, as in :func:`mmd2_unbiased`.

    Returns
    -------
    mean : float

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.mmd import combine_mean_kernels, mean_kernel, mmd2_unbiased
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(size=(300, 2)), rng.normal(size=(200, 2))
    >>> terms = mean_kernel(X, bandwidth=1.0), mean_kernel(Y, bandwidth=1.0)
    >>> cross = mean_kernel(X, Y, bandwidth=1.0)
    >>> combine_mean_kernels(*terms, cross) == mmd2_unbiased(X, Y, bandwidth=1.0)
    True
    """
    kernel = _check_kernel(kernel)
    n_jobs = _check_n_jobs(n_jobs)
    if Y is None:
        X = _check_sample(X, "X", 2)
        h, X = _unit_scale(_resolve_bandwidth(X, None, bandwidth), X)
        group, count = _within_tiles(X, h, kernel, _tiles.TILE), X.shape[0] * (X.shape[0] - 1)
        pairs = count // 2
    else:
        X, Y = _check_pair(X, Y, 1)
        h, X, Y = _unit_scale(_resolve_bandwidth(X, Y, bandwidth), X, Y)
        group, count = _cross_tiles(X, Y, h, kernel, _tiles.TILE), X.shape[0] * Y.shape[0]
        pairs = count
    n_threads = min(n_jobs, len(group)) if pairs >= _tiles._PARALLEL_MIN_PAIRS else 1
    return _group_mean(group, iter(_tile_sums(group, _tiles.TILE, n_threads)), count)
