"""Sweep figures: a criterion against a hyper-parameter, mean over repeats with a band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from densitylab.plotting._style import (
    COLUMN_LABELS,
    KERNEL_NAMES,
    LINE_CMAP,
    LINE_NAMES,
    _figure,
)


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
        Rows of :func:`densitylab.sweeps.run_sweep` for one model and one
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
