"""Pictures of the ideas, for teaching: the two kernels, and what a permutation test does."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from densitylab.plotting._style import (
    GENERATED_COLOR,
    figure_legend,
    legend_outside,
    new_axes,
    report_rc,
)
from densitylab.plotting._ticks import use_numbers
from densitylab.report.typography import number, p_value, to_tex

__all__ = ["plot_kernels", "plot_permutation_null"]

_SE_COLOR, _IMQ_COLOR, _NULL_COLOR = "#1f78b4", "#e6550d", "#9ecae1"
_OTHER_STYLES = [":", "-."]


def _positive(value, name) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return value


def plot_kernels(sigma, *, ax=None, d_max=None, other=None) -> Figure:
    """The SE and IMQ kernels against the distance between two points, at each σ named.

    SE: ``k(d) = exp(−d²/σ²)``; IMQ: ``k(d) = (1 + d²/σ²)^(−1/2)`` (the definitions of
    :mod:`densitylab.mmd`). The IMQ kernel's heavy tail still tells far points apart
    where the SE kernel is already 0.

    Parameters
    ----------
    sigma : float
        The bandwidth σ of the median heuristic: both kernels drawn solid at it, and a
        thin grey vertical line at ``d = σ`` (in the legend as "d = σ").
    ax : matplotlib.axes.Axes, optional
        Draw into this Axes; by default a new one-panel figure.
    d_max : float, optional
        Right end of the distance axis; default four times the largest σ shown.
    other : mapping of str to float, optional
        Further σ, where it comes from → value, e.g. ``{"original study": 0.12}``:
        both kernels drawn at each of them too (dotted, then dash-dotted), with a
        vertical line at ``d = σ`` in that style, so the figure shows how the kernels
        see distance at every scale it names.

    Returns
    -------
    matplotlib.figure.Figure
        Two curves per σ (SE blue, IMQ orange; the line style tells the σ) and a grey
        vertical line at it; legend entries naming kernel and σ, and each marker line;
        the legend outside the axes.

    Examples
    --------
    >>> from densitylab.plotting import plot_kernels
    >>> fig = plot_kernels(0.8, other={"original study": 0.12})
    >>> sorted(line.get_gid() for line in fig.axes[0].get_lines() if "kernel" in line.get_gid())
    ['kernel:imq:0', 'kernel:imq:1', 'kernel:se:0', 'kernel:se:1']
    """
    sigma = _positive(sigma, "sigma")
    other = dict(other or {})
    if not isinstance(other, Mapping):
        raise TypeError("other must map labels to bandwidths.")
    others = {label: _positive(v, f"other[{label!r}]") for label, v in other.items()}
    d_max = 4 * max([sigma, *others.values()]) if d_max is None else _positive(d_max, "d_max")
    d = np.linspace(0.0, d_max, 600)
    scales = [("median heuristic", sigma), *others.items()]
    styles = ["-", *_OTHER_STYLES]
    below = ax is None
    with report_rc():
        fig, ax = new_axes(ax, aspect=0.5)
        for k, (source, value) in enumerate(scales):
            style = styles[k % len(styles)]
            ratio = (d / value) ** 2
            where = rf"$\sigma = {to_tex(number(value, 2))}$ ({source})"
            ax.plot(d, np.exp(-ratio), color=_SE_COLOR, linestyle=style, gid=f"kernel:se:{k}",
                    label=f"SE, {where}")  # fmt: skip
            ax.plot(d, (1 + ratio) ** -0.5, color=_IMQ_COLOR, linestyle=style,
                    gid=f"kernel:imq:{k}", label=f"IMQ, {where}")  # fmt: skip
            ax.axvline(value, color="#7f7f7f", linewidth=0.8, linestyle=style, zorder=1,
                       gid="sigma" if k == 0 else f"other:{source}",
                       label=rf"$d = \sigma$ ({source})")  # fmt: skip
        ax.set_xlim(0, d_max)
        ax.set_ylim(0, 1.04)
        use_numbers(ax, axis="x")
        use_numbers(ax, axis="y")
        ax.set_xlabel(r"distance between two points $d = \|x - y\|$")
        ax.set_ylabel("kernel value $k(d)$")
        legend_outside(ax, below=below)
        ax.set_title(r"SE $\exp(-d^2/\sigma^2)$ and IMQ $(1 + d^2/\sigma^2)^{-1/2}$")
    return fig


def _null_limits(null, statistic):
    """x-limits holding the null and the observed value, 6 % margin each side."""
    lo, hi = min(null.min(), statistic, 0.0), max(null.max(), statistic)
    pad = 0.06 * ((hi - lo) or abs(hi) or 1.0)
    return lo - pad, hi + pad


def plot_permutation_null(result, *, ax=None, title=None, legend=None, zoom=None) -> Figure:
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
    legend : {None, "figure", False}, default=None
        ``None``: below the panel when the function makes the figure, else a compact
        one inside the panel; ``"figure"``: one legend under all panels (the entries
        carry no numbers, so panels share them); ``False``: none.
    zoom : bool or None, default=None
        An inset showing the null distribution on its own scale. ``None``: when the
        null is narrow beside the distance to the observed value (under a tenth of
        the axis), so it is not a sliver.

    Returns
    -------
    matplotlib.figure.Figure
        A histogram of ``result.null_statistics``, a vertical line at
        ``result.statistic`` labelled with its value and p-value (above the bars, on
        the side of the line away from 0 where the axis leaves room, so the zero line
        does not cross the text), x-limits holding both with a margin.

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
    >>> lo, hi = fig.axes[0].get_xlim(); bool(lo < result.statistic < hi)
    True
    """
    null = np.asarray(result.null_statistics, dtype=np.float64)
    statistic = float(result.statistic)
    if null.ndim != 1 or null.size < 1 or not np.isfinite(null).all():
        raise ValueError("result.null_statistics must be a non-empty 1-D array of finite values.")
    if legend not in (None, "figure", False):
        raise ValueError(f"legend must be None, 'figure' or False, got {legend!r}.")
    below = ax is None
    bins = min(40, max(10, null.size // 10))
    lo, hi = _null_limits(null, statistic)
    narrow = (null.max() - null.min()) < 0.1 * (hi - lo)
    with report_rc():
        fig, ax = new_axes(ax, aspect=0.5)
        ax.hist(null, bins=bins, color=_NULL_COLOR, edgecolor="white", linewidth=0.5,
                gid="null", label=f"MMD² of {number(null.size)} random splits")  # fmt: skip
        ax.axvline(statistic, color=GENERATED_COLOR, linewidth=2.0, gid="observed",
                   label="observed MMD²")  # fmt: skip
        ax.axvline(0.0, color="#b0b0b0", linewidth=0.8, zorder=0, gid="zero")
        ax.set_xlim(lo, hi)
        tallest = max((p.get_height() for p in ax.patches), default=0.0)
        ax.set_ylim(0, 1.35 * tallest or 1.0)  # room for the value's text above the bars
        left = _text_on_left(statistic, lo, hi)
        ax.annotate(f"{number(statistic, 2)}\n{p_value(result.p_value)}", (statistic, 0.96),
                    xycoords=("data", "axes fraction"), xytext=(-5 if left else 5, 0),
                    textcoords="offset points", ha="right" if left else "left", va="top",
                    color=GENERATED_COLOR, gid="observed-text")  # fmt: skip
        use_numbers(ax, axis="x")
        ax.set_xlabel("MMD²")
        ax.set_ylabel("number of splits")
        if zoom or (zoom is None and narrow):
            _zoom_inset(ax, null, bins, statistic > (lo + hi) / 2)
        if legend == "figure":
            figure_legend(fig, *ax.get_legend_handles_labels())
        elif legend is None and below:
            legend_outside(ax, below=True)
        elif legend is None:
            ax.legend(loc="upper center", frameon=False, ncols=1, borderaxespad=0.2)
        ax.set_title("permutation test of MMD²" if title is None else title)
    return fig


def _text_on_left(statistic, lo, hi, room=0.2):
    """Whether the observed value's text goes left of its line: away from the zero line
    (so that line does not cross it) where the axis leaves ``room`` on that side, else
    into the wider side."""
    position = (statistic - lo) / (hi - lo)
    if statistic < 0 and position >= room:
        return True
    if statistic > 0 and position <= 1 - room:
        return False
    return position > 0.5


def _zoom_inset(ax, null, bins, right):
    """The null distribution on its own scale, in an inset away from the observed line."""
    inset = ax.inset_axes([0.36, 0.22, 0.3, 0.5] if right else [0.62, 0.22, 0.3, 0.5])
    inset.set_gid("null-zoom")
    inset.hist(null, bins=bins, color=_NULL_COLOR, edgecolor="white", linewidth=0.4)
    inset.axvline(0.0, color="#b0b0b0", linewidth=0.8, zorder=0)
    use_numbers(inset, axis="x")
    inset.xaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 5, 10]))
    inset.set_yticks([])
    inset.set_title("null, enlarged", fontsize=mpl.rcParams["xtick.labelsize"])
    inset.tick_params(labelsize=mpl.rcParams["xtick.labelsize"])
    return inset
