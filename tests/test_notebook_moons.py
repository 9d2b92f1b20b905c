"""The two-moons notebook: pair in sync, committed outputs reproduce, parameters honoured.

* the .py/.ipynb pair agrees and the committed .ipynb is executed, quiet and glued;
* nbval re-executes the committed notebook and compares the tagged result cells;
* papermill runs it with small, different parameters: the CSV holds exactly that grid;
* a bad parameter stops the run in the validation cell, with its name in the error;
* ``scripts/execute_notebook.py`` writes byte-identical files when results are identical.
"""

from __future__ import annotations

import itertools
import shutil
import textwrap

import jupytext
import numpy as np
import pandas as pd
import pytest
from notebook_helpers import (
    NOTEBOOKS,
    PYTHON,
    ROOT,
    code_cells,
    glued_names,
    pair_mismatches,
    read_notebook,
    run,
    run_nbval,
    run_papermill,
    stderr_outputs,
    tagged_cells,
)

from densitylab.data import sample_moons
from densitylab.experiments import derive_seed
from densitylab.mmd import median_heuristic

PY = NOTEBOOKS / "moons_2d.py"
IPYNB = NOTEBOOKS / "moons_2d.ipynb"

# Glue keys other pages of the book refer to.
BOOK_KEYS = {
    "moons_best_bins",
    "moons_best_K",
    "moons_best_bandwidth",
    "moons_median_bandwidth",
    "moons_sg_gmm1_diff",
    "moons_noise_level",
}
PARAMETERS = [
    "seed",
    "train_sizes",
    "repeats",
    "n_test",
    "n_generated",
    "noise",
    "hist_bins",
    "gmm_components",
    "kde_bandwidths",
    "forest_n_min",
    "n_jobs",
    "output_dir",
]
# Small parameters, all different from the defaults. K = 1 is absent on purpose: the
# sanity check then fits it separately, and the CSV must still hold only this grid.
SMALL = {
    "seed": 7,
    "train_sizes": [60, 90],
    "repeats": 2,
    "n_test": 300,
    "n_generated": 250,
    "noise": 0.15,
    "hist_bins": [8, 15],
    "gmm_components": [2, 4],
    "kde_bandwidths": [0.1, 0.25],
    "forest_n_min": [10, 30],
    "n_jobs": 1,
}
GRID_OF = {
    "Histogram2D": ("bins", SMALL["hist_bins"]),
    "SingleGaussian": ("reg_covar", [1e-6]),
    "GMM": ("n_components", SMALL["gmm_components"]),
    "GaussianKDE": ("bandwidth", SMALL["kde_bandwidths"]),
    "DensityForest": ("n_min", SMALL["forest_n_min"]),
}


# --- the committed pair (no execution) -----------------------------------------------


def test_pair_agrees():
    problems = pair_mismatches(PY, IPYNB)
    assert not problems, (
        "notebooks/moons_2d.py and .ipynb disagree; run "
        "`python scripts/execute_notebook.py notebooks/moons_2d.py`:\n" + "\n".join(problems)
    )


def test_committed_notebook_is_executed_quiet_and_glued():
    nb = read_notebook(IPYNB)
    cells = code_cells(nb)
    assert all(cell.execution_count is not None for cell in cells), "not fully executed"
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert stderr_outputs(nb) == []
    assert not BOOK_KEYS - glued_names(nb)
    # Deterministic file: no timing metadata, position-derived cell ids.
    for index, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata
        assert cell.id == f"cell-{index:03d}"


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
    folder = tmp_path_factory.mktemp("moons_small")
    output = folder / "moons_2d.out.ipynb"
    parameters = SMALL | {"output_dir": str(folder / "results")}
    result = run_papermill(IPYNB, output, parameters)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return folder, output


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_writes_exactly_the_requested_grid(small_run):
    folder, _ = small_run
    df = pd.read_csv(folder / "results" / "moons_2d.csv")
    for column in ("model", "param", "value", "n_train", "repeat", "kernel", "mmd2"):
        assert column in df.columns
    expected = {
        (model, param, float(value), n, r, kernel)
        for model, (param, values) in GRID_OF.items()
        for value, n, r, kernel in itertools.product(
            values, SMALL["train_sizes"], range(SMALL["repeats"]), ["se", "imq"]
        )
    }
    keys = df[["model", "param", "value", "n_train", "repeat", "kernel"]]
    observed = [(m, p, float(v), n, r, k) for m, p, v, n, r, k in keys.itertuples(index=False)]
    assert len(observed) == len(expected) == 9 * 2 * 2 * 2  # one row per combination
    assert set(observed) == expected
    assert (df["n_generated"] == SMALL["n_generated"]).all()
    assert np.isfinite(df["mmd2"]).all()
    # seed, n_test and noise reach the test set: the MMD bandwidth is its median heuristic.
    X_test = sample_moons(
        SMALL["n_test"], noise=SMALL["noise"], random_state=derive_seed(SMALL["seed"], "test")
    )
    np.testing.assert_allclose(df["bandwidth"], median_heuristic(X_test), rtol=1e-12)


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_is_quiet_and_glues_the_book_keys(small_run):
    _, output = small_run
    nb = read_notebook(output)
    assert stderr_outputs(nb) == []
    assert not BOOK_KEYS - glued_names(nb)


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("hist_bins", [], "hist_bins must be a non-empty list"),
        ("kde_bandwidths", [0.1, -0.2], "every entry of kde_bandwidths"),
        ("n_test", 1, "n_test must be an integer >= 2"),
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


# --- the execution script ----------------------------------------------------------------

TINY = textwrap.dedent(
    """\
    # %% [markdown]
    # A tiny notebook: a glued number and a glued figure.

    # %%
    import numpy as np
    from matplotlib.figure import Figure
    from myst_nb import glue

    x = np.random.default_rng(0).normal(size=50)
    glue("tiny_mean", round(float(x.mean()), 3), display=False)
    fig = Figure()
    fig.add_subplot().plot(x)
    glue("tiny_fig", fig, display=False)
    print(round(float(x.std()), 3))
    """
)


@pytest.mark.notebook
@pytest.mark.slow
def test_execute_notebook_script_is_deterministic(tmp_path):
    py = tmp_path / "tiny.py"
    py.write_text(TINY)
    script = ROOT / "scripts" / "execute_notebook.py"
    first = run([PYTHON, script, py], timeout=300)
    assert first.returncode == 0, first.stderr
    content = (tmp_path / "tiny.ipynb").read_bytes()
    shutil.copy(tmp_path / "tiny.ipynb", tmp_path / "first.ipynb")
    second = run([PYTHON, script, py], timeout=300)
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "tiny.ipynb").read_bytes() == content
    nb = read_notebook(tmp_path / "tiny.ipynb")
    assert not {"tiny_mean", "tiny_fig"} - glued_names(nb)
    assert not pair_mismatches(py, tmp_path / "tiny.ipynb")
