"""Sync a notebook pair from its ``.py`` and execute the ``.ipynb`` in place, deterministically.

Every notebook of the report is a jupytext pair: the percent-format ``.py`` is
the file people edit, the executed ``.ipynb`` is what Jupyter Book and nbval
read. This script

1. updates the ``.ipynb`` from the ``.py`` (``jupytext --to ipynb --update``:
   the direction is explicit, never "whichever file is newer");
2. executes it with nbclient in the current environment's ``python3`` kernel,
   with the notebook's folder as working directory and without timing metadata;
3. writes it back deterministically: cell ids derived from the cell position,
   no execution timestamps, stable metadata. Re-executing a notebook whose
   results do not change therefore rewrites a byte-identical file;
4. copies the results tables the run wrote (``results/<name>.csv`` and
   ``results/<name>_picks.csv`` beside the notebook) to ``reference/``: the committed
   reference a rerun is compared with (``densitylab.reproducibility``).

Usage::

    python scripts/execute_notebook.py notebooks/moons_2d.py [notebooks/digits_64d.py ...]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL_NAME = "python3"
# Metadata of the notebook itself that changes between runs or machines without
# changing the content (the kernel's own version string is kept: it is stable).
VOLATILE_NOTEBOOK_METADATA = ("widgets", "papermill", "execution")
VOLATILE_CELL_METADATA = ("execution", "papermill", "collapsed", "scrolled")


def sync_pair(py_path: Path) -> Path:
    """Write the ``.ipynb`` of a pair from its ``.py`` (keeping the outputs of unchanged cells)."""
    subprocess.run(
        [sys.executable, "-m", "jupytext", "--to", "ipynb", "--update", str(py_path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return py_path.with_suffix(".ipynb")


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove run-dependent metadata and give every cell a position-derived id."""
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    for index, cell in enumerate(nb.cells):
        # jupytext draws random ids for new cells; positions are stable.
        cell["id"] = f"cell-{index:03d}"
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
    return nb


def execute(ipynb_path: Path, *, timeout: int = 600) -> float:
    """Execute a notebook in place; return the wall-clock seconds of the execution."""
    nb = nbformat.read(ipynb_path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(ipynb_path.parent.resolve())}},
    )
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    nbformat.validate(normalise(nb))
    nbformat.write(nb, ipynb_path)
    return seconds


def keep_reference(ipynb_path: Path) -> list[Path]:
    """Copy the run's results tables (if the notebook writes any) into ``reference/``."""
    folder = ipynb_path.parent
    copied = []
    for name in (f"{ipynb_path.stem}.csv", f"{ipynb_path.stem}_picks.csv"):
        source = folder / "results" / name
        if source.is_file():
            (folder / "reference").mkdir(exist_ok=True)
            copied.append(Path(shutil.copy(source, folder / "reference" / name)))
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="percent-format .py files")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    # The book and papermill runs print no progress; neither does this one.
    os.environ.setdefault("DENSITYLAB_PROGRESS", "0")
    for py_path in args.notebooks:
        if py_path.suffix != ".py" or not py_path.is_file():
            parser.error(f"{py_path} is not a .py notebook (the edited half of a pair)")
        ipynb_path = sync_pair(py_path)
        seconds = execute(ipynb_path, timeout=args.timeout)
        print(f"{ipynb_path}: executed in {seconds:.1f} s")
        for table in keep_reference(ipynb_path):
            print(f"  reference table {table}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
