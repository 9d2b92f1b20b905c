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

from densitylab.plotting._style import (
    COLUMN_LABELS,
    GENERATED_COLOR,
    KERNEL_NAMES,
    LINE_CMAP,
    STYLE,
    TEST_COLOR,
    TRAIN_COLOR,
    figure_png,
    style_context,
)
from densitylab.plotting.densities import (
    data_bounds,
    plot_density,
    plot_model_gallery,
    plot_samples,
)
from densitylab.plotting.digits import (
    plot_digit_grid,
    plot_label_histogram,
    plot_labelled_digit_grid,
)
from densitylab.plotting.sweeps import is_log_grid, plot_criteria, plot_sweep

__all__ = [
    "COLUMN_LABELS",
    "GENERATED_COLOR",
    "KERNEL_NAMES",
    "LINE_CMAP",
    "STYLE",
    "TEST_COLOR",
    "TRAIN_COLOR",
    "data_bounds",
    "figure_png",
    "is_log_grid",
    "plot_criteria",
    "plot_density",
    "plot_digit_grid",
    "plot_label_histogram",
    "plot_labelled_digit_grid",
    "plot_model_gallery",
    "plot_samples",
    "plot_sweep",
    "style_context",
]
