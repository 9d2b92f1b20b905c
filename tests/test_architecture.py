"""The package's layers: data, metrics and diagnostics never depend on the models.

``densitylab.data``, ``densitylab.mmd`` and ``densitylab.diagnostics`` judge samples of
any origin, so they must import nothing from ``densitylab.models`` (checked both in
the source, including imports inside functions, and in a fresh interpreter). Every
module stays small enough to read in one sitting.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "densitylab"
INDEPENDENT_OF_MODELS = ("data", "mmd", "diagnostics")
MAX_MODULE_LINES = 400


def _module_files(name: str) -> list[Path]:
    path = SRC / name
    return sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("name", INDEPENDENT_OF_MODELS)
def test_layer_imports_nothing_from_models_in_its_source(name):
    offending = {
        f"{path.relative_to(SRC)}: {module}"
        for path in _module_files(name)
        for module in _imported_modules(path)
        if module == "densitylab.models" or module.startswith("densitylab.models.")
    }
    assert not offending, sorted(offending)


def test_layers_load_without_the_models():
    code = (
        "import sys\n"
        + "".join(f"import densitylab.{name}\n" for name in INDEPENDENT_OF_MODELS)
        + "print(sorted(m for m in sys.modules if m.startswith('densitylab.models')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_architecture_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from densitylab.models._base import X\n")
    assert "densitylab.models._base" in _imported_modules(bad)


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_module_is_small(path):
    n_lines = len(path.read_text().splitlines())
    assert n_lines <= MAX_MODULE_LINES, f"{n_lines} lines: split it by responsibility"
