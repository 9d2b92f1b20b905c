"""The picks of a study: per model family, the settings four rules choose.

* **original protocol** — the setting the original study's criterion prefers (its
  reference sample, kernel and bandwidth);
* **best log-lik** — the highest mean held-out log-likelihood;
* **good** — among the settings that neither copy their training data nor spread
  beyond it (:func:`densitylab.studies.claims.copying_verdict` of the mean copy share
  and mean C_T is ``"neither"``), the lowest mean held-out MMD²; absent when no
  setting qualifies;
* **bad** — the highest mean held-out MMD².

Every mean is over the study's repeats at one training size; each pick lists the
settings its criterion cannot separate from it (paired 95 % intervals), so that a
rerun on another machine may change a pick only within that list. Each pick also
carries the range of its copy share and C_T over the repeats (a verdict whose range
crosses a limit is borderline) and the paired 95 % interval of its held-out MMD²
minus the good pick's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from densitylab.comparisons import paired_difference, rank_settings
from densitylab.report._numbers import power_of_ten
from densitylab.report.tables import Column, Table
from densitylab.report.typography import (
    NBSP,
    count_word,
    family,
    interval,
    join,
    number,
    p_value,
    percent,
    setting,
)
from densitylab.studies.claims import COPY_QUANTILE, CT_LIMIT, copying_verdict, select

__all__ = [
    "PICK_COLUMNS",
    "PICKS",
    "Criterion",
    "bounded_p_value",
    "picks_claims",
    "picks_table",
    "picks_table_view",
    "spread_claims",
]

#: The four picks, in the order of the table.
PICKS = ("original protocol", "best log-lik", "good", "bad")

#: Columns of :func:`picks_table`, in order.
PICK_COLUMNS = (
    "family",
    "model",
    "pick",
    "param",
    "value",
    "tied_values",
    "mmd2_heldout",
    "mmd2_heldout_se",
    "mmd2_original",
    "heldout_loglik",
    "copy_share",
    "ct_statistic",
    "verdict",
    "copy_share_min",
    "copy_share_max",
    "ct_min",
    "ct_max",
    "mmd2_vs_good_low",
    "mmd2_vs_good_high",
)

#: Level of the held-out comparisons in :func:`picks_claims`.
ALPHA = 0.05


@dataclass(frozen=True)
class Criterion:
    """Which MMD² rows a pick ranks by: the reference sample, kernel and named bandwidth."""

    reference: str
    kernel: str
    bandwidth_name: str

    def rows(self, mmd: pd.DataFrame) -> pd.DataFrame:
        return select(
            mmd, reference=self.reference, kernel=self.kernel, bandwidth_name=self.bandwidth_name
        )


def _per_value(fits: pd.DataFrame, mmd: pd.DataFrame, heldout: Criterion, original: Criterion):
    """Mean held-out MMD² (with se), original-protocol MMD², and per-fit facts per value."""
    held = heldout.rows(mmd).groupby("value")["mmd2"]
    table = pd.DataFrame(
        {
            "mmd2_heldout": held.mean(),
            "mmd2_heldout_se": held.std(ddof=1) / np.sqrt(held.count()),
            "mmd2_original": original.rows(mmd).groupby("value")["mmd2"].mean(),
        }
    )
    by_value = fits.groupby("value")
    facts = by_value[["heldout_loglik", "copy_share", "ct_statistic"]].mean()
    spread = pd.DataFrame(
        {
            "copy_share_min": by_value["copy_share"].min(),
            "copy_share_max": by_value["copy_share"].max(),
            "ct_min": by_value["ct_statistic"].min(),
            "ct_max": by_value["ct_statistic"].max(),
        }
    )
    table = table.join(facts).join(spread)
    table["verdict"] = [
        copying_verdict(s, c) if np.isfinite(s) and np.isfinite(c) else "unknown"
        for s, c in zip(table["copy_share"], table["ct_statistic"], strict=True)
    ]
    return table


def _family_picks(fits, mmd, heldout: Criterion, original: Criterion) -> dict:
    """The value and tie list of every pick that exists for one family."""
    table = _per_value(fits, mmd, heldout, original)
    picks = {}
    by_original = rank_settings(original.rows(mmd), "mmd2")
    picks["original protocol"] = (by_original.best, by_original.tied)
    by_likelihood = rank_settings(fits, "heldout_loglik", minimize=False)
    if by_likelihood.best is not None:
        picks["best log-lik"] = (by_likelihood.best, by_likelihood.tied)
    held_rows = heldout.rows(mmd)
    qualified = table.index[table["verdict"] == "neither"].tolist()
    if qualified:
        ranking = rank_settings(held_rows[held_rows["value"].isin(qualified)], "mmd2")
        picks["good"] = (ranking.best, ranking.tied)
    worst = rank_settings(held_rows, "mmd2", minimize=False)
    picks["bad"] = (worst.best, worst.tied)
    out = {}
    for pick, (value, tied) in picks.items():
        facts = table.loc[value].copy()
        facts["mmd2_vs_good_low"] = facts["mmd2_vs_good_high"] = math.nan
        if "good" in picks and value != picks["good"][0]:
            wide = held_rows.pivot(index="repeat", columns="value", values="mmd2")
            pair = wide[[value, picks["good"][0]]].dropna()
            diff = paired_difference(pair.iloc[:, 0], pair.iloc[:, 1])
            facts["mmd2_vs_good_low"], facts["mmd2_vs_good_high"] = diff.low, diff.high
        out[pick] = (value, tied, facts)
    return out


def picks_table(
    fits: pd.DataFrame,
    mmd: pd.DataFrame,
    *,
    n_train: int,
    heldout: Criterion,
    original: Criterion,
    families=None,
) -> pd.DataFrame:
    """The picks of every family with a hyper-parameter, one row per family × pick.

    Parameters
    ----------
    fits, mmd : pandas.DataFrame
        The study's two tidy tables (all families).
    n_train : int
        The training size the picks are made at.
    heldout : Criterion
        The held-out MMD² that ranks "good" and "bad" (e.g. the test set, SE, median σ).
    original : Criterion
        The original study's criterion.
    families : sequence of str, optional
        Model class names to include (default: every family with more than one value).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PICK_COLUMNS`; ``tied_values`` is the text of the values the
        pick's criterion cannot separate from it (e.g. ``"8; 12; 20"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.picks import Criterion, picks_table
    >>> keys = {"model": "GMM", "param": "n_components", "n_train": 100,
    ...         "value": [1] * 3 + [5] * 3, "repeat": [0, 1, 2] * 2}
    >>> fits = pd.DataFrame(keys | {"heldout_loglik": [-2.0, -2.1, -2.05, -1.0, -1.1, -1.05],
    ...                             "copy_share": 0.05, "ct_statistic": 0.0})
    >>> mmd = pd.concat([pd.DataFrame(keys | {"reference": "test", "kernel": "se",
    ...                               "bandwidth_name": b, "mmd2": [3.0, 3.1, 2.9, 1.0, 1.2, 1.1]})
    ...                  for b in ("median", "original")])
    >>> table = picks_table(fits, mmd, n_train=100, heldout=Criterion("test", "se", "median"),
    ...                     original=Criterion("test", "se", "original"))
    >>> table[["pick", "value"]].values.tolist()
    [['original protocol', 5], ['best log-lik', 5], ['good', 5], ['bad', 1]]
    """
    fits = select(fits, n_train=n_train)
    mmd = select(mmd, n_train=n_train)
    if families is None:
        counts = fits.groupby("model")["value"].nunique()
        families = [m for m in fits["model"].drop_duplicates() if counts[m] > 1]
    rows = []
    for model in families:
        family_fits, family_mmd = select(fits, model=model), select(mmd, model=model)
        if family_fits.empty:
            raise ValueError(f"no fits of the family {model!r} at n_train={n_train}.")
        param = family_fits["param"].iloc[0]
        for pick, (value, tied, facts) in _family_picks(
            family_fits, family_mmd, heldout, original
        ).items():
            rows.append(
                {
                    "family": family(model),
                    "model": model,
                    "pick": pick,
                    "param": param,
                    "value": value,
                    "tied_values": "; ".join(f"{v:g}" for v in tied),
                    **{c: facts[c] for c in PICK_COLUMNS if c in facts.index},
                }
            )
    table = pd.DataFrame(rows, columns=list(PICK_COLUMNS))
    order = {pick: i for i, pick in enumerate(PICKS)}
    table["_order"] = table["pick"].map(order)
    sort_keys = [families.index(m) for m in table["model"]]
    table["_family_order"] = sort_keys
    table = table.sort_values(["_family_order", "_order"], kind="stable")
    return table.drop(columns=["_order", "_family_order"]).reset_index(drop=True)


def _ties_text(param, tied_values: str, value=None) -> str:
    """The tie list in words, without the pick itself ("—" when it ties with nothing)."""
    others = [v for v in str(tied_values or "").split("; ") if v]
    if value is not None:
        others = [v for v in others if float(v) != float(value)]
    if not others:
        return "—"
    return ", ".join(setting(param, float(v), math=False) for v in others)


def _common_exponent(means, ses) -> int:
    """One power of ten for a column of intervals, so that every cell has one style.

    0 when every cell already reads in fixed notation (the larger of mean and standard
    error of each row from 10⁻³ up to 10⁴), else the power that puts the smallest
    standard error at 1 or above and the largest mean below 10⁴.
    """
    pairs = [
        (abs(m), s) for m, s in zip(means, ses, strict=True) if np.isfinite(m) and np.isfinite(s)
    ]
    if not pairs:
        return 0
    if all(1e-3 <= max(m, s) < 1e4 for m, s in pairs):
        return 0
    positive = [s for _, s in pairs if s > 0]
    low = math.floor(math.log10(min(positive))) if positive else 0
    largest = max(m for m, _ in pairs)
    high = math.floor(math.log10(largest)) - 3 if largest > 0 else low
    return max(low, high)


def _loglik_text(x) -> str:
    """A log-likelihood in one style: three significant digits, whole nats from 1000 on."""
    if not np.isfinite(x):
        return number(x)
    if abs(x) < 1000:
        return number(x, 3)
    digits = int(math.floor(math.log10(abs(x)))) + 1
    return number(int(round(x, 3 - digits)))


def picks_table_view(picks: pd.DataFrame) -> Table:
    """The picks as the report's HTML table (human headers, the report's number style).

    The held-out MMD² column is written in one power of ten for all its cells (named in
    the header), the log-likelihood in one style; "ties with" omits the pick itself.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.picks import picks_table_view
    >>> picks = pd.DataFrame({"family": ["GMM"], "model": ["GMM"], "pick": ["good"],
    ...     "param": ["n_components"], "value": [5], "tied_values": ["5; 8"],
    ...     "mmd2_heldout": [1.2e-4], "mmd2_heldout_se": [3e-5], "heldout_loglik": [-1.06],
    ...     "copy_share": [0.051], "ct_statistic": [-0.4]})
    >>> frame = picks_table_view(picks).to_frame()
    >>> frame.loc[0, "ties with"].replace("\\xa0", " ")
    'K = 8'
    >>> list(frame.columns)[4].replace("\\xa0", " "), frame.iloc[0, 4].replace("\\xa0", " ")
    ('held-out MMD² [× 10⁻⁵]', '12.0 ± 3.0')
    """
    exponent = _common_exponent(picks["mmd2_heldout"], picks["mmd2_heldout_se"])
    scale = 10.0**-exponent
    view = picks.assign(
        ties=[
            _ties_text(p, t, v)
            for p, t, v in zip(picks["param"], picks["tied_values"], picks["value"], strict=True)
        ],
        mmd2_text=[
            interval(m * scale, s * scale) if np.isfinite(s) else number(m * scale)
            for m, s in zip(picks["mmd2_heldout"], picks["mmd2_heldout_se"], strict=True)
        ],
        loglik_text=[_loglik_text(x) for x in picks["heldout_loglik"]],
    )
    unit = f" [×{NBSP}{power_of_ten(exponent)}]" if exponent else ""
    columns = {
        "family": Column("family"),
        "pick": Column("pick"),
        "value": Column("setting", kind="setting"),
        "ties": Column("ties with"),
        "mmd2_text": Column(f"held-out MMD²{unit}", align="right"),
        "loglik_text": Column("held-out log-likelihood [nats]", align="right"),
        "copy_share": Column("copy share", kind="percent"),
        "ct_statistic": Column("C_T", kind="number"),
    }
    return Table(view, columns)


def bounded_p_value(p, floor: float = 1e-6, *, label: str = "p") -> str:
    """A p-value that an approximation cannot make more precise than ``floor``.

    A combined (Stouffer) p over correlated splits, or a normal tail far out, is not
    meaningful to many digits: below ``floor`` it reads "p < 10⁻⁶", else as
    :func:`~densitylab.report.typography.p_value` (``label=""``: the bare value, for a
    table column headed "p").

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
    span = f"{number(low)} to {number(high)}"
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
