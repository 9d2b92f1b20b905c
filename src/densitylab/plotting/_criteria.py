"""Per-fit criteria of a sweep: their labels, reference lines, bands and y-axis."""

from __future__ import annotations

import numpy as np

from densitylab.plotting._lines import band_entry, note_entry
from densitylab.plotting._style import REFERENCE_COLOR
from densitylab.plotting._ticks import (
    fit_limits,
    tick_text,
    use_numbers,
    use_percent,
    use_symlog,
)
from densitylab.report.typography import percent

# Per-fit criteria: label, percent axis, and the words of their reference line and band.
CRITERIA = {
    "heldout_loglik": {
        "label": "held-out log-likelihood [nats per point]",
        "short": "held-out log-likelihood, higher is better",
        "percent": False,
    },
    "copy_share": {
        "label": "share flagged as copies",
        "short": "nearest-neighbour copy check",
        "percent": True,
        "reference": "expected without copying ({value})",
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


def criterion_scale(ax, summary, spec, extra, band=None):
    """The y-axis of a criterion, limits fitted to what is drawn.

    Shares: percent. Others: symmetric-log when the means span decades — beyond 100
    and over a hundred times the smallest (threshold: the smallest magnitude, at
    least 1, rounded down to a power of ten), or beyond ten times a band's edge
    (threshold: the band's edge, so the band stays linear and visible) — else linear.
    """
    finite = summary[summary["finite"]]
    mean = finite["mean"].to_numpy(dtype=np.float64)
    se = finite["se"].fillna(0).to_numpy(dtype=np.float64)
    size = np.abs(mean)
    edge = max(abs(float(b)) for b in band) if band is not None else None
    if not mean.size:  # nothing drawn: a note says why, the y-axis has no scale to show
        ax.set_yticks([])
        return
    if spec["percent"]:
        use_percent(ax)
        extra = [*extra, 0.0]
    elif edge and size.size and size.max() > 10 * edge:
        use_symlog(ax, edge)
    elif size.size and size.max() > 100 and size.max() > 100 * max(size.min(), 1.0):
        use_symlog(ax, 10.0 ** np.floor(np.log10(max(size.min(), 1.0))))
    else:
        use_numbers(ax, axis="y")
    fit_limits(ax, np.r_[mean - se, mean + se, extra])


def overlays(ax, handles, labels, spec, *, band, reference):
    """The shaded band and dashed reference line (added to the legend); their heights."""
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
        ref = ax.axhline(
            float(reference), color=REFERENCE_COLOR, linestyle="--", linewidth=1.2, gid="reference"
        )
        handles.append(ref)
        value = percent(float(reference), trim=True) if spec["percent"] else tick_text(reference)
        labels.append(spec.get("reference", "reference at {value}").format(value=value))
        heights.append(float(reference))
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
