"""The two-moons chapter's copy verdicts: each setting's verdict over the training sets,
how firm it is, the table that shows them, and the words for a family with no good setting.

Re-exported by :mod:`densitylab.studies.moons_claims`; the rules of the verdict itself
(copy share, $C_T$) are :func:`densitylab.studies.claims.copying_verdict`'s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.report.typography import count_word, family, join, number, setting
from densitylab.studies.claims import copying_verdict, select

__all__ = [
    "forest_floor",
    "no_good_sentence",
    "verdict_claims",
    "verdict_headline",
    "verdict_margin",
    "verdict_rows",
    "verdict_table",
]


def family_rows(table: pd.DataFrame, model: str) -> pd.DataFrame:
    """The rows of one model family (a ``fits`` or ``mmd`` table)."""
    rows = select(table, model=model)
    if rows.empty:
        raise ValueError(f"the table has no rows of the family {model!r}.")
    return rows


def _set_values(fits: pd.DataFrame, model: str, value, n_train: int) -> pd.DataFrame:
    """One setting's fits at one size, one row per training set (copy share and C_T)."""
    rows = select(family_rows(fits, model), n_train=n_train, value=value)
    return rows.sort_values("repeat")[["copy_share", "ct_statistic"]]


def verdict_margin(per_set: pd.DataFrame) -> tuple[str, str, int]:
    """A setting's verdict (of the mean copy share and mean $C_T$) and how firm it is.

    Returns the verdict, ``"clear"`` when every training set on its own gives that same
    verdict and ``"near the threshold"`` when some set's own verdict differs, and the
    number of sets that agree with the verdict of the means.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.moons_verdicts import verdict_margin
    >>> verdict_margin(pd.DataFrame({"copy_share": [0.05] * 3, "ct_statistic": [3.5, 4, 5]}))
    ('over-dispersed', 'clear', 3)
    >>> verdict_margin(pd.DataFrame({"copy_share": [0.05] * 3, "ct_statistic": [2.9, 3.4, 3.8]}))
    ('over-dispersed', 'near the threshold', 2)
    """
    share, ct = per_set["copy_share"], per_set["ct_statistic"]
    verdict = copying_verdict(float(share.mean()), float(ct.mean()))
    each = [copying_verdict(float(s), float(c)) for s, c in zip(share, ct, strict=True)]
    agreeing = sum(v == verdict for v in each)
    return verdict, "clear" if agreeing == len(each) else "near the threshold", agreeing


_VERDICT_WORDS = {"copies": "copies", "over-dispersed": "over-dispersed", "neither": "passes"}


def verdict_rows(fits: pd.DataFrame, picks_: pd.DataFrame, params) -> pd.DataFrame:
    """The copy verdicts behind the picks, with the spread of $C_T$ over the training sets.

    One row per family × setting: every setting a pick names, and every setting of a
    family that has no good setting (so the reader sees why none qualifies).
    """
    n_max = max(params.train_sizes)
    rows = []
    for model in picks_["model"].drop_duplicates():
        family_picks = select(picks_, model=model)
        has_good = not select(family_picks, pick="good").empty
        settings = (
            family_picks["value"].drop_duplicates().tolist()
            if has_good
            else sorted(select(family_rows(fits, model), n_train=n_max)["value"].unique())
        )
        param = family_picks["param"].iloc[0]
        for value in sorted(settings):
            per_set = _set_values(fits, model, value, n_max)
            verdict, margin, agreeing = verdict_margin(per_set)
            names = select(family_picks, value=value)["pick"].tolist()
            ct = per_set["ct_statistic"]
            rows.append(
                {
                    "model": model,
                    "param": param,
                    "value": value,
                    "picks": ", ".join(names) if names else "–",
                    "copy_share": float(per_set["copy_share"].mean()),
                    "ct_mean": float(ct.mean()),
                    "ct_low": float(ct.min()),
                    "ct_high": float(ct.max()),
                    "verdict": verdict,
                    "margin": margin,
                    "agreeing": agreeing,
                    "n_sets": len(per_set),
                }
            )
    return pd.DataFrame(rows)


def verdict_table(rows: pd.DataFrame):
    """:func:`verdict_rows` as the report's table (plain-text headers)."""
    from densitylab.report.tables import Column, Table

    view = rows.assign(
        ct_range=[
            f"{number(lo)} to {number(hi)}"
            for lo, hi in zip(rows["ct_low"], rows["ct_high"], strict=True)
        ],
        reading=[
            _VERDICT_WORDS[v] + ("" if m == "clear" else f" ({a} of {n} sets)")
            for v, m, a, n in zip(
                rows["verdict"], rows["margin"], rows["agreeing"], rows["n_sets"], strict=True
            )
        ],
    )
    return Table(
        view,
        {
            "model": Column("family", kind="family"),
            "value": Column("setting", kind="setting"),
            "picks": Column("picked as"),
            "copy_share": Column("copy share", kind="percent"),
            "ct_mean": Column("mean C_T", kind="number"),
            "ct_range": Column("C_T range over sets", align="right"),
            "reading": Column("verdict"),
        },
    )


def forest_floor(families_: dict, params) -> dict:
    """The forest's leaf variance floor λ and what it does at the data's noise level."""
    lam = float(families_["DensityForest"].model.reg_covar)
    floor_sd = float(np.sqrt(lam))
    facts = {
        "lambda": number(lam, trim=True),
        "lambda_sd": number(floor_sd, trim=True),
        "lambda_value": lam,
    }
    if params.noise > 0:
        widened = float(np.sqrt(params.noise**2 + lam))
        facts["ratio"] = widened / params.noise
        facts["claim"] = (
            f"Every leaf Gaussian of the forest has the covariance of its points plus "
            f"$λ I$, with $λ = {number(lam, trim=True)}$: a standard deviation of at least "
            f"{number(floor_sd, trim=True)} in every direction, whatever its points. Across a "
            f"moon the data spread only by their noise, standard deviation "
            f"{number(params.noise, trim=True)}; a leaf that fits a piece of moon adds λ to "
            f"that variance, so its samples spread by about "
            f"$\\sqrt{{{number(params.noise, trim=True)}^2 + λ}} = {number(widened)}$, "
            f"{number(widened / params.noise)} times as wide as new data."
        )
    else:
        facts["ratio"] = float("inf")
        facts["claim"] = (
            f"Every leaf Gaussian of the forest has the covariance of its points plus "
            f"$λ I$, with $λ = {number(lam, trim=True)}$: a standard deviation of at least "
            f"{number(floor_sd, trim=True)} in every direction. The moons here have no noise, "
            "so all the spread of its samples across a moon comes from λ."
        )
    return facts


def verdict_claims(rows: pd.DataFrame, floor_: dict) -> dict:
    """Families without a good setting, in the words of their verdicts; firmness of picks."""
    sentences = []
    for model in rows["model"].drop_duplicates():
        fam = select(rows, model=model)
        good = fam["picks"].str.contains("good")
        if good.any():
            row = fam[good].iloc[0]
            sentences.append(_good_firmness(row))
            continue
        param = fam["param"].iloc[0]
        near = fam[fam["margin"] != "clear"]
        text = ""
        if len(near):
            text += (
                f"For the {family(model)} the verdict is near the threshold at "
                f"{join(setting(param, v) for v in near['value'])}: there some training sets "
                f"on their own give another verdict, so a rerun with other sets may find a "
                f"good setting."
            )
        else:
            text += (
                f"For the {family(model)} every training set on its own gives the same "
                "verdict at every setting."
            )
        if model == "DensityForest" and set(fam["verdict"]) == {"over-dispersed"}:
            text += f" {floor_['claim']}" + _floor_reading(rows, fam, floor_)
        sentences.append(text.strip())
    return {"claim": " ".join(sentences)}


def _floor_reading(rows: pd.DataFrame, forest: pd.DataFrame, floor_: dict) -> str:
    """What the forest's leaf variance floor does and does not explain of its verdicts."""
    if floor_["ratio"] < 1.1:
        return (
            " At this noise level the floor widens the samples only slightly, so it does not "
            "explain the verdict on its own."
        )
    text = " This widening pushes $C_T$ up."
    near = forest[forest["margin"] != "clear"]
    if near.empty:
        return text + " Every training set on its own calls every setting over-dispersed."
    text += (
        " Where some training sets pass on their own, the verdict is a threshold effect, "
        "not a clear failure"
    )
    kde = select(rows, model="GaussianKDE")
    if kde.empty or "lambda_value" not in floor_:
        return text + "."
    same = kde[np.isclose(kde["value"].astype(float) ** 2, floor_["lambda_value"])]
    passing = same[same["verdict"] == "neither"]
    if passing.empty:
        return text + "."
    row = passing.iloc[0]
    return text + (
        f", and the KDE at {setting(row.param, row.value)}, which adds the same variance λ "
        f"to every point, passes with mean $C_T$ = {number(row.ct_mean)}."
    )


def _good_firmness(row) -> str:
    name, where = family(row.model), setting(row.param, row.value)
    if row.margin == "clear":
        return (
            f"The {name}'s good setting, {where}, passes on every one of the "
            f"{count_word(row.n_sets)} training sets."
        )
    return (
        f"The {name}'s good setting, {where}, passes on its means, but only "
        f"{count_word(row.agreeing)} of the {count_word(row.n_sets)} training sets pass on "
        f"their own ($C_T$ from {number(row.ct_low)} to {number(row.ct_high)}): it is near "
        "the threshold."
    )


def no_good_sentence(fam: pd.DataFrame) -> str:
    """ "No setting of the density forest qualifies as good: all six … are over-dispersed"."""
    model, param = fam["model"].iloc[0], fam["param"].iloc[0]
    kinds = set(fam["verdict"])
    many = len(fam) > 1
    if kinds == {"over-dispersed"}:
        how = (
            f"{_all(len(fam))} of its settings are over-dispersed"
            if many
            else "its one setting is over-dispersed"
        )
    elif kinds == {"copies"}:
        how = f"{_all(len(fam))} of its settings copy" if many else "its one setting copies"
    else:
        parts = []
        for kind, words in (("copies", "copies at"), ("over-dispersed", "is over-dispersed at")):
            values = fam[fam["verdict"] == kind]["value"]
            if len(values):
                parts.append(f"it {words} {join(setting(param, v) for v in values)}")
        how = join(parts)
    return (
        f"No setting of the {family(model)} qualifies as good: {how} (mean $C_T$ from "
        f"{number(fam['ct_mean'].min())} to {number(fam['ct_mean'].max())})."
    )


def _all(n: int) -> str:
    """ "both" for two, "all six" for more."""
    return "both" if n == 2 else f"all {count_word(n)}"


def verdict_headline(verdicts: pd.DataFrame, floor_: dict) -> dict:
    """Plain-text phrases (no maths) on families without a good setting, for the intro.

    ``no_good`` reads e.g. "no setting of the density forest passes: all six are
    over-dispersed, n_min = 2 and n_min = 5 only narrowly (some training sets pass)";
    empty when every family has a good setting.
    """
    parts = []
    for model in verdicts["model"].drop_duplicates():
        fam = select(verdicts, model=model)
        if fam["picks"].str.contains("good").any():
            continue
        param = fam["param"].iloc[0]
        kinds = set(fam["verdict"])
        many = len(fam) > 1
        if kinds == {"over-dispersed"}:
            how = f"{_all(len(fam))} are over-dispersed" if many else "it is over-dispersed"
        elif kinds == {"copies"}:
            how = f"{_all(len(fam))} copy" if many else "it copies"
        else:
            how = "each copies or is over-dispersed"
        near = fam[fam["margin"] != "clear"]["value"]
        if len(near):
            how += (
                f", {join(setting(param, v, math=False) for v in near)} only narrowly "
                "(some training sets pass)"
            )
        parts.append(f"no setting of the {family(model)} passes: {how}")
    text = "; ".join(parts) or "every family has a setting that passes both copy checks"
    if "DensityForest" in set(verdicts["model"]) and "density forest" in text:
        text += (
            f"; its leaf variance floor λ = {floor_['lambda']} (a standard deviation of "
            f"{floor_['lambda_sd']}) widens its samples"
        )
    return {"no_good": text}
