"""The original study's claims, each with this report's verdict and its evidence.

The original study (a notebook this report grew from) made a claim per sweep. Each
function here restates one in our words, decides it with the rerun's numbers and the
report's rules (paired intervals, ties, edges, copy checks), and returns a row of the
table the book's page on the original study shows. The text is plain (no maths), so it
can be pasted on another page.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.comparisons import rank_settings
from densitylab.report.tables import Column, Table
from densitylab.report.typography import join, number, percent, setting
from densitylab.studies.claims import copying_verdict, select

__all__ = ["claims_table", "digits_verdicts", "moons_verdicts"]


def _plain(param, values) -> str:
    """The settings in plain text ("K = 1, K = 2 and K = 3"); "" for none."""
    values = list(values)
    return join(setting(param, v, math=False) for v in values) if values else ""


def _ranking(mmd, model, n_train, kernel, bandwidth_name, reference=None):
    where = {"model": model, "kernel": kernel, "bandwidth_name": bandwidth_name}
    if n_train is not None:
        where["n_train"] = n_train
    if reference is not None:
        where["reference"] = reference
    rows = select(mmd, **where)
    return rows["param"].iloc[0], rank_settings(rows, "mmd2")


def _row(claim: str, verdict: str, evidence: str) -> dict:
    return {"claim": claim, "verdict": verdict, "evidence": evidence}


def _histogram(mmd, n_max) -> dict:
    param, ranking = _ranking(mmd, "Histogram2D", n_max, "se", "original")
    coarse = [v for v in ranking.separated if v < ranking.best]
    finer = [v for v in ranking.values if v > ranking.best]
    rises = [v for v in finer if v in ranking.separated]
    verdict = (
        "confirmed" if coarse and rises else "partly confirmed" if coarse else "not supported"
    )
    evidence = (
        f"With the original σ and {number(n_max)} training points the best is "
        f"{setting(param, ranking.best, math=False)}; "
        + (f"{_plain(param, coarse)} worse beyond the noise; " if coarse else "")
        + (
            f"of the finer grids {_plain(param, rises)} worse beyond the noise."
            if rises
            else f"the finer grids ({_plain(param, finer)}) tie with the best."
            if finer
            else "no finer grid was tried."
        )
    )
    return _row(
        "Histogram: 20 bins beat 10 bins, and finer grids are worse again.", verdict, evidence
    )


def _gmm(mmd, n_max) -> dict:
    param, ranking = _ranking(mmd, "GMM", n_max, "se", "median")
    worse = ranking.separated
    plateau = [v for v in ranking.tied]
    small = [v for v in worse if v < min(plateau)]
    verdict = "confirmed" if small and len(plateau) > 1 else "partly confirmed"
    evidence = (
        f"At {number(n_max)} training points {_plain(param, small) or 'no setting'} "
        f"{'are' if len(small) > 1 else 'is'} worse beyond the noise, while "
        f"{_plain(param, plateau)} tie: the curve falls, then flattens."
    )
    return _row(
        "Gaussian mixture: MMD² falls steeply up to about five components, then flattens.",
        verdict,
        evidence,
    )


def _kde(mmd, fits, n_max) -> dict:
    param, ranking = _ranking(mmd, "GaussianKDE", n_max, "se", "median")
    smallest = ranking.values[0]
    rows = select(fits, model="GaussianKDE", n_train=n_max, value=smallest)
    share, ct = rows["copy_share"].mean(), rows["ct_statistic"].mean()
    large = [v for v in ranking.separated if v > ranking.best]
    verdict = "partly confirmed" if large else "not supported"
    evidence = (
        f"Large bandwidths are worse ({_plain(param, large) or 'none'} beyond the noise), "
        f"but the smallest, {setting(param, smallest, math=False)}, is "
        + ("not separated from the best" if smallest in ranking.tied else "worse than the best")
        + f", and it {copying_verdict(share, ct).replace('neither', 'passes both copy checks')}"
        f" (copy share {percent(share)}, C_T {number(ct)})."
    )
    return _row(
        "KDE: MMD² rises with the bandwidth; the smallest bandwidths are best.", verdict, evidence
    )


def moons_verdicts(mmd: pd.DataFrame, fits: pd.DataFrame, n_max: int) -> pd.DataFrame:
    """The original study's two-moons claims, decided (one row per claim)."""
    rows = [_histogram(mmd, n_max), _gmm(mmd, n_max), _kde(mmd, fits, n_max)]
    return pd.DataFrame(rows, columns=["claim", "verdict", "evidence"])


_VERDICT_WORDS = {
    "copies": "copies",
    "over-dispersed": "is over-dispersed",
    "neither": "neither copies nor spreads beyond the data",
}


def _copying_settings(fits, model) -> dict:
    means = select(fits, model=model).groupby("value")[["copy_share", "ct_statistic"]].mean()
    return {v: copying_verdict(*means.loc[v]) for v in means.index}


def digits_verdicts(mmd: pd.DataFrame, fits: pd.DataFrame, label_rows) -> pd.DataFrame:
    """The original study's digits claims, decided (one row per claim).

    ``label_rows`` are the label check's rows (model, p_value) of the good models.
    """
    verdicts = {m: _copying_settings(fits, m) for m in ("GMM", "GaussianKDE", "DensityForest")}
    se_h1 = select(mmd, kernel="se", bandwidth_name="original")
    joined = se_h1.merge(
        fits[["model", "value", "repeat", "copy_share", "ct_statistic"]],
        on=["model", "value", "repeat"],
    )
    copiers = np.array(
        [
            copying_verdict(s, c) == "copies"
            for s, c in zip(joined["copy_share"], joined["ct_statistic"], strict=True)
        ]
    )
    largest = float(joined.loc[~copiers, "mmd2"].abs().max())
    rows = [
        _row(
            "With σ = 1 the SE kernel's MMD² is about 0 for every model.",
            "confirmed, and it moves only for copiers",
            f"Over every fit that does not copy, |MMD²| ≤ {number(largest)}.",
        )
    ]
    for model, words in (
        ("GMM", "Gaussian mixture: more components give a lower IMQ MMD²."),
        ("GaussianKDE", "KDE: the smallest bandwidth gives the lowest IMQ MMD²."),
        ("DensityForest", "Density forest: smaller leaves give a lower IMQ MMD²."),
    ):
        param, ranking = _ranking(mmd, model, None, "imq", "original", reference="train")
        verdict = verdicts[model][ranking.best]
        rows.append(
            _row(
                words,
                "confirmed against the training digits, which rewards copying"
                if verdict == "copies"
                else "confirmed",
                f"Against the training digits (the original protocol) the best is "
                f"{setting(param, ranking.best, math=False)}"
                + (", at the grid's edge" if ranking.edge else "")
                + f"; by the copy checks it {_VERDICT_WORDS[verdict]}.",
            )
        )
    unbalanced = [r["model"] for r in label_rows if r["p_value"] < 0.01]
    rows.append(
        _row(
            "The good mixture and KDE generate the digit classes in equal proportions; the "
            "forest does not.",
            "revisited with a control",
            "Against the held-out digits labelled by the same classifier, "
            + (
                f"{join(unbalanced)} differ beyond the noise."
                if unbalanced
                else "no good model's class proportions differ beyond the noise."
            ),
        )
    )
    return pd.DataFrame(rows, columns=["claim", "verdict", "evidence"])


def claims_table(verdicts: pd.DataFrame) -> Table:
    """The verdicts as the report's table.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.original import claims_table
    >>> claims_table(pd.DataFrame({"claim": ["c"], "verdict": ["v"], "evidence": ["e"]})).shape
    (1, 3)
    """
    return Table(
        verdicts,
        {
            "claim": Column("the original study's claim"),
            "verdict": Column("verdict of the rerun"),
            "evidence": Column("evidence"),
        },
    )
