"""The study toolkit in one namespace: seeds, parameter checks, sweeps and summaries.

A convenience for notebooks and teaching code; each name lives in its own module:
:mod:`densitylab.seeding` (training sets, seeds), :mod:`densitylab.sweeps`
(:func:`run_sweep`, :func:`fit_and_sample`), :mod:`densitylab.sweep_result`
(:class:`SweepResult`), :mod:`densitylab.summaries`
(:func:`summarize_sweep`, :func:`near_best`) and the parameter checks
(:func:`check_grid`, :func:`check_scalar_param`, :func:`from_text`).
"""

from densitylab._validation import check_grid, check_scalar_param, from_text
from densitylab.seeding import TrainingSet, derive_seed, make_training_sets
from densitylab.summaries import ID_COLUMNS, describe_trend, near_best, summarize_sweep
from densitylab.sweep_result import FIT_COLUMNS, MMD_COLUMNS, SweepResult
from densitylab.sweeps import PROGRESS_ENV, fit_and_sample, run_sweep

__all__ = [
    "ID_COLUMNS",
    "PROGRESS_ENV",
    "FIT_COLUMNS",
    "MMD_COLUMNS",
    "SweepResult",
    "TrainingSet",
    "check_grid",
    "check_scalar_param",
    "derive_seed",
    "describe_trend",
    "fit_and_sample",
    "from_text",
    "make_training_sets",
    "near_best",
    "run_sweep",
    "summarize_sweep",
]
