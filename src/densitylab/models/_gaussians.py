"""Gaussian numerics shared by the mixture models (GMM, single Gaussian, density forest).

Gaussians are handled through the lower Cholesky factor ``L`` of the covariance
(``Σ = L Lᵀ``) or the upper factor ``P = L⁻ᵀ`` of the precision: log-determinants
come from their diagonals and Mahalanobis distances from one product or a triangular
solve, never from ``inv`` or ``det``.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

LOG_2PI = np.log(2.0 * np.pi)

#: Largest magnitude of a coordinate the Gaussian models accept. Squared deviations
#: (up to 4e200) summed over rows and features, and divided by small variances, then
#: stay far inside float64; beyond it they can overflow, which would give NaN
#: parameters or a wrong -inf.
MAX_ABS_VALUE = 1e100


class NotPositiveDefiniteError(ValueError):
    """A covariance that Cholesky cannot factorise: singular or ill-conditioned."""


def check_magnitude(X: np.ndarray, model: str) -> None:
    """Refuse data beyond :data:`MAX_ABS_VALUE` with an error naming X and the remedy."""
    top = float(np.max(np.abs(X)))
    if top > MAX_ABS_VALUE:
        raise ValueError(
            f"X has values up to {top:.3g} in magnitude, beyond the {MAX_ABS_VALUE:.0e} "
            f"that {model} accepts: squared deviations summed over rows would overflow "
            "float64; rescale the data (e.g. standardise each feature)."
        )


def check_log_density(log_density: np.ndarray) -> np.ndarray:
    """Refuse rows whose log density fell below the float64 range (computed as -inf).

    A Gaussian density is never 0, so -inf only means that the squared Mahalanobis
    distance overflowed: the query lies too far out to be represented.
    """
    if np.isneginf(log_density).any():
        raise ValueError(
            f"The log density at {np.count_nonzero(np.isneginf(log_density))} row(s) of X "
            "is below the float64 range (about -1.8e308): they lie too far from the "
            "model, in units of its covariances; rescale the data."
        )
    return log_density


def cholesky_factor(covariance: np.ndarray, *, name: str = "covariance") -> np.ndarray:
    """Lower Cholesky factor of a covariance matrix, with an actionable error.

    Raises
    ------
    NotPositiveDefiniteError
        A :class:`ValueError`, if ``covariance`` is not numerically positive
        definite: the remedy is a larger ``reg_covar``.
    """
    try:
        return linalg.cholesky(covariance, lower=True, check_finite=False)
    except linalg.LinAlgError as exc:
        raise NotPositiveDefiniteError(
            f"The {name} is not positive definite (singular or ill-conditioned data); "
            "increase reg_covar."
        ) from exc


def sample_gaussian(
    rng: np.random.Generator, mean: np.ndarray, chol: np.ndarray, n_samples: int
) -> np.ndarray:
    """Draw ``n_samples`` rows from N(mean, L Lᵀ) as ``mean + z Lᵀ``, z standard normal."""
    z = rng.standard_normal((n_samples, mean.shape[0]))
    return mean + z @ chol.T


def precision_cholesky(chol: np.ndarray) -> np.ndarray:
    """Upper factor ``P = L⁻ᵀ`` of the precision, so that ``Σ⁻¹ = P Pᵀ``.

    Storing ``P`` (as scikit-learn's ``GaussianMixture`` does) turns each
    Mahalanobis distance into one matrix product ``(x - μ) P``.
    """
    eye = np.eye(chol.shape[0])
    return linalg.solve_triangular(chol, eye, lower=True, check_finite=False).T


def component_log_pdfs(
    X: np.ndarray, means: np.ndarray, precisions_chol: np.ndarray
) -> np.ndarray:
    """Matrix ``(n_samples, n_components)`` of ``log N(x_i | μ_k, Σ_k)``, ``Σ_k⁻¹ = P_k P_kᵀ``.

    ``log|Σ_k|^(-1/2) = Σ_j log (P_k)_jj``; the difference ``x - μ_k`` is formed
    before the product, so data far from the origin lose no precision. A squared
    distance that overflows (NaN where an infinite difference met a zero) gives
    ``-inf``, silently: callers decide whether a row may be that far out.
    """
    n_samples, n_features = X.shape
    log_det_half = np.sum(np.log(np.diagonal(precisions_chol, axis1=1, axis2=2)), axis=1)
    out = np.empty((n_samples, means.shape[0]))
    with np.errstate(over="ignore", invalid="ignore"):
        for k, (mean, prec_chol) in enumerate(zip(means, precisions_chol, strict=True)):
            y = (X - mean) @ prec_chol
            out[:, k] = np.einsum("ij,ij->i", y, y)
    out[~(out < np.inf)] = np.inf
    return -0.5 * (out + n_features * LOG_2PI) + log_det_half


def sample_mixture(
    rng: np.random.Generator,
    weights: np.ndarray,
    means: np.ndarray,
    chols: np.ndarray,
    n_samples: int,
) -> np.ndarray:
    """Draw from the Gaussian mixture ``Σ_k w_k N(μ_k, L_k L_kᵀ)``, rows in random order.

    Component counts are one multinomial draw; each component's rows are
    ``μ_k + z L_kᵀ``; a final permutation removes the grouping by component.
    """
    counts = rng.multinomial(n_samples, weights / weights.sum())
    parts = [
        sample_gaussian(rng, means[k], chols[k], int(count))
        for k, count in enumerate(counts)
        if count
    ]
    return np.concatenate(parts)[rng.permutation(n_samples)]
