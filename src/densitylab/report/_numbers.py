"""Digit-level helpers of the report's number style (private: see ``typography``).

Every rounding of the report goes through :func:`round_significant`, which asks Python's
correctly rounded ``format(x, ".Ne")`` for the digits, so fixed and scientific notation,
text and figures all round the same binary value the same way (half to even on ties).
"""

from __future__ import annotations

import math
import numbers
import re

#: The true minus sign (U+2212), never the hyphen-minus.
MINUS = "\u2212"
#: The no-break space, which binds the parts of one quantity ("4.2 × 10⁻⁴", "12 %", "K = 5").
NBSP = "\u00a0"
#: The narrow no-break space, which groups the digits of large integers ("20 000").
NNBSP = "\u202f"
#: Multiplication sign (U+00D7) of the scientific notation.
TIMES = "\u00d7"
#: What a missing value (NaN) reads as in text.
MISSING = "n/a"

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_FROM_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_POWER = re.compile("10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)")


def check_digits(digits) -> int:
    """``digits`` as an int ≥ 1, or a ValueError naming it."""
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 1:
        raise ValueError(f"digits must be a whole number >= 1, got {digits!r}.")
    return int(digits)


def as_real(x, name: str = "x"):
    """``x`` as a Python int (integral types) or float (other reals); bools are refused.

    A bool is an int to Python but never a quantity in the report: printing ``True``
    as "1" would hide a bug, so it is a TypeError, as are strings and arrays.
    """
    if isinstance(x, bool) or type(x).__name__ in {"bool", "bool_"}:
        raise TypeError(f"{name} must be a real number, not a bool ({x!r}).")
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}.")


def as_count(n, name: str = "n") -> int:
    """``n`` as a non-negative int; integral floats (e.g. read from a CSV) are accepted."""
    value = as_real(n, name)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{name} must be a whole number, got {n!r}.")
        value = int(value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {n!r}.")
    return value


def round_significant(x: float, digits: int) -> tuple[str, int]:
    """The ``digits`` significant digits of ``|x|`` (x finite, non-zero) and their exponent.

    ``round_significant(9.96e-4, 2) == ("10", -3)``: the exponent is the one *after*
    rounding, so a value that rounds up across a power of ten changes notation with it.
    """
    mantissa, exponent = f"{abs(x):.{digits - 1}e}".split("e")
    return mantissa.replace(".", ""), int(exponent)


def trim_zeros(text: str) -> str:
    """'0.0500' → '0.05', '2.00' → '2', '1200' → '1200' (only decimals are trimmed)."""
    if "." not in text:
        return text
    return text.rstrip("0").rstrip(".")


def fixed(significant: str, exponent: int) -> str:
    """Digits ``d₁d₂…`` meaning ``d₁.d₂… × 10^exponent``, written without an exponent."""
    if exponent >= 0:
        whole = significant[: exponent + 1].ljust(exponent + 1, "0")
        fraction = significant[exponent + 1 :]
    else:
        whole, fraction = "0", "0" * (-exponent - 1) + significant
    return f"{whole}.{fraction}" if fraction else whole


def superscript(exponent: int) -> str:
    """``-4`` → '⁻⁴'."""
    return str(exponent).translate(_SUPERSCRIPT)


def power_of_ten(exponent: int) -> str:
    """'10⁻⁴'."""
    return f"10{superscript(exponent)}"


def group_int(n: int) -> str:
    """An int exactly, digits grouped by three with U+202F from 10 000 on, true minus."""
    digits = str(abs(n))
    if abs(n) >= 10_000:
        head = len(digits) % 3 or 3
        digits = NNBSP.join(
            [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
        )
    return MINUS + digits if n < 0 else digits


def format_real(x, digits: int, trim: bool) -> str:
    """The body of :func:`densitylab.report.typography.number` (arguments checked)."""
    if isinstance(x, int):
        return group_int(x)
    if math.isnan(x):
        return MISSING
    if math.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    if x == 0:
        return "0"
    significant, exponent = round_significant(x, digits)
    sign = MINUS if x < 0 else ""
    if -3 <= exponent < 4:
        body = fixed(significant, exponent)
        return sign + (trim_zeros(body) if trim else body)
    mantissa = fixed(significant, 0)
    if trim:
        mantissa = trim_zeros(mantissa)
    return f"{sign}{mantissa}{NBSP}{TIMES}{NBSP}{power_of_ten(exponent)}"


def to_tex(text: str) -> str:
    """A number of the report style as TeX math (for ``$…$``), valid in MathJax and mathtext.

    Examples
    --------
    >>> from densitylab.report.typography import number, to_tex
    >>> to_tex(number(-4.2e-5))
    '-4.2 \\\\times 10^{-5}'
    """
    text = _POWER.sub(lambda m: f"10^{{{m[1].translate(_FROM_SUPERSCRIPT)}}}", text)
    return (
        text.replace(f"{NBSP}{TIMES}{NBSP}", r" \times ")
        .replace(NNBSP, r"\,")
        .replace("∞", r"\infty")
        .replace(MINUS, "-")
    )
