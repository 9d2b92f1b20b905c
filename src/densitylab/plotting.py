"""Figures of the report, in one consistent style.

Two-moons figures (this part) return a :class:`matplotlib.figure.Figure` built
without pyplot, so a notebook decides where it appears (``glue`` or display)
and no figure is left open in pyplot's registry:

* :func:`plot_sweep` — a criterion against a hyper-parameter, mean over repeats
  with a band for their spread, one panel per kernel and one line per train size;
* :func:`plot_criteria` — several criteria of one sweep side by side (e.g. MMD²
  beside the held-out log-likelihood);
* :func:`plot_density`, :func:`plot_samples`, :func:`plot_model_gallery` — a
  fitted 2-D density with its training points, and generated against test points.

The style lives in :data:`STYLE` (applied with :func:`style_context`); colours of
training sizes come from one colormap, so a size keeps its colour in every figure.
The digits figures follow at the end of the module.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

#: rcParams shared by every figure of the report.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.5,
    "lines.markersize": 4,
}

#: Colormap of the line-per-value colours (training sizes, models, …).
LINE_CMAP = "viridis"
#: Colours of the two samples in generated-versus-test scatter plots.
GENERATED_COLOR = "#d95f02"
TEST_COLOR = "#7f7f7f"
TRAIN_COLOR = "#222222"

#: Axis labels of the columns of a sweep result.
COLUMN_LABELS = {
    "mmd2": "MMD²",
    "heldout_loglik": "held-out mean log-density",
    "heldout_zero_share": "share of test points at zero density",
    "copy_share": "share of generated points flagged as copies",
    "copy_median_ratio": "median distance ratio (generated / held-out)",
    "fit_seconds": "fit + sampling time [s]",
    "n_train": "training set size",
    "bins": "bins per axis",
    "n_components": "number of components K",
    "bandwidth": "KDE bandwidth h",
    "n_min": "least points per leaf n_min",
}
KERNEL_NAMES = {"se": "SE (squared-exponential)", "imq": "IMQ (inverse multiquadric)"}
LINE_NAMES = {"n_train": "n", "model": "model"}


@contextmanager
def style_context():
    """Context manager applying :data:`STYLE` to the figures created inside it."""
    with mpl.rc_context(STYLE):
        yield


def _figure(n_rows, n_cols, *, panel_size=(3.6, 2.8), sharex=False, sharey=False):
    """A pyplot-free Figure with a grid of axes (always a 2-D array), in the report style."""
    with style_context():
        fig = Figure(
            figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows),
            dpi=STYLE["figure.dpi"],
            layout="constrained",
        )
        axes = fig.subplots(n_rows, n_cols, sharex=sharex, sharey=sharey, squeeze=False)
    return fig, axes


def figure_png(fig, *, dpi=100) -> bytes:
    """The figure as PNG bytes, cropped to its content.

    Equal figures give equal bytes (no timestamp is written), so a notebook that
    glues ``IPython.display.Image(figure_png(fig))`` re-executes to an identical file.

    Examples
    --------
    >>> from densitylab.plotting import figure_png, plot_samples
    >>> import numpy as np
    >>> png = figure_png(plot_samples(np.zeros((3, 2)), np.ones((3, 2))))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    buffer = io.BytesIO()
    with style_context():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def is_log_grid(values) -> bool:
    """Whether a grid is closer to evenly spaced on a log scale than on a linear one.

    Used to choose a log x-axis: ``[10, 20, 30, 50, 80]`` or ``[1, 2, 3, 5, 8, 12]``
    are log-like, ``[0, 0.1, 0.2, 0.3]`` is not (and any grid with a value ≤ 0 is not).

    Examples
    --------
    >>> from densitylab.plotting import is_log_grid
    >>> is_log_grid([1, 2, 3, 5, 8, 12]), is_log_grid([0.1, 0.2, 0.3, 0.4])
    (True, False)
    """
    v = np.unique(np.asarray(values, dtype=np.float64))
    if v.size < 3 or v[0] <= 0:
        return bool(v.size == 2 and v[0] > 0 and v[1] / v[0] >= 10)

    def spread(steps):
        return float(np.std(steps) / np.mean(steps))

    return spread(np.diff(np.log(v))) < spread(np.diff(v))


def _panel_order(levels, panel):
    """Panel levels in reading order: kernels as in :data:`KERNEL_NAMES`, others sorted."""
    levels = set(levels)
    if panel == "kernel":
        known = [k for k in KERNEL_NAMES if k in levels]
        return known + sorted(levels - set(known))
    return sorted(levels)


def _line_colors(levels) -> dict:
    """A colour per level, spread over :data:`LINE_CMAP` (dark for the first level)."""
    cmap = mpl.colormaps[LINE_CMAP]
    positions = np.linspace(0.0, 0.85, len(levels)) if len(levels) > 1 else [0.35]
    return {level: cmap(p) for level, p in zip(levels, positions, strict=True)}


def _check_single_values(data, keys, y):
    """Refuse rows that repeat a (panel, line, x, repeat) key with different ``y``.

    Such rows mean the caller forgot to select one reference, kernel or
    bandwidth; averaging them would mix different quantities into one "repeat".
    Exact duplicates (the log-likelihood repeated on each kernel's row) are kept once.
    """
    unique = data.drop_duplicates(subset=keys + [y])
    if unique.duplicated(subset=keys).any():
        raise ValueError(
            f"several different {y!r} values share one {keys} combination; select one "
            "reference, kernel and bandwidth (e.g. results.query(\"reference == 'test'\")) "
            "before plotting."
        )
    return unique


def _draw_lines(ax, data, *, x, y, line, spread, logx, colors, hline):
    """Mean of ``y`` over repeats against ``x``, one line per ``line`` level, with a band."""
    summary = (
        data.groupby([line, x], sort=True)[y]
        .agg(
            mean="mean",
            std=lambda s: s.std(ddof=1) if np.isfinite(s).all() else np.nan,
            count="size",
        )
        .reset_index()
    )
    for level, part in summary.groupby(line, sort=True):
        xs = part[x].to_numpy(dtype=np.float64)
        mean = part["mean"].to_numpy(dtype=np.float64)
        mean = np.where(np.isfinite(mean), mean, np.nan)
        label = f"{LINE_NAMES.get(line, line)} = {level}" if line != "model" else str(level)
        ax.plot(xs, mean, marker="o", color=colors[level], label=label)
        if spread is not None:
            half = part["std"].to_numpy(dtype=np.float64)
            if spread == "se":
                half = half / np.sqrt(part["count"].to_numpy(dtype=np.float64))
            ok = np.isfinite(mean) & np.isfinite(half)
            ax.fill_between(
                xs[ok],
                (mean - half)[ok],
                (mean + half)[ok],
                color=colors[level],
                alpha=0.18,
                linewidth=0,
            )
    if hline is not None:
        ax.axhline(hline, color="k", linewidth=0.8, linestyle="--", zorder=0)
    # MMD² values of good models are ~1e-4: a shared ×10ⁿ factor instead of long decimals.
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3), useMathText=True)
    if logx:
        ax.set_xscale("log")
        ticks = np.unique(data[x].to_numpy(dtype=np.float64))
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()


_SPREAD_TEXT = {"std": "±1 standard deviation over repeats", "se": "±1 standard error"}


def plot_sweep(
    results: pd.DataFrame,
    *,
    y="mmd2",
    x="value",
    panel="kernel",
    line="n_train",
    spread="std",
    logx=None,
    xlabel=None,
    ylabel=None,
    title=None,
    hline=None,
) -> Figure:
    """A criterion of a sweep against the swept value, mean and spread over repeats.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`densitylab.experiments.run_sweep` for one model and one
        reference/bandwidth (several kernels are fine: they become panels).
    y : str, default="mmd2"
        Column plotted.
    x : str, default="value"
        Column on the x-axis.
    panel : str or None, default="kernel"
        One panel per level of this column (``None``: a single panel).
    line : str, default="n_train"
        One line per level of this column.
    spread : {"std", "se"} or None, default="std"
        Band around each mean: ±1 standard deviation over repeats (the spread of
        single runs), ±1 standard error of the mean, or none.
    logx : bool or None, default=None
        Log x-axis; ``None`` decides with :func:`is_log_grid`.
    xlabel, ylabel, title : str, optional
        Labels; default from :data:`COLUMN_LABELS` and the swept ``param``.
    hline : float, mapping or None, default=None
        Draw a dashed horizontal reference line at this height (e.g. 0 for MMD²);
        a mapping gives one height per panel level (e.g. per kernel).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel, one line (plus band) per level of ``line``.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.plotting import plot_sweep
    >>> df = pd.DataFrame({"model": "GMM", "param": "n_components", "value": [1, 2, 1, 2],
    ...                    "n_train": 100, "repeat": [0, 0, 1, 1], "kernel": "se",
    ...                    "mmd2": [0.02, 0.01, 0.03, 0.012]})
    >>> fig = plot_sweep(df)
    >>> len(fig.axes)
    1
    """
    if spread not in ("std", "se", None):
        raise ValueError(f"spread must be 'std', 'se' or None, got {spread!r}.")
    needed = [c for c in (x, y, line, "repeat", panel) if c is not None]
    absent = [c for c in needed if c not in results.columns]
    if absent:
        raise ValueError(f"results has no column {absent}; it has {list(results.columns)}.")
    if results.empty:
        raise ValueError("results is empty; nothing to plot.")
    keys = [c for c in (panel, line, x, "repeat") if c is not None]
    data = _check_single_values(results, keys, y)
    panels = _panel_order(data[panel], panel) if panel is not None else [None]
    colors = _line_colors(sorted(data[line].unique()))
    logx = is_log_grid(data[x]) if logx is None else bool(logx)
    param = results["param"].iloc[0] if "param" in results.columns else x
    fig, axes = _figure(1, len(panels))
    for ax, level in zip(axes[0], panels, strict=True):
        part = data if level is None else data[data[panel] == level]
        _draw_lines(
            ax,
            part,
            x=x,
            y=y,
            line=line,
            spread=spread,
            logx=logx,
            colors=colors,
            hline=hline.get(level) if isinstance(hline, Mapping) else hline,
        )
        ax.set_xlabel(xlabel or COLUMN_LABELS.get(param if x == "value" else x, x))
        if level is not None:
            name = KERNEL_NAMES.get(level, level) if panel == "kernel" else level
            ax.set_title(f"{name} kernel" if panel == "kernel" else f"{panel} = {name}")
    axes[0, 0].set_ylabel(ylabel or COLUMN_LABELS.get(y, y))
    axes[0, -1].legend(loc="best", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def plot_criteria(
    results: pd.DataFrame,
    columns: Sequence[str],
    *,
    row=None,
    x="value",
    line="n_train",
    spread="std",
    logx=None,
    xlabels=None,
    ylabels=None,
    title=None,
) -> Figure:
    """Several criteria of a sweep side by side: a column of panels per criterion.

    Parameters
    ----------
    results : pandas.DataFrame
        Sweep rows with one reference, kernel and bandwidth (so that each repeat
        has one value of each column; log-likelihood rows repeated per kernel
        are fine).
    columns : sequence of str
        Columns to plot, e.g. ``["mmd2", "heldout_loglik"]``.
    row : str or None, default=None
        One row of panels per level of this column (e.g. ``"model"``, each model
        with its own x-axis), in order of appearance; ``None``: a single row.
    x, line, spread, logx, title
        As in :func:`plot_sweep` (``logx=None`` decides per row).
    xlabels : sequence of str, optional
        One x label per row; default from :data:`COLUMN_LABELS` and the row's
        swept ``param``.
    ylabels : sequence of str, optional
        One y label per column; default from :data:`COLUMN_LABELS`.

    Returns
    -------
    matplotlib.figure.Figure
        ``n_rows × len(columns)`` axes, one line per level of ``line`` in each.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.plotting import plot_criteria
    >>> df = pd.DataFrame({"param": "bandwidth", "value": [0.1, 0.2, 0.1, 0.2],
    ...                    "n_train": 100, "repeat": [0, 0, 1, 1],
    ...                    "mmd2": [0.01, 0.02, 0.012, 0.021],
    ...                    "heldout_loglik": [-1.2, -1.1, -1.25, -1.1]})
    >>> [ax.get_ylabel() for ax in plot_criteria(df, ["mmd2", "heldout_loglik"]).axes]
    ['MMD²', 'held-out mean log-density']
    """
    columns = list(columns)
    if not columns:
        raise ValueError("columns must name at least one column to plot.")
    if ylabels is not None and len(ylabels) != len(columns):
        raise ValueError(f"ylabels needs one label per column ({len(columns)}).")
    if spread not in ("std", "se", None):
        raise ValueError(f"spread must be 'std', 'se' or None, got {spread!r}.")
    needed = [c for c in [x, line, "repeat", row, *columns] if c is not None]
    absent = [c for c in needed if c not in results.columns]
    if absent:
        raise ValueError(f"results has no column {absent}; it has {list(results.columns)}.")
    if results.empty:
        raise ValueError("results is empty; nothing to plot.")
    rows = list(pd.unique(results[row])) if row is not None else [None]
    if xlabels is not None and len(xlabels) != len(rows):
        raise ValueError(f"xlabels needs one label per row ({len(rows)}).")
    colors = _line_colors(sorted(results[line].unique()))
    fig, axes = _figure(len(rows), len(columns))
    for i, level in enumerate(rows):
        part = results if level is None else results[results[row] == level]
        row_logx = is_log_grid(part[x]) if logx is None else bool(logx)
        param = part["param"].iloc[0] if "param" in part.columns else x
        for j, column in enumerate(columns):
            ax = axes[i, j]
            data = _check_single_values(part, [line, x, "repeat"], column)
            _draw_lines(
                ax,
                data,
                x=x,
                y=column,
                line=line,
                spread=spread,
                logx=row_logx,
                colors=colors,
                hline=None,
            )
            if xlabels is not None:
                ax.set_xlabel(xlabels[i])
            else:
                ax.set_xlabel(COLUMN_LABELS.get(param if x == "value" else x, x))
            ylabel = ylabels[j] if ylabels is not None else COLUMN_LABELS.get(column, column)
            ax.set_ylabel(ylabel)
            if level is not None:
                ax.set_title(str(level))
    axes[0, -1].legend(loc="best", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def data_bounds(*samples, pad=0.25):
    """Axis limits ``((xmin, xmax), (ymin, ymax))`` enclosing 2-D samples, padded.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import data_bounds
    >>> data_bounds(np.array([[0.0, 0.0], [1.0, 2.0]]), pad=0.5)
    ((-0.5, 1.5), (-0.5, 2.5))
    """
    X = np.concatenate([np.asarray(s, dtype=np.float64) for s in samples])
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"samples must be 2-D points (n, 2), got shape {X.shape}.")
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _label_xy(ax, *, x=True, y=True):
    if x:
        ax.set_xlabel("$x_1$")
    if y:
        ax.set_ylabel("$x_2$")


def _draw_density(ax, model, X_train, bounds, grid_size, levels):
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, grid_size), np.linspace(y0, y1, grid_size)
    GX, GY = np.meshgrid(xs, ys)
    # exp(-inf) = 0 exactly: regions of zero density (empty histogram bins) stay blank.
    density = np.exp(model.score_samples(np.column_stack([GX.ravel(), GY.ravel()])))
    density = density.reshape(GX.shape)
    top = float(density.max())
    # Levels start above 0, so the region of (near-)zero density stays white.
    contour_levels = np.linspace(0.0, top, levels + 1)[1:] if top > 0 else [0.0, 1.0]
    filled = ax.contourf(GX, GY, density, levels=contour_levels, cmap="Blues")
    ax.scatter(
        X_train[:, 0],
        X_train[:, 1],
        s=3,
        color=TRAIN_COLOR,
        alpha=0.6,
        linewidths=0,
        label="training points",
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    return filled


def _draw_samples(ax, X_generated, X_reference, bounds, labels):
    ax.scatter(
        X_reference[:, 0],
        X_reference[:, 1],
        s=3,
        color=TEST_COLOR,
        alpha=0.5,
        linewidths=0,
        label=labels[1],
    )
    ax.scatter(
        X_generated[:, 0],
        X_generated[:, 1],
        s=3,
        color=GENERATED_COLOR,
        alpha=0.5,
        linewidths=0,
        label=labels[0],
    )
    if bounds is not None:
        ax.set_xlim(*bounds[0])
        ax.set_ylim(*bounds[1])
    ax.set_aspect("equal")


def _check_points(X, name):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name} must hold 2-D points, shape (n, 2); got {X.shape}.")
    return X


def plot_density(model, X_train, *, bounds=None, grid_size=200, levels=12, title=None):
    """Filled contours of a fitted 2-D density with its training points on top.

    Parameters
    ----------
    model : fitted estimator
        With ``score_samples`` on 2-D points.
    X_train : array-like of shape (n, 2)
        The training points, drawn as dots.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Plotted region; default :func:`data_bounds` of ``X_train``.
    grid_size : int, default=200
        Evaluation points per axis.
    levels : int, default=12
        Number of contour levels.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the contours, a colour bar of the density, labelled axes.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import SingleGaussian
    >>> from densitylab.plotting import plot_density
    >>> X = np.random.default_rng(0).standard_normal((200, 2))
    >>> fig = plot_density(SingleGaussian().fit(X), X, title="single Gaussian")
    """
    X_train = _check_points(X_train, "X_train")
    bounds = data_bounds(X_train) if bounds is None else bounds
    fig, axes = _figure(1, 1, panel_size=(4.2, 3.2))
    ax = axes[0, 0]
    filled = _draw_density(ax, model, X_train, bounds, grid_size, levels)
    fig.colorbar(filled, ax=ax, label="density")
    _label_xy(ax)
    ax.grid(False)
    if title:
        ax.set_title(title)
    return fig


def plot_samples(
    X_generated, X_reference, *, bounds=None, labels=("generated", "test"), title=None
) -> Figure:
    """Scatter of generated points over reference (test) points.

    Parameters
    ----------
    X_generated : array-like of shape (n, 2)
    X_reference : array-like of shape (m, 2)
    bounds : ((xmin, xmax), (ymin, ymax)), optional
    labels : (str, str), default=("generated", "test")
        Legend entries of the two samples.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes with two scatter collections and a legend.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_samples
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_samples(rng.standard_normal((100, 2)), rng.standard_normal((100, 2)))
    >>> len(fig.axes[0].collections)
    2
    """
    X_generated = _check_points(X_generated, "X_generated")
    X_reference = _check_points(X_reference, "X_reference")
    fig, axes = _figure(1, 1, panel_size=(3.6, 3.2))
    ax = axes[0, 0]
    _draw_samples(ax, X_generated, X_reference, bounds, labels)
    _label_xy(ax)
    ax.legend(loc="upper right", frameon=False, markerscale=3)
    if title:
        ax.set_title(title)
    return fig


def plot_model_gallery(
    models: Mapping[str, object],
    X_train,
    generated: Mapping[str, np.ndarray],
    X_test,
    *,
    bounds=None,
    grid_size=150,
    levels=12,
) -> Figure:
    """Per model (one row each): density with training points, and generated vs test points.

    The left panel of each row is titled with the model's name; the right column
    is titled "generated vs test" once, at the top.

    Parameters
    ----------
    models : mapping of str to fitted estimator
        Row title → fitted 2-D density model.
    X_train : array-like of shape (n, 2)
        The training set every model was fitted on.
    generated : mapping of str to ndarray
        Row title → generated sample (same keys as ``models``).
    X_test : array-like of shape (m, 2)
        Test points drawn beneath the generated points.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Shared plotted region; default: :func:`data_bounds` of training and test points.
    grid_size : int, default=150
    levels : int, default=12

    Returns
    -------
    matplotlib.figure.Figure
        A len(models) × 2 grid of axes sharing their limits: density on the
        left, samples on the right.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import SingleGaussian
    >>> from densitylab.plotting import plot_model_gallery
    >>> X = np.random.default_rng(0).standard_normal((200, 2))
    >>> sg = SingleGaussian().fit(X)
    >>> fig = plot_model_gallery({"Gaussian": sg}, X, {"Gaussian": sg.sample(200, 1)}, X)
    >>> len(fig.axes)
    2
    """
    if not models or set(models) != set(generated):
        raise ValueError("models and generated must be non-empty with the same keys.")
    X_train = _check_points(X_train, "X_train")
    X_test = _check_points(X_test, "X_test")
    bounds = data_bounds(X_train, X_test) if bounds is None else bounds
    names = list(models)
    fig, axes = _figure(len(names), 2, panel_size=(3.4, 2.3), sharex=True, sharey=True)
    for i, name in enumerate(names):
        left, right = axes[i, 0], axes[i, 1]
        _draw_density(left, models[name], X_train, bounds, grid_size, levels)
        left.set_title(name)
        left.grid(False)
        _draw_samples(
            right,
            _check_points(generated[name], f"generated[{name!r}]"),
            X_test,
            bounds,
            ("generated", "test"),
        )
        right.set_title("generated vs test" if i == 0 else "")
        last = i == len(names) - 1
        _label_xy(left, x=last, y=True)
        _label_xy(right, x=last, y=False)
    axes[0, 0].legend(loc="upper right", frameon=False, markerscale=3)
    axes[0, 1].legend(loc="upper right", frameon=False, markerscale=3)
    return fig


# --- digits plots ---


def _digit_canvas(X, n_rows, n_cols, *, image_shape=(8, 8), vmax=16.0, pad=1):
    """Tile the first ``n_rows·n_cols`` rows of ``X`` as images on one canvas.

    Pixels are clipped to ``[0, vmax]`` (samples of a Gaussian model leave that
    range); the ``pad``-wide gaps between tiles and empty tiles are NaN, drawn in
    the colormap's "bad" colour.
    """
    X = np.asarray(X, dtype=np.float64)
    h, w = image_shape
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(
            f"X must have shape (n_samples, {h * w}) for image_shape={image_shape}, got {X.shape}."
        )
    canvas = np.full((n_rows * (h + pad) + pad, n_cols * (w + pad) + pad), np.nan)
    for k, image in enumerate(X[: n_rows * n_cols]):
        i, j = divmod(k, n_cols)
        top, left = pad + i * (h + pad), pad + j * (w + pad)
        canvas[top : top + h, left : left + w] = np.clip(image.reshape(h, w), 0.0, vmax)
    return canvas


def _show_canvas(ax, canvas, vmax):
    """Draw a digit canvas in grey (0 black, ``vmax`` white), gaps in mid grey."""
    cmap = mpl.colormaps["gray"].with_extremes(bad="#737373")
    ax.imshow(canvas, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_digit_grid(
    X, *, n_rows=10, n_cols=10, ax=None, title=None, image_shape=(8, 8), vmax=16.0
):
    """Show the first ``n_rows × n_cols`` rows of ``X`` as a grid of grey images.

    Parameters
    ----------
    X : array-like of shape (n_samples, 64)
        Flattened 8×8 images, pixel scale 0–``vmax`` (clipped to it for display).
        Tiles beyond ``n_samples`` stay empty.
    n_rows, n_cols : int, default=10
    ax : matplotlib Axes, optional
        Drawn into a new figure (report style, not registered with pyplot) when omitted;
        the figure is ``ax.figure``.
    title : str, optional
    image_shape : tuple of int, default=(8, 8)
    vmax : float, default=16.0
        Pixel value shown as white (0 is black).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_digit_grid
    >>> ax = plot_digit_grid(np.full((100, 64), 8.0), title="flat grey")
    """
    if ax is None:
        ax = _figure(1, 1, panel_size=(4.5, 4.5))[1][0, 0]
    _show_canvas(ax, _digit_canvas(X, n_rows, n_cols, image_shape=image_shape, vmax=vmax), vmax)
    if title:
        ax.set_title(title)
    return ax


def plot_labelled_digit_grid(
    X, labels, *, n_cols=10, ax=None, title=None, image_shape=(8, 8), vmax=16.0, color="#ff9f1c"
):
    """Grid of images, each tagged with its (predicted) label in its top-left corner.

    Meant for a :class:`densitylab.diagnostics.BalancedBatch`: with
    ``per_class == n_cols`` each row holds one class.

    Parameters
    ----------
    X : array-like of shape (n_samples, 64)
        Flattened images, drawn row by row.
    labels : array-like of shape (n_samples,)
        Label written on each image.
    n_cols : int, default=10
    ax : matplotlib Axes, optional
        As in :func:`plot_digit_grid`.
    title : str, optional
    image_shape : tuple of int, default=(8, 8)
    vmax : float, default=16.0
    color : str
        Colour of the label text.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_labelled_digit_grid
    >>> ax = plot_labelled_digit_grid(np.zeros((20, 64)), np.repeat([0, 1], 10))
    >>> len(ax.texts)
    20
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"labels must have one entry per row of X ({X.shape[0]}), got shape {labels.shape}."
        )
    n_rows = max(1, -(-X.shape[0] // n_cols))
    if ax is None:
        ax = _figure(1, 1, panel_size=(0.5 * n_cols, 0.5 * n_rows))[1][0, 0]
    pad = 1
    h, w = image_shape
    _show_canvas(
        ax, _digit_canvas(X, n_rows, n_cols, image_shape=image_shape, vmax=vmax, pad=pad), vmax
    )
    for k, label in enumerate(labels):
        i, j = divmod(k, n_cols)
        ax.text(
            pad + j * (w + pad) - 0.3,
            pad + i * (h + pad) - 0.3,
            str(label),
            color=color,
            fontsize=7,
            fontweight="bold",
            ha="left",
            va="top",
        )
    if title:
        ax.set_title(title)
    return ax


def plot_label_histogram(balance, *, ax=None, title=None, color="C0"):
    """Bar chart of label counts with the count expected under equal classes.

    Parameters
    ----------
    balance : densitylab.diagnostics.LabelBalance
        Result of :func:`densitylab.diagnostics.label_balance`.
    ax : matplotlib Axes, optional
        As in :func:`plot_digit_grid`.
    title : str, optional
    color : str, default="C0"

    Returns
    -------
    ax : matplotlib Axes
        Bars for the counts and a dashed line at ``n / n_classes``; the title
        (after ``title``, if given) states KL to uniform, χ² and its p-value.

    Examples
    --------
    >>> from densitylab.diagnostics import label_balance
    >>> from densitylab.plotting import plot_label_histogram
    >>> ax = plot_label_histogram(label_balance([0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    """
    counts = np.asarray(balance.counts)
    n_classes = counts.shape[0]
    if ax is None:
        ax = _figure(1, 1, panel_size=(4.5, 3.0))[1][0, 0]
    ax.bar(np.arange(n_classes), counts, color=color, width=0.8)
    ax.axhline(
        balance.n_samples / n_classes,
        color="k",
        linestyle="--",
        linewidth=1.0,
        label=f"equal proportions: {balance.n_samples / n_classes:.4g} each",
    )
    ax.set_xticks(np.arange(n_classes))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("count")
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    # Headroom above the tallest bar keeps the legend clear of the bars.
    ax.set_ylim(0, max(counts.max(), balance.n_samples / n_classes) * 1.3)
    stats_line = (
        f"KL = {balance.kl_to_uniform:.3f}, χ² = {balance.chi2:.1f}, p = {balance.p_value:.2g}"
    )
    ax.set_title(f"{title}\n{stats_line}" if title else stats_line)
    return ax
