"""One density tree: its structure, its leaf Gaussians, and how it is grown level by level."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from densitylab._blas import single_blas_thread
from densitylab.models._forest_split import _best_splits
from densitylab.models._gaussians import cholesky_factor, precision_cholesky

__all__ = ["DensityTree"]


@dataclass(eq=False)
class DensityTree:
    """One fitted density tree: the split structure and a Gaussian per leaf.

    Nodes are numbered level by level from the root (node 0), so a parent always
    comes before its children. For a split node ``i``, points with
    ``X[:, feature[i]] <= threshold[i]`` go to ``children_left[i]``, the others to
    ``children_right[i]``. For a leaf, ``feature[i] == -1`` and ``leaf_index[i]``
    indexes the leaf arrays.

    Attributes
    ----------
    feature : ndarray of shape (n_nodes,)
        Split feature of each node; -1 for leaves.
    threshold : ndarray of shape (n_nodes,)
        Split threshold (midpoint between two distinct data values); NaN for leaves.
    children_left, children_right : ndarray of shape (n_nodes,)
        Child node numbers; -1 for leaves.
    leaf_index : ndarray of shape (n_nodes,)
        Position of each leaf in the leaf arrays; -1 for split nodes.
    n_node_samples : ndarray of shape (n_nodes,)
        Number of the tree's training points (with bootstrap repeats) in each node.
    gain : ndarray of shape (n_nodes,)
        Information gain of each split, in nats; NaN for leaves.
    sample_indices : ndarray of shape (n_samples,)
        Rows of the forest's training data this tree was grown on (a bootstrap
        resample, with repeats, or all rows).
    weights : ndarray of shape (n_leaves,)
        Share of the tree's training points in each leaf (sums to 1).
    means : ndarray of shape (n_leaves, n_features)
        Mean of each leaf's points.
    chols : ndarray of shape (n_leaves, n_features, n_features)
        Lower Cholesky factor of each leaf covariance.
    """

    feature: np.ndarray
    threshold: np.ndarray
    children_left: np.ndarray
    children_right: np.ndarray
    leaf_index: np.ndarray
    n_node_samples: np.ndarray
    gain: np.ndarray
    sample_indices: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    chols: np.ndarray

    @property
    def n_leaves(self) -> int:
        """Number of leaves."""
        return self.weights.shape[0]

    @property
    def covariances(self) -> np.ndarray:
        """Leaf covariances ``L Lᵀ``: the MLE covariance of the leaf's points + reg_covar·I."""
        return self.chols @ np.swapaxes(self.chols, 1, 2)

    def apply(self, X) -> np.ndarray:
        """Leaf (position in the leaf arrays) that each row of ``X`` falls into."""
        X = np.asarray(X, dtype=np.float64)
        node = np.zeros(X.shape[0], dtype=np.intp)
        active = np.flatnonzero(self.feature[node] >= 0)
        while active.size:
            at = node[active]
            go_left = X[active, self.feature[at]] <= self.threshold[at]
            node[active] = np.where(go_left, self.children_left[at], self.children_right[at])
            active = active[self.feature[node[active]] >= 0]
        return self.leaf_index[node]


def _grow_tree(X, bootstrap, n_min, n_try, reg_covar, seed):
    """Grow one density tree on (a bootstrap resample of) ``X``.

    All its randomness (resample, features drawn per node) comes from ``seed``.
    Returns the tree and the precision Cholesky factors of its leaves.
    """
    # Thousands of small matrix products: BLAS threads only add overhead here, and one
    # thread per tree makes the arithmetic the same whatever n_jobs is.
    with single_blas_thread():
        return _grow_tree_serial(X, bootstrap, n_min, n_try, reg_covar, seed)


def _grow_tree_serial(X, bootstrap, n_min, n_try, reg_covar, seed):
    """Growth of one tree, level by level; nodes are numbered level by level."""
    rng = np.random.default_rng(seed)
    n_rows = X.shape[0]
    sample_indices = rng.integers(n_rows, size=n_rows) if bootstrap else np.arange(n_rows)
    Xs = X[sample_indices]
    n_samples, n_features = Xs.shape
    feature, threshold, left, right, leaf_index, n_node, gains = [], [], [], [], [], [], []
    means, chols, counts = [], [], []

    def new_node(size):
        for column, value in (
            (feature, -1),
            (threshold, np.nan),
            (left, -1),
            (right, -1),
            (leaf_index, -1),
            (n_node, size),
            (gains, np.nan),
        ):
            column.append(value)
        return len(feature) - 1

    def make_leaf(node, X_node):
        mean = X_node.mean(axis=0)
        Z = X_node - mean
        cov = Z.T @ Z / X_node.shape[0]
        cov[np.diag_indices(n_features)] += reg_covar
        leaf_index[node] = len(means)
        means.append(mean)
        chols.append(cholesky_factor(cov, name="covariance of a tree leaf"))
        counts.append(X_node.shape[0])

    # Level by level: the split searches of a whole level run as one batch.
    level = [(new_node(n_samples), np.arange(n_samples))]
    while level:
        searched = []
        for node, rows in level:
            X_node = Xs[rows]
            varying = np.flatnonzero(np.ptp(X_node, axis=0) > 0)
            if rows.size >= 2 * n_min and varying.size:
                # As in scikit-learn's trees, features constant in the node cannot
                # split it and are not drawn.
                chosen = rng.choice(varying, size=min(n_try, varying.size), replace=False)
                searched.append((node, rows, X_node, chosen))
            else:
                make_leaf(node, X_node)
        splits = _best_splits(
            [(X_node, chosen) for _, _, X_node, chosen in searched], n_min, reg_covar
        )
        level = []
        for (node, rows, X_node, _), split in zip(searched, splits, strict=True):
            if split is None:
                make_leaf(node, X_node)
                continue
            go_left = X_node[:, split.feature] <= split.threshold
            feature[node], threshold[node], gains[node] = (
                split.feature,
                split.threshold,
                split.gain,
            )
            left[node] = new_node(int(go_left.sum()))
            right[node] = new_node(int(rows.size - go_left.sum()))
            level += [(left[node], rows[go_left]), (right[node], rows[~go_left])]

    chols = np.stack(chols)
    tree = DensityTree(
        feature=np.array(feature, dtype=np.intp),
        threshold=np.array(threshold, dtype=np.float64),
        children_left=np.array(left, dtype=np.intp),
        children_right=np.array(right, dtype=np.intp),
        leaf_index=np.array(leaf_index, dtype=np.intp),
        n_node_samples=np.array(n_node, dtype=np.intp),
        gain=np.array(gains, dtype=np.float64),
        sample_indices=sample_indices,
        weights=np.array(counts, dtype=np.float64) / n_samples,
        means=np.stack(means),
        chols=chols,
    )
    return tree, np.stack([precision_cholesky(chol) for chol in chols])
