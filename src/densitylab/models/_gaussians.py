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


def cholesky_factor(covariance: np.ndarray, *, name: str = "covariance") -> np.ndarray:
    """Lower Cholesky factor of a covariance matrix, with an actionable error.

    Raises
    ------
    ValueError
        If ``covariance`` is not numerically positive definite: the remedy is a
        larger ``reg_covar``.
    """
    try:
        return linalg.cholesky(covariance, lower=True, check_finite=False)
    except linalg.LinAlgError as exc:
        raise ValueError(
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
    before the product, so data far from the origin lose no precision.
    """
    n_samples, n_features = X.shape
    log_det_half = np.sum(np.log(np.diagonal(precisions_chol, axis1=1, axis2=2)), axis=1)
    out = np.empty((n_samples, means.shape[0]))
    for k, (mean, prec_chol) in enumerate(zip(means, precisions_chol, strict=True)):
        y = (X - mean) @ prec_chol
        out[:, k] = np.einsum("ij,ij->i", y, y)
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
