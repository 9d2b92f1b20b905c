"""The sweep runner: grids, seeds, parallelism, the two tidy tables, per-set references, checks."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd
import pytest
from doubles import ShiftedGaussian, small_study
from doubles import sweep_shift as _sweep

from densitylab import sweeps
from densitylab.diagnostics import copy_check, data_copying_test
from densitylab.mmd import mmd2_unbiased
from densitylab.seeding import TrainingSet, derive_seed
from densitylab.summaries import summarize_sweep
from densitylab.sweep_result import FIT_COLUMNS, MMD_COLUMNS, SweepResult
from densitylab.sweeps import fit_and_sample, run_sweep


@pytest.fixture(scope="module")
def study():
    return small_study()


def test_run_sweep_returns_one_row_per_fit_and_one_per_measurement(study):
    result = _sweep(study, kernels=("se", "imq"))
    assert isinstance(result, SweepResult)
    assert list(result.fits.columns) == list(FIT_COLUMNS)
    assert list(result.mmd.columns) == list(MMD_COLUMNS)
    fit_keys = list(result.fits[["value", "n_train", "repeat"]].itertuples(index=False, name=None))
    # Grid order: value, then training set (size, repeat).
    assert fit_keys == list(itertools.product([0.0, 1.0, 2.0], [30, 60], range(2)))
    keys = result.mmd[["value", "n_train", "repeat", "reference", "kernel", "bandwidth_name"]]
    assert list(keys.itertuples(index=False, name=None)) == list(
        itertools.product(
            [0.0, 1.0, 2.0], [30, 60], range(2), ["test"], ["se", "imq"], ["narrow", "wide"]
        )
    )
    assert result.mmd["bandwidth"].tolist() == [0.5, 1.0] * 24
    fits = result.fits
    assert (fits["model"] == "ShiftedGaussian").all() and (fits["param"] == "shift").all()
    assert (fits["n_generated"] == 50).all()
    assert np.isfinite(result.mmd["mmd2"]).all() and np.isfinite(fits["heldout_loglik"]).all()
    assert (fits["fit_seconds"] >= 0).all() and (fits["heldout_zero_share"] == 0).all()
    assert fits["copy_share"].isna().all() and fits["ct_statistic"].isna().all()  # not asked


def test_joined_table_repeats_each_fit_fact_on_its_measurements(study):
    result = _sweep(study, values=(0.0,))
    joined = result.joined()
    assert len(joined) == len(result.mmd)
    assert set(FIT_COLUMNS) | set(MMD_COLUMNS) == set(joined.columns)
    per_fit = joined.groupby(["n_train", "repeat"])["heldout_loglik"].nunique()
    assert (per_fit == 1).all()
    merged = result.fits.set_index(["n_train", "repeat"])["heldout_loglik"]
    for _, row in joined.iterrows():
        assert row["heldout_loglik"] == merged[row["n_train"], row["repeat"]]


def test_run_sweep_several_references_with_their_own_bandwidths(study):
    sets, X_test = study
    result = run_sweep(
        ShiftedGaussian(),
        "shift",
        [0.0],
        sets[:1],
        {"train": sets[0].X, "heldout": X_test},
        bandwidths={"train": {"h=1": 1.0}, "heldout": {"small": 0.3, "h=1": 1.0}},
        kernels="se",
        n_generated=40,
        progress=False,
    )
    pairs = sorted(zip(result.mmd["reference"], result.mmd["bandwidth"], strict=True))
    assert pairs == [("heldout", 0.3), ("heldout", 1.0), ("train", 1.0)]
    assert result.fits["heldout_loglik"].isna().all()  # no heldout given


def test_a_training_set_brings_its_own_references_and_heldout(study):
    sets, X_test = study
    own = [
        TrainingSet(
            ts.n_train,
            ts.repeat,
            ts.X,
            heldout=X_test[:40] + ts.repeat,
            references={"train": ts.X},
        )
        for ts in sets
    ]
    result = run_sweep(
        ShiftedGaussian(),
        "shift",
        [0.0],
        own,
        bandwidths={"train": {"h": 1.0}},
        kernels="se",
        n_generated=40,
        progress=False,
        copy_check=True,
    )
    for ts in own:
        fitted, X_gen = fit_and_sample(ShiftedGaussian(), "shift", 0.0, ts, n_generated=40, seed=0)
        row = result.mmd.query("n_train == @ts.n_train and repeat == @ts.repeat").iloc[0]
        assert row["mmd2"] == mmd2_unbiased(X_gen, ts.X, kernel="se", bandwidth=1.0)
        fit = result.fits.query("n_train == @ts.n_train and repeat == @ts.repeat").iloc[0]
        assert fit["heldout_loglik"] == pytest.approx(
            np.mean(fitted.score_samples(ts.heldout)), rel=1e-12
        )
        assert fit["copy_share"] == copy_check(X_gen, ts.X, ts.heldout).share


def test_run_sweep_rows_are_reproduced_by_fit_and_sample_and_the_mmd(study):
    sets, X_test = study
    result = _sweep(study)
    rows = result.mmd.query("value == 1.0 and n_train == 60 and repeat == 1")
    fitted, X_gen = fit_and_sample(
        ShiftedGaussian(), "shift", 1.0, sets[3], n_generated=50, seed=11
    )
    assert (sets[3].n_train, sets[3].repeat) == (60, 1)
    for _, r in rows.iterrows():
        assert r["mmd2"] == mmd2_unbiased(
            X_gen, X_test, kernel=r["kernel"], bandwidth=r["bandwidth"]
        )
    fit = result.fits.query("value == 1.0 and n_train == 60 and repeat == 1").iloc[0]
    assert fit["heldout_loglik"] == pytest.approx(np.mean(fitted.score_samples(X_test)), rel=1e-12)
    assert fitted.shift == 1.0
    np.testing.assert_allclose(fitted.mean_, sets[3].X.mean(axis=0) + 1.0)


def test_run_sweep_mmd_grows_with_the_shift(study):
    # Sanity of the wiring: generated samples shifted further from the test set score worse.
    summary = summarize_sweep(_sweep(study, kernels=("se",)).mmd)
    means = summary.query("bandwidth == 1.0 and n_train == 60")["mmd2_mean"].to_numpy()
    assert np.all(np.diff(means) > 0)


def test_run_sweep_is_identical_for_every_n_jobs(study):
    serial = _sweep(study, n_jobs=1)
    parallel = _sweep(study, n_jobs=2)
    assert serial.equals(parallel)
    pd.testing.assert_frame_equal(serial.mmd, parallel.mmd, check_exact=True)


def test_equals_sees_a_changed_number(study):
    result = _sweep(study, values=(0.0,))
    changed = result.mmd.copy()
    changed.loc[3, "mmd2"] *= 1.1
    assert not result.equals(SweepResult(result.fits, changed))


def test_run_sweep_task_results_do_not_depend_on_grid_order(study):
    forward = _sweep(study, values=(0.0, 1.0, 2.0)).mmd
    backward = _sweep(study, values=(2.0, 0.0)).mmd
    subset = forward[forward["value"].isin([2.0, 0.0])]
    keys = ["value", "n_train", "repeat", "kernel", "bandwidth"]
    pd.testing.assert_frame_equal(
        subset.sort_values(keys).reset_index(drop=True),
        backward.sort_values(keys).reset_index(drop=True),
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
    fits = _sweep(study, values=(0.0,), copy_check=True, kernels=("se",)).fits
    _, X_gen = fit_and_sample(ShiftedGaussian(), "shift", 0.0, sets[0], n_generated=50, seed=11)
    expected = copy_check(X_gen, sets[0].X, X_test)
    row = fits.query("n_train == 30 and repeat == 0").iloc[0]
    assert row["copy_share"] == expected.share
    assert row["copy_threshold"] == expected.threshold
    assert row["copy_median_ratio"] == expected.median_ratio
    cells = derive_seed(11, "copying", "ShiftedGaussian", 0.0, 30, 0)
    direct = data_copying_test(X_gen, sets[0].X, X_test, random_state=cells)
    assert row["ct_statistic"] == direct.statistic


def test_run_sweep_progress_bar_only_when_asked(study, capsys, monkeypatch):
    # A tqdm bar labelled "{Model} {param}", one step per fit, on stderr.
    _sweep(study, values=(0.0,), progress=True)
    captured = capsys.readouterr()
    assert re.search(r"ShiftedGaussian shift: 100%.*\| 4/4 \[", captured.err)
    assert captured.out == ""
    _sweep(study, values=(0.0,), progress=False)
    assert capsys.readouterr() == ("", "")
    # Default: stderr is not a terminal under pytest (nor in a book build or a papermill
    # run), so quiet unless the environment says otherwise.
    monkeypatch.delenv(sweeps.PROGRESS_ENV, raising=False)
    _sweep(study, values=(0.0,), progress=None)
    assert capsys.readouterr() == ("", "")
    monkeypatch.setenv(sweeps.PROGRESS_ENV, "0")
    _sweep(study, values=(0.0,), progress=None)
    assert capsys.readouterr() == ("", "")
    monkeypatch.setenv(sweeps.PROGRESS_ENV, "1")
    _sweep(study, values=(0.0,), progress=None)
    assert "4/4" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"param": "bins"}, "param='bins' is not a hyper-parameter of ShiftedGaussian"),
        ({"values": []}, "values must hold"),
        ({"values": [2, 2]}, r"values holds a setting twice: \[2, 2\]"),
        ({"values": [2, 2.0]}, "values holds a setting twice"),
        ({"values": "abc"}, "values must be a non-empty list"),
        ({"bandwidths": {"other": {"h": 1.0}}}, r"bandwidths\['test'\] must map a name"),
        ({"bandwidths": {"test": [1.0]}}, r"bandwidths\['test'\] must map a name"),
        ({"bandwidths": {"test": {"h": 0.0}}}, r"bandwidths\['test'\]\['h'\] must be"),
        ({"kernels": ("gauss",)}, r"kernels must be 'se', 'imq'.*\('gauss',\)"),
        ({"kernels": "sei"}, r"kernels must be .*got \('sei',\)"),
        ({"kernels": ("se", "se")}, "without repeats"),
        ({"n_generated": 1}, "n_generated"),
        ({"seed": -1}, "seed"),
        ({"heldout": None, "copy_check": True}, "copy_check=True needs a heldout"),
        ({"training_sets": [np.zeros((5, 2))]}, "TrainingSet"),
        ({"references": None}, "every fit needs a reference sample"),
    ],
)
def test_run_sweep_rejects_bad_arguments(study, kwargs, message):
    sets, X_test = study
    arguments = {
        "param": "shift",
        "values": [0.0],
        "training_sets": sets,
        "references": {"test": X_test},
        "bandwidths": {"test": {"h": 1.0}},
        "n_generated": 10,
        "heldout": X_test,
        "seed": 0,
    } | kwargs
    param, values, training_sets, references = (
        arguments.pop(k) for k in ("param", "values", "training_sets", "references")
    )
    with pytest.raises(ValueError, match=message):
        run_sweep(ShiftedGaussian(), param, values, training_sets, references, **arguments)


def test_a_single_kernel_name_is_a_selection_of_one(study):
    assert set(_sweep(study, values=(0.0,), kernels="imq").mmd["kernel"]) == {"imq"}


def test_training_set_is_frozen():
    ts = TrainingSet(10, 0, np.zeros((10, 2)))
    with pytest.raises(AttributeError):
        ts.n_train = 20
