"""The claims layer: every number-to-words rule on small hand-made tables.

Each rule is tested where it must speak and where it must stay silent: differences
inside the noise tie, an optimum at a grid's edge is called an edge, a copier is never
"good", and a family without a good setting gets no good row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from doubles import HELDOUT, ORIGINAL

from densitylab.studies.claims import (
    copying_phrase,
    copying_verdict,
    criteria_claim,
    select,
    sweep_claim,
)
from densitylab.studies.picks import picks_claims, picks_table, picks_table_view


def _rows(means, keys, repeats, seed, measure):
    """One row per value × repeat: the fit's ``keys`` (model, param, n_train), its value
    and repeat, then the columns ``measure(value, mean, rng)`` returns."""
    model, param, n_train = keys
    rng = np.random.default_rng(seed)
    rows = [
        {"model": model, "param": param, "value": value, "n_train": n_train, "repeat": r}
        | measure(value, mean, rng)
        for value, mean in means.items()
        for r in range(repeats)
    ]
    return pd.DataFrame(rows)


def mmd_rows(
    means,
    *,
    spread=0.0,
    repeats=4,
    model="GMM",
    param="n_components",
    bandwidth_name="median",
    kernel="se",
    n_train=100,
    seed=0,
):
    def measure(value, mean, rng):
        judge = {"reference": "test", "kernel": kernel, "bandwidth_name": bandwidth_name}
        return judge | {"mmd2": mean + spread * rng.normal()}

    return _rows(means, (model, param, n_train), repeats, seed, measure)


def fit_rows(
    loglik,
    *,
    share=0.05,
    ct=0.0,
    spread=0.0,
    repeats=4,
    model="GMM",
    param="n_components",
    n_train=100,
    seed=1,
):
    def measure(value, mean, rng):
        return {
            "heldout_loglik": mean + spread * rng.normal(),
            "copy_share": share[value] if isinstance(share, dict) else share,
            "ct_statistic": ct[value] if isinstance(ct, dict) else ct,
        }

    return _rows(loglik, (model, param, n_train), repeats, seed, measure)


# --- one sweep -------------------------------------------------------------------------


def test_sweep_claim_names_the_best_and_its_ties():
    ranking, claim = sweep_claim(
        mmd_rows({1: 0.3, 2: 0.10, 3: 0.1001, 5: 0.2}, spread=0.005), n_train=100
    )
    assert ranking.best in (2, 3) and set(ranking.tied) == {2, 3}
    other = 3 if ranking.best == 2 else 2
    assert f"$K = {other}$ is within the noise of it" in claim.text
    assert "$K = 1$ and $K = 5$ are worse beyond the noise" in claim.text
    assert "edge" not in claim.text and "beyond it" not in claim.text


def test_sweep_claim_makes_no_ranking_when_nothing_separates():
    _, claim = sweep_claim(mmd_rows({1: 0.0, 2: 0.0, 3: 0.0}, spread=1.0, seed=3), n_train=100)
    assert "No other setting of the grid can be told apart from it" in claim.text
    assert "worse beyond the noise" not in claim.text


def test_sweep_claim_says_when_every_other_setting_is_worse():
    _, claim = sweep_claim(mmd_rows({1: 0.3, 2: 0.1, 3: 0.2}, spread=0.001), n_train=100)
    assert "Every other setting is worse beyond the noise" in claim.text


def test_sweep_claim_calls_an_edge_an_edge():
    _, claim = sweep_claim(mmd_rows({1: 0.3, 2: 0.2, 3: 0.1}, spread=0.001), n_train=100)
    assert "$K = 3$ is the largest value of the grid, so the optimum may lie beyond it" in (
        claim.text
    )


def test_sweep_claim_refuses_an_empty_selection():
    with pytest.raises(ValueError, match="no MMD² rows"):
        sweep_claim(mmd_rows({1: 0.1}), n_train=999)


# --- two criteria ------------------------------------------------------------------------


def test_criteria_agree_exactly():
    mmd = mmd_rows({1: 0.3, 2: 0.1}, spread=0.001)
    fits = fit_rows({1: -2.0, 2: -1.0}, spread=0.001)
    claim = criteria_claim(mmd, fits, n_train=100)
    assert "both criteria prefer $K = 2$" in claim.text and claim.values["relation"] == "same"


def _explicit(column, per_value, **judge):
    """One row per value × repeat with the given per-repeat ``column`` values."""
    rows = [
        {"model": "GMM", "param": "n_components", "n_train": 100, "value": v, "repeat": r}
        | judge
        | {column: x}
        for v, xs in per_value.items()
        for r, x in enumerate(xs)
    ]
    return pd.DataFrame(rows)


# MMD² per repeat: K = 1 and K = 2 tie (the differences change sign), K = 1 lowest;
# or K = 1 clearly lowest. Log-likelihood: the same two patterns, K = 2 highest.
MMD_TIE = {1: [0.10, 0.12, 0.09, 0.11], 2: [0.11, 0.10, 0.12, 0.10]}
MMD_SEPARATES = {1: [0.10, 0.11, 0.10, 0.11], 2: [0.20, 0.21, 0.20, 0.22]}
LIK_TIE = {1: [-1.02, -1.00, -1.03, -1.01], 2: [-1.00, -1.02, -1.00, -1.01]}
LIK_SEPARATES = {1: [-2.00, -2.01, -2.02, -2.00], 2: [-1.00, -1.01, -1.00, -1.02]}


def _criteria(mmd_values, lik_values):
    mmd = _explicit("mmd2", mmd_values, reference="test", kernel="se", bandwidth_name="median")
    fits = _explicit("heldout_loglik", lik_values)
    return criteria_claim(mmd, fits, n_train=100)


def test_criteria_agree_within_the_noise():
    claim = _criteria(MMD_TIE, LIK_TIE)
    assert claim.values["relation"] == "agree"
    assert "MMD² prefers $K = 1$ and the held-out log-likelihood $K = 2$" in claim.text
    assert "agree within the noise" in claim.text
    assert "compatible" not in claim.text and "disagree" not in claim.text


def test_criteria_compatible_when_only_the_likelihood_separates():
    claim = _criteria(MMD_TIE, LIK_SEPARATES)
    assert claim.values["relation"] == "compatible"
    assert (
        "MMD² cannot separate the likelihood's choice from its own, but the likelihood "
        "separates MMD²'s choice from its own"
    ) in claim.text
    assert "compatible, not equivalent" in claim.text
    assert "agree within the noise" not in claim.text


def test_criteria_compatible_when_only_mmd_separates():
    claim = _criteria(MMD_SEPARATES, LIK_TIE)
    assert claim.values["relation"] == "compatible"
    assert (
        "The likelihood cannot separate MMD²'s choice from its own, but MMD² separates "
        "the likelihood's choice from its own"
    ) in claim.text


def test_criteria_disagree_when_each_separates_the_other():
    claim = _criteria(MMD_SEPARATES, LIK_SEPARATES)
    assert claim.values["relation"] == "disagree"
    assert "the two criteria disagree" in claim.text


def test_criteria_disagree_only_beyond_the_noise():
    mmd = mmd_rows({1: 0.1, 2: 0.3}, spread=0.001)
    fits = fit_rows({1: -2.0, 2: -1.0}, spread=0.001)
    text = criteria_claim(mmd, fits, n_train=100).text
    assert "the two criteria disagree" in text
    assert "MMD² prefers $K = 1$ and the held-out log-likelihood $K = 2$" in text


def test_criteria_with_minus_infinity_everywhere_cannot_rank():
    mmd = mmd_rows({10: 0.1, 20: 0.2}, model="Histogram2D", param="bins")
    fits = fit_rows({10: -np.inf, 20: -np.inf}, model="Histogram2D", param="bins")
    text = criteria_claim(mmd, fits, n_train=100).text
    assert "−∞ in every run" in text and "cannot rank" in text


# --- copying -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "ct", "verdict"),
    [
        (0.05, 0.0, "neither"),
        (0.10, 0.0, "neither"),  # exactly 2q is not yet copying
        (0.11, 0.0, "copies"),
        (0.05, -3.5, "copies"),
        (0.0, 3.5, "over-dispersed"),
        (0.2, 4.0, "copies"),  # copying wins: a share above 2q is read first
        (0.02, 2.9, "neither"),
    ],
)
def test_copying_verdict_reads_both_ways(share, ct, verdict):
    assert copying_verdict(share, ct) == verdict


def test_copying_verdict_refuses_missing_numbers():
    with pytest.raises(ValueError, match="finite"):
        copying_verdict(np.nan, 0.0)


def test_copying_phrase_uses_the_report_style():
    text = copying_phrase("KDE", "bandwidth", 0.3, 0.01, 4.2)
    assert "$h = 0.3$" in text and "1.0\u00a0%" in text and "$C_T = 4.2$" in text
    assert "farther from the data" in text


# --- picks ---------------------------------------------------------------------------------


def _picks(mmd_means, loglik, share=0.05, ct=0.0, original_means=None):
    mmd = pd.concat(
        [
            mmd_rows(mmd_means, spread=0.001),
            mmd_rows(original_means or mmd_means, spread=0.001, bandwidth_name="original"),
        ]
    )
    fits = fit_rows(loglik, share=share, ct=ct, spread=0.001)
    return picks_table(fits, mmd, n_train=100, heldout=HELDOUT, original=ORIGINAL)


def test_good_never_copies_and_bad_is_the_highest_mmd():
    picks = _picks(
        {1: 0.3, 2: 0.01, 3: 0.1},
        {1: -2.0, 2: -1.5, 3: -1.0},
        share={1: 0.03, 2: 0.4, 3: 0.05},
        ct={1: 0.0, 2: -9.0, 3: 0.5},
    )
    by_pick = dict(zip(picks["pick"], picks["value"], strict=True))
    assert by_pick["original protocol"] == 2  # the lowest MMD², a copier
    assert by_pick["good"] == 3  # the lowest MMD² that neither copies nor spreads
    assert by_pick["best log-lik"] == 3 and by_pick["bad"] == 1
    good = select(picks, pick="good").iloc[0]
    assert good["copy_share"] <= 0.1 and good["ct_statistic"] > -3
    assert good["verdict"] == "neither"


def test_no_good_row_when_every_setting_copies_or_spreads():
    picks = _picks(
        {1: 0.3, 2: 0.01}, {1: -2.0, 2: -1.5}, share={1: 0.0, 2: 0.9}, ct={1: 5.0, 2: -9.0}
    )
    assert "good" not in set(picks["pick"])
    assert picks_claims(picks).startswith("No setting of the GMM qualifies as good")


def test_picks_list_the_settings_their_criterion_cannot_separate():
    picks = _picks({1: 0.3, 2: 0.1, 3: 0.1}, {1: -2.0, 2: -1.0, 3: -1.5})
    good = select(picks, pick="good").iloc[0]
    assert set(good["tied_values"].split("; ")) == {"2", "3"}


def test_picks_claims_relate_the_original_protocol_to_the_good_pick():
    picks = _picks(
        {1: 0.3, 2: 0.1, 3: 0.2},
        {1: -2.0, 2: -1.0, 3: -1.5},
        share={1: 0.05, 2: 0.05, 3: 0.05},
        original_means={1: 0.3, 2: 0.2, 3: 0.1},
    )
    text = picks_claims(picks)
    assert "original protocol picks $K = 3$ where the good setting is $K = 2$" in text
    assert "separates it from it" not in text


def test_picks_table_view_is_a_table_with_human_headers():
    picks = _picks({1: 0.3, 2: 0.1}, {1: -2.0, 2: -1.0})
    frame = picks_table_view(picks).to_frame()
    assert "held-out MMD²" in frame.columns and "copy share" in frame.columns
    assert not any("_" in c for c in frame.columns if c != "C_T")
