"""The split search of a density tree: the axis-aligned threshold of greatest information gain.

For each candidate feature a node's rows are sorted once; prefix sums of ``z`` and
``z zᵀ`` give the scatter of every candidate child, and batched Cholesky
factorisations (or, for children with fewer points than features, Sylvester's
identity) give their log-determinants. The search is exact and costs ``O(m D²)`` per
feature and node; :class:`densitylab.models.DensityForest` documents the criterion.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

# A prefix of sorted rows is summed block by block with one matrix product per block
# when blocks are few; with many small blocks (continuous data) one vectorised pass
# over the per-row outer products is faster, as long as that array stays small.
_ROW_PASS_MAX_ELEMENTS = 1 << 21
_ROW_PASS_ELEMENTS_PER_BLOCK = 1000

# Sylvester route: batches of about 16 MB of (k+1)×(k+1) matrices.
_SYLVESTER_CHUNK_ELEMENTS = 1 << 21


class _Split(NamedTuple):
    """The best split of a node: rows with ``x[feature] <= threshold`` go left."""

    feature: int
    threshold: float
    gain: float
    n_left: int


def _cholesky_logdets(matrices: np.ndarray) -> np.ndarray:
    """``log det`` of each symmetric matrix in a stack via Cholesky; NaN where not PD."""
    if matrices.shape[0] == 0:
        return np.empty(0)
    try:
        chol = np.linalg.cholesky(matrices)
    except np.linalg.LinAlgError:
        # One bad matrix fails the whole batch (possible only with reg_covar = 0 or
        # a tiny one); redo them one by one and mark the failures.
        out = np.full(matrices.shape[0], np.nan)
        for i, matrix in enumerate(matrices):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[i] = 2.0 * np.sum(np.log(np.diag(np.linalg.cholesky(matrix))))
        return out
    return 2.0 * np.sum(np.log(np.diagonal(chol, axis1=1, axis2=2)), axis=1)


def _covariance_logdets(bordered, counts, reg_covar) -> np.ndarray:
    """``log det(C/n + r I)`` of children given their scatter and sum about any origin.

    ``bordered[i]`` holds on entry the scatter ``S = Σ z zᵀ`` of child ``i``'s rows in
    its leading D×D block and their sum ``s = Σ z`` in the last row and column; the
    corner and diagonal are filled here. The Schur complement of the corner ``n``
    in ``[[S + n r I, s], [sᵀ, n]]`` is ``C + n r I`` with ``C = S - s sᵀ/n`` the
    scatter about the child's own mean, so one Cholesky factorisation gives
    ``log det(C/n + r I) = log det(bordered) - (D + 1) log n`` without forming
    ``C``. Works in place.
    """
    n_features = bordered.shape[1] - 1
    diagonal = np.arange(n_features)
    bordered[:, diagonal, diagonal] += (counts * reg_covar)[:, None]
    bordered[:, n_features, n_features] = counts
    return _cholesky_logdets(bordered) - (n_features + 1) * np.log(counts)


def _sylvester_logdets(bordered, counts, n_features, reg_covar) -> np.ndarray:
    """``log det(C/k + r I_D)`` of children with ``k < D`` points, from their Gram matrix.

    ``bordered[i, :K, :K]`` holds on entry the Gram matrix ``G = Z Zᵀ`` of child
    ``i``'s ``k = counts[i]`` rows (about any common origin) in its top-left k×k
    block and zeros elsewhere; the last row and column are filled here.

    With ``Z`` uncentred, ``C = Zᵀ J Z`` (``J = I - 11ᵀ/k``). Sylvester's identity
    gives ``det(r I_D + ZᵀZ/k) = r^D det(A)``, ``A = I_k + G/(k r)``, and the
    matrix determinant lemma with the push-through identity removes the mean:
    ``det(C/k + r I_D) = r^D det(A) · 1ᵀA⁻¹1 / k``. Both come from one Cholesky
    factorisation of ``[[k r A, 1], [1ᵀ, c]]``: its leading block gives
    ``det(k r A)`` and its last pivot is ``c - 1ᵀ(k r A)⁻¹1``; ``c = 2/r`` bounds
    that quadratic form (``k r A ⪰ k r I``) with room to spare. Padding rows
    carry ``k r`` on the diagonal and are divided out again. Works in place.
    """
    n_children, size_1, _ = bordered.shape
    size = size_1 - 1
    kr = counts * reg_covar
    inside = (np.arange(size) < counts[:, None]).astype(np.float64)
    bordered[:, :size, size] = inside
    bordered[:, size, :size] = inside
    bordered[:, size, size] = 2.0 / reg_covar
    bordered[:, np.arange(size), np.arange(size)] += kr[:, None]
    try:
        chol_diag = np.diagonal(np.linalg.cholesky(bordered), axis1=1, axis2=2)
    except np.linalg.LinAlgError:  # cannot happen for r > 0 unless rounding is extreme
        return np.full(n_children, np.nan)
    quad_form = 2.0 / reg_covar - chol_diag[:, size] ** 2  # 1ᵀ(k r A)⁻¹1
    logdet = np.full(n_children, np.nan)
    ok = quad_form > 0  # rounding can only break this for reg_covar ≪ the data spread
    logdet[ok] = (
        2.0 * np.sum(np.log(chol_diag[ok, :size]), axis=1)
        - size * np.log(kr[ok])
        + np.log(reg_covar * quad_form[ok])
        + np.broadcast_to(n_features, counts.shape)[ok] * np.log(reg_covar)
    )
    return logdet


def _block_scatters(Zs: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``Σ z zᵀ`` over each block of rows ``Zs[starts[k]:starts[k+1]]`` (last block to the end).

    One matrix product per block when blocks are few (integer-valued features have few
    distinct values); with many small blocks (continuous data) one vectorised pass over
    the per-row outer products, as long as that array stays small.
    """
    n_rows, n_features = Zs.shape
    outer_size = n_rows * n_features * n_features
    if (
        outer_size <= _ROW_PASS_MAX_ELEMENTS
        and outer_size <= _ROW_PASS_ELEMENTS_PER_BLOCK * starts.size
    ):
        return np.add.reduceat(Zs[:, :, None] * Zs[:, None, :], starts, axis=0)
    stops = np.append(starts[1:], n_rows)
    blocks = np.empty((starts.size, n_features, n_features))
    for k, (a, b) in enumerate(zip(starts, stops, strict=True)):
        np.matmul(Zs[a:b].T, Zs[a:b], out=blocks[k])
    return blocks


def _prefix_sums_into(blocks: np.ndarray, first: int, out: np.ndarray) -> None:
    """``out[i] = blocks[0] + … + blocks[first + i]`` for ``i < len(out)``.

    NumPy's ``cumsum`` along the first axis works one trailing element at a time,
    which is slow for D×D blocks (measured: 17 blocks of 64×64 take ~10× longer than
    a loop of whole-matrix additions), so large blocks are added in a loop.
    """
    if out.shape[0] == 0:
        return
    if blocks[0].size <= 64:
        out[...] = np.cumsum(blocks, axis=0)[first : first + out.shape[0]]
        return
    np.sum(blocks[: first + 1], axis=0, out=out[0])
    for i in range(1, out.shape[0]):
        np.add(out[i - 1], blocks[first + i], out=out[i])


def _big_children_logdets(Z, orders, cand_column, n_left, small, reg_covar) -> np.ndarray:
    """Log dets of the children too large for the Gram route, from D×D covariances.

    Per feature, the node's rows are sorted once and summed in the blocks between
    consecutive split positions; the left child of candidate ``i`` holds blocks
    ``0..i`` and the right child blocks ``i+1..``. Both sides are accumulated from
    their own end, so neither is the total minus the other (which would cancel).
    """
    n_rows, n_features = Z.shape
    n_cand = n_left.size
    big = ~small
    big_row = np.cumsum(big) - 1
    bordered = np.empty((int(big.sum()), n_features + 1, n_features + 1))
    scatter, sums = bordered[:, :n_features, :n_features], bordered[:, n_features, :n_features]
    bounds = np.flatnonzero(np.diff(cand_column, prepend=-1, append=cand_column[-1] + 1))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        left_big, right_big = big[a:b], big[n_cand + a : n_cand + b]
        if not (left_big.any() or right_big.any()):
            continue
        Zs = Z[orders[:, cand_column[a]]]
        starts = np.concatenate(([0], n_left[a:b]))
        blocks = _block_scatters(Zs, starts)
        block_sums = np.add.reduceat(Zs, starts, axis=0)
        n_c = b - a
        if left_big.any():  # left children grow with i: the big ones are a suffix
            first = int(np.argmax(left_big))
            rows = big_row[a + first : b]
            _prefix_sums_into(blocks, first, scatter[rows[0] : rows[-1] + 1])
            sums[rows] = np.cumsum(block_sums, axis=0)[first:n_c]
        if right_big.any():  # right children shrink with i: the big ones are a prefix
            last = int(np.flatnonzero(right_big)[-1])
            rows = big_row[n_cand + a : n_cand + a + last + 1]
            _prefix_sums_into(blocks[:0:-1], n_c - 1 - last, scatter[rows[0] : rows[-1] + 1][::-1])
            sums[rows] = np.cumsum(block_sums[:0:-1], axis=0)[::-1][: last + 1]
    counts = np.concatenate((n_left, n_rows - n_left))[big]
    bordered[:, :n_features, n_features] = sums
    return _covariance_logdets(bordered, counts, reg_covar)


@dataclass(eq=False)
class _NodeSearch:
    """One node's candidate splits and what their entropies are computed from.

    Children are listed all lefts, then all rights; ``logdet`` has one more entry,
    the node itself, last.
    """

    features: np.ndarray  # the features searched
    varying: np.ndarray  # features that vary in the node (boolean mask)
    Z: np.ndarray  # the node's rows centred on their mean, varying features only
    orders: np.ndarray  # row order sorting each searched feature
    cand_column: np.ndarray  # candidate's position in `features`
    n_left: np.ndarray
    threshold: np.ndarray
    counts: np.ndarray  # points in each child
    small: np.ndarray  # children (and, last, the node) on the Sylvester route
    logdet: np.ndarray


def _prepare_search(X, features, n_min, reg_covar) -> _NodeSearch | None:
    """Candidate splits of the node data ``X``: thresholds between distinct consecutive
    values of each feature that leave ``n_min`` rows on each side (None if none)."""
    n_rows = X.shape[0]
    features = np.asarray(features, dtype=np.intp)
    if n_rows < 2 * n_min:
        return None
    # A feature constant in the node adds ½ log reg_covar to the entropy of the node
    # and of every child alike; as the child weights sum to one it cancels from every
    # gain, so only the varying features enter the covariances. Centring keeps the
    # scatter sums free of cancellation.
    varying = np.ptp(X, axis=0) > 0
    Z = X[:, varying] - X[:, varying].mean(axis=0)

    # Candidates: positions p (rows [:p] go left) between distinct consecutive values.
    orders = np.argsort(X[:, features], axis=0, kind="stable")
    values = np.take_along_axis(X[:, features], orders, axis=0)
    distinct = values[:-1] < values[1:]
    # Without regularisation a child of at most D points has a singular covariance
    # (rounding could still give it a finite, huge, log det): rule such children out.
    min_child = n_min if reg_covar > 0 else max(n_min, Z.shape[1] + 1)
    distinct[: min_child - 1] = False
    distinct[n_rows - min_child :] = False
    cand_column, cand_row = np.nonzero(distinct.T)  # grouped by feature, rows ascending
    if cand_row.size == 0:
        return None
    n_left = cand_row + 1
    lo, hi = values[cand_row, cand_column], values[cand_row + 1, cand_column]
    threshold = lo / 2 + hi / 2
    # With no float strictly between lo and hi the midpoint rounds to hi, which
    # would send hi's rows left; lo itself then separates the same rows.
    threshold = np.where(threshold < hi, threshold, lo)
    # Children (and the node) with fewer points than varying features get their
    # log det from a small Gram matrix (Sylvester); the others from a D×D covariance.
    counts = np.concatenate((n_left, n_rows - n_left, [n_rows]))
    small = counts < Z.shape[1] if reg_covar > 0 else np.zeros(counts.size, dtype=bool)
    return _NodeSearch(
        features=features,
        varying=varying,
        Z=Z,
        orders=orders,
        cand_column=cand_column,
        n_left=n_left,
        threshold=threshold,
        counts=counts,
        small=small,
        logdet=np.empty(counts.size),
    )


def _sylvester_batch(searches, reg_covar) -> None:
    """Log dets of the small children and small nodes of many nodes at once.

    A left child of ``k`` points holds the first ``k`` rows of its feature's sort
    order, a right child the last ``k``, a node all its rows. Jobs are grouped by
    size (classes of 4) and padded to the largest in their group; within a group,
    one Gram matrix per (node, feature, side) serves all its children as nested
    top-left blocks. The nodes of a whole tree level go through together, so the
    cost is the arithmetic, not NumPy's per-call overhead.
    """
    n_features = searches[0].varying.size
    n_rows = np.array([s.Z.shape[0] for s in searches])
    offsets = np.concatenate(([0], np.cumsum(n_rows)))
    # Rows of every node, centred, on all features (a feature constant in the node
    # is 0 there and leaves the Gram matrices unchanged), and every node's sort
    # orders, stacked; a last zero row serves as padding.
    Z_all = np.zeros((offsets[-1] + 1, n_features))
    n_columns = max(s.orders.shape[1] for s in searches)
    orders_all = np.zeros((offsets[-1], n_columns), dtype=np.intp)
    # Jobs: node, column of its orders (-1: the node's own rows), side, k, slot.
    job_node, job_column, job_right, job_k, job_slot = [], [], [], [], []
    for i, s in enumerate(searches):
        Z_all[offsets[i] : offsets[i + 1], s.varying] = s.Z
        orders_all[offsets[i] : offsets[i + 1], : s.orders.shape[1]] = s.orders
        slots = np.flatnonzero(s.small)
        n_cand = s.n_left.size
        job_node.append(np.full(slots.size, i))
        job_column.append(np.append(np.tile(s.cand_column, 2), -1)[slots])
        job_right.append((slots >= n_cand) & (slots < 2 * n_cand))
        job_k.append(s.counts[slots])
        job_slot.append(slots)
    job_node, job_column, job_right, job_k, job_slot = (
        np.concatenate(a) for a in (job_node, job_column, job_right, job_k, job_slot)
    )
    dims = np.array([s.Z.shape[1] for s in searches])[job_node]

    logdet = np.empty(job_node.size)
    size_class = (job_k + 3) // 4
    for value in np.unique(size_class):
        in_class = np.flatnonzero(size_class == value)
        size = int(job_k[in_class].max())
        per_chunk = max(1, _SYLVESTER_CHUNK_ELEMENTS // (size + 1) ** 2)
        for start in range(0, in_class.size, per_chunk):
            sel = in_class[start : start + per_chunk]
            # One Gram matrix per (node, column, side), of its first `size` rows.
            key = (job_node[sel] * (n_columns + 1) + job_column[sel] + 1) * 2 + job_right[sel]
            key, pair = np.unique(key, return_inverse=True)
            node, column = key // 2 // (n_columns + 1), key // 2 % (n_columns + 1) - 1
            rows = _pair_rows(size, n_rows, offsets, orders_all, node, column, key % 2 == 1)
            A = Z_all[rows]
            # block_mask[k] keeps the top-left k×k block
            rank = np.arange(size)
            block_mask = np.maximum.outer(rank, rank) < np.arange(size + 1)[:, None, None]
            bordered = np.empty((sel.size, size + 1, size + 1))
            np.multiply(
                (A @ np.swapaxes(A, 1, 2))[pair],
                block_mask[job_k[sel]],
                out=bordered[:, :size, :size],
            )
            logdet[sel] = _sylvester_logdets(bordered, job_k[sel], dims[sel], reg_covar)

    bounds = np.searchsorted(job_node, np.arange(len(searches) + 1))
    for i, s in enumerate(searches):
        s.logdet[job_slot[bounds[i] : bounds[i + 1]]] = logdet[bounds[i] : bounds[i + 1]]


def _pair_rows(size, n_rows, offsets, orders_all, node, column, right) -> np.ndarray:
    """Indices into the stacked rows of the first ``size`` rows of each (node, column,
    side): in the column's sort order from the start (left) or the end (right), or
    the node's own order for column -1; past a node's last row, the zero row."""
    rank = np.arange(size)
    n_node, start = n_rows[node][:, None], offsets[node][:, None]
    inside = rank < n_node
    local = np.where(inside, np.where(right[:, None], n_node - 1 - rank, rank), 0)
    by_order = orders_all[start + local, np.maximum(column, 0)[:, None]]
    local = np.where(column[:, None] >= 0, by_order, local)
    return np.where(inside, start + local, offsets[-1])


def _best_splits(nodes, n_min: int, reg_covar: float) -> list[_Split | None]:
    """Exact best axis-aligned split of each node ``(X, features)`` over its features.

    Every threshold between two distinct consecutive values of a feature that
    leaves at least ``n_min`` rows on each side is scored by its information gain
    ``H(parent) - Σ_c (n_c/n) H(c)``, ``H = ½ log det(2πe Σ)``; the constant
    ``D log(2πe)`` cancels because the child weights sum to one. A node gets
    ``None`` when no threshold qualifies or no gain is positive.
    """
    searches = [_prepare_search(X, features, n_min, reg_covar) for X, features in nodes]
    active = [s for s in searches if s is not None and s.small.any()]
    if active:
        _sylvester_batch(active, reg_covar)
    splits = []
    for s in searches:
        if s is None:
            splits.append(None)
            continue
        n_cand, n_rows = s.n_left.size, s.counts[-1]
        if not s.small[:-1].all():
            s.logdet[:-1][~s.small[:-1]] = _big_children_logdets(
                s.Z, s.orders, s.cand_column, s.n_left, s.small[:-1], reg_covar
            )
        if not s.small[-1]:
            bordered = np.zeros((1, s.Z.shape[1] + 1, s.Z.shape[1] + 1))
            bordered[0, :-1, :-1] = s.Z.T @ s.Z
            s.logdet[-1] = _covariance_logdets(bordered, s.counts[-1:], reg_covar)[0]
        weighted = (s.counts[:-1] * s.logdet[:-1]).reshape(2, n_cand).sum(axis=0) / n_rows
        gain = 0.5 * (s.logdet[-1] - weighted)
        # A covariance that is not positive definite (reg_covar = 0) has no entropy.
        gain = np.where(np.isnan(gain), -np.inf, gain)
        best = int(np.argmax(gain))
        if not gain[best] > 0:
            splits.append(None)
            continue
        splits.append(
            _Split(
                feature=int(s.features[s.cand_column[best]]),
                threshold=float(s.threshold[best]),
                gain=float(gain[best]),
                n_left=int(s.n_left[best]),
            )
        )
    return splits


def _best_split(X: np.ndarray, features, n_min: int, reg_covar: float) -> _Split | None:
    """The best split of one node: :func:`_best_splits` for a single node."""
    return _best_splits([(X, features)], n_min, reg_covar)[0]
