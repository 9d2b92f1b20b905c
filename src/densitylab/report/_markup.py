"""Subscript markup of table headers: "C_T" and "n_{min}" as plain text, HTML, Markdown.

Public through :mod:`densitylab.report.tables` (see its notes on subscripts).
"""

from __future__ import annotations

import html
import re

# Every ASCII punctuation character may be backslash-escaped in (MyST) Markdown: escaping
# all of them keeps cell text literal (no emphasis, maths, roles, HTML or stray pipes).
MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# A subscript: "_X" (one letter or digit, not followed by another) or "_{XYZ}" (letters
# and digits), right after a character that is neither a space nor an underscore.
_SUBSCRIPT = re.compile(r"(?<=[^\s_])_(?:\{([^\W_]+)\}|([^\W_])(?![^\W_]))")


def subscript_parts(text: str) -> list[tuple[str, bool]]:
    """``text`` split into (part, is_subscript) pieces by the ``C_T`` / ``n_{min}`` markup.

    Parameters
    ----------
    text : str
        A header (or a cell of a column with ``subscripts=True``).

    Returns
    -------
    list of (str, bool)
        The pieces in order; ``True`` marks a subscript. Text without the markup is one
        piece.

    Examples
    --------
    >>> from densitylab.report.tables import subscript_parts
    >>> subscript_parts("C_T")
    [('C', False), ('T', True)]
    >>> subscript_parts("mean n_{min} of n_train")
    [('mean n', False), ('min', True), (' of n_train', False)]
    """
    parts, start = [], 0
    for match in _SUBSCRIPT.finditer(text):
        if match.start() > start:
            parts.append((text[start : match.start()], False))
        parts.append((match.group(1) or match.group(2), True))
        start = match.end()
    if start < len(text) or not parts:
        parts.append((text[start:], False))
    return parts


def plain_text(text: str) -> str:
    """The markup as typed, braces dropped: "C_T", "n_{min}" → "n_min"."""
    return "".join(f"_{p}" if sub else p for p, sub in subscript_parts(text))


def html_text(text: str) -> str:
    return "".join(
        f"<sub>{html.escape(p)}</sub>" if sub else html.escape(p)
        for p, sub in subscript_parts(text)
    )


def markdown_text(text: str) -> str:
    return "".join(
        f"{{sub}}`{p}`" if sub else MARKDOWN_PUNCTUATION.sub(r"\\\1", p)
        for p, sub in subscript_parts(text)
    )
