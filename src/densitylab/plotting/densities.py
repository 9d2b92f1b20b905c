"""2-D figures: a fitted density with its training points; generated against test points."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from densitylab.plotting._style import (
    GENERATED_COLOR,
    TEST_COLOR,
    TRAIN_COLOR,
    _figure,
)


def data_bounds(*samples, pad=0.25):
    """Axis limits ``((xmin, xmax), (ymin, ymax))`` enclosing 2-D samples, padded.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import data_bounds
    >>> data_bounds(np.array([[0.0, 0.0], [1.0, 2.0]]), pad=0.5)
    ((-0.5, 1.5), (-0.5, 2.5))
    """
    X = np.concatenate([np.asarray(s, dtype=np.float64) for s in samples])
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"samples must be 2-D points (n, 2), got shape {X.shape}.")
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _label_xy(ax, *, x=True, y=True):
    if x:
        ax.set_xlabel("$x_1$")
    if y:
        ax.set_ylabel("$x_2$")


def _draw_density(ax, model, X_train, bounds, grid_size, levels):
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, grid_size), np.linspace(y0, y1, grid_size)
    GX, GY = np.meshgrid(xs, ys)
    # exp(-inf) = 0 exactly: regions of zero density (empty histogram bins) stay blank.
    density = np.exp(model.score_samples(np.column_stack([GX.ravel(), GY.ravel()])))
    density = density.reshape(GX.shape)
    top = float(density.max())
    # Levels start above 0, so the region of (near-)zero density stays white.
    contour_levels = np.linspace(0.0, top, levels + 1)[1:] if top > 0 else [0.0, 1.0]
    filled = ax.contourf(GX, GY, density, levels=contour_levels, cmap="Blues")
    ax.scatter(
        X_train[:, 0],
        X_train[:, 1],
        s=3,
        color=TRAIN_COLOR,
        alpha=0.6,
        linewidths=0,
        label="training points",
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    return filled


def _draw_samples(ax, X_generated, X_reference, bounds, labels):
    ax.scatter(
        X_reference[:, 0],
        X_reference[:, 1],
        s=3,
        color=TEST_COLOR,
        alpha=0.5,
        linewidths=0,
        label=labels[1],
    )
    ax.scatter(
        X_generated[:, 0],
        X_generated[:, 1],
        s=3,
        color=GENERATED_COLOR,
        alpha=0.5,
        linewidths=0,
        label=labels[0],
    )
    if bounds is not None:
        ax.set_xlim(*bounds[0])
        ax.set_ylim(*bounds[1])
    ax.set_aspect("equal")


def _check_points(X, name):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"{name} must hold 2-D points, shape (n, 2); got {X.shape}.")
    return X


def plot_density(model, X_train, *, bounds=None, grid_size=200, levels=12, title=None):
    """Filled contours of a fitted 2-D density with its training points on top.

    Parameters
    ----------
    model : fitted estimator
        With ``score_samples`` on 2-D points.
    X_train : array-like of shape (n, 2)
        The training points, drawn as dots.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Plotted region; default :func:`data_bounds` of ``X_train``.
    grid_size : int, default=200
        Evaluation points per axis.
    levels : int, default=12
        Number of contour levels.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes with the contours, a colour bar of the density, labelled axes.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import SingleGaussian
    >>> from densitylab.plotting import plot_density
    >>> X = np.random.default_rng(0).standard_normal((200, 2))
    >>> fig = plot_density(SingleGaussian().fit(X), X, title="single Gaussian")
    """
    X_train = _check_points(X_train, "X_train")
    bounds = data_bounds(X_train) if bounds is None else bounds
    fig, axes = _figure(1, 1, panel_size=(4.2, 3.2))
    ax = axes[0, 0]
    filled = _draw_density(ax, model, X_train, bounds, grid_size, levels)
    fig.colorbar(filled, ax=ax, label="density")
    _label_xy(ax)
    ax.grid(False)
    if title:
        ax.set_title(title)
    return fig


def plot_samples(
    X_generated, X_reference, *, bounds=None, labels=("generated", "test"), title=None
) -> Figure:
    """Scatter of generated points over reference (test) points.

    Parameters
    ----------
    X_generated : array-like of shape (n, 2)
    X_reference : array-like of shape (m, 2)
    bounds : ((xmin, xmax), (ymin, ymax)), optional
    labels : (str, str), default=("generated", "test")
        Legend entries of the two samples.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
        One axes with two scatter collections and a legend.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import plot_samples
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_samples(rng.standard_normal((100, 2)), rng.standard_normal((100, 2)))
    >>> len(fig.axes[0].collections)
    2
    """
    X_generated = _check_points(X_generated, "X_generated")
    X_reference = _check_points(X_reference, "X_reference")
    fig, axes = _figure(1, 1, panel_size=(3.6, 3.2))
    ax = axes[0, 0]
    _draw_samples(ax, X_generated, X_reference, bounds, labels)
    _label_xy(ax)
    ax.legend(loc="upper right", frameon=False, markerscale=3)
    if title:
        ax.set_title(title)
    return fig


def plot_model_gallery(
    models: Mapping[str, object],
    X_train,
    generated: Mapping[str, np.ndarray],
    X_test,
    *,
    bounds=None,
    grid_size=150,
    levels=12,
) -> Figure:
    """Per model (one row each): density with training points, and generated vs test points.

    The left panel of each row is titled with the model's name; the right column
    is titled "generated vs test" once, at the top.

    Parameters
    ----------
    models : mapping of str to fitted estimator
        Row title → fitted 2-D density model.
    X_train : array-like of shape (n, 2)
        The training set every model was fitted on.
    generated : mapping of str to ndarray
        Row title → generated sample (same keys as ``models``).
    X_test : array-like of shape (m, 2)
        Test points drawn beneath the generated points.
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        Shared plotted region; default: :func:`data_bounds` of training and test points.
    grid_size : int, default=150
    levels : int, default=12

    Returns
    -------
    matplotlib.figure.Figure
        A len(models) × 2 grid of axes sharing their limits: density on the
        left, samples on the right.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.models import SingleGaussian
    >>> from densitylab.plotting import plot_model_gallery
    >>> X = np.random.default_rng(0).standard_normal((200, 2))
    >>> sg = SingleGaussian().fit(X)
    >>> fig = plot_model_gallery({"Gaussian": sg}, X, {"Gaussian": sg.sample(200, 1)}, X)
    >>> len(fig.axes)
    2
    """
    if not models or set(models) != set(generated):
        raise ValueError("models and generated must be non-empty with the same keys.")
    X_train = _check_points(X_train, "X_train")
    X_test = _check_points(X_test, "X_test")
    bounds = data_bounds(X_train, X_test) if bounds is None else bounds
    names = list(models)
    fig, axes = _figure(len(names), 2, panel_size=(3.4, 2.3), sharex=True, sharey=True)
    for i, name in enumerate(names):
        left, right = axes[i, 0], axes[i, 1]
        _draw_density(left, models[name], X_train, bounds, grid_size, levels)
        left.set_title(name)
        left.grid(False)
        _draw_samples(
            right,
            _check_points(generated[name], f"generated[{name!r}]"),
            X_test,
            bounds,
            ("generated", "test"),
        )
        right.set_title("generated vs test" if i == 0 else "")
        last = i == len(names) - 1
        _label_xy(left, x=last, y=True)
        _label_xy(right, x=last, y=False)
    axes[0, 0].legend(loc="upper right", frameon=False, markerscale=3)
    axes[0, 1].legend(loc="upper right", frameon=False, markerscale=3)
    return fig
