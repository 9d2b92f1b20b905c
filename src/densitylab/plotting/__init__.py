"""Figures of the report, one convention for all: ``ax=None`` in, a Figure out.

Every single-panel function takes ``ax=None``: it draws into the given Axes, or into a
new figure from :func:`densitylab.report.figures.new_figure` (no pyplot, as wide as the
book's column, fonts readable there), and returns the
:class:`~matplotlib.figure.Figure` it drew on. Multi-panel functions make their own
figure and return it. Legends sit outside the data; axes are named in words and
symbols; tick labels follow the report's number style.

* ``densitylab.plotting.sweeps`` — :func:`plot_sweep`, :func:`plot_sweep_panels`
  (MMD² against the swept value, mean ±1 standard error over repeats, symmetric-log
  axis) and :func:`plot_fit_criterion` (held-out log-likelihood, copy checks, C_T);
* ``densitylab.plotting.densities`` — 2-D pictures: :func:`plot_density`,
  :func:`plot_samples`, :func:`plot_witness`, :func:`plot_partition`,
  :func:`plot_model_gallery`, :func:`data_bounds`; ``densitylab.plotting.witness`` —
  :func:`plot_witness_panels` (several witness functions on one colour scale);
* ``densitylab.plotting.digits`` — :func:`plot_digit_grid`,
  :func:`plot_labelled_digit_grid`, :func:`plot_label_shares`;
* ``densitylab.plotting.ideas`` — teaching pictures: :func:`plot_kernels`,
  :func:`plot_permutation_null`.
"""

from densitylab.plotting.densities import (
    data_bounds,
    plot_density,
    plot_model_gallery,
    plot_partition,
    plot_samples,
    plot_witness,
)
from densitylab.plotting.digits import (
    plot_digit_grid,
    plot_label_shares,
    plot_labelled_digit_grid,
)
from densitylab.plotting.ideas import plot_kernels, plot_permutation_null
from densitylab.plotting.sweeps import (
    is_log_grid,
    plot_fit_criterion,
    plot_sweep,
    plot_sweep_panels,
)
from densitylab.plotting.witness import plot_witness_panels

__all__ = [
    "data_bounds",
    "is_log_grid",
    "plot_density",
    "plot_digit_grid",
    "plot_fit_criterion",
    "plot_kernels",
    "plot_label_shares",
    "plot_labelled_digit_grid",
    "plot_model_gallery",
    "plot_partition",
    "plot_permutation_null",
    "plot_samples",
    "plot_sweep",
    "plot_sweep_panels",
    "plot_witness",
    "plot_witness_panels",
]
