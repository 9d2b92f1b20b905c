"""The report layer: one typography, tables and figures, and glue for the notebooks.

* :mod:`densitylab.report.typography` — numbers, shares, intervals, p-values, lists,
  settings and family names, written one way everywhere (pure Python);
* :mod:`densitylab.report.tables` — :class:`~densitylab.report.tables.Table`, HTML tables
  with human headers;
* :mod:`densitylab.report.figures` — pyplot-free figures sized for the book's column and
  rendered as PNG at twice the displayed width;
* :mod:`densitylab.report.glue` — myst-nb glue of all of the above.

This package re-exports the typography's public names but its raw characters
(``MINUS``, ``MISSING``, ``NBSP``, ``NNBSP``) and ``to_tex``, which stay in
:mod:`densitylab.report.typography`. The models, metrics and diagnostics never import
this package.
"""

from densitylab.report import typography as _typography

_TYPOGRAPHY_ONLY = {"MINUS", "MISSING", "NBSP", "NNBSP", "to_tex"}

__all__ = [name for name in _typography.__all__ if name not in _TYPOGRAPHY_ONLY]
globals().update({name: getattr(_typography, name) for name in __all__})
