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
    family,
    interval,
    number,
    setting,
)
from densitylab.studies.claims import copying_verdict, select
from densitylab.studies.pick_words import bounded_p_value, picks_claims, spread_claims

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
