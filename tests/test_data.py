"""Tests of densitylab.data: seeded two-moons samples and the stratified digits split."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sklearn.datasets import load_digits

from densitylab.data import DigitsSplit, load_digits_split, sample_moons
from densitylab.mmd import mmd2_unbiased

# ----------------------------------------------------------------------------- two moons


def test_sample_moons_shape_and_dtype():
    X = sample_moons(501, noise=0.1, random_state=0)
    assert X.shape == (501, 2)
    assert X.dtype == np.float64
    assert np.isfinite(X).all()


def test_sample_moons_is_deterministic_for_a_seed():
    assert np.array_equal(sample_moons(300, random_state=5), sample_moons(300, random_state=5))
    assert not np.array_equal(sample_moons(300, random_state=5), sample_moons(300, random_state=6))
    # a Generator is a stream: two draws from one generator differ, two equal ones agree
    g1, g2 = np.random.default_rng(1), np.random.default_rng(1)
    first, second = sample_moons(50, random_state=g1), sample_moons(50, random_state=g1)
    assert not np.array_equal(first, second)
    assert np.array_equal(first, sample_moons(50, random_state=g2))


def test_sample_moons_leaves_global_random_state_alone():
    state = np.random.get_state()  # noqa: NPY002 (reading the legacy state is the test)
    sample_moons(100, random_state=None)
    after = np.random.get_state()  # noqa: NPY002
    assert state[0] == after[0] and np.array_equal(state[1], after[1])


def test_sample_moons_without_noise_lies_on_the_two_half_circles():
    # Upper moon: unit circle about (0, 0) with y ≥ 0; lower moon: unit circle about
    # (1, 0.5) with y ≤ 0.5. Each point picks its moon with probability ½: the count on
    # the upper one is Binomial(401, ½), sd 10; 5 sd bounds it (false-failure rate < 1e-6).
    X = sample_moons(401, noise=0.0, random_state=3)
    upper = np.abs(np.hypot(X[:, 0], X[:, 1]) - 1) < 1e-12
    lower = np.abs(np.hypot(X[:, 0] - 1, X[:, 1] - 0.5) - 1) < 1e-12
    assert np.all(upper | lower)
    assert np.all(X[upper & ~lower, 1] >= -1e-12) and np.all(X[lower & ~upper, 1] <= 0.5 + 1e-12)
    assert abs(np.count_nonzero(upper & ~lower) - 200.5) <= 50


def test_sample_moons_angles_are_uniform_draws_not_a_grid():
    # Independent draws: the angle along each moon is U(0, π) (KS test, false-failure
    # rate 1e-4 at this fixed seed), and unlike sklearn's evenly spaced make_moons the
    # gaps between sorted angles vary like uniform spacings (coefficient of variation
    # ≈ 1, not ≈ 0).
    X = sample_moons(2000, noise=0.0, random_state=7)
    upper = np.abs(np.hypot(X[:, 0], X[:, 1]) - 1) < 1e-12
    upper &= np.abs(np.hypot(X[:, 0] - 1, X[:, 1] - 0.5) - 1) > 1e-9  # not also on the lower
    angles = np.arctan2(X[upper, 1], X[upper, 0])
    assert stats.kstest(angles, stats.uniform(0, np.pi).cdf).pvalue > 1e-4
    gaps = np.diff(np.sort(angles))
    assert gaps.std() / gaps.mean() > 0.8


def test_independent_moons_samples_have_mmd2_zero_in_expectation():
    # Two independent samples of one distribution: MMD²_u has expectation 0. The mean
    # of 40 replicates lies within 4 standard errors of 0 (false-failure rate ≈ 6e-5).
    # sklearn's make_moons grids (exact halves, evenly spaced angles) fail this: their
    # MMD² against independent data is biased below 0 by many standard errors.
    values = [
        mmd2_unbiased(
            sample_moons(1000, random_state=2 * r),
            sample_moons(1000, random_state=2 * r + 1),
            bandwidth=0.5,
        )
        for r in range(40)
    ]
    assert abs(np.mean(values)) < 4 * np.std(values, ddof=1) / np.sqrt(len(values))


def test_sample_moons_noise_has_the_requested_scale():
    # With noise σ, the distance to the nearest half circle is about |N(0, σ²)| (the
    # noise's normal component), so its root mean square over 4000 points is ≈ σ:
    # standard error ≈ 1.1%, and taking the nearer of the two circles biases it down by
    # ≈ 2% (measured on other seeds). 8% is > 5 standard errors beyond the bias
    # (false-failure rate < 1e-6); σ = 0.1 or 0.025 would miss by 50% or more.
    sigma = 0.05
    X = sample_moons(4000, noise=sigma, random_state=4)
    r_upper = np.abs(np.hypot(X[:, 0], X[:, 1]) - 1)
    r_lower = np.abs(np.hypot(X[:, 0] - 1, X[:, 1] - 0.5) - 1)
    residual = np.minimum(r_upper, r_lower)
    assert np.sqrt(np.mean(residual**2)) == pytest.approx(sigma, rel=0.08)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_samples": 1}, "n_samples"),
        ({"n_samples": 10.5}, "n_samples"),
        ({"n_samples": True}, "n_samples"),
        ({"noise": -0.1}, "noise"),
        ({"noise": np.nan}, "noise"),
        ({"noise": np.inf}, "noise"),
        ({"noise": "0.1"}, "noise"),
        ({"random_state": -1}, "random_state"),
    ],
)
def test_sample_moons_bad_input(kwargs, name):
    args = {"n_samples": 10, "noise": 0.1, "random_state": 0} | kwargs
    with pytest.raises(ValueError, match=name):
        sample_moons(**args)


# ----------------------------------------------------------------------------- digits


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def rows_with_labels(X, y):
    """Rows (pixels + label) in lexicographic order: a canonical form of a multiset."""
    table = np.column_stack([X, y])
    return table[np.lexsort(table.T[::-1])]


@pytest.mark.parametrize("test_fraction", [0.25, 0.1, 0.5])
def test_digits_split_shapes_and_types(test_fraction):
    split = load_digits_split(test_fraction, random_state=0)
    assert isinstance(split, DigitsSplit)
    n_test = int(np.ceil(test_fraction * 1797))
    assert split.X_test.shape == (n_test, 64) and split.X_train.shape == (1797 - n_test, 64)
    assert split.y_test.shape == (n_test,) and split.y_train.shape == (1797 - n_test,)
    assert split.X_train.dtype == np.float64
    assert split.X_train.min() >= 0 and split.X_train.max() <= 16


@pytest.mark.parametrize("test_fraction", [0.25, 0.1, 0.5])
def test_digits_split_is_stratified(digits, test_fraction):
    split = load_digits_split(test_fraction, random_state=1)
    for label in range(10):
        total = np.count_nonzero(digits.target == label)
        held_out = np.count_nonzero(split.y_test == label)
        # each class keeps the overall proportion, up to one image of rounding
        assert abs(held_out - test_fraction * total) <= 1
        assert held_out + np.count_nonzero(split.y_train == label) == total


def test_digits_split_is_a_partition_of_all_digits(digits):
    split = load_digits_split(0.25, random_state=2)
    union = rows_with_labels(
        np.concatenate([split.X_train, split.X_test]),
        np.concatenate([split.y_train, split.y_test]),
    )
    # the same multiset of (image, label) rows: nothing lost, nothing used twice
    assert np.array_equal(union, rows_with_labels(digits.data, digits.target))
    # disjoint: the 1797 images are all different, so no image may be in both parts
    assert np.unique(digits.data, axis=0).shape[0] == 1797
    train = {row.tobytes() for row in split.X_train}
    assert not any(row.tobytes() in train for row in split.X_test)


def test_digits_split_images_keep_their_labels(digits):
    # each returned (image, label) pair is a pair of the original data
    split = load_digits_split(0.3, random_state=3)
    pairs = {(row.tobytes(), int(t)) for row, t in zip(digits.data, digits.target, strict=True)}
    for X, y in ((split.X_train, split.y_train), (split.X_test, split.y_test)):
        assert all((row.tobytes(), int(t)) in pairs for row, t in zip(X, y, strict=True))


def test_digits_split_is_deterministic_for_a_seed():
    a, b = load_digits_split(0.25, random_state=7), load_digits_split(0.25, random_state=7)
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))
    c = load_digits_split(0.25, random_state=8)
    assert not np.array_equal(a.y_test, c.y_test)


@pytest.mark.parametrize("test_fraction", [0.0, 1.0, -0.1, 1.5, np.nan, True, "0.2", None])
def test_digits_split_bad_test_fraction(test_fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_split(test_fraction)


@pytest.mark.parametrize("test_fraction", [0.004, 0.996])
def test_digits_split_needs_every_class_on_both_sides(test_fraction):
    # 0.004 · 1797 → 8 held-out images, fewer than the 10 classes (and symmetrically)
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_split(test_fraction)
