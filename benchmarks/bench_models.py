"""Density-model speed against scikit-learn and the original study's sampler.

* ``GaussianKDE.score_samples``: 2000 queries × 1000 training points, in 2-D (moons)
  and 64-D (digits), against ``KernelDensity(...).score_samples`` (its exact default
  ``rtol=0, atol=0``). Target: no slower (ratio ≥ 1).
* ``GMM.fit``: 1000 moons points, K = 8, five seeds, against ``GaussianMixture`` with
  the same tol, init and k-means++ seeds, so both run the same EM; held-out mean
  log-likelihood of both on 2000 fresh points. Target: no slower, likelihood equal or
  better. scikit-learn runs with one BLAS thread, as our EM does (on a shared 2-core
  machine extra BLAS threads make it many times slower, which would flatter us).
* ``GMM.sample(2000)``: against a per-sample ``rng.multivariate_normal`` loop, the
  original study's sampler. Target: a few milliseconds.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.mixture import GaussianMixture
from sklearn.neighbors import KernelDensity

from benchmarks._timing import Figure, best_time, fmt_seconds
from densitylab._blas import single_blas_thread
from densitylab._random import as_generator
from densitylab.data import sample_moons
from densitylab.models import GMM, GaussianKDE


def _interleaved_best(ours, reference, *, repeat):
    """Best seconds of each of two functions, timed alternately so both see the same load."""
    t_ours = t_ref = float("inf")
    for _ in range(repeat):
        t_ours = min(t_ours, best_time(ours, repeat=1))
        t_ref = min(t_ref, best_time(reference, repeat=1))
    return t_ours, t_ref


def _kde_figure(label, X, queries, bandwidth):
    ours = GaussianKDE(bandwidth=bandwidth).fit(X)
    ref = KernelDensity(bandwidth=bandwidth).fit(X)
    t_ours, t_ref = _interleaved_best(
        lambda: ours.score_samples(queries), lambda: ref.score_samples(queries), repeat=5
    )
    ratio = t_ref / t_ours
    return Figure(
        name=f"GaussianKDE.score_samples {label}, h={bandwidth}: 2000 queries × 1000 points",
        ours=fmt_seconds(t_ours),
        reference=f"sklearn KernelDensity {fmt_seconds(t_ref)}",
        ratio=ratio,
        target="≥ 1",
        met=ratio >= 1.0,
    )


def _kde_figures():
    moons = sample_moons(3000, random_state=0)
    digits = load_digits().data.astype(np.float64)
    rng = np.random.default_rng(0)
    digit_queries = digits[rng.integers(0, len(digits), 2000)] + rng.normal(0, 0.5, (2000, 64))
    return [
        _kde_figure("2-D moons", moons[:1000], moons[1000:], 0.1),
        _kde_figure("64-D digits", digits[:1000], digit_queries, 1.0),
    ]


def _gmm_fit_figure():
    X = sample_moons(1000, random_state=0)
    heldout = sample_moons(2000, random_state=1)
    seeds = range(5)
    # GMM draws its k-means++ seed as the first int32 of its generator.
    sk_seeds = [int(as_generator(s).integers(np.iinfo(np.int32).max)) for s in seeds]

    def fit_ours():
        return [GMM(8, tol=1e-3, random_state=s).fit(X) for s in seeds]

    def fit_ref():
        with single_blas_thread():
            return [
                GaussianMixture(8, tol=1e-3, init_params="k-means++", random_state=s).fit(X)
                for s in sk_seeds
            ]

    t_ours, t_ref = (t / len(seeds) for t in _interleaved_best(fit_ours, fit_ref, repeat=9))
    ll_ours = np.mean([m.score(heldout) for m in fit_ours()])
    ll_ref = np.mean([m.score(heldout) for m in fit_ref()])
    ratio = t_ref / t_ours
    return Figure(
        name="GMM.fit, 1000 moons points, K=8, tol=1e-3, k-means++ (mean of 5 seeds)",
        ours=f"{fmt_seconds(t_ours)}, held-out log-lik {ll_ours:.5f}",
        reference=f"sklearn GaussianMixture {fmt_seconds(t_ref)}, held-out {ll_ref:.5f}",
        ratio=ratio,
        target="≥ 1 and held-out log-lik ≥ sklearn's",
        met=ratio >= 1.0 and ll_ours >= ll_ref - 1e-9,
    )


def _gmm_sample_figure():
    model = GMM(8, random_state=0).fit(sample_moons(1000, random_state=0))

    def loop_sampler():
        # The original study's sampler: a component, then one draw, per sample.
        rng = np.random.default_rng(0)
        components = rng.choice(len(model.weights_), size=2000, p=model.weights_)
        return np.array(
            [rng.multivariate_normal(model.means_[k], model.covariances_[k]) for k in components]
        )

    t_ours = best_time(lambda: model.sample(2000, random_state=0), repeat=20)
    t_ref = best_time(loop_sampler, repeat=3)
    ratio = t_ref / t_ours
    return Figure(
        name="GMM.sample(2000), K=8, 2-D",
        ours=fmt_seconds(t_ours),
        reference=f"per-sample multivariate_normal loop {fmt_seconds(t_ref)}",
        ratio=ratio,
        target="< 5 ms",
        met=t_ours < 5e-3,
    )


def run() -> list[Figure]:
    return [*_kde_figures(), _gmm_fit_figure(), _gmm_sample_figure()]
