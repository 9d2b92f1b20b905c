"""From the sweep tables to plotted numbers: checked selections and means over repeats.

A sweep plot shows one quantity per (line, swept value, repeat). Rows that differ in
anything else (another kernel, bandwidth, reference, family) must not be averaged as
if they were repeats, so :func:`single_selection` refuses them, naming what to select.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Columns that must hold one level in a plotted selection, and how to name them.
_SELECTORS = {
    "model": ("model families", "model"),
    "param": ("swept parameters", "param"),
    "kernel": ("kernels", "kernel"),
    "bandwidth_name": ("named bandwidths", "bandwidth_name"),
    "reference": ("references", "reference"),
    "n_train": ("training sizes", "n_train"),
}
LINE_CHOICES = ("n_train", "reference", None)


def _plain(value):
    """A NumPy scalar as the Python value it holds (so messages read 100, not np.int64(100))."""
    return value.item() if isinstance(value, np.generic) else value


def check_columns(table: pd.DataFrame, needed, what: str) -> None:
    """A ValueError naming the missing columns and the ones present."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{what} must be a pandas DataFrame, got {type(table).__name__}.")
    absent = [c for c in needed if c not in table.columns]
    if absent:
        raise ValueError(f"{what} has no column {absent}; it has {list(table.columns)}.")
    if table.empty:
        raise ValueError(f"{what} is empty; nothing to plot.")


def single_selection(table: pd.DataFrame, what: str, *, line, hint="") -> pd.DataFrame:
    """``table`` unchanged if every selector column but ``line`` holds one level.

    Otherwise a ValueError that names the column, its levels and how to select one.
    """
    for column, (plural, name) in _SELECTORS.items():
        if column == line or column not in table.columns:
            continue
        levels = [_plain(v) for v in pd.unique(table[column])]
        if len(levels) > 1:
            example = f"{what}[{what}[{name!r}] == {levels[0]!r}]"
            raise ValueError(
                f"{what} holds {len(levels)} {plural} ({', '.join(map(repr, levels))}); "
                f"select one before plotting, e.g. {example}{hint}."
            )
    keys = [c for c in (line, "value", "repeat") if c is not None]
    if table.duplicated(subset=keys).any():
        raise ValueError(
            f"{what} has several rows for one {keys} combination; select one row per "
            "fit (one kernel, bandwidth and reference) before plotting."
        )
    return table


def line_levels(table: pd.DataFrame, line) -> list:
    """Levels of the ``line`` column in plotting order (held-out before training digits)."""
    if line is None:
        return [None]
    levels = list(pd.unique(table[line]))
    if line == "reference":
        order = {"heldout": 0, "test": 1, "train": 2}
        return sorted(levels, key=lambda level: (order.get(level, 3), str(level)))
    return sorted(levels)


def mean_and_se(table: pd.DataFrame, column: str, line) -> pd.DataFrame:
    """Mean and standard error over repeats of ``column`` per (line level, swept value).

    Columns of the result: the ``line`` column (if any), ``value``, ``mean``, ``se``
    (``std(ddof=1) / sqrt(count)``; NaN with one repeat), ``count``, ``finite``
    (whether every repeat was finite: a −∞ log-likelihood makes the mean −∞; such
    means are NaN here, not drawn) and ``missing`` (whether some repeat was NaN).
    """
    keys = [c for c in (line, "value") if c is not None]
    values = table[column].to_numpy(dtype=np.float64)
    frame = table[keys].assign(_y=values, _finite=np.isfinite(values))
    rows = []
    for key, part in frame.groupby(keys, sort=True):
        y = part["_y"].to_numpy()
        finite = bool(part["_finite"].all())
        missing = bool(np.isnan(y).any())
        count = y.size
        mean = float(y.mean()) if finite else np.nan
        se = float(y.std(ddof=1) / np.sqrt(count)) if finite and count > 1 else np.nan
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(keys, key, strict=True))
        rows.append(row | {"mean": mean, "se": se, "count": count, "finite": finite,
                           "missing": missing})  # fmt: skip
    return pd.DataFrame(rows)
