"""The original study's sweeps and the rules that rank a claim's settings as it swept them.

Shared by :mod:`densitylab.studies.original` (the verdicts' table and the digits claims)
and :mod:`densitylab.studies.original_moons` (the two-moons claims).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.comparisons import rank_settings
from densitylab.report.typography import join, setting
from densitylab.studies.claims import copying_verdict, select

__all__ = ["GMM_KNEE", "ORIGINAL_SWEEPS"]

#: What the original study swept, read from its code: per family, the MMD bandwidth it
#: used (``"original"``: σ = 0.12 on two-moons, σ = 1 on digits; ``"median"``: the median
#: heuristic on the test set) and its grid (None: open upwards, as the digits KDE's grid,
#: whose end the exported notebook cuts off).
ORIGINAL_SWEEPS = {
    "moons": {
        "Histogram2D": ("original", (10, 20, 30, 50, 80)),
        "GMM": ("median", (1, 2, 3, 5, 8, 12)),
        "GaussianKDE": ("median", (0.05, 0.1, 0.2, 0.3)),
    },
    "digits": {
        "GMM": ("original", (1, 2, 3, 4, 5, 7, 10, 15, 20, 30, 50, 100)),
        "GaussianKDE": ("original", None),
        "DensityForest": ("original", (5, 10, 20, 50, 100, 200)),
    },
}

#: The knee of the original's GMM claim: "MMD² falls steeply up to about five components".
GMM_KNEE = 5

_SIGMA_WORDS = {"original": "σ = 0.12", "median": "the median-heuristic σ"}


def _plain(param, values) -> str:
    """The settings in plain text ("K = 1, K = 2 and K = 3"); "" for none."""
    values = list(values)
    return join(setting(param, v, math=False) for v in values) if values else ""


def _verb(values) -> str:
    return "is" if len(values) == 1 else "are"


def _in_grid(rows: pd.DataFrame, grid) -> pd.DataFrame:
    if grid is None:
        return rows
    return rows[np.isclose(rows["value"].to_numpy()[:, None], np.asarray(grid)).any(axis=1)]


def _ranking(mmd, model, *, kernel, bandwidth_name, grid=None, **where):
    rows = _in_grid(
        select(mmd, model=model, kernel=kernel, bandwidth_name=bandwidth_name, **where), grid
    )
    if rows["value"].nunique() < 2:
        return None, None
    return rows["param"].iloc[0], rank_settings(rows, "mmd2")


def _as_original(mmd, study, model, **where):
    """σ name, grid, parameter and ranking of ``model`` as the original swept it."""
    bandwidth, grid = ORIGINAL_SWEEPS[study][model]
    kernel = "se" if study == "moons" else "imq"  # the kernel of each original sweep
    ranked = _ranking(mmd, model, kernel=kernel, bandwidth_name=bandwidth, grid=grid, **where)
    return bandwidth, grid, *ranked


def _row(claim: str, verdict: str, evidence: str) -> dict:
    return {"claim": claim, "verdict": verdict, "evidence": evidence}


def _untested(claim: str, grid_words: str) -> dict:
    return _row(
        claim,
        "not tested",
        f"The rerun's grid holds fewer than two of the original's settings ({grid_words}).",
    )


_VERDICT_WORDS = {
    "copies": "copies",
    "over-dispersed": "is over-dispersed",
    "neither": "neither copies nor spreads beyond the data",
}


def _copying_settings(fits, model) -> dict:
    means = select(fits, model=model).groupby("value")[["copy_share", "ct_statistic"]].mean()
    return {v: copying_verdict(*means.loc[v]) for v in means.index}
