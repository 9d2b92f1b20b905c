"""Does a rerun reproduce the committed results? The report's reproducibility contract.

On the machine and with the pins that wrote them, a study's results are bit-identical
on every rerun. On another CPU or BLAS kernel the last bits of matrix products differ,
and fits that are *chaotic* in them (EM with many components, the forest's split
search) may land on a different model. So a rerun is compared with the committed
tables in three tiers:

1. **exact** — everything no BLAS kernel can change beyond rounding: the rows
   themselves, sizes, bandwidths, and every number of the families whose fit and
   sampling involve no chaotic step (histogram, single Gaussian, KDE): relative
   tolerance :data:`RELATIVE_TOLERANCE`;
2. **noise** — the numbers of chaotic fits, and the copy checks of every family (their
   k-means cells and nearest neighbours may flip a borderline point): as if every repeat
   had been refitted on another machine, the two means over a setting's ``R`` repeats
   are compared by a two-sample t statistic, with the standard deviation pooled over
   both runs and ``2R − 2`` degrees of freedom; a setting fails when its two-sided
   p-value is below :data:`GROUP_FALSE_FAILURE` (:func:`noise_limit`);
3. **picks** — a rerun's pick may differ from the committed one only among the
   settings the committed table lists as tied with it (``tied_values``), and a pick
   that exists in one run must exist in the other.

A genuine change — a value 10 % off among exact numbers, a mean shifted by many
standard errors, a pick outside its tie set — fails the comparison.

With few repeats the standard deviation itself is uncertain, which is why the noise
tier uses Student's t and not a normal limit: the digits study's 3 splits give
4 degrees of freedom, and a normal limit of 4.5 standard errors, computed from the
committed run's three values alone, failed a rerun on another BLAS kernel whose chaotic
forest fits landed elsewhere (SE MMD² at σ = 1, values of order 10⁻¹⁰).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "CHAOTIC_MODELS",
    "GROUP_FALSE_FAILURE",
    "RELATIVE_TOLERANCE",
    "Comparison",
    "compare_picks",
    "compare_results",
    "noise_limit",
]

#: Families whose fit turns last-bit differences into different models.
CHAOTIC_MODELS = frozenset({"GMM", "DensityForest"})
#: Relative tolerance of exact numbers (rounding of sums of millions of kernel values).
RELATIVE_TOLERANCE = 1e-6
#: Absolute tolerance added to every comparison (numbers that are 0 up to rounding).
ABSOLUTE_TOLERANCE = 1e-12
#: Chance that one unchanged setting fails the noise tier when its chaotic fits are all
#: refitted elsewhere. With about 200 settings per study, a study fails by chance with
#: probability about 0.1 %.
GROUP_FALSE_FAILURE = 7e-6

_FIT_KEYS = ["model", "param", "value", "n_train", "repeat"]
_ROW_KEYS = [*_FIT_KEYS, "reference", "kernel", "bandwidth_name"]
# Per-fit facts (repeated on every MMD² row of the joined table) and per-row numbers.
_FIT_EXACT = ["heldout_loglik", "heldout_zero_share"]
_FIT_NOISY = ["copy_share", "ct_statistic"]
_FIT_SIZES = ["n_generated"]


@dataclass
class Comparison:
    """The outcome of a comparison: empty ``problems`` means the rerun reproduces."""

    problems: list = field(default_factory=list)
    checked: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        counts = ", ".join(f"{k}: {v}" for k, v in self.checked.items())
        if self.ok:
            return f"reproduced ({counts})"
        shown = "\n  ".join(self.problems[:20])
        more = f"\n  … and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        return f"{len(self.problems)} differences ({counts}):\n  {shown}{more}"


def _close(a, b, rtol=RELATIVE_TOLERANCE, atol=ABSOLUTE_TOLERANCE) -> np.ndarray:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    same = (a == b) | (np.isnan(a) & np.isnan(b))  # equal infinities, or both missing
    with np.errstate(invalid="ignore"):  # inf − inf: decided by ``same``
        return same | (np.abs(a - b) <= atol + rtol * np.abs(a))


def _align(reference: pd.DataFrame, rerun: pd.DataFrame, keys, out: Comparison):
    left = reference.set_index(keys).sort_index()
    right = rerun.set_index(keys).sort_index()
    missing = left.index.difference(right.index)
    extra = right.index.difference(left.index)
    if len(missing) or len(extra):
        out.problems.append(
            f"the rows differ: {len(missing)} committed rows missing from the rerun, "
            f"{len(extra)} new rows (first: {list(missing[:1]) or list(extra[:1])})"
        )
        return None, None
    return left, right.loc[left.index]


def _exact(left, right, mask, columns, out: Comparison) -> None:
    for column in columns:
        if column not in left.columns:
            continue
        bad = mask & ~_close(left[column], right[column])
        out.checked[f"exact {column}"] = int(mask.sum())
        for index in left.index[bad][:5]:
            out.problems.append(
                f"{column} at {dict(zip(left.index.names, index, strict=True))}: committed "
                f"{left.at[index, column]!r}, rerun {right.at[index, column]!r}"
            )
        if bad.sum() > 5:
            out.problems.append(f"{column}: {int(bad.sum()) - 5} more rows differ")


def noise_limit(sd_reference, sd_rerun, count):
    """Largest difference of two means of ``count`` repeats the noise tier allows.

    Parameters
    ----------
    sd_reference, sd_rerun : float or array-like
        Standard deviations (``ddof=1``) of the repeats in the two runs.
    count : int or array-like
        Repeats per mean, the same in both runs.

    Returns
    -------
    float or ndarray
        ``t · s · √(2/R)``, with ``s`` the pooled standard deviation, ``R = count`` and
        ``t`` the two-sided ``1 − GROUP_FALSE_FAILURE`` quantile of Student's t with
        ``2R − 2`` degrees of freedom; 0 for a single repeat (no noise to measure).

    Examples
    --------
    >>> from densitylab.reproducibility import noise_limit
    >>> round(float(noise_limit(1.0, 1.0, 5)), 2)  # t = 10.3 at 8 degrees of freedom
    6.49
    >>> float(noise_limit(0.0, 0.0, 3)), float(noise_limit(1.0, 1.0, 1))
    (0.0, 0.0)
    """
    sd_a, sd_b = np.asarray(sd_reference, dtype=float), np.asarray(sd_rerun, dtype=float)
    count = np.asarray(count, dtype=float)
    several = count >= 2
    df = np.where(several, 2.0 * count - 2.0, 1.0)
    t = stats.t.isf(GROUP_FALSE_FAILURE / 2.0, df)
    pooled = np.sqrt((np.nan_to_num(sd_a) ** 2 + np.nan_to_num(sd_b) ** 2) / 2.0)
    return np.where(several, t * pooled * np.sqrt(2.0 / np.maximum(count, 1.0)), 0.0)


def _noisy(left, right, mask, columns, out: Comparison) -> None:
    groups = [k for k in left.index.names if k != "repeat"]
    for column in columns:
        if column not in left.columns:
            continue
        a = left.loc[mask, column].groupby(level=groups)
        b = right.loc[mask, column].groupby(level=groups)
        mean_a, mean_b = a.mean(), b.mean()
        spread = noise_limit(a.std(ddof=1), b.std(ddof=1).reindex(mean_a.index), a.count())
        limit = (
            pd.Series(spread, index=mean_a.index)
            + ABSOLUTE_TOLERANCE
            + (RELATIVE_TOLERANCE * mean_a.abs())
        )
        finite = np.isfinite(mean_a) & np.isfinite(mean_b) & np.isfinite(limit)
        bad = (finite & ((mean_a - mean_b).abs() > limit)) | (~finite & ~_close(mean_a, mean_b))
        out.checked[f"noise {column}"] = int(len(mean_a))
        for index in mean_a.index[bad][:5]:
            out.problems.append(
                f"mean {column} at {dict(zip(groups, index, strict=True))}: committed "
                f"{mean_a[index]:.6g}, rerun {mean_b[index]:.6g}, allowed ±{limit[index]:.3g}"
            )


def compare_results(reference: pd.DataFrame, rerun: pd.DataFrame) -> Comparison:
    """Compare a rerun's results table with the committed one (the joined CSV).

    Parameters
    ----------
    reference, rerun : pandas.DataFrame
        The study's joined results (:meth:`densitylab.sweep_result.SweepResult.joined`),
        committed and rerun.

    Returns
    -------
    Comparison
        ``ok`` when the rerun reproduces the reference within the contract.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.reproducibility import compare_results
    >>> ref = pd.DataFrame({"model": "GaussianKDE", "param": "bandwidth", "value": 0.1,
    ...     "n_train": 100, "repeat": [0, 1], "reference": "test", "kernel": "se",
    ...     "bandwidth_name": "median", "bandwidth": 0.8, "mmd2": [1e-3, 2e-3]})
    >>> compare_results(ref, ref.copy()).ok
    True
    >>> off = ref.assign(mmd2=[1.1e-3, 2e-3])  # one value 10 % off
    >>> compare_results(ref, off).ok
    False
    """
    out = Comparison()
    keys = [k for k in _ROW_KEYS if k in reference.columns]
    left, right = _align(reference, rerun, keys, out)
    if left is None:
        return out
    chaotic = np.asarray(left.index.get_level_values("model").isin(sorted(CHAOTIC_MODELS)))
    _exact(left, right, np.ones(len(left), dtype=bool), ["bandwidth"], out)
    _exact(left, right, ~chaotic, ["mmd2"], out)
    _noisy(left, right, chaotic, ["mmd2"], out)
    # Per-fit facts once per fit, not once per MMD² row of the joined table.
    fit_columns = [c for c in _FIT_SIZES + _FIT_EXACT + _FIT_NOISY if c in reference.columns]
    fits_left, fits_right = _align(
        reference.drop_duplicates(_FIT_KEYS)[_FIT_KEYS + fit_columns],
        rerun.drop_duplicates(_FIT_KEYS)[_FIT_KEYS + fit_columns],
        _FIT_KEYS,
        out,
    )
    if fits_left is None:
        return out
    fit_chaotic = np.asarray(
        fits_left.index.get_level_values("model").isin(sorted(CHAOTIC_MODELS))
    )
    _exact(fits_left, fits_right, np.ones(len(fits_left), dtype=bool), _FIT_SIZES, out)
    _exact(fits_left, fits_right, ~fit_chaotic, _FIT_EXACT, out)
    _noisy(fits_left, fits_right, fit_chaotic, _FIT_EXACT, out)
    _noisy(fits_left, fits_right, np.ones(len(fits_left), dtype=bool), _FIT_NOISY, out)
    return out


def _borderline(results: pd.DataFrame, model: str) -> set:
    """Settings of ``model`` whose copy verdict could flip within the contract's noise.

    A setting is borderline when its mean copy share lies within the noise tier's limit
    (:func:`noise_limit`, the committed spread standing for both runs) of the ``2q``
    limit, or its mean C_T within as much of ±3: a rerun elsewhere may then read it the
    other way, and the "good" pick may move with it.
    """
    from densitylab.studies.claims import COPY_QUANTILE, CT_LIMIT

    fits = results[results["model"] == model].drop_duplicates(_FIT_KEYS)
    groups = fits.groupby("value")
    out = set()
    for column, limits in (
        ("copy_share", [2 * COPY_QUANTILE]),
        ("ct_statistic", [-CT_LIMIT, CT_LIMIT]),
    ):
        mean = groups[column].mean()
        sd = groups[column].std(ddof=1)
        allowed = pd.Series(noise_limit(sd, sd, groups.size()), index=sd.index)
        for limit in limits:
            out |= set(mean.index[(mean - limit).abs() <= allowed])
    return {float(v) for v in out}


def compare_picks(
    reference: pd.DataFrame, rerun: pd.DataFrame, reference_results: pd.DataFrame | None = None
) -> Comparison:
    """Compare a rerun's picks table with the committed one.

    Each committed pick must exist in the rerun (and each rerun pick in the committed
    table), and the rerun's value must be one of the committed ``tied_values``. The one
    exception is the "good" pick, whose rule has thresholds: given the committed results
    table, a good pick may move, appear or vanish when the setting involved is
    borderline there (its copy verdict within the contract's noise of a threshold).

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.reproducibility import compare_picks
    >>> ref = pd.DataFrame({"model": ["GMM"], "pick": ["good"], "value": [8.0],
    ...                     "tied_values": ["8; 12"]})
    >>> compare_picks(ref, ref.assign(value=[12.0])).ok
    True
    >>> compare_picks(ref, ref.assign(value=[3.0])).ok
    False
    """
    out = Comparison()
    left = reference.set_index(["model", "pick"])
    right = rerun.set_index(["model", "pick"])

    def excused(model, *values) -> bool:
        if reference_results is None:
            return False
        borderline = _borderline(reference_results, model)
        return any(float(v) in borderline for v in values if v is not None)

    for index in left.index.symmetric_difference(right.index):
        model, pick = index
        value = (left if index in left.index else right).at[index, "value"]
        if pick == "good" and excused(model, value):
            out.checked["borderline good picks"] = out.checked.get("borderline good picks", 0) + 1
            continue
        where = "committed only" if index in left.index else "rerun only"
        out.problems.append(f"pick {index} exists in one run only ({where})")
    common = left.index.intersection(right.index)
    out.checked["picks"] = len(common)
    for index in common:
        tied = {float(v) for v in str(left.at[index, "tied_values"]).split("; ") if v}
        before, value = float(left.at[index, "value"]), float(right.at[index, "value"])
        if value == before or value in tied:
            continue
        if index[1] == "good" and excused(index[0], before, value):
            continue
        out.problems.append(
            f"pick {index}: committed {left.at[index, 'value']!r} (ties: "
            f"{left.at[index, 'tied_values']}), rerun {value!r} outside the ties"
        )
    return out


def main(argv=None) -> int:
    """``python -m densitylab.reproducibility REFERENCE RERUN [REF_PICKS RERUN_PICKS]``.

    Prints the comparison and returns 0 when the rerun reproduces the reference.
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m densitylab.reproducibility",
        description="Compare a rerun's results (and picks) with the committed tables.",
    )
    parser.add_argument("reference", help="committed results, e.g. notebooks/reference/x.csv")
    parser.add_argument("rerun", help="the rerun's results, e.g. notebooks/results/x.csv")
    parser.add_argument("picks", nargs="*", help="committed and rerun picks tables")
    args = parser.parse_args(argv)
    if len(args.picks) not in (0, 2):
        parser.error("give both picks tables (committed, then rerun) or none")
    outcomes = [compare_results(pd.read_csv(args.reference), pd.read_csv(args.rerun))]
    if args.picks:
        reference_picks, rerun_picks = (pd.read_csv(p) for p in args.picks)
        outcomes.append(compare_picks(reference_picks, rerun_picks, pd.read_csv(args.reference)))
    for outcome in outcomes:
        print(outcome)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
