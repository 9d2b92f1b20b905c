"""Input checks of the MMD functions: samples, kernel names, bandwidths, thread counts."""

from __future__ import annotations

import math
import numbers

import joblib
import numpy as np

from densitylab._blas import blas_thread_limit
from densitylab._validation import check_2d_array

#: Kernel names accepted by every function of :mod:`densitylab.mmd`.
KERNELS = ("se", "imq")


def _check_sample(A, name: str, min_samples: int) -> np.ndarray:
    """A finite float64 array of shape (n, d), n ≥ ``min_samples``, d ≥ 1; else ValueError."""
    return check_2d_array(A, name, min_samples)


def _check_pair(X, Y, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    X = _check_sample(X, "X", min_samples)
    Y = _check_sample(Y, "Y", min_samples)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features, got X with {X.shape[1]} "
            f"and Y with {Y.shape[1]}."
        )
    return X, Y


def _check_triple(X, Y, A, name: str, min_samples: int) -> tuple[np.ndarray, ...]:
    """``X``, ``Y`` as :func:`_check_pair` checks them, and a third sample ``A`` like them."""
    X, Y = _check_pair(X, Y, min_samples)
    A = _check_sample(A, name, min_samples)
    if A.shape[1] != X.shape[1]:
        raise ValueError(
            f"{name} must have the features of X and Y, got {name} with {A.shape[1]} and X "
            f"with {X.shape[1]}."
        )
    return X, Y, A


def _check_kernel(kernel) -> str:
    if not isinstance(kernel, str) or kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {KERNELS}, got {kernel!r}.")
    return kernel


def _check_bandwidth(bandwidth) -> float:
    if (
        isinstance(bandwidth, bool)
        or not isinstance(bandwidth, numbers.Real)
        or not (math.isfinite(bandwidth) and bandwidth > 0)
    ):
        raise ValueError(
            "bandwidth must be a finite number > 0, or None for the median heuristic; "
            f"got {bandwidth!r}."
        )
    return float(bandwidth)


def _check_n_jobs(n_jobs) -> int:
    """Threads for the tiles: ``None`` → as many as NumPy's BLAS may use; -1 → all CPUs."""
    if n_jobs is None:
        return blas_thread_limit()
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (numbers.Integral, np.integer)):
        raise ValueError(f"n_jobs must be None, -1 or an integer >= 1, got {n_jobs!r}.")
    if n_jobs == -1:
        return joblib.cpu_count()
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be None, -1 or an integer >= 1, got {n_jobs}.")
    return int(n_jobs)
