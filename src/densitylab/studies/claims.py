"""Numbers, picks and words of the report's claims, from the sweeps' tidy tables.

Each function takes tables (a sweep's ``mmd`` and ``fits``, or summaries of them)
and returns a small result object: the numbers a sentence rests on, the settings it
picks, and the sentence itself. A claim that the noise does not allow is not made:
two settings whose paired interval holds 0 *tie*; an optimum at the edge of its grid
is called an edge. The rules are defined once, here, and in the book's Methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from densitylab.comparisons import SettingRanking, rank_settings
from densitylab.report.typography import (
    count_word,
    family,
    interval,
    join,
    number,
    percent,
    setting,
)

__all__ = [
    "COPY_QUANTILE",
    "CT_LIMIT",
    "Claim",
    "copying_verdict",
    "criteria_claim",
    "select",
    "sweep_claim",
]

#: The copy check's quantile q. A model that does not copy has about this share flagged.
COPY_QUANTILE = 0.05
#: C_T below minus this value reads as copying, above it as over-dispersion.
CT_LIMIT = 3.0


@dataclass(frozen=True)
class Claim:
    """A claim: its sentence(s) and the numbers and picks behind them.

    Attributes
    ----------
    text : str
        Markdown for ``{glue:md}`` (no bold; math in ``$…$``).
    values : dict
        Numbers and settings the text rests on, for other pages to glue.
    """

    text: str
    values: dict = field(default_factory=dict)


def select(table: pd.DataFrame, **where) -> pd.DataFrame:
    """Rows of ``table`` whose columns equal the given values (a readable ``query``).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.claims import select
    >>> t = pd.DataFrame({"model": ["GMM", "GMM", "Histogram2D"], "value": [1, 2, 10]})
    >>> select(t, model="GMM")["value"].tolist()
    [1, 2]
    """
    mask = np.ones(len(table), dtype=bool)
    for column, wanted in where.items():
        if column not in table.columns:
            raise ValueError(f"table has no column {column!r}; it has {list(table.columns)}.")
        mask &= (table[column] == wanted).to_numpy()
    return table[mask]


def _others_phrase(ranking: SettingRanking, param: str) -> str:
    others = [v for v in ranking.tied if v != ranking.best]
    n_values = len(ranking.values)
    if n_values == 1:
        return ""
    if len(ranking.tied) == n_values:
        return (
            " No other setting of the grid can be told apart from it: every paired 95 % "
            "interval of the difference holds 0."
        )
    if not others:
        return " Every other setting is worse beyond the noise (paired 95 % intervals exclude 0)."
    verb = "is" if len(others) == 1 else "are"
    return (
        f" {join(setting(param, v) for v in others)} {verb} within the noise of it "
        f"(the paired 95 % interval of the difference holds 0); "
        f"{join(setting(param, v) for v in ranking.separated)} "
        f"{'is' if len(ranking.separated) == 1 else 'are'} worse beyond the noise."
    )


def _edge_phrase(ranking: SettingRanking, param: str) -> str:
    if ranking.edge is None:
        return ""
    extreme = "smallest" if ranking.edge == "lower" else "largest"
    return (
        f" {setting(param, ranking.best)} is the {extreme} value of the grid, so the "
        "optimum may lie beyond it."
    )


def sweep_claim(
    mmd: pd.DataFrame,
    *,
    n_train: int,
    kernel: str = "se",
    bandwidth_name: str = "median",
    bandwidth_words: str = "",
) -> tuple[SettingRanking, Claim]:
    """Which setting of one family's sweep gives the lowest MMD², and which tie with it.

    Parameters
    ----------
    mmd : pandas.DataFrame
        The ``mmd`` table of one family's sweep (one model, one swept parameter).
    n_train : int
        The training size the claim is about.
    kernel, bandwidth_name : str
        Which MMD² column of the sweep to rank by.
    bandwidth_words : str, default=""
        How the bandwidth reads in the sentence, e.g. ``"$σ = 0.82$"``.

    Returns
    -------
    ranking : SettingRanking
    claim : Claim

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.claims import sweep_claim
    >>> mmd = pd.DataFrame({
    ...     "model": "GMM", "param": "n_components", "n_train": 100, "kernel": "se",
    ...     "bandwidth_name": "median", "value": [1, 1, 1, 2, 2, 2, 3, 3, 3],
    ...     "repeat": [0, 1, 2] * 3,
    ...     "mmd2": [0.30, 0.32, 0.31, 0.100, 0.120, 0.110, 0.105, 0.118, 0.111]})
    >>> ranking, claim = sweep_claim(mmd, n_train=100)
    >>> ranking.best, ranking.tied
    (2, [2, 3])
    >>> "$K = 3$ is within the noise of it" in claim.text
    True
    """
    rows = select(mmd, n_train=n_train, kernel=kernel, bandwidth_name=bandwidth_name)
    if rows.empty:
        raise ValueError(
            f"no MMD² rows for n_train={n_train}, kernel={kernel!r}, "
            f"bandwidth_name={bandwidth_name!r}."
        )
    param = rows["param"].iloc[0]
    ranking = rank_settings(rows, "mmd2")
    best = ranking.comparisons[ranking.best]
    mean = float(ranking.means[ranking.values.index(ranking.best)])
    spread = rows[rows["value"] == ranking.best]["mmd2"]
    se = float(spread.std(ddof=1) / np.sqrt(len(spread))) if len(spread) > 1 else float("nan")
    del best
    kernel_words = {"se": "SE", "imq": "IMQ"}[kernel]
    sigma = f", {bandwidth_words}" if bandwidth_words else ""
    n_repeats = rows["repeat"].nunique()
    text = (
        f"With {number(n_train)} training points, the mean MMD² ({kernel_words} kernel{sigma}) "
        f"of the {family(rows['model'].iloc[0])} is lowest at {setting(param, ranking.best)}: "
        f"{interval(mean, se)} (mean ± standard error over {count_word(n_repeats)} "
        "training sets)."
    )
    text += _others_phrase(ranking, param) + _edge_phrase(ranking, param)
    return ranking, Claim(text, {"best": ranking.best, "mean": mean, "se": se})


def criteria_claim(
    mmd: pd.DataFrame, fits: pd.DataFrame, *, n_train: int, bandwidth_name: str = "median"
) -> Claim:
    """Do MMD² (SE) and the held-out log-likelihood prefer the same setting?

    The words come from the two paired rankings (at ``n_train``), four cases:

    * both prefer the same setting (``relation = "same"``);
    * each criterion's choice lies within the other's ties: they *agree within the
      noise* (``"agree"``);
    * one criterion cannot separate the other's choice from its own, but the other
      separates it: *compatible, not equivalent* (``"compatible"``), with which one
      separates which said in words;
    * each separates the other's choice from its own: they *disagree* (``"disagree"``).

    ``values["relation"]`` holds the case, for summaries built on it; for
    ``"compatible"``, ``values["separator"]`` says which criterion separates the
    other's choice (``"likelihood"`` or ``"mmd"``).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.claims import criteria_claim
    >>> base = {"model": "GaussianKDE", "param": "bandwidth", "n_train": 50}
    >>> keys = {"value": [0.1] * 3 + [0.2] * 3, "repeat": [0, 1, 2] * 2}
    >>> mmd = pd.DataFrame(base | keys | {"kernel": "se", "bandwidth_name": "median",
    ...                    "mmd2": [1.0, 1.1, 0.9, 2.0, 2.2, 2.1]})
    >>> fits = pd.DataFrame(base | keys | {"heldout_loglik": [-2.0, -2.1, -2.2,
    ...                                                       -1.0, -1.1, -1.2]})
    >>> "disagree" in criteria_claim(mmd, fits, n_train=50).text
    True
    """
    by_mmd = rank_settings(
        select(mmd, n_train=n_train, kernel="se", bandwidth_name=bandwidth_name), "mmd2"
    )
    rows = select(fits, n_train=n_train)
    param, name = rows["param"].iloc[0], family(rows["model"].iloc[0])
    by_likelihood = rank_settings(rows, "heldout_loglik", minimize=False)
    if by_likelihood.best is None:
        return Claim(
            f"The {name}'s held-out log-likelihood is −∞ in every run at {number(n_train)} "
            "training points, so it cannot rank the settings; MMD² still can.",
            {"mmd_best": by_mmd.best, "loglik_best": None, "relation": "unranked"},
        )
    a, b = by_mmd.best, by_likelihood.best
    separator = None
    picks = f"MMD² prefers {setting(param, a)} and the held-out log-likelihood {setting(param, b)}"
    mmd_ties_b, lik_ties_a = b in by_mmd.tied, a in by_likelihood.tied
    if a == b:
        relation = "same"
        text = f"For the {name}, both criteria prefer {setting(param, a)}."
    elif mmd_ties_b and lik_ties_a:
        relation = "agree"
        text = (
            f"For the {name}, {picks}; the two agree within the noise: neither criterion "
            "can separate the other's choice from its own."
        )
    elif mmd_ties_b:
        relation, separator = "compatible", "likelihood"
        text = (
            f"For the {name}, {picks}. MMD² cannot separate the likelihood's choice from its "
            "own, but the likelihood separates MMD²'s choice from its own beyond the noise: "
            "the two are compatible, not equivalent."
        )
    elif lik_ties_a:
        relation, separator = "compatible", "mmd"
        text = (
            f"For the {name}, {picks}. The likelihood cannot separate MMD²'s choice from its "
            "own, but MMD² separates the likelihood's choice from its own beyond the noise: "
            "the two are compatible, not equivalent."
        )
    else:
        relation = "disagree"
        text = (
            f"For the {name} the two criteria disagree: {picks}, and each separates the "
            "other's choice from its own beyond the noise."
        )
    values = {"mmd_best": a, "loglik_best": b, "relation": relation, "separator": separator}
    edges = [
        f"the {what} optimum {setting(param, r.best)} is at the grid's "
        f"{'lower' if r.edge == 'lower' else 'upper'} edge"
        for what, r in (("MMD²", by_mmd), ("likelihood", by_likelihood))
        if r.edge is not None
    ]
    if edges:
        text += " Note that " + join(edges) + "."
    return Claim(text, values)


def copying_verdict(share: float, ct: float, *, quantile=COPY_QUANTILE, limit=CT_LIMIT) -> str:
    """Read the copy share and C_T both ways: ``"copies"``, ``"over-dispersed"`` or ``"neither"``.

    A model copies when it flags more than twice the expected share of its samples
    (``share > 2q``) or when ``C_T < −limit``; it is over-dispersed (its samples lie
    farther from the training points than new data do) when ``C_T > limit``.

    Examples
    --------
    >>> from densitylab.studies.claims import copying_verdict
    >>> copying_verdict(0.43, -8.0), copying_verdict(0.05, 0.4), copying_verdict(0.01, 6.0)
    ('copies', 'neither', 'over-dispersed')
    """
    if not (np.isfinite(share) and np.isfinite(ct)):
        raise ValueError(f"share and ct must be finite, got {share!r} and {ct!r}.")
    if share > 2 * quantile or ct < -limit:
        return "copies"
    if ct > limit:
        return "over-dispersed"
    return "neither"


def copying_phrase(name: str, param: str, value, share: float, ct: float) -> str:
    """One setting's copy reading in words.

    Examples
    --------
    >>> from densitylab.studies.claims import copying_phrase
    >>> copying_phrase("KDE", "bandwidth", 0.02, 0.43, -8.1).replace("\\xa0", " ")
    'the KDE at $h = 0.02$ flags 43 % of its samples and has $C_T = −8.1$: it copies'
    """
    verdict = copying_verdict(share, ct)
    words = {
        "copies": "it copies",
        "over-dispersed": "its samples lie farther from the data than new data do",
        "neither": "it neither copies nor spreads beyond the data",
    }[verdict]
    return (
        f"the {name} at {setting(param, value)} flags {percent(share)} of its samples and "
        f"has $C_T = {number(ct)}$: {words}"
    )


def mmd_preview(mmd: pd.DataFrame, n_rows: int = 4):
    """The first rows of a sweep's ``mmd`` table, headed by the table's own column names.

    The headers are the names a reader uses to select rows (``n_train``,
    ``bandwidth_name`` …); ``bandwidth`` is the kernel's σ, ``mmd2`` the MMD².

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.claims import mmd_preview
    >>> mmd = pd.DataFrame({"model": ["GMM"], "param": ["n_components"], "value": [3.0],
    ...     "n_train": [100], "repeat": [0], "reference": ["test"], "kernel": ["se"],
    ...     "bandwidth_name": ["median"], "bandwidth": [0.82], "mmd2": [1.2e-3]})
    >>> frame = mmd_preview(mmd).to_frame()
    >>> list(frame.columns)[:4], list(frame.columns)[-3:]
    (['model', 'param', 'value', 'n_train'], ['bandwidth_name', 'bandwidth', 'mmd2'])
    >>> frame.iloc[0].tolist()[2:]
    ['3', '100', '0', 'se', 'median', '0.82', '0.0012']
    """
    from densitylab.report.tables import Column, Table

    rows = mmd.head(n_rows).assign(value=lambda t: [f"{v:g}" for v in t["value"]])
    names = ["model", "param", "value", "n_train", "repeat", "kernel", "bandwidth_name"]
    columns = {
        name: Column(name, kind="int" if name in ("n_train", "repeat") else "text")
        for name in names
    }
    columns |= {
        "bandwidth": Column("bandwidth", kind="number"),
        "mmd2": Column("mmd2", kind="number"),
    }
    return Table(rows, columns)


def parameters_table(schema):
    """A study's parameters as the report's table: name, default, allowed values, meaning.

    Examples
    --------
    >>> from densitylab.studies import moons
    >>> from densitylab.studies.claims import parameters_table
    >>> parameters_table(moons.PARAMETERS).to_frame().iloc[0].tolist()[:2]
    ['seed', '0']
    """
    from densitylab.report.tables import Column, Table

    return Table(
        schema.to_frame(),
        {
            "parameter": Column("parameter", kind="code"),
            "default": Column("default", kind="code"),
            "allowed values": Column("allowed values"),
            "meaning": Column("meaning"),
        },
    )


def runtime_text(seconds: float) -> str:
    """A wall-clock time as the text writes it: "48 s", "2 min 5 s".

    Examples
    --------
    >>> from densitylab.studies.claims import runtime_text
    >>> runtime_text(48.3), runtime_text(125.2)
    ('48 s', '2 min 5 s')
    """
    seconds = round(float(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60} s"
