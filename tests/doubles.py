"""Test doubles shared by the sweep and summary tests."""

from __future__ import annotations

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, DensityMixin

from densitylab._random import as_generator


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
