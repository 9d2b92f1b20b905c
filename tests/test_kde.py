"""GaussianKDE against the direct formula and scikit-learn's KernelDensity."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from sklearn.neighbors import KernelDensity

from densitylab.data import load_digits_split, sample_moons
from densitylab.models import GaussianKDE
from densitylab.models import kde as kde_module

EPS = np.finfo(np.float64).eps


def direct_log_density(X, queries, h):
    """log p from its definition: differences, then log-sum-exp (small inputs only)."""
    d2 = np.sum((queries[:, None, :] - X[None, :, :]) ** 2, axis=2)
    n, d = X.shape
    return logsumexp(-d2 / (2 * h * h), axis=1) - np.log(n) - 0.5 * d * np.log(2 * np.pi * h * h)


def rounding_bound(X, queries, h, reference):
    """What the expanded squared distance may lose to rounding, in nats.

    On coordinates centred at the training mean m, ‖q‖² + ‖x‖² − 2q·x is off by at
    most a few ε(‖q − m‖² + ‖x − m‖²); divided by 2h² that is the error in nats.
    16ε leaves room for the sums; 1e-13·|log p| covers the log-sum-exp itself.
    """
    centre = X.mean(axis=0)
    scale = np.sum((queries - centre) ** 2, axis=1) + np.max(np.sum((X - centre) ** 2, axis=1))
    return 16 * EPS * scale / (2 * h * h) + 1e-13 * np.abs(reference)


@pytest.fixture(scope="module")
def moons():
    return sample_moons(300, noise=0.1, random_state=0)


@pytest.fixture(scope="module")
def queries():
    """Near queries, far queries (thousands of nats down at small h) and training points."""
    near = sample_moons(200, noise=0.1, random_state=1)
    far = 4.0 * sample_moons(50, noise=0.1, random_state=2) + 3.0
    return np.vstack([near, far])


@pytest.fixture(scope="module")
def digits():
    return load_digits_split(0.25, random_state=0)


@pytest.mark.parametrize("h", [1e-3, 1e-2, 0.05, 0.2, 1.0, 5.0])
def test_equals_direct_formula_at_every_bandwidth_2d(moons, queries, h):
    Q = np.vstack([queries, moons[:20]])
    reference = direct_log_density(moons, Q, h)
    if h <= 1e-2:
        assert reference.min() < -1e4  # the far queries really are far down
    error = np.abs(GaussianKDE(bandwidth=h).fit(moons).score_samples(Q) - reference)
    assert np.all(error <= rounding_bound(moons, Q, h, reference)), error.max()


@pytest.mark.parametrize("h", [1e-3, 0.1, 1.0, 2.0])
def test_equals_direct_formula_at_every_bandwidth_64d(digits, h):
    X = digits.X_train
    Q = np.vstack([digits.X_test[:100], X[:20]])
    reference = direct_log_density(X, Q, h)
    error = np.abs(GaussianKDE(bandwidth=h).fit(X).score_samples(Q) - reference)
    assert np.all(error <= rounding_bound(X, Q, h, reference)), error.max()
    assert np.all(error <= 1e-8 * np.maximum(1.0, np.abs(reference)))


@pytest.mark.parametrize("h", [0.1, 0.2, 0.5, 1.0])
def test_equals_sklearn_where_sklearn_is_accurate(moons, h):
    # Moderate bandwidth, queries where the data are, sklearn's exact settings.
    near = sample_moons(200, noise=0.1, random_state=1)
    reference = KernelDensity(bandwidth=h, rtol=0, atol=0).fit(moons).score_samples(near)
    ours = GaussianKDE(bandwidth=h).fit(moons).score_samples(near)
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-12)


def test_sklearn_is_wrong_for_small_bandwidth_and_far_queries_and_we_are_not(moons, queries):
    """scikit-learn issue #25799: its tree bounds lose hundreds of nats (pinned 1.9.1)."""
    h = 0.01
    reference = direct_log_density(moons, queries, h)
    sklearn_log_p = KernelDensity(bandwidth=h, rtol=0, atol=0).fit(moons).score_samples(queries)
    ours = GaussianKDE(bandwidth=h).fit(moons).score_samples(queries)
    assert np.max(np.abs(sklearn_log_p - reference)) > 100.0
    assert np.all(np.abs(ours - reference) <= rounding_bound(moons, queries, h, reference))


@pytest.mark.parametrize("rule", ["scott", "silverman"])
@pytest.mark.parametrize("shape", [(300, 2), (57, 2), (1347, 64), (10, 5)])
def test_bandwidth_rules_are_sklearns(rule, shape):
    X = np.random.default_rng(0).normal(size=shape)
    ours = GaussianKDE(bandwidth=rule).fit(X).bandwidth_
    assert ours == KernelDensity(bandwidth=rule).fit(X).bandwidth_


def test_float_bandwidth_is_kept():
    assert GaussianKDE(bandwidth=0.3).fit(np.eye(3)).bandwidth_ == 0.3


@pytest.mark.parametrize("h", [1e-3, 0.05, 0.3])
def test_translation_far_from_the_origin_changes_nothing(moons, queries, h):
    """Data moved to ~1e6 give the log density they give at 0 (to 1e-9 relative).

    Coordinates are rounded to multiples of 2**-24 so that adding 2**20 is exact:
    both runs see exactly the same points, and any difference is our arithmetic's.
    """
    X = np.round(moons * 2**24) / 2**24
    Q = np.round(queries * 2**24) / 2**24
    shift = 2.0**20
    assert np.array_equal((X + shift) - shift, X)
    at_zero = GaussianKDE(bandwidth=h).fit(X).score_samples(Q)
    far = GaussianKDE(bandwidth=h).fit(X + shift).score_samples(Q + shift)
    np.testing.assert_allclose(far, at_zero, rtol=1e-9)
    # Without centring, ‖a‖² + ‖b‖² − 2a·b at 1e6 loses ~1e-4 in d², far beyond that.
    a, b = Q + shift, X + shift
    naive_d2 = np.sum(a**2, 1)[:, None] + np.sum(b**2, 1)[None, :] - 2 * a @ b.T
    naive = logsumexp(-naive_d2 / (2 * h * h), axis=1) - np.log(len(X)) - np.log(2 * np.pi * h * h)
    assert np.max(np.abs(naive - at_zero) / np.abs(at_zero)) > 1e-6


def test_block_size_does_not_change_results(moons, queries, monkeypatch):
    whole = GaussianKDE(bandwidth=0.1).fit(moons).score_samples(queries)
    monkeypatch.setattr(kde_module, "_BLOCK_ENTRIES", 7 * len(moons))  # 7-row blocks
    blocked = GaussianKDE(bandwidth=0.1).fit(moons).score_samples(queries)
    np.testing.assert_allclose(blocked, whole, rtol=1e-13)
    np.testing.assert_allclose(blocked, direct_log_density(moons, queries, 0.1), rtol=1e-12)


def test_memory_stays_bounded_for_many_queries():
    """10 000 × 1 000 squared distances would take 80 MB; blocks keep the peak small."""
    rng = np.random.default_rng(0)
    X, Q = rng.normal(size=(1000, 2)), rng.normal(size=(10_000, 2))
    model = GaussianKDE(bandwidth=0.2).fit(X)
    tracemalloc.start()
    try:
        model.score_samples(Q)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    block_bytes = 8 * kde_module._BLOCK_ENTRIES
    assert peak < 8 * block_bytes + 2 * 8 * len(Q), peak  # a few block temporaries


def test_sample_is_a_training_point_plus_gaussian_noise():
    """Two far-apart kernels: side counts ~ Binomial(n, ½), offsets ~ N(0, h²).

    Binomial test, Kolmogorov-Smirnov test and a two-sided χ² test of the offsets'
    variance (sensitive to a few percent error in h), each with false-failure
    rate 1e-4.
    """
    h, n = 0.5, 10_000
    X = np.array([[0.0, 0.0], [100.0, 0.0]])
    samples = GaussianKDE(bandwidth=h).fit(X).sample(n, random_state=0)
    right = samples[:, 0] > 50.0
    assert stats.binomtest(int(right.sum()), n, 0.5).pvalue > 1e-4
    offsets = (samples - np.where(right[:, None], X[1], X[0])) / h
    assert stats.kstest(offsets.ravel(), "norm").pvalue > 1e-4
    sum_sq, df = np.sum(offsets**2), offsets.size
    assert 2 * min(stats.chi2.cdf(sum_sq, df), stats.chi2.sf(sum_sq, df)) > 1e-4
