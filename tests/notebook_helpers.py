"""Helpers shared by the notebook tests (two-moons and digits).

Each notebook is a jupytext pair: ``notebooks/<name>.py`` (edited) and the
executed ``notebooks/<name>.ipynb`` (read by the book and by nbval). The tests

* check that the pair agrees (:func:`pair_mismatches`),
* re-run the committed notebook under nbval and compare the outputs of cells
  tagged ``nbval-check-output`` (:func:`run_nbval`),
* run the notebook with other parameters through papermill, as a user would
  (:func:`run_papermill`), and inspect the result (:func:`stderr_outputs`,
  :func:`glued_names`).

Every command runs in a subprocess of the current interpreter, so the venv's
own ``python3`` kernel and packages are used.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from densitylab.parameters import Schema
from densitylab.studies import digits, moons

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
PYTHON = sys.executable

# Cell metadata that describes how a cell is shown or tested, compared between the pair.
SHARED_CELL_METADATA = ("tags", "mystnb")


def _environment() -> dict:
    env = dict(os.environ)
    env["DENSITYLAB_PROGRESS"] = "0"  # no progress lines, as in the book
    env.pop("MPLBACKEND", None)  # the kernel's inline backend, as in the book
    return env


def run(command, *, cwd=ROOT, timeout=1200) -> subprocess.CompletedProcess:
    """Run ``command`` (a list) and capture its output as text; never raises on failure."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_nbval(ipynb: Path, *, timeout=1200) -> subprocess.CompletedProcess:
    """Re-execute a committed notebook under nbval (lax mode, this environment's kernel).

    In lax mode every cell must run without error, and the outputs of cells tagged
    ``nbval-check-output`` must equal the stored ones (images are not compared).
    """
    return run(
        [
            PYTHON,
            "-m",
            "pytest",
            "--nbval-lax",
            "--nbval-current-env",
            ipynb,
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        timeout=timeout,
    )


def papermill_arguments(parameters: dict) -> list[str]:
    """``-p name value`` for every parameter; lists are passed as their Python text.

    This is how a user passes them on the command line (papermill hands a list over
    as a string, which the notebook's parameter check reads as a literal).
    """
    arguments = []
    for name, value in parameters.items():
        arguments += ["-p", name, repr(value) if isinstance(value, list | tuple) else str(value)]
    return arguments


def run_papermill(
    notebook: Path, output: Path, parameters: dict, *, cwd=NOTEBOOKS, timeout=1200
) -> subprocess.CompletedProcess:
    """``papermill NOTEBOOK OUTPUT --cwd CWD -k python3 -p name value …``."""
    return run(
        [
            PYTHON,
            "-m",
            "papermill",
            notebook,
            output,
            "--cwd",
            cwd,
            "-k",
            "python3",
            "--no-progress-bar",
            *papermill_arguments(parameters),
        ],
        timeout=timeout,
    )


def _cells(nb) -> list[tuple]:
    cells = []
    for cell in nb.cells:
        metadata = {k: cell.metadata[k] for k in SHARED_CELL_METADATA if k in cell.metadata}
        cells.append((cell.cell_type, cell.source.strip(), metadata))
    return cells


def pair_mismatches(py_path: Path, ipynb_path: Path) -> list[str]:
    """Differences between the cells of a ``.py`` and of its ``.ipynb`` (empty if they agree).

    Both files are read with jupytext, which is the round trip ``jupytext --to ipynb``
    performs: cell types, sources and tags must be equal, cell by cell.
    """
    py_cells = _cells(jupytext.read(py_path))
    ipynb_cells = _cells(jupytext.read(ipynb_path))
    problems = []
    if len(py_cells) != len(ipynb_cells):
        problems.append(f"{len(py_cells)} cells in {py_path.name}, {len(ipynb_cells)} in ipynb")
    for index, (a, b) in enumerate(zip(py_cells, ipynb_cells, strict=False)):
        if a != b:
            problems.append(f"cell {index} differs:\n  py:    {a!r:.300}\n  ipynb: {b!r:.300}")
    return problems


def read_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(nb) -> list:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def stderr_outputs(nb) -> list[str]:
    """Text written to stderr, and errors, by any cell (the book build fails on them)."""
    found = []
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stderr":
                found.append(output.text)
            elif output.output_type == "error":
                found.append(f"{output.ename}: {output.evalue}")
    return found


def glued_names(nb) -> set[str]:
    """Names glued with ``myst_nb.glue`` in the notebook's outputs."""
    names = set()
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                names.add(scrapbook["name"])
    return names


def tagged_cells(nb, tag: str) -> list:
    return [cell for cell in nb.cells if tag in cell.metadata.get("tags", [])]


def glued_outputs(nb) -> dict:
    """Glue name -> the output (mime bundle) that carries it."""
    found = {}
    for cell in code_cells(nb):
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                found[scrapbook["name"]] = output
    return found


def papermill_small_run(tmp_path_factory, ipynb: Path, small: dict):
    """Run ``ipynb`` by papermill with the ``small`` parameters into a temporary folder.

    Returns the folder (results in ``folder / "results"``) and the output notebook.
    """
    folder = tmp_path_factory.mktemp(ipynb.stem + "_small")
    output = folder / f"{ipynb.stem}.out.ipynb"
    result = run_papermill(ipynb, output, small | {"output_dir": str(folder / "results")})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return folder, output


# --- the studies ------------------------------------------------------------------------


@dataclass(frozen=True)
class Study:
    name: str
    schema: Schema  # the parameter schema in src: names, defaults, rules
    bad_parameters: tuple[tuple[str, object, str], ...]  # (name, value, expected message)

    @property
    def py(self):
        return NOTEBOOKS / f"{self.name}.py"

    @property
    def ipynb(self):
        return NOTEBOOKS / f"{self.name}.ipynb"

    @property
    def prefix(self):
        return self.name.split("_")[0] + "_"

    @property
    def reference(self):
        """The committed results of the notebook's default run (written by make notebooks)."""
        return NOTEBOOKS / "reference" / f"{self.name}.csv"

    @property
    def reference_picks(self):
        return NOTEBOOKS / "reference" / f"{self.name}_picks.csv"


STUDIES = [
    Study(
        "moons_2d",
        moons.PARAMETERS,
        (
            ("hist_bins", [], "hist_bins must be a non-empty list"),
            ("kde_bandwidths", [0.1, -0.2], "every entry of kde_bandwidths"),
            ("n_test", 1, "n_test must be an integer >= 100"),
            ("noise", 1e200, "noise must be a number ≤ 1"),
        ),
    ),
    Study(
        "digits_64d",
        digits.PARAMETERS,
        (
            ("gmm_components", [0, 2], "every entry of gmm_components"),
            ("kde_bandwidths", [], "kde_bandwidths must be a non-empty list"),
            ("test_fraction", 0.01, "test_fraction must leave at least"),
            ("forest_trees", 0, "forest_trees must be an integer >= 1"),
        ),
    ),
]
BY_NAME = {study.name: study for study in STUDIES}

# Where the text places glued values: roles ({glue:md}`key`, {glue:text}`doc::key`) and
# directives (```{glue:figure} key``` with an optional :doc: option).
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
GLUE_DIRECTIVE = re.compile(r"```+\{glue(?::\w+)?\}\s+(\S+)((?:\n[ \t]*:[\w-]+:.*)*)")


def glue_references(text: str, page: Path) -> set[tuple[str, str]]:
    """Every (notebook stem, key) that a markdown text places, resolved from ``page``.

    A bare key on a notebook page belongs to that notebook; on a book page it must
    name its notebook (``../notebooks/x.ipynb::key`` or a ``:doc:`` option).
    """
    found = set()
    for target in GLUE_ROLE.findall(text):
        path, _, key = target.rpartition("::")
        key = key.split(":")[0]  # drop a format spec such as ":myst"
        found.add((Path(path).stem if path else page.stem, key))
    for key, options in GLUE_DIRECTIVE.findall(text):
        doc = re.search(r":doc:\s*(\S+)", options)
        found.add((Path(doc.group(1)).stem if doc else page.stem, key))
    return found
