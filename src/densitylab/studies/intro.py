"""The headline findings of each study, as plain phrases for the book's introduction.

The introduction pastes them from the executed notebooks with ``{glue:text}``, which
carries plain text only: settings are written without maths ("K = 20").
"""

from __future__ import annotations

import pandas as pd

from densitylab.report.typography import family, join, number, percent, setting
from densitylab.studies.claims import copying_verdict, select

__all__ = ["digits_headlines", "moons_headlines"]


def _good_phrase(picks: pd.DataFrame) -> str:
    good = select(picks, pick="good")
    parts = [
        f"the {family(row.model)} with {setting(row.param, row.value, math=False)}"
        for row in good.itertuples()
    ]
    missing = [
        family(m)
        for m in picks["model"].drop_duplicates()
        if select(picks, model=m, pick="good").empty
    ]
    text = join(parts) if parts else "no setting of any family"
    if missing:
        text += f"; no setting of the {join(missing)} passes both copy checks"
    return text


def moons_headlines(picks: pd.DataFrame, params, sigmas, noise: dict, hist: dict) -> dict:
    """Plain phrases of the two-moons chapter for the introduction.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from densitylab.studies.intro import moons_headlines
    >>> picks = pd.DataFrame({"model": ["GMM"], "pick": ["good"], "param": ["n_components"],
    ...                       "value": [20.0]})
    >>> h = moons_headlines(picks, SimpleNamespace(train_sizes=[100, 1000]),
    ...                     {"median": 0.82}, {"null_sd": 4e-4}, {"zero_share_finest": 0.65})
    >>> h["good"]
    'the GMM with K\\xa0=\\xa020'
    """
    return {
        "n_max": number(max(params.train_sizes)),
        "sigma": number(sigmas["median"]),
        "good": _good_phrase(picks),
        "null_sd": number(noise["null_sd"]),
        "zero_share": percent(hist["zero_share_finest"]),
    }


def digits_headlines(picks: pd.DataFrame, fits: pd.DataFrame, distances: dict, labels) -> dict:
    """Plain phrases of the digits chapter for the introduction.

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> from densitylab.studies.intro import digits_headlines
    >>> picks = pd.DataFrame({"model": ["GaussianKDE"], "pick": ["original protocol"],
    ...     "param": ["bandwidth"], "value": [0.01], "verdict": ["copies"]})
    >>> fits = pd.DataFrame({"model": ["GaussianKDE"], "value": [0.01],
    ...                      "copy_share": [1.0], "ct_statistic": [-24.0]})
    >>> h = digits_headlines(picks, fits, {"sigma": "35", "median_distance": "49"},
    ...                      SimpleNamespace(claims={"headline": "x"}))
    >>> h["original"]
    'the KDE with h\\xa0=\\xa00.01 (100\\xa0% of its samples flagged as copies)'
    """
    original = select(picks, pick="original protocol")
    parts = []
    for row in original.itertuples():
        rows = select(fits, model=row.model, value=row.value)
        share = float(rows["copy_share"].mean())
        verdict = copying_verdict(share, float(rows["ct_statistic"].mean()))
        note = (
            f"{percent(share)} of its samples flagged as copies"
            if verdict == "copies"
            else verdict.replace("neither", "no copying")
        )
        parts.append(
            f"the {family(row.model)} with {setting(row.param, row.value, math=False)} ({note})"
        )
    return {
        "original": join(parts),
        "good": _good_phrase(picks),
        "sigma": distances["sigma"],
        "median_distance": distances["median_distance"],
        "labels": labels.claims["headline"],
    }
