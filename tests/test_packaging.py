"""Packaging: ranges for the library, an exact lock for the report.

pyproject.toml declares ranges (a tested lower bound, an upper bound only for a known break);
requirements/lock.txt holds the exact versions the report is built and tested with, compiled by
uv from those ranges; requirements/oldest.txt holds the lower bounds for the oldest-versions lane;
environment.yml installs the lock's versions; the running .venv is the lock; the wheel stands
alone; importing the package loads no plotting, notebook or distributed tool.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
OLDEST = ROOT / "requirements" / "oldest.txt"
#: The extras the oldest-versions lane installs (all but dev), at their lower bounds.
OLDEST_EXTRAS = ("plot", "report", "distributed", "test")
#: Upper bounds are allowed only for these known breaks.
KNOWN_BREAKS = {
    "jupyter-book": "2.x cannot build HTML offline (it downloads its theme) and ignores "
    "_config.yml",
}
#: Top-level modules of the extras and development tools: importing the package loads none.
DEV_MODULES = (
    "matplotlib",
    "myst_nb",
    "IPython",
    "ipykernel",
    "jupyter_core",
    "jupyter_client",
    "nbformat",
    "nbclient",
    "jupytext",
    "papermill",
    "sphinx",
    "dask",
    "distributed",
    "pytest",
    "hypothesis",
)


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def requirements(extras=None) -> list[Requirement]:
    """Runtime requirements and those of ``extras`` (default: every extra), self-references out."""
    optional = project()["optional-dependencies"]
    lines = list(project()["dependencies"])
    for extra in optional if extras is None else extras:
        lines += optional[extra]
    return [r for r in map(Requirement, lines) if canonicalize_name(r.name) != "densitylab"]


def lower_bounds(extras=None) -> dict[str, Version]:
    """The lowest version each package may have: the largest of its ``>=`` bounds."""
    bounds: dict[str, Version] = {}
    for requirement in requirements(extras):
        name = canonicalize_name(requirement.name)
        for spec in requirement.specifier:
            if spec.operator == ">=":
                bounds[name] = max(bounds.get(name, Version(spec.version)), Version(spec.version))
    return bounds


def locked(path: Path) -> dict[str, str]:
    """``name: version`` of a uv-compiled requirements file, for this interpreter's platform."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{path.name}: {line!r} is not an exact version"
        if requirement.marker is None or requirement.marker.evaluate():
            pins[canonicalize_name(requirement.name)] = spec.version
    return pins


def environment_yml() -> tuple[list[str], list[str]]:
    """The conda and the pip entries of environment.yml."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip += entry["pip"]
        else:
            conda.append(entry)
    return conda, pip


# --- pyproject.toml: ranges -------------------------------------------------------------


@pytest.mark.parametrize("requirement", requirements(), ids=str)
def test_every_dependency_is_a_range_with_a_tested_lower_bound(requirement):
    operators = {spec.operator for spec in requirement.specifier}
    assert ">=" in operators, f"{requirement} has no lower bound"
    assert not operators & {"==", "===", "~="}, f"{requirement} pins a version: give a range"
    if operators & {"<", "<=", "!="}:
        assert canonicalize_name(requirement.name) in KNOWN_BREAKS, (
            f"{requirement} has an upper bound or exclusion without a known break"
        )


def test_upper_bounds_only_where_a_break_is_known():
    capped = {
        canonicalize_name(r.name)
        for r in requirements()
        if any(spec.operator in ("<", "<=") for spec in r.specifier)
    }
    assert capped == set(KNOWN_BREAKS)


def test_requires_python_is_a_range_from_311_without_a_cap():
    assert project()["requires-python"].replace(" ", "") == ">=3.11"


def test_dev_extra_holds_every_other_extra():
    dev = [Requirement(r) for r in project()["optional-dependencies"]["dev"]]
    (self_reference,) = [r for r in dev if canonicalize_name(r.name) == "densitylab"]
    assert self_reference.extras == set(OLDEST_EXTRAS)
    assert set(project()["optional-dependencies"]) == {*OLDEST_EXTRAS, "dev"}


# --- the lock and the oldest-versions file -----------------------------------------------


@pytest.mark.parametrize(("path", "options"), [(LOCK, "--all-extras"), (OLDEST, "lowest-direct")])
def test_lock_files_are_written_by_uv_from_pyproject(path, options):
    header = path.read_text().splitlines()[:2]
    assert header[0] == "# This file was autogenerated by uv via the following command:"
    assert "uv pip compile pyproject.toml" in header[1] and options in header[1]


def test_lock_satisfies_every_range_of_pyproject():
    pins = locked(LOCK)
    for requirement in requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is missing from the lock: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock's {name}=={pins[name]} is outside {requirement}: run make lock"
        )


def test_oldest_lane_installs_every_lower_bound():
    pins = locked(OLDEST)
    bounds = lower_bounds(OLDEST_EXTRAS)
    assert set(bounds) <= set(pins), f"not in oldest.txt: {set(bounds) - set(pins)}"
    differ = {n: (str(b), pins[n]) for n, b in bounds.items() if Version(pins[n]) != b}
    assert not differ, f"(lower bound, oldest.txt) differ: {differ}; run make lock"


# --- environment.yml -------------------------------------------------------------------


def test_environment_yml_has_the_locked_versions():
    conda, pip = environment_yml()
    pins = locked(LOCK)
    entries = [e for e in conda + pip if "==" in e]
    assert entries, "environment.yml lists no exact version"
    for entry in entries:
        name, pinned = re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", entry).groups()
        assert pins.get(canonicalize_name(name)) == pinned, (
            f"environment.yml has {entry}, the lock {name}=={pins.get(canonicalize_name(name))}"
        )


def test_environment_yml_installs_the_lock_and_conda_builds_of_the_runtime():
    conda, pip = environment_yml()
    assert "-r requirements/lock.txt" in pip and "-e ." in pip
    in_conda = {canonicalize_name(e.split("==")[0]) for e in conda if "==" in e}
    runtime = {canonicalize_name(r.name) for r in requirements(extras=())}
    assert runtime <= in_conda, f"runtime dependencies not from conda: {runtime - in_conda}"


def test_environment_python_matches_requires_python():
    conda, _ = environment_yml()
    (python,) = [e for e in conda if e.startswith("python=")]
    assert project()["requires-python"].replace(" ", "") == ">=" + python.split("=")[1]


# --- the running environment and the distributions -----------------------------------------


@pytest.mark.locked
@pytest.mark.parametrize(("name", "pinned"), sorted(locked(LOCK).items()))
def test_installed_version_is_the_locked_one(name, pinned):
    assert version(name) == pinned


IMPORT_RUNTIME_MODULES = """
import importlib, sys
from pathlib import Path
package = Path(sys.argv[1])
sys.path.insert(0, str(package.parent))
for path in sorted(package.rglob("*.py")):
    parts = path.relative_to(package.parent).with_suffix("").parts
    if len(parts) > 1 and parts[1].startswith(("plotting", "report")):
        continue
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    importlib.import_module(name)
    print(name)
print("LOADED", *sorted({m.split(".")[0] for m in sys.modules}))
"""


def test_importing_the_package_loads_no_development_tool():
    """Every module but plotting/report imports with the runtime dependencies alone."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_RUNTIME_MODULES, str(ROOT / "src" / "densitylab")],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = result.stdout.splitlines()[:-1]
    assert {"densitylab.models", "densitylab.mmd", "densitylab.data"} <= set(imported)
    loaded = set(result.stdout.splitlines()[-1].split()[1:])
    assert "numpy" in loaded and not loaded & set(DEV_MODULES), loaded & set(DEV_MODULES)


@pytest.mark.slow
@pytest.mark.locked
def test_wheel_builds_and_runs_alone_at_the_oldest_versions(tmp_path):
    """sdist and wheel build and pass twine; the wheel alone, with the lowest runtime versions."""
    result = subprocess.run(
        [sys.executable, ROOT / "scripts" / "wheel_check.py", "--workdir", tmp_path],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "PASSED" in result.stdout and "smoke test at oldest took" in result.stdout
    assert "DensityForest" in result.stdout and "numpy 1.23.2" in result.stdout


@pytest.mark.locked
@pytest.mark.parametrize("path", [LOCK, OLDEST], ids=lambda p: p.name)
def test_lock_files_are_what_uv_compiles_today(path, tmp_path):
    """Recompiling from pyproject.toml keeps every pin: the files are the tool's, not edited."""
    out = tmp_path / path.name
    out.write_text(path.read_text())  # uv keeps the versions of its output file when it can
    command = path.read_text().splitlines()[1].lstrip("# ").split()
    assert command[:3] == ["uv", "pip", "compile"] and command[-2] == "-o"
    uv = Path(sys.executable).with_name("uv")
    subprocess.run([uv, *command[1:-1], out, "--quiet"], cwd=ROOT, check=True)
    body = [line for line in path.read_text().splitlines() if not line.startswith("#")]
    assert [line for line in out.read_text().splitlines() if not line.startswith("#")] == body
