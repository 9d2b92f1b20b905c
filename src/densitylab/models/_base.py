"""Shared machinery of the density models: validation, randomness, Gaussian numerics.

Kept in one place so that every model validates, seeds and evaluates Gaussians the
same way. Gaussians are handled through the lower Cholesky factor ``L`` of the
covariance (``Σ = L Lᵀ``): log-determinants come from ``diag(L)`` and Mahalanobis
distances from a triangular solve, never from ``inv`` or ``det``.
"""

from __future__ import annotations

import contextlib
import functools
import numbers
import threading

import numpy as np
from scipy import linalg
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import ThreadpoolController

LOG_2PI = np.log(2.0 * np.pi)


class DensityEstimatorBase(DensityMixin, BaseEstimator):
    """Common ``fit``-time validation, ``score`` and sampling plumbing.

    Subclasses implement ``_fit(X)``, ``_score_samples(X)`` and
    ``_sample(n_samples, rng)`` on validated float64 arrays; this class checks the
    input, the fitted state and the random state around them.
    """

    # Least number of training rows a model accepts; subclasses may raise it.
    _min_train_samples = 2

    def fit(self, X, y=None):
        """Fit the density model to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; finite values only.
        y : None
            Ignored; present for scikit-learn API compatibility.

        Returns
        -------
        self : estimator
            The fitted estimator.
        """
        X = validate_data(
            self, X, reset=True, dtype=np.float64, ensure_min_samples=self._min_train_samples
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
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
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


def as_generator(random_state) -> np.random.Generator:
    """Turn a seed-like value into a :class:`numpy.random.Generator`.

    ``None`` gives a fresh, unseeded generator (not NumPy's global state), an int
    or :class:`numpy.random.SeedSequence` a seeded one, a Generator is returned
    as is, and a legacy :class:`numpy.random.RandomState` seeds a new Generator
    from its stream (so it advances, as scikit-learn's own use of it does).
    """
    if random_state is None or isinstance(
        random_state, (numbers.Integral, np.integer, np.random.SeedSequence)
    ):
        if isinstance(random_state, (numbers.Integral, np.integer)) and random_state < 0:
            raise ValueError(f"random_state must be non-negative, got {random_state}.")
        return np.random.default_rng(random_state)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    raise ValueError(
        "random_state must be None, an int, a numpy.random.Generator or a "
        f"numpy.random.RandomState, got {random_state!r}."
    )


def check_n_samples(n_samples) -> int:
    """Validate a requested sample count: an integer of at least 1."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, (numbers.Integral, np.integer)):
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples}.")
    return int(n_samples)


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Validate an integer hyper-parameter ``name`` that must be ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_nonnegative_float(value, name: str) -> float:
    """Validate a real hyper-parameter ``name`` that must be finite and ``>= 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {value}.")
    return value


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


def gaussian_log_pdf(X: np.ndarray, mean: np.ndarray, chol: np.ndarray) -> np.ndarray:
    """log N(x | mean, L Lᵀ) for each row of ``X``.

    Uses ``log|Σ| = 2 Σ log L_ii`` and ``(x-μ)ᵀ Σ⁻¹ (x-μ) = ‖L⁻¹ (x-μ)‖²``.
    """
    n_features = X.shape[1]
    z = linalg.solve_triangular(chol, (X - mean).T, lower=True, check_finite=False)
    log_det = 2.0 * np.sum(np.log(np.diag(chol)))
    return -0.5 * (np.einsum("ij,ij->j", z, z) + log_det + n_features * LOG_2PI)


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


@functools.cache
def _blas_controller():
    # Built once per process: scanning the loaded libraries takes milliseconds, while
    # setting a limit afterwards takes ~0.1 ms.
    return ThreadpoolController().select(user_api="blas")


_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter = None


@contextlib.contextmanager
def single_blas_thread():
    """Limit NumPy's BLAS to one thread while any caller is inside the block.

    For loops of small matrix products (Gaussian mixtures, kernel tiles, tree
    splits), extra BLAS threads only add overhead — many times over on a busy
    machine — and one thread makes the arithmetic, hence the results, the same
    whatever the machine. The limit is process-wide, so it is reference counted: the
    first caller sets it and the last one restores the original, which is right for
    nested blocks and for several threads inside at once.
    """
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = _blas_controller().limit(limits=1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None


def blas_thread_limit() -> int:
    """The number of threads NumPy's BLAS may use now (1 inside :func:`single_blas_thread`)."""
    limits = [lib.num_threads for lib in _blas_controller().lib_controllers]
    return max(1, min(limits)) if limits else 1
