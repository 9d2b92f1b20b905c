"""MMD² speed and memory: ``python -m benchmarks mmd``.

* 2000 × 2000 samples (2-D and 64-D, SE and IMQ) against a straightforward NumPy
  version that builds the three Gram matrices (the reference); target ≥ 4× faster.
* 20000 × 20000 in 2-D: time (target < 10 s) and tracemalloc peak (target < 500 MB)
  against the 3.2 GB that one full 20000² float64 matrix takes.
* The permutation test with 200 permutations at n = m = 1000 against 200
  recomputations of ``mmd2_unbiased`` on permuted data; target ≥ 10× faster.
"""

from __future__ import annotations

import numpy as np

from benchmarks._timing import Figure, best_time, fmt_seconds, peak_memory
from densitylab.mmd import mmd2_unbiased, mmd_permutation_test


def reference_mmd2(X, Y, kernel, h):
    """The straightforward version: three full Gram matrices of squared distances."""

    def sqdist(A, B):
        d2 = (A**2).sum(axis=1)[:, None] + (B**2).sum(axis=1)[None, :] - 2.0 * A @ B.T
        return np.maximum(d2, 0.0)

    def k(d2):
        return np.exp(-d2 / h**2) if kernel == "se" else 1.0 / np.sqrt(1.0 + d2 / h**2)

    n, m = len(X), len(Y)
    Kxx, Kyy, Kxy = k(sqdist(X, X)), k(sqdist(Y, Y)), k(sqdist(X, Y))
    np.fill_diagonal(Kxx, 0.0)
    np.fill_diagonal(Kyy, 0.0)
    return Kxx.sum() / (n * (n - 1)) + Kyy.sum() / (m * (m - 1)) - 2.0 * Kxy.mean()


def _samples(n, d, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(n, d)) + 0.1


def _speed_figures():
    figures = []
    for d in (2, 64):
        X, Y = _samples(2000, d, seed=d)
        h = float(np.sqrt(d))  # about the median heuristic of standard normal data
        for kernel in ("se", "imq"):
            ours = best_time(lambda X=X, Y=Y, k=kernel, h=h: mmd2_unbiased(X, Y, k, h), repeat=7)
            ref = best_time(lambda X=X, Y=Y, k=kernel, h=h: reference_mmd2(X, Y, k, h), repeat=5)
            assert abs(mmd2_unbiased(X, Y, kernel, h) - reference_mmd2(X, Y, kernel, h)) < 1e-12
            figures.append(
                Figure(
                    f"MMD² 2000×2000, {d}-D, {kernel.upper()}",
                    fmt_seconds(ours),
                    f"{fmt_seconds(ref)} (three Gram matrices)",
                    ref / ours,
                    "≥ 4× faster",
                    ref / ours >= 4,
                )
            )
    return figures


def _large_figures():
    n = 20000
    X, Y = _samples(n, 2, seed=20000)
    seconds, peak = peak_memory(lambda: mmd2_unbiased(X, Y, "se", 1.0))
    full = n * n * 8  # bytes of one float64 n × n matrix
    return [
        Figure(
            f"MMD² {n}×{n}, 2-D, SE: time",
            fmt_seconds(seconds),
            "10 s (target)",
            10.0 / seconds,
            "< 10 s (ratio = 10 s / ours)",
            seconds < 10.0,
        ),
        Figure(
            f"MMD² {n}×{n}, 2-D, SE: peak memory",
            f"{peak / 1e6:.1f} MB",
            f"{full / 1e6:.0f} MB (one full matrix)",
            full / peak,
            "< 500 MB (ratio = full / ours)",
            peak < 500e6,
        ),
    ]


def _permutation_figure():
    n, n_permutations = 1000, 200
    X, Y = _samples(n, 2, seed=1000)
    h = 1.0
    ours = best_time(
        lambda: mmd_permutation_test(X, Y, "se", h, n_permutations=n_permutations, random_state=0),
        repeat=5,
    )
    Z = np.concatenate([X, Y])
    rng = np.random.default_rng(0)
    orders = [rng.permutation(2 * n) for _ in range(n_permutations)]

    def recompute():
        for order in orders:
            mmd2_unbiased(Z[order[:n]], Z[order[n:]], "se", h)

    ref = best_time(recompute, repeat=2)
    return Figure(
        f"permutation test, {n_permutations} permutations, n = m = {n}, SE",
        fmt_seconds(ours),
        f"{fmt_seconds(ref)} ({n_permutations} × mmd2_unbiased)",
        ref / ours,
        "≥ 10× faster",
        ref / ours >= 10,
    )


def run() -> list[Figure]:
    return [*_speed_figures(), *_large_figures(), _permutation_figure()]
