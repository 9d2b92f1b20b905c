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
from densitylab.studies import moons
from densitylab.studies.claims import (
    copying_phrase,
    copying_verdict,
    criteria_claim,
    select,
    sweep_claim,
)
from densitylab.studies.moons_pictures import (
    gallery_models,
    plot_criteria_differences,
    takeaways,
    witness_facts,
    witness_limit,
    witness_models,
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

#: The held-out criterion (test set, SE kernel, median σ) and the original study's.
HELDOUT = Criterion("test", "se", "median")
ORIGINAL = Criterion("test", "se", "original")


def family_rows(table: pd.DataFrame, model: str) -> pd.DataFrame:
    """The rows of one model family (a ``fits`` or ``mmd`` table)."""
    rows = select(table, model=model)
    if rows.empty:
        raise ValueError(f"the table has no rows of the family {model!r}.")
    return rows


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
        f"95 % interval, {number(comparison.low)} to {number(comparison.high)}, {verdict}."
    )
    return {"claim": text, "param_gap": gap, "diff": comparison.mean}


def picks(fits: pd.DataFrame, mmd: pd.DataFrame, params) -> pd.DataFrame:
    """The picks table of the study at the largest training size (see :mod:`.picks`)."""
    return picks_table(
        fits,
        mmd,
        n_train=_largest(params),
        heldout=HELDOUT,
        original=ORIGINAL,
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
                sentences.append(_no_good_sentence(select(verdicts, model=model)))
    elif len(with_good) < len(models):
        sentences.append(picks_claims(picks_))
    if with_good and (verdicts is not None or len(with_good) == len(models)):
        sentences.append(picks_claims(picks_[picks_["model"].isin(with_good)]))
    return {"claim": " ".join(s for s in sentences if s), "n": number(_largest(params))}


# --- the copy verdicts: their spread over training sets, and the forest's floor ---------


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
    >>> from densitylab.studies.moons_claims import verdict_margin
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
    n_max = _largest(params)
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
    facts = {"lambda": number(lam, trim=True), "lambda_sd": number(floor_sd, trim=True)}
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
            text += f" {floor_['claim']}" + (
                " This floor is why the forest's samples lie farther from the data than new "
                "data do, at every $n_\\min$."
                if floor_["ratio"] >= 1.1
                else " At this noise level the floor widens the samples only slightly, so it "
                "does not explain the verdict on its own."
            )
        sentences.append(text.strip())
    return {"claim": " ".join(sentences)}


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


def _no_good_sentence(fam: pd.DataFrame) -> str:
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


def training_set_luck(mmd: pd.DataFrame, sets, X_test, sigmas, params, model="GaussianKDE"):
    """Why MMD² can drop steeply between two training sizes: the luck of the training sets.

    Every model fitted to a training set inherits that set's own chance departure from the
    moons. Scoring the training sets themselves against the test set, as if they were
    generated, measures that departure; its spread over the sets is compared with the
    null standard deviation of one comparison.
    """
    from densitylab.mmd import mmd2_unbiased

    sizes = sorted(params.train_sizes)
    if len(sizes) < 2:
        return {"claim": "With one training size there is no trend over $n$ to explain."}
    n_low, n_high = sizes[-2], sizes[-1]
    rows = select(family_rows(mmd, model), kernel="se", bandwidth_name="median")
    best = rank_settings(select(rows, n_train=n_high), "mmd2").best
    param = rows["param"].iloc[0]
    per_size = {
        n: select(rows, n_train=n, value=best).sort_values("repeat")["mmd2"] for n in sizes
    }
    own = {
        n: np.array(
            [
                mmd2_unbiased(ts.X, X_test, bandwidth=sigmas["median"])
                for ts in sets
                if len(ts.X) == n
            ]
        )
        for n in (n_low, n_high)
    }
    low, high = per_size[n_low].mean(), per_size[n_high].mean()
    ratio = low / high if high > 0 else np.inf
    trend = (
        f"falls from {number(low)} to {number(high)}, a factor of {number(ratio)}"
        if high > 0 and ratio >= 2
        else f"goes from {number(low)} to {number(high)}"
    )
    spread = float(per_size[n_high].std(ddof=1))
    text = (
        f"From {number(n_low)} to {number(n_high)} training points the mean MMD² of the "
        f"{family(model)} at {setting(param, best)} {trend}. The model did not suddenly "
        "improve: a sample drawn from a model fitted to $n$ points inherits its training "
        "set's chance departure from the moons, which shrinks as $1/n$ on average but "
        "varies from set to set. Scored against the test set as if they were generated, "
        "the training sets themselves (an unbiased MMD², 0 on average for real samples) "
        f"give {number(own[n_low].mean())} at $n = {number(n_low)}$ (from "
        f"{number(own[n_low].min())} to {number(own[n_low].max())} over the "
        f"{count_word(len(own[n_low]))} sets) and {number(own[n_high].mean())} at "
        f"$n = {number(n_high)}$ (from {number(own[n_high].min())} to "
        f"{number(own[n_high].max())})"
        + (
            f": the sets of {number(n_low)} happened to lie farther from the moons than "
            f"those of {number(n_high)}, on top of the $1/n$ shrinking."
            if own[n_low].mean() > own[n_high].mean()
            else "; here the luck of the sets does not add to the $1/n$ shrinking."
        )
    )
    return {
        "claim": text,
        "spread": spread,
        "model": model,
        "best": best,
        "per_set_low": per_size[n_low],
        "per_set_high": per_size[n_high],
        "own_low": own[n_low],
        "own_high": own[n_high],
        "n_low": n_low,
        "n_high": n_high,
    }


def luck_versus_noise(luck: dict, noise: dict) -> str:
    """The training-set spread of one setting's MMD² against the null sd of one comparison."""
    if "per_set_low" not in luck:
        return ""
    null_sd = noise["null_sd"]

    def relation(sd: float) -> str:
        if sd > 1.25 * null_sd:
            return "larger than"
        if sd < 0.8 * null_sd:
            return "smaller than"
        return "about"

    low, high = (float(np.std(luck[key], ddof=1)) for key in ("per_set_low", "per_set_high"))
    return (
        "Over the training sets of one size this MMD² has a standard deviation of "
        f"{number(low)} at $n = {number(luck['n_low'])}$ ({relation(low)} the null standard "
        f"deviation of one comparison, {number(null_sd)}) and {number(high)} at "
        f"$n = {number(luck['n_high'])}$ ({relation(high)} it): the luck of the training "
        "sets is a noise of its own, which the paired comparisons set aside by comparing "
        "settings on the same sets."
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
