"""The data-copying test C_T (Meehan, Chaudhuri & Dasgupta, AISTATS 2020).

References are computed independently of the implementation: nearest-neighbour
distances with :func:`scipy.spatial.distance.cdist`, U by counting pairs, cells from the
returned centroids. Statistical checks use fixed seeds; their bands are stated with the
false-failure rate a correct implementation would have over random seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import mannwhitneyu

from densitylab.data import load_digits_split, sample_moons
from densitylab.diagnostics import DataCopyingResult, data_copying_test


def _nn_distance(A, T):
    return cdist(A, T).min(axis=1)


def _z_by_counting(d_generated, d_heldout):
    """U = #{generated distance > held-out distance} + ½ #ties, Z-scored as in the paper's code."""
    diff = d_generated[:, None] - d_heldout[None, :]
    u = np.sum(diff > 0) + 0.5 * np.sum(diff == 0)
    m, n = len(d_generated), len(d_heldout)
    return (u - n * m / 2 + 0.5) / np.sqrt(n * m * (n + m + 1) / 12)


def _moons(seed, n_train=1000, n_heldout=1000):
    seeds = np.random.SeedSequence(seed).spawn(2)
    return sample_moons(n_train, random_state=seeds[0]), sample_moons(
        n_heldout, random_state=seeds[1]
    )


def test_mannwhitneyu_counts_pairs_with_the_first_sample_larger():
    # The orientation this module relies on: statistic = #{x > y} + ½ #{x = y}.
    x, y = np.array([1.0, 2.0, 3.0]), np.array([0.5, 2.0, 5.0, 6.0])
    assert mannwhitneyu(x, y).statistic == 3 + 1 + 0.5  # 1, 2, 3 > 0.5; 3 > 2; 2 = 2
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=50).round(1), rng.normal(size=70).round(1)  # with ties
    diff = a[:, None] - b[None, :]
    assert mannwhitneyu(a, b).statistic == np.sum(diff > 0) + 0.5 * np.sum(diff == 0)


# --- (a) one cell: exactly the Z-scored Mann-Whitney U --------------------------------


@pytest.mark.parametrize("shift", [0.0, 0.05, -0.05])
def test_one_cell_is_the_z_scored_u_of_the_nearest_neighbour_distances(shift):
    X_train, X_heldout = _moons(1, 500, 300)
    rng = np.random.default_rng(2)
    X_generated = sample_moons(400, random_state=3) * (1 + shift) + 0.01 * rng.normal(
        size=(400, 2)
    )
    result = data_copying_test(X_generated, X_train, X_heldout, n_cells=1, tau=0.0)
    expected = _z_by_counting(_nn_distance(X_generated, X_train), _nn_distance(X_heldout, X_train))
    assert isinstance(result, DataCopyingResult)
    assert result.statistic == pytest.approx(expected, rel=1e-12)
    assert result.cell_z[0] == pytest.approx(expected, rel=1e-12)
    assert result.cells_used.tolist() == [True]
    assert result.null_sd == 1.0
    assert (result.n_cells, result.tau) == (1, 0.0)
    np.testing.assert_allclose(result.centroids, X_train.mean(axis=0, keepdims=True))


def test_several_cells_match_an_independent_computation_from_the_centroids():
    X_train, X_heldout = _moons(4, 1500, 1000)
    X_generated = sample_moons(800, noise=0.15, random_state=5)
    result = data_copying_test(X_generated, X_train, X_heldout, n_cells=6, random_state=0)
    cells = [cdist(A, result.centroids).argmin(axis=1) for A in (X_train, X_generated, X_heldout)]
    shares = [np.bincount(c, minlength=6) / len(c) for c in cells]
    for got, want in zip(
        (result.cell_train_share, result.cell_generated_share, result.cell_heldout_share),
        shares,
        strict=True,
    ):
        np.testing.assert_allclose(got, want)
    used = shares[1] > 20 / 800  # the default tau: more than 20 generated points
    np.testing.assert_array_equal(result.cells_used, used)
    z = np.full(6, np.nan)
    for k in np.flatnonzero(used):
        train_k = X_train[cells[0] == k]  # the nearest training point of the same cell
        z[k] = _z_by_counting(
            _nn_distance(X_generated[cells[1] == k], train_k),
            _nn_distance(X_heldout[cells[2] == k], train_k),
        )
    np.testing.assert_allclose(result.cell_z, z, rtol=1e-12)
    w = shares[2][used]
    assert result.statistic == pytest.approx(np.dot(w, z[used]) / w.sum(), rel=1e-12)
    assert result.null_sd == pytest.approx(np.sqrt(np.sum(w**2)) / w.sum(), rel=1e-12)


def test_equal_seeds_give_identical_results_and_defaults_follow_the_paper():
    X_train, X_heldout = _moons(6, 1000, 1000)
    X_generated = sample_moons(500, random_state=7)
    first = data_copying_test(X_generated, X_train, X_heldout, random_state=3)
    again = data_copying_test(X_generated, X_train, X_heldout, random_state=3)
    assert first.statistic == again.statistic
    np.testing.assert_array_equal(first.centroids, again.centroids)
    assert first.n_cells == 5  # 1000 held-out points // 200 per cell
    assert first.tau == 20 / 500
    assert data_copying_test(X_generated, X_train, X_heldout[:399], random_state=0).n_cells == 1
    assert data_copying_test(X_generated, X_train[:399], X_heldout, random_state=0).n_cells == 1


# --- (b) copying, (c) over-dispersion --------------------------------------------------


def test_a_copier_of_the_training_set_scores_far_below_zero():
    X_train, X_heldout = _moons(8)
    rng = np.random.default_rng(9)
    copies = X_train[rng.integers(0, len(X_train), 1000)] + 1e-3 * rng.normal(size=(1000, 2))
    result = data_copying_test(copies, X_train, X_heldout, random_state=0)
    assert result.statistic < -5
    assert np.all(result.cell_z[result.cells_used] < -3)


def test_an_over_dispersed_sampler_scores_far_above_zero():
    X_train, X_heldout = _moons(10)
    rng = np.random.default_rng(11)
    noisy = sample_moons(1000, random_state=12) + 0.3 * rng.normal(size=(1000, 2))
    assert data_copying_test(noisy, X_train, X_heldout, random_state=0).statistic > 5


def test_a_copier_of_digits_is_caught_in_64_dimensions():
    split = load_digits_split(0.25, random_state=0)
    rng = np.random.default_rng(13)
    n = len(split.X_train)
    # A KDE with a tiny bandwidth: training images plus noise far below the distance
    # between images (pixel values 0–16).
    copies = split.X_train[rng.integers(0, n, 1000)] + 0.1 * rng.normal(size=(1000, 64))
    copying = data_copying_test(copies, split.X_train, split.X_test, random_state=0)
    assert copying.n_cells == 2  # 450 held-out images
    assert copying.statistic < -5
    # Fresh digits: no copying signal (|C_T| < 4 null sds: false alarm rate < 1e-4).
    fresh = data_copying_test(split.X_test[:200], split.X_train, split.X_test[200:], n_cells=1)
    assert abs(fresh.statistic) < 4


# --- (d) calibration without copying -----------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("n_cells", [1, 4])
def test_null_distribution_of_c_t(n_cells):
    """Fresh samples, 300 seeded repetitions (new training, held-out and generated sets).

    Given the cells' counts, the cell Z-scores are independent and about N(0, 1), so C_T
    has mean ≈ 0 and sd ``null_sd`` = sqrt(Σw²)/Σw (1 for one cell, ≈ 0.5 for four).
    Measured: one cell, mean 0.04 and sd 1.01; four cells, mean 0.01, sd 0.51 with mean
    ``null_sd`` 0.51 (standardised sd 1.00). Bands: |mean| < 4 standard errors and the
    standardised sd within ±16 % of 1 (sd of a 300-sample sd: 4.1 %, so ±3.9 sd); a
    correct implementation fails either for about 1 seed in 10⁴.
    """
    repeats = 300
    values, null_sds = [], []
    for rep in range(repeats):
        seeds = np.random.SeedSequence([7, rep]).spawn(4)
        X_train = sample_moons(500, random_state=seeds[0])
        X_heldout = sample_moons(400, random_state=seeds[1])
        X_generated = sample_moons(400, random_state=seeds[2])
        result = data_copying_test(
            X_generated, X_train, X_heldout, n_cells=n_cells, tau=0.0, random_state=seeds[3]
        )
        values.append(result.statistic)
        null_sds.append(result.null_sd)
    values, null_sds = np.array(values), np.array(null_sds)
    assert abs(values.mean()) < 4 * values.std(ddof=1) / np.sqrt(repeats)
    assert 0.84 < np.std(values / null_sds, ddof=1) < 1.16
    if n_cells == 4:
        assert 0.4 < null_sds.mean() < 0.6  # about 1/sqrt(4): C_T is not N(0, 1) here


# --- (e) the cells of Π_τ ---------------------------------------------------------------


def _two_clusters(seed, n_a, n_b):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(size=(n_a, 2)), rng.normal(size=(n_b, 2)) + [20.0, 0.0]])


def test_cells_with_too_few_generated_points_are_left_out():
    X_train, X_heldout = _two_clusters(14, 300, 300), _two_clusters(15, 200, 200)
    X_generated = _two_clusters(16, 195, 5)  # 5 of 200 = 2.5 % in the second cluster
    result = data_copying_test(
        X_generated, X_train, X_heldout, n_cells=2, tau=0.05, random_state=0
    )
    far = int(np.argmax(result.centroids[:, 0]))  # the cell around (20, 0)
    near = 1 - far
    assert result.cell_generated_share[far] == pytest.approx(0.025)
    assert result.cells_used.tolist() == [near == 0, near == 1]
    assert np.isnan(result.cell_z[far]) and np.isfinite(result.cell_z[near])
    assert result.statistic == result.cell_z[near]  # weights renormalised over Π_τ
    assert result.null_sd == 1.0
    # The threshold is strict, as in the paper: a share equal to tau is left out too;
    # with tau = 0 every cell holding a generated point counts.
    for tau, far_used in ((0.025, False), (0.0, True)):
        again = data_copying_test(
            X_generated, X_train, X_heldout, n_cells=2, tau=tau, random_state=0
        )
        np.testing.assert_array_equal(again.centroids, result.centroids)
        assert again.cells_used[far] == far_used and again.cells_used[near]


def test_a_cell_without_generated_points_has_no_z_score():
    X_train, X_heldout = _two_clusters(17, 300, 300), _two_clusters(18, 200, 200)
    X_generated = _two_clusters(19, 100, 0)
    result = data_copying_test(X_generated, X_train, X_heldout, n_cells=2, tau=0.0, random_state=0)
    assert result.cells_used.sum() == 1 and np.isnan(result.cell_z).sum() == 1


# --- (f) bad input ----------------------------------------------------------------------


def _valid():
    X_train, X_heldout = _moons(20, 300, 300)
    return sample_moons(100, random_state=21), X_train, X_heldout


@pytest.mark.parametrize(
    ("position", "bad", "match"),
    [
        (0, np.zeros((10, 3)), "X_generated has 3 features"),
        (2, np.zeros((10, 3)), "X_heldout has 3 features"),
        (0, np.zeros((1, 2)), "X_generated needs at least 2"),
        (1, np.zeros((1, 2)), "X_train needs at least 2"),
        (2, np.zeros((1, 2)), "X_heldout needs at least 2"),
        (1, np.full((10, 2), np.nan), "X_train contains NaN"),
        (0, np.zeros(10), "X_generated must be 2-D"),
    ],
)
def test_bad_samples_are_rejected(position, bad, match):
    args = list(_valid())
    args[position] = bad
    with pytest.raises(ValueError, match=match):
        data_copying_test(*args, n_cells=1, tau=0.0)


@pytest.mark.parametrize("tau", [-0.1, 1.0, 1.5, np.nan, "0.1", True])
def test_tau_outside_zero_one_is_rejected(tau):
    with pytest.raises(ValueError, match="tau must be a number in"):
        data_copying_test(*_valid(), tau=tau)


@pytest.mark.parametrize(
    ("n_cells", "match"),
    [
        (0, "n_cells must be an integer >= 1"),
        (2.0, "n_cells must be an integer"),
        (301, "too many"),
    ],
)
def test_bad_n_cells_are_rejected(n_cells, match):
    with pytest.raises(ValueError, match=match):
        data_copying_test(*_valid(), n_cells=n_cells)


def test_what_the_data_cannot_support_is_rejected():
    X_generated, X_train, X_heldout = _valid()
    with pytest.raises(ValueError, match="n_cells=3 exceeds the number of distinct"):
        data_copying_test(
            X_generated, np.repeat(X_train[:2], 50, axis=0), X_heldout, n_cells=3, random_state=0
        )
    with pytest.raises(ValueError, match="more than 20 points"):
        data_copying_test(X_generated[:20], X_train, X_heldout)
    with pytest.raises(ValueError, match="No cell holds more than tau"):
        data_copying_test(X_generated, X_train, X_heldout, n_cells=2, tau=0.9, random_state=0)
    # Held-out data only in one of two far-apart clusters: the other cell has none.
    with pytest.raises(ValueError, match="no held-out point"):
        data_copying_test(
            _two_clusters(22, 100, 100),
            _two_clusters(23, 300, 300),
            _two_clusters(24, 300, 0),
            n_cells=2,
            tau=0.0,
            random_state=0,
        )
