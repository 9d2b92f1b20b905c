"""Drawing a sweep: mean lines with ±1 standard-error bands, the swept value on x."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from densitylab.plotting._style import REFERENCE_STYLES, level_colors
from densitylab.plotting._tables import line_levels, mean_and_se
from densitylab.plotting._ticks import categorical_ticks, grid_ticks, use_log, use_numbers
from densitylab.report.typography import SYMBOLS, axis_label, number, to_tex

SINGLE_LINE = {"color": "#1f78b4", "linestyle": "-", "marker": "o", "label": None}


def is_log_grid(values) -> bool:
    """Whether a grid is closer to evenly spaced on a log scale than on a linear one.

    ``[10, 20, 30, 50, 80]`` or ``[1, 2, 3, 5, 8, 12]`` are log-like, ``[0.1, 0.2,
    0.3, 0.4]`` is not (and no grid holding a value ≤ 0 is). A grid spanning two
    decades or more is log-like whatever its spacing (``[0.01, 0.1, 0.5, 1, 1.5, 2]``:
    on a linear axis its small values would be squashed together).

    Examples
    --------
    >>> from densitylab.plotting import is_log_grid
    >>> is_log_grid([1, 2, 3, 5, 8, 12]), is_log_grid([0.1, 0.2, 0.3, 0.4])
    (True, False)
    """
    v = np.unique(np.asarray(values, dtype=np.float64))
    if v.size < 2 or v[0] <= 0:
        return False
    if v[-1] / v[0] >= 100 or v.size == 2:  # two decades or more; two values a decade apart
        return bool(v[-1] / v[0] >= 10)

    def spread(steps):
        return float(np.std(steps) / np.mean(steps))

    return spread(np.diff(np.log(v))) < spread(np.diff(v))


def line_styles(table, line) -> dict:
    """Colour, line style, marker and legend text of each level of ``line``."""
    levels = line_levels(table, line)
    if line is None:
        return {None: SINGLE_LINE}
    if line == "n_train":
        colors = level_colors(levels)
        return {
            n: {
                "color": colors[n],
                "linestyle": "-",
                "marker": "o",
                "label": f"$n = {to_tex(number(int(n)))}$",
            }
            for n in levels
        }
    if line == "reference":
        unknown = {"color": "#7f7f7f", "linestyle": ":", "marker": "^"}
        return {r: REFERENCE_STYLES.get(r, {**unknown, "label": f"vs {r}"}) for r in levels}
    raise ValueError(f"line must be 'n_train', 'reference' or None, got {line!r}.")


def param_label(param: str) -> str:
    """The x label of a swept parameter: words and symbol (``axis_label``)."""
    if param in SYMBOLS:
        return axis_label(param)
    return str(param).replace("_", " ")


def grid_positions(table, categorical: bool):
    """x position of each grid value: the value itself, or its index on a categorical axis."""
    values = np.unique(table["value"].to_numpy(dtype=np.float64))
    if not categorical:
        return None
    return {float(v): float(i) for i, v in enumerate(values)}


def draw_sweep(ax, table, column, *, line, styles, positions=None):
    """Mean of ``column`` over repeats against the swept value, ±1 standard error.

    ``positions`` maps grid values to x positions (a categorical axis); ``None`` plots
    at the values. Returns the summary (see
    :func:`~densitylab.plotting._tables.mean_and_se`) and the legend entries
    ``(handles, labels)`` of the lines drawn.
    """
    summary = mean_and_se(table, column, line)
    handles, labels = [], []
    for level in line_levels(table, line):
        part = summary if line is None else summary[summary[line] == level]
        part = part[part["finite"]]
        if part.empty:
            continue
        style = styles[level]
        xs = part["value"].to_numpy(dtype=np.float64)
        if positions is not None:
            xs = np.array([positions[float(v)] for v in xs])
        mean = part["mean"].to_numpy(dtype=np.float64)
        se = part["se"].to_numpy(dtype=np.float64)
        color = style["color"]
        (handle,) = ax.plot(
            xs,
            mean,
            color=color,
            linestyle=style["linestyle"],
            marker=style["marker"],
            gid=f"mean:{level}",
            zorder=3,
        )
        ok = np.isfinite(se)
        if ok.any():
            ax.fill_between(
                xs[ok],
                (mean - se)[ok],
                (mean + se)[ok],
                color=color,
                alpha=0.2,
                linewidth=0,
                gid=f"band:{level}",
                zorder=2,
            )
        if style["label"] is not None:
            handles.append(handle)
            labels.append(style["label"])
    return summary, handles, labels


def band_entry(summary):
    """The legend entry that says what the shaded bands are (``None`` without repeats)."""
    counts = summary.loc[summary["finite"], "count"]
    if counts.empty or counts.max() < 2:
        return None
    lo, hi = int(counts.min()), int(counts.max())
    repeats = f"{lo}" if lo == hi else f"{lo}–{hi}"
    return Patch(color="#7f7f7f", alpha=0.3, linewidth=0), f"±1 standard error ({repeats} repeats)"


def swept_axis(ax, table, *, categorical=False, label_values=None):
    """The x-axis of a sweep: log when the grid is log-like, ticks at the grid values.

    ``categorical``: the grid values evenly spaced, each labelled (see
    :func:`~densitylab.plotting._ticks.categorical_ticks`). ``label_values``: grid
    values whose labels must show (bold on a categorical axis).
    """
    values = table["value"].to_numpy(dtype=np.float64)
    if categorical:
        categorical_ticks(ax, values, keep=label_values)
    else:
        log = is_log_grid(values)
        if log:
            use_log(ax, axis="x")
        else:
            use_numbers(ax, axis="x")
        grid_ticks(ax, values, log=log, keep=label_values)
    params = list(dict.fromkeys(table["param"])) if "param" in table.columns else ["value"]
    ax.set_xlabel(param_label(params[0]))


def note_entry(text):
    """A legend line holding only text (an invisible handle)."""
    return Line2D([], [], linestyle="none", marker=None), text
