"""The MMD witness function: where one sample has more mass than the other."""

from __future__ import annotations

from densitylab.mmd._checks import _check_kernel, _check_n_jobs, _check_triple
from densitylab.mmd._estimators import _resolve_bandwidth
from densitylab.mmd._rowsums import cross_row_sums


def witness(X, Y, T, kernel="se", bandwidth=None, *, n_jobs=None):
    """MMD witness function of ``X`` against ``Y``, evaluated at the points ``T``.

    ``f(t) = mean_i k(t, x_i) − mean_j k(t, y_j)``: positive where ``X`` has more
    mass than ``Y`` (as seen through the kernel), negative where it has less.

    Parameters
    ----------
    X : array-like of shape (n, n_features)
        First sample, finite, n ≥ 1 (e.g. generated points).
    Y : array-like of shape (m, n_features)
        Second sample, finite, m ≥ 1 (e.g. held-out data).
    T : array-like of shape (n_points, n_features)
        Where to evaluate the witness, finite, at least one point.
    kernel : {"se", "imq"}, default="se"
        ``"se"``: ``exp(−d²/σ²)``; ``"imq"``: ``(1 + d²/σ²)^(−1/2)``.
    bandwidth : float > 0, default=None
        ``σ``; ``None`` means :func:`median_heuristic` ``(X, Y)`` — the pooled ``X``
        and ``Y`` with its seeded default subsample, the same bandwidth
        :func:`mmd2_unbiased` ``(X, Y)`` uses, so the two describe one discrepancy.
    n_jobs : int, default=None
        Threads, as in :func:`mmd2_unbiased`; the result does not depend on it.

    Returns
    -------
    f : ndarray of shape (n_points,)
        The witness at each row of ``T``, in [−1, 1].

    Notes
    -----
    With kernel mean embeddings :math:`\\hat\\mu_X = \\frac1n \\sum_i k(\\cdot, x_i)`
    and :math:`\\hat\\mu_Y = \\frac1m \\sum_j k(\\cdot, y_j)`, the (unnormalised)
    witness is :math:`f = \\hat\\mu_X - \\hat\\mu_Y`, so that
    :math:`f(t) = \\langle f, k(\\cdot, t)\\rangle_{\\mathcal H}`. It is the direction
    in the RKHS along which the two samples differ most: the function attaining the
    supremum in :math:`\\mathrm{MMD} = \\sup_{\\|g\\|_{\\mathcal H} \\le 1}
    (\\mathbb E_X g - \\mathbb E_Y g)` is :math:`f/\\|f\\|_{\\mathcal H}`, and the
    squared norm is the biased (V-statistic) estimate

    .. math::

        \\|f\\|^2_{\\mathcal H} = \\mathrm{MMD}^2_b
            = \\frac1n \\sum_i f(x_i) - \\frac1m \\sum_j f(y_j)

    (Gretton, Borgwardt, Rasch, Schölkopf & Smola 2012, "A kernel two-sample test",
    JMLR 13:723–773, §2.3). Plotting ``f`` over the data shows *where* a model's
    samples miss: Lloyd & Ghahramani (2015), "Statistical model criticism using
    kernel two sample tests", NeurIPS, use it for exactly this model criticism.

    Numerics: ``T``, ``X`` and ``Y`` are centred on one common point (the midpoint of
    the means of ``X`` and ``Y``) before the squared distances are expanded, so the
    result is exact to rounding also far from the origin; the kernel values are summed
    over tiles of a bounded number of kernel values, so memory is
    ``O(TILE² · n_jobs + (n + m + n_points) · n_features)``.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.mmd import witness
    >>> X, Y = np.array([[0.0]]), np.array([[2.0]])
    >>> witness(X, Y, np.array([[0.0], [2.0]]), bandwidth=1.0).round(4)  # ±(1 − e⁻⁴)
    array([ 0.9817, -0.9817])
    """
    kernel = _check_kernel(kernel)
    X, Y, T = _check_triple(X, Y, T, "T", 1)
    h = _resolve_bandwidth(X, Y, bandwidth)
    n_jobs = _check_n_jobs(n_jobs)
    centre = 0.5 * (X.mean(axis=0) + Y.mean(axis=0))
    to_x = cross_row_sums(T, X, h, kernel, n_jobs, centre=centre)
    to_y = cross_row_sums(T, Y, h, kernel, n_jobs, centre=centre)
    return to_x / X.shape[0] - to_y / Y.shape[0]
