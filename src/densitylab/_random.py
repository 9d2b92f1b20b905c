"""Randomness: seed-like values to generators, and named seeds derived from a master seed.

Nothing in densitylab touches NumPy's global random state. Every random choice takes
a ``random_state`` (turned into a :class:`numpy.random.Generator` by
:func:`as_generator`) or a :class:`numpy.random.SeedSequence` derived from a study's
master seed and the identity of the piece it seeds (:func:`derive_seed`).
"""

from __future__ import annotations

import hashlib
import numbers

import numpy as np

from densitylab._validation import check_scalar_param

__all__ = ["as_generator", "derive_seed"]


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


def canonical_key(part) -> str:
    """A stable text form of one seed-key part (equal values give equal text).

    ``5``, ``np.int64(5)`` and ``5.0`` map to the same text, so a grid held as
    floats and one held as ints seed identically; strings are tagged so that the
    string ``"5"`` does not collide with the number 5.
    """
    if isinstance(part, bool | np.bool_):
        return f"b:{bool(part)}"
    if isinstance(part, numbers.Integral):
        return f"n:{int(part)}"
    if isinstance(part, numbers.Real):
        value = float(part)
        return f"n:{int(value)}" if value.is_integer() else f"n:{value!r}"
    if part is None:
        return "none"
    return f"s:{part}"


def derive_seed(seed, *key) -> np.random.SeedSequence:
    """The :class:`~numpy.random.SeedSequence` of one named piece of a study.

    The entropy is the master ``seed`` followed by a SHA-256 digest of ``key``,
    so the stream of, say, ``("train", 500, 3)`` is the same whatever else the
    study computes and in whatever order.

    Parameters
    ----------
    seed : int
        Master seed, a non-negative integer.
    *key : str, int or float
        Identity of the piece, e.g. ``"test"`` or ``("GMM", 5, 1000, 2)``.

    Returns
    -------
    numpy.random.SeedSequence
        Entropy ``[seed, *digest]``, the digest as eight 32-bit words: the same key
        gives the same stream on every machine.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.seeding import derive_seed
    >>> a = np.random.default_rng(derive_seed(0, "train", 100, 0)).random()
    >>> b = np.random.default_rng(derive_seed(0, "train", 100, 0)).random()
    >>> a == b
    True
    """
    seed = check_scalar_param(seed, "seed", integer=True, minimum=0)
    text = "\x1f".join(canonical_key(part) for part in key).encode()
    digest = hashlib.sha256(text).digest()
    words = np.frombuffer(digest, dtype="<u4").tolist()
    return np.random.SeedSequence([seed, *words])
