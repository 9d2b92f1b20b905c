"""Gaussian kernel density estimate, evaluated exactly by blocked log-sum-exp."""

from __future__ import annotations

import numbers

import numpy as np

from densitylab._blas import single_blas_thread
from densitylab.models._base import DensityEstimatorBase
from densitylab.models._gaussians import LOG_2PI

__all__ = ["GaussianKDE"]

# Entries of one (queries × training points) block of squared distances: 2**17
# float64 values = 1 MiB, large enough for fast matrix products, small enough to
# stay in cache and to bound memory for any number of queries (larger blocks were
# no faster here).
_BLOCK_ENTRIES = 2**17


class GaussianKDE(DensityEstimatorBase):
    r"""Kernel density estimate with an isotropic Gaussian kernel.

    The same density as :class:`sklearn.neighbors.KernelDensity` with
    ``kernel="gaussian"``, evaluated exactly (to rounding) at every bandwidth: no
    tree approximation, whose error can reach hundreds of nats for small
    bandwidths and queries far from the data (scikit-learn issue #25799).

    Parameters
    ----------
    bandwidth : float or {"scott", "silverman"}, default=1.0
        Kernel standard deviation h > 0, or a rule computed from the training
        shape exactly as scikit-learn does (see Notes).
    random_state : None, int, numpy.random.Generator or numpy.random.RandomState
        Default source of randomness for :meth:`sample`.

    Attributes
    ----------
    bandwidth_ : float
        Bandwidth h in use.
    X_train_ : ndarray of shape (n_samples, n_features)
        Training points (the kernel centres).
    n_features_in_ : int
        Number of features seen during :meth:`fit`.

    See Also
    --------
    sklearn.neighbors.KernelDensity : tree-based evaluation of the same density.

    Notes
    -----
    For training points :math:`x_1,\dots,x_n \in \mathbb{R}^D`,

    .. math::
        \log p(x) = \operatorname{logsumexp}_i\left(-\frac{\lVert x-x_i\rVert^2}{2h^2}\right)
        - \log n - \frac D2 \log(2\pi h^2).

    The log-sum-exp subtracts the largest term (as :func:`scipy.special.logsumexp`,
    done in place for speed), so nothing underflows even thousands of nats below
    the mode. Squared distances
    come in blocks of queries from ``‖a‖² + ‖b‖² − 2a·b`` on coordinates centred
    on the training mean, clipped at 0: centring removes the cancellation that
    data far from the origin would otherwise suffer, and blocks keep memory at
    one (block × n) matrix, never (queries × n × D).

    The rules are scikit-learn's, which take no account of the data's spread:
    Scott (1992) :math:`h = n^{-1/(D+4)}` and Silverman (1986)
    :math:`h = \left(n(D+2)/4\right)^{-1/(D+4)}`.

    :meth:`sample` draws a training point uniformly and adds
    :math:`N(0, h^2 I)` noise: a draw from the mixture :math:`p` above.

    References
    ----------
    D. W. Scott, *Multivariate Density Estimation*, Wiley, 1992.
    B. W. Silverman, *Density Estimation for Statistics and Data Analysis*,
    Chapman and Hall, 1986.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import GaussianKDE
    >>> X = np.array([[0.0, 0.0], [1.0, 0.0]])
    >>> kde = GaussianKDE(bandwidth=0.5).fit(X)
    >>> log_p = kde.score_samples([[0.5, 0.0], [100.0, 0.0]])
    >>> [round(float(v), 3) for v in log_p]  # far away: ~19603 nats down, not -inf
    [-0.952, -19603.145]
    >>> kde.sample(4, random_state=0).shape
    (4, 2)
    >>> round(GaussianKDE(bandwidth="scott").fit(X).bandwidth_, 4)  # 2 ** (-1/6)
    0.8909
    """

    def __init__(self, bandwidth=1.0, random_state=None):
        self.bandwidth = bandwidth
        self.random_state = random_state

    def _fit(self, X):
        self.bandwidth_ = _resolve_bandwidth(self.bandwidth, *X.shape)
        self.X_train_ = X.copy()
        self._centre = X.mean(axis=0)
        self._centred = X - self._centre
        self._sq_norms = np.einsum("ij,ij->i", self._centred, self._centred)
        return self

    def _score_samples(self, X):
        n_train, n_features = self._centred.shape
        h2 = self.bandwidth_**2
        block = max(1, _BLOCK_ENTRIES // n_train)
        out = np.empty(X.shape[0])
        # Small products: extra BLAS threads only contend (5× slower on a busy
        # 2-core machine), and one thread keeps results independent of the machine.
        with single_blas_thread():
            for start in range(0, X.shape[0], block):
                Q = X[start : start + block] - self._centre
                d2 = Q @ self._centred.T
                d2 *= -2.0
                d2 += np.einsum("ij,ij->i", Q, Q)[:, None]
                d2 += self._sq_norms
                np.maximum(d2, 0.0, out=d2)  # rounding may leave tiny negatives
                out[start : start + block] = _logsumexp_rows(d2, -0.5 / h2)
        return out - np.log(n_train) - 0.5 * n_features * (LOG_2PI + np.log(h2))

    def _sample(self, n_samples, rng):
        n_train, n_features = self.X_train_.shape
        centres = self.X_train_[rng.integers(0, n_train, size=n_samples)]
        return centres + self.bandwidth_ * rng.standard_normal((n_samples, n_features))


def _resolve_bandwidth(bandwidth, n_samples, n_features) -> float:
    """The bandwidth h: a positive finite number, or scikit-learn's Scott/Silverman rule."""
    if isinstance(bandwidth, str):
        if bandwidth == "scott":
            return n_samples ** (-1 / (n_features + 4))
        if bandwidth == "silverman":
            return (n_samples * (n_features + 2) / 4) ** (-1 / (n_features + 4))
        raise ValueError(
            f'bandwidth must be a positive number, "scott" or "silverman", got {bandwidth!r}.'
        )
    if (
        isinstance(bandwidth, bool)
        or not isinstance(bandwidth, numbers.Real)
        or not np.isfinite(bandwidth)
        or bandwidth <= 0
    ):
        raise ValueError(
            f'bandwidth must be a positive finite number, "scott" or "silverman", '
            f"got {bandwidth!r}."
        )
    return float(bandwidth)


def _logsumexp_rows(d2, scale):
    """``logsumexp(scale * d2, axis=1)`` for a finite block, computed in place.

    The same steps as :func:`scipy.special.logsumexp` (subtract the row maximum,
    exponentiate, sum, log), done in place on the block: 3–4× faster than scipy's
    general version (which also handles infinities, weights and complex input), and
    this is the hot loop of the KDE. Every entry is finite and the row maximum
    contributes exactly exp(0) = 1, so the sum is ≥ 1 and its log is safe.
    """
    d2 *= scale
    top = d2.max(axis=1)
    d2 -= top[:, None]
    np.exp(d2, out=d2)
    return top + np.log(d2.sum(axis=1))
