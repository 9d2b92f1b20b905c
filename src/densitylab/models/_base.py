"""The base class of the density models: validation, fitted-state and random-state plumbing.

Every model subclasses :class:`DensityEstimatorBase` and implements ``_fit``,
``_score_samples`` and ``_sample`` on validated float64 arrays.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from densitylab._random import as_generator
from densitylab._validation import check_n_samples, check_rectangular


class DensityEstimatorBase(DensityMixin, BaseEstimator):
    """Common ``fit``-time validation, ``score`` and sampling plumbing.

    Subclasses implement ``_fit(X)``, ``_score_samples(X)`` and
    ``_sample(n_samples, rng)`` on validated float64 arrays; this class checks the
    input, the fitted state and the random state around them.
    """

    # Least number of training rows a model accepts; subclasses may raise it.
    _min_train_samples = 2

    def _keep_params(self, arguments: dict) -> None:
        """Store a constructor's ``locals()`` unchanged, each under its own name.

        scikit-learn's rule: ``__init__`` only records its arguments (they are checked in
        ``fit``), so that ``get_params``, ``set_params`` and ``clone`` see exactly them.
        """
        for name, value in arguments.items():
            if name != "self":
                setattr(self, name, value)

    def fit(self, X, y=None):
        """Fit the density model to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data: a rectangular array of finite numbers.
        y : None
            Ignored; present for scikit-learn API compatibility.

        Returns
        -------
        self : estimator
            The fitted estimator.

        Raises
        ------
        ValueError
            If ``X`` is missing, ragged, non-numeric, not 2-D, holds NaN or infinity,
            has too few rows, or lies outside the range of magnitudes the model can
            represent (see each model's Notes); the message names the cause.
        """
        X = validate_data(
            self,
            check_rectangular(X, "X"),
            reset=True,
            dtype=np.float64,
            ensure_min_samples=self._min_train_samples,
        )
        return self._fit(X)

    def score_samples(self, X):
        """Natural logarithm of the density at each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Query points; finite values only.

        Returns
        -------
        log_density : ndarray of shape (n_queries,)
            ``log p(x)`` for each row; ``-inf`` only where the density is exactly 0.

        Raises
        ------
        ValueError
            If ``X`` is malformed as in :meth:`fit`, has another number of features,
            or some row's log density lies below the float64 range (about -1.8e308)
            while the density is not 0.
        """
        check_is_fitted(self)
        X = validate_data(self, check_rectangular(X, "X"), reset=False, dtype=np.float64)
        return self._score_samples(X)

    def score(self, X, y=None):
        """Mean log density of ``X`` under the model.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features)
            Query points.
        y : None
            Ignored; present for scikit-learn API compatibility.

        Returns
        -------
        mean_log_density : float
            ``mean(score_samples(X))``.
        """
        return float(np.mean(self.score_samples(X)))

    def sample(self, n_samples=1, random_state=None):
        """Draw samples from the fitted density.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples, at least 1.
        random_state : None, int, numpy.random.Generator or numpy.random.RandomState
            Source of randomness. ``None`` falls back to the estimator's own
            ``random_state``; when both are ``None`` a fresh, unseeded
            :class:`numpy.random.Generator` is used (never NumPy's global state).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Samples from exactly the density that :meth:`score_samples` evaluates.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        seed = self.random_state if random_state is None else random_state
        return self._sample(n_samples, as_generator(seed))
