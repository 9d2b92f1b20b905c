"""Training-set luck in the two-moons chapter: why MMD² can fall steeply between two
training sizes, and how the spread over the training sets compares with the noise of
one comparison. Re-exported by :mod:`densitylab.studies.moons_claims`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.comparisons import rank_settings
from densitylab.mmd import mmd2_unbiased
from densitylab.report.typography import count_word, family, number, setting
from densitylab.studies.claims import select
from densitylab.studies.moons_verdicts import family_rows

__all__ = ["luck_versus_noise", "training_set_luck"]


def training_set_luck(mmd: pd.DataFrame, sets, X_test, sigmas, params, model="GaussianKDE"):
    """Why MMD² can drop steeply between two training sizes: the luck of the training sets.

    Every model fitted to a training set inherits that set's own chance departure from the
    moons. Scoring the training sets themselves against the test set, as if they were
    generated, measures that departure; its spread over the sets is compared with the
    null standard deviation of one comparison.
    """
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
