"""Checks of user input shared by the whole package, each with an error that names the input.

Hyper-parameters of the models (:func:`check_positive_int`,
:func:`check_nonnegative_float`, :func:`check_n_samples`) and notebook parameters
(:func:`check_scalar_param`, :func:`check_grid`, :func:`from_text`) are checked here, so
that one kind of value gets one rule and one wording everywhere.
"""

from __future__ import annotations

import ast
import math
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "check_grid",
    "check_n_samples",
    "check_nonnegative_float",
    "check_positive_int",
    "check_scalar_param",
    "from_text",
]


def check_n_samples(n_samples) -> int:
    """Validate a requested sample count: an integer of at least 1."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, (numbers.Integral, np.integer)):
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}.")
    if n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples}.")
    return int(n_samples)


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """Validate an integer hyper-parameter ``name`` that must be ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value}.")
    return int(value)


def check_nonnegative_float(value, name: str) -> float:
    """Validate a real hyper-parameter ``name`` that must be finite and ``>= 0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}.")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite non-negative number, got {value}.")
    return value


def check_scalar_param(value, name: str, *, integer=False, minimum=None, exclusive=False):
    """Check one scalar parameter; raise a :class:`ValueError` that names it.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        The parameter's name, quoted in the error.
    integer : bool, default=False
        Require an integer (booleans are rejected); otherwise any finite real.
    minimum : float or None, default=None
        Lower bound.
    exclusive : bool, default=False
        Whether the bound itself is excluded (``value > minimum``).

    Returns
    -------
    int or float
        The value as a Python ``int`` or ``float``.

    Examples
    --------
    >>> from densitylab._validation import check_scalar_param
    >>> check_scalar_param(2000, "n_test", integer=True, minimum=2)
    2000
    >>> check_scalar_param(1, "n_test", integer=True, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: n_test must be an integer >= 2, got 1.
    """
    kind = "an integer" if integer else "a number"
    bound = "" if minimum is None else f" {'>' if exclusive else '>='} {minimum}"
    message = f"{name} must be {kind}{bound}, got {value!r}."
    wanted = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool | np.bool_) or not isinstance(value, wanted):
        raise ValueError(message)
    value = int(value) if integer else float(value)
    if not math.isfinite(value):
        raise ValueError(message)
    if minimum is not None and (value <= minimum if exclusive else value < minimum):
        raise ValueError(message)
    return value


def from_text(value, name: str):
    """Read a parameter given as text (``papermill -p name "[1, 2]"``) as a Python literal.

    Non-strings are returned unchanged, so a notebook can pass every parameter
    through it before checking.

    Examples
    --------
    >>> from densitylab._validation import from_text
    >>> from_text("[100, 200]", "train_sizes"), from_text([100], "train_sizes")
    ([100, 200], [100])
    """
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError):
        raise ValueError(
            f"{name} must be a Python literal such as [1, 2], got {value!r}."
        ) from None


def check_grid(values, name: str, *, integer=False, minimum=None, exclusive=False) -> list:
    """Check a parameter grid: a non-empty sequence of distinct valid scalars.

    Parameters
    ----------
    values : sequence
        The grid (a list, tuple or 1-D array).
    name : str
        The parameter's name, quoted in every error.
    integer, minimum, exclusive
        As in :func:`check_scalar_param`, applied to each entry.

    Returns
    -------
    list
        The grid as a list of Python ``int`` or ``float``, order kept.

    Raises
    ------
    ValueError
        If the grid is not a sequence, is empty, holds an invalid entry or holds a
        value twice; the message names the parameter.

    Examples
    --------
    >>> from densitylab._validation import check_grid
    >>> check_grid([0.05, 0.1], "kde_bandwidths", minimum=0, exclusive=True)
    [0.05, 0.1]
    >>> check_grid([], "hist_bins", integer=True, minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: hist_bins must be a non-empty list of values, got [].
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence | np.ndarray):
        raise ValueError(f"{name} must be a non-empty list of values, got {values!r}.")
    if len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list of values, got {list(values)!r}.")
    checked = []
    for entry in values:
        try:
            checked.append(
                check_scalar_param(
                    entry, name, integer=integer, minimum=minimum, exclusive=exclusive
                )
            )
        except ValueError:
            kind = "integers" if integer else "numbers"
            bound = "" if minimum is None else f" {'>' if exclusive else '>='} {minimum}"
            raise ValueError(
                f"every entry of {name} must be one of the {kind}{bound}; "
                f"{entry!r} in {list(values)!r} is not."
            ) from None
    if len(set(checked)) != len(checked):
        raise ValueError(f"{name} holds a value twice: {list(values)!r}; list each value once.")
    return checked
