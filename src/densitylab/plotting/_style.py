"""What every figure shares: colours, line styles, the figure itself and legends.

Figures come from :func:`densitylab.report.figures.new_figure` (pyplot-free, sized for
the book's column, fonts readable there), and every public function draws inside
:func:`densitylab.report.figures.report_style` so that titles, legends and notes get the
report's font sizes too. A public plotting function takes ``ax=None``: it draws into
that Axes, or into a new one-panel figure, and returns the
:class:`~matplotlib.figure.Figure` it drew on. No pyplot anywhere.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import matplotlib as mpl
import numpy as np

from densitylab.report.typography import FAMILY_NAMES, number

#: Colormap of lines that stand for an ordered quantity (training sizes): light = small.
LINE_CMAP = "viridis"
#: The two samples of a generated-versus-test picture, and training points.
GENERATED_COLOR = "#d95f02"
TEST_COLOR = "#808080"
TRAIN_COLOR = "#1a1a1a"
#: Reference lines (a perfect generator, an expected share).
REFERENCE_COLOR = "#444444"

#: Comparison samples of the digits study: colour, line style and legend text.
REFERENCE_STYLES = {
    "heldout": {
        "color": "#1f78b4",
        "linestyle": "-",
        "marker": "o",
        "label": "vs held-out digits",
    },
    "train": {"color": "#e6550d", "linestyle": "--", "marker": "s", "label": "vs training digits"},
    "test": {"color": "#1f78b4", "linestyle": "-", "marker": "o", "label": "vs test points"},
}
KERNEL_TITLES = {"se": "SE kernel", "imq": "IMQ kernel"}
BANDWIDTH_WORDS = {"median": "median heuristic", "original": "original study"}


@contextmanager
def report_rc():
    """Draw inside the report's rcParams (text created here keeps the report's sizes)."""
    from densitylab.report.figures import report_style

    with report_style():
        yield


def new_axes(ax=None, *, aspect=None):
    """``(figure, ax)``: the given Axes and its figure, or a new one-panel figure."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = new_figure(1, 1, aspect=aspect)
    return fig, axes[0, 0]


def new_figure(n_rows, n_cols, *, aspect=None, **subplots_kw):
    """A figure of the report layer (:func:`densitylab.report.figures.new_figure`).

    ``aspect`` is the height over the width of one panel (the report's default when
    ``None``); the figure is as wide as the book's column.
    """
    from densitylab.report.figures import new_figure as report_figure

    extra = {} if aspect is None else {"aspect": aspect}
    fig, axes = report_figure(n_rows, n_cols, **extra, **subplots_kw)
    return fig, np.asarray(axes).reshape(n_rows, n_cols)


def level_colors(levels) -> dict:
    """A colour per ordered level, from :data:`LINE_CMAP` (dark = first, skipping yellow)."""
    levels = list(levels)
    cmap = mpl.colormaps[LINE_CMAP]
    positions = np.linspace(0.05, 0.78, len(levels)) if len(levels) > 1 else [0.35]
    return {level: cmap(p) for level, p in zip(levels, positions, strict=True)}


def family_name(model: str) -> str:
    """A model family in words (unknown class names are kept)."""
    return FAMILY_NAMES.get(model, model)


def bandwidth_phrase(name, value=None) -> str:
    """``"σ = 0.82 (median heuristic)"`` for a named MMD bandwidth."""
    words = BANDWIDTH_WORDS.get(name, str(name))
    if value is None:
        return f"σ: {words}"
    return f"σ\u00a0=\u00a0{number(float(value), 2)} ({words})"


def legend_outside(ax, handles=None, labels=None, *, below=False, **kwargs):
    """A legend outside the data area, so it hides no data; ``None`` if nothing to list.

    ``below=True`` (for a figure holding only this Axes): one legend under the panel,
    in as many columns as fit the width. Otherwise to the right of the Axes. Either
    way constrained layout makes room for it.
    """
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    handles, labels = list(handles), list(labels)
    if not handles:
        return None
    if below:
        return figure_legend(ax.figure, handles, labels, **kwargs)
    return ax.legend(
        handles,
        labels,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        frameon=False,
        **kwargs,
    )


def place_legend(ax, handles, labels, legend, *, below):
    """Place a panel's legend: ``None`` as the figure suits, ``"figure"`` under all
    panels (every panel given ``"figure"`` adds its new entries to the one legend of
    the figure, so panels sharing their lines list them once), ``False`` none."""
    if legend is False:
        return None
    if legend == "figure":
        return figure_legend(ax.figure, list(handles), list(labels)) if handles else None
    if legend is not None:
        raise ValueError(f"legend must be None, 'figure' or False, got {legend!r}.")
    return legend_outside(ax, handles, labels, below=below)


def _visible_length(label: str) -> int:
    """Rough printed length of a legend label (mathtext markup not counted)."""
    text = re.sub(r"\\[a-zA-Z]+", "x", label).replace("$", "").replace("{", "").replace("}", "")
    return len(text)


def legend_columns(fig, labels, *, max_cols=4) -> int:
    """Columns of a legend under ``fig``: as many as fit its width, at most ``max_cols``."""
    size = mpl.rcParams["legend.fontsize"]
    char_px = 0.58 * (size if isinstance(size, float | int) else 9.0) * 4 / 3
    width_px = 0.95 * fig.get_figwidth() * 96
    lengths = [_visible_length(label) for label in labels]
    for ncols in range(min(max_cols, len(labels)), 1, -1):
        widest = [max(lengths[c::ncols]) for c in range(ncols)]
        if sum(char_px * n + 45 for n in widest) <= width_px:
            return ncols
    return 1


def figure_legend(fig, handles, labels, *, ncols=None):
    """One legend for a whole figure, below all its panels (outside every one).

    Called again for the same figure (another panel's entries), it merges: entries
    whose label is already listed are skipped, new ones are appended, and the one
    legend is redrawn. So a figure never repeats its legend.
    """
    entries = dict(getattr(fig, "_densitylab_legend_entries", {}))
    for handle, label in zip(handles, labels, strict=True):
        entries.setdefault(label, handle)
    previous = getattr(fig, "_densitylab_legend", None)
    if previous is not None and previous in fig.legends:
        previous.remove()
    labels = list(entries)
    ncols = legend_columns(fig, labels) if ncols is None else ncols
    legend = fig.legend(
        list(entries.values()), labels, loc="outside lower center", ncols=ncols, frameon=False
    )
    fig._densitylab_legend, fig._densitylab_legend_entries = legend, entries
    return legend
