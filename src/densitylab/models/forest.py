"""Density forest: an average of density trees with a Gaussian in every leaf.

Criminisi, Shotton & Konukoglu (2011), *Decision Forests*, chapter 5. Each tree
partitions the data by axis-aligned splits chosen to maximise the information gain
of a Gaussian fit; each leaf keeps the Gaussian of its points and their share.
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, cpu_count, delayed, effective_n_jobs

from densitylab._blas import single_blas_thread
from densitylab._random import as_generator
from densitylab._validation import check_nonnegative_float, check_positive_int
from densitylab.models._base import DensityEstimatorBase
from densitylab.models._forest_score import forest_log_density, leaf_table
from densitylab.models._forest_tree import DensityTree, _grow_tree
from densitylab.models._gaussians import check_log_density, check_magnitude, sample_mixture

__all__ = ["DensityForest", "DensityTree"]


class DensityForest(DensityEstimatorBase):
    """Density forest: the average of density trees with a Gaussian in each leaf.

    Each tree recursively splits (a bootstrap resample of) the data on the
    axis-aligned threshold that maximises the information gain of a Gaussian fit,
    until no split leaves ``n_min`` points in both children. A leaf keeps the
    Gaussian of its points (MLE covariance + ``reg_covar``·I) and its share of the
    tree's points; the tree density is that leaf-weighted Gaussian mixture and the
    forest density the average of its trees.

    Parameters
    ----------
    n_trees : int, default=10
        Number of trees, at least 1.
    n_min : int, default=5
        Least number of points in each child of a split, so every leaf holds at
        least ``n_min`` points (smaller → more, smaller leaves).
    max_features : {"sqrt", "log2"}, int, float or None, default="sqrt"
        Features considered at each node, drawn at random per node among the
        features that vary in it: ``"sqrt"`` → ``max(1, int(sqrt(D)))``,
        ``"log2"`` → ``max(1, int(log2(D)))``, ``None`` → all ``D``, an int
        ``1 <= k <= D`` → ``k``, a float in ``(0, 1]`` → ``max(1, int(f·D))``.
    bootstrap : bool, default=True
        Grow each tree on a bootstrap resample (``n`` rows drawn with repeats)
        instead of on all rows.
    reg_covar : float, default=1e-2
        Non-negative number added to the diagonal of every covariance, leaves and split
        candidates alike: the least variance the model gives any direction, in squared
        data units. It matters because leaves are small (``n_min`` to about ``2·n_min``
        points): in more dimensions than points most directions of a leaf covariance are
        degenerate and get exactly this variance, which then sets how far the density
        reaches from the leaf's points, and each degenerate direction adds ``½ log
        reg_covar`` to the split entropies (a tiny value, say 1e-6, makes those terms
        dominate every log-determinant and leaves held-out points a near-zero density).
        The default 1e-2, a standard deviation of 0.1, is meant for data on a unit scale
        such as two-moons (noise 0.1): at the default ``n_min`` it blurs the leaves
        little while keeping a tiny value's overfitting away. For data on another scale
        multiply it by the square of that scale; for the digits pixels (0–16, with
        constant pixels) a value near 1, one grey level, gives a far better held-out
        likelihood. With 0, a child needs more points than the node has varying
        features, and data whose leaves still come out singular (repeated or collinear
        points, as a bootstrap resample makes) raise a ValueError asking for a positive
        value.
    n_jobs : int or None, default=None
        Number of processes that grow trees (joblib; ``None`` means 1 outside a
        :func:`joblib.parallel_config` context, ``-1`` all cores). At most
        ``min(n_jobs, n_trees, CPUs)`` workers start: a worker without a tree, or
        beyond the cores, only costs its start-up. The result does not depend on it:
        every tree's seed is drawn before the trees are dispatched.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Seed of the bootstrap resamples, the features drawn at each node and, by
        default, of :meth:`sample`.

    Attributes
    ----------
    trees_ : list of DensityTree
        The fitted trees: split structure and leaf Gaussians.
    max_features_ : int
        Number of features drawn at each node.
    n_leaves_ : int
        Total number of leaves over all trees.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    GMM : a Gaussian mixture fitted by EM instead of by recursive splitting.

    Notes
    -----
    The entropy of a Gaussian fit to the ``n`` points of a node is
    ``H = ½ log det(2πe Σ)``, ``Σ = S/n + reg_covar·I`` with ``S`` the scatter
    about the node mean; a split into children with ``n_l`` and ``n_r`` points
    has information gain

    .. math:: G = H(\\text{parent}) - \\frac{n_l}{n} H(l) - \\frac{n_r}{n} H(r).

    A node splits where some candidate leaves ``n_min`` points on both sides and
    has ``G > 0``. The search is exact: for each candidate feature the node's rows
    (centred on their mean, against cancellation) are sorted once and prefix sums
    of ``z`` and ``z zᵀ`` give every child covariance; only thresholds between
    distinct consecutive values are real splits, so a node costs ``O(m D²)`` per
    feature plus one factorisation per candidate child. Log-determinants come from
    batched Cholesky factors (the child's mean enters through a bordered matrix,
    not by subtraction), and for a child of ``k < D`` points from the ``k×k``
    matrix of Sylvester's identity ``det(r I_D + AᵀA) = r^D det(I_k + A Aᵀ/r)``;
    the small children of a whole tree level are factorised together. Features
    constant in a node add the same ``½ log reg_covar`` to every entropy there and
    cancel from the gain, so they are left out of its covariances. A threshold is
    the midpoint of two distinct values, and ``x <= t`` goes left.

    The forest density is the mixture of all leaves of all ``T`` trees with
    weights ``share/T``,

    .. math:: p(x) = \\frac{1}{T} \\sum_t \\sum_{l \\in t} w_l \\,
              \\mathcal{N}(x \\mid \\mu_l, \\Sigma_l),

    and :meth:`sample` draws from exactly this mixture (a tree, then a leaf, then
    its Gaussian). :meth:`score_samples` evaluates it in vectorised batches of nearby
    queries; the terms of a query's own leaves (found by routing it through each tree)
    bound ``p(x)`` from below, and leaves whose terms are provably below ``2⁻⁵² p(x)``
    together, whatever the query in the batch, are skipped, so the sum is exact to
    rounding.

    Data with a coordinate beyond 1e100 in magnitude are refused (ValueError: rescale
    them), since sums of their squares could overflow; so are queries whose log
    density falls below the float64 range, instead of a -inf that would claim a zero
    density.

    References
    ----------
    A. Criminisi, J. Shotton and E. Konukoglu (2011). Decision Forests for
    Classification, Regression, Density Estimation, Manifold Learning and
    Semi-Supervised Learning. Microsoft Research technical report MSR-TR-2011-114,
    chapter 5.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.models import DensityForest
    >>> X = sample_moons(300, noise=0.1, random_state=0)
    >>> forest = DensityForest(n_trees=5, n_min=10, random_state=0).fit(X)
    >>> forest.sample(4, random_state=1).shape
    (4, 2)
    >>> bool(forest.score(X) > forest.score(X + 1.0))
    True
    """

    def __init__(
        self,
        n_trees=10,
        n_min=5,
        max_features="sqrt",
        bootstrap=True,
        reg_covar=1e-2,
        n_jobs=None,
        random_state=None,
    ):
        self._keep_params(locals())

    def _resolve_max_features(self, n_features: int) -> int:
        value = self.max_features
        if value is None:
            return n_features
        if isinstance(value, str):
            if value == "sqrt":
                return max(1, int(np.sqrt(n_features)))
            if value == "log2":
                return max(1, int(np.log2(n_features)))
        elif isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
            if 1 <= value <= n_features:
                return int(value)
        elif isinstance(value, numbers.Real) and not isinstance(value, bool) and 0 < value <= 1:
            return max(1, int(value * n_features))
        raise ValueError(
            'max_features must be "sqrt", "log2", None, an int between 1 and the number '
            f"of features ({n_features}) or a float in (0, 1], got {value!r}."
        )

    def _fit(self, X):
        n_trees = check_positive_int(self.n_trees, "n_trees")
        n_min = check_positive_int(self.n_min, "n_min")
        reg_covar = check_nonnegative_float(self.reg_covar, "reg_covar")
        if not isinstance(self.bootstrap, (bool, np.bool_)):
            raise ValueError(f"bootstrap must be True or False, got {self.bootstrap!r}.")
        if self.n_jobs is not None and (
            isinstance(self.n_jobs, bool)
            or not isinstance(self.n_jobs, (numbers.Integral, np.integer))
            or self.n_jobs == 0
        ):
            raise ValueError(
                f"n_jobs must be None or a non-zero integer (-1: all cores), got {self.n_jobs!r}."
            )
        n_try = self._resolve_max_features(X.shape[1])
        check_magnitude(X, "DensityForest")

        # Every random choice of a tree comes from its own seed, drawn here before
        # dispatch, so the forest is the same for every n_jobs.
        rng = as_generator(self.random_state)
        seeds = np.random.SeedSequence(rng.integers(np.iinfo(np.int64).max)).spawn(n_trees)
        grown = Parallel(n_jobs=_n_workers(self.n_jobs, n_trees))(
            delayed(_grow_tree)(X, bool(self.bootstrap), n_min, n_try, reg_covar, seed)
            for seed in seeds
        )
        self.trees_ = [tree for tree, _ in grown]
        self.max_features_ = n_try
        self.n_leaves_ = sum(tree.n_leaves for tree in self.trees_)
        # The forest as one flat mixture of all leaves, weights share / n_trees.
        self._weights = np.concatenate([tree.weights for tree in self.trees_]) / n_trees
        self._leaves = leaf_table(
            self.trees_, np.concatenate([prec for _, prec in grown]), np.log(self._weights)
        )
        return self

    def _score_samples(self, X):
        # Batches of small products (one leaf's 2×2 factor per pair in 2-D): BLAS threads
        # only add overhead, and one thread keeps the arithmetic the same on every machine.
        with single_blas_thread():
            return check_log_density(forest_log_density(X, self.trees_, self._leaves))

    def _sample(self, n_samples, rng):
        chols = np.concatenate([tree.chols for tree in self.trees_])
        return sample_mixture(rng, self._weights, self._leaves.means, chols, n_samples)


def _n_workers(n_jobs, n_trees: int) -> int:
    """Workers that grow the trees: the request, capped by the trees and the CPUs.

    As in joblib, ``None`` is 1 (or the active ``parallel_config``'s value) and a
    negative value counts back from the CPUs (-1: all of them).
    """
    cpus = cpu_count()
    if n_jobs is None:
        requested = effective_n_jobs(None)
    elif n_jobs < 0:
        requested = cpus + 1 + n_jobs
    else:
        requested = n_jobs
    return max(1, min(requested, n_trees, cpus))
