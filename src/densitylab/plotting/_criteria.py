"""Per-fit criteria of a sweep: their labels, reference lines, bands and y-axis."""

from __future__ import annotations

import numpy as np

from densitylab.plotting._lines import band_entry, note_entry
from densitylab.plotting._style import REFERENCE_COLOR
from densitylab.plotting._ticks import fit_limits, tick_text, use_numbers, use_percent, use_symlog
from densitylab.report.typography import number, percent

# Per-fit criteria: label, percent axis, and the words of their reference line and band.
CRITERIA = {
    "heldout_loglik": {
        "label": "mean held-out log-lik.\n[nats per point]",
        "short": "held-out log-likelihood, higher is better",
        "percent": False,
    },
    "copy_share": {
        "label": "share flagged as copies",
        "short": "nearest-neighbour copy check",
        "percent": True,
        "reference": "expected without copying ({value})",
        "reference_style": ":",
        "limit": "copy limit of the verdict ({value})",
    },
    "ct_statistic": {
        "label": "data-copying statistic $C_T$",
        "short": "data-copying test",
        "note": "$C_T \\ll 0$: copying; $C_T \\gg 0$: over-dispersed",
        "percent": False,
        "reference": "as close as new data ($C_T = 0$)",
        "band": "neither copying nor over-dispersed",
    },
    "heldout_zero_share": {
        "label": "share of held-out points at zero density",
        "short": "held-out points at zero density",
        "percent": True,
    },
}


def criterion_scale(ax, summary, spec, extra, band=None, entries=None):
    """The y-axis of a criterion, limits fitted to what is drawn.

    Shares: percent. Others: symmetric-log when the means span decades beyond ten
    times a band's edge (threshold: the band's edge, so the band stays linear and
    visible). Log-likelihoods (no band) that span decades — beyond 100 and over a
    hundred times the smallest magnitude — stay linear, which keeps −147 and −164
    apart: the axis shows the means within a decade of the best one, and the others
    are marked at its lower edge (▼) with a legend note (``entries``: the legend's
    handles, labels and the x positions of a categorical axis). Else linear.
    """
    finite = summary[summary["finite"]]
    mean = finite["mean"].to_numpy(dtype=np.float64)
    se = finite["se"].fillna(0).to_numpy(dtype=np.float64)
    size = np.abs(mean)
    edge = max(abs(float(b)) for b in band) if band is not None else None
    if not mean.size:  # nothing drawn: a note says why, the y-axis has no scale to show
        ax.set_yticks([])
        return
    shown = np.ones(mean.size, dtype=bool)
    if spec["percent"]:
        use_percent(ax)
        extra = [*extra, 0.0]
    elif edge and size.max() > 10 * edge:
        use_symlog(ax, edge)
    else:
        use_numbers(ax, axis="y")
        if edge is None and size.max() > 100 and size.max() > 100 * max(size.min(), 1.0):
            best = float(mean.max())
            shown = mean >= best - 10 * max(abs(best), 1.0)
    fit_limits(ax, np.r_[(mean - se)[shown], (mean + se)[shown], extra])
    if not shown.all():
        _mark_off_scale(ax, finite[~shown], entries)


def _mark_off_scale(ax, rows, entries):
    """▼ at the lower edge for each setting below the axis; a legend note."""
    handles, labels, positions = entries if entries is not None else ([], [], None)
    low = ax.get_ylim()[0]
    xs = rows["value"].to_numpy(dtype=np.float64)
    if positions is not None:
        xs = np.array([positions[float(v)] for v in xs])
    ax.plot(xs, np.full(xs.size, low), linestyle="none", marker="v", markersize=7,
            color=REFERENCE_COLOR, clip_on=False, zorder=4, gid="off-scale")  # fmt: skip
    lowest = number(float(rows["mean"].min()), 2)  # how far down, as the text writes it
    settings = "setting" if len(rows) == 1 else "settings"
    handles.append(ax.get_lines()[-1])
    labels.append(f"{len(rows)} {settings} below the axis (down to {lowest})")


def overlays(ax, handles, labels, spec, *, band, reference, limit=None):
    """The shaded band, the reference line and the verdict's limit (added to the
    legend); their heights."""
    heights = []
    if band is not None:
        values = np.asarray(band, dtype=np.float64)
        if values.shape != (2,) or not np.isfinite(values).all() or values[0] == values[1]:
            raise ValueError(
                f"band must be two different finite numbers (low, high), got {band!r}."
            )
        low, high = sorted(values.tolist())
        patch = ax.axhspan(low, high, color="#c7e9c0", alpha=0.7, linewidth=0, zorder=0)
        patch.set_gid("band-region")
        handles.append(patch)
        labels.append(spec.get("band", "reference band"))
        heights += [low, high]
    if reference is not None:
        if not np.isfinite(float(reference)):
            raise ValueError(f"reference must be a finite number, got {reference!r}.")
        ref = ax.axhline(float(reference), color=REFERENCE_COLOR, linewidth=1.2, gid="reference",
                         linestyle=spec.get("reference_style", "--"))  # fmt: skip
        handles.append(ref)
        value = percent(float(reference), trim=True) if spec["percent"] else tick_text(reference)
        labels.append(spec.get("reference", "reference at {value}").format(value=value))
        heights.append(float(reference))
    if limit is not None:
        if "limit" not in spec or not np.isfinite(float(limit)):
            raise ValueError(f"limit must be a finite share, for copy_share only; got {limit!r}.")
        line = ax.axhline(float(limit), color="#b2182b", linestyle="-.", linewidth=1.4,
                          gid="limit")  # fmt: skip
        handles.append(line)
        labels.append(spec["limit"].format(value=percent(float(limit), trim=True)))
        heights.append(float(limit))
    return heights


def missing_note(ax, handles, labels, summary, column):
    """The legend's notes (bands, how to read), and which settings are not drawn and why."""
    entry = band_entry(summary)
    if entry is not None:
        handles.append(entry[0])
        labels.append(entry[1])
    if "note" in CRITERIA[column]:
        handle, text = note_entry(CRITERIA[column]["note"])
        handles.append(handle)
        labels.append(text)
    skipped = summary[~summary["finite"]]
    if skipped.empty:
        return
    if skipped["missing"].all():
        why = "missing (not computed)"
    elif column == "heldout_loglik" and not skipped["missing"].any():
        why = "−∞: held-out points at zero density"
    else:
        why = "not finite or missing"
    if len(skipped) == len(summary):
        ax.text(
            0.5, 0.5, f"nothing to draw: at every setting\nthe value is {why}", ha="center",
            va="center", transform=ax.transAxes, gid="empty-note",
        )  # fmt: skip
        return
    settings = "setting" if len(skipped) == 1 else "settings"
    handle, text = note_entry(f"{len(skipped)} {settings} not drawn ({why})")
    handles.append(handle)
    labels.append(text)
