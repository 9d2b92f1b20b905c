"""Checks of user input shared by the whole package, each with an error that names the input.

Hyper-parameters of the models (:func:`check_positive_int`,
:func:`check_nonnegative_float`, :func:`check_n_samples`), data arrays
(:func:`check_2d_array`, :func:`check_rectangular`) and notebook parameters
(:func:`check_scalar_param`, :func:`check_grid`, :func:`from_text`) are checked here, so
that one kind of value gets one rule and one wording everywhere.
"""

from __future__ import annotations

import ast
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

# Where NumPy keeps the warning a ragged sequence raises (numpy.exceptions from 1.25).
_RAGGED_WARNING = getattr(np, "exceptions", np).VisibleDeprecationWarning

__all__ = [
    "as_array",
    "check_2d_array",
    "check_grid",
    "check_n_samples",
    "check_nonnegative_float",
    "check_positive_int",
    "check_rectangular",
    "check_scalar_param",
    "from_text",
]


def as_array(values) -> np.ndarray:
    """``np.asarray``, with a ragged sequence a ValueError on every supported NumPy.

    NumPy < 1.24 only warns (VisibleDeprecationWarning) and builds an object array.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", _RAGGED_WARNING)
        try:
            return np.asarray(values)
        except _RAGGED_WARNING:
            raise ValueError("ragged nested sequence") from None


def _not_rectangular(name: str) -> ValueError:
    return ValueError(
        f"{name} must be a rectangular 2-D numeric array of shape (n_samples, n_features), "
        "e.g. a list of equal-length lists of numbers; got a ragged or non-numeric sequence."
    )


def check_rectangular(A, name: str):
    """Refuse ``None`` and ragged or non-numeric sequences with an error naming ``name``.

    Only what NumPy would otherwise report in its own words ("inhomogeneous shape")
    is checked; the array is returned unchanged, for scikit-learn's validation to
    take over. Numeric arrays and sparse matrices pass without conversion.
    """
    if A is None:
        raise ValueError(f"{name} must be an array of shape (n_samples, n_features), got None.")
    if (isinstance(A, np.ndarray) and A.dtype != object) or hasattr(A, "tocsr"):
        return A
    try:
        np.asarray(A, dtype=np.float64)
    except ValueError:
        # A TypeError (e.g. a dict among the numbers) keeps NumPy's message, which
        # scikit-learn's estimator checks expect.
        raise _not_rectangular(name) from None
    return A


def check_2d_array(A, name: str, min_samples: int = 1) -> np.ndarray:
    """``A`` as a finite float64 array of shape (n, d), n >= ``min_samples``, d >= 1.

    Every failure raises a :class:`ValueError` that names ``name`` and the fix.

    Examples
    --------
    >>> from densitylab._validation import check_2d_array
    >>> check_2d_array([[1, 2], [3, 4]], "X").dtype
    dtype('float64')
    >>> check_2d_array([[1, 2], [3]], "Y")
    Traceback (most recent call last):
    ...
    ValueError: Y must be a rectangular 2-D numeric array of shape (n_samples, n_features), \
e.g. a list of equal-length lists of numbers; got a ragged or non-numeric sequence.
    """
    if A is None:
        raise ValueError(f"{name} must be an array of shape (n_samples, n_features), got None.")
    try:
        A = as_array(A)
    except ValueError:
        raise _not_rectangular(name) from None
    if np.iscomplexobj(A):
        raise ValueError(f"{name} must be real-valued; complex data are not supported.")
    try:
        A = A.astype(np.float64, copy=False)
    except (TypeError, ValueError):
        raise _not_rectangular(name) from None
    if A.ndim == 1:
        raise ValueError(
            f"{name} must be 2-D of shape (n_samples, n_features), got 1-D; "
            f"reshape a single feature with {name}.reshape(-1, 1)."
        )
    if A.ndim != 2:
        raise ValueError(f"{name} must be 2-D of shape (n_samples, n_features), got {A.ndim}-D.")
    if A.shape[0] < min_samples:
        raise ValueError(f"{name} needs at least {min_samples} samples, got {A.shape[0]}.")
    if A.shape[1] < 1:
        raise ValueError(f"{name} needs at least one feature, got shape {A.shape}.")
    if not np.isfinite(A).all():
        raise ValueError(f"{name} contains NaN or infinity; remove or impute those rows.")
    return A


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
