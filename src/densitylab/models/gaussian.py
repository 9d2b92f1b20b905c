"""Gaussian density models: one full-covariance Gaussian, and a mixture of them fitted by EM.

Both are Gaussian mixtures (the single Gaussian has one component), so both evaluate
densities with :func:`~densitylab.models._base.component_log_pdfs` on precision
Cholesky factors and sample with the shared Cholesky-based samplers: no ``inv``, no
``det``, and singular sample covariances are regularised by ``reg_covar`` rather than
rejected.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import logsumexp
from sklearn.cluster import KMeans, kmeans_plusplus
from sklearn.exceptions import ConvergenceWarning

from densitylab._blas import single_blas_thread
from densitylab._random import as_generator
from densitylab._validation import check_nonnegative_float, check_positive_int
from densitylab.models._base import DensityEstimatorBase
from densitylab.models._em import _e_step, _m_step
from densitylab.models._gaussians import (
    NotPositiveDefiniteError,
    check_log_density,
    check_magnitude,
    cholesky_factor,
    component_log_pdfs,
    precision_cholesky,
    sample_gaussian,
    sample_mixture,
)

__all__ = ["GMM", "SingleGaussian"]

_INITS = ("k-means++", "kmeans", "random")


class SingleGaussian(DensityEstimatorBase):
    r"""One multivariate Gaussian with the maximum-likelihood mean and covariance.

    Parameters
    ----------
    reg_covar : float, default=1e-6
        Non-negative amount added to the diagonal of the covariance, so that data
        with a constant feature (a singular sample covariance) still give a proper
        density. The same default as :class:`sklearn.mixture.GaussianMixture`.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Default source of randomness for :meth:`sample`.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Sample mean.
    covariance_ : ndarray of shape (n_features, n_features)
        Maximum-likelihood covariance (divided by ``n``) plus ``reg_covar`` times the
        identity: the covariance the density actually uses.
    precision_cholesky_ : ndarray of shape (n_features, n_features)
        Upper factor ``P`` of the precision, ``covariance_⁻¹ = P Pᵀ``.
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    GMM : a mixture of such Gaussians; ``GMM(n_components=1)`` is the same model.

    Notes
    -----
    With :math:`\hat\mu = \frac1n \sum_i x_i` and
    :math:`\hat\Sigma = \frac1n \sum_i (x_i-\hat\mu)(x_i-\hat\mu)^\top + \lambda I`
    (:math:`\lambda` = ``reg_covar``), the log density is

    .. math::
        \log p(x) = -\tfrac12\left[(x-\hat\mu)^\top\hat\Sigma^{-1}(x-\hat\mu)
        + \log\lvert\hat\Sigma\rvert + D\log 2\pi\right],

    evaluated through the Cholesky factor :math:`\hat\Sigma = LL^\top`:
    :math:`\log\lvert\hat\Sigma\rvert = 2\sum_j \log L_{jj}`. Samples are
    :math:`\hat\mu + Lz` with :math:`z \sim N(0, I)`.

    Data with a coordinate beyond 1e100 in magnitude are refused (ValueError: rescale
    them), since sums of their squares could overflow; so are queries whose log
    density falls below the float64 range (about -1.8e308), instead of a -inf that
    would claim a zero density.

    References
    ----------
    C. M. Bishop, *Pattern Recognition and Machine Learning*, Springer, 2006, §2.3.4.

    Examples
    --------
    >>> from densitylab.models import SingleGaussian
    >>> X = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0]]  # a list is accepted, too
    >>> model = SingleGaussian(reg_covar=0.0).fit(X)
    >>> model.mean_
    array([1., 1.])
    >>> model.covariance_
    array([[1., 0.],
           [0., 1.]])
    >>> round(float(model.score_samples([[1.0, 1.0]])[0]), 4)  # -log(2π)
    -1.8379
    >>> model.sample(5, random_state=0).shape
    (5, 2)
    """

    def __init__(self, reg_covar=1e-6, random_state=None):
        self._keep_params(locals())

    def _fit(self, X):
        reg_covar = check_nonnegative_float(self.reg_covar, "reg_covar")
        check_magnitude(X, "SingleGaussian")
        self.mean_ = X.mean(axis=0)
        diff = X - self.mean_
        covariance = diff.T @ diff / X.shape[0]
        covariance.flat[:: X.shape[1] + 1] += reg_covar
        self.covariance_ = covariance
        self._chol = cholesky_factor(covariance)
        self.precision_cholesky_ = precision_cholesky(self._chol)
        return self

    def _score_samples(self, X):
        log_pdf = component_log_pdfs(X, self.mean_[None, :], self.precision_cholesky_[None])
        return check_log_density(log_pdf[:, 0])

    def _sample(self, n_samples, rng):
        return sample_gaussian(rng, self.mean_, self._chol, n_samples)


class GMM(DensityEstimatorBase):
    r"""Gaussian mixture with full covariances, fitted by expectation-maximisation.

    Parameters
    ----------
    n_components : int, default=3
        Number of mixture components K, between 1 and the number of training rows.
    max_iter : int, default=500
        Most EM iterations per initialisation. With ``tol=1e-3`` the report's
        studies stop on ``tol`` long before: at most 58 iterations were needed
        over 800 two-moons fits (n = 100–1000, K = 2–12, 40 seeds each) and 144
        digits fits (K = 1–100 on 1347 rows, reg_covar = 1e-6–10). The cap,
        about ten times that, only stops a run that stalls, with a
        :class:`~sklearn.exceptions.ConvergenceWarning`.
    tol : float, default=1e-3
        EM stops one iteration after the mean per-sample log-likelihood changes
        by less than ``tol`` nats (scikit-learn's criterion and default; the
        mean, not the sum, so the criterion does not depend on n).
    reg_covar : float, default=1e-6
        Non-negative amount added to the diagonal of every covariance, so that
        singular data (constant pixels of digits) and tiny components give finite
        densities. Increase it if a covariance is reported not positive definite.
        With 0, every component needs more distinct points than features at every
        EM step, which the default ``init="k-means++"`` never gives (each seed starts
        with one point): use ``init="kmeans"`` then, and expect a ValueError saying
        so otherwise.
    n_init : int, default=1
        Number of initialisations; the fit with the highest final log-likelihood
        is kept.
    init : {"k-means++", "kmeans", "random"}, default="k-means++"
        Initial responsibilities, as scikit-learn's ``init_params``:
        ``"k-means++"`` makes each k-means++ seed (:func:`sklearn.cluster.kmeans_plusplus`)
        own itself only; ``"kmeans"`` assigns every row to its cluster of one
        :class:`sklearn.cluster.KMeans` run; ``"random"`` draws uniform
        responsibilities, which start every component near the data's single
        Gaussian, a saddle that EM may not leave before ``tol`` stops it (as in
        scikit-learn). Each is followed by an M-step.
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Seeds the initialisation and is the default source of randomness for
        :meth:`sample`; equal seeds give bit-identical fits.

    Attributes
    ----------
    weights_ : ndarray of shape (n_components,)
        Mixing weights, summing to 1.
    means_ : ndarray of shape (n_components, n_features)
        Component means.
    covariances_ : ndarray of shape (n_components, n_features, n_features)
        Component covariances, ``reg_covar`` included.
    precisions_cholesky_ : ndarray of shape (n_components, n_features, n_features)
        Upper factors ``P_k`` of the precisions, ``covariances_[k]⁻¹ = P_k P_kᵀ``.
    converged_ : bool
        Whether the kept initialisation stopped on ``tol``.
    n_iter_ : int
        Number of EM iterations (M-steps after the initial one) of the kept fit.
    lower_bound_ : float
        Mean per-sample training log-likelihood of the returned parameters, equal
        to ``score(X_train)`` (scikit-learn's ``lower_bound_`` is that of the
        parameters one iteration earlier).
    lower_bounds_ : ndarray of shape (n_iter_ + 1,)
        Mean log-likelihood after the initial M-step and after every EM iteration
        of the kept fit; non-decreasing up to rounding when ``reg_covar = 0`` (EM's
        guarantee), and in practice for a small ``reg_covar`` (see Notes).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    SingleGaussian : the one-component case.
    sklearn.mixture.GaussianMixture : the reference implementation of the same model.

    Notes
    -----
    The density is :math:`p(x) = \sum_k w_k\,N(x\mid\mu_k,\Sigma_k)`. One EM
    iteration (Bishop 2006, §9.2.2) computes, in log space, the responsibilities

    .. math::
        \log r_{ik} = \log w_k + \log N(x_i\mid\mu_k,\Sigma_k)
        - \operatorname{logsumexp}_j\bigl(\log w_j + \log N(x_i\mid\mu_j,\Sigma_j)\bigr),

    so no density underflows, then with :math:`n_k = \sum_i r_{ik} + 10\epsilon`
    (the guard of scikit-learn that keeps an emptied component finite)

    .. math::
        w_k = \frac{n_k}{\sum_j n_j},\quad
        \mu_k = \frac1{n_k}\sum_i r_{ik}x_i,\quad
        \Sigma_k = \frac1{n_k}\sum_i r_{ik}(x_i-\mu_k)(x_i-\mu_k)^\top + \lambda I.

    With :math:`\lambda = 0` no iteration can decrease the log-likelihood
    :math:`\frac1n\sum_i \log p(x_i)` (Bishop 2006, §9.4). Adding
    :math:`\lambda I` after the maximisation makes the M-step inexact, so with
    :math:`\lambda > 0` a step may lose up to :math:`O(\lambda)`: negligible at
    the default 1e-6, but seen on digits with :math:`\lambda = 10^{-2}`
    (scikit-learn's ``GaussianMixture`` takes the same steps). As in
    scikit-learn, EM stops one iteration after the mean log-likelihood first
    changes by less than ``tol``, so an equal initialisation gives
    ``GaussianMixture``'s parameters. Gaussians are evaluated through
    Cholesky factors of the covariances (never ``inv`` or ``det``).

    As for :class:`SingleGaussian`, data beyond 1e100 in magnitude and log
    densities below the float64 range raise a ValueError asking to rescale.

    References
    ----------
    Bishop, C. M., *Pattern Recognition and Machine Learning*, Springer, 2006, ch. 9.

    Arthur, D. and Vassilvitskii, S., "k-means++: the advantages of careful
    seeding", *SODA*, 2007.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.models import GMM
    >>> X = sample_moons(500, random_state=0)
    >>> gmm = GMM(n_components=4, random_state=0).fit(X)
    >>> gmm.means_.shape, gmm.covariances_.shape
    ((4, 2), (4, 2, 2))
    >>> bool(gmm.converged_), bool(abs(gmm.weights_.sum() - 1) < 1e-12)
    (True, True)
    >>> bool(abs(gmm.score(X) - gmm.lower_bound_) < 1e-12)
    True
    >>> gmm.sample(3, random_state=1).shape
    (3, 2)
    """

    def __init__(
        self,
        n_components=3,
        max_iter=500,
        tol=1e-3,
        reg_covar=1e-6,
        n_init=1,
        init="k-means++",
        random_state=None,
    ):
        self._keep_params(locals())

    def _check_params(self, n_samples):
        n_components = check_positive_int(self.n_components, "n_components")
        if n_components > n_samples:
            raise ValueError(
                f"n_components={n_components} exceeds the number of training rows "
                f"({n_samples}); use at most {n_samples} components or more data."
            )
        self._n_components = n_components
        self._max_iter = check_positive_int(self.max_iter, "max_iter")
        self._tol = check_nonnegative_float(self.tol, "tol")
        self._reg_covar = check_nonnegative_float(self.reg_covar, "reg_covar")
        self._n_init = check_positive_int(self.n_init, "n_init")
        if not isinstance(self.init, str) or self.init not in _INITS:
            raise ValueError(f"init must be one of {_INITS}, got {self.init!r}.")

    def _fit(self, X):
        self._check_params(X.shape[0])
        check_magnitude(X, "GMM")
        rng = as_generator(self.random_state)
        best = None
        # EM is many small (n × D)·(D × D) products: extra BLAS threads only add
        # overhead (20× slower on a busy 2-core machine), and one thread makes the
        # arithmetic, hence the fit, independent of the machine's thread count.
        with single_blas_thread():
            for _ in range(self._n_init):
                try:
                    run = self._fit_once(X, self._initial_resp(X, rng))
                except NotPositiveDefiniteError as exc:
                    if self._reg_covar > 0:
                        raise
                    raise ValueError(self._singular_without_reg_covar(X.shape[1])) from exc
                if best is None or run["lower_bound"] > best["lower_bound"]:
                    best = run
        self.weights_ = best["weights"]
        self.means_ = best["means"]
        self.covariances_ = best["covariances"]
        self.precisions_cholesky_ = best["precisions_cholesky"]
        self._chols = best["chols"]
        self.converged_ = best["converged"]
        self.n_iter_ = best["n_iter"]
        self.lower_bound_ = best["lower_bound"]
        self.lower_bounds_ = np.asarray(best["lower_bounds"])
        if not self.converged_:
            warnings.warn(
                f"EM did not converge within max_iter={self._max_iter} iterations "
                f"(last change of the mean log-likelihood ≥ tol={self._tol}); increase "
                "max_iter or tol, or reg_covar for degenerate data.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _singular_without_reg_covar(self, n_features: int) -> str:
        """What to do when a covariance is singular with reg_covar = 0, for this init."""
        rule = (
            f"every component needs more distinct points than features ({n_features}), "
            "in general position, at every EM step"
        )
        if self.init == "k-means++":
            return (
                "GMM cannot start with reg_covar=0 and init='k-means++': each k-means++ "
                "seed owns a single point, whose covariance is singular whatever the "
                f"data. With reg_covar=0 {rule}; use reg_covar > 0 (e.g. the default "
                "1e-6), or init='kmeans', whose clusters start with several points each."
            )
        return (
            f"A component's covariance became singular with reg_covar=0 and "
            f"init={self.init!r}: with reg_covar=0 {rule}. Use reg_covar > 0 (e.g. the "
            "default 1e-6), or fewer components."
        )

    def _initial_resp(self, X, rng):
        """Initial responsibilities (n_samples, n_components), as scikit-learn's init_params."""
        n_samples, k = X.shape[0], self._n_components
        if self.init == "random":
            resp = rng.uniform(size=(n_samples, k))
            return resp / resp.sum(axis=1, keepdims=True)
        # scikit-learn's helpers take an int seed; drawing it from rng keeps one stream.
        seed = int(rng.integers(np.iinfo(np.int32).max))
        resp = np.zeros((n_samples, k))
        if self.init == "k-means++":
            _, indices = kmeans_plusplus(X, k, random_state=seed)
            resp[indices, np.arange(k)] = 1.0
        else:
            labels = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(X).labels_
            resp[np.arange(n_samples), labels] = 1.0
        return resp

    def _fit_once(self, X, resp):
        """EM from initial responsibilities; returns the final parameters and trace."""
        params = _m_step(X, resp, self._reg_covar)
        log_norm, resp = _e_step(X, params)
        lower_bounds = [float(np.mean(log_norm))]
        converged = False
        for _ in range(self._max_iter):
            params = _m_step(X, resp, self._reg_covar)
            log_norm, resp = _e_step(X, params)
            lower_bounds.append(float(np.mean(log_norm)))
            # scikit-learn's rule: stop after the iteration that follows a change
            # below tol, so equal initialisations return equal parameters.
            if len(lower_bounds) > 2 and abs(lower_bounds[-2] - lower_bounds[-3]) < self._tol:
                converged = True
                break
        return dict(
            params,
            converged=converged,
            n_iter=len(lower_bounds) - 1,
            lower_bound=lower_bounds[-1],
            lower_bounds=lower_bounds,
        )

    def _score_samples(self, X):
        with single_blas_thread():  # as in fit
            weighted = component_log_pdfs(X, self.means_, self.precisions_cholesky_)
        return check_log_density(logsumexp(weighted + np.log(self.weights_), axis=1))

    def _sample(self, n_samples, rng):
        return sample_mixture(rng, self.weights_, self.means_, self._chols, n_samples)
