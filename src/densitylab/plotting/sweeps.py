"""Sweep figures: MMD² and per-fit criteria against the swept hyper-parameter.

Every line is the mean over repeats with a band of ±1 standard error of that mean (the
uncertainty of the plotted mean, not the spread of single runs); the legend says so and
sits outside the axes. MMD² values span decades and dip below zero, so their axis is
symmetric-log when that matters (see :func:`plot_sweep`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from densitylab.plotting._criteria import CRITERIA, criterion_scale, missing_note, overlays
from densitylab.plotting._lines import (
    band_entry,
    draw_sweep,
    grid_positions,
    is_log_grid,
    line_styles,
    swept_axis,
)
from densitylab.plotting._style import (
    KERNEL_TITLES,
    REFERENCE_COLOR,
    bandwidth_phrase,
    family_name,
    figure_legend,
    new_axes,
    new_figure,
    place_legend,
    report_rc,
)
from densitylab.plotting._tables import LINE_CHOICES, check_columns, single_selection
from densitylab.plotting._ticks import (
    check_linthresh,
    fit_limits,
    needs_symlog,
    noise_threshold,
    use_numbers,
    use_symlog,
)

__all__ = ["is_log_grid", "plot_fit_criterion", "plot_sweep", "plot_sweep_panels"]

_PANELS_HINT = ", or plot_sweep_panels for one panel per kernel"


def _check_line(line):
    if line not in LINE_CHOICES:
        raise ValueError(f"line must be one of {LINE_CHOICES}, got {line!r}.")
    return line


def _first(table, column):
    return table[column].iloc[0] if column in table.columns else None


def _mmd_panel(ax, table, *, line, styles, floor, linthresh, grid=(False, None)):
    """One MMD² panel: lines, bands, zero and floor lines, y-axis; its legend entries.
    ``grid``: ``(categorical, label_values)`` of the x-axis (see :func:`plot_sweep`)."""
    positions = grid_positions(table, grid[0])
    summary, handles, labels = draw_sweep(
        ax, table, "mmd2", line=line, styles=styles, positions=positions
    )
    swept_axis(ax, table, categorical=grid[0], label_values=grid[1])
    ax.axhline(0.0, color="#b0b0b0", linewidth=0.8, zorder=1, gid="zero")
    se = summary["se"].fillna(0.0)
    heights = np.r_[summary["mean"] + se, summary["mean"] - se, 0.0]
    if floor is not None:
        floor_line = ax.axhline(
            float(floor), color=REFERENCE_COLOR, linestyle="--", linewidth=1.2, gid="floor"
        )
        heights = np.r_[heights, float(floor)]
        handles, labels = [*handles, floor_line], [*labels, "perfect generator"]
    if linthresh is None:
        threshold = noise_threshold(summary["mean"], summary["se"])
        linthresh = threshold if needs_symlog(heights, threshold) else None
    if linthresh is None:
        use_numbers(ax, axis="y")
    else:
        use_symlog(ax, linthresh)
    fit_limits(ax, heights)
    ax.set_ylabel("MMD²")
    band = band_entry(summary)
    if band is not None:
        handles, labels = [*handles, band[0]], [*labels, band[1]]
    return handles, labels


def _default_title(table, *, kernel=True):
    parts = [family_name(str(_first(table, "model")))]
    if kernel and "kernel" in table.columns:
        parts.append(
            KERNEL_TITLES.get(_first(table, "kernel"), f"{_first(table, 'kernel')} kernel")
        )
    if "bandwidth_name" in table.columns:
        values = pd.unique(table["bandwidth"]) if "bandwidth" in table.columns else []
        value = values[0] if len(values) == 1 else None
        parts.append(bandwidth_phrase(_first(table, "bandwidth_name"), value))
    return ", ".join(parts)


def _one_panel(ax, draw, *, legend, title, ylabel) -> Figure:
    """A one-panel sweep figure: ``draw(ax)`` plots and returns legend entries and a title.

    ``ax``, ``legend``, ``title`` and ``ylabel`` as :func:`plot_sweep` takes them; the
    panel's default y label is the one ``draw`` sets.
    """
    below = ax is None
    with report_rc():
        fig, ax = new_axes(ax, aspect=0.62)
        handles, labels, default_title = draw(ax)
        if ylabel is not None:
            ax.set_ylabel(ylabel)
        place_legend(ax, handles, labels, legend, below=below)
        ax.set_title(default_title if title is None else title)
    return fig


def plot_sweep(
    mmd: pd.DataFrame,
    *,
    ax: Axes | None = None,
    line: str | None = "n_train",
    floor: float | None = None,
    linthresh: float | None = None,
    title: str | None = None,
    legend: str | bool | None = None,
    ylabel: str | None = "MMD²",
    categorical: bool = False,
    label_values=None,
) -> Figure:
    """MMD² against the swept value: mean over repeats ±1 standard error, a line per level.

    Parameters
    ----------
    mmd : pandas.DataFrame
        Rows of ``SweepResult.mmd`` for **one** family, kernel and named bandwidth (and
        reference unless ``line="reference"``); else a ValueError names what to select.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    line : {"n_train", "reference"} or None, default="n_train"
        One line per training size (colours of a sequential colormap, legend
        "$n = 1000$"), per reference sample (digits: "vs training digits" dashed,
        "vs held-out digits" solid), or a single line.
    floor : float, optional
        MMD² of a perfect generator (mean over its repeats), drawn dashed and
        labelled "perfect generator": the noise floor no model can beat.
    linthresh : float, optional
        Linear threshold of a symmetric-log y-axis (linear within ±linthresh,
        logarithmic beyond). ``None`` chooses from the data: the noise level of the
        plotted means, i.e. the median standard error rounded down to a power of
        ten (without repeats: the 10th percentile of ``|mean|``); that axis is used
        when some plotted value exceeds ten times it, else the axis is linear. MMD²
        of good and bad models differ by orders of magnitude and dip below zero:
        on a linear axis the good ones would be flat at zero.
    title : str, optional
        ``None``: the family, kernel and bandwidth ("GMM, SE kernel, σ = 0.82
        (median heuristic)"); ``""``: no title.
    legend : {None, "figure", False}, default=None
        ``None``: below the panel when the function makes the figure, else right of the
        Axes; ``"figure"``: one legend under all panels (give it to each panel: entries
        already listed are not repeated); ``False``: none.
    ylabel : str, default="MMD²"
        The vertical axis's label (``""``: none, e.g. left to the first panel).
    categorical : bool, default=False
        Grid values evenly spaced along x, every one labelled (vertical when crowded),
        for close values the text names (2, 2.1, 2.2 among 0.001…4). Default: a log or
        linear axis at the values, labels thinned.
    label_values : sequence of float, optional
        Grid values whose labels always show (the settings the text names): kept when
        labels are thinned, bold on a categorical axis. A value off the grid is an error.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on (``ax.figure`` when ``ax`` is given). The x-axis is
        logarithmic for log-like grids (:func:`is_log_grid`), labelled with
        ``densitylab.report.axis_label``; the legend is outside the axes.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.plotting import plot_sweep
    >>> mmd = pd.DataFrame({"model": "GMM", "param": "n_components", "value": [1, 2, 1, 2],
    ...                     "n_train": 100, "repeat": [0, 0, 1, 1], "kernel": "se",
    ...                     "bandwidth_name": "median", "bandwidth": 0.8,
    ...                     "mmd2": [2e-2, 1e-4, 3e-2, -1e-4]})
    >>> fig = plot_sweep(mmd, floor=0.0)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.get_ylabel(), ax.get_yscale()
    ('number of components $K$', 'MMD²', 'symlog')
    """
    line = _check_line(line)
    linthresh = check_linthresh(linthresh)
    check_columns(mmd, [c for c in ("value", "repeat", "mmd2", line) if c], "mmd")
    table = single_selection(mmd, "mmd", line=line, hint=_PANELS_HINT)

    def draw(ax):
        styles = line_styles(table, line)
        handles, labels = _mmd_panel(
            ax, table, line=line, styles=styles, floor=floor, linthresh=linthresh,
            grid=(categorical, label_values),
        )  # fmt: skip
        return handles, labels, _default_title(table)

    return _one_panel(ax, draw, legend=legend, title=title, ylabel=ylabel)


def plot_sweep_panels(
    mmd: pd.DataFrame,
    *,
    kernels=("se", "imq"),
    bandwidth_name="median",
    line="n_train",
    floors=None,
    title=None,
    categorical=False,
    label_values=None,
) -> Figure:
    """MMD² sweeps side by side, one panel per kernel, with one legend below the panels.

    Each panel is drawn as by :func:`plot_sweep` (its own y-axis and symmetric-log
    threshold: the kernels' MMD² differ in scale); lines keep their colours across
    panels.

    Parameters
    ----------
    mmd : pandas.DataFrame
        MMD rows of one family (and one reference unless ``line="reference"``),
        holding the ``kernels`` at ``bandwidth_name``.
    kernels : sequence of {"se", "imq"}, default=("se", "imq")
        One panel each, left to right, titled "SE kernel", "IMQ kernel".
    bandwidth_name : str, default="median"
        The named bandwidth selected (``"median"`` or ``"original"`` in the studies).
    line : {"n_train", "reference"} or None, default="n_train"
        As in :func:`plot_sweep`.
    floors : float or mapping of str to float, optional
        A perfect generator's MMD², one value for all panels or one per kernel.
    title : str, optional
        ``None``: the family and bandwidth; ``""``: no title.
    categorical, label_values
        The x-axis of every panel, as in :func:`plot_sweep`.

    Returns
    -------
    matplotlib.figure.Figure
        A row of panels, one per kernel, each with its own y-axis; the legend below them.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.plotting import plot_sweep_panels
    >>> mmd = pd.DataFrame({"model": "GaussianKDE", "param": "bandwidth",
    ...                     "value": [0.1, 0.3] * 4, "n_train": 100,
    ...                     "repeat": [0, 0, 1, 1] * 2, "kernel": ["se"] * 4 + ["imq"] * 4,
    ...                     "bandwidth_name": "median", "bandwidth": 0.8,
    ...                     "mmd2": [1e-3, 4e-3, 2e-3, 5e-3, 1e-4, 6e-4, 2e-4, 7e-4]})
    >>> fig = plot_sweep_panels(mmd, floors={"se": 0.0, "imq": 0.0})
    >>> [ax.get_title() for ax in fig.axes]
    ['SE kernel', 'IMQ kernel']
    """
    line = _check_line(line)
    check_columns(mmd, ["kernel", "bandwidth_name", "value", "repeat", "mmd2"], "mmd")
    kernels = [kernels] if isinstance(kernels, str) else list(kernels)
    if not kernels:
        raise ValueError("kernels must name at least one kernel.")
    selected = mmd[mmd["bandwidth_name"] == bandwidth_name]
    if selected.empty:
        names = sorted(map(str, pd.unique(mmd["bandwidth_name"])))
        raise ValueError(f"mmd has no bandwidth_name {bandwidth_name!r}; it has {names}.")
    missing = [k for k in kernels if not (selected["kernel"] == k).any()]
    if missing:
        raise ValueError(f"mmd has no rows for kernel(s) {missing} at {bandwidth_name!r}.")
    selected = selected[selected["kernel"].isin(kernels)]
    tables = [
        single_selection(selected[selected["kernel"] == k], "mmd", line=line) for k in kernels
    ]
    styles = line_styles(selected, line)
    with report_rc():
        fig, axes = new_figure(1, len(kernels), aspect=0.85)
        entries = {}
        for ax, kernel, table in zip(axes[0], kernels, tables, strict=True):
            floor = floors.get(kernel) if isinstance(floors, Mapping) else floors
            handles, labels = _mmd_panel(
                ax, table, line=line, styles=styles, floor=floor, linthresh=None,
                grid=(categorical, label_values),
            )  # fmt: skip
            entries.update({label: handle for handle, label in zip(handles, labels, strict=True)})
            ax.set_title(KERNEL_TITLES.get(kernel, f"{kernel} kernel"))
        for ax in axes[0, 1:]:
            ax.set_ylabel("")
        if entries:
            figure_legend(fig, list(entries.values()), list(entries))
        fig.suptitle(_default_title(selected, kernel=False) if title is None else title)
    return fig


def plot_fit_criterion(
    fits: pd.DataFrame,
    column: str,
    *,
    ax: Axes | None = None,
    line: str | None = "n_train",
    band: tuple[float, float] | None = None,
    reference: float | None = None,
    title: str | None = None,
    legend: str | bool | None = None,
    ylabel: str | None = None,
    limit: float | None = None,
    categorical: bool = False,
    label_values=None,
) -> Figure:
    """A per-fit criterion against the swept value: mean over repeats ±1 standard error.

    Parameters
    ----------
    fits : pandas.DataFrame
        Rows of ``SweepResult.fits`` of one family.
    column : {"heldout_loglik", "copy_share", "ct_statistic", "heldout_zero_share"}
        The criterion. Log-likelihoods are plotted as they are (higher is better), on
        a linear axis; when they span decades (a copying KDE far below the rest), the
        axis shows the settings within a decade of the best and marks the others at
        its lower edge (▼, counted in the legend). Shares on a percent axis.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    line : {"n_train"} or None, default="n_train"
        One line per training size, or one line.
    band : (float, float), optional
        A shaded region, e.g. ``(-3, 3)`` for ``ct_statistic``: "neither copying nor
        over-dispersed".
    reference : float, optional
        A reference line, e.g. the quantile ``0.05`` for ``copy_share`` (dotted,
        "expected without copying") or ``0`` for ``ct_statistic`` (dashed, "as close
        as new data"): distinct styles, so one legend can hold both.
    title : str, optional
        ``None``: the family and the criterion; ``""``: no title.
    legend : {None, "figure", False}, default=None
        As in :func:`plot_sweep`.
    ylabel : str, optional
        As in :func:`plot_sweep`; by default the criterion's name with its unit.
    limit : float, optional
        For ``copy_share``: the share beyond which a verdict says "copies" (take it from
        the verdict rule, not typed), a dash-dotted red line "copy limit of the verdict".
    categorical, label_values
        The x-axis, as in :func:`plot_sweep`.

    Returns
    -------
    matplotlib.figure.Figure
        Settings where a repeat is not finite (a histogram's −∞ log-likelihood) are
        left out and the legend says how many; if none is left, a note says why the
        axes are empty.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.plotting import plot_fit_criterion
    >>> fits = pd.DataFrame({"model": "GaussianKDE", "param": "bandwidth",
    ...                      "value": [0.02, 0.2] * 2, "n_train": 100, "repeat": [0, 0, 1, 1],
    ...                      "copy_share": [0.4, 0.05, 0.5, 0.06]})
    >>> fig = plot_fit_criterion(fits, "copy_share", reference=0.05)
    >>> fig.axes[0].get_ylabel()
    'share flagged as copies'
    """
    if column not in CRITERIA:
        raise ValueError(f"column must be one of {sorted(CRITERIA)}, got {column!r}.")
    if line not in ("n_train", None):
        raise ValueError(f"line must be 'n_train' or None for per-fit criteria, got {line!r}.")
    spec = CRITERIA[column]
    check_columns(fits, [c for c in ("value", "repeat", column, line) if c], "fits")
    table = single_selection(fits, "fits", line=line)

    def draw(ax):
        styles = line_styles(table, line)
        positions = grid_positions(table, categorical)
        summary, handles, labels = draw_sweep(
            ax, table, column, line=line, styles=styles, positions=positions
        )
        swept_axis(ax, table, categorical=categorical, label_values=label_values)
        extra = overlays(ax, handles, labels, spec, band=band, reference=reference, limit=limit)
        missing_note(ax, handles, labels, summary, column)
        criterion_scale(ax, summary, spec, extra, band, (handles, labels, positions))
        ax.set_ylabel(spec["label"])
        return handles, labels, f"{family_name(str(_first(table, 'model')))}: {spec['short']}"

    return _one_panel(ax, draw, legend=legend, title=title, ylabel=ylabel)
