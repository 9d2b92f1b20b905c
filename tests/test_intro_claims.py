"""The introduction's headline phrases, on hand-made tables: every branch of their words."""

from __future__ import annotations

import pandas as pd
import pytest

from densitylab.studies import intro


def _fits(model, per_value: dict) -> pd.DataFrame:
    """``per_value``: value → list of (copy share, C_T), one pair per repeat."""
    return pd.DataFrame(
        [
            {"model": model, "value": v, "repeat": r, "copy_share": s, "ct_statistic": c}
            for v, pairs in per_value.items()
            for r, (s, c) in enumerate(pairs)
        ]
    )


def test_near_limits_names_each_limit_crossed_and_nothing_else():
    crossing = pd.DataFrame({"copy_share": [0.09, 0.11], "ct_statistic": [-3.5, -2.5]})
    near = intro._near_limits(crossing)
    assert len(near) == 2 and "10" in near[0] and "−3" in near[1]
    clear = pd.DataFrame({"copy_share": [0.04, 0.06], "ct_statistic": [0.5, 2.9]})
    assert intro._near_limits(clear) == []


@pytest.mark.parametrize(
    ("per_value", "words", "near"),
    [
        ({2: [(0.04, 2.9), (0.04, 3.6)], 50: [(0.04, 5.0), (0.04, 6.0)]}, "over-dispersed", True),
        ({2: [(0.5, -9.0), (0.5, -8.0)], 50: [(0.3, -5.0), (0.3, -6.0)]}, "copies at", False),
        ({2: [(0.5, -9.0), (0.5, -8.0)], 50: [(0.04, 5.0), (0.04, 6.0)]}, "either", False),
        ({2: [(0.5, -9.0), (0.5, -8.0)], 50: [(0.04, 2.9), (0.04, 3.6)]}, "either", True),
    ],
)
def test_a_family_without_a_good_setting_is_described_by_what_its_settings_do(
    per_value, words, near
):
    fits = _fits("DensityForest", per_value)
    text = intro._no_good_phrase(fits, "DensityForest", "n_min", 0.01)
    assert words in text
    assert ("near a limit at" in text) == near
    assert "λ\u00a0=\u00a00.01" in text or "λ = 0.01" in text
    assert "copy checks" in intro._no_good_phrase(None, "GMM", "n_components", None)


def test_good_phrase_flags_a_good_setting_near_a_limit():
    picks = pd.DataFrame(
        {"model": ["DensityForest"], "pick": ["good"], "param": ["n_min"], "value": [12]}
    )
    fits = _fits("DensityForest", {12: [(0.086, 1.0), (0.114, 0.5)]})
    assert intro._good_phrase(picks, fits).endswith("(near a limit)")
    fits = _fits("DensityForest", {12: [(0.05, 1.0), (0.06, 0.5)]})
    assert "near" not in intro._good_phrase(picks, fits)


def test_labels_phrase_says_absence_of_evidence_or_names_the_difference():
    rows = [{"model": "GMM, good: K = 70", "p_value": 0.4}, {"model": "KDE", "p_value": 0.2}]
    assert "not proof of equal proportions" in intro._labels_phrase(rows, alpha=0.01)
    rows[1]["p_value"] = 0.001
    text = intro._labels_phrase(rows, alpha=0.01)
    assert "of KDE differ" in text and "proof" not in text
    assert "no family" in intro._labels_phrase([], alpha=0.01)
