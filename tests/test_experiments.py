"""The study toolkit: parameter checks, seeds and training sets, summaries, words for trends."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from doubles import gaussian_sampler, small_study
from doubles import sweep_shift as _sweep

from densitylab import experiments
from densitylab.experiments import (
    check_grid,
    check_scalar_param,
    derive_seed,
    make_training_sets,
    summarize_sweep,
)


@pytest.fixture(scope="module")
def study():
    return small_study()


# --- parameter checks -----------------------------------------------------------


def test_check_scalar_param_accepts_and_converts():
    assert check_scalar_param(np.int64(5), "repeats", integer=True, minimum=1) == 5
    assert type(check_scalar_param(np.int64(5), "repeats", integer=True)) is int
    assert check_scalar_param(0.1, "noise", minimum=0) == 0.1
    assert check_scalar_param(3, "noise", minimum=0) == 3.0


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        (0, {"integer": True, "minimum": 1}),
        (-3, {"integer": True, "minimum": 1}),
        (2.5, {"integer": True}),
        (True, {"integer": True}),
        ("5", {"integer": True}),
        (np.nan, {}),
        (np.inf, {}),
        (0.0, {"minimum": 0, "exclusive": True}),
        (None, {}),
    ],
)
def test_check_scalar_param_rejects_with_the_name(value, kwargs):
    with pytest.raises(ValueError, match=r"^my_param must be"):
        check_scalar_param(value, "my_param", **kwargs)


def test_check_grid_returns_python_scalars_in_order():
    assert check_grid(np.array([3, 1, 2]), "bins", integer=True, minimum=1) == [3, 1, 2]
    assert check_grid((0.05, 0.1), "kde_bandwidths", minimum=0, exclusive=True) == [0.05, 0.1]


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        ([], {}, "hist_bins must be a non-empty list"),
        (5, {}, "hist_bins must be a non-empty list"),
        ("10,20", {}, "hist_bins must be a non-empty list"),
        ({"a": 1}, {}, "hist_bins must be a non-empty list"),
        ([10, -20], {"integer": True, "minimum": 1}, "every entry of hist_bins"),
        ([10, 0], {"integer": True, "minimum": 1}, "every entry of hist_bins"),
        ([10, 2.5], {"integer": True}, "every entry of hist_bins"),
        ([0.1, 0.0], {"minimum": 0, "exclusive": True}, "every entry of hist_bins"),
        ([0.1, float("nan")], {}, "every entry of hist_bins"),
        ([10, 10], {"integer": True}, "hist_bins holds a value twice"),
    ],
)
def test_check_grid_rejects_with_the_name(values, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_grid(values, "hist_bins", **kwargs)


# --- seeds and training sets ----------------------------------------------------


def _draw(ss):
    return np.random.default_rng(ss).random(4)


def test_derive_seed_depends_on_seed_and_every_key_part():
    base = _draw(derive_seed(0, "GMM", 3, 100, 0))
    np.testing.assert_array_equal(base, _draw(derive_seed(0, "GMM", 3, 100, 0)))
    for other in [
        derive_seed(1, "GMM", 3, 100, 0),
        derive_seed(0, "KDE", 3, 100, 0),
        derive_seed(0, "GMM", 5, 100, 0),
        derive_seed(0, "GMM", 3, 200, 0),
        derive_seed(0, "GMM", 3, 100, 1),
        derive_seed(0, "GMM", "3", 100, 0),  # a string is not the number
    ]:
        assert not np.array_equal(base, _draw(other))


def test_derive_seed_equal_numbers_give_equal_seeds():
    np.testing.assert_array_equal(
        _draw(derive_seed(0, "m", 5, 100, 0)), _draw(derive_seed(0, "m", np.float64(5.0), 100, 0))
    )
    np.testing.assert_array_equal(
        _draw(derive_seed(0, "m", 0.1, 100, 0)),
        _draw(derive_seed(0, "m", np.float64(0.1), 100, 0)),
    )


def test_derive_seed_rejects_negative_seed():
    with pytest.raises(ValueError, match="seed"):
        derive_seed(-1, "test")


def test_make_training_sets_grid_and_independence_of_other_sizes():
    sets = make_training_sets(gaussian_sampler, [30, 60], 3, seed=5)
    assert [(s.n_train, s.repeat) for s in sets] == list(itertools.product([30, 60], range(3)))
    assert all(s.X.shape == (s.n_train, 2) for s in sets)
    assert not np.array_equal(sets[0].X, sets[1].X)  # repeats are different draws
    alone = make_training_sets(gaussian_sampler, [60], 1, seed=5)
    np.testing.assert_array_equal(alone[0].X, sets[3].X)  # (60, 0) does not see the others
    other_seed = make_training_sets(gaussian_sampler, [60], 1, seed=6)
    assert not np.array_equal(other_seed[0].X, sets[3].X)


def test_make_training_sets_checks_its_grid():
    with pytest.raises(ValueError, match="train_sizes"):
        make_training_sets(gaussian_sampler, [30, -60], 1, seed=0)
    with pytest.raises(ValueError, match="repeats"):
        make_training_sets(gaussian_sampler, [30], 0, seed=0)


# --- summarize_sweep --------------------------------------------------------------


def test_summarize_sweep_mean_std_and_standard_error(study):
    result = _sweep(study, kernels=("se",))
    df = result.joined()
    summary = summarize_sweep(df, columns=("mmd2", "heldout_loglik"))
    assert len(summary) == 3 * 2 * 2  # values × sizes × bandwidths
    assert (summary["n_repeats"] == 2).all()
    group = df.query("value == 2.0 and n_train == 30 and bandwidth == 0.5")["mmd2"].to_numpy()
    row = summary.query("value == 2.0 and n_train == 30 and bandwidth == 0.5").iloc[0]
    assert row["mmd2_mean"] == pytest.approx(np.mean(group), rel=1e-12)
    assert row["mmd2_std"] == pytest.approx(np.std(group, ddof=1), rel=1e-12)
    assert row["mmd2_se"] == pytest.approx(np.std(group, ddof=1) / np.sqrt(2), rel=1e-12)
    assert {"heldout_loglik_mean", "heldout_loglik_std", "heldout_loglik_se"} <= set(summary)


def test_summarize_sweep_minus_inf_gives_undefined_spread_without_warning():
    df = pd.DataFrame({"model": "H", "value": [1, 1, 2, 2], "ll": [-np.inf, -np.inf, -1.0, -2.0]})
    summary = summarize_sweep(df, columns=["ll"], by=["model", "value"])
    first, second = summary.iloc[0], summary.iloc[1]
    assert first["ll_mean"] == -np.inf and np.isnan(first["ll_std"]) and np.isnan(first["ll_se"])
    assert second["ll_mean"] == -1.5
    assert second["ll_std"] == pytest.approx(np.sqrt(0.5))


def test_summarize_sweep_rejects_unknown_columns():
    with pytest.raises(ValueError, match="no column"):
        summarize_sweep(pd.DataFrame({"value": [1]}), columns=["mmd2"], by=["value"])


# --- words for computed claims -----------------------------------------------------


@pytest.mark.parametrize(
    ("y", "words"),
    [
        ([1, 2, 3, 4], "rises at every step"),
        ([4, 3, 2, 1], "falls at every step"),
        ([4, 1, 2, 3], "falls until 20, then rises"),
        ([1, 3, 5, 2], "rises until 30, then falls"),
        ([1, 3, 2, 4], "changes direction 2 times"),
        ([2, 2, 2, 2], "stays level"),
        ([3, 3, 2, 1], "falls at every step"),  # a level first step takes the next direction
        ([3, 1, 1, 2], "falls until 30, then rises"),  # a level step keeps the direction
    ],
)
def test_describe_trend(y, words):
    assert experiments.describe_trend([10, 20, 30, 40], y) == words


def test_describe_trend_rejects_bad_input():
    with pytest.raises(ValueError, match="finite"):
        experiments.describe_trend([1, 2], [0.0, -np.inf])
    with pytest.raises(ValueError, match="increasing"):
        experiments.describe_trend([2, 1], [0.0, 1.0])
    with pytest.raises(ValueError, match="same length"):
        experiments.describe_trend([1, 2, 3], [0.0, 1.0])


def test_near_best_uses_the_standard_error_of_the_difference():
    values = [1, 2, 3, 4]
    means = [0.10, 0.020, 0.0245, 0.028]
    ses = [0.01, 0.002, 0.001, 0.001]
    # Band to the best (value 2) for values 3 and 4: k·sqrt(0.001² + 0.002²) = k·0.002236.
    # Value 3 is 0.0045 away: outside at k=2 (0.00447), inside at k=3 (0.00671).
    # Value 4 is 0.008 away: outside at both.
    assert experiments.near_best(values, means, ses) == [2]
    assert experiments.near_best(values, means, ses, n_se=3.0) == [2, 3]
    assert experiments.near_best(values, [-1.0, -0.5, -0.52, -2.0], ses, minimize=False) == [2]
    assert experiments.near_best(values, means, [np.nan] * 4) == [2]


def test_near_best_ignores_non_finite_means():
    assert experiments.near_best([1, 2], [-np.inf, -1.0], [np.nan, 0.1], minimize=False) == [2]
    with pytest.raises(ValueError, match="no finite mean"):
        experiments.near_best([1, 2], [-np.inf, -np.inf], [np.nan, np.nan], minimize=False)


def test_from_text_reads_literals_and_names_the_parameter():
    assert experiments.from_text("[100, 200]", "train_sizes") == [100, 200]
    assert experiments.from_text("0.1", "noise") == 0.1
    assert experiments.from_text([1, 2], "hist_bins") == [1, 2]
    with pytest.raises(ValueError, match="hist_bins must be a Python literal"):
        experiments.from_text("[1, 2", "hist_bins")


def test_describe_trend_uses_the_labels():
    labels = ["n_min = 5", "n_min = 10", "n_min = 20"]
    assert experiments.describe_trend([5, 10, 20], [1, 2, 0], labels) == (
        "rises until n_min = 10, then falls"
    )
    with pytest.raises(ValueError, match="labels"):
        experiments.describe_trend([5, 10], [1, 2], labels)
