"""Density estimators with a scikit-learn interface.

Every model is a :class:`sklearn.base.BaseEstimator` and
:class:`sklearn.base.DensityMixin` with ``fit``, ``score_samples`` (natural-log
density), ``score`` (mean log density) and ``sample``; ``sample`` draws from
exactly the density that ``score_samples`` evaluates.
"""

from densitylab.models.forest import DensityForest
from densitylab.models.gaussian import GMM, SingleGaussian
from densitylab.models.histogram import Histogram2D
from densitylab.models.kde import GaussianKDE

__all__ = ["DensityForest", "GMM", "GaussianKDE", "Histogram2D", "SingleGaussian"]
