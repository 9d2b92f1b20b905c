"""The parameter schemas: one rule per kind, unknown names refused, text read as literals."""

from __future__ import annotations

import types

import pytest

from densitylab.parameters import KINDS, Parameter, Schema
from densitylab.studies import digits, moons

SCHEMAS = [moons.PARAMETERS, digits.PARAMETERS]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.study)
def test_defaults_validate(schema):
    params = schema.validate(schema.defaults())
    assert vars(params) == schema.defaults()


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.study)
def test_unknown_name_stops_with_the_known_names(schema):
    namespace = schema.defaults() | {"train_size": [100]}
    with pytest.raises(ValueError, match="unknown parameter 'train_size'") as info:
        schema.validate(namespace)
    for name in schema.names:
        assert name in str(info.value)


def test_modules_functions_and_private_names_are_not_parameters():
    namespace = moons.PARAMETERS.defaults() | {
        "moons": moons,
        "print_it": print,
        "_hidden": 3,
        "Parameter": Parameter,
    }
    assert moons.PARAMETERS.validate(namespace).seed == 0


def test_missing_parameter_is_named():
    namespace = moons.PARAMETERS.defaults()
    del namespace["noise"]
    with pytest.raises(ValueError, match="needs the parameters \\['noise'\\]"):
        moons.PARAMETERS.validate(namespace)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("hist_bins", [], "hist_bins must be a non-empty list"),
        ("hist_bins", [10, 10], "hist_bins holds a value twice"),
        ("kde_bandwidths", [0.1, -0.2], "every entry of kde_bandwidths"),
        ("kde_bandwidths", [1e-300], "every entry of kde_bandwidths"),
        ("noise", 1e200, "noise must be a number ≤ 1"),
        ("n_test", 1, "n_test must be an integer >= 100"),
        ("repeats", 1, "repeats must be an integer >= 2"),
        ("seed", -1, "seed must be an integer >= 0"),
        ("n_jobs", 0, "n_jobs must be an integer >= 1"),
        ("scheduler", "ssh://x", "scheduler must be None"),
        ("output_dir", "", "output_dir must be a non-empty folder"),
        ("gmm_components", [1, 200], "gmm_components holds 200, more than the 100 points"),
        ("train_sizes", "[100, 2", "train_sizes must be a Python literal"),
    ],
)
def test_moons_bad_values_are_named(name, value, message):
    with pytest.raises(ValueError, match=message):
        moons.PARAMETERS.validate(moons.PARAMETERS.defaults() | {name: value})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("test_fraction", 1.5, "test_fraction must be a number between"),
        ("test_fraction", 0.01, "test_fraction must leave at least 50 digits"),
        ("forest_trees", 0, "forest_trees must be an integer >= 1"),
        ("gmm_components", [0, 2], "every entry of gmm_components"),
        ("gmm_components", [2000], "every entry of gmm_components must be ≤ 1000"),
    ],
)
def test_digits_bad_values_are_named(name, value, message):
    with pytest.raises(ValueError, match=message):
        digits.PARAMETERS.validate(digits.PARAMETERS.defaults() | {name: value})


def test_text_from_papermill_is_read_as_a_literal_except_for_text_kinds():
    namespace = moons.PARAMETERS.defaults() | {
        "hist_bins": "[5, 10]",
        "noise": "0.2",
        "output_dir": "[not a list]",
        "scheduler": "local",
        "n_jobs": "None",
    }
    params = moons.PARAMETERS.validate(namespace)
    assert params.hist_bins == [5, 10] and params.noise == 0.2
    assert params.output_dir == "[not a list]" and params.scheduler == "local"
    assert params.n_jobs is None


def test_both_studies_share_one_rule_per_kind():
    # The same name in both studies has the same kind; every kind is a known one.
    kinds = {}
    for schema in SCHEMAS:
        for p in schema.parameters:
            assert p.kind in KINDS
            kinds.setdefault(p.name, set()).add(p.kind)
    assert all(len(k) == 1 for k in kinds.values()), kinds


def test_the_table_lists_every_parameter_with_its_rule():
    table = digits.PARAMETERS.to_frame()
    assert table["parameter"].tolist() == digits.PARAMETERS.names
    row = table.set_index("parameter").loc["forest_trees"]
    assert row["default"] == "10" and "integer" in row["allowed values"]
    assert "from 1 to 200" in row["allowed values"]


def test_schema_refuses_a_duplicate_and_an_unknown_kind():
    with pytest.raises(ValueError, match="twice"):
        Schema("x", [Parameter("a", "seed", 0, "m"), Parameter("a", "seed", 0, "m")])
    with pytest.raises(ValueError, match="kind must be one of"):
        Parameter("a", "colour", 0, "m")


def test_ipython_names_are_ignored(monkeypatch):
    shell = types.SimpleNamespace(user_ns_hidden={"In": [], "exit": None})
    monkeypatch.setattr("IPython.get_ipython", lambda: shell)
    namespace = moons.PARAMETERS.defaults() | {"In": [""], "exit": 1}
    assert moons.PARAMETERS.validate(namespace).repeats == 5
