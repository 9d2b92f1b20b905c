"""Digit figures: grids of 8×8 images, labelled grids, and shares of predicted classes."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

from densitylab.plotting._style import GENERATED_COLOR, new_axes, place_legend, report_rc
from densitylab.plotting._ticks import use_percent
from densitylab.report.typography import percent

__all__ = ["plot_digit_grid", "plot_label_shares", "plot_labelled_digit_grid"]

_IMAGE = (8, 8)
_LABEL_ROWS = 3  # canvas rows above each image that hold its label


def _digit_canvas(X, n_rows, n_cols, *, vmax=16.0, pad=1, top=0):
    """Tile the first ``n_rows·n_cols`` rows of ``X`` (8×8 images) on one canvas.

    Pixels are clipped to ``[0, vmax]`` (samples of a Gaussian model leave that range).
    Tiles are ``pad`` apart, with ``top`` extra rows above each (room for a label);
    gaps and empty tiles are NaN, drawn in the colormap's "bad" colour (white).
    """
    X = np.asarray(X, dtype=np.float64)
    h, w = _IMAGE
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(f"X must have shape (n_images, {h * w}) (8×8 images), got {X.shape}.")
    for name, value in (("n_rows", n_rows), ("n_cols", n_cols)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {value!r}.")
    pitch_y, pitch_x = h + pad + top, w + pad
    canvas = np.full((n_rows * pitch_y + pad, n_cols * pitch_x + pad), np.nan)
    for k, image in enumerate(X[: n_rows * n_cols]):
        i, j = divmod(k, n_cols)
        y, x = pad + top + i * pitch_y, pad + j * pitch_x
        canvas[y : y + h, x : x + w] = np.clip(image.reshape(h, w), 0.0, vmax)
    return canvas


def _show_canvas(ax, canvas, vmax, title):
    """A digit canvas in grey (0 black, ``vmax`` white) on white gaps, without axes.

    Drawn into ``ax``, or into a new figure of the canvas's shape (a little taller with a
    title); returns ``(fig, ax)``.
    """
    fig, ax = new_axes(ax, aspect=canvas.shape[0] / canvas.shape[1] + (0.08 if title else 0))
    cmap = mpl.colormaps["gray"].with_extremes(bad="white")
    ax.imshow(canvas, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return fig, ax


def plot_digit_grid(X, *, ax=None, n_rows=4, n_cols=10, title=None, vmax=16.0) -> Figure:
    """The first ``n_rows × n_cols`` images of ``X`` as a grid, white strokes on black.

    Parameters
    ----------
    X : array-like of shape (n_images, 64)
        Flattened 8×8 images on the 0–``vmax`` grey scale (clipped to it for display:
        Gaussian samples leave it). Tiles beyond ``n_images`` stay empty.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new figure as wide as the column.
    n_rows, n_cols : int, default=4, 10
    title : str, optional
        ``None`` or ``""``: no title.
    vmax : float, default=16.0
        Pixel value shown as white (0 is black).

    Returns
    -------
    matplotlib.figure.Figure
        One image of ``n_rows × n_cols`` tiles one pixel apart, on white, without axes.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_digit_grid
    >>> fig = plot_digit_grid(np.full((40, 64), 8.0), title="flat grey")
    >>> fig.axes[0].get_images()[0].get_array().shape
    (37, 91)
    """
    canvas = _digit_canvas(X, n_rows, n_cols, vmax=vmax)
    with report_rc():
        fig, _ = _show_canvas(ax, canvas, vmax, title)
    return fig


def plot_labelled_digit_grid(X, labels, *, ax=None, n_cols=10, title=None) -> Figure:
    """Images in a grid, each with its (predicted) label written small above it.

    Meant for a :class:`densitylab.diagnostics.BalancedBatch`: with
    ``per_class == n_cols`` each row holds one class.

    Parameters
    ----------
    X : array-like of shape (n_images, 64)
        Flattened 8×8 images on the 0–16 grey scale, drawn row by row.
    labels : array-like of shape (n_images,)
        The label written above each image.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new figure as wide as the column.
    n_cols : int, default=10
    title : str, optional
        ``None`` or ``""``: no title.

    Returns
    -------
    matplotlib.figure.Figure
        One image of the tiles with room above each for its label, a text in the
        figure's tick-label size.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_labelled_digit_grid
    >>> fig = plot_labelled_digit_grid(np.zeros((20, 64)), np.repeat([0, 1], 10))
    >>> [t.get_text() for t in fig.axes[0].texts][9:11]
    ['0', '1']
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    if X.ndim != 2 or labels.shape != (X.shape[0],):
        raise ValueError(
            f"labels must have one entry per image of X ({X.shape[0] if X.ndim else 0}), "
            f"got shape {labels.shape}."
        )
    n_rows = max(1, -(-X.shape[0] // n_cols))
    canvas = _digit_canvas(X, n_rows, n_cols, top=_LABEL_ROWS)
    h, w = _IMAGE
    with report_rc():
        fig, ax = _show_canvas(ax, canvas, 16.0, title)
        for k, label in enumerate(labels):
            i, j = divmod(k, n_cols)
            ax.text(
                1 + j * (w + 1) + (w - 1) / 2,
                1 + i * (h + 1 + _LABEL_ROWS) + _LABEL_ROWS - 1.2,
                str(label),
                ha="center",
                va="baseline",
                color="#1a1a1a",
                fontsize=mpl.rcParams["xtick.labelsize"],
            )
    return fig


def _shared_top(ax) -> float:
    """The tallest bar or marker of ``ax`` and of the panels sharing its y-axis."""
    top = 0.0
    for panel in ax.get_shared_y_axes().get_siblings(ax):
        heights = [p.get_height() for p in panel.patches]
        heights += [y for line in panel.get_lines() if line.get_gid() == "control"
                    for y in line.get_ydata()]  # fmt: skip
        top = max([top, *map(float, heights)])
    return top


def _counts(counts, name):
    counts = np.asarray(getattr(counts, "counts", counts), dtype=np.float64)
    if counts.ndim != 1 or counts.size < 2:
        raise ValueError(
            f"{name} must hold one count per class (≥ 2 classes), got {counts.shape}."
        )
    if not np.isfinite(counts).all() or (counts < 0).any() or counts.sum() <= 0:
        raise ValueError(f"{name} must be finite counts ≥ 0 with a positive total.")
    return counts


def plot_label_shares(
    counts,
    *,
    control=None,
    ax=None,
    title=None,
    names=("generated digits", "held-out digits"),
    legend=None,
) -> Figure:
    """Bars of the share of each predicted class; a control sample's shares as markers.

    Parameters
    ----------
    counts : array-like of shape (n_classes,) or LabelBalance
        How many images were assigned to each class (a
        :class:`~densitylab.diagnostics.LabelBalance` gives its ``counts``).
    control : array-like of shape (n_classes,) or LabelBalance, optional
        The same counts for a control sample (e.g. real held-out digits), drawn as
        black diamonds: how even a classifier finds real digits.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    title : str, optional
        ``None``: "predicted classes of the <names[0]>"; ``""``: no title.
    names : (str, str), default=("generated digits", "held-out digits")
        Legend entries of ``counts`` and ``control``.
    legend : {None, "figure", False}, default=None
        ``None``: below the panel when the function makes the figure, else right of
        it; ``"figure"``: one legend under all panels (give it to every panel: the
        entries are listed once); ``False``: none. Panels made with ``sharey=True``
        (:func:`densitylab.report.figures.new_figure`) get one y-range, that of the
        tallest bar or marker among them, so their ticks agree.

    Returns
    -------
    matplotlib.figure.Figure
        Bars of height ``counts / counts.sum()`` on a percent axis, a dashed line at
        the equal share ``1 / n_classes``, the legend outside the axes.

    Examples
    --------
    >>> from densitylab.plotting import plot_label_shares
    >>> fig = plot_label_shares([28, 10, 10, 10, 10, 10, 10, 6, 3, 3])
    >>> [float(p.get_height()) for p in fig.axes[0].patches][:3]
    [0.28, 0.1, 0.1]
    """
    shares = _counts(counts, "counts")
    shares = shares / shares.sum()
    classes = np.arange(shares.size)
    below = ax is None
    with report_rc():
        fig, ax = new_axes(ax, aspect=0.55)
        ax.bar(classes, shares, width=0.75, color=GENERATED_COLOR, label=names[0], zorder=2)
        equal = ax.axhline(
            1 / shares.size, color="#444444", linestyle="--", linewidth=1.2, zorder=3
        )
        equal.set_label(f"equal shares ({percent(1 / shares.size, trim=True)} each)")
        if control is not None:
            reference = _counts(control, "control")
            if reference.size != shares.size:
                raise ValueError(
                    f"control must have one count per class ({shares.size}), got {reference.size}."
                )
            reference = reference / reference.sum()
            ax.plot(classes, reference, linestyle="none", marker="D", markersize=6,
                    color="#1a1a1a", label=names[1], zorder=4, gid="control")  # fmt: skip
        ax.set_xticks(classes, [str(c) for c in classes])
        ax.tick_params(axis="x", length=0)
        ax.grid(axis="x", visible=False)
        ax.set_xlim(-0.6, shares.size - 0.4)
        ax.set_ylim(0, max(_shared_top(ax), 1 / shares.size) * 1.08)
        use_percent(ax)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("share of the digits")
        handles, labels = ax.get_legend_handles_labels()
        rank = {name: k for k, name in enumerate(names)}
        order = sorted(range(len(labels)), key=lambda i: rank.get(labels[i], len(names)))
        place_legend(ax, [handles[i] for i in order], [labels[i] for i in order], legend,
                     below=below)  # fmt: skip
        ax.set_title(f"predicted classes of the {names[0]}" if title is None else title)
    return fig
