"""The data-copying test C_T of Meehan, Chaudhuri & Dasgupta (AISTATS 2020)."""

from __future__ import annotations

import functools
import math
import numbers
from typing import NamedTuple

import numpy as np
from scipy.stats import mannwhitneyu
from sklearn.cluster import KMeans
from sklearn.neighbors import NearestNeighbors
from threadpoolctl import ThreadpoolController

from densitylab._blas import single_blas_thread
from densitylab._random import as_generator
from densitylab._validation import check_positive_int
from densitylab.mmd._checks import _check_sample

#: Held-out (and at least as many training) points per cell aimed at by the default
#: number of cells: the paper's experiments use 1000 test points in 5 cells (moons)
#: and 10000 in 50 (MNIST), with 2000 and 50000 training points.
HELDOUT_PER_CELL = 200

#: Generated points a cell must exceed to count, by default (tau = 20 / n_generated),
#: as in the paper's experiments.
MIN_GENERATED_PER_CELL = 20

#: Restarts of k-means (scikit-learn's former default, used by the paper's code).
KMEANS_N_INIT = 10


class DataCopyingResult(NamedTuple):
    """Result of :func:`data_copying_test`.

    Shares are fractions of each sample in each cell (each sums to 1 over the cells).
    """

    statistic: float
    """The statistic C_T, the held-out-weighted mean of ``cell_z`` over the cells used."""
    cell_z: np.ndarray
    """Z-scored Mann-Whitney U of each cell, shape ``(n_cells,)``; NaN outside Π_τ."""
    cells_used: np.ndarray
    """Which cells form Π_τ (a boolean mask), those with over ``tau`` of the generated points."""
    cell_train_share: np.ndarray
    """Share of the training points in each cell."""
    cell_generated_share: np.ndarray
    """Share of the generated points in each cell."""
    cell_heldout_share: np.ndarray
    """Share of the held-out points in each cell (the weights of C_T)."""
    null_sd: float
    """Standard deviation of C_T without copying, given the cell counts, which is
    ``sqrt(Σ w²) / Σ w`` over Π_τ with ``w`` the held-out shares (1 for one cell)."""
    centroids: np.ndarray
    """Cell centres, shape ``(n_cells, n_features)``; a point belongs to the nearest."""
    n_cells: int
    """Number of cells."""
    tau: float
    """Threshold on the generated share of a cell."""


def _check_inputs(X_generated, X_train, X_heldout):
    X_generated = _check_sample(X_generated, "X_generated", 2)
    X_train = _check_sample(X_train, "X_train", 2)
    X_heldout = _check_sample(X_heldout, "X_heldout", 2)
    for name, A in (("X_generated", X_generated), ("X_heldout", X_heldout)):
        if A.shape[1] != X_train.shape[1]:
            raise ValueError(
                f"{name} has {A.shape[1]} features but X_train has {X_train.shape[1]}; "
                "they must match."
            )
    return X_generated, X_train, X_heldout


def _check_n_cells(n_cells, n_train: int, n_heldout: int) -> int:
    if n_cells is None:
        n_cells = max(1, min(n_heldout, n_train) // HELDOUT_PER_CELL)
    n_cells = check_positive_int(n_cells, "n_cells")
    if n_cells > min(n_train, n_heldout):
        raise ValueError(
            f"n_cells={n_cells} is too many: every cell needs training and held-out points, "
            f"and there are {n_train} training and {n_heldout} held-out points."
        )
    return n_cells


def _check_tau(tau, n_generated: int) -> float:
    if tau is None:
        tau = MIN_GENERATED_PER_CELL / n_generated
        if tau >= 1:
            raise ValueError(
                f"X_generated needs more than {MIN_GENERATED_PER_CELL} points for the "
                f"default tau = {MIN_GENERATED_PER_CELL}/n_generated; got {n_generated}. "
                "Pass tau explicitly."
            )
        return tau
    if (
        isinstance(tau, bool)
        or not isinstance(tau, numbers.Real)
        or not (math.isfinite(tau) and 0 <= tau < 1)
    ):
        raise ValueError(f"tau must be a number in [0, 1), got {tau!r}.")
    return float(tau)


@functools.cache
def _openmp_controller():
    # Scanning the loaded libraries takes milliseconds: do it once per process.
    return ThreadpoolController().select(user_api="openmp")


def _cells(X_train, others, n_cells: int, random_state):
    """Centroids and the cell of every point: k-means on the training set, nearest centre."""
    if n_cells == 1:
        centroids = X_train.mean(axis=0, keepdims=True)
        return centroids, [np.zeros(len(A), dtype=np.intp) for A in (X_train, *others)]
    if len(np.unique(X_train, axis=0)) < n_cells:
        raise ValueError(
            f"n_cells={n_cells} exceeds the number of distinct training points; use fewer cells."
        )
    seed = int(as_generator(random_state).integers(np.iinfo(np.int32).max))
    # One OpenMP and one BLAS thread: k-means sums its centres in per-thread chunks, so
    # the partition would depend on the core count; and on a busy machine its threads
    # made a fit on a few hundred points ten times slower (0.15 s instead of 15 ms).
    # The OpenMP limit is per calling thread, so concurrent callers do not interfere.
    with single_blas_thread(), _openmp_controller().limit(limits=1):
        km = KMeans(n_clusters=n_cells, n_init=KMEANS_N_INIT, random_state=seed).fit(X_train)
        return km.cluster_centers_, [km.predict(A) for A in (X_train, *others)]


def _z_mann_whitney(d_generated, d_heldout) -> float:
    """``(U − nm/2 + ½) / sqrt(nm(n+m+1)/12)``, U = #{d_gen > d_held} + ½ #ties."""
    m, n = len(d_generated), len(d_heldout)
    u = float(mannwhitneyu(d_generated, d_heldout).statistic)
    return (u - n * m / 2 + 0.5) / math.sqrt(n * m * (n + m + 1) / 12)


def data_copying_test(
    X_generated, X_train, X_heldout, *, n_cells=None, tau=None, random_state=None
):
    """Data-copying test C_T: do generated points sit closer to the training set than new data?

    Parameters
    ----------
    X_generated : array-like of shape (m, n_features)
        Samples of the model, finite, m ≥ 2.
    X_train : array-like of shape (l, n_features)
        The model's training set, finite, l ≥ 2.
    X_heldout : array-like of shape (n, n_features)
        Fresh data from the training distribution, not used in training, finite, n ≥ 2.
    n_cells : int, default=None
        Number of cells (k-means clusters of the training set), between 1 and
        ``min(l, n)``. ``None`` means ``max(1, min(n, l) // 200)``: about 200 held-out
        points per cell, the ratio of both experiments of the paper (moons: 1000 test
        points, 5 cells; MNIST: 10000, 50), so that each cell's U test has power of its
        own, and at least as many training points to measure distances to.
    tau : float in [0, 1), default=None
        A cell counts (belongs to Π_τ) when it holds *more* than a share ``tau`` of the
        generated points. ``None`` means ``20 / m`` (more than 20 generated points), the
        paper's choice; it needs m > 20.
    random_state : None, int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of k-means (unused for one cell); equal seeds give identical results.

    Returns
    -------
    DataCopyingResult
        Named tuple ``(statistic, cell_z, cells_used, cell_train_share,
        cell_generated_share, cell_heldout_share, null_sd, centroids, n_cells, tau)``.
        ``statistic`` ≪ 0: copying; ≫ 0: samples farther from the data than new data
        (under-fitting, over-dispersion); near 0: neither.

    Raises
    ------
    ValueError
        On bad inputs (naming them); if a cell of Π_τ holds no held-out or no training
        point; if no cell holds more than ``tau`` of the generated points.

    Notes
    -----
    Meehan, Chaudhuri & Dasgupta (2020), "A non-parametric test to detect
    data-copying in generative models", AISTATS, §3–4, and their code
    (github.com/casey-meehan/data-copying, ``data_copying_tests.py``), which this
    follows. The training set ``T`` is partitioned into cells π by k-means
    (scikit-learn's :class:`~sklearn.cluster.KMeans`, 10 restarts); every point
    belongs to the cell of its nearest centroid. In each cell, ``d(x)`` is the
    distance from ``x`` to its nearest training point *of the same cell* (as in the
    paper's code; :class:`~sklearn.neighbors.NearestNeighbors`, Euclidean), and with
    the cell's ``m_π`` generated and ``n_π`` held-out points

    .. math::

        U_\\pi = \\#\\{(i, j) : d(q_i) > d(p_j)\\} + \\tfrac12 \\#\\{d(q_i) = d(p_j)\\},
        \\qquad
        Z_\\pi = \\frac{U_\\pi - n_\\pi m_\\pi / 2 + 1/2}
                     {\\sqrt{n_\\pi m_\\pi (n_\\pi + m_\\pi + 1) / 12}}

    (U from :func:`scipy.stats.mannwhitneyu`; the ``+½`` and the untied variance are
    the paper's code's). Then, over
    :math:`\\Pi_\\tau = \\{\\pi : Q_m(\\pi) > \\tau\\}`, with :math:`P_n(\\pi)` the
    held-out share of cell π,

    .. math::

        C_T = \\frac{\\sum_{\\pi \\in \\Pi_\\tau} P_n(\\pi) Z_\\pi}
                    {\\sum_{\\pi \\in \\Pi_\\tau} P_n(\\pi)}.

    Z ≪ 0: copying (generated points closer to the training set than new data);
    Z ≫ 0: samples farther from the data than new data (under-fitting,
    over-dispersion). Without copying each :math:`Z_\\pi` is about N(0, 1), the cells
    independent given their counts, so C_T has standard deviation ``null_sd`` =
    :math:`\\sqrt{\\sum w^2}/\\sum w < 1` for several cells (about
    :math:`1/\\sqrt{k}` for k equal cells): a threshold such as −3 on C_T is then
    more conservative than on one Z-score. The data are centred on the training mean
    before the distances are taken, which changes no distance but keeps
    scikit-learn's ``‖a‖² + ‖b‖² − 2a·b`` accurate for data far from the origin.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.data import sample_moons
    >>> from densitylab.diagnostics import data_copying_test
    >>> X_train = sample_moons(1000, random_state=0)
    >>> X_heldout = sample_moons(1000, random_state=1)
    >>> rng = np.random.default_rng(2)
    >>> copies = X_train[rng.integers(0, 1000, 500)] + 1e-3 * rng.normal(size=(500, 2))
    >>> result = data_copying_test(copies, X_train, X_heldout, random_state=0)
    >>> result.n_cells, bool(result.statistic < -5)
    (5, True)
    """
    X_generated, X_train, X_heldout = _check_inputs(X_generated, X_train, X_heldout)
    n_cells = _check_n_cells(n_cells, X_train.shape[0], X_heldout.shape[0])
    tau = _check_tau(tau, X_generated.shape[0])
    centre = X_train.mean(axis=0)
    X_generated, X_train, X_heldout = X_generated - centre, X_train - centre, X_heldout - centre
    centroids, (cell_t, cell_g, cell_h) = _cells(
        X_train, (X_generated, X_heldout), n_cells, random_state
    )
    shares = [
        np.bincount(cells, minlength=n_cells) / len(cells) for cells in (cell_t, cell_g, cell_h)
    ]
    used = shares[1] > tau
    if not used.any():
        raise ValueError(
            f"No cell holds more than tau={tau:.4g} of the generated points; lower tau "
            "or n_cells, or pass more generated points."
        )
    cell_z = np.full(n_cells, np.nan)
    for k in np.flatnonzero(used):
        train_k, held_k = X_train[cell_t == k], X_heldout[cell_h == k]
        if len(train_k) == 0 or len(held_k) == 0:
            raise ValueError(
                f"Cell {k} holds generated points but no "
                f"{'training' if len(train_k) == 0 else 'held-out'} point; "
                "use fewer cells (n_cells)."
            )
        nn = NearestNeighbors(n_neighbors=1).fit(train_k)
        d_generated = nn.kneighbors(X_generated[cell_g == k])[0][:, 0]
        d_heldout = nn.kneighbors(held_k)[0][:, 0]
        cell_z[k] = _z_mann_whitney(d_generated, d_heldout)
    weights = shares[2][used]
    statistic = float(np.dot(weights, cell_z[used]) / weights.sum())
    null_sd = float(np.sqrt(np.sum(weights**2)) / weights.sum())
    return DataCopyingResult(
        statistic=statistic,
        cell_z=cell_z,
        cells_used=used,
        cell_train_share=shares[0],
        cell_generated_share=shares[1],
        cell_heldout_share=shares[2],
        null_sd=null_sd,
        centroids=centroids + centre,
        n_cells=n_cells,
        tau=tau,
    )
