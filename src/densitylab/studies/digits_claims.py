"""The digits chapter's claims: numbers, picks and words for each section.

Each function returns a mapping of glue keys (without the study prefix) to values. The
rules (ties over the splits, edges, copying read both ways, picks) come from
:mod:`densitylab.studies.claims` and :mod:`densitylab.studies.picks`; the relative MMD
tests, the witness and the label check are in :mod:`densitylab.studies.digits_checks`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist

from densitylab.comparisons import rank_settings
from densitylab.models import SingleGaussian
from densitylab.report import typography as tp
from densitylab.report.typography import family  # re-exported: the notebook names families
from densitylab.studies import digits
from densitylab.studies.claims import copying_verdict, select
from densitylab.studies.digits_checks import (
    contrasts_table,
    pick_samples,
    relative_claims,
    relative_contrasts,
    relative_p_values,
    witness_claims,
    witness_digits,
)
from densitylab.studies.digits_conflicts import (
    _floor_words,
    _se,
    _train_words,
    copy_claims,
    likelihood_conflict,
    real_floor,
)
from densitylab.studies.digits_labels import label_check, samples_claims
from densitylab.studies.picks import Criterion, picks_claims, picks_table, spread_claims

__all__ = [
    "HELDOUT",
    "ORIGINAL",
    "contrasts_table",
    "copy_claims",
    "data_facts",
    "distance_facts",
    "family",
    "label_check",
    "likelihood_conflict",
    "loglik_claims",
    "original_claims",
    "pair_distances",
    "pick_samples",
    "picks",
    "picks_summary",
    "real_floor",
    "reference_claims",
    "relative_claims",
    "relative_contrasts",
    "samples_claims",
    "selected",
    "takeaways",
    "witness_claims",
    "witness_digits",
]

#: Held-out criterion (held-out digits, SE kernel, median σ) and the original protocol's
#: (training digits, IMQ kernel, σ = 1: the SE kernel reads ≈ 0 there for every non-copier).
HELDOUT = Criterion("heldout", "se", "median")
ORIGINAL = Criterion("train", "imq", "original")

#: A readable alias of :func:`densitylab.studies.claims.select` for the notebook.
selected = select


def _grid(values) -> str:
    """A grid exactly as given: "0.01, 0.1, 1.75 and 2" (never rounded)."""
    return tp.join(tp.number(v, 6, trim=True) for v in values)


def data_facts(splits, params) -> dict:
    """Sizes of the splits, the grids, and why the covariances get a variance floor."""
    first = splits[0]
    per_class = np.bincount(first.labels[1])
    constant = int(np.sum(first.X.std(axis=0) == 0))
    heldout = first.heldout
    tiny = SingleGaussian(reg_covar=1e-6).fit(first.X).score(heldout)
    floor = SingleGaussian(reg_covar=digits.REG_COVAR).fit(first.X).score(heldout)
    return {
        "repeats": tp.count_word(params.repeats),
        "test_fraction": tp.percent(params.test_fraction),
        "n_train": len(first.X),
        "n_heldout": len(heldout),
        "per_class": f"{tp.number(int(per_class.min()))} to {tp.number(int(per_class.max()))}",
        "constant": (
            f"In the first split's training part {tp.number(constant)} pixels are 0 in every "
            "image (border pixels no writer reached): a Gaussian fitted to these data is "
            "singular along them unless it is regularised."
        ),
        "gmm_grid": _grid(params.gmm_components),
        "reg_covar": tp.number(digits.REG_COVAR, trim=True),
        "reg_claim": (
            f"With the common default $\\lambda = 10^{{-6}}$ a single Gaussian gives the "
            f"held-out digits a mean log-density of {tp.number(tiny, 3)} nats; with "
            f"$\\lambda$ = {tp.number(digits.REG_COVAR, trim=True)} it gives "
            f"{tp.number(floor, 3)}."
            + (
                " The higher value at $\\lambda = 10^{-6}$ does not make it the better model: "
                "on integer pixels a smaller variance floor buys density at the pixels that "
                "barely vary (see the likelihood's conflict, below)."
                if tiny > floor
                else ""
            )
        ),
        "kde_grid": _grid(params.kde_bandwidths),
        "trees": tp.number(params.forest_trees),
        "forest_grid": _grid(params.forest_n_min),
        "n_generated": tp.number(params.n_generated),
    }


def pair_distances(split) -> np.ndarray:
    """Distances between the distinct pairs of one split's training digits (grey levels).

    Examples
    --------
    >>> from densitylab.studies import digits, digits_claims
    >>> params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults() | {"repeats": 2})
    >>> d = digits_claims.pair_distances(digits.splits(params)[0])
    >>> d.shape, bool(d.min() > 0)
    ((906531,), True)
    """
    d = np.sqrt(pdist(split.X, metric="sqeuclidean"))
    return d[d > 0]


def distance_facts(split, sigmas) -> dict:
    """How far apart digits are, and what the two kernels make of it at σ = 1."""
    d2 = pdist(split.X, metric="sqeuclidean")
    median_d2, min_d2 = float(np.median(d2)), float(d2[d2 > 0].min())
    log10_e = math.log10(math.e)
    se_at_median = f"$10^{{{round(-median_d2 * log10_e)}}}$"
    se_at_min = f"$10^{{{round(-min_d2 * log10_e)}}}$"
    sigma = sigmas["median"]
    text = (
        f"Two training digits lie a median distance of {tp.number(math.sqrt(median_d2))} grey "
        f"levels apart; even the two closest distinct digits are "
        f"{tp.number(math.sqrt(min_d2))} apart. With $\\sigma = 1$ the SE kernel at these two "
        f"distances is about {se_at_median} and {se_at_min}: zero, for all practical "
        "purposes, for every pair of different digits. An MMD² built from it registers only "
        "pairs that are (nearly) identical, so it reads ≈ 0 for every model except those "
        "that copy training digits. The IMQ kernel decays slowly, as $\\sigma/d$, and with "
        f"$\\sigma = 1$ still gives {tp.number(1 / math.sqrt(1 + median_d2))} at the median "
        f"distance. The median heuristic sets $\\sigma$ = {tp.number(sigma)}, so the SE kernel "
        f"is {tp.number(math.exp(-median_d2 / sigma**2))} at the median distance and varies "
        "across the distances that occur."
    )
    return {
        "claim": text,
        "sigma": tp.number(sigma),
        "median_distance": tp.number(math.sqrt(median_d2)),
        "min_distance": tp.number(math.sqrt(min_d2)),
        "d_max": float(np.sqrt(np.quantile(d2, 0.99))),
    }


_VERDICT_WORDS = {
    "copies": "which copies",
    "over-dispersed": "whose samples are over-dispersed",
    "neither": "which neither copies nor is over-dispersed",
}


def _means(rows: pd.DataFrame, column="mmd2") -> pd.Series:
    return rows.groupby("value")[column].mean()


def reference_claims(mmd: pd.DataFrame, fits: pd.DataFrame, params, floor=None) -> dict:
    """Against the training digits a copier scores like real unseen digits; held out it does not.

    ``floor`` (per split, :func:`real_floor`) is what real digits score against the
    held-out digits; without it the held-out value is given alone.
    """
    kde = select(mmd, model="GaussianKDE", kernel="se", bandwidth_name="median")
    h = min(params.kde_bandwidths)
    on_train = select(kde, reference="train", value=h).sort_values("repeat")
    on_heldout = select(kde, reference="heldout", value=h).sort_values("repeat")
    train_mean = float(on_train["mmd2"].mean())
    text = (
        f"Against the training digits the KDE with {tp.setting('bandwidth', h)} scores "
        f"{tp.interval(train_mean, _se(on_train['mmd2']))}"
        + (", below 0" if train_mean + 2 * _se(on_train["mmd2"]) < 0 else "")
        + ". Such a KDE returns its training digits with imperceptible noise, and against "
        "those same digits every copy meets its original in the estimator's cross term. "
    )
    if floor is not None:  # repeat r is split r
        floor = np.asarray(floor, dtype=np.float64)[on_train["repeat"].to_numpy()]
        text += _train_words(on_train["mmd2"].to_numpy(), floor) + " "
    text += (
        "Against the held-out digits it scores "
        f"{tp.interval(float(on_heldout['mmd2'].mean()), _se(on_heldout['mmd2']))}. "
    )
    if floor is not None:
        n_train = int(select(fits, model="GaussianKDE")["n_train"].iloc[0])
        text += (
            _floor_words(on_heldout["mmd2"].to_numpy(), floor, params.n_generated, n_train) + " "
        )
    lowest = []
    for model in ("GMM", "GaussianKDE", "DensityForest"):
        rows = select(mmd, model=model, reference="heldout", kernel="se", bandwidth_name="median")
        ranking = rank_settings(rows, "mmd2")
        facts = select(fits, model=model).groupby("value")[["copy_share", "ct_statistic"]].mean()
        verdict = _VERDICT_WORDS[copying_verdict(*facts.loc[ranking.best])]
        lowest.append(
            f"the {tp.family(model)} at "
            f"{tp.setting(rows['param'].iloc[0], ranking.best)} ({verdict})"
        )
    text += (
        "The lowest held-out MMD² of each family (with the settings it ties with in the "
        "picks table below) belongs to " + tp.join(lowest) + ": held-out MMD² alone does "
        "not penalise copying either, because a copy of a training digit is as good a new "
        "digit as any; the copy checks below are needed."
    )
    return {"claim": text}


def original_claims(mmd: pd.DataFrame, fits: pd.DataFrame, params) -> dict:
    """What σ = 1 reports: SE ≈ 0 unless copying; the original protocol rewards copiers."""
    se = select(mmd, kernel="se", bandwidth_name="original")
    facts = fits.set_index(["model", "value", "repeat"])[["copy_share", "ct_statistic"]]
    joined = se.join(facts, on=["model", "value", "repeat"])
    copying = np.array(
        [
            copying_verdict(s, c) == "copies"
            for s, c in zip(joined["copy_share"], joined["ct_statistic"], strict=True)
        ]
    )
    largest = float(joined.loc[~copying, "mmd2"].abs().max()) if (~copying).any() else math.nan
    picks_ = picks(fits, mmd, params)
    chosen = select(picks_, pick="original protocol")
    phrases = [
        f"the {row.family} at {tp.setting(row.param, row.value)} ({row.verdict})"
        for row in chosen.itertuples()
    ]
    text = (
        f"For every fit that does not copy, the SE MMD² with $\\sigma = 1$ stays within "
        f"±{tp.number(largest)} of 0, against either reference: it cannot rank them. The IMQ "
        "kernel keeps discriminating. Ranked by IMQ MMD² against the training digits, the "
        f"original protocol picks {tp.join(phrases)}."
    )
    n_copying = int((chosen["verdict"] == "copies").sum())
    if n_copying:
        text += (
            " In "
            + (
                f"all {tp.count_word(len(chosen))} families"
                if n_copying == len(chosen)
                else f"{tp.count_word(n_copying)} of the {tp.count_word(len(chosen))} families"
            )
            + " its choice copies: the training-set protocol rewards memorising."
        )
    return {"claim": text}


def loglik_claims(fits: pd.DataFrame, params) -> dict:
    """Where the held-out log-likelihood peaks, family by family, with ties and edges."""
    parts = []
    for model in ("GMM", "GaussianKDE", "DensityForest"):
        rows = select(fits, model=model)
        param = rows["param"].iloc[0]
        ranking = rank_settings(rows, "heldout_loglik", minimize=False)
        mean = float(ranking.means[ranking.values.index(ranking.best)])
        ties = [v for v in ranking.tied if v != ranking.best]
        phrase = (
            f"for the {tp.family(model)} at {tp.setting(param, ranking.best)} "
            f"({tp.number(mean, 3)} nats"
        )
        phrase += (
            f"; {tp.join(tp.setting(param, v) for v in ties)} "
            f"{'ties' if len(ties) == 1 else 'tie'} with it)"
            if ties
            else "; every other setting is lower beyond the noise)"
        )
        if ranking.edge:
            phrase += (
                f", the {'smallest' if ranking.edge == 'lower' else 'largest'} value of the "
                "grid, so the optimum may lie beyond it"
            )
        parts.append(phrase)
    smallest = min(params.kde_bandwidths)
    tiny = select(fits, model="GaussianKDE", value=smallest)["heldout_loglik"].mean()
    return {
        "claim": "The held-out log-likelihood peaks " + tp.join(parts) + ". "
        f"The KDE with {tp.setting('bandwidth', smallest)} gives the held-out digits "
        f"{tp.number(tiny)} nats "
        "on average: it has almost no mass where new digits fall."
    }


def picks(fits: pd.DataFrame, mmd: pd.DataFrame, params) -> pd.DataFrame:
    """The picks table of the study (see :mod:`densitylab.studies.picks`)."""
    n_train = int(fits["n_train"].iloc[0])
    return picks_table(
        fits,
        mmd,
        n_train=n_train,
        heldout=HELDOUT,
        original=ORIGINAL,
        families=["GMM", "GaussianKDE", "DensityForest"],
    )


def picks_summary(picks_: pd.DataFrame, params, contrasts=None) -> dict:
    """The picks section's claim, and the spread of the good picks' copy checks.

    ``contrasts`` (:func:`relative_contrasts`) supplies the relative tests that say what
    held-out MMD² makes of each family's good and original-protocol picks.
    """
    relative = relative_p_values(contrasts) if contrasts is not None else None
    return {
        "claim": picks_claims(picks_, relative=relative),
        "spread": spread_claims(picks_, "good", unit="split", n_repeats=params.repeats),
    }


def takeaways(picks_, fits, mmd, labels, params) -> dict:
    """Three to five take-aways of the chapter, as a markdown list."""
    original = select(picks_, pick="original protocol")
    copiers = [tp.family(m) for m in original.loc[original["verdict"] == "copies", "model"]]
    without_good = [
        tp.family(m)
        for m in picks_["model"].unique()
        if select(picks_, model=m, pick="good").empty
    ]
    items = [
        "Judge generated digits against held-out digits: against the training digits a "
        "copier scores below 0, near what real digits it never saw score"
        + (
            f", and the original protocol picks a copier for the {tp.join(copiers)}."
            if copiers
            else "."
        ),
        "Set the kernel's bandwidth from the data: with $\\sigma = 1$ the SE kernel is ≈ 0 "
        "between any two different digits.",
        "Check copying with $C_T$, not the copy share alone: $C_T \\ll 0$ is copying, "
        "$C_T \\gg 0$ is over-dispersion, and neither is visible in MMD² alone; in 64 "
        "dimensions the copy share is 0 for every KDE whose noise outgrows the copy "
        "threshold, copier or not.",
    ]
    if without_good:
        items.append(f"The {tp.join(without_good)} has no setting that passes both copy checks.")
    items.append(labels.claims["takeaway"])
    return {"takeaways": "\n".join(f"- {item}" for item in items)}
