"""2-D figures: a fitted density, generated against test points, the MMD witness, a tree.

All panels show the plane with equal scales on both axes; colour bars sit right of the
panel, legends below it (a figure of its own) or beside it (a given Axes), so neither
covers data.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from densitylab.plotting._planar import (
    check_bounds,
    check_grid_size,
    check_points,
    colorbar,
    data_bounds,
    draw_density,
    frame,
    grid,
    leaf_cells,
    pixel_extent,
    plane_panel,
    point_handle,
    scatter,
)
from densitylab.plotting._style import (
    KERNEL_TITLES,
    figure_legend,
    legend_outside,
    new_figure,
    report_rc,
)
from densitylab.report.typography import number

#: The colour bar's label of a witness function.
WITNESS_LABEL = "witness $f$\n− too few generated points, + too many"

__all__ = [
    "data_bounds",
    "plot_density",
    "plot_model_gallery",
    "plot_partition",
    "plot_samples",
    "plot_witness",
]


def plot_density(model, X_train, *, ax=None, bounds=None, grid_size=150, title=None) -> Figure:
    """Filled contours of a fitted 2-D density, its training points on top.

    Parameters
    ----------
    model : fitted estimator
        With ``score_samples`` (natural-log density) on 2-D points.
    X_train : array-like of shape (n, 2)
        Training points, drawn as dark dots.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Plotted region; default :func:`data_bounds` of ``X_train``.
    grid_size : int, default=150
        Evaluation points per axis.
    title : str, optional
        ``None``: "density of the fitted model"; ``""``: no title.

    Returns
    -------
    matplotlib.figure.Figure
        Ten levels from zero (white: the density is zero there) to the maximum, with a
        colour bar labelled "density" right of the panel.

    Examples
    --------
    >>> from densitylab.data import sample_moons
    >>> from densitylab.models import SingleGaussian
    >>> from densitylab.plotting import plot_density
    >>> X = sample_moons(200, random_state=0)
    >>> fig = plot_density(SingleGaussian().fit(X), X, grid_size=40)
    >>> ax = fig.axes[0]
    >>> ax.get_xlabel(), ax.collections[0].colorbar.ax.get_ylabel()
    ('$x_1$', 'density')
    """
    X_train = check_points(X_train, "X_train")
    bounds = check_bounds(data_bounds(X_train) if bounds is None else bounds)
    grid_size = check_grid_size(grid_size)
    title = "density of the fitted model" if title is None else title
    with plane_panel(ax, bounds, title) as (fig, ax, below):
        filled = draw_density(ax, model, bounds, grid_size)
        scatter(ax, X_train, "train")
        frame(ax, bounds)
        colorbar(fig, filled, ax, "density")
        handle, label = point_handle("train", "training points")
        legend_outside(ax, [handle], [label], below=below)
    return fig


def plot_samples(
    X_generated, X_reference, *, ax=None, bounds=None, labels=("generated", "test"), title=None
) -> Figure:
    """Generated points (orange) over reference points (grey), legend outside the panel.

    Parameters
    ----------
    X_generated : array-like of shape (n, 2)
    X_reference : array-like of shape (m, 2)
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Default: :func:`data_bounds` of both samples.
    labels : (str, str), default=("generated", "test")
        Legend entries of the two samples.
    title : str, optional
        ``None``: "generated vs test points" (from ``labels``); ``""``: no title.

    Returns
    -------
    matplotlib.figure.Figure
        The reference points in grey under the generated ones in orange; the legend
        lists the generated sample first.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_samples
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_samples(rng.standard_normal((100, 2)), rng.standard_normal((100, 2)))
    >>> [t.get_text() for t in fig.legends[0].get_texts()]  # below the panel
    ['generated', 'test']
    """
    X_generated = check_points(X_generated, "X_generated")
    X_reference = check_points(X_reference, "X_reference")
    bounds = check_bounds(data_bounds(X_generated, X_reference) if bounds is None else bounds)
    generated_label, reference_label = labels
    title = f"{generated_label} vs {reference_label} points" if title is None else title
    with plane_panel(ax, bounds, title, bar=False) as (fig, ax, below):
        scatter(ax, X_reference, "test")
        scatter(ax, X_generated, "generated")
        frame(ax, bounds)
        entries = [
            point_handle("generated", generated_label),
            point_handle("test", reference_label),
        ]
        handles, texts = zip(*entries, strict=True)
        legend_outside(ax, handles, texts, below=below)
    return fig


def plot_witness(
    X,
    Y,
    *,
    ax=None,
    bandwidth,
    kernel="se",
    bounds=None,
    grid_size=120,
    title=None,
    limit=None,
    with_colorbar=True,
    legend=True,
) -> Figure:
    """The MMD witness function of generated points ``X`` against test points ``Y``.

    ``f(t) = mean_i k(t, X_i) − mean_j k(t, Y_j)`` (:func:`densitylab.mmd.witness`):
    positive (red) where the model puts too much mass, negative (blue) where too
    little; MMD² is its squared norm. The colour scale is symmetric about 0 (white);
    the test points are drawn faintly for orientation.

    Parameters
    ----------
    X : array-like of shape (n, 2)
        Generated points.
    Y : array-like of shape (m, 2)
        Test (or held-out) points.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    bandwidth : float
        The kernel bandwidth σ (e.g. the one the MMD² was computed with).
    kernel : {"se", "imq"}, default="se"
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Default: :func:`data_bounds` of both samples.
    grid_size : int, default=120
        Evaluation points per axis, from edge to edge of ``bounds`` (pixel centres).
    title : str, optional
        ``None``: names the kernel and σ; ``""``: no title.
    limit : float > 0, optional
        The colour scale runs from ``−limit`` to ``limit``; by default the largest
        ``|f|`` on the grid. Give two panels one limit to compare them (or use
        :func:`plot_witness_panels`, which shares limits, region and colour bar).
    with_colorbar : bool, default=True
        Draw the colour bar; ``False`` leaves it to the caller (one bar for panels).
    legend : bool, default=True
        The test points' legend entry below the panel; ``False``: none.

    Returns
    -------
    matplotlib.figure.Figure
        ``f`` as an image of ``grid_size²`` pixels with its colour bar right of the panel,
        the faint test points on top and their legend entry below the panel.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_witness
    >>> rng = np.random.default_rng(0)
    >>> X, Y = rng.normal(0.3, 1, (200, 2)), rng.normal(0, 1, (200, 2))
    >>> fig = plot_witness(X, Y, bandwidth=1.0, grid_size=30)
    >>> low, high = fig.axes[0].get_images()[0].get_clim()
    >>> bool(low == -high)
    True
    """
    from densitylab.mmd import witness  # added to densitylab.mmd in the statistics round

    X, Y = check_points(X, "X"), check_points(Y, "Y")
    bounds = check_bounds(data_bounds(X, Y) if bounds is None else bounds)
    grid_size = check_grid_size(grid_size)
    xs, ys, T = grid(bounds, grid_size)
    f = witness(X, Y, T, kernel=kernel, bandwidth=bandwidth).reshape(grid_size, grid_size)
    top = (float(np.max(np.abs(f))) or 1.0) if limit is None else float(limit)
    if not top > 0:
        raise ValueError(f"limit must be a number > 0, got {limit!r}.")
    if title is None:
        kernel_name = KERNEL_TITLES.get(kernel, f"{kernel} kernel")
        title = f"MMD witness, {kernel_name}, σ\u00a0=\u00a0{number(float(bandwidth), 2)}"
    with plane_panel(ax, bounds, title) as (fig, ax, _):
        image = ax.imshow(
            f,
            origin="lower",
            extent=pixel_extent(xs, ys),
            cmap="RdBu_r",
            vmin=-top,
            vmax=top,
            interpolation="nearest",
        )
        scatter(ax, Y, "test", size=2.0, alpha=0.35)
        frame(ax, bounds)
        if with_colorbar:
            colorbar(fig, image, ax, WITNESS_LABEL, symmetric=True)
        if legend:
            handle, label = point_handle("test", "test points", alpha=0.35)
            # Below the panel: the colour bar holds the space on its right.
            legend_outside(ax, [handle], [label], below=True)
    return fig


def plot_partition(tree, X, *, ax=None, bounds=None, title=None) -> Figure:
    """The axis-aligned cells of one fitted density tree over points, leaf means marked.

    Parameters
    ----------
    tree : densitylab.models.forest.DensityTree
        One tree of a :class:`~densitylab.models.DensityForest` fitted on 2-D data,
        e.g. ``forest.trees_[0]``.
    X : array-like of shape (n, 2)
        Points drawn under the cells (e.g. the training data).
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        The region the cells are cut to; default :func:`data_bounds` of ``X``.
    title : str, optional
        ``None``: "one density tree: N leaves"; ``""``: no title.

    Returns
    -------
    matplotlib.figure.Figure
        One rectangle per leaf (``tree.n_leaves`` patches) tiling ``bounds``, and an
        "×" at each leaf's Gaussian mean.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import DensityForest
    >>> from densitylab.plotting import plot_partition
    >>> X = np.random.default_rng(0).standard_normal((300, 2))
    >>> tree = DensityForest(n_trees=1, n_min=30, random_state=0).fit(X).trees_[0]
    >>> fig = plot_partition(tree, X)
    >>> len(fig.axes[0].patches) == tree.n_leaves
    True
    """
    X = check_points(X, "X")
    means = np.asarray(tree.means, dtype=np.float64)
    if means.ndim != 2 or means.shape[1] != 2:
        raise ValueError(
            f"tree must be fitted on 2-D data; its leaf means have shape {means.shape}."
        )
    bounds = check_bounds(data_bounds(X) if bounds is None else bounds)
    cells = leaf_cells(tree, bounds)
    title = f"one density tree: {tree.n_leaves} leaves" if title is None else title
    with plane_panel(ax, bounds, title, bar=False) as (fig, ax, below):
        scatter(ax, X, "train", alpha=0.35)
        for (x0, x1), (y0, y1) in cells:
            ax.add_patch(
                Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#08519c",
                          linewidth=1.0, gid="cell")
            )  # fmt: skip
        lower, upper = np.array(bounds).T
        inside = np.all((means >= lower) & (means <= upper), axis=1)
        ax.plot(*means[inside].T, linestyle="none", marker="x", color="#cb181d", markersize=6,
                markeredgewidth=1.6, gid="leaf-means")  # fmt: skip
        frame(ax, bounds)
        handles = [
            point_handle("train", "points", alpha=0.35)[0],
            Patch(fill=False, edgecolor="#08519c", linewidth=1.0),
            ax.get_lines()[-1],
        ]
        labels = ["points", "leaf cells", "leaf Gaussian means"]
        legend_outside(ax, handles, labels, below=below)
    return fig


def plot_model_gallery(fitted, X_train, generated, X_test, *, grid_size=100) -> Figure:
    """Every model twice: its density with the training points, its samples against test points.

    Two models per row, each as a pair of panels under the model's name; one legend
    below (or in the free slot beside an odd last model). All panels share the plotted
    region (:func:`data_bounds` of training and test points); the plane's coordinates
    carry no meaning here, so there are no ticks.

    Parameters
    ----------
    fitted : mapping of str to fitted estimator
        Title (e.g. "GMM, $K = 8$") → fitted 2-D density model, in display order.
    X_train : array-like of shape (n, 2)
        The training set the models were fitted on.
    generated : mapping of str to ndarray
        Title → generated sample of shape (k, 2); the same titles as ``fitted``.
    X_test : array-like of shape (m, 2)
        Test points, drawn under the generated ones.
    grid_size : int, default=100
        Density evaluation points per axis.

    Returns
    -------
    matplotlib.figure.Figure
        One subfigure per model, two per row, each a density panel and a samples panel;
        the legend in the free slot beside an odd last model, else below all of them.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import GMM, SingleGaussian
    >>> from densitylab.plotting import plot_model_gallery
    >>> X = np.random.default_rng(0).standard_normal((200, 2))
    >>> fitted = {"Gaussian": SingleGaussian().fit(X), "GMM": GMM(2, random_state=0).fit(X)}
    >>> generated = {name: model.sample(200, 1) for name, model in fitted.items()}
    >>> fig = plot_model_gallery(fitted, X, generated, X, grid_size=30)
    >>> [sub.get_suptitle() for sub in fig.subfigs], len(fig.legends)  # the legend below
    (['Gaussian', 'GMM'], 1)
    """
    if not isinstance(fitted, Mapping) or not isinstance(generated, Mapping):
        raise TypeError("fitted and generated must be mappings of title to model / sample.")
    if not fitted or list(fitted) != list(generated):
        raise ValueError(
            "fitted and generated must be non-empty with the same titles in the same order; "
            f"got {list(fitted)} and {list(generated)}."
        )
    X_train, X_test = check_points(X_train, "X_train"), check_points(X_test, "X_test")
    samples = {name: check_points(generated[name], f"generated[{name!r}]") for name in fitted}
    grid_size = check_grid_size(grid_size)
    bounds = data_bounds(X_train, X_test)
    n_rows = -(-len(fitted) // 2)
    (x0, x1), (y0, y1) = bounds
    panel = float(np.clip((y1 - y0) / (x1 - x0), 0.35, 1.2))
    entries = [
        (Patch(color="#6baed6"), "density (darker: higher)"),
        point_handle("train", "training points"),
        point_handle("generated", "generated points"),
        point_handle("test", "test points"),
    ]
    handles, labels = (list(column) for column in zip(*entries, strict=True))
    with report_rc():
        fig, _ = new_figure(1, 1, aspect=n_rows * (panel / 4 + 0.045) + 0.06)
        fig.clear()  # the gallery is laid out in subfigures, one per model
        subfigs = fig.subfigures(n_rows, 2, squeeze=False, wspace=0.04).ravel()
        for sub, name in zip(subfigs, fitted, strict=False):
            density_ax, samples_ax = sub.subplots(1, 2, sharex=True, sharey=True)
            draw_density(density_ax, fitted[name], bounds, grid_size)
            scatter(density_ax, X_train, "train", size=0.8, alpha=0.45)
            scatter(samples_ax, X_test, "test", size=0.8)
            scatter(samples_ax, samples[name], "generated", size=0.8)
            for ax in (density_ax, samples_ax):
                frame(ax, bounds, labels=False)
            sub.suptitle(name)
        if len(fitted) % 2:  # the free slot beside the last model holds the legend
            subfigs[-1].legend(handles, labels, loc="center", frameon=False)
        else:
            figure_legend(fig, handles, labels)
    return fig
