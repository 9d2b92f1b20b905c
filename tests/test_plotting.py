"""Figures of densitylab.plotting: numbers drawn, scales, labels, legends, the convention.

Every number a figure shows is checked against an independent computation from the
table it was given; every figure is rendered once (warnings are errors).
"""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # headless; the package itself never touches pyplot

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from densitylab.mmd import mmd_permutation_test
from densitylab.models import DensityForest, GaussianKDE
from densitylab.plotting import (
    data_bounds,
    is_log_grid,
    plot_density,
    plot_fit_criterion,
    plot_kernels,
    plot_model_gallery,
    plot_partition,
    plot_permutation_null,
    plot_samples,
    plot_sweep,
    plot_sweep_panels,
    plot_witness,
    plot_witness_panels,
)
from densitylab.plotting._ticks import SymlogDecades, use_symlog
from densitylab.report.figures import new_figure
from densitylab.report.typography import axis_label, p_value, percent

SIZES = [100, 200, 500]
VALUES = [1, 2, 3, 5, 8, 12]
REPEATS = 4


def _row(value, n_train, repeat, model="GMM", param="n_components", **columns):
    """One row of a sweep table: the fit's identity, then ``columns``."""
    fit = {"model": model, "param": param, "value": value, "n_train": n_train, "repeat": repeat}
    return fit | columns


def _mmd_frame(kernels=("se", "imq"), bandwidth_names=("median",), seed=0, scale=1.0):
    """A tidy MMD table: MMD² ≈ 1/(K·n) plus noise of sd 1e-4 (so some values < 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    for kernel, name, n, value, r in itertools.product(
        kernels, bandwidth_names, SIZES, VALUES, range(REPEATS)
    ):
        mmd2 = scale * (1.0 / (value * n) + 1e-4 * rng.standard_normal())
        rows.append(
            _row(value, n, r, reference="test", kernel=kernel, bandwidth_name=name,
                 bandwidth=0.8 if name == "median" else 0.12, mmd2=mmd2)
        )  # fmt: skip
    return pd.DataFrame(rows)


def _digits_frame(seed=1):
    """MMD² of digits: one training size, three splits, two references."""
    rng = np.random.default_rng(seed)
    rows = []
    for reference, value, r in itertools.product(
        ("train", "heldout"), [0.01, 0.1, 1, 2], range(3)
    ):
        base = -5e-4 if (reference == "train" and value < 1) else 1e-3 * value
        rows.append(
            _row(value, 1347, r, model="GaussianKDE", param="bandwidth", reference=reference,
                 kernel="se", bandwidth_name="median", bandwidth=34.7,
                 mmd2=base + 1e-5 * rng.standard_normal())
        )  # fmt: skip
    return pd.DataFrame(rows)


def _fits_frame(column="heldout_loglik", values=None, seed=2):
    rng = np.random.default_rng(seed)
    rows = []
    for n, value, r in itertools.product(SIZES, VALUES, range(REPEATS)):
        y = -1.0 - 1.0 / value + 0.05 * rng.standard_normal() if values is None else values(value)
        rows.append(_row(value, n, r, **{column: y}))
    return pd.DataFrame(rows)


def _renders(fig):
    """Draw the figure to PNG once: layout errors and warnings surface here."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def _by_gid(artists, gid):
    found = [a for a in artists if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist {gid!r}, found {len(found)}"
    return found[0]


def _expected(table, column, line, level):
    """Mean and standard error over repeats, computed directly (one x at a time)."""
    part = table[table[line] == level]
    xs = sorted(part["value"].unique())
    means, ses = [], []
    for x in xs:
        y = part.loc[part["value"] == x, column].to_numpy()
        means.append(sum(y) / len(y))
        ses.append(np.sqrt(sum((y - means[-1]) ** 2) / (len(y) - 1)) / np.sqrt(len(y)))
    return np.array(xs, dtype=float), np.array(means), np.array(ses)


def _band_edges(collection, xs):
    """Lower and upper edge of a fill_between band at each x."""
    vertices = collection.get_paths()[0].vertices
    low, high = [], []
    for x in xs:
        ys = vertices[np.isclose(vertices[:, 0], x, rtol=0, atol=1e-12), 1]
        low.append(ys.min())
        high.append(ys.max())
    return np.array(low), np.array(high)


def _words(label):
    """A label without its math: what must read as words, not as column names."""
    return re.sub(r"\$[^$]*\$", "", label)


def _legend_texts(legend):
    return [t.get_text() for t in legend.get_texts()]


def _outside(legend, ax):
    """Whether the drawn legend's box lies entirely outside the axes' box (the data area)."""
    box, area = legend.get_window_extent(), ax.get_window_extent()
    return not box.overlaps(area)


# --- plot_sweep ----------------------------------------------------------------------


def test_plot_sweep_lines_are_means_over_repeats_and_bands_one_standard_error():
    mmd = _mmd_frame(kernels=("se",))
    fig = plot_sweep(mmd)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    for n in SIZES:
        xs, mean, se = _expected(mmd, "mmd2", "n_train", n)
        line = _by_gid(ax.get_lines(), f"mean:{n}")
        np.testing.assert_array_equal(line.get_xdata(), xs)
        np.testing.assert_allclose(line.get_ydata(), mean, rtol=1e-12)
        low, high = _band_edges(_by_gid(ax.collections, f"band:{n}"), xs)
        np.testing.assert_allclose(low, mean - se, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(high, mean + se, rtol=1e-9, atol=1e-15)
    _renders(fig)


def test_plot_sweep_labels_in_words_and_symbols_and_a_legend_outside():
    fig = plot_sweep(_mmd_frame(kernels=("imq",)), floor=-2e-5)
    ax = fig.axes[0]
    assert ax.get_xlabel() == axis_label("n_components") == "number of components $K$"
    assert "_" not in _words(ax.get_xlabel())
    assert ax.get_ylabel() == "MMD²"
    assert ax.get_title() == "GMM, IMQ kernel, σ\u00a0=\u00a00.80 (median heuristic)"
    (legend,) = fig.legends  # the figure holds this one panel: its legend goes below
    assert _legend_texts(legend) == [
        "$n = 100$",
        "$n = 200$",
        "$n = 500$",
        "perfect generator",
        "±1 standard error (4 repeats)",
    ]
    _renders(fig)
    assert _outside(legend, ax)


def test_plot_sweep_draws_into_a_given_axes_with_its_legend_beside_it():
    fig, axes = new_figure(1, 2)
    returned = plot_sweep(_mmd_frame(kernels=("se",)), ax=axes[0, 1], title="")
    assert returned is fig
    assert not axes[0, 0].get_lines() and axes[0, 1].get_lines()
    assert axes[0, 1].get_title() == ""
    _renders(fig)
    assert _outside(axes[0, 1].get_legend(), axes[0, 1])


def test_plot_sweep_floor_is_a_dashed_line_at_the_perfect_generators_mean():
    fig = plot_sweep(_mmd_frame(kernels=("se",)), floor=3e-5)
    floor = _by_gid(fig.axes[0].get_lines(), "floor")
    assert floor.get_linestyle() == "--"
    np.testing.assert_array_equal(floor.get_ydata(), [3e-5, 3e-5])


def test_plot_sweep_uses_a_symlog_axis_at_the_noise_level_when_values_span_decades():
    mmd = _mmd_frame(kernels=("se",))
    ax = plot_sweep(mmd).axes[0]
    assert ax.get_yscale() == "symlog"
    ses = np.concatenate([_expected(mmd, "mmd2", "n_train", n)[2] for n in SIZES])
    rule = 10.0 ** np.floor(np.log10(np.median(ses)))  # documented: median se, rounded down
    assert ax.yaxis.get_transform().linthresh == pytest.approx(rule)
    # A value given is used as it is.
    ax = plot_sweep(mmd, linthresh=3e-4).axes[0]
    assert ax.get_yscale() == "symlog"
    assert ax.yaxis.get_transform().linthresh == 3e-4


def test_symlog_ticks_label_both_sides_of_zero_when_decades_are_thinned():
    # Five decades up (10⁻⁵…10⁻¹), two down (−10⁻⁵, −10⁻⁴), room for five ticks: thinned,
    # yet each side keeps its outermost decade, so negative values can be read too.
    ticks = SymlogDecades(1e-5, max_ticks=5).tick_values(-6e-4, 0.12)
    assert len(ticks) <= 5 and 0.0 in ticks
    assert min(ticks) == -1e-4 and max(ticks) == 1e-1
    fig, axes = new_figure(1, 1, aspect=0.3)  # the same in a short panel of the report
    ax = axes[0, 0]
    use_symlog(ax, 1e-5)
    ax.set_ylim(-6e-4, 0.12)
    fig.draw_without_rendering()
    labelled = [t.get_position()[1] for t in ax.get_yticklabels() if t.get_text()]
    assert min(labelled) == -1e-4 and max(labelled) == 1e-1


def test_plot_sweep_stays_linear_when_nothing_is_squashed_near_zero():
    mmd = _mmd_frame(kernels=("se",)).assign(mmd2=lambda d: 0.01 + 0.001 * (d["value"] % 2))
    ax = plot_sweep(mmd).axes[0]
    assert ax.get_yscale() == "linear"


def test_plot_sweep_tick_labels_use_the_true_minus_and_powers_of_ten():
    fig = plot_sweep(_digits_frame().query("reference == 'train'"))
    _renders(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert any(label.startswith("\u2212") for label in labels)
    assert not any("-" in label for label in labels)
    assert "0" in labels and any("10" in label for label in labels)


def test_plot_sweep_log_x_axis_for_log_like_grids_ticks_at_the_grid():
    fig = plot_sweep(_mmd_frame(kernels=("se",)))
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    np.testing.assert_array_equal(ax.xaxis.get_minor_locator().locs, VALUES)  # every setting
    _renders(fig)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "5", "8", "12"]


def test_plot_sweep_lines_per_reference_for_digits():
    mmd = _digits_frame()
    fig = plot_sweep(mmd, line="reference")
    ax = fig.axes[0]
    assert _legend_texts(fig.legends[0])[:2] == ["vs held-out digits", "vs training digits"]
    held, train = (_by_gid(ax.get_lines(), f"mean:{r}") for r in ("heldout", "train"))
    assert held.get_color() != train.get_color()
    assert held.get_linestyle() != train.get_linestyle()
    xs, mean, _ = _expected(mmd, "mmd2", "reference", "train")
    np.testing.assert_allclose(train.get_ydata(), mean, rtol=1e-12)
    assert ax.get_xlabel() == axis_label("bandwidth")
    _renders(fig)


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (_mmd_frame(), {}, r"2 kernels \('se', 'imq'\); select one.*plot_sweep_panels"),
        (_mmd_frame(("se",), ("median", "original")), {}, "2 named bandwidths"),
        (_digits_frame(), {}, r"2 references \('train', 'heldout'\)"),
        (_mmd_frame(("se",)), {"line": None}, r"3 training sizes \(100, 200, 500\)"),
        (
            pd.concat([_mmd_frame(("se",)), _mmd_frame(("se",)).assign(model="GaussianKDE")]),
            {},
            "2 model families",
        ),
    ],
)
def test_plot_sweep_refuses_to_average_different_quantities(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_sweep(frame, **kwargs)


def test_plot_sweep_rejects_bad_arguments():
    with pytest.raises(ValueError, match="no column"):
        plot_sweep(_mmd_frame(("se",)).drop(columns="mmd2"))
    with pytest.raises(ValueError, match="line must be"):
        plot_sweep(_mmd_frame(("se",)), line="kernel")
    with pytest.raises(ValueError, match="linthresh"):
        plot_sweep(_mmd_frame(("se",)), linthresh=-1.0)
    with pytest.raises(ValueError, match="several rows"):
        plot_sweep(pd.concat([_mmd_frame(("se",))] * 2))


# --- plot_sweep_panels ---------------------------------------------------------------


def test_plot_sweep_panels_one_panel_per_kernel_one_legend_below():
    mmd = _mmd_frame(bandwidth_names=("median", "original"))
    fig = plot_sweep_panels(mmd, floors={"se": 1e-5, "imq": -1e-5})
    assert [ax.get_title() for ax in fig.axes] == ["SE kernel", "IMQ kernel"]
    assert all(ax.get_legend() is None for ax in fig.axes)
    (legend,) = fig.legends
    assert _legend_texts(legend)[:3] == ["$n = 100$", "$n = 200$", "$n = 500$"]
    for ax, kernel, floor in zip(fig.axes, ("se", "imq"), (1e-5, -1e-5), strict=True):
        part = mmd[(mmd["kernel"] == kernel) & (mmd["bandwidth_name"] == "median")]
        _, mean, _ = _expected(part, "mmd2", "n_train", 200)
        np.testing.assert_allclose(_by_gid(ax.get_lines(), "mean:200").get_ydata(), mean)
        assert _by_gid(ax.get_lines(), "floor").get_ydata()[0] == floor
    assert fig.get_suptitle() == "GMM, σ\u00a0=\u00a00.80 (median heuristic)"
    _renders(fig)
    for ax in fig.axes:
        assert _outside(legend, ax)


def test_plot_sweep_panels_selects_the_named_bandwidth_and_names_what_is_missing():
    mmd = _mmd_frame(bandwidth_names=("median", "original"))
    fig = plot_sweep_panels(mmd, bandwidth_name="original", kernels=("imq",), line="n_train")
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "IMQ kernel"
    with pytest.raises(ValueError, match="no bandwidth_name 'h=1'"):
        plot_sweep_panels(mmd, bandwidth_name="h=1")
    with pytest.raises(ValueError, match=r"kernel\(s\) \['gauss'\]"):
        plot_sweep_panels(mmd, kernels=("se", "gauss"))


# --- plot_fit_criterion --------------------------------------------------------------


def test_fit_criterion_log_likelihood_as_it_is_mean_and_band():
    fits = _fits_frame()
    fig = plot_fit_criterion(fits, "heldout_loglik")
    ax = fig.axes[0]
    assert ax.get_ylabel() == "mean held-out log-lik.\n[nats per point]"
    assert "higher is better" in ax.get_title()
    xs, mean, se = _expected(fits, "heldout_loglik", "n_train", 500)
    np.testing.assert_allclose(_by_gid(ax.get_lines(), "mean:500").get_ydata(), mean)
    low, high = _band_edges(_by_gid(ax.collections, "band:500"), xs)
    np.testing.assert_allclose(high - low, 2 * se, rtol=1e-9)
    assert ax.get_yscale() == "linear"  # about −2 … −1.1: nothing to stretch
    _renders(fig)


def test_fit_criterion_log_likelihood_over_many_decades_stays_linear_and_readable():
    # −1.5 × 10⁶ for a copying setting beside −147 … −164: a log axis would flatten
    # the differences the text reads; the axis zooms on the best decade instead.
    loglik = {1: -1.50304e6, 2: -2e4, 3: -164.0, 5: -147.0, 8: -150.0, 12: -158.0}
    fits = _fits_frame(values=lambda v: loglik[v])
    fig = plot_fit_criterion(fits.query("n_train == 100"), "heldout_loglik", line=None)
    ax = fig.axes[0]
    assert ax.get_yscale() == "linear"
    low, high = ax.get_ylim()
    assert -200 < low < -164 and -147 < high < -140  # −147 and −164 far apart
    marks = _by_gid(ax.get_lines(), "off-scale")
    np.testing.assert_array_equal(marks.get_xdata(), [1, 2])
    np.testing.assert_array_equal(marks.get_ydata(), [low, low])
    assert not marks.get_clip_on()
    # How far down, to two significant digits as the text writes numbers.
    assert "2 settings below the axis (down to −1.5\xa0×\xa010⁶)" in _legend_texts(fig.legends[0])
    _renders(fig)


def test_fit_criterion_skips_minus_infinity_and_says_so():
    fits = _fits_frame()
    fits.loc[(fits["value"] == 12) & (fits["repeat"] == 0), "heldout_loglik"] = -np.inf
    fig = plot_fit_criterion(fits, "heldout_loglik")
    ax = fig.axes[0]
    for n in SIZES:  # value 12 has a −∞ repeat in every size: its mean is left out
        np.testing.assert_array_equal(
            _by_gid(ax.get_lines(), f"mean:{n}").get_xdata(), VALUES[:-1]
        )
    assert "3 settings not drawn (−∞: held-out points at zero density)" in _legend_texts(
        fig.legends[0]
    )
    _renders(fig)


def test_fit_criterion_all_minus_infinity_leaves_a_note_not_an_error():
    fig = plot_fit_criterion(_fits_frame(values=lambda v: -np.inf), "heldout_loglik")
    ax = fig.axes[0]
    assert not ax.get_lines()
    assert "−∞" in _by_gid(ax.texts, "empty-note").get_text()
    _renders(fig)
    assert not [t.get_text() for t in ax.get_yticklabels() if t.get_text()]  # no false scale


def test_fit_criterion_copy_share_on_a_percent_axis_with_the_expected_share():
    fits = _fits_frame("copy_share", values=lambda v: 0.02 * v)
    fig = plot_fit_criterion(fits, "copy_share", reference=0.05)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "share flagged as copies"
    reference = _by_gid(ax.get_lines(), "reference")
    np.testing.assert_array_equal(reference.get_ydata(), [0.05, 0.05])
    assert "expected without copying (5\u00a0%)" in _legend_texts(fig.legends[0])
    _renders(fig)
    ticks = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels() if t.get_text()]
    assert ticks and all(text.endswith("\u00a0%") for _, text in ticks)
    for value, text in ticks:
        if 0 <= value <= 1:
            assert text == percent(value, 3, trim=True)


def test_fit_criterion_ct_band_and_zero_line_stay_visible_among_large_values():
    fits = _fits_frame("ct_statistic", values=lambda v: -400.0 / v)
    fig = plot_fit_criterion(fits, "ct_statistic", band=(-3, 3), reference=0)
    ax = fig.axes[0]
    band = _by_gid(ax.patches, "band-region")
    # axhspan draws a Rectangle from Matplotlib 3.9 on, a Polygon before.
    ys = (
        band.get_xy()[:, 1]
        if not hasattr(band, "get_y")
        else [band.get_y(), band.get_y() + band.get_height()]
    )
    assert (min(ys), max(ys)) == (-3, 3)
    assert ax.get_yscale() == "symlog" and ax.yaxis.get_transform().linthresh == 3
    texts = _legend_texts(fig.legends[0])
    assert "neither copying nor over-dispersed" in texts
    assert "as close as new data ($C_T = 0$)" in texts
    _renders(fig)


def test_fit_criterion_missing_values_are_named_as_missing():
    fits = _fits_frame("ct_statistic", values=lambda v: np.nan if v > 5 else -1.0)
    fig = plot_fit_criterion(fits, "ct_statistic", title="")
    assert "6 settings not drawn (missing (not computed))" in _legend_texts(fig.legends[0])
    fig = plot_fit_criterion(_fits_frame("ct_statistic", values=lambda v: np.nan), "ct_statistic")
    assert "missing (not computed)" in _by_gid(fig.axes[0].texts, "empty-note").get_text()


def test_fit_criterion_rejects_unknown_columns_and_mixed_families():
    with pytest.raises(ValueError, match="column must be one of"):
        plot_fit_criterion(_fits_frame(), "fit_seconds")
    mixed = pd.concat([_fits_frame(), _fits_frame().assign(model="GaussianKDE")])
    with pytest.raises(ValueError, match="2 model families"):
        plot_fit_criterion(mixed, "heldout_loglik")
    with pytest.raises(ValueError, match="band must be two different finite numbers"):
        plot_fit_criterion(_fits_frame("ct_statistic"), "ct_statistic", band=(3,))


def test_is_log_grid():
    assert is_log_grid([10, 20, 30, 50, 80])
    assert is_log_grid([0.05, 0.1, 0.2, 0.3])
    assert is_log_grid([1, 10])
    assert is_log_grid([0.01, 0.1, 0.5, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4])  # two decades
    assert not is_log_grid([0.1, 0.2, 0.3, 0.4])
    assert not is_log_grid([0, 1, 10, 100])
    assert not is_log_grid([5])


# --- 2-D figures ---------------------------------------------------------------------


def _moons_like(seed, n):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    return np.column_stack([np.cos(t), np.sin(t)]) + 0.1 * rng.standard_normal((n, 2))


def _witness_direct(X, Y, T, kernel="se", bandwidth=1.0):
    """The witness from its definition, one point at a time: the tests' reference."""

    def k(t, A):
        d2 = ((A - t) ** 2).sum(axis=1) / bandwidth**2
        return np.exp(-d2) if kernel == "se" else (1.0 + d2) ** -0.5

    return np.array([k(t, X).mean() - k(t, Y).mean() for t in T])


@pytest.fixture
def witness_available(monkeypatch):
    """``densitylab.mmd.witness``; until the statistics round adds it, the direct formula."""
    import densitylab.mmd

    if not hasattr(densitylab.mmd, "witness"):
        monkeypatch.setattr(densitylab.mmd, "witness", _witness_direct, raising=False)


class _Box:
    """Density 1 on the unit square, 0 elsewhere."""

    def score_samples(self, X):
        inside = np.all((X >= 0) & (X <= 1), axis=1)
        return np.where(inside, 0.0, -np.inf)


def test_plot_density_contours_with_zero_density_blank_and_points_on_top():
    fig = plot_density(_Box(), np.array([[0.5, 0.5]] * 3), bounds=((-1, 2), (-1, 2)), grid_size=61)
    (ax,) = fig.axes
    filled = ax.collections[0]
    bar = filled.colorbar.ax
    assert 0 < min(filled.levels) < 1e-300  # only an exactly zero density stays white
    assert max(filled.levels) >= 1.0
    assert _by_gid(ax.collections, "train").get_offsets().shape == (3, 2)
    assert (ax.get_xlabel(), ax.get_ylabel(), bar.get_ylabel()) == ("$x_1$", "$x_2$", "density")
    _renders(fig)
    assert _outside(fig.legends[0], ax)


def test_plot_samples_two_samples_legend_outside_and_ax_convention():
    fig, axes = new_figure(1, 2)
    returned = plot_samples(_moons_like(1, 300), _moons_like(2, 400), ax=axes[0, 0])
    ax = axes[0, 0]
    assert returned is fig and not axes[0, 1].collections
    assert _by_gid(ax.collections, "generated").get_offsets().shape == (300, 2)
    assert _by_gid(ax.collections, "test").get_offsets().shape == (400, 2)
    assert _legend_texts(ax.get_legend()) == ["generated", "test"]
    assert ax.get_title() == "generated vs test points"
    _renders(fig)
    assert _outside(ax.get_legend(), ax)
    with pytest.raises(ValueError, match="X_generated"):
        plot_samples(np.zeros((5, 3)), _moons_like(2, 10))


@pytest.mark.usefixtures("witness_available")
@pytest.mark.parametrize("kernel", ["se", "imq"])
def test_plot_witness_image_is_the_witness_on_its_grid_with_symmetric_colours(kernel):
    X, Y = _moons_like(3, 150) + [0.2, 0.0], _moons_like(4, 120)
    fig = plot_witness(X, Y, bandwidth=0.3, kernel=kernel, grid_size=25)
    ax = fig.axes[0]
    (image,) = ax.get_images()
    data = np.asarray(image.get_array())
    # Pixel [i, j] is centred on (xs[j], ys[i]) of an evenly spaced grid inside the extent.
    x0, x1, y0, y1 = image.get_extent()
    xs = x0 + (np.arange(25) + 0.5) * (x1 - x0) / 25
    ys = y0 + (np.arange(25) + 0.5) * (y1 - y0) / 25
    GX, GY = np.meshgrid(xs, ys)
    expected = _witness_direct(X, Y, np.column_stack([GX.ravel(), GY.ravel()]), kernel, 0.3)
    np.testing.assert_allclose(data.ravel(), expected, rtol=1e-10, atol=1e-15)
    low, high = image.get_clim()
    assert low == -high == -np.abs(data).max()
    assert image.get_cmap().name.startswith("RdBu")
    label = image.colorbar.ax.get_ylabel()
    assert "too many" in label and "too few" in label
    _renders(fig)


def test_plot_partition_cells_tile_the_bounds_and_hold_their_leaves_points():
    X = _moons_like(5, 400)
    tree = DensityForest(n_trees=1, n_min=15, random_state=0).fit(X).trees_[0]
    bounds = data_bounds(X)
    fig = plot_partition(tree, X, bounds=bounds)
    ax = fig.axes[0]
    cells = [p for p in ax.patches if p.get_gid() == "cell"]
    assert len(cells) == tree.n_leaves
    boxes = [
        (c.get_x(), c.get_x() + c.get_width(), c.get_y(), c.get_y() + c.get_height())
        for c in cells
    ]
    area = (bounds[0][1] - bounds[0][0]) * (bounds[1][1] - bounds[1][0])
    assert sum((b[1] - b[0]) * (b[3] - b[2]) for b in boxes) == pytest.approx(area, rel=1e-12)
    for a, b in itertools.combinations(boxes, 2):  # no two cells share area
        overlap_x = min(a[1], b[1]) - max(a[0], b[0])
        overlap_y = min(a[3], b[3]) - max(a[2], b[2])
        assert min(overlap_x, overlap_y) <= 1e-12
    # Each point lies in the cell of the leaf the tree sends it to (cells in leaf order).
    leaf = tree.apply(X)
    for point, index in zip(X[::7], leaf[::7], strict=True):
        x_lo, x_hi, y_lo, y_hi = boxes[index]
        assert x_lo <= point[0] <= x_hi and y_lo <= point[1] <= y_hi
    means = _by_gid(ax.get_lines(), "leaf-means")
    assert len(means.get_xdata()) == tree.n_leaves
    assert ax.get_title() == f"one density tree: {tree.n_leaves} leaves"
    _renders(fig)


def test_plot_model_gallery_two_models_per_row_shared_legend():
    X_train, X_test = _moons_like(6, 150), _moons_like(7, 200)
    fitted = {f"KDE, $h = {h}$": GaussianKDE(bandwidth=h).fit(X_train) for h in (0.1, 0.3, 0.5)}
    generated = {name: m.sample(100, random_state=0) for name, m in fitted.items()}
    fig = plot_model_gallery(fitted, X_train, generated, X_test, grid_size=30)
    assert isinstance(fig, Figure)
    # fig.subfigs' order differs between Matplotlib releases: read each panel by title.
    by_title = {sub.get_suptitle(): sub for sub in fig.subfigs}
    assert sorted(by_title) == sorted([*fitted, ""])
    assert len(fig.axes) == 2 * len(fitted)
    legend = by_title[""].legends[0]  # in the free slot beside the last model
    assert _legend_texts(legend) == [
        "density (darker: higher)",
        "training points",
        "generated points",
        "test points",
    ]
    samples_ax = by_title[next(iter(fitted))].axes[1]
    assert _by_gid(samples_ax.collections, "generated").get_offsets().shape == (100, 2)
    _renders(fig)
    with pytest.raises(ValueError, match="same titles"):
        plot_model_gallery(fitted, X_train, {"other": X_test}, X_test)


def test_data_bounds_pads_every_side():
    (x0, x1), (y0, y1) = data_bounds(np.array([[0.0, 1.0]]), np.array([[2.0, -1.0]]), pad=0.1)
    assert (x0, x1, y0, y1) == pytest.approx((-0.1, 2.1, -1.1, 1.1))


# --- pictures of the ideas -----------------------------------------------------------


def test_plot_kernels_curves_are_the_kernel_formulas_and_sigma_is_marked():
    fig = plot_kernels(0.8, other={"original study": 0.12})
    ax = fig.axes[0]
    # Both kernels drawn as curves at both scales the figure names, not one curve
    # and a marker.
    for k, sigma in enumerate([0.8, 0.12]):
        se = _by_gid(ax.get_lines(), f"kernel:se:{k}")
        imq = _by_gid(ax.get_lines(), f"kernel:imq:{k}")
        d = se.get_xdata()
        assert d[0] == 0 and d[-1] == pytest.approx(3.2)  # four times the largest σ
        ratio = (d / sigma) ** 2  # as the kernels of densitylab.mmd compute it
        np.testing.assert_allclose(se.get_ydata(), np.exp(-ratio), rtol=1e-14)
        np.testing.assert_allclose(imq.get_ydata(), (1 + ratio) ** -0.5, rtol=1e-14)
        assert se.get_linestyle() == imq.get_linestyle()  # the style tells the scale
    assert _by_gid(ax.get_lines(), "kernel:se:0").get_linestyle() != (
        _by_gid(ax.get_lines(), "kernel:se:1").get_linestyle()
    )
    np.testing.assert_array_equal(_by_gid(ax.get_lines(), "sigma").get_xdata(), [0.8, 0.8])
    other = _by_gid(ax.get_lines(), "other:original study")
    np.testing.assert_array_equal(other.get_xdata(), [0.12, 0.12])
    texts = _legend_texts(fig.legends[0])
    assert "SE, $\\sigma = 0.80$ (median heuristic)" in texts
    assert "IMQ, $\\sigma = 0.12$ (original study)" in texts
    # The marker lines are in the legend, each in the style of its σ's curves.
    handles = dict(zip(texts, fig.legends[0].legend_handles, strict=True))
    for source, k in (("median heuristic", 0), ("original study", 1)):
        marker = handles[f"$d = \\sigma$ ({source})"]
        assert marker.get_linestyle() == _by_gid(ax.get_lines(), f"kernel:se:{k}").get_linestyle()
    assert len(texts) == 6
    assert "_" not in _words(ax.get_xlabel())
    _renders(fig)


def test_plot_permutation_null_histogram_and_observed_line():
    rng = np.random.default_rng(0)
    result = mmd_permutation_test(
        rng.normal(0.4, 1, (50, 2)), rng.normal(0, 1, (50, 2)), n_permutations=199, random_state=0
    )
    fig = plot_permutation_null(result)
    ax = fig.axes[0]
    observed = _by_gid(ax.get_lines(), "observed")
    np.testing.assert_array_equal(observed.get_xdata(), [result.statistic] * 2)
    heights = [p.get_height() for p in ax.patches]
    assert sum(heights) == 199
    note = _by_gid(ax.texts, "observed-text").get_text()
    assert p_value(result.p_value) in note
    assert ax.get_xlabel() == "MMD²"
    _renders(fig)


# --- the convention, everywhere ------------------------------------------------------


def _builders():
    X, Y = _moons_like(8, 80), _moons_like(9, 90)
    kde = GaussianKDE(bandwidth=0.3).fit(X)
    tree = DensityForest(n_trees=1, n_min=10, random_state=0).fit(X).trees_[0]
    result = mmd_permutation_test(X, Y, n_permutations=50, random_state=0)
    return {
        "plot_sweep": lambda ax: plot_sweep(_mmd_frame(("se",)), ax=ax),
        "plot_fit_criterion": lambda ax: plot_fit_criterion(
            _fits_frame(), "heldout_loglik", ax=ax
        ),
        "plot_density": lambda ax: plot_density(kde, X, ax=ax, grid_size=20),
        "plot_samples": lambda ax: plot_samples(X, Y, ax=ax),
        "plot_witness": lambda ax: plot_witness(X, Y, ax=ax, bandwidth=0.5, grid_size=20),
        "plot_partition": lambda ax: plot_partition(tree, X, ax=ax),
        "plot_kernels": lambda ax: plot_kernels(0.5, ax=ax),
        "plot_permutation_null": lambda ax: plot_permutation_null(result, ax=ax),
    }


@pytest.mark.usefixtures("witness_available")
@pytest.mark.parametrize("name", list(_builders()))
def test_every_panel_function_draws_into_a_given_axes_or_its_own_figure(name):
    build = _builders()[name]
    own = build(None)
    assert isinstance(own, Figure) and own.canvas.manager is None  # not pyplot's
    fig, axes = new_figure(2, 1)
    assert build(axes[1, 0]) is fig
    assert axes[1, 0].has_data() and not axes[0, 0].has_data()
    _renders(fig)


def test_plotting_never_imports_pyplot():
    code = (
        "import sys, numpy as np\n"
        "import densitylab.plotting as p\n"
        "p.plot_kernels(1.0)\n"
        "p.plot_samples(np.zeros((3, 2)), np.ones((3, 2)))\n"
        "print('matplotlib.pyplot' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# --- the lecturer's review: what each figure must show ------------------------------

DIGITS_KDE_GRID = [0.001, 0.01, 0.1, 0.5, 1, 1.5, 2, 2.1, 2.2, 2.5, 3, 4]


def _kde_fits(column="ct_statistic"):
    rng = np.random.default_rng(5)
    rows = [
        _row(h, 1347, r, model="GaussianKDE", param="bandwidth",
             **{column: float(np.log(h)) + 0.1 * rng.standard_normal()})
        for h in DIGITS_KDE_GRID for r in range(3)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _tick_labels(ax):
    ax.figure.canvas.draw()
    return {t.get_text(): t for t in ax.xaxis.get_ticklabels() if t.get_text()}


def test_thinned_grid_labels_always_include_the_values_the_text_names():
    fits = _kde_fits()
    plain = _tick_labels(plot_fit_criterion(fits, "ct_statistic", line=None).axes[0])
    assert "2.1" not in plain  # crowded out without the option
    for named in ([2.1], [2, 2.2], [3, 0.5]):
        fig = plot_fit_criterion(fits, "ct_statistic", line=None, label_values=named)
        shown = _tick_labels(fig.axes[0])
        assert {f"{v:g}" for v in named} <= set(shown), (named, sorted(shown))
    with pytest.raises(ValueError, match="2.05 is not on the grid"):
        plot_fit_criterion(fits, "ct_statistic", line=None, label_values=[2.05])


def test_categorical_axis_labels_every_grid_value_and_plots_by_position():
    fits = _kde_fits()
    fig = plot_fit_criterion(fits, "ct_statistic", line=None, categorical=True,
                             label_values=[2.1])  # fmt: skip
    ax = fig.axes[0]
    shown = _tick_labels(ax)
    assert list(shown) == ["0.001", "0.01", "0.1", "0.5", "1", "1.5", "2", "2.1", "2.2",
                           "2.5", "3", "4"]  # fmt: skip
    assert shown["2.1"].get_fontweight() == "bold" and shown["2"].get_fontweight() != "bold"
    mean = _by_gid(ax.get_lines(), "mean:None")
    np.testing.assert_array_equal(mean.get_xdata(), np.arange(len(DIGITS_KDE_GRID)))
    assert ax.get_xscale() == "linear" and ax.get_xlim() == (-0.5, len(DIGITS_KDE_GRID) - 0.5)
    sweep = plot_sweep(_digits_frame(), line="reference", categorical=True).axes[0]
    assert list(_tick_labels(sweep)) == ["0.01", "0.1", "1", "2"]
    _renders(fig)


def test_copy_share_limit_line_is_distinct_from_the_ct_zero_line_in_one_legend():
    fits = _kde_fits("copy_share").assign(copy_share=lambda t: t["copy_share"].clip(0, 1) * 0)
    fits["ct_statistic"] = 1.0
    fig, axes = new_figure(1, 2)
    plot_fit_criterion(fits, "copy_share", ax=axes[0, 0], line=None, reference=0.05,
                       limit=0.1, legend="figure")  # fmt: skip
    plot_fit_criterion(fits, "ct_statistic", ax=axes[0, 1], line=None, reference=0.0,
                       band=(-3, 3), legend="figure")  # fmt: skip
    assert len(fig.legends) == 1  # one legend, entries of both panels
    texts = _legend_texts(fig.legends[0])
    assert "copy limit of the verdict (10\xa0%)" in texts
    assert "expected without copying (5\xa0%)" in texts
    assert "as close as new data ($C_T = 0$)" in texts
    assert len(texts) == len(set(texts))
    limit = _by_gid(axes[0, 0].get_lines(), "limit")
    q_line = _by_gid(axes[0, 0].get_lines(), "reference")
    zero = _by_gid(axes[0, 1].get_lines(), "reference")
    np.testing.assert_array_equal(limit.get_ydata(), [0.1, 0.1])
    styles = {(line.get_linestyle(), line.get_color()) for line in (limit, q_line, zero)}
    assert len(styles) == 3  # three lines, three looks
    assert axes[0, 0].get_ylim()[1] > 0.1  # the limit is inside the axes
    with pytest.raises(ValueError, match="copy_share only"):
        plot_fit_criterion(fits, "ct_statistic", line=None, limit=0.1)
    _renders(fig)


def test_figure_legend_given_to_every_panel_is_drawn_once():
    fig, axes = new_figure(3, 1)
    for ax in axes[:, 0]:
        plot_fit_criterion(_fits_frame(), "heldout_loglik", ax=ax, legend="figure")
    assert len(fig.legends) == 1
    texts = _legend_texts(fig.legends[0])
    assert len(texts) == len(set(texts)) and "$n = 500$" in texts
    _renders(fig)


@pytest.mark.usefixtures("witness_available")
def test_witness_panels_share_region_colour_scale_and_one_colour_bar():
    X_good, X_bad, Y = _moons_like(1, 150), _moons_like(2, 150) * 1.6, _moons_like(3, 200)
    fig = plot_witness_panels({"good": X_good, "bad": X_bad}, Y, bandwidth=0.5, grid_size=25)
    bars = [ax for ax in fig.axes if hasattr(ax, "_colorbar")]
    panels = [ax for ax in fig.axes if ax.get_images()]
    assert len(bars) == 1 and len(panels) == 2
    left, right = panels
    assert left.get_xlim() == right.get_xlim() and left.get_ylim() == right.get_ylim()
    assert left.get_images()[0].get_clim() == right.get_images()[0].get_clim()
    low, high = left.get_images()[0].get_clim()
    assert low == -high
    top = max(float(np.abs(ax.get_images()[0].get_array()).max()) for ax in panels)
    assert high == pytest.approx(top)  # the scale of the stronger panel, for both
    assert [ax.get_title() for ax in panels] == ["good", "bad"]
    assert len(fig.legends) == 1
    _renders(fig)
    # The colour bar lies under the panels and its one-line label fits in the figure.
    bar = bars[0]
    assert bar.get_position().y1 <= min(ax.get_position().y0 for ax in panels)
    label = bar.xaxis.label
    assert "too few" in label.get_text() and "\n" not in label.get_text()
    assert _inside_figure(fig, label)


def _inside_figure(fig, text):
    """Whether a drawn text lies wholly inside the figure (nothing cut at an edge)."""
    fig.draw_without_rendering()
    box, page = text.get_window_extent(), fig.bbox
    return page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1


def test_permutation_null_shows_the_observed_line_with_margin_and_a_readable_null():
    rng = np.random.default_rng(0)
    far = mmd_permutation_test(rng.normal(1.5, 1, (80, 2)), rng.normal(0, 1, (80, 2)),
                               n_permutations=99, random_state=0)  # fmt: skip
    near = mmd_permutation_test(rng.normal(0, 1, (80, 2)), rng.normal(0, 1, (80, 2)),
                                n_permutations=99, random_state=0)  # fmt: skip
    fig, axes = new_figure(2, 1, aspect=0.4)
    for ax, result in zip(axes[:, 0], (near, far), strict=True):
        plot_permutation_null(result, ax=ax, legend="figure")
        low, high = ax.get_xlim()
        margin = 0.05 * (high - low)
        assert low + margin < result.statistic < high - margin  # never on the edge
    assert len(fig.legends) == 1 and len(_legend_texts(fig.legends[0])) == 2
    insets = [child for child in axes[1, 0].child_axes if child.get_gid() == "null-zoom"]
    assert len(insets) == 1  # the narrow null, enlarged
    null = np.asarray(far.null_statistics)
    inset_low, inset_high = insets[0].get_xlim()
    assert inset_low <= null.min() and null.max() <= inset_high
    assert (inset_high - inset_low) < 0.5 * (axes[1, 0].get_xlim()[1] - axes[1, 0].get_xlim()[0])
    assert not axes[0, 0].child_axes  # a null as wide as the axis needs no inset
    # The value's text is beside its line, away from the zero line, above the bars.
    fig.draw_without_rendering()
    for ax in axes[:, 0]:
        box = _by_gid(ax.texts, "observed-text").get_window_extent()
        zero_px = ax.transData.transform((0.0, 0.0))[0]
        assert not box.x0 <= zero_px <= box.x1
        tallest = max(patch.get_height() for patch in ax.patches)
        assert box.y0 >= ax.transData.transform((0.0, tallest))[1]
    own = plot_permutation_null(near, ax=new_figure()[1][0, 0])
    legend = own.axes[0].get_legend()
    assert legend is not None and not own.legends  # compact, inside its panel
    _renders(fig)


def test_partition_legend_marker_has_the_colour_of_the_points():
    X = _moons_like(4, 120)
    tree = DensityForest(n_trees=1, n_min=10, random_state=0).fit(X).trees_[0]
    fig = plot_partition(tree, X)
    points = _by_gid(fig.axes[0].collections, "train")
    marker = fig.legends[0].legend_handles[0]
    assert marker.get_alpha() == points.get_alpha()
    assert matplotlib.colors.same_color(marker.get_color(), points.get_facecolor()[0][:3])


def test_label_share_panels_share_one_legend_and_one_y_range():
    from densitylab.plotting import plot_label_shares

    counts = [[28, 10, 10, 10, 10, 10, 10, 6, 3, 3], [10] * 10, [5, 40, 5, 5, 5, 5, 5, 5, 5, 20]]
    fig, axes = new_figure(3, 1, aspect=0.3, sharey=True)
    for ax, c in zip(axes[:, 0], counts, strict=True):
        plot_label_shares(c, control=[10] * 10, ax=ax, legend="figure")
    assert len(fig.legends) == 1 and len(_legend_texts(fig.legends[0])) == 3
    limits = {ax.get_ylim() for ax in axes[:, 0]}
    assert len(limits) == 1
    assert limits.pop()[1] >= 40 / 105  # the tallest bar of any panel fits
    ticks = {tuple(ax.get_yticks()) for ax in axes[:, 0]}
    assert len(ticks) == 1
    _renders(fig)
