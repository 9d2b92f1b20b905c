"""Row sums of kernel matrices, tile by tile: what the witness and the variance estimates need.

:mod:`densitylab.mmd._tiles` reduces a kernel matrix to one number; the witness
function and the variance of MMD²_u need one number per row (``Σ_j k(a_i, b_j)``).
The matrix is still never formed: each thread owns a block of :data:`TILE` rows and
walks the column tiles in order, so memory is ``O(TILE²)`` per thread and every row
sum is added up in the same order whatever the number of threads.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from densitylab._blas import single_blas_thread
from densitylab.mmd import _tiles
from densitylab.mmd._tiles import _factors, _kernel_tile


def _kernel_row_sums(left, right, kernel: str, n_jobs: int, *, zero_diagonal=False):
    """``Σ_j k(a_i, b_j)`` for every row ``i`` of the kernel matrix of ``left @ right``.

    ``zero_diagonal=True`` is for a within-sample Gram matrix (``left`` and ``right``
    are the two factors of one sample): the terms ``k(a_i, a_i)`` are left out exactly,
    as :func:`~densitylab.mmd.mmd2_unbiased` leaves them out.
    """
    n, m = left.shape[0], right.shape[1]
    size = _tiles.TILE
    starts = list(range(0, n, size))
    sums = np.empty(n)
    counter = itertools.count()  # next() on it is atomic under the GIL

    def worker():
        buffer = np.empty(size * size)
        while (k := next(counter)) < len(starts):
            i0 = starts[k]
            i1 = min(i0 + size, n)
            acc = np.zeros(i1 - i0)
            for j0 in range(0, m, size):
                j1 = min(j0 + size, m)
                out = buffer[: (i1 - i0) * (j1 - j0)].reshape(i1 - i0, j1 - j0)
                _kernel_tile(left[i0:i1], right[:, j0:j1], kernel, out)
                if zero_diagonal and i0 == j0:
                    np.fill_diagonal(out, 0.0)
                acc += out.sum(axis=1)
            sums[i0:i1] = acc

    # Rows are owned by one thread each, so the sums do not depend on the thread count;
    # BLAS on one thread keeps each tile's product the same too.
    n_threads = min(n_jobs, len(starts)) if n * m >= _tiles._PARALLEL_MIN_PAIRS else 1
    with single_blas_thread():
        if n_threads <= 1:
            worker()
        else:
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                for future in [pool.submit(worker) for _ in range(n_threads)]:
                    future.result()
    return sums


def within_row_sums(A, bandwidth, kernel, n_jobs) -> np.ndarray:
    """``Σ_{j≠i} k(a_i, a_j)`` for each row of ``A``, centred on the sample mean."""
    left, right = _factors(A, A.mean(axis=0), bandwidth, kernel)
    return _kernel_row_sums(left, right, kernel, n_jobs, zero_diagonal=True)


def cross_row_sums(A, B, bandwidth, kernel, n_jobs, centre=None) -> np.ndarray:
    """``Σ_j k(a_i, b_j)`` for each row of ``A``.

    Both samples are centred on ``centre`` (default: the midpoint of their means, as
    for the cross term of MMD²_u), so the squared distances lose no precision when the
    data lie far from the origin.
    """
    if centre is None:
        centre = 0.5 * (A.mean(axis=0) + B.mean(axis=0))
    left, _ = _factors(A, centre, bandwidth, kernel)
    _, right = _factors(B, centre, bandwidth, kernel)
    return _kernel_row_sums(left, right, kernel, n_jobs)
