"""Placeholder until the model lands (being written now)."""

from densitylab.models._base import DensityEstimatorBase


class DensityForest(DensityEstimatorBase):
    """Not implemented yet."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, X):
        raise NotImplementedError
