"""Held-out log-likelihood: the criterion maximum likelihood itself would use."""

from __future__ import annotations

import numpy as np

from densitylab._validation import check_2d_array


def heldout_loglik(model, X) -> float:
    """Mean log density of held-out data under a fitted density model.

    Parameters
    ----------
    model : fitted estimator
        Anything with ``score_samples(X)`` returning natural-log densities.
    X : array-like of shape (n_samples, n_features)
        Held-out data (not used to fit ``model``).

    Returns
    -------
    float
        ``mean(model.score_samples(X))``; ``-inf`` when any held-out point has
        density exactly 0 (e.g. falls in an empty histogram bin).

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.diagnostics import heldout_loglik
    >>> from densitylab.models import SingleGaussian
    >>> train, test = np.random.default_rng(0).standard_normal((2, 500, 2))
    >>> model = SingleGaussian().fit(train)
    >>> bool(-3.2 < heldout_loglik(model, test) < -2.5)  # about −log(2π) − 1 = −2.84
    True
    """
    X = check_2d_array(X, "X")
    return float(np.mean(model.score_samples(X)))
