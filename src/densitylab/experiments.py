"""The study toolkit in one namespace: seeds, parameter checks, sweeps and summaries.

A convenience for notebooks and teaching code; each name lives in its own module:
:mod:`densitylab.seeding` (training sets, seeds), :mod:`densitylab.sweeps`
(:func:`run_sweep`, :func:`fit_and_sample`), :mod:`densitylab.summaries`
(:func:`summarize_sweep`, :func:`near_best`) and the parameter checks
(:func:`check_grid`, :func:`check_scalar_param`, :func:`from_text`).
"""

from densitylab._validation import check_grid, check_scalar_param, from_text
from densitylab.seeding import TrainingSet, derive_seed, make_training_sets
from densitylab.summaries import ID_COLUMNS, describe_trend, near_best, summarize_sweep
from densitylab.sweeps import PROGRESS_ENV, SWEEP_COLUMNS, fit_and_sample, run_sweep

__all__ = [
    "ID_COLUMNS",
    "PROGRESS_ENV",
    "SWEEP_COLUMNS",
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
