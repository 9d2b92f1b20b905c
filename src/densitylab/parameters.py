"""The parameters of a study: name, kind, bounds, default and meaning, in one place.

A study notebook's first cell holds the defaults; papermill may replace them. The
notebook's validation cell hands its namespace to :meth:`Schema.validate`, which

* refuses a name the study does not know (a typo such as ``train_size`` would
  otherwise be ignored, and the study would silently run on its defaults),
* reads values given as text on papermill's command line (``-p hist_bins "[10, 20]"``),
* checks every value by the rule of its *kind*, so that the two studies share one
  rule per kind of parameter (every grid refuses duplicates, every seed is an
  integer ≥ 0, …), and then the study's relations between parameters,

and returns the checked values. The same schema generates the parameter tables of
the book's reproduce chapter (:meth:`Schema.to_frame`) and drives the tests.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace

import pandas as pd

from densitylab._validation import check_grid, check_scalar_param, from_text

__all__ = ["KINDS", "Parameter", "Schema", "grid_at_most"]

#: The kinds of parameter and what each accepts (the rule is the same in every study).
KINDS = {
    "seed": "an integer ≥ 0",
    "count": "an integer",
    "real": "a finite number",
    "share": "a number strictly between 0 and 1",
    "int_grid": "a non-empty list of distinct integers",
    "real_grid": "a non-empty list of distinct numbers",
    "n_jobs": "None (one process), an integer ≥ 1, or −1 (all cores)",
    "scheduler": 'None (joblib on this machine), "local" (a Dask LocalCluster) or a '
    'Dask scheduler address "tcp://host:port"',
    "folder": "a non-empty folder name or path",
}

# Kinds whose values are text by nature: papermill's text is the value, not a literal.
_TEXT_KINDS = {"folder", "scheduler"}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a study.

    Parameters
    ----------
    name : str
        The variable name in the notebook's parameters cell.
    kind : str
        One of :data:`KINDS`.
    default : object
        The value of the parameters cell.
    meaning : str
        What the parameter sets, in words (shown in the book's parameter table).
    minimum, maximum : float or None, default=None
        Inclusive bounds of the value (of every entry, for grids).
    unit : str, default=""
        Unit of the value, if any, for the table.

    Examples
    --------
    >>> from densitylab.parameters import Parameter
    >>> p = Parameter("repeats", "count", 5, "independent training sets per size", minimum=2)
    >>> p.check("3")
    3
    >>> p.check(1)
    Traceback (most recent call last):
    ...
    ValueError: repeats must be an integer >= 2, got 1.
    """

    name: str
    kind: str
    default: object
    meaning: str
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {self.kind!r}.")

    def check(self, value):
        """The checked value (text from papermill read as a literal first)."""
        if self.kind not in _TEXT_KINDS:
            value = from_text(value, self.name)
        checked = _CHECKS[self.kind](self, value)
        return checked

    def allowed(self) -> str:
        """The rule of this parameter in words, for the book's table."""
        text = KINDS[self.kind]
        bounds = _bounds_text(self.minimum, self.maximum)
        if bounds and self.kind.endswith("grid"):
            return f"{text}, each {bounds}"
        return f"{text}, {bounds}" if bounds else text


def _bounds_text(minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"from {minimum:g} to {maximum:g}"
    if minimum is not None:
        return f"≥ {minimum:g}"
    if maximum is not None:
        return f"≤ {maximum:g}"
    return ""


def _check_maximum(p: Parameter, values: list) -> None:
    if p.maximum is not None and any(v > p.maximum for v in values):
        raise ValueError(f"every entry of {p.name} must be ≤ {p.maximum:g}; got {values!r}.")


def _check_count(p: Parameter, value):
    value = check_scalar_param(value, p.name, integer=True, minimum=p.minimum)
    if p.maximum is not None and value > p.maximum:
        raise ValueError(f"{p.name} must be an integer ≤ {p.maximum:g}, got {value}.")
    return value


def _check_real(p: Parameter, value):
    value = check_scalar_param(value, p.name, minimum=p.minimum)
    if p.maximum is not None and value > p.maximum:
        raise ValueError(f"{p.name} must be a number ≤ {p.maximum:g}, got {value!r}.")
    return value


def _check_share(p: Parameter, value):
    low = 0.0 if p.minimum is None else p.minimum
    high = 1.0 if p.maximum is None else p.maximum
    value = check_scalar_param(value, p.name, minimum=0, exclusive=True)
    if not low <= value <= high or value >= 1:
        raise ValueError(f"{p.name} must be a number between {low:g} and {high:g}, got {value!r}.")
    return value


def _check_grid(p: Parameter, value, integer: bool):
    values = check_grid(value, p.name, integer=integer, minimum=p.minimum)
    _check_maximum(p, values)
    return values


def _check_n_jobs(p: Parameter, value):
    if value is None or (isinstance(value, numbers.Integral) and value == -1):
        return None if value is None else -1
    return check_scalar_param(value, p.name, integer=True, minimum=1)


def _check_scheduler(p: Parameter, value):
    if value is None or value == "local":
        return value
    if isinstance(value, str) and value.startswith("tcp://") and len(value) > len("tcp://"):
        return value
    raise ValueError(f"{p.name} must be {KINDS['scheduler']}, got {value!r}.")


def _check_folder(p: Parameter, value):
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise ValueError(f"{p.name} must be a non-empty folder name or path, got {value!r}.")
    return str(value)


_CHECKS: dict[str, Callable] = {
    "seed": lambda p, v: check_scalar_param(v, p.name, integer=True, minimum=0),
    "count": _check_count,
    "real": _check_real,
    "share": _check_share,
    "int_grid": lambda p, v: _check_grid(p, v, True),
    "real_grid": lambda p, v: _check_grid(p, v, False),
    "n_jobs": _check_n_jobs,
    "scheduler": _check_scheduler,
    "folder": _check_folder,
}


@dataclass(frozen=True)
class Schema:
    """Every parameter of one study, and the relations between them.

    Parameters
    ----------
    study : str
        The study's name (its notebook's file name without extension).
    parameters : sequence of Parameter
        In the order of the notebook's parameters cell.
    relations : sequence of callable, default=()
        Checks across parameters: each takes the checked values (a dict) and raises
        a ValueError that names the parameters involved.

    Examples
    --------
    >>> from densitylab.parameters import Parameter, Schema
    >>> schema = Schema("demo", [
    ...     Parameter("seed", "seed", 0, "master seed"),
    ...     Parameter("bins", "int_grid", [10, 20], "bins per axis", minimum=1),
    ... ])
    >>> schema.validate({"seed": 1, "bins": "[5, 10]"}).bins
    [5, 10]
    >>> schema.validate({"seed": 1, "bins": [5], "bin": [3]})
    Traceback (most recent call last):
    ...
    ValueError: unknown parameter 'bin' for the demo study; its parameters are: seed, bins.
    """

    study: str
    parameters: Sequence[Parameter]
    relations: Sequence[Callable[[dict], None]] = field(default=())

    def __post_init__(self):
        names = [p.name for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"the {self.study} schema lists a parameter twice: {names}.")

    @property
    def names(self) -> list[str]:
        """The parameter names, in the order of the parameters cell."""
        return [p.name for p in self.parameters]

    def defaults(self) -> dict:
        """The default of every parameter, by name."""
        return {p.name: p.default for p in self.parameters}

    def validate(self, namespace: Mapping) -> SimpleNamespace:
        """Check a notebook's parameters; return them as attributes.

        Parameters
        ----------
        namespace : mapping
            The notebook's ``globals()`` (or any mapping of name to value). Names
            starting with ``_``, modules, functions, classes and IPython's own names
            are ignored; every other name must be a parameter of the study.

        Returns
        -------
        types.SimpleNamespace
            One attribute per parameter, checked (lists as lists of Python numbers).

        Raises
        ------
        ValueError
            For an unknown name (listing the known ones), a missing parameter, a
            value outside its rule, or a violated relation; the message names the
            parameter.
        """
        given = _user_values(namespace)
        unknown = [name for name in given if name not in self.names]
        if unknown:
            what = "parameter" if len(unknown) == 1 else "parameters"
            raise ValueError(
                f"unknown {what} {', '.join(repr(n) for n in unknown)} for the {self.study} "
                f"study; its parameters are: {', '.join(self.names)}."
            )
        missing = [name for name in self.names if name not in given]
        if missing:
            raise ValueError(f"the {self.study} study needs the parameters {missing}.")
        checked = {p.name: p.check(given[p.name]) for p in self.parameters}
        for relation in self.relations:
            relation(checked)
        return SimpleNamespace(**checked)

    def to_frame(self) -> pd.DataFrame:
        """The parameter table of the book: name, default, allowed values, meaning."""
        return pd.DataFrame(
            {
                "parameter": [p.name for p in self.parameters],
                "default": [_default_text(p.default) for p in self.parameters],
                "allowed values": [p.allowed() for p in self.parameters],
                "meaning": [
                    p.meaning + (f" [{p.unit}]" if p.unit else "") for p in self.parameters
                ],
            }
        )


def grid_at_most(
    grid: str, bound: Callable[[dict], int], what: str, remedy: str
) -> Callable[[dict], None]:
    """A relation of a :class:`Schema`: no value of ``grid`` may exceed ``bound(values)``.

    ``what`` names the bound in the error (``"points in the smallest training set"``) and
    ``remedy`` says what to change.

    Examples
    --------
    >>> from densitylab.parameters import grid_at_most
    >>> fits = grid_at_most("gmm_components", lambda v: min(v["train_sizes"]),
    ...                     "points in the smallest set", "lower K")
    >>> fits({"gmm_components": [1, 5], "train_sizes": [100, 200]})  # passes
    >>> fits({"gmm_components": [1, 300], "train_sizes": [100, 200]})
    Traceback (most recent call last):
    ...
    ValueError: gmm_components holds 300, more than the 100 points in the smallest set; lower K.
    """

    def relation(values: dict) -> None:
        largest, limit = max(values[grid]), bound(values)
        if largest > limit:
            raise ValueError(f"{grid} holds {largest}, more than the {limit} {what}; {remedy}.")

    relation.__name__ = f"{grid}_at_most"
    return relation


def _default_text(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return repr(value)


def _ipython_names() -> set:
    """Names IPython itself puts into a notebook's namespace (``In``, ``exit``, …)."""
    try:
        from IPython import get_ipython
    except ImportError:  # the package works without IPython
        return set()
    shell = get_ipython()
    return set(getattr(shell, "user_ns_hidden", {})) if shell is not None else set()


def _user_values(namespace: Mapping) -> dict:
    hidden = _ipython_names()
    return {
        name: value
        for name, value in namespace.items()
        if not name.startswith("_") and name not in hidden and not _is_code(value)
    }


def _is_code(value) -> bool:
    """Modules, functions and classes a notebook imports are not parameters."""
    import inspect

    return inspect.ismodule(value) or inspect.isroutine(value) or inspect.isclass(value)
