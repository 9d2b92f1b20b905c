"""What every study notebook must satisfy (the study-specific checks are in
``test_notebook_moons.py`` and ``test_notebook_digits.py``):

* the .py/.ipynb pair agrees, and the committed .ipynb is executed, quiet, written
  deterministically, and glues every key the book's other pages use;
* every glue key its text uses is glued, and every glued figure carries a PNG;
* the first code cell holds the parameters, with the names fixed by DESIGN.md;
* nbval re-executes the committed notebook and compares the tagged result cells;
* a bad parameter stops the run in the validation cell, with its name in the error.
"""

from __future__ import annotations

import re

import jupytext
import pytest
from notebook_helpers import (
    BY_NAME,
    STUDIES,
    code_cells,
    glued_names,
    glued_outputs,
    pair_mismatches,
    read_notebook,
    run_nbval,
    run_papermill,
    stderr_outputs,
    tagged_cells,
)

PNG = "application/papermill.record/image/png"
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
def test_committed_notebook_is_executed_quiet_and_glued(study):
    nb = read_notebook(study.ipynb)
    cells = code_cells(nb)
    assert all(cell.execution_count is not None for cell in cells), "not fully executed"
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1))
    assert stderr_outputs(nb) == []
    names = glued_names(nb)
    assert not study.book_keys - names
    assert all(name.startswith(study.prefix) for name in names)
    # Deterministic file: no timing metadata, position-derived cell ids.
    for index, cell in enumerate(nb.cells):
        assert "execution" not in cell.metadata
        assert cell.id == f"cell-{index:03d}"


@study_param
def test_every_glued_figure_carries_a_png(study):
    outputs = glued_outputs(read_notebook(study.ipynb))
    figures = [name for name in outputs if "_fig_" in name]
    assert figures, "the notebook glues no figure"
    for name in figures:
        assert PNG in outputs[name].data, f"{name} was glued without a PNG"


@study_param
def test_every_glue_key_used_in_the_text_is_glued(study):
    nb = read_notebook(study.ipynb)
    text = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "markdown")
    key = rf"({re.escape(study.prefix)}\w+)"
    used = set(re.findall(r"\{glue:(?:text|md)\}`" + key, text))
    used |= set(re.findall(r"```\{glue:figure\} " + key, text))
    assert used, "the narrative uses no glued value"
    missing = used - glued_names(nb)
    assert not missing, f"used in the text but never glued: {sorted(missing)}"


@study_param
def test_parameters_cell_comes_first_with_the_fixed_names(study):
    nb = jupytext.read(study.py)
    first = code_cells(nb)[0]
    assert first.metadata.get("tags") == ["parameters"]
    names = [line.split("=")[0].strip() for line in first.source.splitlines() if "=" in line]
    assert tuple(names) == study.parameters
    assert tagged_cells(nb, "nbval-check-output"), "no result cell is checked by nbval"


# --- executions ------------------------------------------------------------------------


@pytest.mark.notebook
@pytest.mark.slow
@study_param
def test_committed_outputs_reproduce_under_nbval(study):
    result = run_nbval(study.ipynb)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize(
    ("study_name", "name", "value", "message"),
    [(study.name, *bad) for study in STUDIES for bad in study.bad_parameters],
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
    assert len(failed) == 1 and "Validate every parameter" in failed[0].source
