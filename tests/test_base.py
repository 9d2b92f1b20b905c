"""The shared machinery of the package: random states (_random) and the BLAS limit (_blas)."""

from __future__ import annotations

import numpy as np
import pytest

from densitylab._blas import blas_thread_limit, single_blas_thread
from densitylab._random import as_generator


def test_single_blas_thread_limits_inside_nests_and_restores():
    before = blas_thread_limit()
    with single_blas_thread():
        assert blas_thread_limit() == 1
        with single_blas_thread():
            assert blas_thread_limit() == 1
        # Leaving the inner block must not lift the outer one's limit.
        assert blas_thread_limit() == 1
    assert blas_thread_limit() == before


def test_single_blas_thread_restores_after_an_exception():
    before = blas_thread_limit()
    with pytest.raises(RuntimeError), single_blas_thread():
        raise RuntimeError("boom")
    assert blas_thread_limit() == before


def test_as_generator_seeds_and_never_uses_the_global_state():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (the global state is the subject)
    a, b = as_generator(3).random(4), as_generator(np.random.SeedSequence(3)).random(4)
    assert np.array_equal(a, b)
    generator = np.random.default_rng(0)
    assert as_generator(generator) is generator
    as_generator(None).random(10)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    # A legacy RandomState advances (as scikit-learn's own use of it does).
    legacy = np.random.RandomState(0)
    assert not np.array_equal(as_generator(legacy).random(3), as_generator(legacy).random(3))


@pytest.mark.parametrize("bad", [-1, 1.5, "seed"])
def test_as_generator_rejects_bad_seeds(bad):
    with pytest.raises(ValueError, match="random_state"):
        as_generator(bad)
