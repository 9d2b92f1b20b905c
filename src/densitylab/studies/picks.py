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
rerun on another machine may change a pick only within that list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from densitylab.comparisons import rank_settings
from densitylab.report.tables import Column, Table
from densitylab.report.typography import family, join, setting
from densitylab.studies.claims import copying_verdict, select

__all__ = [
    "PICK_COLUMNS",
    "PICKS",
    "Criterion",
    "picks_claims",
    "picks_table",
    "picks_table_view",
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
    facts = fits.groupby("value")[["heldout_loglik", "copy_share", "ct_statistic"]].mean()
    table = table.join(facts)
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
    return {pick: (value, tied, table.loc[value]) for pick, (value, tied) in picks.items()}


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


def _ties_text(param, tied_values: str) -> str:
    if not tied_values:
        return "–"
    return ", ".join(setting(param, float(v), math=False) for v in tied_values.split("; "))


def picks_table_view(picks: pd.DataFrame) -> Table:
    """The picks as the report's HTML table (human headers, the report's number style).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.picks import picks_table_view
    >>> picks = pd.DataFrame({"family": ["GMM"], "model": ["GMM"], "pick": ["good"],
    ...     "param": ["n_components"], "value": [5], "tied_values": ["5; 8"],
    ...     "mmd2_heldout": [1.2e-4], "mmd2_heldout_se": [3e-5], "heldout_loglik": [-1.06],
    ...     "copy_share": [0.051], "ct_statistic": [-0.4]})
    >>> picks_table_view(picks).to_frame().loc[0, "ties with"].replace("\\xa0", " ")
    'K = 5, K = 8'
    """
    view = picks.assign(
        ties=[_ties_text(p, t) for p, t in zip(picks["param"], picks["tied_values"], strict=True)]
    )
    columns = {
        "family": Column("family"),
        "pick": Column("pick"),
        "value": Column("setting", kind="setting"),
        "ties": Column("ties with"),
        "mmd2_heldout": Column("held-out MMD²", kind="interval", se_column="mmd2_heldout_se"),
        "heldout_loglik": Column("held-out log-likelihood [nats]", kind="number", digits=3),
        "copy_share": Column("copy share", kind="percent"),
        "ct_statistic": Column("C_T", kind="number"),
    }
    return Table(view, columns)


def picks_claims(picks: pd.DataFrame) -> str:
    """What the picks say: families without a good setting, and where the rules differ.

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
    sentences = []
    models = list(picks["model"].drop_duplicates())
    without_good = [family(m) for m in models if select(picks, model=m, pick="good").empty]
    if without_good:
        sentences.append(
            f"No setting of the {join(without_good)} qualifies as good: each of "
            f"{'its' if len(without_good) == 1 else 'their'} settings either copies its "
            "training data or spreads beyond it."
        )
    for model in models:
        rows = select(picks, model=model)
        by_pick = dict(zip(rows["pick"], rows["value"], strict=True))
        original, good = by_pick.get("original protocol"), by_pick.get("good")
        if good is None or original is None:
            continue
        param = rows["param"].iloc[0]
        if original == good:
            sentences.append(
                f"For the {family(model)} the original protocol and the good rule agree on "
                f"{setting(param, good)}."
            )
            continue
        tied = select(rows, pick="good")["tied_values"].iloc[0].split("; ")
        relation = (
            "one the held-out MMD² cannot separate from it"
            if f"{original:g}" in tied
            else "which the held-out MMD² separates from it beyond the noise"
        )
        sentences.append(
            f"For the {family(model)} the original protocol picks {setting(param, original)} "
            f"where the good setting is {setting(param, good)}, {relation}."
        )
    return " ".join(sentences)
