"""The two chapters' claims on small real studies: every section's words, computed.

The rules themselves are tested on hand-made tables in test_claims.py; here every claim
function of both chapters runs on a small sweep of the real models, and its words are
checked for what a sentence must and must not say.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from densitylab.studies import digits, digits_claims, intro, moons, moons_claims, original
from densitylab.studies.claims import copying_verdict
from densitylab.studies.sweeping import sweep_families

pytestmark = pytest.mark.slow


def _words(values: dict) -> list[str]:
    return [v for v in values.values() if isinstance(v, str)]


def _check_text(text: str) -> None:
    assert text.strip(), "an empty claim"
    assert "**" not in text, "a bold computed sentence"
    prose = re.sub(r"\$[^$]*\$", "", text)  # TeX maths has its own minus signs
    assert not re.search(r"\d[eE][+-]?\d", prose), f"e-notation in {text!r}"
    assert not re.search(r"(?<![\w$])-\d", prose), f"a hyphen as minus sign in {text!r}"
    assert "nan" not in text.lower().split(), f"a NaN in {text!r}"


def _moons_run(params):
    """The moons chapter's sweep on ``params``: what the notebook computes, small."""
    X_test = moons.test_set(params)
    sets = moons.training_sets(params)
    sigmas = moons.mmd_bandwidths(X_test)
    result = sweep_families(
        moons.families(params),
        sets,
        params,
        references={"test": X_test},
        bandwidths={"test": sigmas},
        heldout=X_test,
    )
    return params, X_test, sets, sigmas, result


@pytest.fixture(scope="module")
def small_moons():
    params = moons.PARAMETERS.validate(
        moons.PARAMETERS.defaults()
        | {
            "train_sizes": [60, 120],
            "repeats": 3,
            "n_test": 300,
            "n_generated": 300,
            "hist_bins": [5, 10, 30],
            "gmm_components": [1, 3, 8],
            "kde_bandwidths": [0.03, 0.1, 0.3],
            "forest_n_min": [5, 20],
            "n_jobs": 1,
        }
    )
    return _moons_run(params)


def test_moons_section_claims_are_sentences(small_moons):
    params, X_test, sets, sigmas, result = small_moons
    fits, mmd = result.fits, result.mmd
    floor = moons.perfect_generator(params, X_test, sigmas)
    for values in (
        moons_claims.protocol_facts(params, sigmas),
        moons_claims.family_claims(mmd, "GMM", params, sigmas),
        moons_claims.family_claims(mmd, "GaussianKDE", params, sigmas),
        moons_claims.histogram_claims(mmd, fits, params, sigmas),
        moons_claims.criteria_claims(mmd, fits, params),
        moons_claims.copy_claims(fits, params),
        moons_claims.single_gaussian_check(mmd, params, sets),
    ):
        for text in _words(values):
            _check_text(text)
    assert moons_claims.floors(floor).keys() == {"se", "imq"}


def test_moons_picks_never_call_a_copier_good(small_moons):
    params, _, sets, _, result = small_moons
    picks = moons_claims.picks(result.fits, result.mmd, params)
    for row in picks[picks["pick"] == "good"].itertuples():
        assert copying_verdict(row.copy_share, row.ct_statistic) == "neither"
    assert set(picks["pick"]) <= {"original protocol", "best log-lik", "good", "bad"}
    assert set(picks["model"]) == {"Histogram2D", "GMM", "GaussianKDE", "DensityForest"}
    summary = moons_claims.picks_summary(picks, params)
    _check_text(summary["claim"])
    X_test = small_moons[1]
    floor = moons.perfect_generator(params, X_test, small_moons[3])
    noise = {"null_sd": float(floor["mmd2"].std())}
    hist = moons_claims.histogram_claims(result.mmd, result.fits, params, small_moons[3])
    for text in _words(intro.moons_headlines(picks, params, small_moons[3], noise, hist)):
        _check_text(text)
        assert "$" not in text  # pasted with {glue:text}: plain text only
    for text in _words(
        moons_claims.takeaways(picks, result.mmd, result.fits, params, noise, hist)
    ):
        _check_text(text)


def test_moons_original_verdicts_are_decided(small_moons):
    params, _, _, _, result = small_moons
    verdicts = original.moons_verdicts(result.mmd, result.fits, max(params.train_sizes))
    assert len(verdicts) == 3
    for row in verdicts.itertuples():
        assert row.verdict in {"confirmed", "partly confirmed", "not supported", "not tested"}
        _check_text(row.evidence)
        assert "$" not in row.evidence  # plain text: pasted on another page
    assert original.claims_table(verdicts).shape == (3, 3)


@pytest.fixture(scope="module")
def small_digits():
    params = digits.PARAMETERS.validate(
        digits.PARAMETERS.defaults()
        | {
            "repeats": 2,
            "n_generated": 200,
            "gmm_components": [1, 5],
            "kde_bandwidths": [0.5, 2.5],
            "forest_n_min": [50, 200],
            "forest_trees": 2,
            "n_jobs": 1,
        }
    )
    splits = digits.splits(params)
    sigmas = digits.mmd_bandwidths(splits, params)
    result = sweep_families(
        digits.families(params), splits, params, bandwidths={"train": sigmas, "heldout": sigmas}
    )
    return params, splits, sigmas, result


def test_digits_section_claims_are_sentences(small_digits):
    params, splits, sigmas, result = small_digits
    fits, mmd = result.fits, result.mmd
    for values in (
        digits_claims.data_facts(splits, params),
        digits_claims.distance_facts(splits[0], sigmas),
        digits_claims.reference_claims(mmd, fits, params),
        digits_claims.original_claims(mmd, fits, params),
        digits_claims.loglik_claims(fits, params),
        digits_claims.copy_claims(fits, params),
        digits_claims.copy_claims(fits, params, splits[0]),
        digits_claims.reference_claims(
            mmd, fits, params, digits_claims.real_floor(splits, sigmas)
        ),
    ):
        for text in _words(values):
            _check_text(text)
    words = digits_claims.copy_claims(fits, params, splits[0])["claim"]
    assert "read both ways" not in words and "$h\\sqrt{D} = 8h$" in words
    assert (
        "Real digits that no model saw"
        in digits_claims.reference_claims(
            mmd, fits, params, digits_claims.real_floor(splits, sigmas)
        )["claim"]
    )


def test_digits_picks_and_likelihood_words(small_digits):
    params, splits, sigmas, result = small_digits
    families = digits.families(params)
    picks = digits_claims.picks(result.fits, result.mmd, params)
    contrasts = digits_claims.relative_contrasts(picks, families, splits, sigmas, params)
    summary = digits_claims.picks_summary(picks, params, contrasts)
    for text in _words(summary):
        _check_text(text)
    assert "separates it from it beyond the noise" not in summary["claim"]
    conflict = digits_claims.likelihood_conflict(picks, splits[0], params)["claim"]
    _check_text(conflict)
    assert "dequantisation" in conflict  # the digits have constant border pixels
    # A second reason only after a first one.
    assert ("The second reason" in conflict) == ("The first reason" in conflict)
    floor = digits_claims.real_floor(splits, sigmas)
    assert floor.shape == (params.repeats,) and np.isfinite(floor).all()


def test_digits_checks_refit_the_sweep_exactly(small_digits):
    params, splits, sigmas, result = small_digits
    families = digits.families(params)
    picks = digits_claims.picks(result.fits, result.mmd, params)
    samples = digits_claims.pick_samples(picks, families, splits[0], params)
    assert samples and all(X.shape == (params.n_generated, 64) for X in samples.values())
    labels = digits_claims.label_check(picks, families, splits[0], params)
    assert all(np.asarray(c).sum() > 0 for c in labels.counts.values()) or not labels.counts
    _check_text(labels.claims["claim"])
    distances = digits_claims.distance_facts(splits[0], sigmas)
    headlines = intro.digits_headlines(picks, result.fits, distances, labels)
    for text in _words(headlines):
        _check_text(text)
        assert "$" not in text  # pasted with {glue:text}: plain text only
    for text in _words(digits_claims.takeaways(picks, result.fits, result.mmd, labels, params)):
        _check_text(text)
    verdicts = original.digits_verdicts(result.mmd, result.fits, labels.rows)
    assert len(verdicts) == 5
    for row in verdicts.itertuples():
        _check_text(row.evidence)


# --- a study too small for good settings: every picture and claim still runs --------------


@pytest.fixture(scope="module")
def tiny_moons():
    """One training size, two repeats, grids whose GMM and forest have no good setting."""
    params = moons.PARAMETERS.validate(
        moons.PARAMETERS.defaults()
        | {
            "train_sizes": [200],
            "repeats": 2,
            "n_test": 300,
            "n_generated": 300,
            "hist_bins": [10],
            "gmm_components": [1, 2],
            "kde_bandwidths": [0.1],
            "forest_n_min": [50, 100],
            "n_jobs": 1,
        }
    )
    return _moons_run(params)


def test_pictures_and_claims_run_without_a_good_gmm(tiny_moons):
    params, X_test, sets, sigmas, result = tiny_moons
    fits, mmd = result.fits, result.mmd
    picks = moons_claims.picks(fits, mmd, params)
    assert select_good(picks, "GMM").empty  # the case this test is about
    families = moons.families(params)
    pair = moons_claims.witness_models(picks, families, sets[-1], params)
    assert len(pair) == 2 and pair.picks == ["original protocol", "bad"]
    facts = moons_claims.witness_facts(pair, X_test, sigmas)
    assert "original protocol" in facts["first"] and "good model" not in facts["claim"]
    _check_text(facts["claim"])
    gallery = moons_claims.gallery_models(picks, families, sets[-1], params)
    assert len(gallery.models) == 1 + picks["model"].nunique()
    assert "GMM, which has no good setting, at its original-protocol pick" in gallery.caption
    verdicts = moons_claims.verdict_rows(fits, picks, params)
    gmm = verdicts[verdicts["model"] == "GMM"]
    assert sorted(gmm["value"]) == [1, 2]  # every setting of a family without a good one
    floor = moons_claims.forest_floor(families, params)
    for text in (
        moons_claims.picks_summary(picks, params, verdicts)["claim"],
        moons_claims.verdict_claims(verdicts, floor)["claim"],
        floor["claim"],
    ):
        _check_text(text)
    summary = moons_claims.picks_summary(picks, params, verdicts)["claim"]
    assert "copies its training data or spreads" not in summary
    if set(gmm["verdict"]) == {"over-dispersed"}:
        assert "No setting of the GMM qualifies as good: all two" not in summary
        assert "of its settings are over-dispersed" in summary
    headline = moons_claims.verdict_headline(verdicts, floor)["no_good"]
    assert "no setting of the GMM passes" in headline and "$" not in headline
    _check_text(headline)
    luck = moons_claims.training_set_luck(mmd, sets, X_test, sigmas, params)
    assert "one training size" in luck["claim"]
    fig = moons_claims.plot_criteria_differences(
        mmd, fits, 200, ["GMM", "GaussianKDE", "DensityForest"]
    )
    assert len(fig.axes) == 6
    noise = {"null_sd": 1e-3}
    hist = moons_claims.histogram_claims(mmd, fits, params, sigmas)
    for text in _words(moons_claims.takeaways(picks, mmd, fits, params, noise, hist)):
        _check_text(text)


def select_good(picks, model):
    return picks[(picks["model"] == model) & (picks["pick"] == "good")]


def test_verdict_near_the_threshold_is_said(small_moons):
    params, _, _, _, result = small_moons
    picks = moons_claims.picks(result.fits, result.mmd, params)
    verdicts = moons_claims.verdict_rows(result.fits, picks, params)
    assert (verdicts["ct_low"] <= verdicts["ct_mean"]).all()
    assert (verdicts["ct_mean"] <= verdicts["ct_high"]).all()
    for row in verdicts.itertuples():
        straddles = (row.ct_low < 3 < row.ct_high) or (row.ct_low < -3 < row.ct_high)
        if straddles and row.copy_share <= 0.1:
            assert row.margin == "near the threshold"
    claim = moons_claims.verdict_claims(verdicts, {"claim": "", "ratio": 2.0})["claim"]
    _check_text(claim)
    table = moons_claims.verdict_table(verdicts).to_frame()
    assert len(table) == len(verdicts)


def _verdict_row(model, param, value, verdict, margin, ct_mean, picks="–"):
    return {
        "model": model, "param": param, "value": value, "picks": picks, "copy_share": 0.05,
        "ct_mean": ct_mean, "ct_low": ct_mean - 0.5, "ct_high": ct_mean + 0.5,
        "verdict": verdict, "margin": margin, "agreeing": 3 if margin == "clear" else 2,
        "n_sets": 3,
    }  # fmt: skip


def test_the_forest_floor_is_no_cause_where_its_verdict_is_near_the_limit():
    import pandas as pd

    floor = {"claim": "Floor.", "ratio": 1.41, "lambda_value": 0.01}
    near = pd.DataFrame(
        [
            _verdict_row("GaussianKDE", "bandwidth", 0.1, "neither", "clear", 2.9, "good"),
            _verdict_row("DensityForest", "n_min", 2, "over-dispersed", "near the threshold", 3.3),
            _verdict_row("DensityForest", "n_min", 50, "over-dispersed", "clear", 6.0),
        ]
    )
    claim = moons_claims.verdict_claims(near, floor)["claim"]
    assert "threshold effect" in claim and "$n_{\\min} = 2$" in claim
    assert "adds the same variance" in claim and "is why" not in claim
    # Every set calls every setting over-dispersed: no threshold words, no KDE comparison.
    clear = near.assign(margin="clear")
    claim = moons_claims.verdict_claims(clear, floor)["claim"]
    assert "threshold effect" not in claim and "Every training set on its own" in claim
    # A KDE with another bandwidth adds another variance: not compared.
    other = near.assign(value=[0.2, 2, 50])
    assert "adds the same variance" not in moons_claims.verdict_claims(other, floor)["claim"]


def test_thin_components_are_named_only_below_one_point_per_dimension():
    import numpy as np

    from densitylab.studies.digits_conflicts import _thin_components

    X = np.zeros((1347, 64))
    words = _thin_components(70, X)
    assert "about 19 training digits for a 64-dimensional covariance" in words
    assert _thin_components(20, X) == ""  # 67 digits per component: no claim
