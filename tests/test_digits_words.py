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
            "a": f"A{i}, good: K = {i}",
            "b": f"B{i}, original protocol: h = {i}",
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
    # z > 0: B is closer
    assert list(table.iloc[0, :2]) == ["B0, original protocol: h = 0", "A0, good: K = 0"]
    assert table.iloc[0, 3] == "<\u00a010⁻⁶"
    assert all(cell != "1" for cell in table.iloc[:, 3])
    assert all(cell.startswith("−") for cell in table.iloc[:, 2])  # z < 0: A is closer


def test_relative_claims_decide_tie_and_caution():
    text = digits_checks.relative_claims(_contrasts([14.0, -0.2, -2.2]))["claim"]
    b0, a0 = "the B0 of the original protocol (h = 0)", "the good A0 (K = 0)"
    assert f"{b0} is closer than {a0} (p\u00a0<\u00a010⁻⁶)" in text  # words, not labels
    assert "cannot tell apart the good A1 (K = 1) and the B1 of the original" in text
    a2, b2 = "the good A2 (K = 2)", "the B2 of the original protocol (h = 2)"
    assert f"{a2} is closer than {b2} (p\u00a0=\u00a00.014)" in text
    assert "read this one with caution" in text and f"{a2} against {b2}" in text
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

    def words(values, reference=floor):
        return digits_conflicts._floor_words(values, reference, 2000, 1347)

    assert "lies below that floor" in words(floor - 1e-3)
    assert "within the noise of that floor" in words(floor + np.array([1e-4, -1e-4, 0.5e-4]))
    above = words(floor + 1e-3)
    # Above the floor: the repeats of 2000 draws from 1347 digits, not a copy penalty.
    assert "lies above that floor" in above and "2000 draws from 1347" in above
    assert "cannot be compared" in words(floor[:1], floor[:1])


def test_train_words_compare_the_copier_with_real_unseen_digits():
    floor = np.array([-7e-4, -8e-4, -7.5e-4])
    text = digits_conflicts._train_words(floor + 1e-4, floor)
    assert "below 0 as well" in text and "scores above them" in text
    assert "better than" not in text
    assert "looks better than new real digits" in digits_conflicts._train_words(
        floor - 1e-3, floor
    )
    tie = digits_conflicts._train_words(floor + np.array([1e-5, -1e-5, 0.0]), floor)
    assert "cannot be told from new real digits" in tie
    # A floor that is not below 0 is not said to be.
    assert "below 0" not in digits_conflicts._train_words(-floor, -floor)
