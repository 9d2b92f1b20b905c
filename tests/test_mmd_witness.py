"""The MMD witness function: direct formula, exactness far from the origin, RKHS identity, sign."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from densitylab.mmd import mean_kernel, median_heuristic, witness


def _kernel(A, B, kernel, h):
    d2 = cdist(A, B, "sqeuclidean") / h**2
    return np.exp(-d2) if kernel == "se" else 1.0 / np.sqrt(1.0 + d2)


def _direct_witness(X, Y, T, kernel, h):
    return _kernel(T, X, kernel, h).mean(axis=1) - _kernel(T, Y, kernel, h).mean(axis=1)


def _samples(seed, n=600, m=300, n_points=700, d=3):
    # More rows than one tile (256) in every sample, so blocks over T and over X/Y are used.
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    Y = rng.normal(size=(m, d)) * 1.3 + 0.4
    T = rng.normal(size=(n_points, d)) * 2.0
    return X, Y, T


@pytest.mark.parametrize("kernel", ["se", "imq"])
@pytest.mark.parametrize("h", [0.3, 1.0, 4.0])
def test_witness_matches_the_direct_formula(kernel, h):
    X, Y, T = _samples(0)
    f = witness(X, Y, T, kernel=kernel, bandwidth=h)
    assert f.shape == (T.shape[0],)
    # f is a difference of two means of values in (0, 1]: 1e-15 absolute is a few ulps
    # of each mean, for the points where f itself is near 0.
    np.testing.assert_allclose(f, _direct_witness(X, Y, T, kernel, h), rtol=1e-12, atol=1e-15)


def test_default_bandwidth_is_the_median_heuristic_of_x_and_y():
    X, Y, T = _samples(1, n=200, m=150, n_points=50)
    h = median_heuristic(X, Y)
    np.testing.assert_array_equal(witness(X, Y, T), witness(X, Y, T, bandwidth=h))


def test_witness_does_not_depend_on_the_number_of_threads():
    X, Y, T = _samples(2, n=700, m=600, n_points=900)
    one = witness(X, Y, T, bandwidth=1.0, n_jobs=1)
    np.testing.assert_array_equal(one, witness(X, Y, T, bandwidth=1.0, n_jobs=2))


@pytest.mark.parametrize("kernel", ["se", "imq"])
def test_witness_is_exact_far_from_the_origin(kernel):
    X, Y, T = _samples(3)
    offset = 1e8
    far = [A + offset for A in (X, Y, T)]
    # Moving the rounded far data back is exact (Sterbenz), so both calls see the same
    # point configuration; only the position differs.
    near = [A - offset for A in far]
    f_far = witness(*far, kernel=kernel, bandwidth=0.5)
    f_near = witness(*near, kernel=kernel, bandwidth=0.5)
    np.testing.assert_allclose(f_far, f_near, rtol=1e-12, atol=1e-15)
    # The check has teeth: expanding ‖t − x‖² without centring loses every digit there.
    Tf, Xf = far[2][:5], far[0][:5]
    naive = (Tf**2).sum(1)[:, None] + (Xf**2).sum(1)[None, :] - 2 * Tf @ Xf.T
    assert np.abs(naive - cdist(near[2][:5], near[0][:5], "sqeuclidean")).max() > 1.0


@pytest.mark.parametrize("kernel", ["se", "imq"])
def test_squared_rkhs_norm_is_the_biased_mmd2(kernel):
    """‖f‖²_H = MMD²_b = mean_i f(x_i) − mean_j f(y_j) (the V-statistic identity)."""
    X, Y, _ = _samples(4, n=400, m=300)
    h = 0.8
    mmd2_biased = (
        _kernel(X, X, kernel, h).mean()
        + _kernel(Y, Y, kernel, h).mean()
        - 2 * _kernel(X, Y, kernel, h).mean()
    )
    norm2 = witness(X, Y, X, kernel, h).mean() - witness(X, Y, Y, kernel, h).mean()
    assert norm2 == pytest.approx(mmd2_biased, rel=1e-11)
    # MMD²_b is MMD²_u's kernel means with the diagonal terms k(x, x) = 1 put back.
    n, m = len(X), len(Y)
    from_means = (
        (n - 1) / n * mean_kernel(X, kernel=kernel, bandwidth=h)
        + 1 / n
        + (m - 1) / m * mean_kernel(Y, kernel=kernel, bandwidth=h)
        + 1 / m
        - 2 * mean_kernel(X, Y, kernel=kernel, bandwidth=h)
    )
    assert norm2 == pytest.approx(from_means, rel=1e-11)


def test_witness_is_positive_where_x_has_more_mass():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(500, 1))  # mass around 0
    Y = rng.normal(size=(500, 1)) + 3.0  # mass around 3
    f = witness(X, Y, np.array([[0.0], [1.5], [3.0]]))
    assert f[0] > 0.1 and f[2] < -0.1
    assert abs(f[1]) < f[0]  # the midpoint sits between the two masses


def test_witness_is_antisymmetric_in_x_and_y():
    X, Y, T = _samples(6, n=100, m=80, n_points=30)
    np.testing.assert_allclose(
        witness(X, Y, T, bandwidth=1.0), -witness(Y, X, T, bandwidth=1.0), rtol=0, atol=1e-15
    )


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((np.zeros((3, 2)), np.ones((3, 2)), np.zeros((3, 3))), "T must have the features"),
        ((np.zeros((3, 2)), np.ones((3, 3)), np.zeros((3, 2))), "same number of features"),
        ((np.zeros((3, 2)), np.ones((3, 2)), np.array([[np.nan, 0.0]])), "T contains NaN"),
        ((np.zeros((3, 2)), np.ones((3, 2)), np.zeros((0, 2))), "T needs at least 1"),
        ((np.zeros((0, 2)), np.ones((3, 2)), np.zeros((3, 2))), "X needs at least 1"),
    ],
)
def test_witness_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        witness(*args, bandwidth=1.0)


def test_witness_rejects_bad_kernel_and_bandwidth():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match="kernel"):
        witness(X, X + 1, X, kernel="gauss")
    with pytest.raises(ValueError, match="bandwidth"):
        witness(X, X + 1, X, bandwidth=0.0)
