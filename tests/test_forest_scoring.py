"""DensityForest.score_samples: vectorised and pruned, yet the sum over every leaf.

The reference is the evaluation the forest used before issue 12, kept here: every
leaf's Gaussian log-density, one leaf at a time, plus its log weight, then
``scipy.special.logsumexp`` over all leaves of all trees.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.datasets import load_digits

from densitylab.data import sample_moons
from densitylab.models import DensityForest
from densitylab.models._forest_score import (
    _CHUNK,
    _LOG_SKIP_MASS,
    LeafTable,
    _kept_leaves,
    _own_leaf_bound,
)
from densitylab.models._gaussians import component_log_pdfs, precision_cholesky


def reference_score_samples(forest: DensityForest, X: np.ndarray) -> np.ndarray:
    """log p(x) over all leaves, from the trees' own attributes, leaf by leaf."""
    return logsumexp(_reference_terms(forest, X), axis=1)


def _reference_terms(forest, X):
    means = np.concatenate([tree.means for tree in forest.trees_])
    precisions = np.stack(
        [precision_cholesky(chol) for tree in forest.trees_ for chol in tree.chols]
    )
    weights = np.concatenate([tree.weights for tree in forest.trees_]) / len(forest.trees_)
    return component_log_pdfs(X, means, precisions) + np.log(weights)


@pytest.fixture(scope="module")
def moons_forest():
    X = sample_moons(2000, noise=0.1, random_state=0)
    return DensityForest(n_trees=4, n_min=3, random_state=0).fit(X)


def test_moons_scores_equal_the_leaf_by_leaf_sum(moons_forest):
    queries = sample_moons(3000, noise=0.1, random_state=1)
    expected = reference_score_samples(moons_forest, queries)
    np.testing.assert_allclose(moons_forest.score_samples(queries), expected, rtol=0, atol=1e-12)


def test_far_and_mixed_queries_equal_the_leaf_by_leaf_sum(moons_forest):
    near = sample_moons(40, noise=0.1, random_state=2)
    # Far points alone, and one chunk mixing near and far points (a wide box, a low bound).
    far = np.array([[1e3, -1e3], [40.0, 0.0], [3.0, 3.0], [-5.0, 0.5]])
    for queries in (far, np.vstack([near, far]), near + 2.0):
        expected = reference_score_samples(moons_forest, queries)
        np.testing.assert_allclose(moons_forest.score_samples(queries), expected, rtol=1e-14)


@pytest.mark.parametrize("n_features", [1, 3, 5])
def test_other_dimensions_equal_the_leaf_by_leaf_sum(n_features):
    # 1 and 3 features: the elementwise path; 5: the stacked matrix products.
    rng = np.random.default_rng(n_features)
    X = rng.standard_normal((600, n_features)) * np.linspace(0.5, 2.0, n_features) + 10.0
    forest = DensityForest(n_trees=3, n_min=4, max_features=None, random_state=0).fit(X)
    queries = np.vstack([X[:100] + 0.05, rng.standard_normal((100, n_features)) * 3 + 10.0])
    expected = reference_score_samples(forest, queries)
    np.testing.assert_allclose(forest.score_samples(queries), expected, rtol=0, atol=1e-12)


@pytest.mark.slow
def test_digits_scores_equal_the_leaf_by_leaf_sum():
    digits = load_digits().data.astype(np.float64)
    forest = DensityForest(n_trees=3, n_min=5, reg_covar=1.0, random_state=0).fit(digits[:1500])
    heldout = digits[1500:]
    scores = forest.score_samples(heldout)
    np.testing.assert_allclose(
        scores, reference_score_samples(forest, heldout), rtol=0, atol=1e-12
    )
    # Shifted far off, the values reach thousands of nats: compare relative to them.
    shifted = heldout[:50] + 20.0
    expected = reference_score_samples(forest, shifted)
    np.testing.assert_allclose(forest.score_samples(shifted), expected, rtol=1e-14)


def test_skipped_leaves_hold_less_than_one_rounding_unit(moons_forest):
    queries = sample_moons(5000, noise=0.1, random_state=3)
    table = moons_forest._leaves
    bound = _own_leaf_bound(queries, moons_forest.trees_, table)
    exact = reference_score_samples(moons_forest, queries)
    assert np.all(bound <= exact + 1e-12)  # the own leaves' terms bound log p from below
    # A chunk of nearby queries, as scoring forms them, at the tip of a moon.
    chunk = np.argsort(np.linalg.norm(queries - [-1.0, 0.0], axis=1))[:_CHUNK]
    kept = _kept_leaves(queries[chunk], bound[chunk].min(), table)
    n_leaves = table.log_coef.size
    assert 0 < kept.size < n_leaves / 2  # the pruning does prune
    skipped = np.setdiff1d(np.arange(n_leaves), kept)
    terms = _reference_terms(moons_forest, queries[chunk])[:, skipped]
    assert np.all(logsumexp(terms, axis=1) - exact[chunk] < -52 * math.log(2))


def _flat_table(log_coef):
    n = len(log_coef)
    return LeafTable(
        means=np.zeros((n, 1)),
        precisions_chol=np.ones((n, 1, 1)),
        log_coef=np.asarray(log_coef, dtype=np.float64),
        min_precision=np.ones(n),
        offsets=np.array([0]),
    )


def test_many_small_leaves_are_kept_when_together_they_matter():
    # 1000 leaves each 0.5 nat below the skip threshold hold e^6.4 times more than it.
    table = _flat_table(np.full(1000, _LOG_SKIP_MASS - 0.5))
    assert _kept_leaves(np.zeros((1, 1)), 0.0, table).size == 1000
    # Ten such leaves 3 nats down hold less than the threshold: all skipped.
    table = _flat_table(np.full(10, _LOG_SKIP_MASS - 3.0))
    assert _kept_leaves(np.zeros((1, 1)), 0.0, table).size == 0


def test_a_log_density_beyond_the_float_range_is_refused_without_warning(moons_forest):
    # The log density of a query this far out is below float64's range: a clear error
    # (not a -inf that would claim a zero density), and no RuntimeWarning on the way.
    with pytest.raises(ValueError, match="below the float64 range"):
        moons_forest.score_samples(np.array([[1e200, 0.0], [0.5, 0.25]]))
    far = moons_forest.score_samples(np.array([[1e50, 0.0], [0.5, 0.25]]))
    assert np.isfinite(far).all() and far[0] < -1e90
