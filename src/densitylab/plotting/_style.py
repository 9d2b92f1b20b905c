"""The report's figure style: rcParams, colours, axis labels and pyplot-free figures."""

from __future__ import annotations

import io
from contextlib import contextmanager

import matplotlib as mpl
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
#: Colour of the generated sample in generated-versus-test scatter plots.
GENERATED_COLOR = "#d95f02"
#: Colour of the test (held-out) sample.
TEST_COLOR = "#7f7f7f"
#: Colour of the training points drawn under a density.
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
#: Display names of the kernels, in panel titles and legends.
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
