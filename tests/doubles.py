"""Test doubles and a small study shared by the sweep and summary tests."""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, DensityMixin

from densitylab._random import as_generator
from densitylab.seeding import make_training_sets
from densitylab.studies.picks import Criterion
from densitylab.sweeps import run_sweep

#: Named MMD bandwidths of the sweep tests' one reference sample, "test".
BANDWIDTHS = {"test": {"narrow": 0.5, "wide": 1.0}}
#: The picks tests' criteria: held-out (test set, SE, median σ) and the original study's.
HELDOUT = Criterion("test", "se", "median")
ORIGINAL = Criterion("test", "se", "original")


class ShiftedGaussian(DensityMixin, BaseEstimator):
    """N(mean(X) + shift, I) in any dimension, sampled with the given seed.

    ``fit`` draws one number from its ``random_state`` (``fit_draw_``) so tests can
    see which fit seed a task used.
    """

    def __init__(self, shift=0.0, random_state=None):
        self.shift = shift
        self.random_state = random_state

    def fit(self, X, y=None):
        self.mean_ = np.mean(X, axis=0) + self.shift
        self.fit_draw_ = as_generator(self.random_state).random()
        return self

    def score_samples(self, X):
        return stats.multivariate_normal(self.mean_).logpdf(X)

    def sample(self, n_samples=1, random_state=None):
        rng = as_generator(self.random_state if random_state is None else random_state)
        return self.mean_ + rng.standard_normal((n_samples, self.mean_.shape[0]))


def gaussian_sampler(n, random_state):
    """Training sets for the sweep tests: n standard normal points in 2-D."""
    return as_generator(random_state).standard_normal((n, 2))


def small_study():
    """The sweep tests' data: two training sets of 30 points, two of 60, and 80 test points."""
    sets = make_training_sets(gaussian_sampler, [30, 60], 2, seed=3)
    X_test = np.random.default_rng(99).standard_normal((80, 2))
    return sets, X_test


def sweep_shift(study, values=(0.0, 1.0, 2.0), **kwargs):
    """``run_sweep`` of :class:`ShiftedGaussian` over ``shift`` on ``small_study()``."""
    sets, X_test = study
    options = {
        "bandwidths": BANDWIDTHS,
        "n_generated": 50,
        "heldout": X_test,
        "seed": 11,
        "progress": False,
    } | kwargs
    return run_sweep(ShiftedGaussian(), "shift", list(values), sets, {"test": X_test}, **options)
