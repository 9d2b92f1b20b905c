"""The two-moons study: parameters, data, model families and its reference computations.

Every model is fitted on the same training sets (``repeats`` independent draws of
each size) and judged against one test set; the MMD² uses two named bandwidths: the
median heuristic of the test set (``"median"``) and the original study's fixed
``σ = 0.12`` (``"original"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from densitylab.data import sample_moons
from densitylab.mmd import median_heuristic, mmd2_unbiased
from densitylab.models import GMM, DensityForest, GaussianKDE, Histogram2D, SingleGaussian
from densitylab.parameters import Parameter, Schema, grid_at_most
from densitylab.seeding import TrainingSet, derive_seed, make_training_sets
from densitylab.studies.study_parameters import RUN_PARAMETERS, family_grids, sample_size
from densitylab.sweeps import fit_and_sample

__all__ = [
    "ORIGINAL_BANDWIDTH",
    "PARAMETERS",
    "Family",
    "families",
    "mmd_bandwidths",
    "perfect_generator",
    "perfect_sample",
    "single_gaussian_agreement",
    "test_set",
    "training_sets",
]

#: The MMD kernel bandwidth σ the original study fixed for two-moons.
ORIGINAL_BANDWIDTH = 0.12


# K components need at least K points of every training set.
_components_fit_the_smallest_set = grid_at_most(
    "gmm_components",
    lambda values: min(values["train_sizes"]),
    "points in the smallest training set",
    "lower K or raise train_sizes",
)


PARAMETERS = Schema(
    "moons_2d",
    [
        Parameter("seed", "seed", 0, "master seed: training and test sets, every fit and sample"),
        Parameter(
            "train_sizes",
            "int_grid",
            [100, 200, 500, 1000],
            "training points per training set",
            minimum=20,
            maximum=100_000,
        ),
        Parameter(
            "repeats", "count", 5, "independent training sets per size", minimum=2, maximum=100
        ),
        Parameter("n_test", "count", 2000, "points of the test set", minimum=100, maximum=100_000),
        sample_size("points"),
        Parameter(
            "noise",
            "real",
            0.1,
            "standard deviation of the noise around the moons",
            minimum=0,
            maximum=1,
        ),
        Parameter(
            "hist_bins",
            "int_grid",
            [5, 10, 20, 30, 50, 80],
            "histogram: bins per axis",
            minimum=1,
            maximum=1000,
        ),
        *family_grids(
            [1, 2, 3, 5, 8, 12, 20, 30],
            [0.02, 0.03, 0.05, 0.1, 0.2, 0.3],
            [2, 5, 10, 20, 50, 100],
            most_components=500,
            bandwidth_range=(1e-4, 10),
            most_per_leaf=100_000,
        ),
        *RUN_PARAMETERS,
    ],
    relations=[_components_fit_the_smallest_set],
)


@dataclass(frozen=True)
class Family:
    """One family of models in a sweep: a template, the parameter swept and its grid."""

    model: object
    param: str
    values: list


def families(params) -> dict[str, Family]:
    """The five model families of the study, by class name, with their grids.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults())
    >>> {name: f.param for name, f in moons.families(params).items()}["GMM"]
    'n_components'
    """
    return {
        "Histogram2D": Family(Histogram2D(), "bins", params.hist_bins),
        "SingleGaussian": Family(SingleGaussian(), "reg_covar", [1e-6]),
        "GMM": Family(GMM(), "n_components", params.gmm_components),
        "GaussianKDE": Family(GaussianKDE(), "bandwidth", params.kde_bandwidths),
        "DensityForest": Family(DensityForest(), "n_min", params.forest_n_min),
    }


def test_set(params) -> np.ndarray:
    """The test set: ``n_test`` fresh points, never used for fitting.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults())
    >>> moons.test_set(params).shape
    (2000, 2)
    """
    return sample_moons(
        params.n_test, noise=params.noise, random_state=derive_seed(params.seed, "test")
    )


def training_sets(params) -> list[TrainingSet]:
    """``repeats`` independent training sets of every size, all drawn from the master seed.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults())
    >>> sets = moons.training_sets(params)
    >>> len(sets), sets[-1].X.shape
    (20, (1000, 2))
    """
    return make_training_sets(
        lambda n, rs: sample_moons(n, noise=params.noise, random_state=rs),
        params.train_sizes,
        params.repeats,
        seed=params.seed,
    )


def mmd_bandwidths(X_test) -> dict[str, float]:
    """The MMD kernel bandwidths σ: the test set's median heuristic and the original's.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.studies import moons
    >>> sigmas = moons.mmd_bandwidths(sample_moons(500, random_state=0))
    >>> sorted(sigmas), sigmas["original"]
    (['median', 'original'], 0.12)
    """
    return {"median": median_heuristic(X_test), "original": ORIGINAL_BANDWIDTH}


def perfect_sample(params, repeat: int = 0) -> np.ndarray:
    """A perfect generator's sample: ``n_generated`` fresh points of the two moons.

    Drawn as ``n_generated`` points picked at random from a fresh sample fifty times
    as large, i.e. an independent sample of the distribution itself.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults() | {"n_generated": 500})
    >>> moons.perfect_sample(params, repeat=1).shape  # n_generated points
    (500, 2)
    """
    pool = sample_moons(
        50 * params.n_generated,
        noise=params.noise,
        random_state=derive_seed(params.seed, "pool", repeat),
    )
    pick = np.random.default_rng(derive_seed(params.seed, "pick", repeat))
    return pool[pick.choice(len(pool), params.n_generated, replace=False)]


def perfect_generator(params, X_test, bandwidths) -> pd.DataFrame:
    """MMD² of a perfect generator against the test set, ``repeats`` times.

    Its MMD² against the test set shows where the floor lies for this test set.

    Returns
    -------
    pandas.DataFrame
        One row per repeat × kernel × named bandwidth: ``repeat``, ``kernel``,
        ``bandwidth_name``, ``bandwidth``, ``mmd2``.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults() | {
    ...     "repeats": 2, "n_test": 200, "n_generated": 200})
    >>> X_test = moons.test_set(params)
    >>> floor = moons.perfect_generator(params, X_test, {"median": 0.8})
    >>> len(floor), bool(abs(floor["mmd2"]).max() < 0.05)
    (4, True)
    """
    rows = []
    for r in range(params.repeats):
        X_perfect = perfect_sample(params, r)
        for kernel in ("se", "imq"):
            for name, h in bandwidths.items():
                mmd2 = mmd2_unbiased(X_perfect, X_test, kernel=kernel, bandwidth=h)
                rows.append(
                    {
                        "repeat": r,
                        "kernel": kernel,
                        "bandwidth_name": name,
                        "bandwidth": h,
                        "mmd2": mmd2,
                    }
                )
    return pd.DataFrame(rows)


def single_gaussian_agreement(params, sets) -> float:
    """Largest difference between the fitted parameters of SingleGaussian and GMM(K=1).

    The two are the same model, so on every training set their means and
    covariances must agree up to rounding.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults() | {"repeats": 2})
    >>> bool(moons.single_gaussian_agreement(params, moons.training_sets(params)[:2]) < 1e-12)
    True
    """
    gap = 0.0
    for ts in sets:
        single, _ = fit_and_sample(
            SingleGaussian(), "reg_covar", 1e-6, ts, n_generated=2, seed=params.seed
        )
        mixture, _ = fit_and_sample(GMM(), "n_components", 1, ts, n_generated=2, seed=params.seed)
        gap = max(
            gap,
            float(np.abs(single.mean_ - mixture.means_[0]).max()),
            float(np.abs(single.covariance_ - mixture.covariances_[0]).max()),
        )
    return gap
