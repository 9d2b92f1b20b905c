"""Tests of densitylab.mmd against direct formulas, exact identities and calibration.

Statistical tests use fixed seeds; each states the chance that it fails although the
code is right (its false-failure rate), computed for the seed-free version of the test.
"""

from __future__ import annotations

import itertools
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats
from scipy.spatial.distance import cdist

import densitylab._blas as _blas
import densitylab.mmd as mmd_module
import densitylab.mmd._permutation as permutation_module
import densitylab.mmd._tiles as tiles_module
from densitylab._random import as_generator
from densitylab.mmd import (
    DEFAULT_N_PERMUTATIONS,
    KERNELS,
    kernel_matrix,
    median_heuristic,
    mmd2_unbiased,
    mmd_permutation_test,
)

# ----------------------------------------------------------------------------- references


def kernel_of(d2, kernel, h):
    """The study's kernels of a squared distance: SE exp(−d²/h²), IMQ (1 + d²/h²)^(−1/2)."""
    return np.exp(-d2 / h**2) if kernel == "se" else 1.0 / np.sqrt(1.0 + d2 / h**2)


def dense_mmd2(X, Y, kernel, h):
    """Gretton et al. (2012) Lemma 6 on full kernel matrices of exact (cdist) distances."""
    n, m = len(X), len(Y)
    Kxx = kernel_of(cdist(X, X, "sqeuclidean"), kernel, h)
    Kyy = kernel_of(cdist(Y, Y, "sqeuclidean"), kernel, h)
    Kxy = kernel_of(cdist(X, Y, "sqeuclidean"), kernel, h)
    off_x = ~np.eye(n, dtype=bool)
    off_y = ~np.eye(m, dtype=bool)
    return (
        Kxx[off_x].sum() / (n * (n - 1))
        + Kyy[off_y].sum() / (m * (m - 1))
        - 2.0 * Kxy.sum() / (n * m)
    )


def loop_mmd2(X, Y, kernel, h):
    """The same estimator written as the double sums of its definition."""
    n, m = len(X), len(Y)

    def k(a, b):
        return float(kernel_of(np.sum((a - b) ** 2), kernel, h))

    sxx = sum(k(X[i], X[j]) for i in range(n) for j in range(n) if i != j)
    syy = sum(k(Y[i], Y[j]) for i in range(m) for j in range(m) if i != j)
    sxy = sum(k(X[i], Y[j]) for i in range(n) for j in range(m))
    return sxx / (n * (n - 1)) + syy / (m * (m - 1)) - 2.0 * sxy / (n * m)


def naive_expansion_mmd2(X, Y, kernel, h):
    """A three-Gram-matrix version on uncentred data (the original study's numerics)."""

    def d2(A, B):
        return np.maximum((A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T, 0)

    n, m = len(X), len(Y)
    Kxx, Kyy, Kxy = (kernel_of(d2(A, B), kernel, h) for A, B in ((X, X), (Y, Y), (X, Y)))
    np.fill_diagonal(Kxx, 0.0)
    np.fill_diagonal(Kyy, 0.0)
    return Kxx.sum() / (n * (n - 1)) + Kyy.sum() / (m * (m - 1)) - 2 * Kxy.mean()


def gaussian_mmd2_se(delta, sigma, h, d):
    """Population MMD² with k = exp(−‖x−y‖²/h²) between N(0, σ²I) and N(δ, σ²I) in d-D.

    For z ~ N(μ, s²I): E exp(−‖z‖²/h²) = (1 + 2s²/h²)^(−d/2) exp(−‖μ‖²/(h² + 2s²)); the
    differences x − x', y − y', x − y have s² = 2σ² and means 0, 0, δ.
    """
    base = (1.0 + 4.0 * sigma**2 / h**2) ** (-d / 2)
    return 2.0 * base * (1.0 - math.exp(-(delta**2) / (h**2 + 4.0 * sigma**2)))


def two_samples(n, m, d, shift=0.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(m, d)) + shift


# ------------------------------------------------------------------ exactness of mmd2_unbiased


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(
    ("n", "m", "d"),
    [(2, 2, 1), (2, 7, 3), (50, 37, 2), (300, 517, 2), (257, 300, 64)],
)
@pytest.mark.parametrize("h", [0.4, 2.5])
def test_matches_dense_formula(kernel, n, m, d, h):
    # Sizes cross the 256-row tile (257, 300, 517) and include n = 2 and n ≠ m.
    X, Y = two_samples(n, m, d, shift=0.3, seed=n + m + d)
    expected = dense_mmd2(X, Y, kernel, h)
    got = mmd2_unbiased(X, Y, kernel=kernel, bandwidth=h)
    assert type(got) is float
    assert got == pytest.approx(expected, rel=0, abs=1e-13)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("n", "m"), [(2, 2), (2, 5), (6, 4)])
def test_matches_double_loop(kernel, n, m):
    X, Y = two_samples(n, m, 2, shift=0.5, seed=7)
    expected = loop_mmd2(X, Y, kernel, 1.3)
    assert mmd2_unbiased(X, Y, kernel, 1.3) == pytest.approx(expected, rel=0, abs=1e-14)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("d", [2, 64])
def test_exact_far_from_origin(kernel, d):
    # The data live at 1e6; shifting back by 1e6 is exact (Sterbenz), so the formula on
    # the shifted-back data is the exact value for the data we pass.
    X, Y = two_samples(300, 200, d, shift=0.2, seed=d)
    Xf, Yf = X + 1e6, Y + 1e6
    h = 0.5 * math.sqrt(d)
    expected = dense_mmd2(Xf - 1e6, Yf - 1e6, kernel, h)
    assert mmd2_unbiased(Xf, Yf, kernel, h) == pytest.approx(expected, rel=0, abs=1e-12)
    # The test has teeth: the uncentred expansion ‖x‖² + ‖y‖² − 2x·y fails it.
    assert abs(naive_expansion_mmd2(Xf, Yf, kernel, h) - expected) > 1e-9


def test_far_apart_samples_keep_within_sample_precision():
    # X near 0 and Y near 1e5 with a small bandwidth: every cross kernel value is 0, and
    # the within-sample sums must not be spoilt by the distance between the samples.
    X, Y = two_samples(100, 120, 2, seed=3)
    Y_far = Y + 1e5
    Y_back = Y_far - 1e5  # exact: the same points up to a translation

    def within(A):
        K = kernel_of(cdist(A, A, "sqeuclidean"), "se", 0.7)
        return (K.sum() - len(A)) / (len(A) * (len(A) - 1))

    expected = within(X) + within(Y_back)
    assert mmd2_unbiased(X, Y_far, "se", 0.7) == pytest.approx(expected, rel=0, abs=1e-13)


@pytest.mark.parametrize("kernel", KERNELS)
def test_blocked_equals_single_tile(monkeypatch, kernel):
    X, Y = two_samples(61, 45, 3, shift=0.2, seed=11)
    monkeypatch.setattr(tiles_module, "TILE", 1024)  # one tile per sum: the dense path
    dense = mmd2_unbiased(X, Y, kernel, 1.1)
    monkeypatch.setattr(tiles_module, "TILE", 7)  # 7 does not divide 61 or 45
    blocked = mmd2_unbiased(X, Y, kernel, 1.1)
    assert blocked == pytest.approx(dense, rel=0, abs=1e-14)
    assert blocked == pytest.approx(dense_mmd2(X, Y, kernel, 1.1), rel=0, abs=1e-14)


@pytest.mark.parametrize("kernel", KERNELS)
def test_threads_give_bit_identical_results(monkeypatch, kernel):
    monkeypatch.setattr(tiles_module, "TILE", 16)
    monkeypatch.setattr(tiles_module, "_PARALLEL_MIN_PAIRS", 0)
    X, Y = two_samples(150, 130, 5, shift=0.1, seed=5)
    serial = mmd2_unbiased(X, Y, kernel, 2.0, n_jobs=1)
    assert mmd2_unbiased(X, Y, kernel, 2.0, n_jobs=2) == serial
    assert mmd2_unbiased(X, Y, kernel, 2.0, n_jobs=3) == serial
    assert serial == pytest.approx(dense_mmd2(X, Y, kernel, 2.0), rel=0, abs=1e-14)


def test_blas_threads_are_restored_after_concurrent_calls(monkeypatch):
    # The tiles limit NumPy's BLAS to one thread; overlapping calls from several user
    # threads must still leave the original setting behind.
    monkeypatch.setattr(tiles_module, "_PARALLEL_MIN_PAIRS", 0)
    libs = _blas._blas_controller().lib_controllers
    before = [lib.num_threads for lib in libs]

    def call(seed):
        return mmd2_unbiased(*two_samples(300, 280, 3, seed=seed), "se", 1.0, n_jobs=2)

    with ThreadPoolExecutor(max_workers=4) as pool:
        values = list(pool.map(call, range(8)))
    assert [lib.num_threads for lib in libs] == before
    assert values == [call(seed) for seed in range(8)]


def test_default_bandwidth_is_the_pooled_median_heuristic():
    X, Y = two_samples(80, 60, 2, shift=0.4, seed=2)
    h = median_heuristic(X, Y)
    assert mmd2_unbiased(X, Y) == mmd2_unbiased(X, Y, "se", h)
    assert mmd2_unbiased(X, Y, "imq") == mmd2_unbiased(X, Y, "imq", h)


@pytest.mark.parametrize("kernel", KERNELS)
def test_symmetric_in_the_two_samples(kernel):
    X, Y = two_samples(90, 140, 3, shift=0.3, seed=4)
    assert mmd2_unbiased(X, Y, kernel) == pytest.approx(mmd2_unbiased(Y, X, kernel), abs=1e-15)


def test_identical_samples_of_distinct_points_are_negative():
    # With S = Σ_{i≠j} k(x_i, x_j) < n(n−1) for distinct points, MMD²_u(X, X) =
    # 2S/(n(n−1)) − 2(S + n)/n² = 2S/(n²(n−1)) − 2/n < 0: the estimator is unbiased, not
    # non-negative, and the diagonal k(x_i, x_i) = 1 enters the cross term only.
    X, _ = two_samples(40, 2, 2, seed=9)
    n = len(X)
    S = kernel_of(cdist(X, X, "sqeuclidean"), "se", 1.0).sum() - n
    expected = 2 * S / (n**2 * (n - 1)) - 2 / n
    assert expected < 0
    assert mmd2_unbiased(X, X, "se", 1.0) == pytest.approx(expected, rel=0, abs=1e-14)


@pytest.mark.parametrize("delta", [0.0, 0.5])
def test_unbiased_against_population_value(delta):
    # E[MMD²_u] equals the population MMD², known in closed form for two Gaussians and
    # the SE kernel. 400 seeded replicates of n = m = 40: the mean must lie within 4
    # standard errors of the population value (false-failure rate 6e-5 under the
    # normal approximation of the mean, which 400 replicates justify).
    sigma, h, d = 1.0, 1.0, 2
    rng = np.random.default_rng(2024)
    values = np.array(
        [
            mmd2_unbiased(
                rng.normal(scale=sigma, size=(40, d)),
                rng.normal(scale=sigma, size=(40, d)) + np.array([delta, 0.0]),
                "se",
                h,
            )
            for _ in range(400)
        ]
    )
    expected = gaussian_mmd2_se(delta, sigma, h, d)
    standard_error = values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - expected) < 4 * standard_error
    if delta > 0:
        # and the shift is detected: the population value is 10 standard errors from 0
        assert expected > 10 * standard_error


@pytest.mark.parametrize("kernel", KERNELS)
def test_positive_under_a_shift(kernel):
    X, Y = two_samples(200, 200, 2, shift=1.0, seed=8)
    same = mmd2_unbiased(X, two_samples(200, 200, 2, seed=9)[1], kernel)
    shifted = mmd2_unbiased(X, Y, kernel)
    assert shifted > 0.05 > abs(same)


# ----------------------------------------------------------------------------- kernel matrix


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernel_matrix_matches_formula(kernel):
    X, Y = two_samples(30, 20, 3, shift=0.5, seed=1)
    np.testing.assert_allclose(
        kernel_matrix(X, Y, kernel, 0.8),
        kernel_of(cdist(X, Y, "sqeuclidean"), kernel, 0.8),
        rtol=1e-13,
        atol=1e-15,
    )
    K = kernel_matrix(X, kernel=kernel, bandwidth=0.8)
    np.testing.assert_allclose(K, kernel_of(cdist(X, X, "sqeuclidean"), kernel, 0.8), rtol=1e-13)
    assert np.array_equal(K, K.T)
    assert np.all(np.diag(K) == 1.0)


# ----------------------------------------------------------------------------- median heuristic


def direct_median_heuristic(Z):
    d2 = cdist(Z, Z, "sqeuclidean")[np.triu_indices(len(Z), k=1)]
    return math.sqrt(0.5 * np.median(d2))


def test_median_heuristic_by_hand():
    # squared distances 1, 4, 9: median 4, h = sqrt(2)
    assert median_heuristic(np.array([[0.0], [1.0], [3.0]])) == pytest.approx(math.sqrt(2))
    # two points: the single squared distance 2 gives h = 1
    assert median_heuristic(np.array([[0.0, 0.0]]), np.array([[1.0, 1.0]])) == 1.0


def test_median_heuristic_equals_direct_formula_without_subsample():
    X, Y = two_samples(300, 200, 5, shift=1.0, seed=12)
    expected = direct_median_heuristic(np.concatenate([X, Y]))
    assert median_heuristic(X, Y) == pytest.approx(expected, rel=1e-15)
    assert median_heuristic(X, Y, random_state=123) == median_heuristic(X, Y)  # no sampling
    assert median_heuristic(np.concatenate([X, Y])) == median_heuristic(X, Y)


def test_median_heuristic_subsamples_deterministically():
    X, Y = two_samples(1500, 1000, 2, shift=0.5, seed=13)
    Z = np.concatenate([X, Y])
    h = median_heuristic(X, Y, max_n=400, random_state=3)
    assert h == median_heuristic(X, Y, max_n=400, random_state=3)
    assert h != median_heuristic(X, Y, max_n=400, random_state=4)
    # the documented subsample: max_n rows without replacement from the seed's generator
    rows = as_generator(3).choice(len(Z), size=400, replace=False)
    assert h == pytest.approx(direct_median_heuristic(Z[rows]), rel=1e-15)
    # and it estimates the full-sample value (the 400-point median's relative error has
    # standard deviation ≈ 3%; 15% is 5 of them: false-failure rate < 1e-6)
    assert h == pytest.approx(direct_median_heuristic(Z), rel=0.15)


def test_median_heuristic_leaves_global_random_state_alone():
    state = np.random.get_state()  # noqa: NPY002 (reading the legacy state is the test)
    X, _ = two_samples(1200, 2, 2, seed=14)
    median_heuristic(X, max_n=100, random_state=None)
    after = np.random.get_state()  # noqa: NPY002
    assert state[0] == after[0] and np.array_equal(state[1], after[1])


def test_median_heuristic_zero_median_raises():
    with pytest.raises(ValueError, match="median squared distance"):
        median_heuristic(np.ones((10, 2)))
    with pytest.raises(ValueError, match="median squared distance"):
        mmd2_unbiased(np.ones((5, 2)), np.ones((5, 2)))


@pytest.mark.parametrize("exponent", [-1000, -600, 600, 1000])
def test_median_heuristic_is_exact_at_any_magnitude(exponent):
    """Scaling by 2**k is exact, so h must scale by exactly 2**k.

    At 2**±600 and beyond, squared distances overflow (to inf) or underflow (to 0).
    """
    X, Y = two_samples(200, 150, 3, shift=0.5, seed=15)
    expected = math.ldexp(median_heuristic(X, Y), exponent)
    assert median_heuristic(np.ldexp(X, exponent), np.ldexp(Y, exponent)) == expected


def test_median_distance_beyond_the_float_range_is_refused():
    X = np.array([[1.5e308], [-1.5e308], [1.4e308], [-1.4e308]])  # median d ≈ 2.85e308
    with pytest.raises(ValueError, match="exceeds the float64 range.*rescale the data"):
        median_heuristic(X)
    with pytest.raises(ValueError, match="rescale the data"):
        mmd2_unbiased(X[:2], X[2:])


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("exponent", [-1000, 1000, 1020])
def test_mmd2_is_the_same_at_any_magnitude(kernel, exponent):
    """Kernels depend on (x − y)/h only; with h from the median heuristic, scaling the
    data by 2**k changes nothing (2**1020 puts them within a factor 8 of the largest
    float, where their means overflow unless scaled first)."""
    X, Y = two_samples(200, 150, 3, shift=0.5, seed=16)
    at_unit_scale = mmd2_unbiased(X, Y, kernel)
    scaled = mmd2_unbiased(np.ldexp(X, exponent), np.ldexp(Y, exponent), kernel)
    assert scaled == pytest.approx(at_unit_scale, rel=0, abs=1e-14)


def test_kernel_functions_agree_near_the_float_limit():
    X, Y = two_samples(60, 50, 2, shift=0.5, seed=17)
    big = math.ldexp(1.0, 1020)
    Xb, Yb = np.ldexp(X, 1020), np.ldexp(Y, 1020)
    assert mmd2_unbiased(Xb, Yb, bandwidth=big) == mmd2_unbiased(X, Y, bandwidth=1.0)
    np.testing.assert_array_equal(
        kernel_matrix(Xb, Yb, bandwidth=big), kernel_matrix(X, Y, bandwidth=1.0)
    )
    np.testing.assert_array_equal(
        kernel_matrix(Xb, bandwidth=big), kernel_matrix(X, bandwidth=1.0)
    )
    assert mmd_module.mean_kernel(Xb, bandwidth=big) == mmd_module.mean_kernel(X, bandwidth=1.0)
    scaled = mmd_permutation_test(Xb, Yb, bandwidth=big, n_permutations=50, random_state=0)
    unit = mmd_permutation_test(X, Y, bandwidth=1.0, n_permutations=50, random_state=0)
    assert (scaled.statistic, scaled.p_value) == (unit.statistic, unit.p_value)


def test_samples_of_very_different_magnitudes_are_not_silently_equal():
    """X·1e300 against X: h from the pooled data is ~1e300, not inf (which made MMD² 0)."""
    X, _ = two_samples(100, 2, 2, seed=18)
    h = median_heuristic(X * 1e300, X)
    assert math.isfinite(h) and h > 1e299
    expected = dense_mmd2(X * 1e300 / h, X / h, "se", 1.0)
    assert expected > 0.5
    assert mmd2_unbiased(X * 1e300, X) == pytest.approx(expected, rel=0, abs=1e-13)


# ----------------------------------------------------------------------------- permutation test


@pytest.mark.parametrize("kernel", KERNELS)
def test_permutation_statistic_is_mmd2_unbiased(kernel):
    X, Y = two_samples(120, 90, 2, shift=0.3, seed=15)
    result = mmd_permutation_test(X, Y, kernel, n_permutations=50, random_state=0)
    assert result.statistic == mmd2_unbiased(X, Y, kernel)
    assert result.bandwidth == median_heuristic(X, Y)
    assert result.kernel == kernel
    fixed = mmd_permutation_test(X, Y, kernel, bandwidth=0.6, n_permutations=50, random_state=0)
    assert fixed.bandwidth == 0.6
    assert fixed.statistic == mmd2_unbiased(X, Y, kernel, 0.6)


@pytest.mark.parametrize("kernel", KERNELS)
def test_pooled_null_equals_recomputation_on_permuted_data(kernel):
    X, Y = two_samples(70, 50, 3, shift=0.2, seed=16)
    result = mmd_permutation_test(X, Y, kernel, n_permutations=20, random_state=42)
    blocks = permutation_module._labellings(70, 50, 20, as_generator(42), chunk=8)
    labels = np.concatenate(list(blocks))[1:]  # the first row is the observed labelling
    assert labels.shape == (20, 120) and np.all(labels.sum(axis=1) == 70)
    Z = np.concatenate([X, Y])
    for p in range(5):
        again = mmd2_unbiased(Z[labels[p]], Z[~labels[p]], kernel, result.bandwidth)
        assert result.null_statistics[p] == pytest.approx(again, rel=0, abs=1e-13)


@pytest.mark.parametrize("chunk", [1, 7, 21, 100])
def test_labellings_drawn_in_blocks_are_the_draws_of_one_call(chunk):
    blocks = list(permutation_module._labellings(5, 9, 20, as_generator(3), chunk))
    assert [len(b) for b in blocks[:-1]] == [chunk] * (len(blocks) - 1)
    labels = np.concatenate(blocks)
    assert labels.shape == (21, 14) and labels[0].tolist() == [True] * 5 + [False] * 9
    base = np.broadcast_to(labels[0], (20, 14))
    np.testing.assert_array_equal(labels[1:], as_generator(3).permuted(base, axis=1))


def test_permutation_blocks_and_chunks_agree(monkeypatch):
    X, Y = two_samples(40, 33, 2, shift=0.2, seed=17)
    whole = mmd_permutation_test(X, Y, n_permutations=30, random_state=1)
    # force row blocks of 1 row and chunks of 7 permutations (budget 7 · 73 values)
    monkeypatch.setattr(permutation_module, "_PERMUTATION_BUDGET", 7 * 73)
    blocked = mmd_permutation_test(X, Y, n_permutations=30, random_state=1)
    np.testing.assert_allclose(blocked.null_statistics, whole.null_statistics, rtol=0, atol=1e-14)
    assert blocked.statistic == pytest.approx(whole.statistic, rel=0, abs=1e-14)


def test_permutation_p_value_formula_and_determinism():
    X, Y = two_samples(60, 60, 2, shift=0.25, seed=18)
    result = mmd_permutation_test(X, Y, n_permutations=99, random_state=7)
    count = np.count_nonzero(result.null_statistics >= result.statistic)
    assert result.p_value == (1 + count) / 100
    assert result.null_statistics.shape == (99,)
    again = mmd_permutation_test(X, Y, n_permutations=99, random_state=7)
    assert again.p_value == result.p_value
    assert np.array_equal(again.null_statistics, result.null_statistics)
    other = mmd_permutation_test(X, Y, n_permutations=99, random_state=8)
    assert not np.array_equal(other.null_statistics, result.null_statistics)


def test_permutation_test_far_apart_samples():
    # Y 1e4 bandwidths away: the statistic stays exact and no permutation reaches it.
    X, Y = two_samples(30, 25, 2, seed=20)
    result = mmd_permutation_test(X, Y + 1e4, "se", 1.0, n_permutations=40, random_state=0)
    assert result.statistic == pytest.approx(dense_mmd2(X, Y + 1e4, "se", 1.0), rel=1e-14)
    assert result.p_value == 1 / 41


def test_default_number_of_permutations():
    X, Y = two_samples(20, 20, 1, seed=19)
    result = mmd_permutation_test(X, Y, random_state=0)
    assert result.null_statistics.shape == (DEFAULT_N_PERMUTATIONS,) == (500,)


@pytest.mark.parametrize("kernel", KERNELS)
def test_permutation_test_type_one_error(kernel):
    # Under P = Q the permutation p-value with 99 permutations satisfies P(p ≤ 0.05) = 5/100
    # exactly. Over 200 independent null trials the rejection count is Binomial(200, 0.05);
    # the accepted range is its central 99.8% (false-failure rate ≤ 0.002).
    trials, alpha = 200, 0.05
    lo, hi = stats.binom.ppf(0.001, trials, alpha), stats.binom.isf(0.001, trials, alpha)
    rng = np.random.default_rng(31)
    rejections = 0
    for _ in range(trials):
        X, Y = rng.normal(size=(20, 2)), rng.normal(size=(35, 2))
        result = mmd_permutation_test(X, Y, kernel, n_permutations=99, random_state=rng)
        rejections += result.p_value <= alpha
    assert lo <= rejections <= hi, (rejections, lo, hi)


@pytest.mark.parametrize("kernel", KERNELS)
def test_permutation_test_power_against_a_shift(kernel):
    # A shift of 1.5 standard deviations in 2-D at n = m = 50: no miss in 3000 trials
    # of each kernel (other seeds), so the power is ≥ 0.999 (95% bound) and fewer than
    # 95 rejections in 100 trials has probability P(Binomial(100, 0.001) ≥ 6) < 1e-8.
    # (At a unit shift the SE power is only ≈ 0.95.)
    rng = np.random.default_rng(32)
    rejections = 0
    for _ in range(100):
        X, Y = rng.normal(size=(50, 2)), rng.normal(size=(50, 2)) + np.array([1.5, 0.0])
        result = mmd_permutation_test(X, Y, kernel, n_permutations=99, random_state=rng)
        rejections += result.p_value <= 0.05
    assert rejections >= 95


# ----------------------------------------------------------------------------- properties

finite = st.floats(-8, 8, allow_nan=False, allow_infinity=False)


@st.composite
def sample_pairs(draw, min_rows=2):
    d = draw(st.integers(1, 3))
    n = draw(st.integers(min_rows, 12))
    m = draw(st.integers(min_rows, 12))
    X = draw(arrays(np.float64, (n, d), elements=finite))
    Y = draw(arrays(np.float64, (m, d), elements=finite))
    # multiples of 2⁻¹⁰: sums with small integers stay exact
    return np.round(X * 1024) / 1024, np.round(Y * 1024) / 1024


bandwidths = st.floats(0.5, 20.0)
property_settings = settings(max_examples=40, deadline=None)


@property_settings
@given(sample_pairs(), st.sampled_from(KERNELS), bandwidths)
def test_property_symmetry(pair, kernel, h):
    X, Y = pair
    assert mmd2_unbiased(X, Y, kernel, h) == pytest.approx(
        mmd2_unbiased(Y, X, kernel, h), rel=0, abs=1e-13
    )


@property_settings
@given(sample_pairs(), st.sampled_from(KERNELS), bandwidths, st.integers(-1000, 1000))
def test_property_translation_invariance(pair, kernel, h, shift):
    X, Y = pair
    assert mmd2_unbiased(X + shift, Y + shift, kernel, h) == pytest.approx(
        mmd2_unbiased(X, Y, kernel, h), rel=0, abs=1e-12
    )


@property_settings
@given(sample_pairs(), st.sampled_from(KERNELS), bandwidths, st.randoms(use_true_random=False))
def test_property_row_order_invariance(pair, kernel, h, random):
    X, Y = pair
    px, py = list(range(len(X))), list(range(len(Y)))
    random.shuffle(px)
    random.shuffle(py)
    assert mmd2_unbiased(X[px], Y[py], kernel, h) == pytest.approx(
        mmd2_unbiased(X, Y, kernel, h), rel=0, abs=1e-13
    )
    assert mmd2_unbiased(X, Y, kernel, h) == pytest.approx(
        dense_mmd2(X, Y, kernel, h), rel=0, abs=1e-13
    )


@property_settings
@given(sample_pairs(min_rows=1), st.sampled_from(KERNELS), st.floats(1.0, 20.0))
def test_property_kernel_values_in_unit_interval(pair, kernel, h):
    # |coordinates| ≤ 8 in ≤ 3-D and h ≥ 1: d²/h² ≤ 768 would underflow exp; keep ≤ 700
    X, Y = pair
    X, Y = X * 0.9, Y * 0.9
    for K in (kernel_matrix(X, Y, kernel, h), kernel_matrix(X, None, kernel, h)):
        assert np.all(K > 0) and np.all(K <= 1)
    assert np.all(np.diag(kernel_matrix(X, None, kernel, h)) == 1)


# ----------------------------------------------------------------------------- bad input

GOOD = np.arange(12.0).reshape(6, 2)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"X": np.arange(6.0)}, "X"),
        ({"X": GOOD[:1]}, "X"),
        ({"X": np.where(GOOD == 3, np.nan, GOOD)}, "X"),
        ({"Y": np.where(GOOD == 3, np.inf, GOOD)}, "Y"),
        ({"Y": np.ones((6, 3))}, "X and Y"),
        ({"Y": [["a", "b"]] * 3}, "Y"),
        ({"Y": GOOD + 1j}, "Y"),
        ({"kernel": "gauss"}, "kernel"),
        ({"kernel": None}, "kernel"),
        ({"bandwidth": 0.0}, "bandwidth"),
        ({"bandwidth": -1.0}, "bandwidth"),
        ({"bandwidth": np.nan}, "bandwidth"),
        ({"bandwidth": np.inf}, "bandwidth"),
        ({"bandwidth": "1"}, "bandwidth"),
        ({"bandwidth": True}, "bandwidth"),
        ({"bandwidth": 1e-300}, "bandwidth"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_mmd2_bad_input(kwargs, name):
    args = {"X": GOOD, "Y": GOOD + 0.5, "kernel": "se", "bandwidth": 1.0} | kwargs
    with pytest.raises(ValueError, match=name):
        mmd2_unbiased(**args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_permutations": 0}, "n_permutations"),
        ({"n_permutations": 2.5}, "n_permutations"),
        ({"random_state": -1}, "random_state"),
        ({"random_state": "seed"}, "random_state"),
        ({"kernel": "rbf"}, "kernel"),
        ({"bandwidth": -2}, "bandwidth"),
        ({"Y": GOOD[:1]}, "Y"),
    ],
)
def test_permutation_test_bad_input(kwargs, name):
    args = {"X": GOOD, "Y": GOOD + 0.5, "n_permutations": 10, "random_state": 0} | kwargs
    with pytest.raises(ValueError, match=name):
        mmd_permutation_test(**args)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"max_n": 1}, "max_n"),
        ({"max_n": 10.0}, "max_n"),
        ({"random_state": -3}, "random_state"),
        ({"X": GOOD[:1], "Y": None}, "X"),
        ({"Y": np.ones((2, 5))}, "X and Y"),
    ],
)
def test_median_heuristic_bad_input(kwargs, name):
    args = {"X": GOOD, "Y": GOOD + 0.5} | kwargs
    with pytest.raises(ValueError, match=name):
        median_heuristic(**args)


def test_kernel_matrix_bad_input():
    with pytest.raises(ValueError, match="kernel"):
        kernel_matrix(GOOD, kernel="laplace", bandwidth=1.0)
    with pytest.raises(ValueError, match="bandwidth"):
        kernel_matrix(GOOD, GOOD, "se", 0)


def test_all_pairs_of_tiny_samples_by_enumeration():
    # n = m = 2 with every point combination from a small grid: a cheap exhaustive check
    # of the diagonal exclusion at the smallest legal size.
    grid = [np.array([a, b]) for a, b in itertools.product([0.0, 1.0], [0.0, 2.0])]
    for x0, x1, y0, y1 in itertools.product(grid, repeat=4):
        X, Y = np.stack([x0, x1]), np.stack([y0, y1])
        for kernel in KERNELS:
            assert mmd2_unbiased(X, Y, kernel, 1.5) == pytest.approx(
                loop_mmd2(X, Y, kernel, 1.5), rel=0, abs=1e-14
            )


# ----------------------------------------------------------------------- mean_kernel terms


@pytest.mark.parametrize("kernel", ["se", "imq"])
def test_mean_kernel_terms_match_direct_means_and_rebuild_mmd2_exactly(kernel):
    rng = np.random.default_rng(21)
    X, Y = rng.normal(size=(300, 3)), rng.normal(0.3, 1.2, size=(290, 3))
    h = 0.9
    Kxx = kernel_of(cdist(X, X, "sqeuclidean"), kernel, h)
    within = (Kxx.sum() - np.trace(Kxx)) / (300 * 299)
    cross = kernel_of(cdist(X, Y, "sqeuclidean"), kernel, h).mean()
    assert mmd_module.mean_kernel(X, kernel=kernel, bandwidth=h) == pytest.approx(
        within, rel=1e-13
    )
    assert mmd_module.mean_kernel(X, Y, kernel=kernel, bandwidth=h) == pytest.approx(
        cross, rel=1e-13
    )
    # Caching a term (as a sweep does for its fixed reference) changes no bit of MMD²_u.
    terms = [
        mmd_module.mean_kernel(X, kernel=kernel, bandwidth=h),
        mmd_module.mean_kernel(Y, kernel=kernel, bandwidth=h),
        mmd_module.mean_kernel(X, Y, kernel=kernel, bandwidth=h),
    ]
    assert mmd_module.combine_mean_kernels(*terms) == mmd2_unbiased(
        X, Y, kernel=kernel, bandwidth=h
    )
