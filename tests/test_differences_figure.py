"""The paired-differences figure of the two-moons chapter: ties stay readable."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")  # headless; the package itself never touches pyplot

import numpy as np

from densitylab.report.figures import new_figure
from densitylab.studies.moons_differences import (
    OFF_SCALE_FACTOR,
    off_scale_settings,
    plot_differences_to_best,
)


def _ranking(comparisons, best, tied):
    values = sorted([*comparisons, best])
    comparisons = comparisons | {best: SimpleNamespace(mean=0.0, low=0.0, high=0.0)}
    return SimpleNamespace(values=values, best=best, tied=tied, comparisons=comparisons)


def _c(mean, low, high):
    return SimpleNamespace(mean=mean, low=low, high=high)


# GMM-like MMD² differences: K = 1 far worse, K = 5 and 8 tie with the best (K = 20).
FAR = _ranking({1: _c(0.016, 0.014, 0.017), 5: _c(2e-4, -2e-4, 5e-4), 8: _c(1e-4, 0.0, 2e-4)},
               best=20, tied=[5, 8, 20])  # fmt: skip


def test_a_far_setting_is_marked_at_the_edge_and_the_ties_fill_the_axis():
    beyond, limit = off_scale_settings(FAR)
    assert beyond == {1} and limit == OFF_SCALE_FACTOR * 5e-4
    fig, axes = new_figure(1, 1, aspect=0.55)
    ax = axes[0, 0]
    plot_differences_to_best(ax, FAR, "n_components", title="GMM: MMD²", ylabel="MMD² − best")
    low, high = ax.get_ylim()
    assert high == limit and low < -2e-4  # the ties' intervals are inside, K = 1 is not
    assert high - low < 0.2 * 0.017  # so they are not flat at 0
    marker = [line for line in ax.get_lines() if line.get_gid() == "off-scale"]
    assert len(marker) == 1 and marker[0].get_marker() == "^"
    np.testing.assert_array_equal(marker[0].get_xdata(), [FAR.values.index(1)])
    np.testing.assert_array_equal(marker[0].get_ydata(), [limit])
    text = [t for t in ax.texts if t.get_gid() == "off-scale-text"]
    assert [t.get_text() for t in text] == ["0.016"]


def test_without_ties_or_far_settings_nothing_is_cut():
    no_ties = _ranking({1: _c(-0.8, -0.85, -0.75), 2: _c(-0.02, -0.03, -0.01)}, best=3, tied=[3])
    close = _ranking({1: _c(0.004, 0.003, 0.0055), 2: _c(5e-4, -6e-4, 0.0016)}, best=3,
                     tied=[2, 3])  # fmt: skip
    for ranking in (no_ties, close):
        assert off_scale_settings(ranking) == (set(), None)
        fig, axes = new_figure(1, 1)
        plot_differences_to_best(axes[0, 0], ranking, "bandwidth", title="", ylabel="")
        low, high = axes[0, 0].get_ylim()
        ends = [e for c in ranking.comparisons.values() for e in (c.low, c.high)]
        assert low < min(ends) and max(ends) < high  # every interval drawn whole
        assert not [t for t in axes[0, 0].texts if t.get_gid() == "off-scale-text"]
