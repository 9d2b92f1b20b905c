"""Two-moons figures of densitylab.plotting: panels, lines, labels, log axes, guards."""

from __future__ import annotations

import io
import itertools

import matplotlib

matplotlib.use("Agg")  # headless: no display in tests

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from sklearn.neighbors import KernelDensity

from densitylab.plotting import (
    data_bounds,
    figure_png,
    is_log_grid,
    plot_criteria,
    plot_density,
    plot_model_gallery,
    plot_samples,
    plot_sweep,
)

SIZES = [100, 200, 500]
VALUES = [1, 2, 3, 5, 8, 12]


def _sweep_frame(kernels=("se", "imq"), repeats=3):
    """A synthetic sweep with known means: SE mmd2 = 1/(value · n_train) + noise, IMQ half."""
    rows = []
    for kernel, n, value, r in itertools.product(kernels, SIZES, VALUES, range(repeats)):
        rows.append(
            {
                "model": "GMM",
                "param": "n_components",
                "value": value,
                "n_train": n,
                "repeat": r,
                "reference": "test",
                "kernel": kernel,
                "bandwidth": 0.5,
                "mmd2": (1.0 if kernel == "se" else 0.5) * (1.0 / (value * n) + 1e-4 * (r - 1)),
                # the same log-likelihood on each kernel's row, as run_sweep writes it
                "heldout_loglik": -1.0 - 1.0 / value + 0.01 * r,
            }
        )
    return pd.DataFrame(rows)


def _data_lines(ax):
    """Lines that carry data (not the dashed reference line)."""
    return [line for line in ax.get_lines() if line.get_linestyle() != "--"]


def _renders(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getbuffer().nbytes > 0


def test_plot_sweep_has_a_panel_per_kernel_and_a_line_per_train_size():
    fig = plot_sweep(_sweep_frame(), hline=0.0)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["SE (squared-exponential) kernel", "IMQ (inverse multiquadric) kernel"]
    for ax in fig.axes:
        assert len(_data_lines(ax)) == len(SIZES)
        assert ax.get_xlabel() == "number of components K"
        assert len(ax.collections) == len(SIZES)  # one spread band per line
    assert fig.axes[0].get_ylabel() == "MMD²"
    assert [t.get_text() for t in fig.axes[-1].get_legend().get_texts()] == [
        "n = 100",
        "n = 200",
        "n = 500",
    ]
    assert _renders(fig)


def test_plot_sweep_lines_are_the_means_over_repeats_and_bands_the_spread():
    df = _sweep_frame(kernels=("se",))
    fig = plot_sweep(df, spread="std")
    ax = fig.axes[0]
    for line, n in zip(_data_lines(ax), SIZES, strict=True):
        expected = [1.0 / (v * n) for v in VALUES]  # the repeat noise averages to zero
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
        np.testing.assert_array_equal(line.get_xdata(), VALUES)
    # Band of ±1 sd of (-1e-4, 0, 1e-4): sd = 1e-4, so the band is 2e-4 high everywhere.
    band = ax.collections[0].get_paths()[0].vertices
    assert np.ptp(band[:, 1]) == pytest.approx(2e-4 + 1.0 / 100 - 1.0 / 1200, rel=1e-9)


def test_plot_sweep_uses_log_axis_for_logarithmic_grids_only():
    assert plot_sweep(_sweep_frame()).axes[0].get_xscale() == "log"
    evenly = {v: i + 1 for i, v in enumerate(VALUES)}  # 1, 2, …, 6: a linear grid
    linear = _sweep_frame().assign(value=lambda d: d["value"].map(evenly))
    assert plot_sweep(linear).axes[0].get_xscale() == "linear"
    assert plot_sweep(_sweep_frame(), logx=False).axes[0].get_xscale() == "linear"


def test_plot_sweep_single_panel_for_a_deduplicated_criterion():
    # heldout_loglik is repeated on both kernels' rows: identical values are fine.
    fig = plot_sweep(_sweep_frame(), y="heldout_loglik", panel=None)
    assert len(fig.axes) == 1
    assert len(_data_lines(fig.axes[0])) == len(SIZES)
    assert fig.axes[0].get_ylabel() == "held-out mean log-density"


def test_plot_sweep_refuses_to_average_different_quantities():
    df = _sweep_frame()
    with pytest.raises(ValueError, match="select one"):
        plot_sweep(df, panel=None)  # two kernels' MMD² would be mixed as repeats


def test_plot_sweep_rejects_missing_columns_and_bad_spread():
    with pytest.raises(ValueError, match="no column"):
        plot_sweep(_sweep_frame(), y="nope")
    with pytest.raises(ValueError, match="spread"):
        plot_sweep(_sweep_frame(), spread="iqr")


def test_plot_sweep_line_per_model_against_train_size():
    df = pd.concat(
        [
            _sweep_frame(kernels=("se",)).query("value == 1").assign(model="SingleGaussian"),
            _sweep_frame(kernels=("se",)).query("value == 1"),
        ]
    )
    fig = plot_sweep(df, x="n_train", line="model")
    ax = fig.axes[0]
    assert len(_data_lines(ax)) == 2
    assert ax.get_xlabel() == "training set size"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GMM", "SingleGaussian"]


def test_plot_criteria_one_panel_per_column():
    df = _sweep_frame().query("kernel == 'se'")
    fig = plot_criteria(df, ["mmd2", "heldout_loglik"])
    assert [ax.get_ylabel() for ax in fig.axes] == ["MMD²", "held-out mean log-density"]
    for ax in fig.axes:
        assert len(_data_lines(ax)) == len(SIZES)
        assert ax.get_xlabel() == "number of components K"
    assert _renders(fig)


def test_plot_criteria_skips_minus_inf_means_without_warnings():
    df = _sweep_frame().query("kernel == 'se'").assign(heldout_loglik=-np.inf)
    fig = plot_criteria(df, ["heldout_loglik"])
    for line in _data_lines(fig.axes[0]):
        assert np.isnan(line.get_ydata()).all()
    assert _renders(fig)


def test_plot_criteria_a_row_per_model_each_with_its_own_axis():
    gmm = _sweep_frame(kernels=("se",))
    kde = gmm.assign(model="GaussianKDE", param="bandwidth", value=gmm["value"] / 20)
    fig = plot_criteria(pd.concat([gmm, kde]), ["mmd2", "heldout_loglik"], row="model")
    axes = np.array(fig.axes).reshape(2, 2)
    assert [ax.get_title() for ax in axes[:, 0]] == ["GMM", "GaussianKDE"]
    assert [ax.get_xlabel() for ax in axes[:, 0]] == ["number of components K", "KDE bandwidth h"]
    np.testing.assert_allclose(_data_lines(axes[1, 0])[0].get_xdata(), np.array(VALUES) / 20)
    with pytest.raises(ValueError, match="xlabels needs one label per row"):
        plot_criteria(pd.concat([gmm, kde]), ["mmd2"], row="model", xlabels=["K"])


def test_is_log_grid():
    assert is_log_grid([10, 20, 30, 50, 80])
    assert is_log_grid([0.05, 0.1, 0.2, 0.3])
    assert is_log_grid([1, 10])
    assert not is_log_grid([0.1, 0.2, 0.3, 0.4])
    assert not is_log_grid([0, 1, 10, 100])
    assert not is_log_grid([5])


def _moons_like(seed, n):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    return np.column_stack([np.cos(t), np.sin(t)]) + 0.1 * rng.standard_normal((n, 2))


def test_plot_density_leaves_zero_density_blank():
    class Box:  # density 1 on the unit square, 0 elsewhere
        def score_samples(self, X):
            inside = np.all((X >= 0) & (X <= 1), axis=1)
            return np.where(inside, 0.0, -np.inf)

    fig = plot_density(Box(), np.array([[0.5, 0.5]]), bounds=((-1, 2), (-1, 2)), grid_size=61)
    filled = fig.axes[0].collections[0]
    assert min(filled.levels) > 0  # nothing is drawn where the density is 0
    assert _renders(fig)


def test_plot_density_contours_training_points_and_labels():
    X = _moons_like(0, 200)
    kde = KernelDensity(bandwidth=0.2).fit(X)
    fig = plot_density(kde, X, title="KDE", grid_size=50)
    main, colorbar = fig.axes
    assert main.get_xlabel() == "$x_1$" and main.get_ylabel() == "$x_2$"
    assert main.get_title() == "KDE"
    assert colorbar.get_ylabel() == "density"
    offsets = [c for c in main.collections if len(c.get_offsets()) == 200]
    assert len(offsets) == 1  # the training points
    assert _renders(fig)


def test_plot_samples_two_labelled_scatters():
    fig = plot_samples(_moons_like(1, 300), _moons_like(2, 400), title="generated vs test")
    ax = fig.axes[0]
    sizes = sorted(len(c.get_offsets()) for c in ax.collections)
    assert sizes == [300, 400]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["test", "generated"]
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    with pytest.raises(ValueError, match="X_generated"):
        plot_samples(np.zeros((5, 3)), _moons_like(2, 10))


def test_plot_model_gallery_a_row_per_model_with_outer_labels():
    X_train, X_test = _moons_like(3, 150), _moons_like(4, 200)
    models = {f"KDE h={h}": KernelDensity(bandwidth=h).fit(X_train) for h in (0.1, 0.3, 0.5)}
    generated = {name: m.sample(100, random_state=0) for name, m in models.items()}
    fig = plot_model_gallery(models, X_train, generated, X_test, grid_size=40)
    axes = np.array(fig.axes).reshape(3, 2)
    assert [ax.get_title() for ax in axes[:, 0]] == list(models)
    assert [ax.get_title() for ax in axes[:, 1]] == ["generated vs test", "", ""]
    assert all(ax.get_xlabel() == "$x_1$" for ax in axes[-1])
    assert all(ax.get_ylabel() == "$x_2$" for ax in axes[:, 0])
    for ax in axes[:, 1]:  # generated over test, 100 and 200 points
        assert sorted(len(c.get_offsets()) for c in ax.collections) == [100, 200]
    assert _renders(fig)
    with pytest.raises(ValueError, match="same keys"):
        plot_model_gallery(models, X_train, {"other": X_test}, X_test)


def test_data_bounds_pads_every_side():
    (x0, x1), (y0, y1) = data_bounds(np.array([[0.0, 1.0]]), np.array([[2.0, -1.0]]), pad=0.1)
    assert (x0, x1, y0, y1) == pytest.approx((-0.1, 2.1, -1.1, 1.1))


def test_plot_sweep_reference_line_per_panel():
    fig = plot_sweep(_sweep_frame(), hline={"se": -1e-4, "imq": -2e-4})
    heights = {
        ax.get_title().split(" ")[0]: [
            line.get_ydata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"
        ]
        for ax in fig.axes
    }
    assert heights == {"SE": [-1e-4], "IMQ": [-2e-4]}


def test_figure_png_is_a_deterministic_png():
    X = _moons_like(5, 50)
    first = figure_png(plot_samples(X, X + 1.0))
    second = figure_png(plot_samples(X, X + 1.0))
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == second
    assert first != figure_png(plot_samples(X, X + 2.0))
