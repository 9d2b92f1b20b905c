"""The two dependency lists (pyproject.toml for pip, environment.yml for conda) agree,
every dependency is pinned exactly, and the running environment is the pinned one."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.\-+]+)$")


def _pins(requirements: list[str]) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement.replace(" ", ""))
        assert match, f"{requirement!r} is not pinned exactly (name==version)"
        pins[match[1].lower()] = match[2]
    return pins


def pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return _pins(project["dependencies"] + extras["dev"] + extras["distributed"])


def environment_pins() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = [], []
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            pip += [r for r in entry["pip"] if not r.startswith("-e")]
        elif not entry.startswith(("python", "pip")):
            conda.append(entry)
    return _pins(conda + pip)


def test_environment_yml_has_the_pyproject_pins():
    assert environment_pins() == pyproject_pins()


def test_environment_python_matches_requires_python():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    python = next(e for e in env["dependencies"] if isinstance(e, str) and e.startswith("python="))
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minor = python.split("=")[1]
    assert f">={minor}" in requires.replace(" ", "")


@pytest.mark.parametrize("name", sorted(pyproject_pins()))
def test_installed_version_is_the_pinned_one(name):
    assert version(name) == pyproject_pins()[name]
