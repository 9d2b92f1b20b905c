"""The headline findings of each study, as plain phrases for the book's introduction.

The introduction pastes them from the executed notebooks with ``{glue:text}``, which
carries plain text only: settings are written without maths ("K = 20").
"""

from __future__ import annotations

import pandas as pd

from densitylab.report.typography import family, join, number, percent, setting
from densitylab.studies import moons
from densitylab.studies.claims import COPY_QUANTILE, CT_LIMIT, copying_verdict, select
from densitylab.studies.digits_checks import ALPHA

__all__ = ["digits_headlines", "moons_headlines"]


def _near_limits(rows: pd.DataFrame, quantile=COPY_QUANTILE, limit=CT_LIMIT) -> list[str]:
    """The copy checks' limits that single repeats of one setting fall on both sides of.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.intro import _near_limits
    >>> rows = pd.DataFrame({"copy_share": [0.04, 0.05], "ct_statistic": [2.8, 3.5]})
    >>> _near_limits(rows)
    ['the data-copying statistic from 2.8 to 3.5, across its limit of 3']
    """
    found = []
    share, ct = rows["copy_share"], rows["ct_statistic"]
    if share.min() <= 2 * quantile < share.max():
        found.append(
            f"the copy share from {percent(share.min())} to {percent(share.max())}, across its "
            f"limit of {percent(2 * quantile, trim=True)}"
        )
    for bound in (-limit, limit):
        if ct.min() <= bound < ct.max():
            found.append(
                f"the data-copying statistic from {number(ct.min())} to {number(ct.max())}, "
                f"across its limit of {number(bound, trim=True)}"
            )
    return found


def _near_phrase(fits: pd.DataFrame | None, model: str, value) -> str:
    """ " (near a limit)" when single repeats of the setting fall on both sides of one."""
    if fits is None or not _near_limits(select(fits, model=model, value=value)):
        return ""
    return " (near a limit)"


def _no_good_phrase(fits: pd.DataFrame | None, model: str, param: str, floor: float | None) -> str:
    """Why a family has no good setting: what each of its settings does."""
    if fits is None:
        return f"no setting of the {family(model)} passes both copy checks"
    rows = select(fits, model=model)
    means = rows.groupby("value")[["copy_share", "ct_statistic"]].mean()
    verdicts = {v: copying_verdict(*means.loc[v]) for v in means.index}
    kinds = set(verdicts.values())
    near = [v for v in means.index if _near_limits(select(rows, value=v))]
    near_words = f"; near a limit at {_plain(param, near)}" if near else ""
    symbol = setting(param, 0, math=False).split("\xa0")[0]
    text = f"the {family(model)} has none: "
    if kinds == {"over-dispersed"}:
        text += (
            f"it is over-dispersed at every {symbol} tried (mean data-copying statistic "
            f"{number(means['ct_statistic'].min())} to {number(means['ct_statistic'].max())}, "
            f"limit {number(CT_LIMIT, trim=True)}{near_words})"
        )
    elif kinds == {"copies"}:
        text += f"it copies at every {symbol} tried" + (f" ({near_words[2:]})" if near else "")
    else:
        text += "each setting either copies or is over-dispersed" + (
            f" ({near_words[2:]})" if near else ""
        )
    if floor is not None and model == "DensityForest":
        text += (
            f", and each of its leaves keeps a variance floor λ = {number(floor, trim=True)} "
            f"(standard deviation {number(floor**0.5, trim=True)})"
        )
    return text


def _plain(param, values) -> str:
    return join(setting(param, v, math=False) for v in values)


def _good_phrase(
    picks: pd.DataFrame, fits: pd.DataFrame | None = None, floor: float | None = None
) -> str:
    good = select(picks, pick="good")
    parts = [
        f"the {family(row.model)} with {setting(row.param, row.value, math=False)}"
        + _near_phrase(fits, row.model, row.value)
        for row in good.itertuples()
    ]
    missing = [
        (row.model, row.param)
        for row in picks.drop_duplicates("model").itertuples()
        if select(picks, model=row.model, pick="good").empty
    ]
    text = join(parts) if parts else "no setting of any family"
    for model, param in missing:
        text += "; " + _no_good_phrase(fits, model, param, floor)
    return text


def moons_headlines(
    picks: pd.DataFrame, params, sigmas, noise: dict, hist: dict, fits: pd.DataFrame | None = None
) -> dict:
    """Plain phrases of the two-moons chapter for the introduction.

    With the sweep's ``fits``, a family without a good setting is described setting by
    setting (at the largest training size), and verdicts near a limit are flagged.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from densitylab.studies.intro import moons_headlines
    >>> picks = pd.DataFrame({"model": ["GMM"], "pick": ["good"], "param": ["n_components"],
    ...                       "value": [20.0]})
    >>> h = moons_headlines(picks, SimpleNamespace(train_sizes=[100, 1000]),
    ...                     {"median": 0.82}, {"null_sd": 4e-4}, {"zero_share_finest": 0.65})
    >>> h["good"]
    'the GMM with K\\xa0=\\xa020'
    """
    return {
        "n_max": number(max(params.train_sizes)),
        "sigma": number(sigmas["median"]),
        "good": _good_phrase(picks)
        if fits is None
        else _good_phrase(
            picks,
            select(fits, n_train=max(params.train_sizes)),
            moons.families(params)["DensityForest"].model.reg_covar,
        ),
        "null_sd": number(noise["null_sd"]),
        "zero_share": percent(hist["zero_share_finest"]),
    }


def digits_headlines(picks: pd.DataFrame, fits: pd.DataFrame, distances: dict, labels) -> dict:
    """Plain phrases of the digits chapter for the introduction.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from densitylab.studies.intro import digits_headlines
    >>> picks = pd.DataFrame({"model": ["GaussianKDE"], "pick": ["original protocol"],
    ...     "param": ["bandwidth"], "value": [0.01], "verdict": ["copies"]})
    >>> fits = pd.DataFrame({"model": ["GaussianKDE"], "value": [0.01],
    ...                      "copy_share": [1.0], "ct_statistic": [-24.0]})
    >>> h = digits_headlines(picks, fits, {"sigma": "35", "median_distance": "49"},
    ...                      SimpleNamespace(rows=[]))
    >>> h["original"]
    'the KDE with h\\xa0=\\xa00.01 (100\\xa0% of its samples flagged as copies)'
    """
    original = select(picks, pick="original protocol")
    parts = []
    for row in original.itertuples():
        rows = select(fits, model=row.model, value=row.value)
        share = float(rows["copy_share"].mean())
        verdict = copying_verdict(share, float(rows["ct_statistic"].mean()))
        ct = float(rows["ct_statistic"].mean())
        note = (
            (
                f"{percent(share)} of its samples flagged as copies"
                if share > 2 * COPY_QUANTILE
                else f"data-copying statistic {number(ct)}"
            )
            if verdict == "copies"
            else verdict.replace("neither", "no copying")
        )
        parts.append(
            f"the {family(row.model)} with {setting(row.param, row.value, math=False)} ({note})"
        )
    return {
        "original": join(parts),
        "good": _good_phrase(picks, fits),
        "sigma": distances["sigma"],
        "median_distance": distances["median_distance"],
        "labels": _labels_phrase(labels.rows),
    }


def _labels_phrase(rows, alpha=ALPHA) -> str:
    """The label check in words: a difference found, or only its absence.

    Examples
    --------
    >>> from densitylab.studies.intro import _labels_phrase
    >>> text = _labels_phrase([{"model": "GMM, good: K = 70", "p_value": 0.4}], alpha=0.01)
    >>> text.split(": ")[1]
    'no evidence of a difference, which is not proof of equal proportions'
    """
    if not rows:
        return "no family has a good setting whose digits could be labelled"
    differ = [r["model"] for r in rows if r["p_value"] < alpha]
    level = f"at the {percent(alpha, trim=True)} level"
    if differ:
        return (
            f"{level} the class proportions of {join(differ)} differ from those of real "
            "held-out digits"
        )
    whose = "the good model" if len(rows) == 1 else "any good model"
    return (
        f"{level} the test finds no difference between the class proportions of {whose} "
        "and those of real held-out digits: no evidence of a difference, which is not "
        "proof of equal proportions"
    )
