"""The reproducibility contract's comparison: what may move across machines, and what may not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from densitylab.reproducibility import (
    GROUP_FALSE_FAILURE,
    compare_picks,
    compare_results,
    noise_limit,
)


def joined(seed=0, repeats=5):
    """A small joined table: an exact family (KDE) and a chaotic one (GMM)."""
    rng = np.random.default_rng(seed)
    rows = []
    for model, param, values in (
        ("GaussianKDE", "bandwidth", [0.05, 0.1]),
        ("GMM", "n_components", [3, 8]),
    ):
        for value in values:
            for r in range(repeats):
                fit = {
                    "model": model,
                    "param": param,
                    "value": value,
                    "n_train": 100,
                    "repeat": r,
                    "n_generated": 500,
                    "heldout_loglik": -1.0 - 0.1 * rng.normal(),
                    "heldout_zero_share": 0.0,
                    "copy_share": 0.05 + 0.01 * rng.normal(),
                    "ct_statistic": rng.normal(),
                }
                for kernel in ("se", "imq"):
                    rows.append(
                        fit
                        | {
                            "reference": "test",
                            "kernel": kernel,
                            "bandwidth_name": "median",
                            "bandwidth": 0.8,
                            "mmd2": 1e-3 + 2e-4 * rng.normal(),
                        }
                    )
    return pd.DataFrame(rows)


def test_an_identical_rerun_reproduces():
    result = compare_results(joined(), joined())
    assert result.ok, str(result)
    assert result.checked["exact mmd2"] == 20  # the KDE's rows
    assert result.checked["noise mmd2"] == 4  # the GMM's settings × kernels


def test_rounding_differences_are_allowed_everywhere():
    rerun = joined()
    rerun["mmd2"] *= 1 + 1e-12
    rerun["heldout_loglik"] += 1e-13
    assert compare_results(joined(), rerun).ok


def test_an_exact_number_ten_percent_off_fails():
    rerun = joined()
    row = rerun.index[(rerun["model"] == "GaussianKDE") & (rerun["repeat"] == 2)][0]
    rerun.loc[row, "mmd2"] *= 1.1
    result = compare_results(joined(), rerun)
    assert not result.ok and "mmd2" in result.problems[0]


def test_a_chaotic_fit_may_land_elsewhere_within_the_noise():
    # One GMM fit refitted "on another machine": a fresh draw of its MMD² and facts.
    rerun = joined()
    fit = (rerun["model"] == "GMM") & (rerun["value"] == 8) & (rerun["repeat"] == 1)
    rerun.loc[fit, "mmd2"] = rerun.loc[fit, "mmd2"] + 2e-4
    rerun.loc[fit, "heldout_loglik"] -= 0.05
    assert compare_results(joined(), rerun).ok


def test_a_chaotic_mean_shifted_far_beyond_the_noise_fails():
    reference = joined()
    rerun = reference.copy()
    gmm = (rerun["model"] == "GMM") & (rerun["value"] == 3) & (rerun["kernel"] == "se")
    sd = reference.loc[gmm, "mmd2"].std(ddof=1)
    # Every repeat moved by twice the limit: the mean moves too, the spread does not.
    rerun.loc[gmm, "mmd2"] += 2 * noise_limit(sd, sd, gmm.sum())
    result = compare_results(reference, rerun)
    assert not result.ok and "mean mmd2" in result.problems[0]


def test_the_copy_checks_are_compared_per_fit_in_noise_units():
    reference = joined()
    rerun = reference.copy()
    rerun.loc[rerun["model"] == "GaussianKDE", "ct_statistic"] += 10.0
    result = compare_results(reference, rerun)
    assert not result.ok and any("ct_statistic" in p for p in result.problems)


def test_missing_or_extra_rows_fail():
    reference = joined()
    assert not compare_results(reference, reference.iloc[:-1]).ok


@pytest.mark.parametrize(
    ("rerun_value", "ok"),
    [(8.0, True), (12.0, True), (20.0, True), (3.0, False)],
)
def test_a_pick_may_change_only_among_its_ties(rerun_value, ok):
    reference = pd.DataFrame(
        {
            "model": ["GMM", "GMM"],
            "pick": ["good", "bad"],
            "value": [8.0, 1.0],
            "tied_values": ["8; 12; 20", "1"],
        }
    )
    rerun = reference.assign(value=[rerun_value, 1.0])
    assert compare_picks(reference, rerun).ok is ok


def test_a_pick_that_appears_or_vanishes_fails():
    reference = pd.DataFrame(
        {
            "model": ["GMM", "GMM"],
            "pick": ["good", "bad"],
            "value": [8.0, 1.0],
            "tied_values": ["8", "1"],
        }
    )
    assert not compare_picks(reference, reference.iloc[:1]).ok


def test_the_command_line_compares_tables(tmp_path, capsys):
    from densitylab.reproducibility import main

    reference = joined()
    reference.loc[reference["model"] == "GaussianKDE", "heldout_loglik"] = -np.inf
    reference.to_csv(tmp_path / "ref.csv", index=False)
    reference.to_csv(tmp_path / "same.csv", index=False)
    changed = reference.copy()
    changed.loc[0, "mmd2"] *= 1.1
    changed.to_csv(tmp_path / "changed.csv", index=False)
    assert main([str(tmp_path / "ref.csv"), str(tmp_path / "same.csv")]) == 0
    assert "reproduced" in capsys.readouterr().out
    assert main([str(tmp_path / "ref.csv"), str(tmp_path / "changed.csv")]) == 1
    assert "differences" in capsys.readouterr().out


def test_a_good_pick_may_move_only_where_its_verdict_is_borderline():
    # Two KDE settings: 0.05 passes the copy checks clearly; 0.1's mean C_T sits near the
    # over-dispersion limit of 3 within its noise, so a rerun may read it either way.
    results = joined()
    kde = results["model"] == "GaussianKDE"
    results.loc[kde & (results["value"] == 0.1), "ct_statistic"] = [
        2.9 + 0.1 * (r % 3) for r in results.loc[kde & (results["value"] == 0.1), "repeat"]
    ]
    results.loc[kde & (results["value"] == 0.05), "ct_statistic"] = 0.0
    results.loc[kde & (results["value"] == 0.05), "copy_share"] = 0.03  # far below 2q = 0.1
    reference = pd.DataFrame(
        {"model": ["GaussianKDE"], "pick": ["good"], "value": [0.1], "tied_values": ["0.1"]}
    )
    moved = reference.assign(value=[0.05])
    assert not compare_picks(reference, moved).ok  # without the results: no excuse
    assert compare_picks(reference, moved, results).ok  # 0.1 is borderline
    assert compare_picks(reference, reference.iloc[:0], results).ok  # the pick vanishes
    clear = reference.assign(value=[0.05])
    assert not compare_picks(clear, clear.assign(value=[0.2]), results).ok  # 0.05: clear


@pytest.mark.parametrize("repeats", [3, 5])
def test_the_noise_limit_fails_unchanged_settings_at_its_stated_rate(repeats):
    # 200 000 settings refitted "elsewhere": both runs are fresh draws of the same
    # distribution. The limit allows GROUP_FALSE_FAILURE of them to fail: 1.4 expected;
    # 8 or more happen with probability below 10⁻⁴ (Poisson). A normal limit of 4.5
    # standard errors from the committed run's spread alone fails about 5 % of them at
    # three repeats (some 9000 here): its spread is an estimate, not the truth.
    rng = np.random.default_rng(20261202)
    n = 200_000
    a, b = rng.normal(size=(2, n, repeats))
    sd_a, sd_b = a.std(axis=1, ddof=1), b.std(axis=1, ddof=1)
    diff = np.abs(a.mean(axis=1) - b.mean(axis=1))
    assert n * GROUP_FALSE_FAILURE < 2
    assert np.sum(diff > noise_limit(sd_a, sd_b, repeats)) < 8
    if repeats == 3:
        assert np.sum(diff > 4.5 * sd_a * np.sqrt(2 / repeats)) > 1000


def test_the_noise_limit_still_sees_a_shift_of_a_few_standard_deviations():
    # Five repeats a side, the whole setting shifted by 10 standard deviations: the mean
    # differs by far more than the limit (6.49 standard deviations at 8 degrees of freedom).
    assert 10.0 > noise_limit(1.0, 1.0, 5) > 6.0
