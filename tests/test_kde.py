"""GaussianKDE against the direct formula and scikit-learn's KernelDensity."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from scipy import stats
from scipy.special import logsumexp
from sklearn.neighbors import KernelDensity

from densitylab._blas import single_blas_thread
from densitylab.data import load_digits_split, sample_moons
from densitylab.models import GaussianKDE
from densitylab.models import _kde_numerics as kde_numerics
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


# ------------------------------------------------------ exactness at tiny bandwidths and limits


def longdouble_log_density(X, queries, h):
    """log p from coordinate differences in extended precision (64-bit mantissa on x86).

    An independent reference for small h, where float64 differences are exact to
    rounding but any expansion ‖a‖² + ‖b‖² − 2a·b is not.
    """
    Xl, hl = X.astype(np.longdouble), np.longdouble(h)
    out = np.empty(len(queries), dtype=np.longdouble)
    for i, q in enumerate(queries.astype(np.longdouble)):
        terms = -np.sum((q - Xl) ** 2, axis=1) / (2 * hl * hl)
        top = terms.max()
        out[i] = top + np.log(np.sum(np.exp(terms - top)))
    n, d = X.shape
    return out - np.log(np.longdouble(n)) - d / 2 * np.log(2 * np.pi * hl * hl)


def _relative_error(ours, reference):
    return (np.abs(ours - reference) / np.maximum(1.0, np.abs(reference))).astype(np.float64)


@pytest.mark.skipif(np.finfo(np.longdouble).eps >= EPS, reason="needs extended precision")
@pytest.mark.parametrize("h", [1e-4, 1e-6, 1e-8, 1e-10])
@pytest.mark.parametrize("offset", [0.0, 1e6])
def test_exact_to_rounding_at_tiny_bandwidths_2d(h, offset):
    """At, near and a few bandwidths from training points, 2-D, n = 500.

    The expansion is off by ~ε‖x‖²/h² nats here: 0.0005 at h=1e-6, 6 at 1e-8, 4e4 at
    1e-10 (more with the data at 1e6). Coordinate differences are exact to rounding,
    so a few ε of relative error is asserted.
    """
    X = sample_moons(500, noise=0.1, random_state=0) + offset
    rng = np.random.default_rng(1)
    Q = np.vstack(
        [X[:100], X[100:200] + 0.7 * h * rng.standard_normal((100, 2)), X[200:250] + 30 * h]
    )
    ours = GaussianKDE(bandwidth=h).fit(X).score_samples(Q)
    assert np.all(_relative_error(ours, longdouble_log_density(X, Q, h)) <= 8 * EPS)


@pytest.mark.skipif(np.finfo(np.longdouble).eps >= EPS, reason="needs extended precision")
@pytest.mark.parametrize("h", [1e-3, 1e-5])
def test_exact_to_rounding_at_tiny_bandwidths_64d(digits, h):
    X = digits.X_train
    rng = np.random.default_rng(2)
    Q = np.vstack([X[:40], X[40:80] + 0.5 * h * rng.standard_normal((40, 64))])
    ours = GaussianKDE(bandwidth=h).fit(X).score_samples(Q)
    assert np.all(_relative_error(ours, longdouble_log_density(X, Q, h)) <= 8 * EPS)


@pytest.mark.skipif(np.finfo(np.longdouble).eps >= EPS, reason="needs extended precision")
@pytest.mark.parametrize("h", [1e-3, 0.05, 1.0])
def test_far_queries_meet_the_stated_tolerance(moons, queries, h):
    """Wherever the fast expansion is kept, its error is below 1e-11·max(1, |log p|)."""
    Q = np.vstack([queries, 50.0 * queries])
    ours = GaussianKDE(bandwidth=h).fit(moons).score_samples(Q)
    error = _relative_error(ours, longdouble_log_density(moons, Q, h))
    assert np.all(error <= kde_numerics.TOLERANCE + 8 * EPS)


def _expansion_log_density(X, queries, h):
    """The expansion on data centred at the training mean, step by step as before.

    Kept as the reference of bit-identity: the report's numbers come from it. The
    model's blocks of queries and one BLAS thread are reproduced, because a matrix
    product's last bits may depend on both.
    """
    block = max(1, kde_module._BLOCK_ENTRIES // len(X))
    with single_blas_thread():
        return np.concatenate(
            [
                _expansion_block(X, queries[start : start + block], h)
                for start in range(0, len(queries), block)
            ]
        )


def _expansion_block(X, queries, h):
    centre = X.mean(axis=0)
    C, Q = X - centre, queries - centre
    d2 = Q @ C.T
    d2 *= -2.0
    d2 += np.einsum("ij,ij->i", Q, Q)[:, None]
    d2 += np.einsum("ij,ij->i", C, C)
    np.maximum(d2, 0.0, out=d2)
    d2 *= -0.5 / h**2
    top = d2.max(axis=1)
    d2 -= top[:, None]
    np.exp(d2, out=d2)
    n, d = X.shape
    log_sum = top + np.log(d2.sum(axis=1))
    return log_sum - np.log(n) - 0.5 * d * (np.log(2 * np.pi) + np.log(h**2))


@pytest.mark.parametrize("h", [0.05, 0.1, 0.3])
def test_moderate_bandwidths_keep_the_expansion_bit_for_bit_2d(h):
    X = sample_moons(1000, noise=0.1, random_state=0)
    Q = sample_moons(200, noise=0.1, random_state=1)
    ours = GaussianKDE(bandwidth=h).fit(X).score_samples(Q)
    np.testing.assert_array_equal(ours, _expansion_log_density(X, Q, h))


@pytest.mark.parametrize("h", [0.001, 0.1, 1.0, 2.0])
def test_moderate_and_far_queries_keep_the_expansion_bit_for_bit_64d(digits, h):
    X, Q = digits.X_train, digits.X_test[:200]
    ours = GaussianKDE(bandwidth=h).fit(X).score_samples(Q)
    np.testing.assert_array_equal(ours, _expansion_log_density(X, Q, h))


@pytest.mark.parametrize("h", [1e-160, 1e-300, 5e-324])
def test_extremely_small_bandwidths_are_exact_at_training_points(moons, h):
    """Only the coincident kernel counts: log p = −log n − (D/2)·log 2π − D·log h."""
    model = GaussianKDE(bandwidth=h).fit(moons)
    expected = -np.log(len(moons)) - np.log(2 * np.pi) - 2 * np.log(h)
    np.testing.assert_allclose(model.score_samples(moons[:20]), expected, rtol=4 * EPS)


def test_log_density_below_the_float_range_is_refused_naming_the_bandwidth(moons):
    # 0.01 away at h = 1e-300 is −5e595 nats: no float64 holds it.
    model = GaussianKDE(bandwidth=1e-300).fit(moons)
    with pytest.raises(ValueError, match="bandwidth=1e-300"):
        model.score_samples(moons[:3] + 0.01)


@pytest.mark.parametrize("h", [1e150, 1e300])
def test_huge_bandwidths_give_the_flat_limit(moons, h):
    """Every kernel is exp(−(≪1)) = 1: log p = −(D/2)·log 2π − D·log h."""
    log_p = GaussianKDE(bandwidth=h).fit(moons).score_samples(moons[:10] * 3.0)
    np.testing.assert_allclose(log_p, -np.log(2 * np.pi) - 2 * np.log(h), rtol=4 * EPS)


def test_data_whose_squared_spread_overflows_is_refused(moons):
    with pytest.raises(ValueError, match="X lies too far.*rescale the data"):
        GaussianKDE().fit(moons * 1.4e154)
    model = GaussianKDE(bandwidth=0.1).fit(moons)
    with pytest.raises(ValueError, match="X lies too far.*rescale the data"):
        model.score_samples(moons[:2] * 1e200)
    # Just inside the limit, far queries are still exact: log p ≈ −d²/2h².
    far = model.score_samples(np.array([[1e152, 0.0]]))
    assert far[0] == pytest.approx(-0.5e304 / 0.01, rel=1e-12)


def test_samples_that_overflow_are_refused(moons):
    model = GaussianKDE(bandwidth=1e308).fit(moons)
    with pytest.raises(ValueError, match="Samples overflow.*bandwidth=1e\\+308"):
        model.sample(100, random_state=0)
