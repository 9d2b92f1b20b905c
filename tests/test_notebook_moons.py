"""The two-moons notebook's own checks (the ones every study shares: test_notebooks.py).

* papermill runs it with small, different parameters: the CSV holds exactly that grid,
  and the picks come from it;
* ``scripts/execute_notebook.py`` writes byte-identical files when results are identical.
"""

from __future__ import annotations

import itertools
import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest
from notebook_helpers import (
    NOTEBOOKS,
    PYTHON,
    ROOT,
    glued_names,
    glued_outputs,
    pair_mismatches,
    papermill_small_run,
    read_notebook,
    run,
    stderr_outputs,
)

from densitylab.data import sample_moons
from densitylab.mmd import median_heuristic
from densitylab.seeding import derive_seed
from densitylab.studies import moons

IPYNB = NOTEBOOKS / "moons_2d.ipynb"

# Small parameters, all different from the defaults. K = 1 is absent on purpose: the
# sanity check then says it cannot be made, and the CSV must hold only this grid.
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


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """The notebook run by papermill with SMALL parameters into a temporary folder."""
    return papermill_small_run(tmp_path_factory, IPYNB, SMALL)


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_writes_exactly_the_requested_grid(small_run):
    folder, _ = small_run
    df = pd.read_csv(folder / "results" / "moons_2d.csv")
    for column in ("model", "param", "value", "n_train", "repeat", "kernel", "mmd2"):
        assert column in df.columns
    expected = {
        (model, param, float(value), n, r, kernel, bandwidth)
        for model, (param, values) in GRID_OF.items()
        for value, n, r, kernel, bandwidth in itertools.product(
            values,
            SMALL["train_sizes"],
            range(SMALL["repeats"]),
            ["se", "imq"],
            ["median", "original"],
        )
    }
    keys = df[["model", "param", "value", "n_train", "repeat", "kernel", "bandwidth_name"]]
    observed = [
        (m, p, float(v), n, r, k, b) for m, p, v, n, r, k, b in keys.itertuples(index=False)
    ]
    assert len(observed) == len(expected) == 9 * 2 * 2 * 2 * 2  # one row per combination
    assert set(observed) == expected
    assert (df["n_generated"] == SMALL["n_generated"]).all()
    assert np.isfinite(df["mmd2"]).all()
    assert df["copy_share"].between(0, 1).all() and np.isfinite(df["ct_statistic"]).all()
    # seed, n_test and noise reach the test set: the median bandwidth is its heuristic.
    X_test = sample_moons(
        SMALL["n_test"], noise=SMALL["noise"], random_state=derive_seed(SMALL["seed"], "test")
    )
    median = df["bandwidth_name"] == "median"
    np.testing.assert_allclose(df.loc[median, "bandwidth"], median_heuristic(X_test), rtol=1e-12)
    assert (df.loc[~median, "bandwidth"] == moons.ORIGINAL_BANDWIDTH).all()


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_writes_the_picks_from_the_requested_grid(small_run):
    folder, _ = small_run
    picks = pd.read_csv(folder / "results" / "moons_2d_picks.csv")
    for model, (_, values) in GRID_OF.items():
        rows = picks[picks["model"] == model]
        assert set(rows["value"]) <= set(values)
    good = picks[picks["pick"] == "good"]
    assert (good["copy_share"] <= 0.1).all() and (good["ct_statistic"].abs() <= 3).all()


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_is_quiet_and_says_the_sanity_check_cannot_be_made(small_run):
    _, output = small_run
    nb = read_notebook(output)
    assert stderr_outputs(nb) == []
    claim = glued_outputs(nb)["moons_sanity_claim"].data
    assert "no $K = 1$" in str(claim)


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


# --- a legal run in which some families have no good setting ---------------------------------

# One training size, two repeats, a GMM grid of over-dispersed settings only: the witness,
# gallery and picks cells must still run, and say which pick they show.
NO_GOOD = {
    "train_sizes": [200],
    "repeats": 2,
    "n_test": 300,
    "n_generated": 300,
    "hist_bins": [10],
    "gmm_components": [1, 2],
    "kde_bandwidths": [0.1],
    "forest_n_min": [50],
    "n_jobs": 1,
}


@pytest.mark.notebook
@pytest.mark.slow
def test_papermill_run_without_a_good_gmm_runs_and_says_so(tmp_path_factory):
    folder, output = papermill_small_run(tmp_path_factory, IPYNB, NO_GOOD)
    picks = pd.read_csv(folder / "results" / "moons_2d_picks.csv")
    assert picks[(picks["model"] == "GMM") & (picks["pick"] == "good")].empty
    nb = read_notebook(output)
    assert stderr_outputs(nb) == []
    glued = glued_outputs(nb)
    first = str(glued["moons_witness_first"].data)
    assert "original protocol" in first
    assert "GMM, which has no good setting" in str(glued["moons_gallery_caption"].data)
