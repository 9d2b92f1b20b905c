"""The two-moons chapter's claims: numbers, picks and words for each section.

Each function returns a mapping of glue keys (without the study prefix) to values: a
number, a phrase, or a whole claim. The rules (ties, edges, copying read both ways,
picks) come from :mod:`densitylab.studies.claims` and :mod:`densitylab.studies.picks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.comparisons import paired_difference, rank_settings
from densitylab.report.typography import (
    count_word,
    family,
    interval,
    join,
    number,
    p_value,
    percent,
    setting,
)
from densitylab.report.typography import span as tp_span
from densitylab.studies import moons
from densitylab.studies.claims import (
    copying_phrase,
    copying_verdict,
    criteria_claim,
    select,
    sweep_claim,
)
from densitylab.studies.moons_luck import luck_versus_noise, training_set_luck
from densitylab.studies.moons_pictures import (
    gallery_models,
    plot_criteria_differences,
    takeaways,
    witness_facts,
    witness_limit,
    witness_models,
)
from densitylab.studies.moons_verdicts import (
    family_rows,
    forest_floor,
    no_good_sentence,
    verdict_claims,
    verdict_headline,
    verdict_margin,
    verdict_rows,
    verdict_table,
)
from densitylab.studies.picks import Criterion, picks_claims, picks_table

__all__ = [
    "copy_claims",
    "criteria_claims",
    "family_claims",
    "family_rows",
    "floors",
    "gallery_models",
    "histogram_claims",
    "noise_facts",
    "forest_floor",
    "luck_versus_noise",
    "picks",
    "picks_summary",
    "plot_criteria_differences",
    "protocol_facts",
    "single_gaussian_check",
    "takeaways",
    "training_set_luck",
    "verdict_claims",
    "verdict_headline",
    "verdict_margin",
    "verdict_rows",
    "verdict_table",
    "witness_facts",
    "witness_limit",
    "witness_models",
]


def floors(floor: pd.DataFrame, bandwidth_name: str = "median") -> dict:
    """The perfect generator's mean MMD² per kernel, for the figures' dashed lines."""
    rows = select(floor, bandwidth_name=bandwidth_name)
    return rows.groupby("kernel")["mmd2"].mean().to_dict()


def protocol_facts(params, sigmas) -> dict:
    """Sizes, seeds and bandwidths of the protocol, for the data section."""
    sigma = sigmas["median"]
    scale = (
        f"{number(sigma / params.noise)} times the noise standard deviation: the kernels "
        "compare the samples at the scale of the moons' shape rather than of their width"
        if params.noise > 0
        else "on moons without noise"
    )
    return {
        "sizes": join(number(n) for n in params.train_sizes),
        "repeats": count_word(params.repeats),
        "noise": number(params.noise, trim=True),
        "n_test": number(params.n_test),
        "n_generated": number(params.n_generated),
        "sigma": number(sigma),
        "sigma_scale": scale,
        "sigma_original": number(sigmas["original"]),
    }


def _mean_se(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=np.float64)
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else np.nan
    return float(values.mean()), float(se)


def noise_facts(floor: pd.DataFrame, tests: dict, params) -> dict:
    """The perfect generator's MMD² and the two permutation tests, in words."""
    se_mean, se_se = _mean_se(select(floor, kernel="se", bandwidth_name="median")["mmd2"])
    imq_mean, imq_se = _mean_se(select(floor, kernel="imq", bandwidth_name="median")["mmd2"])
    perfect, gauss = tests["perfect generator"], tests["single Gaussian"]
    null_sd = float(np.std(perfect.null_statistics, ddof=1))
    holds = abs(se_mean) <= 2 * se_se if np.isfinite(se_se) else False
    text = (
        f"Over {count_word(params.repeats)} draws the perfect generator scores "
        f"{interval(se_mean, se_se)} with the SE kernel and {interval(imq_mean, imq_se)} "
        "with IMQ (mean ± standard error)"
        + (
            ", 0 within its noise. "
            if holds
            else ": the test set is one random sample too, and its own kernel term is off its "
            "expectation by chance; the offset is the same for every model. "
        )
        + f"Against the shuffled splits its observed MMD² gives {p_value(perfect.p_value)}, "
        f"as a sample of the data should; the single Gaussian's gives "
        f"{p_value(gauss.p_value)}{_smallest(gauss)}, its MMD² of {number(gauss.statistic)} lying "
        f"{number(gauss.statistic / null_sd)} null standard deviations out. The null "
        f"spread, {number(null_sd)}, is the noise of one comparison of two samples of "
        f"this size; differences between models far below it cannot be read from one run."
    )
    return {"claim": text, "floor_se": se_mean, "null_sd": null_sd}


def _smallest(test) -> str:
    """ ", the smallest p-value B shuffles can give" when a test reached it."""
    n = len(test.null_statistics)
    return f", the smallest {number(n)} shuffles can give" if test.p_value <= 1 / (n + 1) else ""


def _largest(params) -> int:
    return max(params.train_sizes)


def family_claims(mmd: pd.DataFrame, model: str, params, sigmas) -> dict:
    """One family's sweep at the largest training size, SE and IMQ, and at the smallest."""
    rows = family_rows(mmd, model)
    n_max, n_min = _largest(params), min(params.train_sizes)
    words = f"$σ = {number(sigmas['median'])}$"
    ranking, claim = sweep_claim(rows, n_train=n_max, bandwidth_words=words)
    imq, _ = sweep_claim(rows, n_train=n_max, kernel="imq")
    param = rows["param"].iloc[0]
    text = claim.text
    if imq.best == ranking.best:
        text += " The IMQ kernel prefers the same setting."
    elif imq.best in ranking.tied:
        text += (
            f" The IMQ kernel's lowest mean is at {setting(param, imq.best)}, one of the "
            "settings the SE repeats cannot separate from the best."
        )
    else:
        text += (
            f" The IMQ kernel's lowest mean is at {setting(param, imq.best)}, which the SE "
            "kernel separates from its best: the two kernels weigh the errors differently."
        )
    if n_min != n_max:
        small, _ = sweep_claim(rows, n_train=n_min)
        n_tied, n_values = len(small.tied), len(small.values)
        share = (
            f"all {count_word(n_values)} settings tie"
            if n_tied == n_values
            else f"{count_word(n_tied)} of the {count_word(n_values)} settings tie with the best "
            f"({setting(param, small.best)})"
        )
        text += f" With {number(n_min)} training points {share}: fewer points, more noise."
    return {"claim": text, "best": number(ranking.best, 6, trim=True)}


def histogram_claims(mmd: pd.DataFrame, fits: pd.DataFrame, params, sigmas) -> dict:
    """The histogram's sweep, and the lesson of the kernel's scale against the bin width."""
    out = family_claims(mmd, "Histogram2D", params, sigmas)
    rows = family_rows(mmd, "Histogram2D")
    n_max = _largest(params)
    by_median = rank_settings(
        select(rows, n_train=n_max, kernel="se", bandwidth_name="median"), "mmd2"
    )
    by_original = rank_settings(
        select(rows, n_train=n_max, kernel="se", bandwidth_name="original"), "mmd2"
    )
    finest = max(params.hist_bins)
    zero = select(family_rows(fits, "Histogram2D"), n_train=n_max, value=finest)
    zero_share = float(zero["heldout_zero_share"].mean())
    training = moons.training_sets(params)[-1].X
    width = float(np.ptp(training[:, 0]) / finest)
    tied_median = join(setting("bins", v) for v in by_median.tied)
    separated = by_original.separated
    original_words = (
        f"with it {join(setting('bins', v) for v in separated)} "
        f"{'is' if len(separated) == 1 else 'are'} worse than the best beyond the noise, "
        f"while {join(setting('bins', v) for v in by_original.tied)} still tie"
        if separated
        else "but even with it every setting ties with the best"
    )
    lesson = (
        f"At {number(n_max)} training points the median-heuristic kernel ties "
        f"{tied_median}, although with {setting('bins', finest)} "
        f"{percent(zero_share)} of the test points fall where the histogram has no mass. "
        f"The kernel's scale, $σ = {number(sigmas['median'])}$, is "
        f"{number(sigmas['median'] / width)} times the width of such a bin "
        f"({number(width)} along the first axis): it averages over many bins and cannot "
        f"see holes that small. The original study's $σ = {number(sigmas['original'])}$ "
        f"looks closer: {original_words}."
    )
    others = [v for v in by_original.tied if v != by_original.best]
    ranking_words = (
        f"With $σ = {number(sigmas['original'])}$ at {number(n_max)} training points the "
        f"lowest mean MMD² is at {setting('bins', by_original.best)}; "
        + (
            f"{join(setting('bins', v) for v in others)} "
            f"{'ties' if len(others) == 1 else 'tie'} with it"
            if others
            else "no other setting ties with it"
        )
        + (
            f", and {join(setting('bins', v) for v in separated)} "
            f"{'is' if len(separated) == 1 else 'are'} worse beyond the noise."
            if separated
            else "."
        )
    )
    return out | {
        "lesson": lesson,
        "zero_share_finest": zero_share,
        "original_ranking": ranking_words,
    }


def single_gaussian_check(mmd: pd.DataFrame, params, sets) -> dict:
    """The single Gaussian against GMM(K = 1): same parameters, MMD² equal within the noise."""
    gap = moons.single_gaussian_agreement(params, sets)
    single = select(mmd, model="SingleGaussian", kernel="se", bandwidth_name="median")
    mixture = select(mmd, model="GMM", value=1, kernel="se", bandwidth_name="median")
    if mixture.empty:
        return {
            "claim": "The GMM's grid holds no $K = 1$, so this check is not made.",
            "param_gap": gap,
        }
    keys = ["n_train", "repeat"]
    pairs = single.merge(mixture, on=keys, suffixes=("_single", "_mixture"))
    comparison = paired_difference(pairs["mmd2_single"], pairs["mmd2_mixture"])
    verdict = (
        "holds 0: the two are one model, within the noise"
        if not comparison.separates
        else "excludes 0, which for one and the same model points to a bug"
    )
    text = (
        f"Over the {count_word(len(sets))} training sets the fitted means and covariances of "
        f"the two differ by at most {number(gap, 1)}: they are the same Gaussian up to "
        f"rounding. Their SE MMD² values differ by {interval(comparison.mean, comparison.se)} "
        f"on average (paired over the {count_word(comparison.n_pairs)} training sets); the "
        f"95 % interval, {tp_span(comparison.low, comparison.high)}, {verdict}."
    )
    return {"claim": text, "param_gap": gap, "diff": comparison.mean}


def picks(fits: pd.DataFrame, mmd: pd.DataFrame, params) -> pd.DataFrame:
    """The picks table of the study at the largest training size (see :mod:`.picks`).

    Both criteria score against the test set with the SE kernel: the held-out one at the
    median-heuristic σ, the original study's at its σ.
    """
    return picks_table(
        fits,
        mmd,
        n_train=_largest(params),
        heldout=Criterion("test", "se", "median"),
        original=Criterion("test", "se", "original"),
        families=["Histogram2D", "GMM", "GaussianKDE", "DensityForest"],
    )


def criteria_claims(mmd: pd.DataFrame, fits: pd.DataFrame, params) -> dict:
    """Do MMD² and the held-out log-likelihood agree, family by family?"""
    n_max = _largest(params)
    parts = [
        criteria_claim(family_rows(mmd, m), family_rows(fits, m), n_train=n_max).text
        for m in ("GMM", "GaussianKDE", "DensityForest")
    ]
    hist = select(family_rows(fits, "Histogram2D"), n_train=n_max)
    shares = hist.groupby("value")["heldout_zero_share"].mean()
    inf_share = float(np.isneginf(family_rows(fits, "Histogram2D")["heldout_loglik"]).mean())
    parts.append(
        f"The histogram's held-out log-likelihood is −∞ in {percent(inf_share)} of its runs: "
        "some test point falls where it has no mass, so the likelihood cannot rank it. "
        f"At {number(n_max)} training points the share of such test points goes from "
        f"{percent(shares.iloc[0])} with {setting('bins', shares.index[0])} to "
        f"{percent(shares.iloc[-1])} with {setting('bins', shares.index[-1])}."
    )
    return {"claim": " ".join(parts)}


def copy_claims(fits: pd.DataFrame, params) -> dict:
    """Copy share and C_T read both ways, at the largest training size."""
    n_max = _largest(params)
    phrases, flagged = [], []
    for model in ("GaussianKDE", "Histogram2D", "GMM", "DensityForest"):
        rows = select(family_rows(fits, model), n_train=n_max)
        means = rows.groupby("value")[["copy_share", "ct_statistic"]].mean()
        param = rows["param"].iloc[0]
        for value in (means.index[0], means.index[-1]):
            share, ct = means.loc[value]
            if model in ("GaussianKDE", "Histogram2D"):
                phrases.append(copying_phrase(family(model), param, value, share, ct))
        verdicts = {v: copying_verdict(*means.loc[v]) for v in means.index}
        for kind in ("copies", "over-dispersed"):
            values = [setting(param, v) for v, verdict in verdicts.items() if verdict == kind]
            if values:
                words = "copies" if kind == "copies" else "is over-dispersed"
                flagged.append(f"the {family(model)} {words} at {join(values)}")
    text = f"With {number(n_max)} training points, " + "; ".join(phrases) + ". "
    text += (
        f"Over all four families the settings read as copying or over-dispersed are: "
        f"{join(flagged)}."
        if flagged
        else "No setting of any family copies or spreads beyond the data at this size."
    )
    return {"claim": text}


def picks_summary(picks_: pd.DataFrame, params, verdicts: pd.DataFrame | None = None) -> dict:
    """The picks section's claim and training size.

    A family without a good setting is described by its verdicts (:func:`verdict_rows`):
    over-dispersed, copying, or both, as the numbers say.
    """
    models = list(picks_["model"].drop_duplicates())
    with_good = [m for m in models if not select(picks_, model=m, pick="good").empty]
    sentences = []
    if verdicts is not None:
        for model in models:
            if model not in with_good:
                sentences.append(no_good_sentence(select(verdicts, model=model)))
    elif len(with_good) < len(models):
        sentences.append(picks_claims(picks_))
    if with_good and (verdicts is not None or len(with_good) == len(models)):
        sentences.append(picks_claims(picks_[picks_["model"].isin(with_good)]))
    return {"claim": " ".join(s for s in sentences if s), "n": number(_largest(params))}


# --- the copy verdicts: their spread over training sets, and the forest's floor ---------
