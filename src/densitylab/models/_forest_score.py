"""The exact log-density of a density forest, in vectorised batches with a proven pruning.

The forest density is the mixture of *all* leaves of all trees (a leaf's Gaussian is
not cut off at its cell), so the exact value needs every leaf's term; most of them,
though, are far too small to change the sum in floating point. Scoring runs in three
vectorised steps, with Python loops only over trees, tree levels and chunks of queries:

1. Every query is routed through every tree, level by level
   (:meth:`DensityTree.apply`); the terms of its own leaves give a lower bound
   ``B(x) = log Σ_t w N(x | own leaf of t) ≤ log p(x)``.
2. Queries are scored in chunks of nearby points (the order of a k-d tree over them).
   Inside the chunk's bounding box a leaf's term is at most
   ``u_l = log c_l − ½ ν_l dist²(μ_l, box)``, with ``c_l`` its weight times its
   normalising constant and ``ν_l`` the smallest eigenvalue of its precision (so
   ``(x − μ)ᵀ Σ⁻¹ (x − μ) ≥ ν ‖x − μ‖²``). With ``B`` the least bound of the chunk,
   leaves are skipped only when their ``u_l`` sum to at most ``2⁻⁵² e⁻¹ e^B``: those
   more than ``52 log 2 + 1`` nats below ``B`` if their sum passes that check, else
   (always valid) those a further ``log L`` nats below, ``L`` leaves in all. Either way
   the skipped terms together are below ``2⁻⁵² p(x)`` at every query of the chunk: less
   than one unit in the last place of the sum (the extra nat covers the rounding of the
   bounds themselves).
3. The kept terms ``log c_l + log N(x | μ_l, Σ_l)`` of a chunk are computed in blocks of
   leaves, with ``x − μ`` formed before the product with the precision factor, as
   :func:`densitylab.models._gaussians.component_log_pdfs` does (no loss of precision
   far from the origin), and summed by a log-sum-exp.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from scipy.spatial import cKDTree

from densitylab.models._gaussians import LOG_2PI

# Float64 values in the largest gathered array (32 MB) of the own-leaf bounds.
_BATCH_ELEMENTS = 1 << 22
# Queries per chunk: a small chunk has a tight box (fewer kept leaves), a large one less
# overhead per chunk; 64 is near the best for 2-D moons and 64-D digits alike.
_CHUNK = 64
# Float64 differences x − μ in one block of leaves (512 KB): the passes over a block's
# arrays stay in the CPU's cache.
_CACHE_ELEMENTS = 1 << 16
# Up to this many features, the Mahalanobis terms are formed feature by feature on whole
# (queries × leaves) arrays; above, as one stacked matrix product per block.
_ELEMENTWISE_MAX_FEATURES = 4
# Skipped leaves hold less than 2⁻⁵² of the density (see the module docstring).
_LOG_SKIP_MASS = -52 * math.log(2.0) - 1.0


class LeafTable(NamedTuple):
    """Every leaf of a forest as one flat mixture, with what the pruning bound needs."""

    means: np.ndarray  # (L, D)
    precisions_chol: np.ndarray  # (L, D, D), upper factor P with Σ⁻¹ = P Pᵀ
    log_coef: np.ndarray  # (L,) log weight − (D/2) log 2π + log det P
    min_precision: np.ndarray  # (L,) lower bound of the smallest eigenvalue of P Pᵀ
    offsets: np.ndarray  # (T,) position of each tree's first leaf


def leaf_table(trees, precisions_chol, log_weights) -> LeafTable:
    """The flat mixture of all leaves (weights already divided by the number of trees)."""
    n_features = precisions_chol.shape[1]
    log_det_half = np.sum(np.log(np.diagonal(precisions_chol, axis1=1, axis2=2)), axis=1)
    # The smallest eigenvalue of P Pᵀ is the square of P's smallest singular value; shrunk
    # by 1e-9 relative so that the rounding of the SVD cannot make the bound too tight.
    sigma_min = np.linalg.svd(precisions_chol, compute_uv=False)[:, -1]
    return LeafTable(
        means=np.concatenate([tree.means for tree in trees]),
        precisions_chol=precisions_chol,
        log_coef=log_weights - 0.5 * n_features * LOG_2PI + log_det_half,
        min_precision=sigma_min**2 * (1.0 - 1e-9),
        offsets=np.cumsum([0] + [tree.n_leaves for tree in trees[:-1]]),
    )


def _paired_log_terms(X, leaves, table: LeafTable) -> np.ndarray:
    """``log c + log N(x_i | leaf_i)`` for each row ``x_i`` and its own leaf ``leaves[i]``."""
    with np.errstate(over="ignore"):  # as in _log_terms: an overflow is a term of exactly 0
        diff = X - table.means[leaves]
        y = np.einsum("nd,nde->ne", diff, table.precisions_chol[leaves])
        return table.log_coef[leaves] - 0.5 * np.einsum("ne,ne->n", y, y)


def _own_leaf_bound(X, trees, table: LeafTable) -> np.ndarray:
    """``B(x)``: the log of the terms of each query's own leaves, a lower bound of log p."""
    terms = np.empty((X.shape[0], len(trees)))
    # Rows at a time, so the gathered (rows, D, D) precision factors stay within budget.
    rows = max(1, _BATCH_ELEMENTS // table.precisions_chol[0].size)
    for t, tree in enumerate(trees):
        leaves = tree.apply(X) + table.offsets[t]
        for start in range(0, X.shape[0], rows):
            stop = start + rows
            terms[start:stop, t] = _paired_log_terms(X[start:stop], leaves[start:stop], table)
    return _logsumexp_rows(terms)


def _kept_leaves(X_chunk, bound: float, table: LeafTable) -> np.ndarray:
    """Leaves that may hold more than ``2⁻⁵² exp(bound)`` of the density in the chunk's box.

    ``upper`` bounds each leaf's term over the box. The skipped leaves' bounds must sum
    to at most ``2⁻⁵² exp(bound)``: first try skipping those more than 37 nats below,
    checking the sum; where that fails, the union bound ``log L`` nats further down
    holds for any leaves.
    """
    lo, hi = X_chunk.min(axis=0), X_chunk.max(axis=0)
    gap = np.maximum(lo - table.means, 0.0)
    gap += np.maximum(table.means - hi, 0.0)
    upper = table.log_coef - 0.5 * table.min_precision * np.einsum("ld,ld->l", gap, gap)
    upper -= bound
    keep = upper >= _LOG_SKIP_MASS
    skipped = upper[~keep]
    if skipped.size and _logsumexp_rows(skipped[None, :])[0] > _LOG_SKIP_MASS:
        keep = upper >= _LOG_SKIP_MASS - math.log(upper.size)
    return np.flatnonzero(keep)


def _log_terms(X_chunk, means, precisions_chol, log_coef, out) -> np.ndarray:
    """``log c_k + log N(x_i | μ_k, Σ_k)`` into ``out`` (n, K), ``x − μ`` formed first."""
    with np.errstate(over="ignore"):
        # A squared distance beyond the float range is a term that is exactly 0 in
        # float64: its log is -inf, which the log-sum-exp handles.
        return _log_terms_unguarded(X_chunk, means, precisions_chol, log_coef, out)


def _log_terms_unguarded(X_chunk, means, precisions_chol, log_coef, out):
    n, n_features = X_chunk.shape
    if n_features <= _ELEMENTWISE_MAX_FEATURES:
        # y_j = Σ_{k≤j} (x − μ)_k P_kj (P is upper triangular), on whole (n, K) arrays.
        diffs = [np.subtract.outer(X_chunk[:, k], means[:, k]) for k in range(n_features)]
        y, tmp = np.empty_like(out), np.empty_like(out)
        out.fill(0.0)
        for j in range(n_features):
            np.multiply(diffs[0], precisions_chol[:, 0, j], out=y)
            for k in range(1, j + 1):
                y += np.multiply(diffs[k], precisions_chol[:, k, j], out=tmp)
            out += np.multiply(y, y, out=tmp)
    else:
        diff = X_chunk[None, :, :] - means[:, None, :]  # (K, n, D)
        y = np.matmul(diff, precisions_chol)
        np.einsum("knd,knd->nk", y, y, out=out)
    out *= -0.5
    out += log_coef
    return out


def _chunk_log_density(X_chunk, table: LeafTable, keep: np.ndarray) -> np.ndarray:
    """``log Σ_k c_k N(x_i | μ_k, Σ_k)`` over the leaves ``keep``, for the rows of a chunk.

    Leaves go in blocks. In few dimensions a block's terms fit in the CPU cache, where
    the dozen elementwise passes over them are cheap; in many, a block is sized by
    memory, as its matrix products dominate. The log-sum-exp runs across blocks with a
    running maximum per row.
    """
    n, n_features = X_chunk.shape
    block = max(1, _CACHE_ELEMENTS // (n * n_features))
    top = np.full(n, -np.inf)
    total = np.zeros(n)
    buffer = np.empty(n * min(block, keep.size))
    for k0 in range(0, keep.size, block):
        leaves = keep[k0 : k0 + block]
        terms = _log_terms(
            X_chunk,
            table.means[leaves],
            table.precisions_chol[leaves],
            table.log_coef[leaves],
            buffer[: n * leaves.size].reshape(n, leaves.size),
        )
        new_top = np.maximum(top, terms.max(axis=1))
        # A row whose terms all underflowed to -inf so far is shifted by 0, not by -inf.
        shift = np.where(np.isfinite(new_top), new_top, 0.0)
        terms -= shift[:, None]
        np.exp(terms, out=terms)
        total *= np.exp(np.where(np.isfinite(top), top - shift, -np.inf))
        total += terms.sum(axis=1)
        top = new_top
    with np.errstate(divide="ignore"):
        return np.log(total) + np.where(np.isfinite(top), top, 0.0)


def _logsumexp_rows(values: np.ndarray) -> np.ndarray:
    """``log Σ_k exp(values[i, k])`` for each row, in place (``values`` is overwritten)."""
    top = values.max(axis=1)
    # A row of -inf (every term underflowed) sums to 0: shift it by 0, not by -inf.
    top[~np.isfinite(top)] = 0.0
    values -= top[:, None]
    np.exp(values, out=values)
    with np.errstate(divide="ignore"):
        return np.log(values.sum(axis=1)) + top


def forest_log_density(X: np.ndarray, trees, table: LeafTable) -> np.ndarray:
    """Exact ``log p(x)`` of the forest mixture at each row of ``X``."""
    bound = _own_leaf_bound(X, trees, table)
    # Nearby queries together: the order of a k-d tree's leaves keeps each chunk's box small.
    order = cKDTree(X).indices if X.shape[0] > _CHUNK else np.arange(X.shape[0])
    out = np.empty(X.shape[0])
    for start in range(0, X.shape[0], _CHUNK):
        rows = order[start : start + _CHUNK]
        X_chunk = X[rows]
        keep = _kept_leaves(X_chunk, bound[rows].min(), table)
        out[rows] = _chunk_log_density(X_chunk, table, keep)
    return out
