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
from densitylab.sweeps import fit_and_sample

__all__ = [
    "gallery_models",
    "good_picks_claim",
    "takeaways",
    "witness_facts",
    "witness_limit",
    "witness_models",
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
    return SimpleNamespace(models=models, samples=samples)


def witness_models(picks_: pd.DataFrame, families, training_set, params) -> dict:
    """Generated samples of the good and the bad GMM, titled."""
    out = {}
    for pick in ("good", "bad"):
        row = select(picks_, model="GMM", pick=pick)
        if row.empty:
            continue
        value = row["value"].iloc[0]
        _, out[f"GMM, {pick}: {setting('n_components', value)}"] = _refit(
            families, "GMM", value, training_set, params
        )
    return out


def witness_limit(pair: dict, X_test, sigma: float) -> float:
    """One colour limit for the witness panels: the largest |f| over the plane of any."""
    from densitylab.mmd import witness
    from densitylab.plotting import data_bounds

    (x0, x1), (y0, y1) = data_bounds(*pair.values(), X_test)
    grid = np.stack(np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60)), -1)
    T = grid.reshape(-1, 2)
    return max(float(np.abs(witness(X, X_test, T, bandwidth=sigma)).max()) for X in pair.values())


def witness_facts(pair: dict, X_test, sigmas) -> dict:
    """How much larger the bad model's witness is than the good one's, on the test points."""
    from densitylab.mmd import witness

    peaks = {
        t: float(np.abs(witness(X, X_test, X_test, bandwidth=sigmas["median"])).max())
        for t, X in pair.items()
    }
    titles = list(peaks)
    text = "The witness of the good model stays near 0 everywhere."
    if len(titles) == 2:
        good, bad = (peaks[titles[0]], peaks[titles[1]])
        text = (
            f"On the test points the bad model's witness reaches {number(bad)} in absolute "
            f"value, {number(bad / good)} times the good model's largest, {number(good)}."
        )
    return {"claim": text, "sigma": f"$σ = {number(sigmas['median'])}$"}


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
    verdicts = [
        criteria_claim(select(mmd, model=m), select(fits, model=m), n_train=n_max).text
        for m in ("GMM", "GaussianKDE", "DensityForest")
    ]
    agree = [
        family(m)
        for m, v in zip(("GMM", "GaussianKDE", "DensityForest"), verdicts, strict=True)
        if "disagree" not in v
    ]
    criteria = (
        f"Likelihood and MMD² agree within the noise for the {join(agree)}"
        if agree
        else "Likelihood and MMD² disagree beyond the noise for every family"
    ) + "; the tie sets of the two criteria say whether a difference is real."
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
        "Copying is read both ways: a copy share above $2q$ or $C_T < −3$ is copying, "
        "$C_T > 3$ is over-dispersion; a good setting is neither.",
        good_picks_claim(picks_, mmd, n_max),
    ]
    return {"takeaways": "\n".join(f"- {item}" for item in items)}
