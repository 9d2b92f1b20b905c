"""The original study's claims, each with this report's verdict and its evidence.

The original study (a notebook this report grew from) made a claim per sweep. Each
function here restates one in our words, decides it with the rerun's numbers and the
report's rules (paired intervals, ties, edges, copy checks), and returns a row of the
table the book's page on the original study shows. The text is plain (no maths), so it
can be pasted on another page.

A claim is judged where the original made it: with the MMD bandwidth the original used
for that sweep and within the original's grid (:data:`ORIGINAL_SWEEPS`); what the
rerun's wider grid or the other bandwidth adds is reported beside the verdict, and does
not change it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.report.tables import Column, Table
from densitylab.report.typography import family, join, number, percent, setting
from densitylab.studies.claims import copying_verdict, select
from densitylab.studies.digits_checks import ALPHA
from densitylab.studies.original_moons import moons_verdicts
from densitylab.studies.original_rules import (
    _VERDICT_WORDS,
    ORIGINAL_SWEEPS,
    _as_original,
    _copying_settings,
    _plain,
    _row,
    _untested,
)

__all__ = ["ORIGINAL_SWEEPS", "claims_table", "digits_verdicts", "moons_verdicts"]


def _sigma_one(mmd, fits) -> dict:
    claim = "With σ = 1 the SE kernel's MMD² is about 0 for every model."
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
    # The yardstick of "about 0": the smallest spread over repeats of any setting's
    # held-out MMD² at the median-heuristic σ, the resolution of the report's comparisons.
    spread = (
        select(mmd, kernel="se", bandwidth_name="median", reference="heldout")
        .groupby(["model", "value"])["mmd2"]
        .std()
    )
    resolution = float(spread.min())
    largest = float(joined.loc[~copiers, "mmd2"].abs().max()) if (~copiers).any() else np.nan
    if not np.isfinite(largest):
        return _row(claim, "not tested", "Every fit of the rerun copies.")
    if copiers.any():  # "about 0" against the same σ: the copiers' values set the scale
        reach = float(joined.loc[copiers, "mmd2"].abs().max())
        tiny = largest < 1e-3 * reach
        evidence = f"Over every fit that does not copy, |MMD²| ≤ {number(largest)}; " + (
            f"copiers reach {number(reach)}, over a thousand times more: about 0 holds for "
            "every model except the copiers."
            if tiny
            else f"copiers reach {number(reach)}, not far above."
        )
        return _row(claim, "partly confirmed" if tiny else "not supported", evidence)
    verdict = "confirmed" if largest < resolution else "not supported"
    evidence = (
        f"Over every fit (none copies), |MMD²| ≤ {number(largest)}, "
        + ("far below" if largest < resolution else "not below")
        + " the smallest spread over splits of any held-out MMD² at the median-heuristic σ "
        f"({number(resolution)})."
    )
    return _row(claim, verdict, evidence)


def _direction(mmd, verdicts, model, words, want) -> tuple[dict, object, object]:
    """A "more/smaller is better" claim under the original protocol (IMQ, σ = 1, train)."""
    bandwidth, grid, param, ranking = _as_original(mmd, "digits", model, reference="train")
    if ranking is None:
        return _untested(words, "its grid"), None, None
    extreme = ranking.values[-1] if want == "largest" else ranking.values[0]
    holds = extreme in ranking.tied
    # Every part beyond the noise: the extreme setting is the best, tied with no other.
    strictly = extreme == ranking.best and len(ranking.tied) == 1
    copies = verdicts[model][ranking.best] == "copies"
    verdict = (
        ("confirmed" if strictly else "partly confirmed")
        + (" against the training digits, which rewards copying" if copies else "")
        if holds
        else "not supported"
    )
    evidence = (
        "Against the training digits (the original protocol), "
        + ("over the rerun's grid" if grid is None else "within the original's grid")
        + f", the best is {setting(param, ranking.best, math=False)}"
        + (", at the grid's edge" if ranking.edge else "")
        + (
            ""
            if extreme == ranking.best
            else f", and the {want} setting, {setting(param, extreme, math=False)}, "
            + ("ties with it" if holds else "is worse beyond the noise")
        )
        + (
            f", tied with {_plain(param, [v for v in ranking.tied if v != ranking.best])}"
            if extreme == ranking.best and len(ranking.tied) > 1
            else ""
        )
        + f"; by the copy checks the best {_VERDICT_WORDS[verdicts[model][ranking.best]]}."
    )
    return _row(words, verdict, evidence), param, ranking.best


def _label_verdict(label_rows, alpha=ALPHA) -> tuple[str, list, list]:
    """The original said: the mixture's and the KDE's proportions are equal, the forest's
    are not. Returns the verdict and the families found to differ and not tested."""
    tested = {
        model: [r for r in label_rows if str(r["model"]).startswith(family(model) + ",")]
        for model in ("GMM", "GaussianKDE", "DensityForest")
    }
    differ = {m: any(r["p_value"] < alpha for r in rows) for m, rows in tested.items() if rows}
    missing = [family(m) for m, rows in tested.items() if not rows]
    if "DensityForest" not in differ:
        verdict = "not tested"
    elif not differ["DensityForest"]:
        verdict = "not reproduced"
    elif any(differ[m] for m in ("GMM", "GaussianKDE") if m in differ):
        verdict = "partly reproduced"
    else:
        verdict = "reproduced"
    return verdict, [family(m) for m, d in differ.items() if d], missing


def _protocol_phrase(picks) -> str:
    """ " (here K = 100 for the GMM and h = 0.01 for the KDE; both copy)"."""
    if not picks:
        return ""
    copiers = [words for words, verdict in picks if verdict == "copies"]
    note = (
        ("it copies" if len(picks) == 1 else "each copies")
        if len(copiers) == len(picks)
        else f"{join(copiers)} {'copies' if len(copiers) == 1 else 'copy'}"
        if copiers
        else "none copies"
    )
    return f" (here {join(words for words, _ in picks)}; {note})"


def digits_verdicts(mmd: pd.DataFrame, fits: pd.DataFrame, label_rows) -> pd.DataFrame:
    """The original study's digits claims, decided (one row per claim).

    ``label_rows`` are the label check's rows (model, p_value) of the good models; a
    row's model starts with its family's name and a comma ("GMM, good: K = 70").
    """
    verdicts = {m: _copying_settings(fits, m) for m in ("GMM", "GaussianKDE", "DensityForest")}
    rows = [_sigma_one(mmd, fits)]
    protocol_picks = []
    for model, words, want in (
        ("GMM", "Gaussian mixture: more components give a lower IMQ MMD².", "largest"),
        ("GaussianKDE", "KDE: the smallest bandwidth gives the lowest IMQ MMD².", "smallest"),
        ("DensityForest", "Density forest: smaller leaves give a lower IMQ MMD².", "smallest"),
    ):
        row, param, best = _direction(mmd, verdicts, model, words, want)
        rows.append(row)
        if best is not None:
            protocol_picks.append(
                (
                    f"{setting(param, best, math=False)} for the {family(model)}",
                    verdicts[model][best],
                )
            )
    verdict, differ, missing = _label_verdict(label_rows)
    level = percent(ALPHA, trim=True)
    evidence = (
        f"Against held-out digits labelled by the same classifier, at the {level} level, "
        + (
            f"the class proportions of {join(differ)} differ; "
            if differ
            else "no good model's class proportions are found to differ (no evidence of a "
            "difference, which is not evidence of equal proportions); "
        )
        + (f"the {join(missing)} has no good setting to test; " if missing else "")
        + "the rerun judges other models than the original, which labelled the samples of "
        "the settings its own protocol picked" + _protocol_phrase(protocol_picks) + "."
    )
    rows.append(
        _row(
            "The good mixture and KDE generate the digit classes in equal proportions; the "
            "forest does not.",
            verdict,
            evidence,
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
