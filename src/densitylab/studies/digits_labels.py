"""The digits chapter's label checks: class proportions against a real control, and how
many generated images a classifier reads as a clear digit.

Both use the random forest of :func:`densitylab.studies.digits.classifier`, trained on a
split's training digits, and refit the picked settings exactly as the sweep did.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from densitylab.diagnostics import compare_labels
from densitylab.report.tables import Column, Table
from densitylab.report.typography import family, join, number, p_value, percent, setting
from densitylab.studies import digits
from densitylab.studies.digits_checks import ALPHA, _pick, _sample

__all__ = ["CONFIDENCE", "label_check", "samples_claims"]

#: A predicted class counts only when the classifier gives it at least this probability.
CONFIDENCE = 0.5


def samples_claims(samples: dict, split, params) -> dict:
    """What the sample grids show, in numbers: how many images a classifier reads as a digit.

    ``samples`` maps a grid's title to its images (real held-out digits among them, as the
    yardstick); the classifier of :func:`label_check` labels every image, and the share it
    labels confidently says how many look like a clear digit.

    Examples
    --------
    >>> from densitylab.studies import digits
    >>> from densitylab.studies.digits_labels import samples_claims
    >>> params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults() | {"repeats": 2})
    >>> split = digits.splits(params)[0]
    >>> text = samples_claims({"real digits": split.heldout}, split, params)["claim"]
    >>> text.startswith("What the grids show can be counted")
    True
    """
    classifier = digits.classifier(split, params)
    shares = {
        title: float((classifier.predict_proba(X).max(axis=1) >= CONFIDENCE).mean())
        for title, X in samples.items()
    }
    text = (
        "What the grids show can be counted: the classifier of the label check (below) is "
        "confident about "
        + join(f"{percent(share)} of the {title}" for title, share in shares.items())
        + ". Where that share falls well below the real digits', the model draws many "
        "images that are no clear digit."
    )
    return {"claim": text}


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
        # Fewer confident labels than real digits get: a 2 × 2 test of the two shares.
        confident_table = np.array(
            [
                [confident.sum(), (~confident).sum()],
                [control_confident.sum(), (~control_confident).sum()],
            ]
        )
        confident_p = float(stats.chi2_contingency(confident_table, correction=False)[1])
        rows.append(
            {
                "model": plain,
                "confident": float(confident.mean()),
                "confident_p": confident_p,
                "chi2": result.chi2,
                "p_value": result.p_value,
                "v": result.cramers_v_corrected,
                "v_high": result.v_high,
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
            "v": Column("Cramér's V (bias-corrected)", kind="number"),
            "v_interval": Column("V, 95 % interval"),
            "tvd": Column("TVD", kind="number"),
        },
    )
    level = percent(ALPHA, trim=True)
    control_share = float(control_confident.mean())
    unbalanced = [r["model"] for r in rows if r["p_value"] < ALPHA]
    balanced = [r for r in rows if r["p_value"] >= ALPHA]
    unsure = [r for r in rows if r["confident_p"] < ALPHA and r["confident"] < control_share]
    text = (
        f"The classifier labels {percent(accuracy)} of the held-out digits correctly, and is "
        f"confident about {percent(control_share)} of them. On the first split, at the "
        f"{level} level, "
        + (
            f"the class proportions of {join(unbalanced)} differ from the held-out digits'"
            + (
                f"; for {join(r['model'] for r in balanced)} the test finds no difference"
                if balanced
                else ""
            )
            + ". "
            if unbalanced
            else "the χ² tests find no difference between the class proportions of any good "
            "model and those of the held-out digits. "
        )
        + (
            "Finding no difference is not evidence of equal proportions: one split of "
            f"{number(len(control))} confident control digits can miss a small imbalance, and "
            "the 95 % intervals of Cramér's V reach "
            + join(f"{number(r['v_high'])} ({r['model']})" for r in balanced)
            + ". "
            if balanced
            else ""
        )
        + "The bias-corrected Cramér's V, the size of the difference (0: the same "
        "proportions), is "
        + join(f"{number(r['v'])} (95 % interval {r['v_interval']})" for r in rows)
        + "."
    )
    if unsure:
        text += (
            " A finding of its own: the classifier is confident about fewer of the digits of "
            + join(
                f"{r['model']} ({percent(r['confident'])}, {p_value(r['confident_p'])})"
                for r in unsure
            )
            + f" than of the held-out digits ({percent(control_share)}), so "
            + ("this model draws" if len(unsure) == 1 else "these models draw")
            + " more images that are no clear digit."
        )
    headline = (
        f"on one split, at the {level} level, the class proportions of {join(unbalanced)} "
        "differ from those of real held-out digits"
        if unbalanced
        else f"on one split, at the {level} level, no good model's class proportions differ "
        "detectably from those of real held-out digits (which does not show they are equal)"
    )
    takeaway = (
        "Check class proportions against a real control labelled by the same classifier: "
        + (
            f"{join(unbalanced)} over- or under-produce some classes."
            if unbalanced
            else f"here, on one split at the {level} level, the test finds no difference for "
            "any good model, which is absence of evidence, not proof of balance."
        )
        + (
            " Read the share of confident labels too: "
            + join(f"{percent(r['confident'])} for the {r['model']}" for r in unsure)
            + f" against {percent(control_share)} for real digits."
            if unsure
            else ""
        )
    )
    return SimpleNamespace(
        counts=counts,
        rows=rows,
        control=np.bincount(control.astype(np.int64), minlength=10),
        table=table,
        claims={"claim": text, "accuracy": accuracy, "takeaway": takeaway, "headline": headline},
    )
