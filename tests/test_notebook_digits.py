"""The digits notebook's own checks (the ones every study shares: test_notebooks.py).

papermill runs it with small, different parameters: the CSV holds exactly that grid for
every split, both references and both named bandwidths; the picks come from it; the
other parameters reach the text.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from notebook_helpers import (
    NOTEBOOKS,
    glued_outputs,
    papermill_small_run,
    read_notebook,
    stderr_outputs,
)

from densitylab.studies import digits

IPYNB = NOTEBOOKS / "digits_64d.ipynb"

# Small parameters, all different from the defaults.
SMALL = {
    "seed": 3,
    "test_fraction": 0.3,
    "repeats": 2,
    "n_generated": 150,
    "gmm_components": [2, 4],
    "kde_bandwidths": [0.5, 2.5],
    "forest_n_min": [60, 150],
    "forest_trees": 3,
    "n_jobs": 1,
}
GRID_OF = {
    "GMM": ("n_components", SMALL["gmm_components"]),
    "GaussianKDE": ("bandwidth", SMALL["kde_bandwidths"]),
    "DensityForest": ("n_min", SMALL["forest_n_min"]),
}


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The notebook run by papermill with SMALL parameters into a temporary folder."""
    return papermill_small_run(tmp_path_factory, IPYNB, SMALL)


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_writes_exactly_the_requested_grid(small_run):
    folder, _ = small_run
    df = pd.read_csv(folder / "results" / "digits_64d.csv")
    for column in ("model", "param", "value", "reference", "kernel", "bandwidth", "mmd2"):
        assert column in df.columns
    params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults() | SMALL)
    splits = digits.splits(params)
    sigmas = digits.mmd_bandwidths(splits, params)
    assert (df["n_train"] == len(splits[0].X)).all()
    for name, sigma in sigmas.items():
        np.testing.assert_allclose(
            df.loc[df["bandwidth_name"] == name, "bandwidth"], sigma, rtol=1e-12
        )
    expected = {
        (model, param, float(value), r, reference, kernel, bandwidth)
        for model, (param, values) in GRID_OF.items()
        for value, r, reference, kernel, bandwidth in itertools.product(
            values,
            range(SMALL["repeats"]),
            ["train", "heldout"],
            ["se", "imq"],
            ["median", "original"],
        )
    }
    keys = df[["model", "param", "value", "repeat", "reference", "kernel", "bandwidth_name"]]
    observed = [
        (m, p, float(v), r, f, k, b) for m, p, v, r, f, k, b in keys.itertuples(index=False)
    ]
    assert len(observed) == len(expected) == 6 * 2 * 2 * 2 * 2  # one row per combination
    assert set(observed) == expected
    assert (df["n_generated"] == SMALL["n_generated"]).all()
    assert np.isfinite(df["mmd2"]).all() and np.isfinite(df["heldout_loglik"]).all()
    assert df["copy_share"].between(0, 1).all() and np.isfinite(df["ct_statistic"]).all()


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_writes_the_picks_from_the_requested_grid(small_run):
    folder, _ = small_run
    picks = pd.read_csv(folder / "results" / "digits_64d_picks.csv")
    for model, (_, values) in GRID_OF.items():
        assert set(picks.loc[picks["model"] == model, "value"]) <= set(values)
    good = picks[picks["pick"] == "good"]
    assert (good["copy_share"] <= 0.1).all() and (good["ct_statistic"].abs() <= 3).all()


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_is_quiet_and_honours_the_other_parameters(small_run):
    _, output = small_run
    nb = read_notebook(output)
    assert stderr_outputs(nb) == []
    outputs = glued_outputs(nb)

    def glued(name):
        # myst-nb stores glued bundles under a papermill prefix; the plain form is what
        # {glue:text} reads.
        (plain,) = [v for k, v in outputs[name].data.items() if k.endswith("text/plain")]
        return plain

    assert glued("digits_data_trees") == repr(str(SMALL["forest_trees"]))
    assert glued("digits_data_n_generated") == repr(str(SMALL["n_generated"]))
    assert glued("digits_data_gmm_grid") == repr("2 and 4")
    assert glued("digits_data_repeats") == repr("two")
