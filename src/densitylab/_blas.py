"""Control of NumPy's BLAS threads, shared by every module that runs small products.

Loops of small matrix products (Gaussian mixtures, kernel tiles, tree splits) run
faster on one BLAS thread than on several, and one thread makes the arithmetic, hence
the results, the same whatever the machine's core count. The limit is process-wide,
so it is reference counted: :func:`single_blas_thread` may be nested and entered by
several threads at once.
"""

from __future__ import annotations

import contextlib
import functools
import threading

from threadpoolctl import ThreadpoolController

__all__ = ["blas_thread_limit", "single_blas_thread"]


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
