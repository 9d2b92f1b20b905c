"""What every study notebook must satisfy (study-specific runs: test_notebook_<study>.py).

* the .py/.ipynb pair agrees; the committed .ipynb is executed, quiet and deterministic;
* the parameters cell holds exactly the schema's names and defaults (one place in src);
* every glue key the book or a notebook places is glued by the executed notebooks;
* the notebooks read like the maths: hidden code is a small part of the code;
* rerun here, a notebook executes (nbval) and its results agree with the committed
  reference tables within the reproducibility contract (``densitylab.reproducibility``):
  bit-identical on this machine, within the stated tolerances on another CPU;
* a bad or unknown parameter stops the run in the validation cell, naming it.
"""

from __future__ import annotations

import ast
import shutil

import jupytext
import pandas as pd
import pytest
from notebook_helpers import (
    BY_NAME,
    NOTEBOOKS,
    ROOT,
    STUDIES,
    code_cells,
    glue_references,
    glued_names,
    glued_outputs,
    pair_mismatches,
    read_notebook,
    run,
    run_nbval,
    run_papermill,
    stderr_outputs,
)

from densitylab.reproducibility import compare_picks, compare_results

PNG = "application/papermill.record/image/png"
HIDDEN = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
# Hidden code (imports, glue calls) may be at most this share of a notebook's code lines.
MAX_HIDDEN_SHARE = 0.25
study_param = pytest.mark.parametrize("study", STUDIES, ids=lambda s: s.name)


# --- the committed pair (no execution) -----------------------------------------------


@study_param
def test_pair_agrees(study):
    problems = pair_mismatches(study.py, study.ipynb)
    assert not problems, (
        f"notebooks/{study.name}.py and .ipynb disagree; run "
        f"`python scripts/execute_notebook.py notebooks/{study.name}.py`:\n" + "\n".join(problems)
    )


@study_param
def test_committed_notebook_is_executed_quiet_and_deterministic(study):
    nb = read_notebook(study.ipynb)
    cells = code_cells(nb)
    assert all(cell.execution_count is not None for cell in cells), "not fully executed"
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert stderr_outputs(nb) == []
    assert all(name.startswith(study.prefix) for name in glued_names(nb))
    for index, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata
        assert cell.id == f"cell-{index:03d}"


def _parameters_cell(study):
    first = code_cells(jupytext.read(study.py))[0]
    assert first.metadata.get("tags") == ["parameters"]
    module = ast.parse(first.source)
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in module.body
        if isinstance(node, ast.Assign)
    }, [node.targets[0].id for node in module.body if isinstance(node, ast.Assign)]


@study_param
def test_parameters_cell_holds_the_schema_defaults(study):
    values, order = _parameters_cell(study)
    assert order == study.schema.names
    assert values == study.schema.defaults()
    assert vars(study.schema.validate(values)) == values


@study_param
def test_hidden_code_is_a_small_part_of_the_notebook(study):
    cells = code_cells(jupytext.read(study.py))
    lines = {True: 0, False: 0}
    for cell in cells:
        hidden = bool(HIDDEN & set(cell.metadata.get("tags", [])))
        lines[hidden] += len([line for line in cell.source.splitlines() if line.strip()])
    share = lines[True] / (lines[True] + lines[False])
    assert share <= MAX_HIDDEN_SHARE, f"{share:.0%} of the code lines are hidden"


def _markdown_pages():
    pages = [(path, path.read_text()) for path in sorted((ROOT / "book").glob("*.md"))]
    for study in STUDIES:
        nb = jupytext.read(study.py)
        text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
        pages.append((study.ipynb, text))
    return pages


def test_every_glue_key_the_text_places_is_glued():
    glued = {study.ipynb.stem: glued_names(read_notebook(study.ipynb)) for study in STUDIES}
    missing, placed = [], 0
    for page, text in _markdown_pages():
        for notebook, key in sorted(glue_references(text, page)):
            placed += 1
            if key not in glued.get(notebook, set()):
                missing.append(f"{page.relative_to(ROOT)}: {notebook}::{key}")
    assert placed > 50, "the pages place suspiciously few glued values"
    assert not missing, "placed but never glued:\n" + "\n".join(missing)


def test_the_glue_check_sees_a_missing_key(tmp_path):
    page = tmp_path / "page.md"
    refs = glue_references("{glue:md}`../notebooks/moons_2d.ipynb::moons_no_such_key:myst`", page)
    glued = glued_names(read_notebook(BY_NAME["moons_2d"].ipynb))
    assert refs == {("moons_2d", "moons_no_such_key")}
    assert "moons_no_such_key" not in glued


@study_param
def test_every_glued_figure_carries_a_png(study):
    outputs = glued_outputs(read_notebook(study.ipynb))
    figures = [name for name in outputs if "_fig_" in name]
    assert len(figures) >= 3, "the notebook glues fewer than three figures"
    for name in figures:
        assert PNG in outputs[name].data, f"{name} was glued without a PNG"


# --- executions ------------------------------------------------------------------------


@pytest.fixture(scope="session", params=STUDIES, ids=lambda s: s.name)
def rerun(request, tmp_path_factory):
    """The committed notebook re-executed under nbval in a copy, results in the copy."""
    study = request.param
    folder = tmp_path_factory.mktemp(f"{study.name}_rerun")
    shutil.copy(study.ipynb, folder / study.ipynb.name)
    return study, folder, run_nbval(folder / study.ipynb.name)


@pytest.mark.notebook
@pytest.mark.slow
def test_committed_notebook_reexecutes_under_nbval(rerun):
    _, _, result = rerun
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]


@pytest.mark.notebook
@pytest.mark.slow
def test_rerun_reproduces_the_committed_results(rerun):
    study, folder, _ = rerun
    results = folder / "results"
    reference = pd.read_csv(study.reference)
    comparison = compare_results(reference, pd.read_csv(results / study.reference.name))
    assert comparison.ok, str(comparison)
    picks = compare_picks(
        pd.read_csv(study.reference_picks),
        pd.read_csv(results / study.reference_picks.name),
        reference,
    )
    assert picks.ok, str(picks)


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize(
    ("study_name", "name", "value", "message"),
    [(study.name, *bad) for study in STUDIES for bad in study.bad_parameters]
    + [(study.name, "train_size", [100], "unknown parameter 'train_size'") for study in STUDIES],
)
def test_bad_parameter_stops_in_the_validation_cell(tmp_path, study_name, name, value, message):
    output = tmp_path / "out.ipynb"
    parameters = {name: value, "output_dir": str(tmp_path / "results")}
    result = run_papermill(BY_NAME[study_name].ipynb, output, parameters, timeout=300)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr
    assert name in message  # the error names the parameter
    assert not (tmp_path / "results").exists()  # stopped before any computation
    nb = read_notebook(output)
    failed = [
        cell for cell in code_cells(nb) if any(o.output_type == "error" for o in cell.outputs)
    ]
    assert len(failed) == 1 and "PARAMETERS.validate(globals())" in failed[0].source
    if name == "train_size":  # the known names are listed
        listed = result.stdout + result.stderr
        assert all(known in listed for known in BY_NAME[study_name].schema.names)


def test_the_reference_tables_come_from_the_committed_notebooks():
    # The reference tables and the committed .ipynb are written by one `make notebooks`
    # run; the picks the notebook glues must be those of its reference table.
    for study in STUDIES:
        picks = pd.read_csv(study.reference_picks)
        assert set(picks["pick"]) <= {"original protocol", "best log-lik", "good", "bad"}
        assert {
            "family",
            "pick",
            "param",
            "value",
            "mmd2_heldout",
            "heldout_loglik",
            "copy_share",
            "ct_statistic",
        } <= set(picks.columns)
        result = run(["git", "ls-files", "--error-unmatch", study.reference], cwd=ROOT)
        assert result.returncode == 0, f"{study.reference} is not committed"


def test_notebooks_folder_holds_no_stray_results_in_git():
    result = run(["git", "ls-files", "notebooks/results"], cwd=ROOT)
    assert result.stdout.strip() == "", "notebooks/results is the default output_dir, not git's"
    assert (NOTEBOOKS / "reference").is_dir()
