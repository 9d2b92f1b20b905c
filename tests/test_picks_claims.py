"""The picks' sentences: why the original protocol's pick differs from the good one, what
held-out MMD² says about the pair, and which verdicts are borderline (every branch)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from doubles import HELDOUT, ORIGINAL

from densitylab.studies.picks import (
    bounded_p_value,
    picks_claims,
    picks_table,
    picks_table_view,
    spread_claims,
)

KEYS = {"model": "GMM", "param": "n_components", "n_train": 100}


def _table(heldout, original, share, ct, *, repeats=4, noise=0.0, seed=0):
    """A picks table from per-value held-out MMD² means (with paired noise per repeat)."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(size=repeats)  # what all values of one repeat share
    rows, fits = [], []
    for value in heldout:
        own = rng.normal(size=repeats)
        for r in range(repeats):
            base = KEYS | {"value": value, "repeat": r}
            rows.append(
                base
                | {"reference": "test", "kernel": "se", "bandwidth_name": "median"}
                | {"mmd2": heldout[value] + 0.01 * shared[r] + noise * own[r]}
            )
            rows.append(
                base
                | {"reference": "test", "kernel": "se", "bandwidth_name": "original"}
                | {"mmd2": original[value] + 0.001 * own[r]}
            )
            fits.append(
                base
                | {
                    "heldout_loglik": -float(value) + 0.01 * own[r],
                    "copy_share": share[value] + 0.001 * r,
                    "ct_statistic": ct[value] + 0.1 * own[r],
                }
            )
    return picks_table(
        pd.DataFrame(fits), pd.DataFrame(rows), n_train=100, heldout=HELDOUT, original=ORIGINAL
    )


# The original protocol picks K = 3 (lowest original-criterion MMD²); K = 2 is good.
ORIGINAL_MEANS = {1: 0.3, 2: 0.2, 3: 0.1}


def _copier_table(heldout_3=0.12, noise=0.0, repeats=4):
    return _table(
        {1: 0.3, 2: 0.1, 3: heldout_3},
        ORIGINAL_MEANS,
        share={1: 0.05, 2: 0.05, 3: 0.5},
        ct={1: 0.0, 2: 0.0, 3: -9.0},
        noise=noise,
        repeats=repeats,
    )


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.41, "cannot tell the two apart (relative test, one-sided p\u00a0=\u00a00.41 for"),
        (0.78, "cannot tell the two apart (relative test, one-sided p\u00a0=\u00a00.22 for"),
        (0.001, "held-out MMD² prefers $K = 2$ (relative test, p\u00a0=\u00a00.0010)"),
        (
            1 - 1e-12,
            "held-out MMD² prefers the copier $K = 3$ (relative test, p\u00a0<\u00a010⁻⁶)",
        ),
    ],
)
def test_the_sentence_gives_the_reason_and_the_relative_test(p, expected):
    text = picks_claims(_copier_table(), relative={"GMM": p})
    assert "original protocol picks $K = 3$ where the good setting is $K = 2$" in text
    assert "the copy checks exclude it because it copies" in text
    assert expected in text
    assert "beyond the noise" not in text


def test_over_dispersed_original_is_excluded_for_that_reason():
    picks = _table(
        {1: 0.3, 2: 0.1, 3: 0.12},
        ORIGINAL_MEANS,
        share={1: 0.05, 2: 0.05, 3: 0.0},
        ct={1: 0.0, 2: 0.0, 3: 9.0},
    )
    assert "exclude it because its samples are over-dispersed" in picks_claims(picks)


def test_a_qualified_original_pick_is_ranked_by_the_heldout_mmd():
    picks = _table(
        {1: 0.3, 2: 0.1, 3: 0.2},
        ORIGINAL_MEANS,
        share={1: 0.05, 2: 0.05, 3: 0.05},
        ct={1: 0.0, 2: 0.0, 3: 0.0},
    )
    text = picks_claims(picks)
    assert "it passes the copy checks, but its mean held-out MMD² is higher than" in text
    assert "held-out MMD² prefers $K = 2$ (paired 95 % interval of the difference" in text


def test_without_a_relative_test_the_paired_interval_decides():
    lower = picks_claims(_copier_table(heldout_3=0.05))  # the copier is closer
    assert "held-out MMD² prefers the copier $K = 3$ (paired 95 % interval" in lower
    higher = picks_claims(_copier_table(heldout_3=0.2))
    assert "held-out MMD² prefers $K = 2$ (paired 95 % interval" in higher
    tied = picks_claims(_copier_table(heldout_3=0.1001, noise=0.05))
    assert "cannot tell the two apart (the paired 95 % interval of the difference" in tied
    assert "holds 0)" in tied


def test_paired_interval_columns_are_the_difference_to_the_good_pick():
    picks = _copier_table(heldout_3=0.2)
    original = picks[picks["pick"] == "original protocol"].iloc[0]
    assert original["mmd2_vs_good_low"] < 0.1 < original["mmd2_vs_good_high"]
    good = picks[picks["pick"] == "good"].iloc[0]
    assert np.isnan(good["mmd2_vs_good_low"]) and np.isnan(good["mmd2_vs_good_high"])


def test_one_repeat_cannot_compare():
    text = picks_claims(_copier_table(repeats=1))
    assert "too few repeats to compare their held-out MMD²" in text


def test_agreeing_rules_are_said_to_agree():
    picks = _table(
        {1: 0.3, 2: 0.1, 3: 0.2},
        {1: 0.3, 2: 0.1, 3: 0.2},
        share={1: 0.05, 2: 0.05, 3: 0.05},
        ct={1: 0.0, 2: 0.0, 3: 0.0},
    )
    assert picks_claims(picks) == (
        "For the GMM the original protocol and the good rule agree on $K = 2$."
    )


def test_spread_flags_a_borderline_verdict_and_only_that():
    picks = _copier_table()
    good = picks["pick"] == "good"
    calm = spread_claims(picks, n_repeats=4)
    assert "Every split gives the same verdicts as the means." in calm
    assert "over the four splits" in calm
    picks.loc[good, ["copy_share", "copy_share_max"]] = [0.097, 0.114]
    text = spread_claims(picks, unit="training set")
    assert "borderline" in text and "11\u00a0%" in text and "10\u00a0% limit" in text
    assert "not every training set does" in text
    picks.loc[good, ["copy_share_max", "ct_max"]] = [0.09, 3.4]
    assert "its $C_T$ reaches 3.4, above 3" in spread_claims(picks)
    picks.loc[good, ["ct_max", "ct_min"]] = [1.0, -3.2]
    assert "its $C_T$ falls to −3.2, below −3" in spread_claims(picks)
    assert spread_claims(picks[~good]) == (
        "No family has a good pick, so no such verdict can be borderline."
    )


def test_bounded_p_value():
    assert bounded_p_value(1e-40) == "p\u00a0<\u00a010⁻⁶"
    assert bounded_p_value(1e-40, label="") == "<\u00a010⁻⁶"
    assert bounded_p_value(0.3, label="") == "0.30"
    assert bounded_p_value(2e-5, floor=1e-4) == "p\u00a0<\u00a010⁻⁴"
    with pytest.raises(ValueError, match="floor"):
        bounded_p_value(0.1, floor=0)


def test_table_view_one_style_per_column_and_no_self_ties():
    picks = _copier_table()
    picks["mmd2_heldout"] = [-1.9e-4, 6.6e-4, 3.4e-3, 5.0e-2][: len(picks)]
    picks["mmd2_heldout_se"] = [2.3e-4, 1.2e-4, 8.6e-5, 1.3e-3][: len(picks)]
    frame = picks_table_view(picks).to_frame()
    header = [c for c in frame.columns if c.startswith("held-out MMD²")][0]
    assert header == "held-out MMD² [×\u00a010⁻⁵]"
    assert not any("×" in cell for cell in frame[header])  # no cell has its own power
    for pick, ties in zip(picks["pick"], frame["ties with"], strict=True):
        row = picks[picks["pick"] == pick].iloc[0]
        assert f"K\u00a0=\u00a0{row['value']:g}" not in ties.split(", ")
