"""The two-moons chapter's paired-differences figure: each setting against the best.

For each family and criterion, every setting's paired difference to that criterion's
best with its 95 % interval over the training sets; a setting so far out that it would
flatten the ties is marked at the axis' edge instead (:func:`off_scale_settings`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from densitylab.comparisons import rank_settings
from densitylab.report.typography import family, number
from densitylab.studies.claims import select

__all__ = ["OFF_SCALE_FACTOR", "off_scale_settings", "plot_criteria_differences",
           "plot_differences_to_best"]  # fmt: skip

_SYMBOLS = {
    "n_components": "$K$",
    "bandwidth": "$h$",
    "n_min": "$n_\\min$",
    "bins": "bins per axis",
}


#: The axis of a differences panel reaches this many times the ties' widest reach
#: when some setting lies farther out (so the ties are not flattened at 0).
OFF_SCALE_FACTOR = 4.0


def _ends(comparison) -> tuple[float, float]:
    """The interval's ends; the mean where an end is not finite."""
    low = comparison.low if np.isfinite(comparison.low) else comparison.mean
    high = comparison.high if np.isfinite(comparison.high) else comparison.mean
    return float(low), float(high)


def off_scale_settings(ranking) -> tuple[set, float | None]:
    """The settings a differences panel marks at its edge, and the axis' reach.

    When settings other than the best tie with it and some setting's interval reaches
    more than :data:`OFF_SCALE_FACTOR` times as far from 0 as the widest tie's, those
    settings would flatten the ties: the axis is cut at that factor times the ties'
    reach and they are marked at its edge. Otherwise none (and ``None``).

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> from densitylab.studies.moons_differences import off_scale_settings
    >>> c = {1: S(mean=0.016, low=0.014, high=0.017), 5: S(mean=1e-4, low=-3e-4, high=5e-4),
    ...      8: S(mean=1e-4, low=0.0, high=2e-4), 20: S(mean=0.0, low=0.0, high=0.0)}
    >>> off_scale_settings(S(best=20, tied=[5, 8, 20], comparisons=c))
    ({1}, 0.002)
    >>> off_scale_settings(S(best=20, tied=[20], comparisons=c))
    (set(), None)
    """
    reach = {
        value: max(map(abs, _ends(c)))
        for value, c in ranking.comparisons.items()
        if value != ranking.best and np.isfinite(c.mean)
    }
    ties = [reach[v] for v in ranking.tied if v in reach]
    if not ties or max(ties) == 0:
        return set(), None
    limit = OFF_SCALE_FACTOR * max(ties)
    beyond = {value for value, r in reach.items() if r > limit}
    return (beyond, limit) if beyond else (set(), None)


def plot_differences_to_best(ax, ranking, param: str, *, title: str, ylabel: str) -> None:
    """Each setting's paired difference to the best, with its 95 % interval.

    Filled markers: intervals that exclude 0 (worse beyond the noise); open markers:
    intervals that hold 0 (ties); the best itself sits at 0, marked by a star. Settings
    that would flatten the ties (:func:`off_scale_settings`) are drawn as a triangle just
    inside the axis' edge, their mean difference written vertically beside it.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> from densitylab.report.figures import new_figure
    >>> from densitylab.studies.moons_differences import plot_differences_to_best
    >>> c = {1: S(mean=0.016, low=0.014, high=0.017), 5: S(mean=1e-4, low=-3e-4, high=5e-4),
    ...      20: S(mean=0.0, low=0.0, high=0.0)}
    >>> ranking = S(values=[1, 5, 20], best=20, tied=[5, 20], comparisons=c)
    >>> fig, axes = new_figure()
    >>> plot_differences_to_best(axes[0, 0], ranking, "n_components", title="", ylabel="")
    >>> [t.get_text() for t in axes[0, 0].texts], float(axes[0, 0].get_ylim()[1])
    (['0.016'], 0.002)
    """
    from matplotlib.transforms import offset_copy

    from densitylab.report.figures import number_formatter

    values = ranking.values
    x = np.arange(len(values))
    beyond, limit = off_scale_settings(ranking)
    drawn = [0.0]
    for i, value in enumerate(values):
        if value == ranking.best:
            ax.plot(i, 0.0, marker="*", color="black", markersize=9, linestyle="none")
            continue
        c = ranking.comparisons[value]
        if not np.isfinite(c.mean) or value in beyond:
            continue
        tied = value in ranking.tied
        low, high = _ends(c)
        drawn += [low, high]
        ax.errorbar(
            i,
            c.mean,
            yerr=[[c.mean - low], [high - c.mean]],
            fmt="o",
            color="C0" if tied else "C3",
            markerfacecolor="white" if tied else "C3",
            capsize=3,
        )
    low, high = min(drawn), max(drawn)
    pad = 0.08 * ((high - low) or 1.0)
    low, high = low - pad, high + pad
    for i, value in enumerate(values):
        if value not in beyond:
            continue
        mean = float(ranking.comparisons[value].mean)
        up = mean > 0
        edge = limit if up else -limit
        high, low = (edge, low) if up else (high, edge)
        inward = offset_copy(ax.transData, fig=ax.figure, y=-5 if up else 5, units="points")
        ax.plot(i, edge, marker="^" if up else "v", color="C3", markersize=8, linestyle="none",
                transform=inward, zorder=4, gid="off-scale")  # fmt: skip
        ax.annotate(number(mean, 2), (i, edge), xytext=(0, -12 if up else 12), rotation=90,
                    textcoords="offset points", ha="center", va="top" if up else "bottom",
                    color="C3", gid="off-scale-text")  # fmt: skip
    ax.set_ylim(low, high)
    ax.yaxis.set_major_formatter(number_formatter(2))
    ax.axhline(0.0, color="0.4", linewidth=0.8, linestyle="--")
    ax.set_xticks(x, [f"{v:g}" for v in values])
    ax.set_xlim(-0.5, len(values) - 0.5)
    ax.set_xlabel(_SYMBOLS.get(param, param))
    ax.set_ylabel(ylabel)
    ax.set_title(title)


def plot_criteria_differences(mmd: pd.DataFrame, fits: pd.DataFrame, n_train: int, models):
    """For each family a row: MMD² and held-out log-likelihood, each as paired
    differences to its own best setting with 95 % intervals, at ``n_train``.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies.moons_differences import plot_criteria_differences
    >>> keys = {"model": "GMM", "param": "n_components", "n_train": 100}
    >>> values, repeats = [1, 2, 1, 2, 1, 2], [0, 0, 1, 1, 2, 2]
    >>> mmd = pd.DataFrame(keys | {"value": values, "repeat": repeats, "kernel": "se",
    ...                    "bandwidth_name": "median", "mmd2": [3e-2, 1e-3, 4e-2, 2e-3, 5e-2, 0]})
    >>> fits = pd.DataFrame(keys | {"value": values, "repeat": repeats,
    ...                     "heldout_loglik": [-2.0, -1.2, -2.1, -1.1, -2.2, -1.3]})
    >>> fig = plot_criteria_differences(mmd, fits, 100, ["GMM"])
    >>> [ax.get_title() for ax in fig.axes]
    ['GMM: MMD²', 'GMM: log-likelihood']
    """
    from matplotlib.lines import Line2D

    from densitylab.report.figures import new_figure

    fig, axes = new_figure(len(models), 2, aspect=0.55)
    for row, model in zip(axes, models, strict=True):
        m_rows = select(mmd, model=model, n_train=n_train, kernel="se", bandwidth_name="median")
        f_rows = select(fits, model=model, n_train=n_train)
        param = f_rows["param"].iloc[0]
        plot_differences_to_best(
            row[0],
            rank_settings(m_rows, "mmd2"),
            param,
            title=f"{family(model)}: MMD²",
            ylabel="MMD² − best",
        )
        plot_differences_to_best(
            row[1],
            rank_settings(f_rows, "heldout_loglik", minimize=False),
            param,
            title=f"{family(model)}: log-likelihood",
            ylabel="log-lik. − best",
        )
    handles = [
        Line2D([], [], marker="*", color="black", linestyle="none", label="best"),
        Line2D([], [], marker="o", color="C0", markerfacecolor="white", label="ties (holds 0)"),
        Line2D([], [], marker="o", color="C3", label="worse beyond the noise"),
    ]
    if any(line.get_gid() == "off-scale" for ax in fig.axes for line in ax.get_lines()):
        label = "beyond the axis (its difference written next to it)"
        handles.append(Line2D([], [], marker="^", color="C3", linestyle="none", label=label))
    ncols = 2 if len(handles) > 3 else 3
    fig.legend(handles=handles, loc="outside lower center", ncols=ncols, frameon=False)
    return fig
