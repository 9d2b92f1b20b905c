"""The digits notebook: pair in sync, committed outputs reproduce, parameters honoured.

* the .py/.ipynb pair agrees and the committed .ipynb is executed, quiet and glued
  (every figure with a PNG, every key the book's other pages use);
* nbval re-executes the committed notebook and compares the tagged result cells;
* papermill runs it with small, different parameters: the CSV holds exactly that grid,
  for both reference sets and both bandwidths;
* a bad parameter stops the run in the validation cell, with its name in the error.
"""

from __future__ import annotations

import itertools
import re

import jupytext
import numpy as np
import pandas as pd
import pytest
from notebook_helpers import (
    NOTEBOOKS,
    code_cells,
    glued_names,
    pair_mismatches,
    read_notebook,
    run_nbval,
    run_papermill,
    stderr_outputs,
    tagged_cells,
)

from densitylab.data import load_digits_split
from densitylab.experiments import derive_seed
from densitylab.mmd import median_heuristic

PY = NOTEBOOKS / "digits_64d.py"
IPYNB = NOTEBOOKS / "digits_64d.ipynb"

# Glue keys other pages of the book refer to.
BOOK_KEYS = {
    "digits_best_K_train",
    "digits_best_K_heldout",
    "digits_best_bandwidth_train",
    "digits_best_bandwidth_heldout",
    "digits_median_bandwidth",
    "digits_copy_share_best_train_kde",
    "digits_rf_accuracy",
}
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
PARAMETERS = [
    "seed",
    "test_fraction",
    "n_generated",
    "gmm_components",
    "kde_bandwidths",
    "forest_n_min",
    "forest_trees",
    "n_jobs",
    "output_dir",
]
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
PNG = "application/papermill.record/image/png"


def glued_outputs(nb) -> dict:
    """Glue name -> the output (mime bundle) that carries it."""
    found = {}
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                found[scrapbook["name"]] = output
    return found


# --- the committed pair (no execution) -----------------------------------------------


def test_pair_agrees():
    problems = pair_mismatches(PY, IPYNB)
    assert not problems, (
        "notebooks/digits_64d.py and .ipynb disagree; run "
        "`python scripts/execute_notebook.py notebooks/digits_64d.py`:\n" + "\n".join(problems)
    )


def test_committed_notebook_is_executed_quiet_and_glued():
    nb = read_notebook(IPYNB)
    cells = code_cells(nb)
    assert all(cell.execution_count is not None for cell in cells), "not fully executed"
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert stderr_outputs(nb) == []
    names = glued_names(nb)
    assert not BOOK_KEYS - names
    assert all(name.startswith("digits_") for name in names)
    # Every figure carries an image for its {glue:figure}, not only a text repr.
    outputs = glued_outputs(nb)
    assert not FIGURES - names
    for name in FIGURES:
        assert PNG in outputs[name].data, f"{name} was glued without a PNG"
    # Deterministic file: no timing metadata, position-derived cell ids.
    for index, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata
        assert cell.id == f"cell-{index:03d}"


def test_every_glue_key_used_in_the_text_is_glued():
    nb = read_notebook(IPYNB)
    names = glued_names(nb)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    used = set(re.findall(r"\{glue:(?:text|md)\}`(digits_\w+)", text))
    used |= set(re.findall(r"```\{glue:figure\} (digits_\w+)", text))
    assert used, "the narrative uses no glued value"
    assert not used - names, f"used in the text but never glued: {sorted(used - names)}"


def test_parameters_cell_comes_first_with_the_fixed_names():
    nb = jupytext.read(PY)
    first = code_cells(nb)[0]
    assert first.metadata.get("tags") == ["parameters"]
    names = [line.split("=")[0].strip() for line in first.source.splitlines() if "=" in line]
    assert names == PARAMETERS
    assert tagged_cells(nb, "nbval-check-output"), "no result cell is checked by nbval"


# --- executions ------------------------------------------------------------------------


@pytest.mark.notebook
@pytest.mark.slow
def test_committed_outputs_reproduce_under_nbval():
    result = run_nbval(IPYNB)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The notebook run by papermill with SMALL parameters into a temporary folder."""
    folder = tmp_path_factory.mktemp("digits_small")
    output = folder / "digits_64d.out.ipynb"
    parameters = SMALL | {"output_dir": str(folder / "results")}
    result = run_papermill(IPYNB, output, parameters)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return folder, output


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
    assert not BOOK_KEYS - set(outputs)

    def glued(name):
        return outputs[name].data["application/papermill.record/text/plain"]

    assert glued("digits_forest_trees") == str(SMALL["forest_trees"])
    assert glued("digits_n_generated") == str(SMALL["n_generated"])
    assert glued("digits_gmm_grid") == "'2 and 4'"
    # The picks come from the requested grids.
    assert int(glued("digits_best_K_heldout")) in SMALL["gmm_components"]
    assert int(glued("digits_good_n_min")) in SMALL["forest_n_min"]
    assert float(glued("digits_best_bandwidth_train")) in SMALL["kde_bandwidths"]


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("gmm_components", [0, 2], "every entry of gmm_components"),
        ("kde_bandwidths", [], "kde_bandwidths must be a non-empty list"),
        ("test_fraction", 1.5, "test_fraction must leave at least 20 digits"),
        ("forest_trees", 0, "forest_trees must be an integer >= 1"),
    ],
)
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, name, value, message):
    output = tmp_path / "out.ipynb"
    parameters = {name: value, "output_dir": str(tmp_path / "results")}
    result = run_papermill(IPYNB, output, parameters, timeout=300)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert not (tmp_path / "results").exists()  # stopped before any computation
    nb = read_notebook(output)
    failed = [
        cell for cell in code_cells(nb) if any(o.output_type == "error" for o in cell.outputs)
    ]
    assert len(failed) == 1 and "Validate every parameter" in failed[0].source
