"""The parameters both studies share: the sample size drawn from each model, the grids of
the three families both sweep, and where the fits run and their tables go.

Each study's schema (:data:`densitylab.studies.moons.PARAMETERS`,
:data:`densitylab.studies.digits.PARAMETERS`) lists them beside its own; the same name
means the same thing, checked by the same rule, in both chapters.
"""

from __future__ import annotations

from densitylab.parameters import Parameter

__all__ = ["RUN_PARAMETERS", "family_grids", "sample_size"]

#: Where the fits run and where the results tables go.
RUN_PARAMETERS = (
    Parameter("n_jobs", "n_jobs", 2, "parallel fits on this machine"),
    Parameter("scheduler", "scheduler", None, "where the fits run (Dask for a cluster)"),
    Parameter("output_dir", "folder", "results", "folder of the results tables"),
)


def sample_size(what: str) -> Parameter:
    """``n_generated``: how many ``what`` (points, digits) each fitted model draws.

    Examples
    --------
    >>> from densitylab.studies.study_parameters import sample_size
    >>> sample_size("digits").meaning
    'digits drawn from each fitted model'
    """
    meaning = f"{what} drawn from each fitted model"
    return Parameter("n_generated", "count", 2000, meaning, minimum=100, maximum=100_000)


def family_grids(
    gmm_components,
    kde_bandwidths,
    forest_n_min,
    *,
    most_components,
    bandwidth_range,
    most_per_leaf,
    bandwidth_unit="",
) -> list[Parameter]:
    """The grids of the GMM, the KDE and the density forest, with a study's defaults and bounds.

    Examples
    --------
    >>> from densitylab.studies.study_parameters import family_grids
    >>> grids = family_grids([1, 2], [0.1], [5], most_components=50,
    ...                      bandwidth_range=(1e-4, 10), most_per_leaf=1000)
    >>> [(p.name, p.allowed()) for p in grids][0]
    ('gmm_components', 'a non-empty list of distinct integers, each from 1 to 50')
    """
    low, high = bandwidth_range
    return [
        Parameter(
            "gmm_components",
            "int_grid",
            gmm_components,
            "GMM: number of components K",
            minimum=1,
            maximum=most_components,
        ),
        Parameter(
            "kde_bandwidths",
            "real_grid",
            kde_bandwidths,
            "KDE: bandwidth h",
            minimum=low,
            maximum=high,
            unit=bandwidth_unit,
        ),
        Parameter(
            "forest_n_min",
            "int_grid",
            forest_n_min,
            "density forest: least points per leaf",
            minimum=1,
            maximum=most_per_leaf,
        ),
    ]
