"""Glue for the notebooks: computed numbers, sentences, tables and figures for the book.

Every function stores its value with myst-nb's ``glue(name, value, display=False)`` and
returns what it glued, so a notebook can also use it. What to write in the markdown:

* text, numbers, shares, intervals, p-values: ``{glue:md}`name:myst``` — the ``myst``
  format is needed for ``$…$`` maths (myst-nb parses glued markdown as CommonMark by
  default, which leaves dollars as they are); ``{glue:text}`name``` also works and
  gives the exact string (the plain-text form is the quoted string, never re-rounded);
* tables: a ``{glue:md}`` directive (``:format: myst``) inside a ``{table}`` directive
  (a numbered Sphinx table; see :mod:`densitylab.report.tables`), or ``{glue:figure}``;
* figures: ``{glue:figure}`` with a caption and ``:alt:`` — the only place myst-nb 1.x
  reads a glued image's alt text (without it the alt text is the image's file path).

Outside an IPython kernel (a script, a doctest) nothing is published: the values are
still formatted, checked and returned. myst-nb is imported only when publishing, so the
package works without it.
"""

from __future__ import annotations

import dataclasses
import numbers
import re
from collections.abc import Mapping

from matplotlib.figure import Figure

from densitylab.report.figures import figure_image
from densitylab.report.tables import Table
from densitylab.report.typography import interval, number, p_value, percent

__all__ = [
    "glue_all",
    "glue_figure",
    "glue_interval",
    "glue_number",
    "glue_p",
    "glue_percent",
    "glue_table",
    "glue_text",
]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Phrase:
    """Glued text: markdown for ``{glue:md}``; as plain text, the quoted string.

    ``{glue:text}`` reads the plain text with ``ast.literal_eval``: the quotes keep
    "0.50" from turning into the float 0.5.
    """

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)


def _check_key(name) -> str:
    if not isinstance(name, str) or not _KEY.fullmatch(name):
        raise ValueError(
            f"name must be an identifier-like glue key (letters, digits, _), got {name!r}."
        )
    return name


def _publish(name: str, value) -> None:
    """myst-nb's glue, in an IPython kernel only (elsewhere there is no notebook)."""
    from IPython import get_ipython

    if get_ipython() is None:
        return
    from myst_nb import glue

    glue(name, value, display=False)


def glue_text(name: str, text: str) -> str:
    """Glue a phrase or sentence (markdown: it may hold ``$…$`` maths and links).

    Bold is refused (``**`` or ``__``): a computed sentence is not set in bold; emphasise
    in the page's markdown around the glued value if needed.

    Examples
    --------
    >>> from densitylab.report.glue import glue_text
    >>> glue_text("moons_best_gmm", "the GMM with $K = 5$")
    'the GMM with $K = 5$'
    """
    _check_key(name)
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}.")
    if "**" in text or "__" in text:
        raise ValueError(f"text must not be bold (contains ** or __): {text!r}.")
    _publish(name, _Phrase(text))
    return text


def glue_number(name: str, x, digits: int = 2) -> str:
    """Glue ``number(x, digits)`` as text; returns it.

    Examples
    --------
    >>> from densitylab.report.glue import glue_number
    >>> glue_number("moons_mmd2_best", -7.71e-4), glue_number("moons_n_test", 2000)
    ('−7.7\\xa0×\\xa010⁻⁴', '2000')
    """
    return glue_text(name, number(x, digits))


def glue_percent(name: str, share, digits: int = 2) -> str:
    """Glue ``percent(share, digits)`` as text; returns it.

    Examples
    --------
    >>> from densitylab.report.glue import glue_percent
    >>> glue_percent("moons_copy_share", 0.0012)
    '0.12\\xa0%'
    """
    return glue_text(name, percent(share, digits))


def glue_interval(name: str, mean, se, digits: int = 2) -> str:
    """Glue ``interval(mean, se, digits)`` as text; returns it.

    Examples
    --------
    >>> from densitylab.report.glue import glue_interval
    >>> glue_interval("moons_floor", 4.2e-4, 3e-5, digits=1)
    '(4.2\\xa0±\\xa00.3)\\xa0×\\xa010⁻⁴'
    """
    return glue_text(name, interval(mean, se, digits))


def glue_p(name: str, p, digits: int = 2) -> str:
    """Glue ``p_value(p, digits)`` ("p = 0.032") as text; returns it.

    Examples
    --------
    >>> from densitylab.report.glue import glue_p
    >>> glue_p("digits_real_p", 0.0321), glue_p("digits_same_p", 0.996)
    ('p\\xa0=\\xa00.032', 'p\\xa0>\\xa00.99')
    """
    return glue_text(name, p_value(p, digits))


def glue_table(name: str, table: Table) -> Table:
    """Glue a :class:`~densitylab.report.tables.Table`: its HTML and Markdown forms.

    Place it with ``{glue:md}`` (``:format: myst``) inside ``{table}`` (a numbered
    table), or with ``{glue:figure}`` (the HTML form).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.report.glue import glue_table
    >>> from densitylab.report.tables import Column, Table
    >>> glue_table("moons_picks", Table(pd.DataFrame({"n": [1]}), {"n": Column("n", "int")}))
    Table: 1 row × 1 column
    """
    _check_key(name)
    if not isinstance(table, Table):
        raise TypeError(f"table must be a densitylab.report.tables.Table, got {table!r}.")
    _publish(name, table)
    return table


def glue_figure(name: str, fig: Figure, *, alt=None, width_px=None, scale=2, min_font_px=11.0):
    """Glue a figure as a PNG at ``scale`` × its displayed width (see ``figure_image``).

    Place it with ``{glue:figure}``, a caption and ``:alt:``. Nothing is closed: the
    report's figures are pyplot-free.

    Examples
    --------
    >>> from densitylab.report.figures import new_figure
    >>> from densitylab.report.glue import glue_figure
    >>> fig, axes = new_figure()
    >>> glue_figure("moons_fig_empty", fig).width
    672
    """
    _check_key(name)
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}.")
    image = figure_image(fig, alt=alt, width_px=width_px, scale=scale, min_font_px=min_font_px)
    _publish(name, image)
    return image


def _items(values) -> list[tuple[str, object]]:
    if isinstance(values, Mapping):
        return list(values.items())
    if dataclasses.is_dataclass(values) and not isinstance(values, type):
        return [(f.name, getattr(values, f.name)) for f in dataclasses.fields(values)]
    if isinstance(values, tuple) and hasattr(values, "_asdict"):
        return list(values._asdict().items())
    try:
        return [(key, value) for key, value in values]
    except (TypeError, ValueError):
        raise TypeError(
            "values must be a mapping, a dataclass, a named tuple or (key, value) pairs, "
            f"got {type(values).__name__}."
        ) from None


def _glue_for(name, value):
    """The glue function for ``value`` and the value to pass it."""
    if isinstance(value, str):
        return glue_text, value
    if isinstance(value, Table):
        return glue_table, value
    if isinstance(value, Figure):
        return glue_figure, value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return None, value
    raise TypeError(f"values[{name!r}] is a {type(value).__name__}, which cannot be glued.")


def glue_all(prefix: str, values, *, digits: int = 2) -> list[str]:
    """Glue every entry of ``values`` as ``f"{prefix}_{key}"``, by type.

    ``str`` → :func:`glue_text`; ``int`` or ``float`` → :func:`glue_number` (``digits``);
    :class:`~densitylab.report.tables.Table` → :func:`glue_table`; ``Figure`` →
    :func:`glue_figure`. Anything else (None, a bool, an array) is a TypeError naming
    the key: a claim that cannot be made is a sentence saying so, not a missing value.

    Parameters
    ----------
    prefix : str
        Identifier-like prefix, e.g. the study ("moons").
    values : mapping, dataclass, named tuple or iterable of (key, value) pairs
        Duplicate keys are refused.
    digits : int, default=2
        Significant digits of the numbers.

    Returns
    -------
    list of str
        The glued keys, in order.

    Examples
    --------
    >>> from densitylab.report.glue import glue_all
    >>> glue_all("moons", {"n_test": 2000, "best": "the KDE", "floor": 4.2e-4})
    ['moons_n_test', 'moons_best', 'moons_floor']
    """
    _check_key(prefix)
    items = _items(values)
    keys = [f"{prefix}_{key}" for key, _ in items]
    for key in keys:
        _check_key(key)
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise ValueError(f"values glue the same key twice: {duplicates}.")
    # Every value is checked before the first is glued: no half-glued claims object.
    calls = [
        (key, *_glue_for(name, value)) for key, (name, value) in zip(keys, items, strict=True)
    ]
    for key, glue_value, value in calls:
        if glue_value is None:  # a number
            glue_number(key, value, digits)
        else:
            glue_value(key, value)
    return keys
