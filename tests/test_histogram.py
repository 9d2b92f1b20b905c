"""Histogram2D against numpy.histogram2d: counts, edges, bin membership, sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from densitylab.data import sample_moons
from densitylab.models import Histogram2D


@pytest.fixture(scope="module")
def moons():
    return sample_moons(400, noise=0.1, random_state=3)


def _numpy_log_density(X, queries, bins, value_range):
    """log p of each query from np.histogram2d alone: its counts, edges and bin rule."""
    counts, xe, ye = np.histogram2d(X[:, 0], X[:, 1], bins=bins, range=value_range)
    area = np.outer(np.diff(xe), np.diff(ye))
    out = np.full(len(queries), -np.inf)
    for i, q in enumerate(queries):
        # numpy decides the cell of q: histogram the single point on the same edges.
        cell, _, _ = np.histogram2d([q[0]], [q[1]], bins=[xe, ye])
        if cell.sum() == 1 and counts[cell == 1][0] > 0:  # inside, in an occupied cell
            out[i] = np.log(counts[cell == 1][0] / (counts.sum() * area[cell == 1][0]))
    return out


@pytest.mark.parametrize(
    ("bins", "value_range"),
    [(20, None), ((7, 13), None), (10, [(-1.5, 2.5), (-1.0, 1.5)]), (5, [(0.0, 1.0), (0.0, 1.0)])],
)
def test_density_is_counts_over_n_times_area(moons, bins, value_range):
    model = Histogram2D(bins=bins, range=value_range).fit(moons)
    counts, xe, ye = np.histogram2d(moons[:, 0], moons[:, 1], bins=bins, range=value_range)
    np.testing.assert_array_equal(model.x_edges_, xe)
    np.testing.assert_array_equal(model.y_edges_, ye)
    np.testing.assert_array_equal(model.counts_, counts)
    area = np.outer(np.diff(xe), np.diff(ye))
    np.testing.assert_allclose(model.density_, counts / (counts.sum() * area), rtol=1e-15)
    # n counts the points inside the range, so this is numpy's density=True.
    numpy_density, _, _ = np.histogram2d(
        moons[:, 0], moons[:, 1], bins=bins, range=value_range, density=True
    )
    np.testing.assert_allclose(model.density_, numpy_density, rtol=1e-12)
    assert np.sum(model.density_ * area) == pytest.approx(1.0, abs=1e-12)


def test_score_samples_uses_numpys_bin_of_each_point(moons):
    bins, value_range = (6, 4), [(-1.0, 2.0), (-0.5, 1.5)]
    model = Histogram2D(bins=bins, range=value_range).fit(moons)
    xe, ye = model.x_edges_, model.y_edges_
    on_edges = np.array(
        [[x, y] for x in (xe[0], xe[1], xe[3], xe[-1]) for y in (ye[0], ye[2], ye[-1])]
    )
    just_outside = np.array(
        [[np.nextafter(xe[-1], np.inf), 0.5], [0.5, np.nextafter(ye[0], -np.inf)], [-3.0, 9.0]]
    )
    queries = np.vstack([moons[:100], sample_moons(100, random_state=9), on_edges, just_outside])
    expected = _numpy_log_density(moons, queries, bins, value_range)
    np.testing.assert_allclose(model.score_samples(queries), expected, rtol=1e-15)


def test_upper_edge_belongs_to_the_last_bin_and_outside_is_zero(moons):
    model = Histogram2D(bins=(4, 3), range=[(-1.0, 2.0), (-0.5, 1.5)]).fit(moons)
    xe, ye = model.x_edges_, model.y_edges_
    y_mid = 0.5 * (ye[1] + ye[2])  # inside cell j = 1
    log_p = model.score_samples(
        [[xe[-1], y_mid], [xe[1], y_mid], [np.nextafter(xe[-1], np.inf), y_mid], [xe[0], ye[0]]]
    )
    assert log_p[0] == np.log(model.density_[-1, 1])  # last cell holds its upper edge
    assert log_p[1] == np.log(model.density_[1, 1])  # an inner edge opens the next cell
    assert log_p[2] == -np.inf  # just beyond the range
    assert log_p[3] == np.log(model.density_[0, 0])  # the lower corner is inside
    far = model.score_samples([[50.0, 0.0], [0.0, -50.0]])
    np.testing.assert_array_equal(far, [-np.inf, -np.inf])


def test_points_left_out_by_range_do_not_count():
    X = np.array([[0.1, 0.1], [0.2, 0.6], [0.7, 0.7], [5.0, 5.0]])  # the last is outside
    model = Histogram2D(bins=2, range=[(0.0, 1.0), (0.0, 1.0)]).fit(X)
    # three points inside, each cell 0.25: density 1/(3 · 0.25) per point in a cell
    np.testing.assert_allclose(model.density_, [[4 / 3, 4 / 3], [0.0, 4 / 3]])


def test_zero_width_axis_is_widened_as_numpy_does():
    X = np.column_stack([np.linspace(0.0, 1.0, 9), np.full(9, 2.0)])
    model = Histogram2D(bins=4).fit(X)
    _, xe, ye = np.histogram2d(X[:, 0], X[:, 1], bins=4)
    np.testing.assert_array_equal(model.y_edges_, ye)
    assert (ye[0], ye[-1]) == (1.5, 2.5)
    np.testing.assert_array_equal(model.x_edges_, xe)
    area = np.outer(np.diff(xe), np.diff(ye))
    assert np.sum(model.density_ * area) == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.isfinite(model.score_samples(X)))


def test_integrates_to_one_through_score_samples(moons):
    model = Histogram2D(bins=(9, 11)).fit(moons)
    xe, ye = model.x_edges_, model.y_edges_
    xc, yc = 0.5 * (xe[1:] + xe[:-1]), 0.5 * (ye[1:] + ye[:-1])
    centres = np.column_stack([np.repeat(xc, len(yc)), np.tile(yc, len(xc))])
    area = np.outer(np.diff(xe), np.diff(ye)).ravel()
    assert np.sum(np.exp(model.score_samples(centres)) * area) == pytest.approx(1.0, abs=1e-12)


def test_sample_stays_in_range_and_follows_cells_and_uniformity(moons):
    """Cell counts: chi-square against counts_/n; inside cells: uniform positions.

    Each of the three tests has false-failure rate 1e-4 (fixed seed).
    """
    model = Histogram2D(bins=(8, 5)).fit(moons)
    n = 20_000
    samples = model.sample(n, random_state=0)
    xe, ye = model.x_edges_, model.y_edges_
    assert np.all((samples[:, 0] >= xe[0]) & (samples[:, 0] <= xe[-1]))
    assert np.all((samples[:, 1] >= ye[0]) & (samples[:, 1] <= ye[-1]))
    observed, _, _ = np.histogram2d(samples[:, 0], samples[:, 1], bins=[xe, ye])
    expected = n * model.counts_ / model.counts_.sum()
    assert np.all(observed[expected == 0] == 0)  # empty cells are never drawn
    occupied = expected > 0
    p_value = stats.chisquare(observed[occupied], expected[occupied]).pvalue
    assert p_value > 1e-4
    ix = np.clip(np.searchsorted(xe, samples[:, 0], side="right") - 1, 0, len(xe) - 2)
    iy = np.clip(np.searchsorted(ye, samples[:, 1], side="right") - 1, 0, len(ye) - 2)
    u = (samples[:, 0] - xe[ix]) / np.diff(xe)[ix]
    v = (samples[:, 1] - ye[iy]) / np.diff(ye)[iy]
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    assert stats.kstest(v, "uniform").pvalue > 1e-4


def test_sample_with_explicit_range_stays_inside_it(moons):
    value_range = [(-0.5, 1.5), (-0.25, 0.75)]
    samples = Histogram2D(bins=6, range=value_range).fit(moons).sample(5000, random_state=1)
    assert np.all((samples[:, 0] >= -0.5) & (samples[:, 0] <= 1.5))
    assert np.all((samples[:, 1] >= -0.25) & (samples[:, 1] <= 0.75))


@pytest.mark.parametrize("n_features", [1, 3])
def test_needs_exactly_two_features(n_features):
    X = np.random.default_rng(0).normal(size=(50, n_features))
    with pytest.raises(ValueError, match="2 features"):
        Histogram2D().fit(X)


# -------------------------------------------------------- rounding at edges and extreme scales


class _TopOfUnitInterval(np.random.Generator):
    """A generator whose uniform draws are all 1 − 2⁻⁵³, the largest ``random()`` returns."""

    def random(self, size=None, dtype=np.float64, out=None):
        return np.full(size, 1.0 - 2.0**-53)


def test_a_draw_that_rounds_onto_the_upper_edge_stays_in_its_cell():
    # Cells of width 2**-20 at 1e6: 1e6 + (1 − 2**-53)·2**-20 rounds to the next edge,
    # whose cell holds no training point.
    width = 2.0**-20
    value_range = [(1e6, 1e6 + 4 * width), (1e6, 1e6 + 4 * width)]
    X = np.full((5, 2), 1e6 + 0.5 * width)  # all in cell (0, 0)
    model = Histogram2D(bins=4, range=value_range).fit(X)
    assert 1e6 + (1.0 - 2.0**-53) * width == model.x_edges_[1]  # the rounding happens
    samples = model.sample(10, random_state=_TopOfUnitInterval(np.random.PCG64(0)))
    assert np.all(samples < model.x_edges_[1]) and np.all(samples >= 1e6)
    assert np.all(samples == np.nextafter(1e6 + width, 0.0))
    assert np.all(np.isfinite(model.score_samples(samples)))


def test_samples_far_from_the_origin_all_have_positive_density_and_the_right_law():
    """1000 × 1000 cells of ~3e-6 at 1e6, where rounding puts dozens of draws on an edge.

    Every sample must fall in an occupied cell; the counts per occupied cell are then
    tested against counts_/n by chi-square, false-failure rate 1e-4 (fixed seed).
    """
    X = sample_moons(1000, noise=0.1, random_state=0) * 1e-3 + 1e6
    model = Histogram2D(bins=1000).fit(X)
    n = 1_000_000
    samples = model.sample(n, random_state=0)
    assert np.all(np.isfinite(model.score_samples(samples)))
    observed, _, _ = np.histogram2d(
        samples[:, 0], samples[:, 1], bins=[model.x_edges_, model.y_edges_]
    )
    occupied = model.counts_ > 0
    assert observed[~occupied].sum() == 0
    expected = n * model.counts_[occupied] / model.counts_.sum()
    assert stats.chisquare(observed[occupied], expected).pvalue > 1e-4


@pytest.mark.parametrize("exponent", [-1000, -600, 500, 1000])
def test_data_at_extreme_scales_get_the_exact_log_density(moons, exponent):
    """Scaling by 2**k is exact, so log p must shift by exactly −2k·log 2 (to rounding).

    At 2**±1000 the cell areas (4**±1000 times those at unit scale) over- or underflow;
    the log density must not.
    """
    queries = np.vstack([moons[:50], sample_moons(50, random_state=9)])
    at_unit_scale = Histogram2D(bins=(20, 15)).fit(moons).score_samples(queries)
    model = Histogram2D(bins=(20, 15)).fit(np.ldexp(moons, exponent))
    scaled = model.score_samples(np.ldexp(queries, exponent))
    inside = np.isfinite(at_unit_scale)
    np.testing.assert_array_equal(np.isfinite(scaled), inside)
    expected = at_unit_scale[inside] - 2 * exponent * np.log(2.0)
    np.testing.assert_allclose(scaled[inside], expected, rtol=4 * np.finfo(float).eps)


@pytest.mark.parametrize(
    ("X", "params", "word"),
    [
        (np.array([[-1e308, 0.0], [1e308, 1.0]]), {}, "X spans"),
        (np.array([[0.0, 0.0], [1.0, 1.0]]), {"range": [(-1e308, 1e308), (0, 1)]}, "range"),
        (sample_moons(100, random_state=0) * 1e-9 + 1e6, {"bins": 1000}, "bins"),
    ],
    ids=["data-span-overflows", "range-span-overflows", "edges-coincide"],
)
def test_unrepresentable_cells_are_refused_with_the_cause(X, params, word):
    with pytest.raises(ValueError, match=word):
        Histogram2D(**params).fit(X)
