"""Tick labels in the report's number style, and the choice of a symmetric-log axis.

Tick labels go through :func:`densitylab.report.typography.number` and ``percent``, so
a figure writes a value as the text does: the true minus "−", "× 10⁻⁴", "5 %". Each
label gets the fewest significant digits that still name its tick exactly.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.ticker import Formatter, Locator, MaxNLocator, NullFormatter, NullLocator

from densitylab.report.typography import number, percent

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MINUS = "\u2212"
_NBSP = "\u00a0"


def _digits_for(value: float, scale: float) -> int:
    """Fewest significant digits (1–6) that write ``value`` to within 1e-6 of ``scale``."""
    if value == 0:
        return 1
    for digits in range(1, 7):
        if abs(float(f"{value:.{digits - 1}e}") - value) <= 1e-6 * scale:
            return digits
    return 6


def tick_text(value: float, scale: float | None = None) -> str:
    """One tick value as :func:`number` writes it, with as few digits as it needs."""
    value = float(value)
    if value == 0:
        return "0"
    scale = abs(value) if scale is None else scale
    return number(value, _digits_for(value, scale), trim=True)


def power_text(value: float) -> str:
    """``±10ⁿ`` for a power of ten (``1`` and ``10`` plainly), else :func:`tick_text`."""
    if value == 0:
        return "0"
    exponent = math.log10(abs(value))
    if abs(exponent - round(exponent)) > 1e-9:
        return tick_text(value)
    n = round(exponent)
    body = {0: "1", 1: "10"}.get(n, f"10{str(n).translate(_SUPERSCRIPT)}")
    return (_MINUS if value < 0 else "") + body


class NumberFormatter(Formatter):
    """Linear-axis ticks; a common power of ten is shown once, as "× 10⁻⁴" at the axis end.

    The power is factored out when the largest visible tick is below 10⁻³ or reaches 10⁴
    (where :func:`number` would switch each label to scientific notation).
    """

    def __init__(self):
        self.exponent = 0
        self.ticks = []

    def set_locs(self, locs):
        self.ticks = [float(v) for v in locs]
        visible = self._visible(locs)
        top = max((abs(v) for v in visible), default=0.0)
        self.exponent = 0 if top == 0 or 1e-3 <= top < 1e4 else math.floor(math.log10(top))

    def _visible(self, locs):
        if self.axis is None:
            return [float(v) for v in locs]
        lo, hi = sorted(self.axis.get_view_interval())
        pad = 1e-9 * max(abs(lo), abs(hi), 1e-300)
        return [float(v) for v in locs if lo - pad <= v <= hi + pad]

    def __call__(self, x, pos=None):
        scaled = float(x) / 10.0**self.exponent
        visible = self._visible(self.ticks) or [scaled]
        scale = max(abs(v) for v in visible) / 10.0**self.exponent or 1.0
        return tick_text(scaled, scale)

    def get_offset(self):
        if self.exponent == 0:
            return ""
        return f"×{_NBSP}10{str(self.exponent).translate(_SUPERSCRIPT)}"


class PercentFormatter(Formatter):
    """Ticks of a share axis (values in [0, 1]) as :func:`percent` writes them: "5 %"."""

    def __call__(self, x, pos=None):
        share = float(x)
        if abs(share) < 1e-12:
            return f"0{_NBSP}%"
        digits = _digits_for(100 * share, 100 * max(abs(share), 1e-12))
        if 0 <= share <= 1:
            return percent(share, digits, trim=True)
        return f"{tick_text(100 * share)}{_NBSP}%"


class PowerFormatter(Formatter):
    """Log and symmetric-log ticks: 0, ±1, ±10, ±10², … and ±``linthresh``; others blank.

    When every labelled tick lies within 10⁻³…10⁴ the plain numbers are written instead
    ("0.001", "0.01", …), as :func:`number` writes them.
    """

    def __init__(self, linthresh=None):
        self.linthresh = linthresh
        self.plain = False

    def _labelled(self, x) -> bool:
        return x == 0 or _is_power(x) or (self.linthresh is not None and abs(x) == self.linthresh)

    def set_locs(self, locs):
        shown = [v for v in locs if self._labelled(v)]
        self.plain = all(v == 0 or 1e-3 <= abs(v) < 1e4 for v in shown)

    def __call__(self, x, pos=None):
        if not self._labelled(x):
            return ""
        return tick_text(x) if self.plain else power_text(x)


def _is_power(value: float) -> bool:
    exponent = math.log10(abs(value))
    return abs(exponent - round(exponent)) < 1e-9


def _check_keep(values, keep):
    """The values of ``keep`` (labels that must show) as indices of ``values``."""
    if keep is None:
        return []
    keep = np.atleast_1d(np.asarray(keep, dtype=np.float64))
    found = []
    for value in keep:
        index = np.flatnonzero(np.isclose(values, value, rtol=1e-9, atol=0.0))
        if not index.size:
            grid = ", ".join(tick_text(v) for v in values)
            raise ValueError(f"label_values: {tick_text(value)} is not on the grid ({grid}).")
        found.append(int(index[0]))
    return sorted(set(found))


def grid_ticks(ax, values, *, log, min_gap=0.09, keep=None):
    """Ticks at a sweep's grid values: all marked, labelled where the labels do not crowd.

    Every grid value gets a (minor) tick mark; labels go to a subset whose neighbours
    are at least ``min_gap`` of the axis span apart (in log units on a log axis): the
    values of ``keep`` always (the settings the text names), then the first value, the
    last, and the others from left to right wherever they do not crowd a label already
    placed. Labels are in the number style.
    """
    values = np.unique(np.asarray(values, dtype=np.float64))
    position = np.log10(values) if log else values
    span = float(position[-1] - position[0]) or 1.0
    kept = _check_keep(values, keep)
    labelled = list(kept)

    def free(i):
        return all(abs(position[i] - position[j]) >= min_gap * span for j in labelled)

    for i in [0, values.size - 1, *range(1, values.size - 1)]:
        if i not in labelled and free(i):
            labelled.append(i)
    shown = values[sorted(labelled)]
    ax.set_xticks(shown, [tick_text(v) for v in shown])
    ax.set_xticks(values, minor=True)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.tick_params(axis="x", which="minor", length=3)
    pad = 0.04 * span
    if log:
        ax.set_xlim(10 ** (position[0] - pad), 10 ** (position[-1] + pad))
    else:
        ax.set_xlim(position[0] - pad, position[-1] + pad)


def categorical_ticks(ax, values, *, keep=None):
    """A categorical x-axis: grid value ``i`` at position ``i``, every value labelled.

    Labels turn vertical when they would not fit side by side in the panel; the values
    of ``keep`` (the settings the text names) are set in bold.
    """
    values = np.unique(np.asarray(values, dtype=np.float64))
    kept = set(_check_keep(values, keep))
    texts = [tick_text(v) for v in values]
    ax.set_xticks(np.arange(values.size), texts)
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlim(-0.5, values.size - 0.5)
    size = ax.xaxis.get_ticklabels()[0].get_fontsize() if values.size else 9.0
    needed = sum(0.62 * size * len(t) + 0.6 * size for t in texts)  # points
    room = ax.get_position().width * ax.figure.get_figwidth() * 72
    for i, label in enumerate(ax.xaxis.get_ticklabels()):
        if needed > room:
            label.set_rotation(90)
        if i in kept:
            label.set_fontweight("bold")


class SymlogDecades(Locator):
    """Major ticks of a symmetric-log axis: 0 and ±powers of ten, at most ``max_ticks``.

    Decades from ``linthresh`` outwards; when there are too many, every second (third, …)
    decade, counted on each side of zero from that side's outermost decade: a side that
    reaches a decade keeps a labelled tick, so negative values can be read too.
    """

    def __init__(self, linthresh, max_ticks=None):
        self.linthresh = float(linthresh)
        self.max_ticks = max_ticks

    def __call__(self):
        lo, hi = self.axis.get_view_interval()
        return self.tick_values(lo, hi)

    def _room(self) -> int:
        """Ticks that fit: one per 2.5 label heights of the axes, at least 3."""
        if self.max_ticks is not None:
            return self.max_ticks
        if self.axis is None:
            return 7
        axes = self.axis.axes
        size = self.axis.label.get_fontsize()  # about the tick labels' size
        height = axes.bbox.height / axes.figure.dpi * 72  # points
        return max(3, int(height / (2.5 * size)))

    def tick_values(self, vmin, vmax):
        lo, hi = sorted((float(vmin), float(vmax)))
        first = math.ceil(math.log10(self.linthresh) - 1e-9)
        sides = []
        for sign, reach in ((1.0, hi), (-1.0, -lo)):
            if reach >= 10.0**first:
                last = math.floor(math.log10(reach) + 1e-9)
                sides.append((sign, list(range(first, last + 1))))
        room = max(self._room() - 1, len(sides), 1)  # one tick for 0; one at least per side
        stride = 1
        while sum(-(-len(decades) // stride) for _, decades in sides) > room:
            stride += 1
        values = {sign * 10.0**e for sign, decades in sides for e in decades
                  if (decades[-1] - e) % stride == 0}  # fmt: skip
        if not _is_power(self.linthresh):  # the edges of the linear part, e.g. a band's
            values |= {v for v in (-self.linthresh, self.linthresh) if lo <= v <= hi}
        if lo <= 0 <= hi:
            values.add(0.0)
        return np.array(sorted(values))


def check_linthresh(linthresh):
    """A symmetric-log threshold given by the caller: a positive number, or None."""
    if linthresh is None:
        return None
    number_like = isinstance(linthresh, int | float | np.floating)
    if (
        isinstance(linthresh, bool)
        or not number_like
        or not (np.isfinite(linthresh) and linthresh > 0)
    ):
        raise ValueError(f"linthresh must be a positive number or None, got {linthresh!r}.")
    return float(linthresh)


def noise_threshold(means, ses) -> float:
    """The linear threshold of a symmetric-log axis: the noise level of the means.

    The median of the finite, positive standard errors (below it, differences are
    noise and a linear scale shows them as they are); without standard errors (one
    repeat), the 10th percentile of the non-zero ``|means|``. Rounded down to a
    power of ten, so the ticks fall on round values; 1 when all means are 0.
    """
    ses = np.asarray(ses, dtype=np.float64)
    ses = ses[np.isfinite(ses) & (ses > 0)]
    if ses.size:
        level = float(np.median(ses))
    else:
        means = np.abs(np.asarray(means, dtype=np.float64))
        means = means[np.isfinite(means) & (means > 0)]
        if not means.size:
            return 1.0
        level = float(np.percentile(means, 10))
    return 10.0 ** math.floor(math.log10(level))


def needs_symlog(values, linthresh: float) -> bool:
    """Whether values reach more than ten times ``linthresh`` (span over a decade above it)."""
    values = np.abs(np.asarray(values, dtype=np.float64))
    values = values[np.isfinite(values)]
    return bool(values.size) and float(values.max()) > 10 * linthresh


def use_symlog(ax, linthresh: float, *, axis="y"):
    """A symmetric-log axis, linear within ±``linthresh``, labelled at powers of ten."""
    if axis == "y":
        ax.set_yscale("symlog", linthresh=linthresh, linscale=1.0)
        target = ax.yaxis
    else:
        ax.set_xscale("symlog", linthresh=linthresh, linscale=1.0)
        target = ax.xaxis
    target.set_major_locator(SymlogDecades(linthresh))
    target.set_major_formatter(PowerFormatter(linthresh))
    target.set_minor_formatter(NullFormatter())


def use_log(ax, *, axis="x"):
    """A log axis labelled in the number style."""
    if axis == "x":
        ax.set_xscale("log")
        target = ax.xaxis
    else:
        ax.set_yscale("log")
        target = ax.yaxis
    target.set_major_formatter(PowerFormatter())
    target.set_minor_formatter(NullFormatter())


def use_numbers(ax, *, axis="y"):
    """A linear axis labelled in the number style, at round values (steps 1, 2, 5)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    target.set_major_formatter(NumberFormatter())


def use_percent(ax, *, axis="y"):
    """A share axis labelled in percent."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter())


def fit_limits(ax, values, *, margin=0.05):
    """y-limits just around ``values`` (finite ones), with a margin in the axis' own scale.

    On a symmetric-log axis autoscaling pads by decades and may add an empty
    positive half to all-negative data; this pads by ``margin`` of the drawn span.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not values.size:
        return
    transform = ax.yaxis.get_transform()
    ends = transform.transform(np.array([values.min(), values.max()]))
    pad = margin * (ends[1] - ends[0]) or 0.5
    lo, hi = transform.inverted().transform(np.array([ends[0] - pad, ends[1] + pad]))
    ax.set_ylim(float(lo), float(hi))
