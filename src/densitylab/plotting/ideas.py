"""Pictures of the ideas, for teaching: the two kernels, and what a permutation test does."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from densitylab.plotting._style import (
    GENERATED_COLOR,
    legend_outside,
    new_axes,
    report_rc,
)
from densitylab.plotting._ticks import use_numbers
from densitylab.report.typography import number, p_value, to_tex

__all__ = ["plot_kernels", "plot_permutation_null"]

_SE_COLOR, _IMQ_COLOR = "#1f78b4", "#e6550d"
_OTHER_STYLES = [":", "-."]


def _positive(value, name) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return value


def plot_kernels(sigma, *, ax=None, d_max=None, other=None) -> Figure:
    """The SE and IMQ kernels against the distance between two points, σ marked.

    SE: ``k(d) = exp(−d²/σ²)``; IMQ: ``k(d) = (1 + d²/σ²)^(−1/2)`` (the definitions of
    :mod:`densitylab.mmd`). The IMQ kernel's heavy tail still tells far points apart
    where the SE kernel is already 0.

    Parameters
    ----------
    sigma : float
        The bandwidth σ, marked by a vertical line "σ (median heuristic)".
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    d_max : float, optional
        Right end of the distance axis; default four times the largest σ shown.
    other : mapping of str to float, optional
        Further σ to mark, where it comes from → value, e.g. ``{"original study":
        0.12}`` (legend "σ = 0.12 (original study)"); the kernels stay drawn with
        ``sigma``.

    Returns
    -------
    matplotlib.figure.Figure
        Both kernels from distance 0 to ``d_max``, a solid vertical line at ``sigma`` and
        a dotted or dash-dotted one per further σ; the legend outside the axes.

    Examples
    --------
    >>> from densitylab.plotting import plot_kernels
    >>> fig = plot_kernels(0.8, other={"original study": 0.12})
    >>> [t.get_text() for t in fig.legends[0].get_texts()][:2]
    ['SE kernel $\\\\exp(-d^2/\\\\sigma^2)$', 'IMQ kernel $(1 + d^2/\\\\sigma^2)^{-1/2}$']
    """
    sigma = _positive(sigma, "sigma")
    other = dict(other or {})
    if not isinstance(other, Mapping):
        raise TypeError("other must map labels to bandwidths.")
    others = {label: _positive(v, f"other[{label!r}]") for label, v in other.items()}
    d_max = 4 * max([sigma, *others.values()]) if d_max is None else _positive(d_max, "d_max")
    d = np.linspace(0.0, d_max, 400)
    ratio = (d / sigma) ** 2
    below = ax is None
    with report_rc():
        fig, ax = new_axes(ax, aspect=0.5)
        ax.plot(d, np.exp(-ratio), color=_SE_COLOR, gid="se",
                label=r"SE kernel $\exp(-d^2/\sigma^2)$")  # fmt: skip
        ax.plot(d, (1 + ratio) ** -0.5, color=_IMQ_COLOR, linestyle="--", gid="imq",
                label=r"IMQ kernel $(1 + d^2/\sigma^2)^{-1/2}$")  # fmt: skip
        ax.axvline(sigma, color="#1a1a1a", linewidth=1.2, gid="sigma",
                   label=rf"$\sigma = {to_tex(number(sigma, 2))}$ (median heuristic)")  # fmt: skip
        for k, (label, value) in enumerate(others.items()):
            ax.axvline(value, color="#555555", linewidth=1.2, gid=f"other:{label}",
                       linestyle=_OTHER_STYLES[k % len(_OTHER_STYLES)],
                       label=rf"$\sigma = {to_tex(number(value, 2))}$ ({label})")  # fmt: skip
        ax.set_xlim(0, d_max)
        ax.set_ylim(0, 1.04)
        use_numbers(ax, axis="x")
        use_numbers(ax, axis="y")
        ax.set_xlabel(r"distance between two points $d = \|x - y\|$")
        ax.set_ylabel("kernel value $k(d)$")
        legend_outside(ax, below=below)
        ax.set_title("the two MMD kernels: similarity against distance")
    return fig


def plot_permutation_null(result, *, ax=None, title=None) -> Figure:
    """A permutation test pictured: the MMD² of shuffled samples, and the observed one.

    Pooling both samples and splitting them at random gives MMD² values of samples
    from one distribution (the null); the p-value is the share of those at least as
    large as the observed MMD² (counting the observed split itself).

    Parameters
    ----------
    result : densitylab.mmd.MMDTestResult
        From :func:`densitylab.mmd.mmd_permutation_test`: ``statistic``, ``p_value``,
        ``null_statistics``.
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    title : str, optional
        The panel's title; default "permutation test of MMD²".

    Returns
    -------
    matplotlib.figure.Figure
        A histogram of ``result.null_statistics`` and a vertical line at
        ``result.statistic``, its legend entry giving the p-value.

    Examples
    --------
    >>> import numpy as np
    >>> from densitylab.mmd import mmd_permutation_test
    >>> from densitylab.plotting import plot_permutation_null
    >>> rng = np.random.default_rng(0)
    >>> result = mmd_permutation_test(rng.normal(0.5, 1, (60, 2)), rng.normal(0, 1, (60, 2)),
    ...                               n_permutations=200, random_state=0)
    >>> fig = plot_permutation_null(result)
    >>> line = [l for l in fig.axes[0].get_lines() if l.get_gid() == "observed"][0]
    >>> bool(line.get_xdata()[0] == result.statistic)
    True
    """
    null = np.asarray(result.null_statistics, dtype=np.float64)
    statistic = float(result.statistic)
    if null.ndim != 1 or null.size < 1 or not np.isfinite(null).all():
        raise ValueError("result.null_statistics must be a non-empty 1-D array of finite values.")
    below = ax is None
    with report_rc():
        fig, ax = new_axes(ax, aspect=0.5)
        ax.hist(null, bins=min(40, max(10, null.size // 10)), color="#9ecae1",
                edgecolor="white", linewidth=0.5, gid="null",
                label=f"MMD² of {number(null.size)} random splits (no difference)")  # fmt: skip
        ax.axvline(statistic, color=GENERATED_COLOR, linewidth=2.0, gid="observed",
                   label=f"observed MMD² = {number(statistic, 2)}, "
                         f"{p_value(result.p_value)}")  # fmt: skip
        ax.axvline(0.0, color="#b0b0b0", linewidth=0.8, zorder=0, gid="zero")
        use_numbers(ax, axis="x")
        ax.set_xlabel("MMD²")
        ax.set_ylabel("number of splits")
        legend_outside(ax, below=below)
        ax.set_title("permutation test of MMD²" if title is None else title)
    return fig
