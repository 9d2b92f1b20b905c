"""Every Examples section in the package runs as a doctest, in every module.

The modules are discovered, not listed, so a new module's examples are run as soon
as it exists; a public module whose public functions carry no example at all fails.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil

import pytest

import densitylab

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(densitylab.__path__, prefix="densitylab.")
)


# The claims of the two chapters take a study's full tables, too big for an example;
# tests/test_claims*.py test every rule of theirs on hand-made tables instead.
EXAMPLES_EXEMPT = {
    "densitylab.studies.moons_claims",
    "densitylab.studies.moons_luck",
    "densitylab.studies.moons_verdicts",
    "densitylab.studies.digits_claims",
    "densitylab.studies.digits_checks",
    "densitylab.studies.digits_conflicts",
    "densitylab.studies.digits_labels",
    "densitylab.studies.original",
    "densitylab.studies.original_moons",
    "densitylab.studies.moons_pictures",
}


def _is_private(name: str) -> bool:
    return any(part.startswith("_") for part in name.split("."))


def _public_functions(module) -> list:
    """Functions a user is meant to call: listed in ``__all__`` of a public module."""
    if _is_private(module.__name__) or module.__name__ in EXAMPLES_EXEMPT:
        return []
    names = getattr(module, "__all__", [])
    return [
        obj
        for name in names
        if inspect.isfunction(obj := getattr(module, name)) and obj.__module__ == module.__name__
    ]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
    if _public_functions(module):
        assert result.attempted > 0, f"{name} defines public functions without Examples"


def test_every_public_function_has_an_example():
    missing = []
    for name in MODULES:
        module = importlib.import_module(name)
        for function in _public_functions(module):
            if ">>>" not in (function.__doc__ or ""):
                missing.append(f"{name}.{function.__name__}")
    assert not missing, f"public functions without an Examples section: {missing}"
