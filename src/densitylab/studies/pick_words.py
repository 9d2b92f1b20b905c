"""The picks' sentences: why the rules pick differently, and which verdicts are borderline.

:func:`picks_claims` says, where the original protocol and the good rule pick differently,
why (the copy checks exclude the original protocol's pick, or the held-out MMD² ranks it
lower) and what held-out MMD² says about the pair (a relative test, or the paired 95 %
interval the picks table carries); :func:`spread_claims` reads the range of the copy
checks over the repeats. Re-exported by :mod:`densitylab.studies.picks`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from densitylab.report._numbers import power_of_ten
from densitylab.report.typography import (
    NBSP,
    count_word,
    family,
    join,
    number,
    p_value,
    percent,
    setting,
)
from densitylab.report.typography import span as tp_span
from densitylab.studies.claims import COPY_QUANTILE, CT_LIMIT, select

__all__ = ["ALPHA", "bounded_p_value", "picks_claims", "spread_claims"]

#: Level of the held-out comparisons in :func:`picks_claims`.
ALPHA = 0.05


def bounded_p_value(p, floor: float = 1e-6, *, label: str = "p") -> str:
    """A p-value that an approximation cannot make more precise than ``floor``.

    A combined (Stouffer) p over correlated splits, or a normal tail far out, is not
    meaningful to many digits: below ``floor`` it reads "p < 10⁻⁶", else as
    the report's ``p_value`` of :mod:`densitylab.report.typography` (``label=""``: the
    bare value, for a table column headed "p").

    Examples
    --------
    >>> from densitylab.studies.picks import bounded_p_value
    >>> [bounded_p_value(p).replace("\\xa0", " ") for p in (3.3e-42, 0.016)]
    ['p < 10⁻⁶', 'p = 0.016']
    """
    if not 0 < floor < 1:
        raise ValueError(f"floor must lie strictly between 0 and 1, got {floor!r}.")
    if float(p) < floor:
        exponent = math.log10(floor)
        bound = power_of_ten(round(exponent)) if exponent.is_integer() else number(floor)
        return f"{label}{NBSP}<{NBSP}{bound}" if label else f"<{NBSP}{bound}"
    return p_value(p, label=label)


_EXCLUDED = {
    "copies": "the copy checks exclude it because it copies",
    "over-dispersed": "the copy checks exclude it because its samples are over-dispersed",
    "unknown": "its copy checks could not be computed",
}
_NOUN = {"copies": "the copier", "over-dispersed": "the over-dispersed setting"}


def _heldout_relation(row, original_setting, good_setting, p_closer) -> str:
    """What held-out MMD² says about the original-protocol pick against the good pick."""
    noun = _NOUN.get(row["verdict"], "the original protocol's pick")
    if p_closer is not None:
        p = float(p_closer)
        if p < ALPHA:
            return f"held-out MMD² prefers {good_setting} (relative test, {bounded_p_value(p)})"
        if p > 1 - ALPHA:
            return (
                f"held-out MMD² prefers {noun} {original_setting} (relative test, "
                f"{bounded_p_value(1 - p)})"
            )
        return (
            "held-out MMD² cannot tell the two apart (relative test, one-sided "
            f"{p_value(min(p, 1 - p))} for the one closer on average)"
        )
    low, high = row.get("mmd2_vs_good_low", math.nan), row.get("mmd2_vs_good_high", math.nan)
    if not (np.isfinite(low) and np.isfinite(high)):
        return "too few repeats to compare their held-out MMD²"
    span = tp_span(low, high)
    if low > 0:
        return (
            f"held-out MMD² prefers {good_setting} (paired 95 % interval of the difference, "
            f"{span})"
        )
    if high < 0:
        return (
            f"held-out MMD² prefers {noun} {original_setting} (paired 95 % interval of the "
            f"difference, {span})"
        )
    return (
        "held-out MMD² cannot tell the two apart (the paired 95 % interval of the difference, "
        f"{span}, holds 0)"
    )


def picks_claims(picks: pd.DataFrame, *, relative=None) -> str:
    """What the picks say: families without a good setting, and where the rules differ.

    Where the original protocol and the good rule pick differently, the sentence says why
    (the copy checks exclude the original protocol's pick, or the held-out MMD² ranks it
    below the good one) and what held-out MMD² says about the pair: from ``relative``
    when given, else from the paired 95 % interval of their difference over the repeats.

    Parameters
    ----------
    picks : pandas.DataFrame
        A :func:`picks_table`.
    relative : mapping, optional
        Model class name → one-sided p-value of a relative test that the good pick is
        closer to the held-out data than the original protocol's pick (small: the good
        pick is closer; near 1: the original protocol's pick is).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.picks import picks_claims
    >>> picks = pd.DataFrame({"model": ["GaussianKDE"] * 2, "pick": ["best log-lik", "bad"],
    ...                       "param": ["bandwidth"] * 2, "value": [2.0, 0.01],
    ...                       "tied_values": ["2", "0.01"]})
    >>> picks_claims(picks).startswith("No setting of the KDE qualifies as good")
    True
    """
    relative = dict(relative or {})
    sentences = []
    models = list(picks["model"].drop_duplicates())
    without_good = [family(m) for m in models if select(picks, model=m, pick="good").empty]
    if without_good:
        sentences.append(
            f"No setting of the {join(without_good)} qualifies as good: by the mean copy "
            f"share and $C_T$, each of {'its' if len(without_good) == 1 else 'their'} "
            "settings copies its training data or spreads beyond it."
        )
    for model in models:
        rows = select(picks, model=model)
        by_pick = {r["pick"]: r for _, r in rows.iterrows()}
        original, good = by_pick.get("original protocol"), by_pick.get("good")
        if good is None or original is None:
            continue
        param = rows["param"].iloc[0]
        good_setting = setting(param, good["value"])
        original_setting = setting(param, original["value"])
        if original["value"] == good["value"]:
            sentences.append(
                f"For the {family(model)} the original protocol and the good rule agree on "
                f"{good_setting}."
            )
            continue
        reason = _EXCLUDED.get(
            original["verdict"],
            f"it passes the copy checks, but its mean held-out MMD² is higher than that of "
            f"{good_setting}",
        )
        relation = _heldout_relation(original, original_setting, good_setting, relative.get(model))
        sentences.append(
            f"For the {family(model)} the original protocol picks {original_setting} where the "
            f"good setting is {good_setting}: {reason}, and {relation}."
        )
    return " ".join(sentences)


def _borderline(row) -> list[str]:
    """Which limits the per-repeat range of a pick's copy checks crosses."""
    crossings = []
    share_limit = 2 * COPY_QUANTILE
    if row["copy_share_max"] > share_limit >= row["copy_share"]:
        crossings.append(
            f"its copy share reaches {percent(row['copy_share_max'])} on one split, above "
            f"the {percent(share_limit, trim=True)} limit"
        )
    if row["ct_min"] < -CT_LIMIT <= row["ct_statistic"]:
        crossings.append(f"its $C_T$ falls to {number(row['ct_min'])}, below −{CT_LIMIT:g}")
    if row["ct_max"] > CT_LIMIT >= row["ct_statistic"]:
        crossings.append(f"its $C_T$ reaches {number(row['ct_max'])}, above {CT_LIMIT:g}")
    return crossings


def spread_claims(
    picks: pd.DataFrame, pick: str = "good", *, unit: str = "split", n_repeats: int | None = None
) -> str:
    """The spread of a pick's copy checks over the repeats, and which verdicts are borderline.

    A verdict is *borderline* when the range over the repeats of the copy share or of
    C_T crosses a limit of :func:`~densitylab.studies.claims.copying_verdict` that the
    mean does not: another draw of the data could change it.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.picks import spread_claims
    >>> picks = pd.DataFrame({"model": ["DensityForest"], "pick": ["good"],
    ...     "param": ["n_min"], "value": [12], "copy_share": [0.097],
    ...     "copy_share_min": [0.085], "copy_share_max": [0.114], "ct_statistic": [1.0],
    ...     "ct_min": [0.2], "ct_max": [1.9]})
    >>> "borderline" in spread_claims(picks)
    True
    """
    rows = select(picks, pick=pick)
    units = f"{unit}s"
    if rows.empty:
        return f"No family has a {pick} pick, so no such verdict can be borderline."
    over = f" over the {count_word(n_repeats)} {units}" if n_repeats else f" over the {units}"
    parts, borderline = [], []
    for _, row in rows.iterrows():
        name = f"{family(row['model'])} at {setting(row['param'], row['value'])}"
        low, high = percent(row["copy_share_min"]), percent(row["copy_share_max"])
        share = low if low == high else f"{low} to {high}"
        parts.append(
            f"the {name}, copy share {share} and $C_T$ {number(row['ct_min'])} to "
            f"{number(row['ct_max'])}"
        )
        crossings = _borderline(row)
        if crossings:
            borderline.append(f"the {name} ({join(crossings)})")
    text = f"Ranges{over} of the {pick} picks' copy checks: " + "; ".join(parts) + "."
    if borderline:
        verb = "is" if len(borderline) == 1 else "are"
        text += (
            f" The verdict of {join(borderline)} {verb} borderline: its mean passes, but not "
            f"every {unit} does, so another draw of the data could change it."
            if len(borderline) == 1
            else f" The verdicts of {join(borderline)} {verb} borderline: their means pass, "
            f"but not every {unit} does, so another draw of the data could change them."
        )
    else:
        text += " Every split gives the same verdicts as the means."
    return text
