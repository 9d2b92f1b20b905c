"""The report layer: one typography, tables and figures, and glue for the notebooks.

* ``densitylab.report.typography`` — numbers, shares, intervals, p-values, lists,
  settings and family names, written one way everywhere (pure Python);
* :mod:`densitylab.report.tables` — :class:`~densitylab.report.tables.Table`, HTML tables
  with human headers;
* :mod:`densitylab.report.figures` — pyplot-free figures sized for the book's column and
  rendered as PNG at twice the displayed width;
* :mod:`densitylab.report.glue` — myst-nb glue of all of the above.

The models, metrics and diagnostics never import this package.
"""

from densitylab.report.typography import (
    FAMILY_NAMES,
    SYMBOLS,
    axis_label,
    count_word,
    family,
    interval,
    join,
    number,
    p_value,
    percent,
    plural,
    setting,
)

__all__ = [
    "FAMILY_NAMES",
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
]
