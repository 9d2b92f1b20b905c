"""Digit figures: grids of 8×8 images, labelled grids and label histograms."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from densitylab.plotting._style import _figure


def _digit_canvas(X, n_rows, n_cols, *, image_shape=(8, 8), vmax=16.0, pad=1):
    """Tile the first ``n_rows·n_cols`` rows of ``X`` as images on one canvas.

    Pixels are clipped to ``[0, vmax]`` (samples of a Gaussian model leave that
    range); the ``pad``-wide gaps between tiles and empty tiles are NaN, drawn in
    the colormap's "bad" colour.
    """
    X = np.asarray(X, dtype=np.float64)
    h, w = image_shape
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(
            f"X must have shape (n_samples, {h * w}) for image_shape={image_shape}, got {X.shape}."
        )
    canvas = np.full((n_rows * (h + pad) + pad, n_cols * (w + pad) + pad), np.nan)
    for k, image in enumerate(X[: n_rows * n_cols]):
        i, j = divmod(k, n_cols)
        top, left = pad + i * (h + pad), pad + j * (w + pad)
        canvas[top : top + h, left : left + w] = np.clip(image.reshape(h, w), 0.0, vmax)
    return canvas


def _show_canvas(ax, canvas, vmax):
    """Draw a digit canvas in grey (0 black, ``vmax`` white), gaps in mid grey."""
    cmap = mpl.colormaps["gray"].with_extremes(bad="#737373")
    ax.imshow(canvas, cmap=cmap, vmin=0.0, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def plot_digit_grid(
    X, *, n_rows=10, n_cols=10, ax=None, title=None, image_shape=(8, 8), vmax=16.0
):
    """Show the first ``n_rows × n_cols`` rows of ``X`` as a grid of grey images.

    Parameters
    ----------
    X : array-like of shape (n_samples, 64)
        Flattened 8×8 images, pixel scale 0–``vmax`` (clipped to it for display).
        Tiles beyond ``n_samples`` stay empty.
    n_rows, n_cols : int, default=10
    ax : matplotlib Axes, optional
        Drawn into a new figure (report style, not registered with pyplot) when omitted;
        the figure is ``ax.figure``.
    title : str, optional
    image_shape : tuple of int, default=(8, 8)
    vmax : float, default=16.0
        Pixel value shown as white (0 is black).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_digit_grid
    >>> ax = plot_digit_grid(np.full((100, 64), 8.0), title="flat grey")
    """
    if ax is None:
        ax = _figure(1, 1, panel_size=(4.5, 4.5))[1][0, 0]
    _show_canvas(ax, _digit_canvas(X, n_rows, n_cols, image_shape=image_shape, vmax=vmax), vmax)
    if title:
        ax.set_title(title)
    return ax


def plot_labelled_digit_grid(
    X, labels, *, n_cols=10, ax=None, title=None, image_shape=(8, 8), vmax=16.0, color="#ff9f1c"
):
    """Grid of images, each tagged with its (predicted) label in its top-left corner.

    Meant for a :class:`densitylab.diagnostics.BalancedBatch`: with
    ``per_class == n_cols`` each row holds one class.

    Parameters
    ----------
    X : array-like of shape (n_samples, 64)
        Flattened images, drawn row by row.
    labels : array-like of shape (n_samples,)
        Label written on each image.
    n_cols : int, default=10
    ax : matplotlib Axes, optional
        As in :func:`plot_digit_grid`.
    title : str, optional
    image_shape : tuple of int, default=(8, 8)
    vmax : float, default=16.0
    color : str
        Colour of the label text.

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_labelled_digit_grid
    >>> ax = plot_labelled_digit_grid(np.zeros((20, 64)), np.repeat([0, 1], 10))
    >>> len(ax.texts)
    20
    """
    X = np.asarray(X, dtype=np.float64)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ValueError(
            f"labels must have one entry per row of X ({X.shape[0]}), got shape {labels.shape}."
        )
    n_rows = max(1, -(-X.shape[0] // n_cols))
    if ax is None:
        ax = _figure(1, 1, panel_size=(0.5 * n_cols, 0.5 * n_rows))[1][0, 0]
    pad = 1
    h, w = image_shape
    _show_canvas(
        ax, _digit_canvas(X, n_rows, n_cols, image_shape=image_shape, vmax=vmax, pad=pad), vmax
    )
    for k, label in enumerate(labels):
        i, j = divmod(k, n_cols)
        ax.text(
            pad + j * (w + pad) - 0.3,
            pad + i * (h + pad) - 0.3,
            str(label),
            color=color,
            fontsize=7,
            fontweight="bold",
            ha="left",
            va="top",
        )
    if title:
        ax.set_title(title)
    return ax


def plot_label_histogram(balance, *, ax=None, title=None, color="C0"):
    """Bar chart of label counts with the count expected under equal classes.

    Parameters
    ----------
    balance : densitylab.diagnostics.LabelBalance
        Result of :func:`densitylab.diagnostics.label_balance`.
    ax : matplotlib Axes, optional
        As in :func:`plot_digit_grid`.
    title : str, optional
    color : str, default="C0"

    Returns
    -------
    ax : matplotlib Axes
        Bars for the counts and a dashed line at ``n / n_classes``; the title
        (after ``title``, if given) states KL to uniform, χ² and its p-value.

    Examples
    --------
    >>> from densitylab.diagnostics import label_balance
    >>> from densitylab.plotting import plot_label_histogram
    >>> ax = plot_label_histogram(label_balance([0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    """
    counts = np.asarray(balance.counts)
    n_classes = counts.shape[0]
    if ax is None:
        ax = _figure(1, 1, panel_size=(4.5, 3.0))[1][0, 0]
    ax.bar(np.arange(n_classes), counts, color=color, width=0.8)
    ax.axhline(
        balance.n_samples / n_classes,
        color="k",
        linestyle="--",
        linewidth=1.0,
        label=f"equal proportions: {balance.n_samples / n_classes:.4g} each",
    )
    ax.set_xticks(np.arange(n_classes))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("count")
    ax.legend(loc="upper right", fontsize=7, frameon=False)
    # Headroom above the tallest bar keeps the legend clear of the bars.
    ax.set_ylim(0, max(counts.max(), balance.n_samples / n_classes) * 1.3)
    stats_line = (
        f"KL = {balance.kl_to_uniform:.3f}, χ² = {balance.chi2:.1f}, p = {balance.p_value:.2g}"
    )
    ax.set_title(f"{title}\n{stats_line}" if title else stats_line)
    return ax
