"""The original study's two-moons claims, each decided by the rerun (one row per claim).

Re-exported by :mod:`densitylab.studies.original`, whose docstring states how a claim is
judged.
"""

from __future__ import annotations

import pandas as pd

from densitylab.report.typography import number, percent, setting
from densitylab.studies.claims import copying_verdict, select
from densitylab.studies.original_rules import (
    _SIGMA_WORDS,
    GMM_KNEE,
    _as_original,
    _plain,
    _ranking,
    _row,
    _untested,
    _verb,
)

__all__ = ["moons_verdicts"]


def _histogram(mmd, n_max) -> dict:
    claim = "Histogram: 20 bins beat 10 bins, and finer grids are worse again."
    bandwidth, grid, param, ranking = _as_original(mmd, "moons", "Histogram2D", n_train=n_max)
    if ranking is None:
        return _untested(claim, "10 to 80 bins")
    coarse = [v for v in ranking.separated if v < ranking.best]
    finer = [v for v in ranking.values if v > ranking.best]
    rises = [v for v in finer if v in ranking.separated]
    verdict = (
        "confirmed" if coarse and rises else "partly confirmed" if coarse else "not supported"
    )
    evidence = (
        f"With {_SIGMA_WORDS[bandwidth]} (the original's for this sweep), its grid and "
        f"{number(n_max)} training points, the best is "
        f"{setting(param, ranking.best, math=False)}; "
        + (f"{_plain(param, coarse)} {_verb(coarse)} worse beyond the noise; " if coarse else "")
        + (
            f"of the finer grids {_plain(param, rises)} {_verb(rises)} worse beyond the noise."
            if rises
            else f"the finer grids ({_plain(param, finer)}) tie with the best."
            if finer
            else "no finer grid was tried."
        )
    )
    return _row(claim, verdict, evidence)


def _gmm_verdict(ranking, knee=GMM_KNEE) -> str:
    """ "confirmed": below the knee every K is worse, from it on every K ties; "partly
    confirmed": the curve falls and flattens, with its knee elsewhere; else "not supported".
    """
    below = [v for v in ranking.values if v < knee]
    above = [v for v in ranking.values if v >= knee]
    falls = bool(ranking.separated) and all(v < ranking.best for v in ranking.separated)
    flattens = len(ranking.tied) > 1
    if (
        below
        and above
        and set(below) <= set(ranking.separated)
        and set(above) <= set(ranking.tied)
    ):
        return "confirmed"
    return "partly confirmed" if falls and flattens else "not supported"


def _gmm(mmd, n_max) -> dict:
    claim = "Gaussian mixture: MMD² falls steeply up to about five components, then flattens."
    bandwidth, grid, param, ranking = _as_original(mmd, "moons", "GMM", n_train=n_max)
    if ranking is None:
        return _untested(claim, "K = 1 to 12")
    worse = ranking.separated
    evidence = (
        f"With {_SIGMA_WORDS[bandwidth]} (the original's for this sweep), its grid and "
        f"{number(n_max)} training points, {_plain(param, worse) or 'no setting'} "
        f"{_verb(worse)} worse beyond the noise and {_plain(param, ranking.tied)} tie"
        + (", the largest at the grid's edge" if ranking.edge == "upper" else "")
        + "."
    )
    other = "original" if bandwidth == "median" else "median"
    _, at_other = _ranking(mmd, "GMM", kernel="se", bandwidth_name=other, grid=grid, n_train=n_max)
    if at_other is not None and set(at_other.tied) != set(ranking.tied):
        evidence += (
            f" With {_SIGMA_WORDS[other]} the ties are {_plain(param, at_other.tied)}: "
            "where the curve flattens depends on the kernel's scale."
        )
    return _row(claim, _gmm_verdict(ranking), evidence)


def _kde_verdict(ranking) -> str:
    """ "confirmed": the smallest bandwidth is the best and the largest is worse beyond
    the noise; "partly confirmed": the largest is worse, but the smallest only ties with
    the best or is worse too; else "not supported"."""
    rises = ranking.values[-1] in ranking.separated
    if rises and ranking.values[0] == ranking.best:
        return "confirmed"
    return "partly confirmed" if rises else "not supported"


def _kde(mmd, fits, n_max) -> dict:
    claim = "KDE: MMD² rises with the bandwidth; the smallest bandwidths are best."
    bandwidth, grid, param, ranking = _as_original(mmd, "moons", "GaussianKDE", n_train=n_max)
    if ranking is None:
        return _untested(claim, "h = 0.05 to 0.3")
    large = [v for v in ranking.separated if v > ranking.best]
    evidence = (
        f"With {_SIGMA_WORDS[bandwidth]} (the original's for this sweep), its grid and "
        f"{number(n_max)} training points, the best is "
        f"{setting(param, ranking.best, math=False)}, "
        + (
            f"tied with {_plain(param, [v for v in ranking.tied if v != ranking.best])}"
            if len(ranking.tied) > 1
            else "tied with no other setting"
        )
        + f"; {_plain(param, large) or 'no larger bandwidth'} {_verb(large)} worse beyond "
        "the noise."
    )
    _, full = _ranking(mmd, "GaussianKDE", kernel="se", bandwidth_name=bandwidth, n_train=n_max)
    below = [v for v in full.values if v < min(grid)] if full is not None else []
    if below:
        smallest = below[0]
        rows = select(fits, model="GaussianKDE", n_train=n_max, value=smallest)
        share, ct = rows["copy_share"].mean(), rows["ct_statistic"].mean()
        verdict = copying_verdict(share, ct)
        evidence += (
            f" Below the original's grid, the rerun's {setting(param, smallest, math=False)} "
            + ("ties with the best" if smallest in full.tied else "is worse than the best")
            + (
                f" and copies (copy share {percent(share)}, data-copying statistic {number(ct)})."
                if verdict == "copies"
                else f" (copy share {percent(share)}, data-copying statistic {number(ct)})."
            )
        )
    return _row(claim, _kde_verdict(ranking), evidence)


def moons_verdicts(mmd: pd.DataFrame, fits: pd.DataFrame, n_max: int) -> pd.DataFrame:
    """The original study's two-moons claims, decided (one row per claim)."""
    rows = [_histogram(mmd, n_max), _gmm(mmd, n_max), _kde(mmd, fits, n_max)]
    return pd.DataFrame(rows, columns=["claim", "verdict", "evidence"])
