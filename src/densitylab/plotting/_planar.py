"""Helpers of the 2-D figures: point checks, bounds, grids, panels, scatters and tree cells."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from densitylab.plotting._style import (
    GENERATED_COLOR,
    TEST_COLOR,
    TRAIN_COLOR,
    new_axes,
    report_rc,
)
from densitylab.plotting._ticks import NumberFormatter

#: Colormap of densities: white where the density is zero, dark where it is high.
DENSITY_CMAP = "Blues"


def check_points(X, name):
    """``X`` as a float array of 2-D points, or a ValueError naming it."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] < 1:
        raise ValueError(f"{name} must hold 2-D points, shape (n, 2) with n ≥ 1; got {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError(f"{name} must be finite (no NaN or inf).")
    return X


def data_bounds(*samples, pad=0.25):
    """Axis limits ``((xmin, xmax), (ymin, ymax))`` enclosing 2-D samples, padded.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.plotting import data_bounds
    >>> data_bounds(np.array([[0.0, 0.0], [1.0, 2.0]]), pad=0.5)
    ((-0.5, 1.5), (-0.5, 2.5))
    """
    if not samples:
        raise ValueError("data_bounds needs at least one sample of 2-D points.")
    X = np.concatenate([check_points(s, "samples") for s in samples])
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def check_bounds(bounds):
    """``((x0, x1), (y0, y1))`` as floats with ``x0 < x1`` and ``y0 < y1``."""
    try:
        (x0, x1), (y0, y1) = bounds
        x0, x1, y0, y1 = map(float, (x0, x1, y0, y1))
    except (TypeError, ValueError):
        raise ValueError(f"bounds must be ((xmin, xmax), (ymin, ymax)), got {bounds!r}.") from None
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"bounds must have xmin < xmax and ymin < ymax, got {bounds!r}.")
    return (x0, x1), (y0, y1)


def check_grid_size(grid_size) -> int:
    if isinstance(grid_size, bool) or not isinstance(grid_size, int | np.integer):
        raise ValueError(f"grid_size must be a whole number >= 2, got {grid_size!r}.")
    if grid_size < 2:
        raise ValueError(f"grid_size must be a whole number >= 2, got {grid_size!r}.")
    return int(grid_size)


def grid(bounds, grid_size):
    """Evaluation points: ``grid_size`` per axis from edge to edge of ``bounds``.

    Returns ``(xs, ys, T)`` with ``T`` of shape (grid_size², 2), row ``i * grid_size + j``
    being ``(xs[j], ys[i])`` — so ``f(T).reshape(grid_size, grid_size)[i, j]`` is the
    value at ``(xs[j], ys[i])``, an image with rows along y.
    """
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, grid_size), np.linspace(y0, y1, grid_size)
    GX, GY = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([GX.ravel(), GY.ravel()])


def pixel_extent(xs, ys):
    """``imshow`` extent that centres pixel ``[i, j]`` on ``(xs[j], ys[i])``."""
    dx, dy = (xs[-1] - xs[0]) / (xs.size - 1), (ys[-1] - ys[0]) / (ys.size - 1)
    return (xs[0] - dx / 2, xs[-1] + dx / 2, ys[0] - dy / 2, ys[-1] + dy / 2)


def frame(ax, bounds, *, labels=True):
    """Limits, equal scales on both axes and, with ``labels``, the axis names $x_1$, $x_2$."""
    ax.set_xlim(*bounds[0])
    ax.set_ylim(*bounds[1])
    ax.set_aspect("equal")
    ax.grid(False)
    for spine in ax.spines.values():  # a picture of the plane: framed on all sides
        spine.set_visible(True)
        spine.set_color("#808080")
    if labels:
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
    else:
        ax.set_xticks([])
        ax.set_yticks([])


def point_size(n: int) -> float:
    """Marker area for a scatter of ``n`` points: smaller as they get many."""
    return float(np.clip(90.0 / np.sqrt(max(n, 1)), 1.5, 12.0))


def scatter(ax, X, role, *, label=None, size=None, alpha=None):
    """Training (dark), test (grey) or generated (orange) points."""
    color = {"train": TRAIN_COLOR, "test": TEST_COLOR, "generated": GENERATED_COLOR}[role]
    return ax.scatter(
        X[:, 0],
        X[:, 1],
        s=point_size(len(X)) if size is None else size,
        color=color,
        alpha={"train": 0.7, "test": 0.45, "generated": 0.55}[role] if alpha is None else alpha,
        linewidths=0,
        label=label,
        rasterized=len(X) > 500,
        gid=role,
    )


def point_handle(role, label, *, alpha=None):
    """A legend entry for a scatter, with a readable marker whatever the points' size.

    ``alpha``: that of the points drawn (so the marker has their colour on the page);
    ``None`` means the default of :func:`scatter` for the role.
    """
    color = {"train": TRAIN_COLOR, "test": TEST_COLOR, "generated": GENERATED_COLOR}[role]
    alpha = {"train": 0.7, "test": 0.45, "generated": 0.55}[role] if alpha is None else alpha
    handle = Line2D([], [], linestyle="none", marker="o", markersize=6, color=color, alpha=alpha)
    return handle, label


def draw_density(ax, model, bounds, grid_size):
    """Filled contours of ``exp(score_samples)``; zero density stays white."""
    xs, ys, T = grid(bounds, grid_size)
    # exp(−inf) = 0 exactly: empty histogram bins stay blank.
    density = np.exp(np.asarray(model.score_samples(T), dtype=np.float64))
    density = density.reshape(grid_size, grid_size)
    top = float(np.max(density))
    # Ten bands from just above 0 to the maximum (included): only a density of exactly
    # zero (an empty histogram bin) stays white.
    bands = np.linspace(0.0, top * (1 + 1e-9), 11)[1:]
    levels = np.r_[np.finfo(np.float64).tiny, bands] if top > 0 else [0.5, 1.0]
    return ax.contourf(xs, ys, density, levels=levels, cmap=DENSITY_CMAP)


def leaf_cells(tree, bounds):
    """The rectangle ``((x0, x1), (y0, y1))`` of every leaf of a 2-D tree, within ``bounds``.

    Walks the node arrays from the root: a split node ``i`` sends
    ``x[feature[i]] <= threshold[i]`` left, so the left child's cell ends and the right
    child's begins at the threshold (clipped to the parent's cell, so cells never
    overlap and always tile ``bounds``). Cells are ordered as the tree's leaf arrays.
    """
    cells = [None] * int(np.max(tree.leaf_index) + 1)

    def visit(node, cell):
        feature = int(tree.feature[node])
        if feature < 0:
            cells[int(tree.leaf_index[node])] = cell
            return
        lo, hi = cell[feature]
        cut = min(max(float(tree.threshold[node]), lo), hi)
        left, right = list(cell), list(cell)
        left[feature], right[feature] = (lo, cut), (cut, hi)
        visit(int(tree.children_left[node]), tuple(left))
        visit(int(tree.children_right[node]), tuple(right))

    visit(0, tuple(bounds))
    return cells


def panel_aspect(bounds, *, bar=True):
    """Figure aspect for one equal-scaled panel of ``bounds``, its title, legend and bar."""
    (x0, x1), (y0, y1) = bounds
    ratio = float(np.clip((y1 - y0) / (x1 - x0), 0.3, 1.3))
    return ratio * (0.78 if bar else 0.9) + 0.14


@contextmanager
def plane_panel(ax, bounds, title, *, bar=True):
    """An equal-scaled panel of ``bounds`` in the report's style: yields ``(fig, ax, below)``.

    A new one-panel figure unless ``ax`` is given (``below``: a legend may go under the
    panel); ``title`` is set when the drawing is done.
    """
    below = ax is None
    with report_rc():
        fig, ax = new_axes(ax, aspect=panel_aspect(bounds, bar=bar))
        yield fig, ax, below
        ax.set_title(title)


def colorbar(fig, mappable, ax, label, *, symmetric=False):
    """A colour bar right of the panel, ticks at round values in the number style."""
    # An inset: exactly as tall as the (equal-scaled) panel, inside its layout box.
    bar = fig.colorbar(mappable, cax=ax.inset_axes([1.03, 0.0, 0.035, 1.0]))
    bar.set_label(label)
    bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10], symmetric=symmetric))
    bar.ax.yaxis.set_major_formatter(NumberFormatter())
    bar.ax.minorticks_off()
    return bar
