"""The digits notebook's own checks (the ones every study shares: test_notebooks.py).

* every figure its text shows is glued (with a PNG: test_notebooks.py);
* papermill runs it with small, different parameters: the CSV holds exactly that grid,
  for both reference sets and both bandwidths, and the other parameters reach the text.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from notebook_helpers import (
    BY_NAME,
    NOTEBOOKS,
    glued_outputs,
    papermill_small_run,
    read_notebook,
    stderr_outputs,
)

from densitylab.data import load_digits_split
from densitylab.experiments import derive_seed
from densitylab.mmd import median_heuristic

IPYNB = NOTEBOOKS / "digits_64d.ipynb"

FIGURES = {
    "digits_fig_mmd_median",
    "digits_fig_mmd_h1",
    "digits_fig_loglik",
    "digits_fig_copy",
    "digits_fig_neighbours",
    "digits_fig_grids",
    "digits_fig_labels",
    "digits_fig_balanced",
}
# Small parameters, all different from the defaults.
SMALL = {
    "seed": 3,
    "test_fraction": 0.3,
    "n_generated": 150,
    "gmm_components": [2, 4],
    "kde_bandwidths": [0.5, 1.5],
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
    # seed and test_fraction reach the split, and the median bandwidth is computed from
    # that split's training digits.
    split = load_digits_split(
        SMALL["test_fraction"], random_state=derive_seed(SMALL["seed"], "split")
    )
    h_median = median_heuristic(
        split.X_train, max_n=len(split.X_train), random_state=derive_seed(SMALL["seed"], "h")
    )
    assert (df["n_train"] == len(split.X_train)).all()
    median_rows = ~np.isclose(df["bandwidth"], 1.0)
    np.testing.assert_allclose(df.loc[median_rows, "bandwidth"], h_median, rtol=1e-12)
    expected = {
        (model, param, float(value), reference, kernel, bandwidth)
        for model, (param, values) in GRID_OF.items()
        for value, reference, kernel, bandwidth in itertools.product(
            values, ["train", "heldout"], ["se", "imq"], ["median", "h=1"]
        )
    }
    keys = df[["model", "param", "value", "reference", "kernel"]].assign(
        rule=np.where(median_rows, "median", "h=1")
    )
    observed = [(m, p, float(v), r, k, b) for m, p, v, r, k, b in keys.itertuples(index=False)]
    assert len(observed) == len(expected) == 3 * 2 * 2 * 2 * 2  # one row per combination
    assert set(observed) == expected
    assert (df["n_generated"] == SMALL["n_generated"]).all()
    assert np.isfinite(df["mmd2"]).all()
    # The copy check and the held-out log-likelihood are filled in for every fit.
    assert df["copy_share"].between(0, 1).all()
    assert np.isfinite(df["heldout_loglik"]).all()


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_is_quiet_and_honours_the_other_parameters(small_run):
    _, output = small_run
    nb = read_notebook(output)
    assert stderr_outputs(nb) == []
    outputs = glued_outputs(nb)
    assert not BY_NAME["digits_64d"].book_keys - set(outputs)

    def glued(name):
        return outputs[name].data["application/papermill.record/text/plain"]

    assert glued("digits_forest_trees") == str(SMALL["forest_trees"])
    assert glued("digits_n_generated") == str(SMALL["n_generated"])
    assert glued("digits_gmm_grid") == "'2 and 4'"
    # The picks come from the requested grids.
    assert int(glued("digits_best_K_heldout")) in SMALL["gmm_components"]
    assert int(glued("digits_good_n_min")) in SMALL["forest_n_min"]
    assert float(glued("digits_best_bandwidth_train")) in SMALL["kde_bandwidths"]


def test_the_figures_of_the_text_are_all_glued():
    outputs = glued_outputs(read_notebook(IPYNB))
    missing = {name for name in FIGURES if name not in outputs}
    assert not missing, f"figures never glued: {sorted(missing)}"
