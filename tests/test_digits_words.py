"""The digits chapter's sentences on hand-made inputs: relative tests, witness, floor."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from densitylab.studies import digits_checks, digits_conflicts


def _contrasts(z):
    rows = [
        {
            "a": f"A{i}",
            "b": f"B{i}",
            "z": value,
            "p_value": float(stats.norm.cdf(value)),
            "model_a": "GMM" if i == 0 else "KDE",
            "pick_a": "good",
            "model_b": "GMM" if i == 0 else "GMM",
            "pick_b": "original protocol" if i == 0 else "good",
        }
        for i, value in enumerate(z)
    ]
    return pd.DataFrame(rows)


def test_relative_table_puts_the_closer_model_first_and_bounds_p():
    table = digits_checks.contrasts_table(_contrasts([14.0, -0.2, -2.2])).to_frame()
    assert list(table.iloc[0, :2]) == ["B0", "A0"]  # z > 0: B is closer
    assert table.iloc[0, 3] == "<\u00a010⁻⁶"
    assert all(cell != "1" for cell in table.iloc[:, 3])
    assert all(cell.startswith("−") for cell in table.iloc[:, 2])  # z < 0: A is closer


def test_relative_claims_decide_tie_and_caution():
    text = digits_checks.relative_claims(_contrasts([14.0, -0.2, -2.2]))["claim"]
    assert "B0 is closer than A0 (p\u00a0<\u00a010⁻⁶)" in text
    assert "cannot tell apart A1 and B1" in text
    assert "A2 is closer than B2 (p\u00a0=\u00a00.014)" in text
    assert "read this one with caution" in text and "A2 against B2" in text
    calm = digits_checks.relative_claims(_contrasts([-5.0]))["claim"]
    assert "caution" not in calm


def test_relative_p_values_are_the_within_family_pairs():
    assert digits_checks.relative_p_values(_contrasts([1.0, 2.0])) == {
        "GMM": _contrasts([1.0])["p_value"][0]
    }


def _flagged(components, weights, classes):
    rng = np.random.default_rng(0)
    return SimpleNamespace(
        values=(np.array([0.01]), np.array([-0.005])),
        label="GMM, good: $K = 3$",
        components=np.asarray(components),
        weights=np.asarray(weights),
        too_many=rng.normal(size=(len(components), 64)),
        too_few_classes=np.asarray(classes),
        median_distance=49.0,
    )


def test_witness_claims_name_one_overweighted_component_or_many():
    one = digits_checks.witness_claims(
        _flagged([1] * 10 + [0, 2], [0.2, 0.6, 0.2], [8] * 5 + [1] * 7)
    )
    assert "Ten of the 12 generated digits it flags come from one component" in one["claim"]
    assert "weight 0.60 (more than the 0.33 of an even share)" in one["claim"]
    assert "seven 1s and five 8s by their true labels" in one["claim"]
    many = digits_checks.witness_claims(_flagged([0, 1, 2] * 4, [0.3, 0.3, 0.4], list(range(12))))
    assert "over-produces a few kinds of digit rather than one" in many["claim"]
    assert "among others" in many["claim"]


def test_floor_words_read_the_paired_difference():
    floor = np.array([1e-4, 2e-4, 1.5e-4])
    below = digits_conflicts._floor_words(floor - 1e-3, floor)
    assert "lies below that floor" in below
    within = digits_conflicts._floor_words(floor + np.array([1e-4, -1e-4, 0.5e-4]), floor)
    assert "within the noise of that floor" in within
    above = digits_conflicts._floor_words(floor + 1e-3, floor)
    assert "lies above that floor" in above
    assert "cannot be compared" in digits_conflicts._floor_words(floor[:1], floor[:1])
