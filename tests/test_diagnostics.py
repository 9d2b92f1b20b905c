"""Held-out log-likelihood and the copy (memorisation) check of densitylab.diagnostics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.mixture import GaussianMixture

from densitylab.diagnostics import CopyCheck, copy_check, heldout_loglik


def _gaussian_data(seed, n, d=2):
    return np.random.default_rng(seed).standard_normal((n, d))


# --- heldout_loglik -------------------------------------------------------------


def test_heldout_loglik_matches_sklearn_mean_log_likelihood():
    X_train, X_test = _gaussian_data(0, 300), _gaussian_data(1, 400)
    gm = GaussianMixture(n_components=2, random_state=0).fit(X_train)
    # GaussianMixture.score is the mean log-likelihood per sample: an independent reference.
    assert heldout_loglik(gm, X_test) == pytest.approx(gm.score(X_test), rel=1e-12)


class _ZeroSomewhere:
    """Density 0 (log -inf) on the left half-plane, log 0.5 elsewhere."""

    def score_samples(self, X):
        return np.where(X[:, 0] < 0, -np.inf, np.log(0.5))


def test_heldout_loglik_is_minus_inf_without_warning_when_a_point_has_zero_density():
    X = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0]])
    assert heldout_loglik(_ZeroSomewhere(), X) == -np.inf  # warnings are errors in pytest
    assert heldout_loglik(_ZeroSomewhere(), X[:2]) == pytest.approx(np.log(0.5))


def test_heldout_loglik_rejects_nan():
    with pytest.raises(ValueError, match="NaN"):
        heldout_loglik(_ZeroSomewhere(), np.array([[np.nan, 0.0]]))


# --- copy_check -----------------------------------------------------------------


def test_copy_check_flags_exact_copies_of_the_training_set():
    X_train, X_heldout = _gaussian_data(2, 500), _gaussian_data(3, 500)
    generated = X_train[np.random.default_rng(4).integers(0, 500, size=1000)]
    result = copy_check(generated, X_train, X_heldout)
    assert isinstance(result, CopyCheck)
    assert result.share == 1.0
    assert result.median_ratio == 0.0
    assert result.quantile == 0.05


def test_copy_check_flags_near_copies():
    # A KDE with a tiny bandwidth: training points plus noise far below the typical
    # nearest-neighbour distance (~0.04 for 500 standard normal points in 2-D).
    X_train, X_heldout = _gaussian_data(5, 500), _gaussian_data(6, 500)
    rng = np.random.default_rng(7)
    generated = X_train[rng.integers(0, 500, size=1000)] + 1e-4 * rng.standard_normal((1000, 2))
    result = copy_check(generated, X_train, X_heldout)
    assert result.share > 0.95
    assert result.median_ratio < 0.05


def test_copy_check_independent_sample_is_flagged_at_about_the_quantile():
    # Generated and held-out points are independent draws of the training distribution,
    # so the share is ~ q = 0.05 with standard deviation ~ sqrt(2 q (1-q) / 2000) ≈ 0.007
    # (generated binomial + quantile estimate). ±0.025 is > 3.5 sd: false-failure rate
    # below 1e-3 for a random seed; the seed here is fixed.
    X_train, X_heldout, generated = (_gaussian_data(s, 2000) for s in (8, 9, 10))
    result = copy_check(generated, X_train, X_heldout)
    assert abs(result.share - 0.05) < 0.025
    # Medians of two samples of 2000 distances: ratio within ±10% (sd ≈ 3%).
    assert abs(result.median_ratio - 1.0) < 0.1


def test_copy_check_threshold_and_share_match_brute_force_distances():
    X_train, X_heldout, generated = (
        _gaussian_data(s, n) for s, n in ((11, 80), (12, 60), (13, 70))
    )
    d_heldout = cdist(X_heldout, X_train).min(axis=1)
    d_generated = cdist(generated, X_train).min(axis=1)
    result = copy_check(generated, X_train, X_heldout, quantile=0.2)
    assert result.threshold == pytest.approx(np.quantile(d_heldout, 0.2), rel=1e-12)
    assert result.share == np.mean(d_generated < np.quantile(d_heldout, 0.2))
    assert result.median_ratio == pytest.approx(np.median(d_generated) / np.median(d_heldout))
    assert result.quantile == 0.2


@pytest.mark.parametrize("quantile", [0.0, 1.0, -0.1, 1.5, True, "0.05"])
def test_copy_check_rejects_bad_quantile(quantile):
    X = _gaussian_data(14, 20)
    with pytest.raises(ValueError, match="quantile"):
        copy_check(X, X, X, quantile=quantile)


def test_copy_check_rejects_mismatched_features_and_names_the_argument():
    X2, X3 = _gaussian_data(15, 20), _gaussian_data(16, 20, d=3)
    with pytest.raises(ValueError, match="X_generated has 3 features"):
        copy_check(X3, X2, X2)
    with pytest.raises(ValueError, match="X_heldout has 3 features"):
        copy_check(X2, X2, X3)


def test_copy_check_rejects_non_finite_input():
    X = _gaussian_data(17, 20)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        copy_check(bad, X, X)


@pytest.mark.parametrize("quantile", [np.float32(0.1), np.float64(0.1), np.float16(0.1)])
def test_copy_check_takes_numpy_scalars_as_quantile(quantile):
    X_train, X_heldout, generated = (_gaussian_data(s, 200) for s in (20, 21, 22))
    result = copy_check(generated, X_train, X_heldout, quantile=quantile)
    assert result == copy_check(generated, X_train, X_heldout, quantile=float(quantile))
    assert result.quantile == float(quantile)


def test_copy_check_names_the_wrong_type_of_quantile():
    X = _gaussian_data(23, 20)
    with pytest.raises(ValueError, match="quantile must be a real number.*got '0.05'"):
        copy_check(X, X, X, quantile="0.05")


@pytest.mark.parametrize("exponent", [-600, 600, 1000])
def test_copy_check_is_exact_at_any_magnitude(exponent):
    """Scaling by 2**k is exact: same share and ratio, threshold times exactly 2**k.

    At 2**±600 squared distances overflow or underflow; at 2**1000 the threshold is
    ~1e300, which its square is not.
    """
    X_train, X_heldout, generated = (_gaussian_data(s, 300) for s in (24, 25, 26))
    unit = copy_check(generated, X_train, X_heldout)
    scaled = copy_check(*(np.ldexp(X, exponent) for X in (generated, X_train, X_heldout)))
    assert (scaled.share, scaled.median_ratio) == (unit.share, unit.median_ratio)
    assert scaled.threshold == np.ldexp(unit.threshold, exponent)
    assert 0 < unit.share < 1 and np.isfinite(unit.median_ratio)


def test_copy_check_refuses_distances_beyond_the_float_range():
    X_train = np.array([[1.7e308, 0.0], [1.6e308, 0.0]])
    X_heldout = -X_train  # 3.3e308 from the nearest training point
    with pytest.raises(ValueError, match="exceed the float64 range.*rescale"):
        copy_check(X_heldout, X_train, X_heldout)
