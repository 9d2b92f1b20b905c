"""Kernel sums over tiles: bounded memory, exact far from the origin, on several threads.

A kernel matrix is never formed whole. It is cut into :data:`TILE` × :data:`TILE`
tiles; each tile is one matrix product of two factor matrices (:func:`_factors`)
followed by the kernel's elementwise map, summed at once. Within-sample sums visit
only the upper triangle.
"""

from __future__ import annotations

import itertools
import math
import threading
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import NamedTuple

import numpy as np

from densitylab._blas import single_blas_thread

#: Rows and columns of one kernel tile: 256² float64 values are 512 KiB, about one
#: core's L2 cache, so the passes over a tile (product, clip, exp, sum) stay in cache.
TILE = 256

# Below this many kernel evaluations (a few milliseconds of work) a thread pool costs
# more than it saves.
_PARALLEL_MIN_PAIRS = 1 << 18

# Seconds between the main thread's checks for an interrupt while the tiles run.
_WAIT_SLICE = 0.1


# Data beyond this magnitude are scaled down before the tiles, else their means and
# centred values could overflow.
_LARGE = 2.0**960


def _unit_scale(bandwidth: float, *samples: np.ndarray):
    """``(bandwidth, *samples)``, all divided by one power of two if the data are huge.

    Kernels depend on ``(x − y)/h`` only, and dividing by a power of two is exact, so
    the kernel values do not change; data of ordinary magnitude are returned as they
    are.
    """
    top = max(float(np.max(np.abs(A))) for A in samples)
    if top <= _LARGE:
        return (bandwidth, *samples)
    exponent = math.frexp(top)[1]
    return (math.ldexp(bandwidth, -exponent), *(np.ldexp(A, -exponent) for A in samples))


def _factors(A: np.ndarray, centre: np.ndarray, bandwidth: float, kernel: str):
    """Left and right factors whose product is the kernel's argument, tile by tile.

    With ``a = (x − c)/σ`` and ``b = (y − c)/σ`` the product ``left[i] @ right[:, j]``
    is ``−‖a − b‖²`` for ``"se"`` and ``1 + ‖a − b‖²`` for ``"imq"``: one matrix
    product gives ``‖a‖² + ‖b‖² − 2 a·b`` without further passes over the tile.
    Both samples of a tile must share ``c``; centring first keeps ``‖a‖²`` of the
    order of the data's spread, so the expansion does not cancel catastrophically.
    """
    # A tiny bandwidth can overflow the scaled data; that is reported below, not warned.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        Z = A - centre
        Z /= bandwidth
        sq = np.einsum("ij,ij->i", Z, Z)
    if not np.isfinite(sq).all():
        # The values may have been rescaled (_unit_scale), so none is quoted.
        raise ValueError(
            "bandwidth is too small for data of this spread: (x − centre)/bandwidth "
            "overflows float64; use a larger bandwidth."
        )
    n, d = Z.shape
    left = np.empty((n, d + 2))
    right = np.empty((d + 2, n))
    left[:, :d] = Z
    right[d] = 1.0
    if kernel == "se":
        left[:, d] = -sq
        left[:, d + 1] = -1.0
        np.multiply(Z.T, 2.0, out=right[:d])
        right[d + 1] = sq
    else:
        left[:, d] = sq
        left[:, d + 1] = 1.0
        np.multiply(Z.T, -2.0, out=right[:d])
        right[d + 1] = 1.0 + sq
    return left, right


def _kernel_tile(left, right, kernel: str, out: np.ndarray) -> np.ndarray:
    """Kernel values of a tile, in place in ``out`` (shape ``(len(left), right.shape[1])``)."""
    np.matmul(left, right, out=out)
    if kernel == "se":
        # Clip: rounding can leave −d² slightly above 0 for (near-)equal points.
        np.minimum(out, 0.0, out=out)
        np.exp(out, out=out)
    else:
        np.maximum(out, 1.0, out=out)
        np.sqrt(out, out=out)
        np.divide(1.0, out, out=out)
    return out


class _Tile(NamedTuple):
    """Rows ``i0:i1`` of ``left`` times columns ``j0:j1`` of ``right``, summed."""

    left: np.ndarray
    right: np.ndarray
    i0: int
    i1: int
    j0: int
    j1: int
    kernel: str
    diagonal: bool  # a square tile on the diagonal of a within-sample Gram matrix
    weight: float  # 2 for an off-diagonal tile of an upper triangle (it stands for its mirror)


def _tile_sum(tile: _Tile, buffer: np.ndarray) -> float:
    out = buffer[: (tile.i1 - tile.i0) * (tile.j1 - tile.j0)].reshape(
        tile.i1 - tile.i0, tile.j1 - tile.j0
    )
    _kernel_tile(tile.left[tile.i0 : tile.i1], tile.right[:, tile.j0 : tile.j1], tile.kernel, out)
    if tile.diagonal:
        # The diagonal of a diagonal tile is k(x_i, x_i), which the unbiased estimator
        # excludes; zeroing it is exact, unlike subtracting n·1 afterwards.
        np.fill_diagonal(out, 0.0)
    return float(out.sum())


def _within_tiles(A, bandwidth, kernel, size) -> list[_Tile]:
    """Tiles of the upper triangle (diagonal tiles included) of the Gram matrix of ``A``."""
    left, right = _factors(A, A.mean(axis=0), bandwidth, kernel)
    n = A.shape[0]
    return [
        _Tile(
            left,
            right,
            i,
            min(i + size, n),
            j,
            min(j + size, n),
            kernel,
            i == j,
            1.0 if i == j else 2.0,
        )
        for i in range(0, n, size)
        for j in range(i, n, size)
    ]


def _cross_tiles(X, Y, bandwidth, kernel, size) -> list[_Tile]:
    # The midpoint of the two means is within half their distance of every point's own
    # mean, so ‖a‖² + ‖b‖² stays of the order of d² + the spread of the data.
    centre = 0.5 * (X.mean(axis=0) + Y.mean(axis=0))
    left, _ = _factors(X, centre, bandwidth, kernel)
    _, right = _factors(Y, centre, bandwidth, kernel)
    n, m = X.shape[0], Y.shape[0]
    return [
        _Tile(left, right, i, min(i + size, n), j, min(j + size, m), kernel, False, 1.0)
        for i in range(0, n, size)
        for j in range(0, m, size)
    ]


def _tile_sums(tiles: list[_Tile], size: int, n_threads: int) -> list[float]:
    """The sum of each tile, in the order of ``tiles``, on up to ``n_threads`` threads.

    Every tile is summed the same way whichever thread takes it, with BLAS on one thread
    (also for ``n_threads=1``, so that BLAS's own threading cannot change the rounding),
    so the sums do not depend on ``n_threads``. NumPy releases the GIL in ``matmul``
    and in ufuncs, so the threads run in parallel.

    Interruptible: the main thread waits in slices of :data:`_WAIT_SLICE` seconds, so a
    ``KeyboardInterrupt`` (Ctrl-C) surfaces at once, and the workers stop at their next
    tile (a tile takes about a millisecond) instead of summing all the others first.
    """
    sums = [0.0] * len(tiles)
    counter = itertools.count()  # next() on it is atomic under the GIL
    stop = threading.Event()

    def worker():
        buffer = np.empty(size * size)
        while not stop.is_set() and (k := next(counter)) < len(tiles):
            sums[k] = _tile_sum(tiles[k], buffer)

    with single_blas_thread():
        if n_threads == 1:
            worker()  # in the calling thread: an interrupt lands between two tiles
            return sums
        pool = ThreadPoolExecutor(max_workers=n_threads)
        try:
            futures = [pool.submit(worker) for _ in range(n_threads)]
            while True:
                # Short waits: a bare future.result() blocks Ctrl-C on some platforms.
                done, pending = wait(futures, timeout=_WAIT_SLICE, return_when=FIRST_EXCEPTION)
                if not pending or any(f.exception() is not None for f in done):
                    break
        finally:
            # On an interrupt or an error the workers finish their current tile only.
            stop.set()
            pool.shutdown(wait=True)
    for future in futures:
        future.result()  # a worker's exception, if any, is raised here
    return sums


def _group_mean(group: list[_Tile], sums, count: int) -> float:
    """Mean kernel value of one group of tiles, from their sums (taken from ``sums``).

    The weighted total is exact (``math.fsum``), hence independent of the tiles' order.
    """
    return math.fsum(tile.weight * next(sums) for tile in group) / count
