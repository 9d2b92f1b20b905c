"""Figures sized for the book's main column, readable there and crisp at any zoom.

Measured in the built book (sphinx-book-theme, headless Chromium): at a 1280-px window
the main column is 688 CSS px wide and an image inside a figure gets 672 px (the figure
box has 8 px of padding); at 800 px the column is 736 px (image 720 px), and from 1440 px
on it stops growing at 790 px (image 774 px). Figures are therefore designed for
:data:`FIGURE_WIDTH_PX` = 672 CSS px.

Sizes: one figure inch is 96 CSS px (the CSS inch), so a 672-px figure is exactly 7 in
wide and a point is 4/3 CSS px. Fonts are set in CSS px (:data:`FONT_PX`): tick labels
12 px, axis labels 13 px, titles 14 px — the page's body text is 16 px.

Rendering: PNG at twice the displayed width (:func:`figure_png`), shown with an explicit
``width`` so it is sharp on high-density screens and when zoomed to 200 %. SVG was
measured and rejected as the default: a 2000-point scatter beside a filled contour is
674 KiB as SVG and 175 KiB as a 2× PNG. The PNG carries no timestamp nor software
version: the same figure gives the same bytes.
"""

from __future__ import annotations

import io
import math
import numbers
import struct
from contextlib import contextmanager

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from densitylab.report.typography import number, percent

__all__ = [
    "FIGURE_WIDTH_PX",
    "FONT_PX",
    "PX_PER_INCH",
    "REPORT_STYLE",
    "figure_image",
    "figure_png",
    "new_figure",
    "number_formatter",
    "percent_formatter",
    "report_style",
]

#: The displayed width in CSS px the report's figures are designed for, that of an image
#: inside a figure of the book's main column at a 1280-px window.
FIGURE_WIDTH_PX = 672
#: CSS px per figure inch (the CSS inch), so a point is 96/72 = 4/3 CSS px.
PX_PER_INCH = 96
#: Font sizes in CSS px at the displayed size (the least readable size is 11 px).
FONT_PX = {"base": 13, "tick": 12, "label": 13, "title": 14, "legend": 12}
_PT = 72 / PX_PER_INCH  # points per CSS px

#: rcParams of the report's figures. Self-contained (the look of ``densitylab.plotting``
#: with fonts sized for the column), so the plotting module may adopt it without a cycle.
REPORT_STYLE = {
    "figure.dpi": PX_PER_INCH,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.5,
    "lines.markersize": 4,
    "font.size": FONT_PX["base"] * _PT,
    "axes.titlesize": FONT_PX["title"] * _PT,
    "axes.labelsize": FONT_PX["label"] * _PT,
    "figure.titlesize": FONT_PX["title"] * _PT,
    "xtick.labelsize": FONT_PX["tick"] * _PT,
    "ytick.labelsize": FONT_PX["tick"] * _PT,
    "legend.fontsize": FONT_PX["legend"] * _PT,
    "legend.title_fontsize": FONT_PX["legend"] * _PT,
    # The book has a dark mode: an opaque white background keeps black text readable.
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "savefig.bbox": "standard",  # never cropped: the PNG width is exactly known
    # One minus sign for the figures and the text.
    "axes.unicode_minus": True,
}


@contextmanager
def report_style():
    """Apply :data:`REPORT_STYLE` inside the block (text added later keeps its size).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from densitylab.report.figures import report_style
    >>> with report_style():
    ...     mpl.rcParams["xtick.labelsize"]
    9.0
    """
    with mpl.rc_context(REPORT_STYLE):
        yield


def new_figure(n_rows: int = 1, n_cols: int = 1, *, width=None, aspect=0.75, **subplots_kw):
    """A pyplot-free figure in the report style, with a 2-D array of axes.

    Parameters
    ----------
    n_rows, n_cols : int, default=1
        Grid of panels.
    width : int or None, default=None
        Displayed width in CSS px; :data:`FIGURE_WIDTH_PX` (the column) by default.
    aspect : float, default=0.75
        Height of a panel over its width.
    **subplots_kw
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``sharex``, ``sharey``,
        ``gridspec_kw``, ``subplot_kw``).

    Returns
    -------
    fig : matplotlib.figure.Figure
        Constrained layout, ``width / 96`` inches wide; not registered with pyplot.
    axes : numpy.ndarray of Axes, shape (n_rows, n_cols)

    Examples
    --------
    >>> from densitylab.report.figures import new_figure
    >>> fig, axes = new_figure(1, 2)
    >>> axes.shape, float(fig.get_figwidth()), axes[0, 0].xaxis.get_ticklabels()[0].get_fontsize()
    ((1, 2), 7.0, 9.0)
    """
    for name, value in (("n_rows", n_rows), ("n_cols", n_cols)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}.")
    width = FIGURE_WIDTH_PX if width is None else width
    if not (isinstance(width, (int, float)) and 0 < width < math.inf):
        raise ValueError(f"width must be a positive number of CSS px, got {width!r}.")
    if not (isinstance(aspect, (int, float)) and 0 < aspect < math.inf):
        raise ValueError(f"aspect must be a positive number, got {aspect!r}.")
    width_in = width / PX_PER_INCH
    with report_style():
        fig = Figure(
            figsize=(width_in, width_in / n_cols * aspect * n_rows),
            dpi=PX_PER_INCH,
            layout="constrained",
        )
        axes = fig.subplots(n_rows, n_cols, squeeze=False, **subplots_kw)
    return fig, axes


def _display_width(fig: Figure, width_px) -> int:
    """The displayed width: given, or the figure's own width, at most the column's."""
    if width_px is None:
        return min(round(fig.get_figwidth() * PX_PER_INCH), FIGURE_WIDTH_PX)
    if isinstance(width_px, bool) or not isinstance(width_px, numbers.Integral) or width_px < 1:
        raise ValueError(f"width_px must be a whole number of CSS px >= 1, got {width_px!r}.")
    return int(width_px)


def _png_width(png: bytes) -> int:
    return struct.unpack(">I", png[16:20])[0]


def figure_png(fig: Figure, *, width_px=None, scale=2) -> bytes:
    """The figure as PNG bytes, ``scale`` × ``width_px`` pixels wide, deterministic.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    width_px : int or None, default=None
        Displayed width in CSS px; by default the figure's own width (96 px per inch),
        at most :data:`FIGURE_WIDTH_PX`.
    scale : int, default=2
        Device pixels per CSS px: 2 keeps the figure sharp on high-density screens and
        at 200 % zoom.

    Returns
    -------
    bytes
        A PNG exactly ``scale * width_px`` pixels wide, without a timestamp or software
        tag, on a white background.

    Examples
    --------
    >>> from densitylab.report.figures import figure_png, new_figure
    >>> fig, axes = new_figure()
    >>> png = figure_png(fig)
    >>> int.from_bytes(png[16:20], "big"), png == figure_png(fig)
    (1344, True)
    """
    if isinstance(scale, bool) or not isinstance(scale, numbers.Integral) or scale < 1:
        raise ValueError(f"scale must be a whole number >= 1, got {scale!r}.")
    target = scale * _display_width(fig, width_px)
    # Agg truncates the canvas size to an int: aim a quarter pixel above the target.
    dpi = (target + 0.25) / fig.get_figwidth()
    buffer = io.BytesIO()
    with report_style():
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    png = buffer.getvalue()
    if _png_width(png) != target:  # pragma: no cover - guards the arithmetic above
        raise RuntimeError(f"PNG is {_png_width(png)} px wide, expected {target} px.")
    return png


def _small_texts(fig: Figure, width_px: int, min_font_px: float) -> list[str]:
    """Visible texts whose displayed size is below ``min_font_px`` (after a draw)."""
    px_per_pt = width_px / (fig.get_figwidth() * 72)
    small = []
    for text in fig.findobj(Text):
        label = text.get_text().strip()
        if label and text.get_visible() and text.get_fontsize() * px_per_pt < min_font_px:
            small.append(f"{label!r} ({text.get_fontsize() * px_per_pt:.1f} px)")
    return sorted(set(small))


def figure_image(fig: Figure, *, alt=None, width_px=None, scale=2, min_font_px=11.0):
    """The figure as an IPython image that myst-nb shows ``width_px`` CSS px wide, sharp.

    myst-nb writes the output's ``width`` metadata onto the ``<img>``, so the browser
    shows the ``scale``-times larger PNG at ``width_px``. Alt text: myst-nb 1.x takes an
    image's alt text only from the page, so a glued figure gets it from the ``:alt:``
    option of its ``{glue:figure}`` directive; ``alt`` here is recorded in the output
    metadata (``image/png`` → ``alt``), where nbconvert and JupyterLab find it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str or None, default=None
        Alt text stored in the output metadata.
    width_px : int or None, default=None
        Displayed width in CSS px (see :func:`figure_png`).
    scale : int, default=2
        PNG pixels per CSS px.
    min_font_px : float or None, default=11.0
        Refuse a figure whose visible text would be displayed smaller than this (CSS px);
        ``None`` skips the check.

    Returns
    -------
    IPython.display.Image

    Raises
    ------
    ValueError
        If some text would be displayed smaller than ``min_font_px``; the message names
        the texts.

    Examples
    --------
    >>> from densitylab.report.figures import figure_image, new_figure
    >>> fig, axes = new_figure()
    >>> image = figure_image(fig, alt="An empty panel.")
    >>> image.width, image.alt, int.from_bytes(image.data[16:20], "big")
    (672, 'An empty panel.', 1344)
    """
    from IPython.display import Image

    if alt is not None and (not isinstance(alt, str) or not alt.strip()):
        raise ValueError(f"alt must be a non-empty description or None, got {alt!r}.")
    width_px = _display_width(fig, width_px)
    png = figure_png(fig, width_px=width_px, scale=scale)  # draws: tick labels exist now
    if min_font_px is not None:
        small = _small_texts(fig, width_px, min_font_px)
        if small:
            raise ValueError(
                f"At {width_px} CSS px wide these texts are smaller than {min_font_px} px: "
                f"{', '.join(small[:5])}. Build the figure with new_figure (report fonts) "
                "or enlarge the fonts; min_font_px=None skips this check."
            )
    return Image(data=png, format="png", width=width_px, alt=alt)


def number_formatter(digits: int = 2, *, trim: bool = True) -> FuncFormatter:
    """A tick formatter writing tick values as the text writes numbers (``number``).

    Examples
    --------
    >>> from densitylab.report.figures import number_formatter
    >>> number_formatter()(-0.0005, 0), number_formatter()(0.25, 1)
    ('−5\\xa0×\\xa010⁻⁴', '0.25')
    """
    return FuncFormatter(lambda value, _pos: number(float(value), digits, trim=trim))


def percent_formatter(digits: int = 2, *, trim: bool = True) -> FuncFormatter:
    """A tick formatter for shares (values in [0, 1]) as the text writes them (``percent``).

    Ticks outside [0, 1] (a margin below 0, say) get no label.

    Examples
    --------
    >>> from densitylab.report.figures import percent_formatter
    >>> percent_formatter()(0.05, 0), percent_formatter()(0.0012, 1)
    ('5\\xa0%', '0.12\\xa0%')
    >>> percent_formatter()(-0.1, 2)
    ''
    """

    def label(value, _pos):
        value = float(value)
        if not -1e-12 <= value <= 1 + 1e-12:
            return ""
        return percent(min(max(value, 0.0), 1.0), digits, trim=trim)

    return FuncFormatter(label)
