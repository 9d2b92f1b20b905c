"""Squared distances and log-sum-exp for the Gaussian KDE, exact at every bandwidth.

Two ways to get the squared distances of a block of queries to the training points:

* the expansion ``‖a‖² + ‖b‖² − 2a·b`` on coordinates centred on the training mean —
  one matrix product, fast, but absolutely wrong by about ``ε(‖a‖² + ‖b‖²)``, which
  is many nats when the bandwidth is small against the data's spread;
* coordinate differences ``Σ_j (q_j − x_j)²`` on the raw data — exact to rounding
  (relative error a few ε), one pass over the block per feature.

The KDE takes the expansion, bounds its error row by row (:func:`inexact_rows`) and
recomputes the rows where the bound is not negligible by differences.
"""

from __future__ import annotations

import math

import numpy as np

#: Bound on the relative error that the expansion may leave in a row's log kernel sum:
#: rows whose error bound exceeds it (times ``max(1, |sum|)``) are recomputed exactly.
TOLERANCE = 1e-11

#: Largest squared distance from the training mean accepted, for training points and
#: queries alike (|x − mean| up to about 3.4e153): a squared distance between two such
#: points, ≤ (‖a‖ + ‖b‖)², stays below a quarter of the largest float64.
MAX_SQ_NORM = np.finfo(np.float64).max / 16

# Bandwidths between these get the one-multiplication scaling by −1/(2h²); outside,
# h² or 1/h² would overflow or underflow, so the scaling divides by h twice instead.
_H_MIN, _H_MAX = 2.0**-500, 2.0**500


def centred_sq_norms(X: np.ndarray, centre: np.ndarray, name: str, what: str):
    """``(X − centre, ‖X − centre‖²)``; a ValueError naming ``name`` if they overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        Z = X - centre
        sq_norms = np.einsum("ij,ij->i", Z, Z)
    if not np.all(sq_norms <= MAX_SQ_NORM):  # also catches NaN
        reach = math.sqrt(float(np.nanmax(sq_norms, initial=np.inf)))
        raise ValueError(
            f"{name} lies too far from {what} for float64 squared distances "
            f"(|x − mean| reaches {reach:.3g}, the limit is {math.sqrt(MAX_SQ_NORM):.3g}); "
            "rescale the data."
        )
    return Z, sq_norms


def expanded_sq_distances(Q, q_sq_norms, centred_T, sq_norms) -> np.ndarray:
    """``‖q‖² + ‖x‖² − 2q·x`` for centred queries and training points, clipped at 0."""
    d2 = Q @ centred_T
    d2 *= -2.0
    d2 += q_sq_norms[:, None]
    d2 += sq_norms
    np.maximum(d2, 0.0, out=d2)  # rounding may leave tiny negatives
    return d2


def direct_sq_distances(Q, X_T) -> np.ndarray:
    """``Σ_j (q_j − x_j)²`` of raw queries ``Q`` (m, D) and training points ``X_T`` (D, n).

    Each difference is rounded once from the data as given, so the result is exact to
    rounding however small the distance; memory is two (m, n) blocks.
    """
    d2 = np.zeros((Q.shape[0], X_T.shape[1]))
    diff = np.empty_like(d2)
    for j in range(X_T.shape[0]):
        np.subtract(Q[:, j, None], X_T[j], out=diff)
        np.multiply(diff, diff, out=diff)
        d2 += diff
    return d2


def log_kernel_terms(d2: np.ndarray, h: float) -> np.ndarray:
    """``−d²/(2h²)`` in place; terms below the float64 range become −inf, silently."""
    if _H_MIN <= h <= _H_MAX:
        d2 *= -0.5 / h**2
    else:
        with np.errstate(over="ignore"):
            d2 *= -0.5
            d2 /= h
            d2 /= h
    return d2


def log_h2(h: float) -> float:
    """``log h²`` for any positive finite h (``h**2`` may overflow or underflow)."""
    return float(np.log(h**2)) if _H_MIN <= h <= _H_MAX else 2.0 * math.log(h)


def logsumexp_rows(terms: np.ndarray) -> np.ndarray:
    """``logsumexp(terms, axis=1)`` of log terms ≤ 0, computed in place.

    The same steps as :func:`scipy.special.logsumexp` (subtract the row maximum,
    exponentiate, sum, log), done in place on the block: 3–4× faster than scipy's
    general version, and this is the hot loop of the KDE. The row maximum contributes
    exactly exp(0) = 1, so the sum is ≥ 1 and its log is safe, except in a row whose
    every term is −inf (below the float64 range), which gets −inf.
    """
    top = terms.max(axis=1)
    finite = np.isfinite(top)
    if not finite.all():
        top = np.where(finite, top, 0.0)
    terms -= top[:, None]
    np.exp(terms, out=terms)
    with np.errstate(divide="ignore"):
        return top + np.log(terms.sum(axis=1))


def inexact_rows(sums, q_sq_norms, max_sq_norm: float, h: float, n_features: int):
    """Rows where the expansion's error may exceed ``TOLERANCE · max(1, |sum|)`` nats.

    The expansion's error in ``d²`` is at most about ``c ε (‖q‖² + ‖x‖²)`` with
    ``c = 2 + 2√D`` (rounding of the three terms, the dot product's growing as √D
    for random rounding errors); divided by ``2h²`` it bounds the error of every log
    term, hence of their log-sum-exp. Rows that came out −inf are always redone.
    """
    c = (2.0 + 2.0 * math.sqrt(n_features)) * np.finfo(np.float64).eps
    with np.errstate(over="ignore"):
        bound = c * 0.5 * (q_sq_norms + max_sq_norm) / h / h
    return ~(bound <= TOLERANCE * np.maximum(1.0, np.abs(sums))) | ~np.isfinite(sums)
