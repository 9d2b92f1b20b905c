"""The digits chapter's checks beyond the sweeps: relative MMD tests, witness, label balance.

These refit a few picked settings exactly as the sweep did (:func:`fit_and_sample`
with the sweep's seed), so their samples are the sweep's samples.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from densitylab.diagnostics import compare_labels
from densitylab.mmd import relative_mmd_test, witness
from densitylab.report.tables import Column, Table
from densitylab.report.typography import family, join, number, p_value, percent, setting
from densitylab.studies import digits
from densitylab.studies.claims import select
from densitylab.sweeps import fit_and_sample

__all__ = [
    "contrasts_table",
    "label_check",
    "pick_samples",
    "relative_claims",
    "relative_contrasts",
    "witness_claims",
    "witness_digits",
]

#: A predicted class counts only when the classifier gives it at least this probability.
CONFIDENCE = 0.5
#: Level of the label check's χ² test.
ALPHA = 0.01


def _sample(families, model, value, training_set, params):
    f = families[model]
    value = next((v for v in f.values if v == value), value)  # the grid's own type
    return fit_and_sample(
        f.model, f.param, value, training_set, n_generated=params.n_generated, seed=params.seed
    )[1]


def _pick(picks, model, *names):
    """The first of the named picks a family has: (pick name, value) or None."""
    for name in names:
        row = select(picks, model=model, pick=name)
        if not row.empty:
            return name, row["value"].iloc[0]
    return None


def relative_contrasts(picks, families, splits, sigmas, params) -> pd.DataFrame:
    """Relative MMD tests of picked settings against each other, combined over the splits.

    For each family: its good setting (or best log-lik) against its original-protocol
    pick; across families: each pair of those settings. On every split, Y and Z are the
    two samples and X the split's held-out digits; the splits' z-scores
    ``statistic / std`` are combined as ``Σ z / √R`` (Stouffer), and ``p = Φ(z)`` is
    small when A is closer to the held-out digits than B.
    """
    chosen = {}
    for model in families:
        found = _pick(picks, model, "good", "best log-lik")
        if found:
            chosen[model] = found
    pairs = []
    for model, (name, value) in chosen.items():
        original = _pick(picks, model, "original protocol")
        if original and original[1] != value:
            pairs.append(((model, name, value), (model, "original protocol", original[1])))
    models = list(chosen)
    for i, a in enumerate(models):
        for b in models[i + 1 :]:
            pairs.append(((a, *chosen[a]), (b, *chosen[b])))
    rows = []
    for (ma, na, va), (mb, nb, vb) in pairs:
        z = []
        for split in splits:
            result = relative_mmd_test(
                split.heldout,
                _sample(families, ma, va, split, params),
                _sample(families, mb, vb, split, params),
                bandwidth=sigmas["median"],
            )
            # The split's z-score; with no spread at all its p-value (0 or 1) decides.
            z.append(float(np.clip(stats.norm.ppf(result.p_value), -8.0, 8.0)))
        combined = float(np.sum(z) / math.sqrt(len(z)))
        rows.append(
            {
                "a": f"{family(ma)}, {na}: {setting(families[ma].param, va, math=False)}",
                "b": f"{family(mb)}, {nb}: {setting(families[mb].param, vb, math=False)}",
                "z": combined,
                "p_value": float(stats.norm.cdf(combined)),
            }
        )
    return pd.DataFrame(rows, columns=["a", "b", "z", "p_value"])


def contrasts_table(contrasts: pd.DataFrame) -> Table:
    """The relative tests as a table: A, B, combined z and the one-sided p-value."""
    return Table(
        contrasts,
        {
            "a": Column("model A"),
            "b": Column("model B"),
            "z": Column("combined z (negative: A closer)", kind="number"),
            "p_value": Column("p (A closer to held-out digits)", kind="p_value"),
        },
    )


def relative_claims(contrasts: pd.DataFrame, alpha: float = 0.05) -> dict:
    """Which contrasts the relative tests decide, and which they leave tied."""
    decided, tied = [], []
    for row in contrasts.itertuples():
        if row.p_value < alpha:
            decided.append(f"{row.a} is closer than {row.b} ({p_value(row.p_value)})")
        elif row.p_value > 1 - alpha:
            decided.append(f"{row.b} is closer than {row.a} ({p_value(1 - row.p_value)})")
        else:
            tied.append(f"{row.a} and {row.b} ({p_value(row.p_value)})")
    parts = []
    if decided:
        parts.append(f"At the {percent(alpha, trim=True)} level: {join(decided)}.")
    if tied:
        parts.append(f"The tests cannot tell apart {join(tied)}.")
    return {"claim": " ".join(parts) or "There is no pair of picks to compare."}


def pick_samples(picks, families, split, params) -> dict:
    """Generated digits of each family's good (or best log-lik) and bad setting, titled."""
    out = {}
    for model in families:
        for names in (("good", "best log-lik"), ("bad",)):
            found = _pick(picks, model, *names)
            if found:
                name, value = found
                title = f"{family(model)}, {name}: {setting(families[model].param, value)}"
                out[title] = _sample(families, model, value, split, params)
    return out


def witness_digits(picks, families, split, sigmas, params, n_show=12) -> SimpleNamespace:
    """Generated digits where the witness is largest, held-out digits where it is lowest."""
    model = "GMM"
    name, value = _pick(picks, model, "good", "best log-lik")
    X_gen = _sample(families, model, value, split, params)
    h = sigmas["median"]
    on_generated = witness(X_gen, split.heldout, X_gen, bandwidth=h)
    on_heldout = witness(X_gen, split.heldout, split.heldout, bandwidth=h)
    top = np.argsort(on_generated)[::-1][:n_show]
    bottom = np.argsort(on_heldout)[:n_show]
    label = f"{family(model)}, {name}: {setting(families[model].param, value)}"
    return SimpleNamespace(
        too_many=X_gen[top],
        too_few=split.heldout[bottom],
        values=(on_generated[top], on_heldout[bottom]),
        titles=(
            f"generated digits where {label} puts too much mass",
            "held-out digits where it puts too little",
        ),
        label=label,
    )


def witness_claims(flagged) -> dict:
    """The witness section's caption and claim."""
    high, low = flagged.values
    caption = (
        f"Top: the generated digits of the {flagged.label} with the largest witness values; "
        "bottom: the held-out digits with the most negative values (SE kernel, "
        "median-heuristic $\\sigma$)."
    )
    claim = (
        f"The witness of the {flagged.label} reaches {number(high[0])} at a generated digit "
        f"and {number(low[0])} at a held-out one. The digits it flags show what the mixture "
        "over-produces and what it misses; the pictures, not the numbers, carry the lesson."
    )
    return {"caption": caption, "claim": claim}


def label_check(picks, families, split, params) -> SimpleNamespace:
    """Class proportions of each good model's digits against the held-out digits."""
    classifier = digits.classifier(split, params)
    accuracy = float(np.mean(classifier.predict(split.heldout) == split.labels[1]))
    # The control passes the same confidence filter as the generated digits, so that the
    # classifier's errors and doubts affect both samples alike.
    control_proba = classifier.predict_proba(split.heldout)
    control_confident = control_proba.max(axis=1) >= CONFIDENCE
    control = classifier.classes_[control_proba.argmax(axis=1)][control_confident]
    counts, rows = {}, []
    for model in families:
        found = _pick(picks, model, "good", "best log-lik")
        if not found:
            continue
        name, value = found
        X_gen = _sample(families, model, value, split, params)
        proba = classifier.predict_proba(X_gen)
        confident = proba.max(axis=1) >= CONFIDENCE
        labels = classifier.classes_[proba.argmax(axis=1)][confident].astype(np.int64)
        result = compare_labels(
            labels,
            control.astype(np.int64),
            n_classes=digits.N_CLASSES,
        )
        title = f"{family(model)}, {name}: {setting(families[model].param, value)}"
        plain = f"{family(model)}, {name}: {setting(families[model].param, value, math=False)}"
        counts[title] = result.counts
        rows.append(
            {
                "model": plain,
                "confident": float(confident.mean()),
                "chi2": result.chi2,
                "p_value": result.p_value,
                "v": result.cramers_v,
                "v_interval": f"{number(result.v_low, trim=True)} to {number(result.v_high)}",
                "tvd": result.tvd,
            }
        )
    table_rows = pd.DataFrame(
        rows
        + [
            {
                "model": "held-out digits (the control)",
                "confident": float(control_confident.mean()),
                "chi2": np.nan,
                "p_value": np.nan,
                "v": np.nan,
                "v_interval": "—",
                "tvd": np.nan,
            }
        ]
    )
    table = Table(
        table_rows,
        {
            "model": Column("model"),
            "confident": Column("confidently labelled", kind="percent"),
            "chi2": Column("χ²", kind="number", digits=3),
            "p_value": Column("p", kind="p_value"),
            "v": Column("Cramér's V", kind="number"),
            "v_interval": Column("V, 95 % interval"),
            "tvd": Column("TVD", kind="number"),
        },
    )
    unbalanced = [r["model"] for r in rows if r["p_value"] < ALPHA]
    text = (
        f"The classifier labels {percent(accuracy)} of the held-out digits correctly, and is "
        f"confident about {percent(float(control_confident.mean()))} of them. "
        + (
            f"At the {percent(ALPHA, trim=True)} level the class proportions of "
            f"{join(unbalanced)} differ from the held-out digits'. "
            if unbalanced
            else f"At the {percent(ALPHA, trim=True)} level no good model's class proportions "
            "differ from the held-out digits'. "
        )
        + "Cramér's V, the size of the difference (0: the same proportions), is "
        + join(f"{number(r['v'])} (95 % interval {r['v_interval']})" for r in rows)
        + "."
    )
    headline = (
        f"at the {percent(ALPHA, trim=True)} level the class proportions of {join(unbalanced)} "
        "differ from those of "
        "real held-out digits"
        if unbalanced
        else "no good model's class proportions differ from those of real held-out digits"
    )
    takeaway = (
        "Check class proportions against a real control labelled by the same classifier: "
        + (
            f"{join(unbalanced)} over- or under-produce some classes."
            if unbalanced
            else "here no good model's proportions differ beyond the noise."
        )
    )
    return SimpleNamespace(
        counts=counts,
        rows=rows,
        control=np.bincount(control.astype(np.int64), minlength=10),
        table=table,
        claims={"claim": text, "accuracy": accuracy, "takeaway": takeaway, "headline": headline},
    )
