"""Training sets and task seeds of a study, all derived from one master seed.

Every piece of a study draws its randomness from a :class:`numpy.random.SeedSequence`
derived from the master seed and the piece's identity (:func:`derive_seed`): the
training set ``(n, r)``, the fit and the sample of one sweep task. So any piece can be
recomputed alone, and nothing depends on the order in which pieces run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from densitylab._random import derive_seed
from densitylab._validation import check_grid, check_scalar_param

__all__ = ["TrainingSet", "derive_seed", "make_training_sets", "task_seeds"]


@dataclass(frozen=True, eq=False)
class TrainingSet:
    """One training sample of a sweep: its size, its repeat index, the data, and its judges.

    Every model of a study is fitted on the same sequence of training sets, so
    differences between models are not differences between data. A training set may
    carry its own held-out sample and reference samples (e.g. one stratified split of
    the digits per repeat); :func:`densitylab.sweeps.run_sweep` then uses them for the
    fits on this set, in place of (or beside) the sweep-wide ones.

    Attributes
    ----------
    n_train : int
        Number of training points (the size a study sweeps over).
    repeat : int
        Index of this draw among the sets of its size.
    X : ndarray of shape (n_train, n_features)
        The training points.
    heldout : ndarray of shape (n_heldout, n_features) or None, default=None
        Held-out points of this set's own split; ``None``: the sweep's ``heldout``.
    references : mapping of str to ndarray, default={}
        Reference samples of this set's own split, by name (e.g.
        ``{"train": X, "heldout": X_ho}``); they are added to the sweep's ``references``
        for the fits on this set.
    labels : tuple of ndarray or None, default=None
        Class labels of ``X`` and of ``heldout``, when the data have classes.
    """

    n_train: int
    repeat: int
    X: np.ndarray
    heldout: np.ndarray | None = None
    references: Mapping[str, np.ndarray] = field(default_factory=dict)
    labels: tuple | None = None


def task_seeds(seed, model_name: str, value, n_train: int, repeat: int):
    """Fit seed (an int, for ``random_state``) and sampling generator of one sweep task.

    The task ``(model_name, value, n_train, repeat)`` draws both from
    ``derive_seed(seed, model_name, value, n_train, repeat)``, so they do not depend on
    which other tasks run, or in which order.

    Examples
    --------
    >>> from densitylab.seeding import task_seeds
    >>> fit_seed, rng = task_seeds(0, "GMM", 3, 1000, 0)
    >>> fit_seed == task_seeds(0, "GMM", 3, 1000, 0)[0]
    True
    >>> fit_seed == task_seeds(0, "GMM", 3, 1000, 1)[0]
    False
    """
    fit_ss, sample_ss = derive_seed(seed, model_name, value, n_train, repeat).spawn(2)
    return int(fit_ss.generate_state(1)[0]), np.random.default_rng(sample_ss)


def make_training_sets(
    sampler: Callable, train_sizes, repeats: int, *, seed: int
) -> list[TrainingSet]:
    """Draw independent training sets for every train size × repeat.

    Parameters
    ----------
    sampler : callable
        ``sampler(n, random_state)`` returning an ``(n, n_features)`` array, e.g.
        ``lambda n, rs: sample_moons(n, noise=0.1, random_state=rs)``.
    train_sizes : sequence of int
        Training set sizes.
    repeats : int
        Independent training sets per size.
    seed : int
        Master seed; the set ``(n, r)`` is drawn from
        ``derive_seed(seed, "train", n, r)`` and so does not change when other
        sizes or repeats are added.

    Returns
    -------
    list of TrainingSet
        Ordered by size, then repeat.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.seeding import make_training_sets
    >>> sets = make_training_sets(
    ...     lambda n, rs: sample_moons(n, random_state=rs), [100, 200], 2, seed=0
    ... )
    >>> [(s.n_train, s.repeat, s.X.shape) for s in sets][:2]
    [(100, 0, (100, 2)), (100, 1, (100, 2))]
    """
    sizes = check_grid(train_sizes, "train_sizes", integer=True, minimum=2)
    repeats = check_scalar_param(repeats, "repeats", integer=True, minimum=1)
    return [
        TrainingSet(n, r, np.asarray(sampler(n, derive_seed(seed, "train", n, r))))
        for n in sizes
        for r in range(repeats)
    ]
