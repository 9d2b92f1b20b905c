"""The report's typography: one style for every number, share, interval and setting.

One function per kind of value, used by the text, the tables and the figures alike, so a
value reads the same everywhere (the same rounding, the same notation):

* :func:`~densitylab.report.number` — ``digits`` significant digits; fixed notation
  from 10⁻³ up to (not including) 10⁴, else "4.2 × 10⁻⁴"; the true minus sign "−"
  (U+2212); integers exactly, grouped with a narrow no-break space from 10 000 on
  ("20 000").
* :func:`~densitylab.report.percent` — a share in [0, 1] as a percentage, "12 %",
  "0.12 %".
* :func:`~densitylab.report.interval` — "0.0123 ± 0.0045", "(4.2 ± 0.3) × 10⁻⁴".
* :func:`~densitylab.report.p_value` — "p = 0.032", "p = 3.1 × 10⁻⁸", "p > 0.99".
* :func:`~densitylab.report.join`, :func:`~densitylab.report.plural`,
  :func:`~densitylab.report.count_word` — words around numbers.
* :func:`~densitylab.report.setting`, :func:`~densitylab.report.axis_label`,
  :data:`~densitylab.report.SYMBOLS` — hyper-parameters as a reader reads them
  ("$K = 5$", "number of components $K$"), never as variable names.
* :func:`~densitylab.report.family`, :data:`~densitylab.report.FAMILY_NAMES` — model
  families in words.

Spaces: the parts of one quantity are bound by no-break spaces (U+00A0) — around "×",
"±", "=", before "%" — so a line never breaks inside a number; digit groups use the
narrow no-break space (U+202F). Prose (``join``, ``plural``) uses ordinary spaces.
Pure Python: no matplotlib, IPython or myst-nb here.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Context, Decimal

from densitylab.report._numbers import (
    MINUS,
    MISSING,
    NBSP,
    NNBSP,
    as_real,
    check_digits,
    fixed,
    format_real,
    power_of_ten,
    round_significant,
    to_tex,
    trim_zeros,
)
from densitylab.report._vocabulary import (
    FAMILY_NAMES,
    SYMBOLS,
    axis_label,
    count_word,
    family,
    join,
    plural,
    setting,
)

__all__ = [
    "FAMILY_NAMES",
    "MINUS",
    "MISSING",
    "NBSP",
    "NNBSP",
    "SYMBOLS",
    "axis_label",
    "count_word",
    "family",
    "interval",
    "join",
    "number",
    "p_value",
    "percent",
    "plural",
    "setting",
    "span",
    "to_tex",
]

_EXACT = Context(prec=1000)


def number(x, digits: int = 2, *, trim: bool = False) -> str:
    """A number as the report writes it.

    Parameters
    ----------
    x : int or float
        Python or NumPy number. Integers (``int``, ``numpy.integer``) are printed exactly,
        whatever ``digits`` says; a bool is a TypeError.
    digits : int, default=2
        Significant digits of a float. Trailing zeros are kept ("0.50"): they say how
        precise the value is.
    trim : bool, default=False
        Drop trailing zeros ("0.05", "2"): for exact values such as grid settings.

    Returns
    -------
    str
        Fixed notation when 10⁻³ ≤ abs(x) < 10⁴ *after* rounding (9.96 × 10⁻⁴ → "0.0010",
        9999.6 → "1.0 × 10⁴"), else scientific "4.2 × 10⁻⁴". 0 and −0.0 → "0";
        ±inf → "∞", "−∞"; NaN → "n/a". Negative numbers carry "−" (U+2212).

    Examples
    --------
    >>> from densitylab.report.typography import number
    >>> number(0.5), number(-7.7e-4), number(1347), number(20000)
    ('0.50', '−7.7\\xa0×\\xa010⁻⁴', '1347', '20\\u202f000')
    >>> number(0.00042), number(12345.0), number(0.05, 3, trim=True)
    ('4.2\\xa0×\\xa010⁻⁴', '1.2\\xa0×\\xa010⁴', '0.05')
    """
    return format_real(as_real(x), check_digits(digits), trim)


def percent(share, digits: int = 2, *, trim: bool = False) -> str:
    """A share in [0, 1] as a percentage, for the text and the figures alike.

    One rule: ``100 · share`` rounded to ``digits`` significant digits, as :func:`number`
    rounds, always in fixed notation, followed by a no-break space and "%". A share
    strictly between 0 and 1 never reads as "0 %" or "100 %": below 0.001 % it reads
    "< 0.001 %", and when rounding would give 100 % it reads "> 99 %" (two digits; with
    ``digits`` d, "> 100 − 10^(2−d)", e.g. "> 99.9 %" for three).

    Parameters
    ----------
    share : float
        The fraction, in [0, 1]; NaN reads "n/a".
    digits : int, default=2
        Significant digits.
    trim : bool, default=False
        Drop trailing zeros ("5 %" instead of "5.0 %"), e.g. for tick labels.

    Returns
    -------
    str
        The percentage and "%", bound by a no-break space; "n/a" for NaN.

    Raises
    ------
    ValueError
        If ``share`` is outside [0, 1] (a percentage passed by mistake, say).

    Examples
    --------
    >>> from densitylab.report.typography import percent
    >>> percent(0.0012), percent(0.123), percent(0.05), percent(0.05, trim=True)
    ('0.12\\xa0%', '12\\xa0%', '5.0\\xa0%', '5\\xa0%')
    >>> percent(0), percent(1), percent(0.9996), percent(1e-6)
    ('0\\xa0%', '100\\xa0%', '>\\xa099\\xa0%', '<\\xa00.001\\xa0%')
    """
    x = float(as_real(share, "share"))
    digits = check_digits(digits)
    if math.isnan(x):
        return MISSING
    if not 0 <= x <= 1:
        raise ValueError(
            f"share must lie in [0, 1], got {share!r}; pass a fraction, not a percentage."
        )
    if x in (0, 1):
        return f"{int(100 * x)}{NBSP}%"
    value = 100 * x
    if value < 0.001:
        return f"<{NBSP}0.001{NBSP}%"
    significant, exponent = round_significant(value, digits)
    if exponent >= 2:  # rounds to 100 % although some share is missing
        decimals = max(digits - 2, 0)
        return f">{NBSP}{100 - 10 ** (2 - digits):.{decimals}f}{NBSP}%"
    text = fixed(significant, exponent)
    return f"{trim_zeros(text) if trim else text}{NBSP}%"


def span(low, high, digits: int = 2) -> str:
    """A range "low to high" in one style: both fixed, or both scientific.

    :func:`number` picks fixed or scientific notation per value, which can mix the two
    in one range ("−4.4 × 10⁻⁴ to 0.0013"); here, when either end needs scientific
    notation, both take it.

    Examples
    --------
    >>> from densitylab.report.typography import span
    >>> span(-4.4e-4, 0.0013).replace("\\xa0", " ")  # no-break spaces, shown as spaces
    '−4.4 × 10⁻⁴ to 1.3 × 10⁻³'
    >>> print(span(0.05, 0.12))
    0.050 to 0.12
    """
    ends = [number(low, digits), number(high, digits)]
    if sum("×" in end for end in ends) == 1:
        ends = [
            end if "×" in end or not math.isfinite(x) or x == 0 else _scientific(x, digits)
            for x, end in zip((float(low), float(high)), ends, strict=True)
        ]
    return f"{ends[0]} to {ends[1]}"


def _scientific(x: float, digits: int) -> str:
    significant, exponent = round_significant(x, check_digits(digits))
    mantissa = significant[0] + (f".{significant[1:]}" if len(significant) > 1 else "")
    sign = MINUS if x < 0 else ""
    return f"{sign}{mantissa}{NBSP}×{NBSP}{power_of_ten(exponent)}"


def interval(mean, se, digits: int = 2) -> str:
    """An estimate with its standard error: "0.0123 ± 0.0045", "(4.2 ± 0.3) × 10⁻⁴".

    The standard error is rounded to ``digits`` significant digits and the mean to the
    same decimal place. When the larger of the two is below 10⁻³ or reaches 10⁴ (after
    rounding), the common power of ten is factored out: "(m ± s) × 10ⁿ".

    Parameters
    ----------
    mean : float
        The estimate; NaN reads "n/a".
    se : float
        Its standard error, ≥ 0. NaN (e.g. a single repeat) gives ``number(mean, digits)``
        alone: the caller says why there is no spread. 0 gives "mean ± 0".
    digits : int, default=2
        Significant digits of the standard error.

    Returns
    -------
    str
        Mean and standard error rounded to the same decimal place, joined by "±" between
        no-break spaces.

    Examples
    --------
    >>> from densitylab.report.typography import interval
    >>> interval(0.01234, 0.00456)
    '0.0123\\xa0±\\xa00.0046'
    >>> interval(4.2e-4, 3e-5, digits=1)
    '(4.2\\xa0±\\xa00.3)\\xa0×\\xa010⁻⁴'
    >>> interval(-7.7e-4, 2.1e-4)
    '(−7.7\\xa0±\\xa02.1)\\xa0×\\xa010⁻⁴'
    >>> print(interval(0.25, float("nan")))
    0.25
    """
    digits = check_digits(digits)
    m, s = float(as_real(mean, "mean")), float(as_real(se, "se"))
    if s < 0:
        raise ValueError(f"se must be >= 0, got {se!r}.")
    if math.isnan(s) or not math.isfinite(m):
        return format_real(m, digits, False)
    if s == 0 or math.isinf(s):
        return f"{format_real(m, digits, False)}{NBSP}±{NBSP}{'0' if s == 0 else '∞'}"
    significant, se_exponent = round_significant(s, digits)
    last = se_exponent - (digits - 1)  # power of ten of the last digit kept
    se_rounded = Decimal(f"{significant[0]}.{significant[1:]}e{se_exponent}")
    # Decimal(m) is the exact binary value: quantizing it rounds as format() does. The
    # precision covers any pair of doubles (a mean of 10³⁰⁰ with an se of 10⁻³⁰⁰).
    mean_rounded = Decimal(m).quantize(Decimal(f"1e{last}"), ROUND_HALF_EVEN, _EXACT)
    scale = max(se_exponent, mean_rounded.adjusted() if mean_rounded else se_exponent)
    if -3 <= scale < 4:
        decimals, factor = max(-last, 0), ""
    else:
        mean_rounded = mean_rounded.scaleb(-scale, _EXACT)
        se_rounded = se_rounded.scaleb(-scale, _EXACT)
        decimals, factor = scale - last, power_of_ten(scale)
    m_text = f"{abs(mean_rounded):.{decimals}f}"
    m_text = (MINUS if mean_rounded < 0 else "") + m_text
    body = f"{m_text}{NBSP}±{NBSP}{se_rounded:.{decimals}f}"
    return f"({body}){NBSP}×{NBSP}{factor}" if factor else body


def p_value(p, digits: int = 2, *, label: str = "p") -> str:
    """A p-value: "p = 0.032", "p = 3.1 × 10⁻⁸", "p > 0.99", "p = 1".

    Written with :func:`number` (``digits`` significant digits). A p below 1 that would
    round to 1 reads "p > 0.99" (two digits; "> 0.999" with three); exactly 1 reads
    "p = 1". Exactly 0 — only an asymptotic p-value that underflowed double precision —
    reads "p ≈ 0".

    Parameters
    ----------
    p : float
        In [0, 1].
    digits : int, default=2
        Significant digits.
    label : str, default="p"
        Written before the relation; "" gives the bare value for a table column headed "p".

    Returns
    -------
    str
        Label, relation and value bound by no-break spaces; without a label the value
        alone, or the relation and the value ("> 0.99").

    Raises
    ------
    ValueError
        If ``p`` is NaN or outside [0, 1].

    Examples
    --------
    >>> from densitylab.report.typography import p_value
    >>> p_value(0.0321), p_value(3.14e-8)
    ('p\\xa0=\\xa00.032', 'p\\xa0=\\xa03.1\\xa0×\\xa010⁻⁸')
    >>> p_value(0.996), p_value(1.0)
    ('p\\xa0>\\xa00.99', 'p\\xa0=\\xa01')
    >>> print(p_value(0.5, label=""))
    0.50
    """
    x = float(as_real(p, "p"))
    digits = check_digits(digits)
    if not 0 <= x <= 1:  # also NaN
        raise ValueError(f"p must lie in [0, 1], got {p!r}.")
    if x == 1:
        relation, text = "=", "1"
    elif x == 0:
        relation, text = "≈", "0"
    elif round_significant(x, digits)[1] >= 0:  # would read "1.0"
        relation, text = ">", f"0.{'9' * digits}"
    else:
        relation, text = "=", format_real(x, digits, False)
    if label:
        return f"{label}{NBSP}{relation}{NBSP}{text}"
    return text if relation == "=" else f"{relation}{NBSP}{text}"
