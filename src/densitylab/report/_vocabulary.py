"""Words of the report: lists, counts, hyper-parameter settings and model families.

Public through :mod:`densitylab.report.typography`; kept apart so each module stays short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from densitylab.report._numbers import NBSP, as_count, as_real, format_real, to_tex

#: Hyper-parameter → (symbol as TeX math or None, what it is in words). The symbols
#: are valid both for MathJax (the book) and for matplotlib's mathtext (the figures).
SYMBOLS: Mapping[str, tuple[str | None, str]] = MappingProxyType(
    {
        "bins": (None, "bins per axis"),
        "n_components": ("K", "number of components"),
        "bandwidth": ("h", "KDE bandwidth"),
        "n_min": (r"n_{\min}", "least points per leaf"),
        "reg_covar": (None, "covariance regularisation"),
    }
)
# The same symbols in plain Unicode, for tables and titles without math.
_PLAIN_SYMBOLS = {"n_components": "K", "bandwidth": "h", "n_min": "nₘᵢₙ"}
_BANDWIDTH_RULES = {"scott": "Scott’s rule", "silverman": "Silverman’s rule"}

#: Model class name → family name as the text writes it.
FAMILY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "Histogram2D": "histogram",
        "SingleGaussian": "single Gaussian",
        "GMM": "GMM",
        "GaussianKDE": "KDE",
        "DensityForest": "density forest",
    }
)

_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def join(items: Iterable[str], conjunction: str = "and") -> str:
    """Join phrases as prose: "a", "a and b", "a, b and c" (no serial comma).

    Parameters
    ----------
    items : iterable of str
        Already formatted phrases (format numbers first, with ``number``).
    conjunction : str, default="and"
        The word before the last item, e.g. "or".

    Returns
    -------
    str
        The items separated by commas, ``conjunction`` before the last one.

    Raises
    ------
    ValueError
        If ``items`` is empty.
    TypeError
        If an item is not a string.

    Examples
    --------
    >>> from densitylab.report.typography import join, number
    >>> join(["a"]), join(["a", "b"]), join(["a", "b", "c"], "or")
    ('a', 'a and b', 'a, b or c')
    >>> join(number(n) for n in [100, 200, 500, 1000])
    '100, 200, 500 and 1000'
    """
    items = list(items)
    if not items:
        raise ValueError("items must hold at least one phrase to join.")
    for item in items:
        if not isinstance(item, str):
            raise TypeError(
                f"items must be strings, got {type(item).__name__} {item!r}; "
                "format numbers first, e.g. join(number(v) for v in values)."
            )
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def plural(n, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun: "1 fit", "3 fits", "0 fits", "20 000 points".

    Parameters
    ----------
    n : int
        A whole number ≥ 0 (integral floats are accepted); written with ``number``.
    singular : str
        The noun for one.
    plural_form : str or None, default=None
        The noun for other counts; ``singular + "s"`` by default.

    Returns
    -------
    str
        The count as :func:`number` writes it, a space and the noun.

    Examples
    --------
    >>> from densitylab.report.typography import plural
    >>> plural(1, "fit"), plural(3, "fit"), plural(0, "fit"), plural(2, "repeat", "repeats")
    ('1 fit', '3 fits', '0 fits', '2 repeats')
    """
    count = as_count(n)
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{format_real(count, 1, False)} {noun}"


def count_word(n) -> str:
    """A small count as a word: 0 → "no", 1–10 → "one" … "ten", larger → digits.

    Examples
    --------
    >>> from densitylab.report.typography import count_word
    >>> count_word(0), count_word(3), count_word(10), count_word(12)
    ('no', 'three', 'ten', '12')
    """
    count = as_count(n)
    return _WORDS[count] if count < len(_WORDS) else format_real(count, 1, False)


def _check_param(param) -> str:
    if param not in SYMBOLS:
        raise ValueError(f"param must be one of {sorted(SYMBOLS)}, got {param!r}.")
    return param


def _value_text(param: str, value) -> str:
    """A setting's value: exactly for integers, 3 significant digits without trailing zeros."""
    if param == "bandwidth" and isinstance(value, str):
        if value not in _BANDWIDTH_RULES:
            raise ValueError(
                f"value of bandwidth must be a number or one of {sorted(_BANDWIDTH_RULES)}, "
                f"got {value!r}."
            )
        return value
    number = as_real(value, "value")
    if param in {"bins", "n_components", "n_min"}:
        number = as_count(number, "value")
    return format_real(number, 3, True)


def setting(param: str, value, *, math: bool = True) -> str:
    """How a hyper-parameter setting reads: "20 bins", "$K = 5$", "$h = 0.05$".

    Parameters
    ----------
    param : str
        One of the studies' parameter names: ``bins``, ``n_components``, ``bandwidth``,
        ``n_min`` or ``reg_covar`` (the single Gaussian's, which has no setting: "").
    value : int, float or str
        The value; integers exactly, floats with 3 significant digits and no trailing
        zeros; a KDE bandwidth may also be "scott" or "silverman".
    math : bool, default=True
        TeX math between dollars, valid for MathJax (``{glue:md}`` with the ``myst``
        format) and for matplotlib's mathtext. ``False`` gives plain Unicode text
        ("K = 5", "nₘᵢₙ = 10") for tables and other places without math.

    Returns
    -------
    str
        Bins as "20 bins"; other parameters as symbol, "=" and value (or "by" and the
        rule's name); "" for ``reg_covar``.

    Raises
    ------
    ValueError
        If ``param`` is unknown (the message lists the known ones) or ``value`` is not a
        whole number where one is needed.

    Examples
    --------
    >>> from densitylab.report.typography import setting
    >>> setting("bins", 20), setting("n_components", 5), setting("bandwidth", 0.05)
    ('20 bins', '$K = 5$', '$h = 0.05$')
    >>> setting("n_min", 10), setting("n_min", 10, math=False), setting("reg_covar", 1e-6)
    ('$n_{\\\\min} = 10$', 'nₘᵢₙ\\xa0=\\xa010', '')
    >>> setting("bandwidth", "scott")
    '$h$ by Scott’s rule'
    """
    _check_param(param)
    if param == "reg_covar":
        return ""
    text = _value_text(param, value)
    if param == "bins":
        return f"{text} bin" if text == "1" else f"{text} bins"
    symbol = SYMBOLS[param][0] if math else _PLAIN_SYMBOLS[param]
    if text in _BANDWIDTH_RULES:
        return f"{f'${symbol}$' if math else symbol} by {_BANDWIDTH_RULES[text]}"
    if math:
        return f"${symbol} = {to_tex(text)}$"
    return f"{symbol}{NBSP}={NBSP}{text}"


def axis_label(param: str, *, math: bool = True) -> str:
    """A figure axis label for a hyper-parameter: words, then the symbol.

    Examples
    --------
    >>> from densitylab.report.typography import axis_label
    >>> axis_label("n_components"), axis_label("bins"), axis_label("n_min", math=False)
    ('number of components $K$', 'bins per axis', 'least points per leaf nₘᵢₙ')
    """
    symbol, words = SYMBOLS[_check_param(param)]
    if symbol is None:
        return words
    return f"{words} ${symbol}$" if math else f"{words} {_PLAIN_SYMBOLS[param]}"


def family(name: str) -> str:
    """A model family in words, from its class name: "GaussianKDE" → "KDE".

    Examples
    --------
    >>> from densitylab.report.typography import family
    >>> family("GaussianKDE"), family("DensityForest"), family("SingleGaussian")
    ('KDE', 'density forest', 'single Gaussian')
    """
    if name not in FAMILY_NAMES:
        raise ValueError(f"name must be one of {sorted(FAMILY_NAMES)}, got {name!r}.")
    return FAMILY_NAMES[name]
