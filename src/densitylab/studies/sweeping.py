"""A study's sweeps: every model family of the study on the same training sets.

Both chapters fit all their families on the same sets, with the seed, sample size,
workers and scheduler of their parameters, so that settings and families compare
training set by training set.
"""

from __future__ import annotations

from densitylab.sweep_result import SweepResult
from densitylab.sweeps import cluster, run_sweep

__all__ = ["sweep_families"]


def sweep_families(
    families, training_sets, params, *, bandwidths, references=None, heldout=None
) -> SweepResult:
    """:func:`~densitylab.sweeps.run_sweep` for every family, on one cluster.

    Parameters
    ----------
    families : mapping of str to Family
        The study's families (``model``, ``param``, ``values``), e.g.
        :func:`densitylab.studies.moons.families`.
    training_sets : sequence of TrainingSet
        Every family is fitted on each of them.
    params : validated parameters
        Supplies ``n_generated``, ``seed``, ``n_jobs`` and ``scheduler``; with a Dask
        scheduler one cluster serves all the families.
    bandwidths, references, heldout
        As for :func:`~densitylab.sweeps.run_sweep`; the copy checks always run.

    Returns
    -------
    SweepResult
        The families' ``fits`` and ``mmd`` tables, one after the other.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> from densitylab.studies.sweeping import sweep_families
    >>> params = moons.PARAMETERS.validate(moons.PARAMETERS.defaults() | {
    ...     "train_sizes": [200], "repeats": 2, "n_test": 300, "n_generated": 300,
    ...     "hist_bins": [10], "gmm_components": [3], "kde_bandwidths": [0.1],
    ...     "forest_n_min": [20], "n_jobs": 1})
    >>> sets, X_test = moons.training_sets(params), moons.test_set(params)
    >>> result = sweep_families(moons.families(params), sets, params,
    ...                         bandwidths={"test": {"median": 0.8}},
    ...                         references={"test": X_test}, heldout=X_test)
    >>> result.fits.groupby("model").size().to_dict()
    {'DensityForest': 2, 'GMM': 2, 'GaussianKDE': 2, 'Histogram2D': 2, 'SingleGaussian': 2}
    """
    with cluster(params.scheduler, params.n_jobs) as where:
        return SweepResult.concat(
            run_sweep(
                family.model,
                family.param,
                family.values,
                training_sets,
                references,
                bandwidths=bandwidths,
                n_generated=params.n_generated,
                heldout=heldout,
                seed=params.seed,
                n_jobs=params.n_jobs,
                scheduler=where,
                copy_check=True,
            )
            for family in families.values()
        )
