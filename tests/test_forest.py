"""DensityForest: the exact split search, the tree structure, the density and its sampler.

References are computed independently here: entropies with ``np.cov(bias=True)`` and
``np.linalg.slogdet``, a brute-force split search over every feature and threshold,
leaf Gaussians with ``scipy.stats.multivariate_normal``.
"""

from __future__ import annotations

import joblib
import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_digits

from densitylab.data import sample_moons
from densitylab.models import DensityForest
from densitylab.models import forest as forest_module
from densitylab.models._forest_split import _best_split, _best_splits


def entropy(points: np.ndarray, reg_covar: float) -> float:
    """½ log det(2πe Σ) of the Gaussian fit, Σ = MLE covariance + reg_covar·I."""
    n_features = points.shape[1]
    cov = np.atleast_2d(np.cov(points, rowvar=False, bias=True)) + reg_covar * np.eye(n_features)
    sign, logdet = np.linalg.slogdet(2 * np.pi * np.e * cov)
    assert sign > 0
    return 0.5 * logdet


def split_gain(X, feature, threshold, reg_covar) -> float:
    """Information gain H(parent) - Σ (n_c/n) H(c) of one split, from scratch."""
    left = X[:, feature] <= threshold
    n, n_left = len(X), int(left.sum())
    children = n_left * entropy(X[left], reg_covar) + (n - n_left) * entropy(X[~left], reg_covar)
    return entropy(X, reg_covar) - children / n


def brute_force_gains(X, n_min, reg_covar) -> list[tuple[float, int, float]]:
    """(gain, feature, threshold) of every admissible split: all features, all thresholds."""
    out = []
    for feature in range(X.shape[1]):
        values = np.unique(X[:, feature])
        for lo, hi in zip(values[:-1], values[1:], strict=True):
            threshold = (lo + hi) / 2
            n_left = int(np.sum(X[:, feature] <= threshold))
            if min(n_left, len(X) - n_left) >= n_min:
                out.append((split_gain(X, feature, threshold, reg_covar), feature, threshold))
    return out


def node_members(tree, X) -> dict[int, np.ndarray]:
    """Rows of ``X`` that reach each node, by walking the split structure (parents are
    numbered before their children)."""
    members = {0: np.arange(len(X))}
    for node in range(tree.feature.size):
        if tree.feature[node] >= 0:
            rows = members[node]
            go_left = X[rows, tree.feature[node]] <= tree.threshold[node]
            members[tree.children_left[node]] = rows[go_left]
            members[tree.children_right[node]] = rows[~go_left]
    return members


def split_data(kind: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "2d-continuous":
        return rng.standard_normal((40, 2)) * [1.0, 0.3] + [5.0, -2.0]
    if kind == "2d-ties":
        return np.round(rng.standard_normal((50, 2)) * 2) / 2
    if kind == "6d-ties":
        return rng.integers(0, 5, size=(45, 6)).astype(float)
    if kind == "6d-constant-column":
        X = rng.standard_normal((30, 6))
        X[:, 2] = 3.0
        return X
    if kind == "12d-few-points":  # children with fewer points than features
        return rng.standard_normal((20, 12)) + rng.integers(0, 2, size=(20, 1)) * 3
    if kind == "12d-integer-blocks":  # few distinct values, many rows per block
        return rng.integers(0, 4, size=(200, 12)).astype(float)
    if kind == "40d-few-points":  # children of up to 39 points: two size classes
        return rng.standard_normal((44, 40)) + np.linspace(0, 4, 44)[:, None]
    raise ValueError(kind)


CASES = [
    ("2d-continuous", 1, 1e-2),
    ("2d-continuous", 3, 0.0),
    ("2d-ties", 2, 1e-2),
    ("6d-ties", 1, 1e-2),
    ("6d-ties", 4, 0.5),
    ("6d-constant-column", 2, 1e-2),
    ("12d-few-points", 1, 1e-2),
    ("12d-few-points", 3, 1e-3),
    ("12d-integer-blocks", 5, 1e-2),
    ("40d-few-points", 2, 1e-2),
]


# Three seeds each, one for the slow brute force in 40-D.
SPLIT_PARAMS = [
    (kind, n_min, reg_covar, seed)
    for kind, n_min, reg_covar in CASES
    for seed in ((0,) if kind.startswith("40d") else (0, 1, 2))
]


@pytest.mark.parametrize(("kind", "n_min", "reg_covar", "seed"), SPLIT_PARAMS)
def test_split_search_equals_brute_force(kind, n_min, reg_covar, seed):
    X = split_data(kind, seed)
    candidates = brute_force_gains(X, n_min, reg_covar)
    split = _best_split(X, np.arange(X.shape[1]), n_min, reg_covar)
    best_gain = max(gain for gain, _, _ in candidates)
    assert best_gain > 0
    assert split is not None
    # Exact search: the same optimum, to rounding.
    np.testing.assert_allclose(split.gain, best_gain, rtol=1e-9, atol=1e-10)
    # The returned split is the optimum (a tie between equal partitions may pick any).
    np.testing.assert_allclose(
        split_gain(X, split.feature, split.threshold, reg_covar), best_gain, rtol=1e-9, atol=1e-10
    )
    column = X[:, split.feature]
    assert split.n_left == np.sum(column <= split.threshold)
    lo, hi = column[column <= split.threshold].max(), column[column > split.threshold].min()
    assert split.threshold == (lo + hi) / 2
    near_best = [c for c in candidates if c[0] > best_gain - 1e-6]
    if len(near_best) == 1:  # a unique optimum (different features may cut alike)
        assert (split.feature, split.threshold) == near_best[0][1:]


def test_batched_search_equals_one_node_at_a_time():
    # A tree level is searched as one batch: nodes of different sizes, features and
    # constant columns must not influence one another.
    rng = np.random.default_rng(5)
    nodes = []
    for n_rows, n_features in [(9, 12), (30, 12), (14, 12), (60, 12), (22, 12)]:
        X = rng.integers(0, 4, size=(n_rows, n_features)).astype(float)
        X[:, rng.integers(n_features)] = 1.0  # a constant column
        features = rng.choice(n_features, size=rng.integers(2, 6), replace=False)
        nodes.append((X, features))
    batched = _best_splits(nodes, 3, 1e-2)
    for (X, features), split in zip(nodes, batched, strict=True):
        alone = _best_split(X, features, 3, 1e-2)
        assert (split is None) == (alone is None)
        if split is not None:
            assert (split.feature, split.threshold, split.n_left) == (
                alone.feature,
                alone.threshold,
                alone.n_left,
            )
            np.testing.assert_allclose(split.gain, alone.gain, rtol=1e-12)
            candidates = [c for c in brute_force_gains(X, 3, 1e-2) if c[1] in features]
            np.testing.assert_allclose(split.gain, max(candidates)[0], rtol=1e-9)
    assert sum(split is not None for split in batched) >= 4


def test_split_search_respects_the_feature_subset_and_n_min():
    X = split_data("6d-ties", 3)
    split = _best_split(X, [4, 1], 6, 1e-2)
    candidates = [c for c in brute_force_gains(X, 6, 1e-2) if c[1] in (4, 1)]
    assert split.feature in (4, 1)
    np.testing.assert_allclose(split.gain, max(candidates)[0], rtol=1e-9)
    assert min(split.n_left, len(X) - split.n_left) >= 6
    # Too few rows for two children of n_min, or only constant features: no split.
    assert _best_split(X[:11], np.arange(6), 6, 1e-2) is None
    assert _best_split(np.ones((20, 3)), np.arange(3), 1, 1e-2) is None


def test_split_search_does_not_lose_precision_far_from_the_origin():
    X = split_data("6d-ties", 0) + np.linspace(0.5, 3, 45)[:, None]
    near = _best_split(X, np.arange(6), 3, 1e-2)
    far = _best_split(X + 1e7, np.arange(6), 3, 1e-2)
    assert (far.feature, far.n_left) == (near.feature, near.n_left)
    np.testing.assert_allclose(far.gain, near.gain, rtol=1e-6)


def test_threshold_between_adjacent_floats_keeps_sides_apart():
    lo = np.nextafter(1.0, 2.0)
    hi = np.nextafter(lo, 2.0)  # no float in between: the midpoint rounds up to hi
    assert (lo + hi) / 2 == hi
    X = np.array([[lo], [lo], [lo], [hi], [hi], [hi]])
    # A regulariser far below the spread (~1e-16) so that the split has a gain.
    split = _best_split(X, [0], 3, 1e-40)
    assert split.n_left == 3
    assert split.threshold == lo


@pytest.fixture(scope="module")
def moons():
    return sample_moons(300, noise=0.1, random_state=0)


def test_every_split_lowers_the_size_weighted_entropy(moons):
    X = np.column_stack([moons, np.random.default_rng(1).standard_normal(len(moons))])
    reg_covar, n_min = 1e-2, 6
    forest = DensityForest(n_trees=3, n_min=n_min, reg_covar=reg_covar, random_state=0).fit(X)
    for tree in forest.trees_:
        Xs = X[tree.sample_indices]
        members = node_members(tree, Xs)
        assert len(members) == tree.feature.size
        for node in np.flatnonzero(tree.feature >= 0):
            parent = Xs[members[node]]
            left = Xs[members[tree.children_left[node]]]
            right = Xs[members[tree.children_right[node]]]
            assert min(len(left), len(right)) >= n_min
            weighted = len(left) * entropy(left, reg_covar) + len(right) * entropy(
                right, reg_covar
            )
            weighted /= len(parent)
            assert weighted < entropy(parent, reg_covar)
            np.testing.assert_allclose(
                tree.gain[node], entropy(parent, reg_covar) - weighted, rtol=1e-8
            )
        for node, rows in members.items():
            assert tree.n_node_samples[node] == rows.size


@pytest.fixture(scope="module")
def digits():
    return load_digits().data.astype(np.float64)


@pytest.fixture(scope="module")
def digit_forests(digits):
    return {
        n_min: DensityForest(n_trees=2, n_min=n_min, random_state=0).fit(digits)
        for n_min in (5, 20)
    }


@pytest.mark.slow
@pytest.mark.parametrize("n_min", [5, 20])
def test_trees_on_digits_really_split_and_leaves_hold_n_min_points(digits, digit_forests, n_min):
    forest = digit_forests[n_min]
    for tree in forest.trees_:
        Xs = digits[tree.sample_indices]
        assert len(np.unique(tree.sample_indices)) < len(digits)  # a bootstrap resample
        # 1797 points with at most 2·n_min - 1 in a leaf that could still split
        # would give > 1797 / (2 n_min) leaves; demand a clear share of that.
        assert tree.n_leaves > len(digits) / (4 * n_min)
        # Route the tree's own (bootstrap) training points and count them per leaf.
        members = node_members(tree, Xs)
        leaves = np.flatnonzero(tree.feature < 0)
        counts = np.array([members[node].size for node in leaves])
        assert counts.min() >= n_min
        assert counts.sum() == len(Xs)
        np.testing.assert_allclose(tree.weights[tree.leaf_index[leaves]], counts / len(Xs))
        # The tree's own routing agrees.
        np.testing.assert_array_equal(
            np.bincount(tree.apply(Xs), minlength=tree.n_leaves)[tree.leaf_index[leaves]], counts
        )


@pytest.mark.slow
def test_digits_split_gains_match_entropies_over_all_64_features(digits, digit_forests):
    # The search leaves out features constant in a node (they add the same
    # ½ log reg_covar to every entropy there); recomputing with all 64 must agree.
    tree = digit_forests[5].trees_[0]
    Xs = digits[tree.sample_indices]
    members = node_members(tree, Xs)
    split_nodes = np.flatnonzero(tree.feature >= 0)
    # Spread over all levels: large nodes (D×D route) and small ones (Sylvester).
    checked = split_nodes[:: len(split_nodes) // 20]
    assert tree.n_node_samples[checked].min() < 20 < 500 < tree.n_node_samples[checked].max()
    for node in checked:
        parent = Xs[members[node]]
        assert np.ptp(parent, axis=0).min() == 0  # some pixels are constant here
        expected = split_gain(parent, tree.feature[node], tree.threshold[node], 1e-2)
        np.testing.assert_allclose(tree.gain[node], expected, rtol=1e-8)


@pytest.mark.slow
def test_digits_larger_n_min_gives_fewer_leaves(digit_forests):
    assert digit_forests[20].n_leaves_ < digit_forests[5].n_leaves_ / 2


def test_score_samples_is_the_average_of_the_trees_mixtures():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((160, 3)) @ np.array([[1.0, 0.5, 0.0], [0, 1, 0.3], [0, 0, 0.5]])
    reg_covar = 0.05
    forest = DensityForest(
        n_trees=3, n_min=8, max_features=None, reg_covar=reg_covar, random_state=1
    ).fit(X)
    queries = np.vstack([X[:20], rng.uniform(-3, 3, size=(30, 3))])
    tree_densities = []
    for tree in forest.trees_:
        Xs = X[tree.sample_indices]
        members = node_members(tree, Xs)
        density = np.zeros(len(queries))
        leaves = np.flatnonzero(tree.feature < 0)
        assert leaves.size > 3
        for node in leaves:
            points = Xs[members[node]]
            cov = np.cov(points, rowvar=False, bias=True) + reg_covar * np.eye(3)
            gaussian = stats.multivariate_normal(points.mean(axis=0), cov)
            density += len(points) / len(Xs) * gaussian.pdf(queries)
        tree_densities.append(density)
    expected = np.log(np.mean(tree_densities, axis=0))
    np.testing.assert_allclose(forest.score_samples(queries), expected, rtol=1e-10)
    np.testing.assert_allclose(forest.score(queries), expected.mean(), rtol=1e-10)


def test_far_queries_get_finite_log_density(moons):
    forest = DensityForest(n_trees=2, n_min=10, random_state=0).fit(moons)
    scores = forest.score_samples(np.array([[1e3, -1e3], [40.0, 0.0]]))
    assert np.all(np.isfinite(scores))
    assert np.all(scores < -1e3)


@pytest.mark.slow  # starts joblib worker processes
def test_results_identical_for_every_n_jobs(moons):
    forests = [
        DensityForest(n_trees=3, n_min=5, n_jobs=n_jobs, random_state=7).fit(moons)
        for n_jobs in (1, 2, 16)
    ]
    for other in forests[1:]:
        for a, b in zip(forests[0].trees_, other.trees_, strict=True):
            np.testing.assert_array_equal(a.sample_indices, b.sample_indices)
            np.testing.assert_array_equal(a.feature, b.feature)
            np.testing.assert_array_equal(a.threshold, b.threshold)
            np.testing.assert_array_equal(a.chols, b.chols)
        np.testing.assert_array_equal(forests[0].score_samples(moons), other.score_samples(moons))
        np.testing.assert_array_equal(forests[0].sample(50), other.sample(50))
    # ... and the trees are not copies of one another (each has its own seed).
    first, second = forests[1].trees_[:2]
    assert not np.array_equal(first.sample_indices, second.sample_indices)


@pytest.mark.parametrize(
    ("n_jobs", "n_trees", "cpus", "workers"),
    [(16, 2, 2, 2), (16, 10, 2, 2), (-1, 3, 8, 3), (-1, 20, 8, 8), (None, 5, 8, 1), (3, 1, 8, 1)],
)
def test_never_more_workers_than_trees_or_cpus(monkeypatch, moons, n_jobs, n_trees, cpus, workers):
    """Record the n_jobs given to joblib; the trees then grow in this process."""
    requested = []

    class RecordingParallel(joblib.Parallel):
        def __init__(self, n_jobs=None, **kwargs):
            requested.append(n_jobs)
            super().__init__(n_jobs=1, **kwargs)

    monkeypatch.setattr(forest_module, "Parallel", RecordingParallel)
    monkeypatch.setattr(forest_module, "cpu_count", lambda: cpus)
    forest = DensityForest(n_trees=n_trees, n_min=20, n_jobs=n_jobs, random_state=3).fit(moons)
    assert requested == [workers]
    monkeypatch.undo()
    serial = DensityForest(n_trees=n_trees, n_min=20, n_jobs=1, random_state=3).fit(moons)
    np.testing.assert_array_equal(forest.score_samples(moons), serial.score_samples(moons))


def test_same_seed_same_forest_other_seed_other_forest(moons):
    def fit(seed):
        return DensityForest(n_trees=3, n_min=5, random_state=seed).fit(moons)

    a, b, c = fit(3), fit(3), fit(4)
    np.testing.assert_array_equal(a.score_samples(moons), b.score_samples(moons))
    np.testing.assert_array_equal(a.sample(20), b.sample(20))
    np.testing.assert_array_equal(a.sample(20, random_state=5), b.sample(20, random_state=5))
    assert not np.array_equal(a.score_samples(moons), c.score_samples(moons))
    assert not np.array_equal(a.sample(20, random_state=1), a.sample(20, random_state=2))


def test_without_randomisation_all_trees_are_equal(moons):
    forest = DensityForest(
        n_trees=3, n_min=5, max_features=None, bootstrap=False, random_state=0
    ).fit(moons)
    first = forest.trees_[0]
    np.testing.assert_array_equal(first.sample_indices, np.arange(len(moons)))
    for tree in forest.trees_[1:]:
        np.testing.assert_array_equal(tree.threshold, first.threshold)
        np.testing.assert_array_equal(tree.chols, first.chols)


@pytest.mark.parametrize(
    ("max_features", "expected"),
    [("sqrt", 8), ("log2", 6), (None, 64), (5, 5), (64, 64), (0.25, 16), (0.001, 1)],
)
def test_max_features_resolution(max_features, expected):
    X = np.random.default_rng(0).standard_normal((12, 64))
    forest = DensityForest(n_trees=1, n_min=6, max_features=max_features).fit(X)
    assert forest.max_features_ == expected


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"n_trees": 0}, "n_trees"),
        ({"n_trees": 2.5}, "n_trees"),
        ({"n_min": 0}, "n_min"),
        ({"n_min": True}, "n_min"),
        ({"reg_covar": -1e-3}, "reg_covar"),
        ({"reg_covar": float("nan")}, "reg_covar"),
        ({"reg_covar": "small"}, "reg_covar"),
        ({"max_features": "auto"}, "max_features"),
        ({"max_features": 0}, "max_features"),
        ({"max_features": 3}, "max_features"),  # more than the 2 features
        ({"max_features": 0.0}, "max_features"),
        ({"max_features": 1.5}, "max_features"),
        ({"max_features": True}, "max_features"),
        ({"bootstrap": "yes"}, "bootstrap"),
        ({"n_jobs": 0}, "n_jobs"),
        ({"n_jobs": 1.5}, "n_jobs"),
        ({"random_state": -1}, "random_state"),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(moons, params, name):
    with pytest.raises(ValueError, match=name):
        DensityForest(**params).fit(moons)


@pytest.mark.parametrize("n_min", [1, 3])
def test_zero_reg_covar_only_makes_splits_with_nonsingular_children(moons, n_min):
    # Without regularisation a child of one or two points in 2-D has no entropy;
    # such splits are not made, so every leaf keeps a proper Gaussian. (No
    # bootstrap: repeated points can make singular leaves, which raise.)
    forest = DensityForest(
        n_trees=2, n_min=n_min, reg_covar=0.0, bootstrap=False, random_state=0
    ).fit(moons)
    for tree in forest.trees_:
        assert tree.n_leaves > 10
        assert np.all(tree.n_node_samples[tree.feature < 0] >= 3)
        assert np.all(np.linalg.eigvalsh(tree.covariances) > 0)
    assert np.all(np.isfinite(forest.score_samples(moons)))


def test_zero_reg_covar_on_singular_data_asks_for_reg_covar():
    X = np.column_stack([np.linspace(0, 1, 20), np.full(20, 2.0)])  # a constant feature
    with pytest.raises(ValueError, match="reg_covar"):
        DensityForest(n_trees=1, reg_covar=0.0).fit(X)


@pytest.fixture(scope="module")
def moons_forest(moons):
    return DensityForest(n_trees=5, n_min=3, random_state=0).fit(moons)


@pytest.fixture(scope="module")
def density_on_grid(moons, moons_forest):
    """Grid points, the cell area and the forest density there.

    Leaf standard deviations are >= sqrt(reg_covar) = 0.1; on a uniform grid the
    Riemann sum of a Gaussian is accurate to ~exp(-2π² sd²/step²) < 1e-20 for
    step 0.04, and the 1.5 margin (15 sd) leaves no measurable mass outside.
    """
    step = 0.04
    lo, hi = moons.min(axis=0) - 1.5, moons.max(axis=0) + 1.5
    xs, ys = np.arange(lo[0], hi[0], step), np.arange(lo[1], hi[1], step)
    points = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1).reshape(-1, 2)
    return points, step**2, np.exp(moons_forest.score_samples(points))


def test_density_integrates_to_one(density_on_grid):
    _, area, density = density_on_grid
    assert abs(density.sum() * area - 1.0) < 1e-3


def test_samples_follow_the_density(moons_forest, density_on_grid):
    # Chi-square goodness of fit of 4000 samples to the masses the density puts in
    # 0.5×0.5 cells. A correct sampler fails with probability 1e-3 over seeds; the
    # seed is fixed.
    points, area, density = density_on_grid
    origin, top, coarse = points.min(axis=0), points.max(axis=0), 0.5
    n_cols = int((top[1] - origin[1]) // coarse) + 1

    def cell(P):
        index = np.floor((P - origin) / coarse).astype(int)
        return index[:, 0] * n_cols + index[:, 1]

    samples = moons_forest.sample(4000, random_state=11)
    inside = np.all((samples >= origin) & (samples <= top), axis=1)
    assert inside.mean() > 0.999
    expected_mass = np.bincount(cell(points), weights=density * area)
    observed = np.bincount(cell(samples[inside]), minlength=expected_mass.size)
    expected = expected_mass / expected_mass.sum() * inside.sum()
    keep = expected >= 5  # pool the sparse cells into one
    obs = np.append(observed[keep], observed[~keep].sum())
    exp = np.append(expected[keep], expected[~keep].sum())
    assert keep.sum() > 20
    chi2 = np.sum((obs - exp) ** 2 / exp)
    assert stats.chi2.sf(chi2, obs.size - 1) > 1e-3
