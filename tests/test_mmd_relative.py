"""The relative MMD test (Bounliphone et al. 2016): statistic, variance, calibration, power.

Statistical checks use fixed seeds, so they are deterministic; the stated false-failure
rates say how unlucky a seed would have to be for a correct implementation to fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import cdist

from densitylab.mmd import RelativeMMDResult, median_heuristic, mmd2_unbiased, relative_mmd_test


def _kernel(A, B, kernel, h):
    d2 = cdist(A, B, "sqeuclidean") / h**2
    return np.exp(-d2) if kernel == "se" else 1.0 / np.sqrt(1.0 + d2)


def _reference(X, Y, Z, kernel, h):
    """Variance and covariance estimates from full kernel matrices, as the paper writes them.

    The nine terms t1…t9 are those of ``MMD_Diff_Var`` in the authors' code
    (github.com/eugenium/MMD), with each sample's own size in its normalisation; the
    first-order factor 4(s−2)/(s(s−1)) of Theorem 2 is applied per sample (for equal
    sizes: the paper's 4(m−2)/(m(m−1)) · ζ₁ with ζ₁ = t1 + … + t6 − 2(t7 + t8 + t9)).
    """
    m, n, r = len(X), len(Y), len(Z)
    Kxx, Kyy, Kzz = (_kernel(A, A, kernel, h) for A in (X, Y, Z))
    for K in (Kxx, Kyy, Kzz):
        np.fill_diagonal(K, 0.0)
    Kxy, Kxz = _kernel(X, Y, kernel, h), _kernel(X, Z, kernel, h)
    u_xx, u_yy, u_zz = (
        Kxx.sum() / (m * (m - 1)),
        Kyy.sum() / (n * (n - 1)),
        Kzz.sum() / (r * (r - 1)),
    )
    u_xy, u_xz = Kxy.sum() / (m * n), Kxz.sum() / (m * r)
    t1 = np.sum(Kyy.T @ Kyy) / n**3 - u_yy**2
    t2 = np.sum(Kxy.T @ Kxy) / (n**2 * m) - u_xy**2
    t3 = np.sum(Kxy @ Kxy.T) / (n * m**2) - u_xy**2
    t4 = np.sum(Kzz.T @ Kzz) / r**3 - u_zz**2
    t5 = np.sum(Kxz @ Kxz.T) / (r * m**2) - u_xz**2
    t6 = np.sum(Kxz.T @ Kxz) / (r**2 * m) - u_xz**2
    t7 = np.sum(Kyy @ Kxy.T) / (n**2 * m) - u_yy * u_xy
    t8 = np.sum(Kxy.T @ Kxz) / (n * m * r) - u_xz * u_xy
    t9 = np.sum(Kzz @ Kxz.T) / (r**2 * m) - u_zz * u_xz
    # The same kind of terms with the reference's own Gram matrix, for σ²_XY, σ²_XZ, σ_XYXZ.
    txx = np.sum(Kxx.T @ Kxx) / m**3 - u_xx**2
    txxy = np.sum(Kxx @ Kxy) / (m**2 * n) - u_xx * u_xy
    txxz = np.sum(Kxx @ Kxz) / (m**2 * r) - u_xx * u_xz

    def F(s):
        return 4 * (s - 2) / (s * (s - 1))

    var_diff = F(m) * (t2 + t6 - 2 * t8) + F(n) * (t1 + t3 - 2 * t7) + F(r) * (t4 + t5 - 2 * t9)
    var_xy = F(m) * (txx + t2 - 2 * txxy) + F(n) * (t1 + t3 - 2 * t7)
    var_xz = F(m) * (txx + t6 - 2 * txxz) + F(r) * (t4 + t5 - 2 * t9)
    cov = F(m) * (txx - txxy - txxz + t8)
    paper = 4 * (m - 2) / (m * (m - 1)) * (t1 + t2 + t3 + t4 + t5 + t6 - 2 * (t7 + t8 + t9))
    return var_diff, np.array([[var_xy, cov], [cov, var_xz]]), paper


def _three_samples(seed, m=200, n=200, r=200, d=2, shift_y=0.3, shift_z=0.8):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    Y = rng.normal(size=(n, d))
    Y[:, 0] += shift_y
    Z = rng.normal(size=(r, d))
    Z[:, 0] += shift_z
    return X, Y, Z


# --- (a) the statistic ------------------------------------------------------------


@pytest.mark.parametrize("kernel", ["se", "imq"])
def test_statistic_is_the_difference_of_two_mmd2_unbiased_calls(kernel):
    X, Y, Z = _three_samples(0, m=300, n=250, r=280)
    result = relative_mmd_test(X, Y, Z, kernel=kernel)
    assert isinstance(result, RelativeMMDResult)
    h = median_heuristic(X, np.concatenate([Y, Z]))  # the pooled X, Y and Z
    assert result.bandwidth == h
    assert result.kernel == kernel
    assert result.mmd2_xy == mmd2_unbiased(X, Y, kernel, h)
    assert result.mmd2_xz == mmd2_unbiased(X, Z, kernel, h)
    assert result.statistic == mmd2_unbiased(X, Y, kernel, h) - mmd2_unbiased(X, Z, kernel, h)


def test_explicit_bandwidth_is_used_for_both_estimates():
    X, Y, Z = _three_samples(1)
    result = relative_mmd_test(X, Y, Z, bandwidth=0.7)
    assert result.bandwidth == 0.7
    assert result.statistic == mmd2_unbiased(X, Y, bandwidth=0.7) - mmd2_unbiased(
        X, Z, bandwidth=0.7
    )


# --- (e) against a direct O(n²)-matrix implementation of the paper's formulas -------


@pytest.mark.parametrize("kernel", ["se", "imq"])
@pytest.mark.parametrize(("m", "n", "r"), [(300, 300, 300), (280, 150, 400), (40, 600, 90)])
def test_variance_and_covariance_match_the_papers_matrix_formulas(kernel, m, n, r):
    X, Y, Z = _three_samples(2, m, n, r)
    result = relative_mmd_test(X, Y, Z, kernel=kernel, bandwidth=0.9)
    var_diff, covariance, paper = _reference(X, Y, Z, kernel, 0.9)
    assert result.std**2 == pytest.approx(var_diff, rel=1e-10)
    np.testing.assert_allclose(result.covariance, covariance, rtol=1e-10)
    # Var(t) = σ²_XY + σ²_XZ − 2σ_XYXZ: the k(x, x') terms cancel in the difference.
    c = result.covariance
    assert result.std**2 == pytest.approx(c[0, 0] + c[1, 1] - 2 * c[0, 1], rel=1e-9)
    if m == n == r:  # the reference code's own formula, term by term
        assert result.std**2 == pytest.approx(paper, rel=1e-10)
    assert result.p_value == pytest.approx(stats.norm.cdf(result.statistic / np.sqrt(var_diff)))


def test_results_do_not_depend_on_threads_or_on_the_position_of_the_data():
    X, Y, Z = _three_samples(3, m=600, n=520, r=700)  # several tiles each
    one = relative_mmd_test(X, Y, Z, bandwidth=1.0, n_jobs=1)
    two = relative_mmd_test(X, Y, Z, bandwidth=1.0, n_jobs=2)
    assert (one.statistic, one.std, one.p_value) == (two.statistic, two.std, two.p_value)
    np.testing.assert_array_equal(one.covariance, two.covariance)
    offset = 1e8
    far = [A + offset for A in (X, Y, Z)]
    near = [A - offset for A in far]  # the same configuration, exactly, at the origin
    at_far, at_near = (relative_mmd_test(*S, bandwidth=1.0) for S in (far, near))
    assert at_far.statistic == pytest.approx(at_near.statistic, rel=1e-10)
    assert at_far.std == pytest.approx(at_near.std, rel=1e-10)


# --- (b) the variance estimate against Monte Carlo ----------------------------------


def _monte_carlo(seed, repeats, sizes, shift_y, shift_z, scale_z=1.0):
    draws, estimates = [], []
    for rep in range(repeats):
        rng = np.random.default_rng([seed, rep])
        X = rng.normal(size=(sizes[0], 2))
        Y = rng.normal(size=(sizes[1], 2)) + [shift_y, 0.0]
        Z = rng.normal(size=(sizes[2], 2)) * [scale_z, 1.0] + [shift_z, 0.0]
        result = relative_mmd_test(X, Y, Z, bandwidth=1.0)
        draws.append((result.mmd2_xy, result.mmd2_xz, result.statistic))
        estimates.append((result.std**2, result.covariance))
    draws = np.array(draws)
    mean_var = np.mean([e[0] for e in estimates])
    mean_cov = np.mean([e[1] for e in estimates], axis=0)
    return draws, mean_var, mean_cov


def test_variance_estimate_matches_the_monte_carlo_variance():
    """300 independent draws with unequal sizes: mean σ̂² / sample variance of t ≈ 1.

    With 300 draws the sample variance has a relative sd of sqrt(2/299) ≈ 8 %; a 10 000-
    draw run of this setting measured the ratio at 1.00–1.02. The band [0.75, 1.33] is
    about ±3.5 sd: a correct estimator fails it for fewer than 1 seed in 1000.
    """
    draws, mean_var, _ = _monte_carlo(11, 300, (150, 200, 250), 0.5, 0.0, scale_z=1.5)
    ratio = mean_var / np.var(draws[:, 2], ddof=1)
    assert 0.75 < ratio < 1.33, ratio


def test_covariance_of_the_two_estimates_matches_monte_carlo():
    """Close candidates and a small shared reference: the two MMD² are strongly correlated.

    The estimated covariance matrix (mean over 300 draws) must match the sample covariance
    of (MMD²_XY, MMD²_XZ) within 4 Monte Carlo standard errors plus the estimator's
    plug-in bias (measured at 2–7 % per entry over 3000 draws; 10 % allowed). The variance
    of the difference is overestimated by ~10 % here (3000 draws: ratio 1.09–1.11), hence
    the band [0.8, 1.6] for a 300-draw ratio with sd ≈ 0.09. Ignoring the covariance
    would overestimate it more than twofold (measured 3.5×), which the last line checks.
    """
    repeats = 300
    draws, mean_var, mean_cov = _monte_carlo(12, repeats, (100, 300, 300), 0.5, 0.8)
    mc = np.cov(draws[:, :2].T)
    assert mc[0, 1] / np.sqrt(mc[0, 0] * mc[1, 1]) > 0.5  # the case the covariance matters
    se = np.sqrt((np.outer(np.diag(mc), np.diag(mc)) + mc**2) / (repeats - 1))
    assert np.all(np.abs(mean_cov - mc) <= 4 * se + 0.1 * np.abs(mc)), (mean_cov, mc)
    var_t = np.var(draws[:, 2], ddof=1)
    assert 0.8 < mean_var / var_t < 1.6
    assert (mean_cov[0, 0] + mean_cov[1, 1]) / var_t > 2.0


# --- (c) calibration and (d) power ---------------------------------------------------


@pytest.mark.slow
def test_p_values_are_calibrated_when_both_candidates_are_equally_far():
    """H0 at its boundary: Y and Z from one distribution, 1.0 away from X's.

    300 seeded repetitions; the number of p < 0.05 must lie in the central 99.9 % of
    Binomial(300, 0.05), [4, 29], and likewise p > 0.95 (false-failure rate about 0.2 %
    for a calibrated test). Separate runs measured 4.9 % (1000 repetitions) here, and
    3.7 % with the candidates 0.5 away, where the variance estimate is ~10 % high and the
    test slightly conservative. The p-values are also checked for uniformity (KS, level
    0.001).
    """
    repeats = 300
    p_values = []
    for rep in range(repeats):
        rng = np.random.default_rng([21, rep])
        X = rng.normal(size=(200, 2))
        Y = rng.normal(size=(200, 2)) + [1.0, 0.0]
        Z = rng.normal(size=(200, 2)) + [1.0, 0.0]
        p_values.append(relative_mmd_test(X, Y, Z).p_value)
    p_values = np.array(p_values)
    low, high = (f(0.0005, repeats, 0.05) for f in (stats.binom.ppf, stats.binom.isf))
    assert low <= np.sum(p_values < 0.05) <= high
    assert low <= np.sum(p_values > 0.95) <= high
    assert stats.kstest(p_values, "uniform").pvalue > 0.001


def test_power_when_one_candidate_is_the_data_distribution():
    rng = np.random.default_rng(31)
    X = rng.normal(size=(500, 2))
    same = rng.normal(size=(500, 2))
    shifted = rng.normal(size=(500, 2)) + [0.5, 0.0]
    forward = relative_mmd_test(X, same, shifted)
    assert forward.statistic < 0 and forward.p_value < 0.01
    backward = relative_mmd_test(X, shifted, same)
    assert backward.statistic > 0 and backward.p_value > 0.99
    # With one bandwidth for both orders (the default's subsample of the pooled points
    # depends on their order), swapping Y and Z mirrors the test exactly.
    h = forward.bandwidth
    forward, backward = (
        relative_mmd_test(X, *S, bandwidth=h) for S in ((same, shifted), (shifted, same))
    )
    assert forward.statistic == -backward.statistic
    assert forward.std == pytest.approx(backward.std, rel=1e-12)
    assert forward.p_value == pytest.approx(1 - backward.p_value, abs=1e-12)


def test_power_in_64_dimensions():
    rng = np.random.default_rng(32)
    X = rng.normal(size=(300, 64))
    close = rng.normal(size=(300, 64)) * 1.05
    far = rng.normal(size=(300, 64)) * 1.3
    assert relative_mmd_test(X, close, far).p_value < 0.01


# --- degenerate cases and input checks ----------------------------------------------


def test_zero_variance_gives_the_limit_p_value_without_warnings():
    # A bandwidth so small that every kernel value between distinct points underflows:
    # every row sum is 0, so are the statistic and the variance estimate.
    X, Y, Z = _three_samples(4, m=20, n=20, r=20)
    result = relative_mmd_test(X, Y, Z, bandwidth=1e-3)
    assert (result.statistic, result.std, result.p_value) == (0.0, 0.0, 0.5)
    # All points equal: t = 0; the paper's 1/s normalisation leaves σ̂² = O(1/s³) > 0.
    same = np.zeros((5, 2))
    result = relative_mmd_test(same, same, same, bandwidth=1.0)
    assert (result.statistic, result.p_value) == (0.0, 0.5)


def test_a_negative_variance_estimate_of_a_collapsed_sample_counts_as_zero():
    """A generator collapsed to one point: each of its rows is the same, and the paper's
    plug-in ζ̂_Y = ((n−1)/n − u_xy)² − (1 − u_xy)² is negative; it must count as 0."""
    rng = np.random.default_rng(7)
    X, Z = rng.normal(size=(60, 2)), rng.normal(size=(70, 2))
    Y = np.tile([[1.5, 0.0]], (50, 1))
    result = relative_mmd_test(X, Y, Z, bandwidth=2.0)
    var_diff, _, _ = _reference(X, Y, Z, "se", 2.0)
    n = len(Y)
    u_xy = _kernel(X, Y, "se", 2.0).mean()
    zeta_y = ((n - 1) / n - u_xy) ** 2 - (1 - u_xy) ** 2
    assert zeta_y < 0
    assert result.std**2 == pytest.approx(
        var_diff - 4 * (n - 2) / (n * (n - 1)) * zeta_y, rel=1e-10
    )


@pytest.mark.parametrize(
    ("shapes", "match"),
    [
        (((2, 2), (5, 2), (5, 2)), "X needs at least 3"),
        (((5, 2), (2, 2), (5, 2)), "Y needs at least 3"),
        (((5, 2), (5, 2), (2, 2)), "Z needs at least 3"),
        (((5, 2), (5, 3), (5, 2)), "same number of features"),
        (((5, 2), (5, 2), (5, 3)), "Z must have the features"),
    ],
)
def test_bad_shapes_are_rejected(shapes, match):
    rng = np.random.default_rng(5)
    with pytest.raises(ValueError, match=match):
        relative_mmd_test(*(rng.normal(size=s) for s in shapes))


def test_bad_values_are_rejected():
    X, Y, Z = _three_samples(6, m=10, n=10, r=10)
    Z[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        relative_mmd_test(X, Y, Z)
    with pytest.raises(ValueError, match="bandwidth"):
        relative_mmd_test(X, Y, Y, bandwidth=-1.0)
    with pytest.raises(ValueError, match="kernel"):
        relative_mmd_test(X, Y, Y, kernel="laplace")
