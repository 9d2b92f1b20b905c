"""The MMD witness of several generated samples, side by side on one colour scale."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from densitylab.plotting._planar import (
    check_bounds,
    check_grid_size,
    check_points,
    data_bounds,
    grid,
    panel_aspect,
    point_handle,
)
from densitylab.plotting._style import KERNEL_TITLES, figure_legend, new_figure, report_rc
from densitylab.plotting._ticks import NumberFormatter
from densitylab.plotting.densities import plot_witness
from densitylab.report.figures import FIGURE_WIDTH_PX
from densitylab.report.typography import number

__all__ = ["plot_witness_panels"]

#: The label of the row's colour bar, one line under the panels.
ROW_WITNESS_LABEL = "witness $f$:  − too few generated points,  + too many"


def plot_witness_panels(
    samples, Y, *, bandwidth, kernel="se", bounds=None, grid_size=120, limit=None, title=None
) -> Figure:
    """The witness function of each generated sample against ``Y``, compared fairly.

    One panel per sample, left to right, as :func:`plot_witness` draws it, with the
    same plotted region (axis limits), the same symmetric colour scale and one
    horizontal colour bar under all of them (its label on one line, so it fits at any
    column width), and one legend below it: the panels differ only where the witness
    functions do.

    Parameters
    ----------
    samples : mapping of str to array-like of shape (n, 2)
        Panel title (e.g. "good GMM, $K = 8$") → generated points, in display order.
    Y : array-like of shape (m, 2)
        Test (or held-out) points.
    bandwidth : float
        The kernel bandwidth σ.
    kernel : {"se", "imq"}, default="se"
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Default: :func:`data_bounds` of ``Y`` and every sample.
    grid_size : int, default=120
        Evaluation points per axis.
    limit : float > 0, optional
        The colour scale runs from ``−limit`` to ``limit``; by default the largest
        ``|f|`` over all panels.
    title : str, optional
        ``None``: names the kernel and σ; ``""``: none.

    Returns
    -------
    matplotlib.figure.Figure
        A row of equal-scaled panels with equal x- and y-limits, one colour bar under
        the row, the test points' legend entry below it.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_witness_panels
    >>> rng = np.random.default_rng(0)
    >>> Y = rng.normal(0, 1, (200, 2))
    >>> samples = {"near": rng.normal(0.1, 1, (200, 2)), "far": rng.normal(1.5, 1, (200, 2))}
    >>> fig = plot_witness_panels(samples, Y, bandwidth=1.0, grid_size=30)
    >>> left, right = fig.axes[:2]
    >>> left.get_xlim() == right.get_xlim(), left.get_ylim() == right.get_ylim()
    (True, True)
    >>> left.get_images()[0].get_clim() == right.get_images()[0].get_clim(), len(fig.axes)
    (True, 3)
    """
    from densitylab.mmd import witness

    if not isinstance(samples, Mapping) or not samples:
        raise ValueError("samples must map at least one panel title to generated points.")
    Y = check_points(Y, "Y")
    points = {name: check_points(X, f"samples[{name!r}]") for name, X in samples.items()}
    bounds = check_bounds(data_bounds(Y, *points.values()) if bounds is None else bounds)
    grid_size = check_grid_size(grid_size)
    if limit is None:
        _, _, T = grid(bounds, grid_size)
        limit = max(
            float(np.max(np.abs(witness(X, Y, T, kernel=kernel, bandwidth=bandwidth))))
            for X in points.values()
        )
        limit = limit or 1.0
    if not float(limit) > 0:
        raise ValueError(f"limit must be a number > 0, got {limit!r}.")
    n = len(points)
    with report_rc():
        # Each panel's height, plus its share of the colour bar's row (about 80 px).
        aspect = panel_aspect(bounds, bar=False) + 80 * n / FIGURE_WIDTH_PX
        fig, axes = new_figure(1, n, aspect=aspect, sharey=True)
        for ax, (name, X) in zip(axes[0], points.items(), strict=True):
            plot_witness(X, Y, ax=ax, bandwidth=bandwidth, kernel=kernel, bounds=bounds,
                         grid_size=grid_size, title=name, limit=limit, with_colorbar=False,
                         legend=False)  # fmt: skip
        for ax in axes[0, 1:]:
            ax.set_ylabel("")
            ax.tick_params(labelleft=False)
        bar = fig.colorbar(axes[0, 0].get_images()[0], ax=list(axes[0]), location="bottom",
                           shrink=0.6, aspect=40, pad=0.02)  # fmt: skip
        bar.set_label(ROW_WITNESS_LABEL)
        bar.ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], symmetric=True))
        bar.ax.xaxis.set_major_formatter(NumberFormatter())
        bar.ax.minorticks_off()
        figure_legend(fig, *map(list, zip(point_handle("test", "test points", alpha=0.35))))
        if title is None:
            kernel_name = KERNEL_TITLES.get(kernel, f"{kernel} kernel")
            title = f"MMD witness, {kernel_name}, σ\u00a0=\u00a0{number(float(bandwidth), 2)}"
        if title:
            fig.suptitle(title)
    return fig
