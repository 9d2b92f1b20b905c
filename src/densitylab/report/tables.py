"""Tables a reader reads: human headers and units, in the report's number style.

A :class:`Table` formats chosen columns of a DataFrame with the typography of
``densitylab.report.typography``. It has no index, no console dump and no random ids,
so a re-executed notebook stores byte-identical output; its plain-text form is one line
("Table: 5 rows × 4 columns"), so no DataFrame text ever reaches a page. Missing values
(NaN, None) read "—" in every kind of column.

Two ways onto a page, both checked in a built book (``glue_table`` glues both forms):

1. Recommended — the Markdown form inside a ``{table}`` directive::

       ````{table} Caption of the table.
       :name: tab-picks

       ```{glue:md} moons_picks
       :format: myst
       ```
       ````

   Sphinx then makes a real table: numbered "Table N", referenced with ``{numref}``,
   styled by the theme (light and dark), scrollable on narrow screens. Cell text is
   escaped, so nothing in it is read as Markdown.
2. The HTML form (``<table class="dl-table">``) in a ``{glue:figure}``: numbered as a
   figure; styled by :data:`TABLE_CSS` (write it to ``_static/`` and list it under
   ``html_css_files``). Jupyter shows this form too; alignment is also inline, so it
   reads right without the style sheet. A ``caption`` given to the :class:`Table` is
   written *above and outside* the box that scrolls sideways on a narrow screen, so it
   is never cut off.

Subscripts: a header may write a one-character subscript as ``C_T`` or a longer one as
``n_{min}`` (the subscript is letters or digits; ``n_train`` stays as it is, since its
underscore is followed by a whole word). The HTML form writes C<sub>T</sub>, the
Markdown form the ``{sub}`` role (C{sub}`T`); the plain-text forms (``to_frame``, the
column's ``header``) keep the markup as typed, without braces ("C_T", "n_min"). Cells of
``"text"`` columns are read the same way only with ``Column(..., subscripts=True)``.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from densitylab.report._markup import MARKDOWN_PUNCTUATION, subscript_parts
from densitylab.report._markup import html_text as _html
from densitylab.report._markup import markdown_text as _markdown
from densitylab.report._markup import plain_text as _plain
from densitylab.report.typography import (
    family,
    interval,
    number,
    p_value,
    percent,
    setting,
)

__all__ = ["KINDS", "MISSING_CELL", "TABLE_CSS", "Column", "Table", "subscript_parts"]

#: What a missing value (NaN or None) reads as in a table cell.
MISSING_CELL = "—"
#: Column kinds → default alignment. Numbers align right so their digits line up.
KINDS = {
    "text": "left",
    "code": "left",
    "family": "left",
    "setting": "left",
    "number": "right",
    "int": "right",
    "percent": "right",
    "p_value": "right",
    "interval": "right",
}

#: Style sheet of the report's tables (copy to ``_static/densitylab.css``).
TABLE_CSS = """\
/* Tables of densitylab.report.tables (TABLE_CSS): compact, readable, scrollable. */
.dl-table-block { margin: 0 0 1rem; max-width: 100%; }
.dl-table-caption { text-align: left; margin: 0 0 0.4rem; }
.dl-table-scroll { overflow-x: auto; max-width: 100%; margin: 0 0 1rem; }
.dl-table-block > .dl-table-scroll { margin: 0; }
table.dl-table {
  border-collapse: collapse; margin: 0; font-size: 0.85rem; line-height: 1.35;
  font-variant-numeric: tabular-nums lining-nums;
}
table.dl-table th, table.dl-table td {
  padding: 0.3em 0.4em; border: none; vertical-align: baseline;
}
table.dl-table thead th {
  border-bottom: 1px solid currentColor; font-weight: 600; vertical-align: bottom;
  white-space: normal; /* headers wrap at their spaces instead of widening the column */
}
table.dl-table tbody tr:nth-child(even) { background: rgba(127, 127, 127, 0.08); }
table.dl-table tbody tr:last-child td { border-bottom: 1px solid currentColor; }
table.dl-table .dl-num { text-align: right; }
table.dl-table td.dl-num { white-space: nowrap; } /* headers may wrap, numbers never */
table.dl-table .dl-text { text-align: left; }
table.dl-table .dl-center { text-align: center; }
"""

_ALIGN_CLASS = {"left": "dl-text", "right": "dl-num", "center": "dl-center"}
_ALIGN_RULE = {"left": ":---", "right": "---:", "center": ":---:"}


@dataclass(frozen=True)
class Column:
    """How one DataFrame column appears in a :class:`Table`.

    Parameters
    ----------
    header : str
        What the reader sees, with units and Unicode maths: "held-out log-likelihood
        [nats]", "MMD²". Plain text (escaped), no LaTeX: MathJax does not typeset glued
        HTML. A subscript is written ``C_T`` or ``n_{min}`` (see the module's notes):
        C<sub>T</sub> in HTML, the ``{sub}`` role in Markdown.
    kind : str, default="text"
        ``"text"`` (as is), ``"number"`` (``number(x, digits)``), ``"int"`` (exact),
        ``"percent"`` (``percent(share, digits)``), ``"p_value"`` (``p_value(p, digits,
        label="")``), ``"family"`` (class name → family name), ``"setting"`` (the
        row's ``param_column`` and this value → ``setting(param, value, math=False)``)
        or ``"interval"`` (this mean ± the row's ``se_column``).
    digits : int, default=2
        Significant digits of numeric kinds.
    align : {"left", "right", "center"} or None, default=None
        None: right for numeric kinds, left for the others.
    param_column : str, default="param"
        For ``"setting"``: the column naming each row's hyper-parameter.
    se_column : str or None, default=None
        For ``"interval"``: the column of standard errors (required there).
    subscripts : bool, default=False
        For ``"text"`` cells: read ``C_T`` / ``n_{min}`` in the cell text as subscripts,
        as headers always are (off by default: a text cell may hold underscores).

    Examples
    --------
    >>> from densitylab.report.tables import Column
    >>> Column("MMD²", "number").alignment
    'right'
    >>> Column("C_T", "number").plain_header
    'C_T'
    """

    header: str
    kind: str = "text"
    digits: int = 2
    align: str | None = None
    param_column: str = "param"
    se_column: str | None = None
    subscripts: bool = False

    def __post_init__(self):
        if not isinstance(self.header, str) or not self.header.strip():
            raise ValueError(f"header must be a non-empty string, got {self.header!r}.")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {self.kind!r}.")
        if self.align is not None and self.align not in _ALIGN_CLASS:
            raise ValueError(f"align must be one of {sorted(_ALIGN_CLASS)} or None.")
        if self.kind == "interval" and self.se_column is None:
            raise ValueError("se_column must name the standard errors of an interval column.")
        number(0.5, self.digits)  # a ValueError naming digits if they are wrong
        if not isinstance(self.subscripts, bool):
            raise ValueError(f"subscripts must be True or False, got {self.subscripts!r}.")
        if self.subscripts and self.kind != "text":
            raise ValueError(f"subscripts applies to text columns only, not {self.kind!r}.")

    @property
    def plain_header(self) -> str:
        """The header as plain text, its subscript markup as typed and without braces."""
        return _plain(self.header)

    @property
    def alignment(self) -> str:
        """The alignment actually used."""
        return self.align or KINDS[self.kind]

    def format(self, value, row: Mapping) -> str:
        """The cell text of ``value`` (``row`` gives the other columns a kind needs).

        Examples
        --------
        >>> from densitylab.report.tables import Column
        >>> Column("n", "int").format(20000.0, {})
        '20\\u202f000'
        """
        if _missing(value):
            return MISSING_CELL
        kind, digits = self.kind, self.digits
        if kind in ("text", "code"):
            return str(value)
        if kind == "family":
            return family(value)
        if kind == "setting":
            return setting(row[self.param_column], value, math=False) or MISSING_CELL
        if kind == "interval":
            se = row[self.se_column]
            return interval(value, math.nan if _missing(se) else se, digits)
        if kind == "int":
            if not float(value).is_integer():
                raise ValueError(f"an int column holds {value!r}, not a whole number.")
            return number(int(value))
        if kind == "percent":
            return percent(value, digits)
        if kind == "p_value":
            return p_value(value, digits, label="")
        return number(value, digits)


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value)


class Table:
    """Chosen columns of a DataFrame as a readable HTML table (for ``glue_table``).

    Parameters
    ----------
    data : pandas.DataFrame
        Rows in the order they appear; the index is never shown.
    columns : mapping of str to Column
        DataFrame column → :class:`Column`, in the order of the table's columns.
    caption : str or None, default=None
        The HTML form's caption, written above the table and outside its scrolling box
        (``<p class="dl-table-caption">``, so it is never cut off), and the text form's.
        Leave it None when the page gives the caption (``{table}`` or
        ``{glue:figure}``: numbered, referable).
    label : str or None, default=None
        The table's HTML ``id`` (unique on its page).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.report.tables import Column, Table
    >>> df = pd.DataFrame({"model": ["GMM"], "mmd2": [-7.7e-4]}, index=[42])
    >>> table = Table(df, {"model": Column("model", "family"), "mmd2": Column("MMD²", "number")})
    >>> table
    Table: 1 row × 2 columns
    >>> table.to_frame().iloc[0].tolist()
    ['GMM', '−7.7\\xa0×\\xa010⁻⁴']
    >>> print(table._repr_html_())  # doctest: +ELLIPSIS
    <div class="dl-table-scroll">
    <table class="dl-table">
    <thead>
    <tr><th scope="col" class="dl-text" style="text-align: left">model</th>...</tr>
    </thead>
    <tbody>
    <tr><td class="dl-text" style="text-align: left">GMM</td><td class="dl-num"...>−7.7...</tr>
    </tbody>
    </table>
    </div>
    """

    def __init__(self, data, columns: Mapping[str, Column], *, caption=None, label=None):
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
        if not isinstance(columns, Mapping) or not columns:
            raise ValueError("columns must map at least one DataFrame column to a Column.")
        needed = set(columns)
        for column in columns.values():
            if not isinstance(column, Column):
                raise TypeError(f"columns must hold Column objects, got {column!r}.")
            if column.kind == "setting":
                needed.add(column.param_column)
            if column.kind == "interval":
                needed.add(column.se_column)
        absent = sorted(needed - set(data.columns))
        if absent:
            raise ValueError(f"data has no column {absent}; it has {list(data.columns)}.")
        headers = [c.plain_header for c in columns.values()]
        if len(set(headers)) != len(headers):
            raise ValueError(f"columns must have distinct headers, got {headers}.")
        for name, value in (("caption", caption), ("label", label)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"{name} must be a non-empty string or None, got {value!r}.")
        self.columns = dict(columns)
        self.caption, self.label = caption, label
        # Formatted once, here: a bad value fails where the table is made.
        rows = data.reset_index(drop=True).to_dict("records")
        self._cells = [
            [c.format(row[key], row) for key, c in self.columns.items()] for row in rows
        ]

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the table as shown."""
        return len(self._cells), len(self.columns)

    def to_frame(self) -> pd.DataFrame:
        """The cells as shown: a DataFrame of strings headed by the human headers.

        Examples
        --------
        >>> import pandas as pd
        >>> from densitylab.report.tables import Column, Table
        >>> t = Table(pd.DataFrame({"p": [0.5, None]}), {"p": Column("p", "p_value")})
        >>> t.to_frame()["p"].tolist()
        ['0.50', '—']
        """
        headers = [c.plain_header for c in self.columns.values()]
        cells = [
            [
                _plain(t) if c.subscripts else t
                for t, c in zip(row, self.columns.values(), strict=True)
            ]
            for row in self._cells
        ]
        return pd.DataFrame(cells, columns=headers, dtype=object)

    def __repr__(self) -> str:
        n_rows, n_cols = self.shape
        text = f"Table: {n_rows} row{'s' * (n_rows != 1)} × {n_cols} column{'s' * (n_cols != 1)}"
        return f"{text} ({self.caption})" if self.caption else text

    def _repr_markdown_(self) -> str:
        """A pipe table, for ``{glue:md}`` (format ``myst``) inside a ``{table}`` directive."""

        columns = list(self.columns.values())

        def escape(text: str, column: Column, header: bool = False) -> str:
            if column.kind == "code" and not header:
                return f"`{text}`"  # a code span: its content is never read as Markdown
            if header or column.subscripts:
                return _markdown(text)
            return MARKDOWN_PUNCTUATION.sub(r"\\\1", text)

        def line(cells, header=False) -> str:
            return (
                "| "
                + " | ".join(escape(t, c, header) for t, c in zip(cells, columns, strict=True))
                + " |"
            )

        lines = [
            line([c.header for c in columns], header=True),
            "| " + " | ".join(_ALIGN_RULE[c.alignment] for c in columns) + " |",
        ]
        lines += [line(row) for row in self._cells]
        return "\n".join(lines) + "\n"

    def _repr_html_(self) -> str:
        def code(text: str) -> str:
            return f"<code>{html.escape(text)}</code>"

        def cell(tag: str, text: str, column: Column, scope: str = "") -> str:
            align = column.alignment
            if tag == "td" and column.kind == "code":
                content = code(text)
            elif tag == "th" or column.subscripts:
                content = _html(text)
            else:
                content = html.escape(text)
            return (
                f'<{tag}{scope} class="{_ALIGN_CLASS[align]}" style="text-align: {align}">'
                f"{content}</{tag}>"
            )

        columns = list(self.columns.values())
        label = f' id="{html.escape(self.label)}"' if self.label else ""
        lines = []
        if self.caption:
            # Above and outside the scrolling box: a long caption wraps in the column
            # and is never cut off when the table scrolls sideways.
            lines += [
                '<div class="dl-table-block">',
                f'<p class="dl-table-caption">{_html(self.caption)}</p>',
            ]
        lines += ['<div class="dl-table-scroll">', f'<table class="dl-table"{label}>']
        header = "".join(cell("th", c.header, c, ' scope="col"') for c in columns)
        lines += ["<thead>", f"<tr>{header}</tr>", "</thead>", "<tbody>"]
        for row in self._cells:
            lines.append(
                "<tr>"
                + "".join(cell("td", t, c) for t, c in zip(row, columns, strict=True))
                + "</tr>"
            )
        lines += ["</tbody>", "</table>", "</div>"]
        if self.caption:
            lines.append("</div>")
        return "\n".join(lines)
