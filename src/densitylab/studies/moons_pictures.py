"""The two-moons chapter's pictures of models and its take-aways: refits, witness, summary.

Refits use :func:`densitylab.sweeps.fit_and_sample` with the sweep's seed, so a picture
shows exactly the fit and the sample the sweep measured.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from densitylab.comparisons import paired_difference, rank_settings
from densitylab.report.typography import family, interval, join, number, percent, setting
from densitylab.studies.claims import criteria_claim, select
from densitylab.studies.moons_differences import plot_criteria_differences
from densitylab.sweeps import fit_and_sample

__all__ = [
    "gallery_caption",
    "gallery_models",
    "criteria_takeaway",
    "good_picks_claim",
    "plot_criteria_differences",
    "takeaways",
    "witness_facts",
    "witness_limit",
    "witness_models",
    "witness_words",
]


def _grid_value(family, value):
    """The grid's own value equal to ``value`` (a table holds floats; bins must be ints)."""
    return next((v for v in family.values if v == value), value)


def _refit(families, model, value, training_set, params):
    f = families[model]
    value = _grid_value(f, value)
    return fit_and_sample(
        f.model, f.param, value, training_set, n_generated=params.n_generated, seed=params.seed
    )


def gallery_models(picks_: pd.DataFrame, families, training_set, params) -> SimpleNamespace:
    """Each family at its good setting (its bad one when none is good), refitted exactly."""
    models, samples = {}, {}
    for model in ["SingleGaussian", *picks_["model"].drop_duplicates()]:
        rows = select(picks_, model=model)
        chosen = select(rows, pick="good") if not select(rows, pick="good").empty else rows
        if model == "SingleGaussian":
            param, value, label = "reg_covar", 1e-6, family(model)
        else:
            param, value = chosen["param"].iloc[0], chosen["value"].iloc[0]
            label = f"{family(model)}, {chosen['pick'].iloc[0]}: {setting(param, value)}"
        models[label], samples[label] = _refit(families, model, value, training_set, params)
    return SimpleNamespace(models=models, samples=samples, caption=gallery_caption(picks_))


def gallery_caption(picks_: pd.DataFrame) -> str:
    """What the gallery's panels show: which pick of each family (the caption's first words).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.moons_pictures import gallery_caption
    >>> picks = pd.DataFrame({"model": ["GMM", "DensityForest", "DensityForest"],
    ...     "pick": ["good", "original protocol", "bad"],
    ...     "param": ["n_components", "n_min", "n_min"], "value": [20, 2, 100]})
    >>> print(gallery_caption(picks).replace("\xa0", " "))  # doctest: +NORMALIZE_WHITESPACE
    The single Gaussian (it has no setting to choose) and the GMM at its good setting;
    the density forest, which has no good setting, at its original-protocol pick
    ($n_{\\min} = 2$).
    """
    good, fallback = [], []
    for model in picks_["model"].drop_duplicates():
        rows = select(picks_, model=model)
        if select(rows, pick="good").empty:
            row = rows.iloc[0]
            fallback.append(
                f"the {family(model)}, which has no good setting, at its "
                f"{row['pick'].replace(' ', '-')} pick ({setting(row['param'], row['value'])})"
            )
        else:
            good.append(f"the {family(model)}")
    first = "The single Gaussian (it has no setting to choose)"
    if good:
        noun = "setting" if len(good) == 1 else "settings"
        its = "its" if len(good) == 1 else "their"
        first += f" and {join(good)} at {its} good {noun}"
    return first + ("; " + "; ".join(fallback) if fallback else "") + "."


class WitnessPair(dict):
    """Titled generated samples of two GMM picks; ``picks`` names the pick of each panel."""

    def __init__(self, items, picks):
        super().__init__(items)
        self.picks = list(picks)


def witness_models(picks_: pd.DataFrame, families, training_set, params) -> WitnessPair:
    """Generated samples of two GMM picks, titled: the good one and the bad one.

    When no GMM setting qualifies as good, the first panel is the original protocol's
    pick instead (every family has one), so the figure always has its two panels.
    """
    first = "good" if not select(picks_, model="GMM", pick="good").empty else "original protocol"
    items, names = {}, []
    for pick in (first, "bad"):
        row = select(picks_, model="GMM", pick=pick)
        value = row["value"].iloc[0]
        _, items[f"GMM, {pick}: {setting('n_components', value)}"] = _refit(
            families, "GMM", value, training_set, params
        )
        names.append(pick)
    return WitnessPair(items, names)


def witness_words(pair: WitnessPair) -> dict:
    """How the witness section names its two panels (the good GMM, or the original's pick)."""
    first = (
        "the good GMM"
        if pair.picks[0] == "good"
        else "the GMM the original protocol picks (no GMM setting qualifies as good)"
    )
    return {"first": first, "first_short": pair.picks[0]}


def witness_limit(pair: dict, X_test, sigma: float) -> float:
    """One colour limit for the witness panels: the largest |f| over the plane of any."""
    from densitylab.mmd import witness
    from densitylab.plotting import data_bounds

    (x0, x1), (y0, y1) = data_bounds(*pair.values(), X_test)
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60)), -1)
    T = grid.reshape(-1, 2)
    return max(float(np.abs(witness(X, X_test, T, bandwidth=sigma)).max()) for X in pair.values())


def witness_facts(pair: WitnessPair, X_test, sigmas) -> dict:
    """How much larger the bad model's witness is than the other's, on the test points."""
    from densitylab.mmd import witness

    peaks = [
        float(np.abs(witness(X, X_test, X_test, bandwidth=sigmas["median"])).max())
        for X in pair.values()
    ]
    # The ratio of the two numbers as printed (two significant digits each).
    first, bad = (float(f"{peak:.2g}") for peak in peaks)
    name = "good model" if pair.picks[0] == "good" else "original protocol's pick"
    if bad > first:
        text = (
            f"On the test points the bad model's witness reaches {number(bad)} in absolute "
            f"value, {number(bad / first)} times the {name}'s largest, {number(first)}."
        )
    else:
        text = (
            f"On the test points the bad model's witness reaches {number(bad)} in absolute "
            f"value and the {name}'s {number(first)}: at this kernel scale the two are "
            "not told apart by where their samples go."
        )
    return {
        "claim": text,
        "sigma": f"$σ = {number(sigmas['median'])}$",
        "first": witness_words(pair)["first"],
    }


def good_picks_claim(picks: pd.DataFrame, mmd: pd.DataFrame, n_train: int) -> str:
    """Which family's good setting has the lowest held-out MMD², and which tie with it.

    The families are fitted on the same training sets, so their good settings are
    compared paired over those sets, as settings of one family are.
    """
    good = select(picks, pick="good")
    if good.empty:
        return "No family has a good setting."
    rows = {}
    for row in good.itertuples():
        chosen = select(
            mmd,
            model=row.model,
            value=row.value,
            n_train=n_train,
            kernel="se",
            bandwidth_name="median",
            reference="test",
        )
        rows[row.model] = (row, chosen.set_index("repeat")["mmd2"].sort_index())
    best = min(rows, key=lambda m: rows[m][1].mean())
    best_row, best_values = rows[best]
    tied, worse = [], []
    for model, (row, values) in rows.items():
        if model == best:
            continue
        comparison = paired_difference(values.to_numpy(), best_values.to_numpy())
        words = f"the {family(model)} at {setting(row.param, row.value)}"
        (worse if comparison.separates else tied).append(words)
    text = (
        f"Among the good settings the lowest held-out MMD² belongs to the {family(best)} at "
        f"{setting(best_row.param, best_row.value)} "
        f"({interval(best_row.mmd2_heldout, best_row.mmd2_heldout_se)})"
    )
    if tied:
        text += f"; {join(tied)} {'is' if len(tied) == 1 else 'are'} within the noise of it"
    if worse:
        text += f"; {join(worse)} {'is' if len(worse) == 1 else 'are'} worse beyond it"
    return text + " (paired over the training sets)."


def takeaways(picks_, mmd, fits, params, noise: dict, hist: dict) -> dict:
    """Three to five take-aways of the chapter, as a markdown list, each computed."""
    n_max = max(params.train_sizes)
    relations = {
        m: criteria_claim(select(mmd, model=m), select(fits, model=m), n_train=n_max).values
        for m in ("GMM", "GaussianKDE", "DensityForest")
    }
    criteria = criteria_takeaway(relations)
    finest = max(params.hist_bins)
    bins = rank_settings(
        select(mmd, model="Histogram2D", n_train=n_max, kernel="se", bandwidth_name="median"),
        "mmd2",
    )
    scale = (
        f"The kernel's scale decides what MMD² sees: with $σ$ far above the bin width it "
        f"cannot tell the finest histogram, which leaves {percent(hist['zero_share_finest'])} "
        "of the test points in empty cells, from the best."
        if finest in bins.tied
        else "The kernel's scale decides what MMD² sees: compare the ties of the histogram "
        "at the median-heuristic $σ$ and at the original study's narrower one."
    )
    items = [
        "MMD² ranks settings only beyond its noise: a paired interval over the training "
        f"sets decides; the null spread of one comparison here is {number(noise['null_sd'])}.",
        scale,
        criteria,
        "A setting copies when its copy share exceeds $2q$ or $C_T < −3$, and is "
        "over-dispersed when $C_T > 3$; a good setting is neither. Near the threshold a "
        "verdict can change with the training sets: read the range of $C_T$ over the sets.",
        good_picks_claim(picks_, mmd, n_max),
    ]
    return {"takeaways": "\n".join(f"- {item}" for item in items)}


def criteria_takeaway(relations: dict) -> str:
    """Likelihood against MMD², family by family, from :func:`criteria_claim`'s values.

    Examples
    --------
    >>> from densitylab.studies.moons_pictures import criteria_takeaway
    >>> print(criteria_takeaway({"GMM": {"relation": "compatible", "separator": "likelihood"},
    ...                          "GaussianKDE": {"relation": "same"}}))
    ... # doctest: +NORMALIZE_WHITESPACE
    Likelihood and MMD² prefer the same setting for the KDE. Likelihood and MMD² are
    compatible, not equivalent, for the GMM: MMD² cannot separate the likelihood's choice
    from its own, but the likelihood separates MMD²'s choice from its own.
    """
    groups = {}
    for model, values in relations.items():
        key = values["relation"]
        if key == "compatible":
            key = f"compatible {values['separator']}"
        groups.setdefault(key, []).append(family(model))
    sentences = {
        "same": "Likelihood and MMD² prefer the same setting for the {}.",
        "agree": "Likelihood and MMD² agree within the noise for the {}: neither separates "
        "the other's choice from its own.",
        "compatible likelihood": "Likelihood and MMD² are compatible, not equivalent, for "
        "the {}: MMD² "
        "cannot separate the likelihood's choice from its own, but the likelihood separates "
        "MMD²'s choice from its own.",
        "compatible mmd": "Likelihood and MMD² are compatible, not equivalent, for the {}: "
        "the likelihood "
        "cannot separate MMD²'s choice from its own, but MMD² separates the likelihood's "
        "choice from its own.",
        "disagree": "Likelihood and MMD² disagree for the {}: each separates the other's "
        "choice from its own.",
        "unranked": "The likelihood cannot rank the {}.",
    }
    return " ".join(
        sentence.format(join(groups[key])) for key, sentence in sentences.items() if key in groups
    )
