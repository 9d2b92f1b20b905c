"""The sweep runner of densitylab.experiments: grids, seeds, parallelism, tidy output, checks."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, DensityMixin

from densitylab import experiments
from densitylab._random import as_generator
from densitylab.diagnostics import copy_check
from densitylab.experiments import (
    SWEEP_COLUMNS,
    TrainingSet,
    check_grid,
    check_scalar_param,
    derive_seed,
    fit_and_sample,
    make_training_sets,
    run_sweep,
    summarize_sweep,
)
from densitylab.mmd import mmd2_unbiased


class ShiftedGaussian(DensityMixin, BaseEstimator):
    """Test double: N(mean(X) + shift, I) in any dimension, sampled with the given seed.

    ``fit`` draws one number from its ``random_state`` (``fit_draw_``) so tests can
    see which fit seed a task used.
    """

    def __init__(self, shift=0.0, random_state=None):
        self.shift = shift
        self.random_state = random_state

    def fit(self, X, y=None):
        self.mean_ = np.mean(X, axis=0) + self.shift
        self.fit_draw_ = as_generator(self.random_state).random()
        return self

    def score_samples(self, X):
        return stats.multivariate_normal(self.mean_).logpdf(X)

    def sample(self, n_samples=1, random_state=None):
        rng = as_generator(self.random_state if random_state is None else random_state)
        return self.mean_ + rng.standard_normal((n_samples, self.mean_.shape[0]))


def _gaussian_sampler(n, random_state):
    return as_generator(random_state).standard_normal((n, 2))


@pytest.fixture(scope="module")
def study():
    sets = make_training_sets(_gaussian_sampler, [30, 60], 2, seed=3)
    X_test = np.random.default_rng(99).standard_normal((80, 2))
    return sets, X_test


def _sweep(study, values=(0.0, 1.0, 2.0), **kwargs):
    sets, X_test = study
    options = {
        "bandwidths": {"test": [0.5, 1.0]},
        "n_generated": 50,
        "heldout": X_test,
        "seed": 11,
        "progress": False,
    } | kwargs
    return run_sweep(ShiftedGaussian(), "shift", list(values), sets, {"test": X_test}, **options)


def _comparable(df):
    """The result without its wall-clock column, which differs between identical runs."""
    return df.drop(columns="fit_seconds").reset_index(drop=True)


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
    sets = make_training_sets(_gaussian_sampler, [30, 60], 3, seed=5)
    assert [(s.n_train, s.repeat) for s in sets] == list(itertools.product([30, 60], range(3)))
    assert all(s.X.shape == (s.n_train, 2) for s in sets)
    assert not np.array_equal(sets[0].X, sets[1].X)  # repeats are different draws
    alone = make_training_sets(_gaussian_sampler, [60], 1, seed=5)
    np.testing.assert_array_equal(alone[0].X, sets[3].X)  # (60, 0) does not see the others
    other_seed = make_training_sets(_gaussian_sampler, [60], 1, seed=6)
    assert not np.array_equal(other_seed[0].X, sets[3].X)


def test_make_training_sets_checks_its_grid():
    with pytest.raises(ValueError, match="train_sizes"):
        make_training_sets(_gaussian_sampler, [30, -60], 1, seed=0)
    with pytest.raises(ValueError, match="repeats"):
        make_training_sets(_gaussian_sampler, [30], 0, seed=0)


# --- run_sweep ------------------------------------------------------------------


def test_run_sweep_returns_exactly_the_grid_in_tidy_columns(study):
    df = _sweep(study, kernels=("se", "imq"))
    assert list(df.columns) == list(SWEEP_COLUMNS)
    expected = set(
        itertools.product([0.0, 1.0, 2.0], [30, 60], range(2), ["test"], ["se", "imq"], [0.5, 1.0])
    )
    keys = df[["value", "n_train", "repeat", "reference", "kernel", "bandwidth"]]
    observed = list(keys.itertuples(index=False, name=None))
    assert len(observed) == len(expected) == 48
    # Grid order: value, then training set (size, repeat), then reference, kernel, bandwidth.
    assert observed == list(
        itertools.product([0.0, 1.0, 2.0], [30, 60], range(2), ["test"], ["se", "imq"], [0.5, 1.0])
    )
    assert (df["model"] == "ShiftedGaussian").all()
    assert (df["param"] == "shift").all()
    assert (df["n_generated"] == 50).all()
    assert np.isfinite(df["mmd2"]).all() and np.isfinite(df["heldout_loglik"]).all()
    assert (df["fit_seconds"] >= 0).all()
    assert (df["heldout_zero_share"] == 0).all()
    assert df["copy_share"].isna().all()  # not requested


def test_run_sweep_several_references_with_their_own_bandwidths(study):
    sets, X_test = study
    df = run_sweep(
        ShiftedGaussian(),
        "shift",
        [0.0],
        sets[:1],
        {"train": sets[0].X, "heldout": X_test},
        bandwidths={"train": [1.0], "heldout": [0.3, 1.0]},
        kernels=("se",),
        n_generated=40,
        progress=False,
    )
    assert sorted(zip(df["reference"], df["bandwidth"], strict=True)) == [
        ("heldout", 0.3),
        ("heldout", 1.0),
        ("train", 1.0),
    ]
    assert df["heldout_loglik"].isna().all()  # no heldout given


def test_run_sweep_rows_are_reproduced_by_fit_and_sample_and_the_mmd(study):
    sets, X_test = study
    df = _sweep(study)
    row = df.query("value == 1.0 and n_train == 60 and repeat == 1")
    fitted, X_gen = fit_and_sample(
        ShiftedGaussian(), "shift", 1.0, sets[3], n_generated=50, seed=11
    )
    assert (sets[3].n_train, sets[3].repeat) == (60, 1)
    for _, r in row.iterrows():
        assert r["mmd2"] == mmd2_unbiased(
            X_gen, X_test, kernel=r["kernel"], bandwidth=r["bandwidth"]
        )
    assert row["heldout_loglik"].iloc[0] == pytest.approx(
        np.mean(fitted.score_samples(X_test)), rel=1e-12
    )
    assert fitted.shift == 1.0
    np.testing.assert_allclose(fitted.mean_, sets[3].X.mean(axis=0) + 1.0)


def test_run_sweep_mmd_grows_with_the_shift(study):
    # Sanity of the wiring: generated samples shifted further from the test set score worse.
    summary = summarize_sweep(_sweep(study, kernels=("se",)))
    means = summary.query("bandwidth == 1.0 and n_train == 60")["mmd2_mean"].to_numpy()
    assert np.all(np.diff(means) > 0)


def test_run_sweep_is_identical_for_every_n_jobs(study):
    serial = _sweep(study, n_jobs=1)
    parallel = _sweep(study, n_jobs=2)
    pd.testing.assert_frame_equal(_comparable(serial), _comparable(parallel), check_exact=True)


def test_run_sweep_task_results_do_not_depend_on_grid_order(study):
    forward = _sweep(study, values=(0.0, 1.0, 2.0))
    backward = _sweep(study, values=(2.0, 0.0))
    subset = forward[forward["value"].isin([2.0, 0.0])]
    keys = ["value", "n_train", "repeat", "kernel", "bandwidth"]
    pd.testing.assert_frame_equal(
        _comparable(subset.sort_values(keys)),
        _comparable(backward.sort_values(keys)),
        check_exact=True,
    )


def test_run_sweep_sets_a_task_specific_fit_seed(study):
    sets, _ = study
    fits = [
        fit_and_sample(ShiftedGaussian(), "shift", v, ts, n_generated=5, seed=11)[0]
        for v in (0.0, 1.0)
        for ts in sets
    ]
    draws = [f.fit_draw_ for f in fits]
    assert len(set(draws)) == len(draws)  # every task its own fit stream
    again = fit_and_sample(ShiftedGaussian(), "shift", 1.0, sets[2], n_generated=5, seed=11)[0]
    assert again.fit_draw_ == fits[len(sets) + 2].fit_draw_
    assert again.random_state == fits[len(sets) + 2].random_state
    assert isinstance(again.random_state, int)


def test_run_sweep_copy_check_columns_match_the_diagnostic(study):
    sets, X_test = study
    df = _sweep(study, values=(0.0,), copy_check=True, kernels=("se",))
    _, X_gen = fit_and_sample(ShiftedGaussian(), "shift", 0.0, sets[0], n_generated=50, seed=11)
    expected = copy_check(X_gen, sets[0].X, X_test)
    row = df.query("n_train == 30 and repeat == 0").iloc[0]
    assert row["copy_share"] == expected.share
    assert row["copy_threshold"] == expected.threshold
    assert row["copy_median_ratio"] == expected.median_ratio


def test_run_sweep_progress_lines_only_when_asked(study, capsys, monkeypatch):
    _sweep(study, values=(0.0,), progress=True)
    err = capsys.readouterr().err
    assert "ShiftedGaussian shift: 4/4 fits" in err
    _sweep(study, values=(0.0,), progress=False)
    assert capsys.readouterr().err == ""
    # Default: stderr is not a terminal under pytest, so quiet unless the environment says.
    monkeypatch.delenv(experiments.PROGRESS_ENV, raising=False)
    _sweep(study, values=(0.0,), progress=None)
    assert capsys.readouterr().err == ""
    monkeypatch.setenv(experiments.PROGRESS_ENV, "1")
    _sweep(study, values=(0.0,), progress=None)
    assert "4/4 fits" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"param": "bins"}, "param='bins' is not a hyper-parameter of ShiftedGaussian"),
        ({"values": []}, "values must hold"),
        ({"bandwidths": {"other": [1.0]}}, "bandwidths has no entry"),
        ({"bandwidths": {"test": [0.0]}}, r"bandwidths\['test'\]"),
        ({"kernels": ("gauss",)}, "kernels"),
        ({"n_generated": 1}, "n_generated"),
        ({"seed": -1}, "seed"),
        ({"heldout": None, "copy_check": True}, "copy_check=True needs a heldout"),
        ({"training_sets": [np.zeros((5, 2))]}, "TrainingSet"),
    ],
)
def test_run_sweep_rejects_bad_arguments(study, kwargs, message):
    sets, X_test = study
    arguments = {
        "param": "shift",
        "values": [0.0],
        "training_sets": sets,
        "bandwidths": {"test": [1.0]},
        "n_generated": 10,
        "heldout": X_test,
        "seed": 0,
    } | kwargs
    param, values, training_sets = (arguments.pop(k) for k in ("param", "values", "training_sets"))
    with pytest.raises(ValueError, match=message):
        run_sweep(ShiftedGaussian(), param, values, training_sets, {"test": X_test}, **arguments)


def test_training_set_is_frozen():
    ts = TrainingSet(10, 0, np.zeros((10, 2)))
    with pytest.raises(AttributeError):
        ts.n_train = 20


# --- summarize_sweep --------------------------------------------------------------


def test_summarize_sweep_mean_std_and_standard_error(study):
    df = _sweep(study, kernels=("se",))
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
