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
from scipy.spatial.distance import pdist

from densitylab.diagnostics import compare_labels
from densitylab.mmd import relative_mmd_test, witness
from densitylab.models._gaussians import component_log_pdfs
from densitylab.report.tables import Column, Table
from densitylab.report.typography import (
    count_word,
    family,
    join,
    number,
    p_value,
    percent,
    setting,
)
from densitylab.studies import digits
from densitylab.studies.claims import select
from densitylab.studies.picks import bounded_p_value
from densitylab.sweeps import fit_and_sample

__all__ = [
    "ALPHA",
    "contrasts_table",
    "label_check",
    "pick_samples",
    "relative_claims",
    "relative_contrasts",
    "relative_p_values",
    "samples_claims",
    "witness_claims",
    "witness_digits",
]

#: A predicted class counts only when the classifier gives it at least this probability.
CONFIDENCE = 0.5
#: Level of the chapter's tests (the label check's χ² tests and the relative tests), as in
#: the rest of the report.
ALPHA = 0.05
#: The combined relative-test p-value is not read beyond this: the splits share digits.
P_FLOOR = 1e-6


def _fit_sample(families, model, value, training_set, params):
    f = families[model]
    value = next((v for v in f.values if v == value), value)  # the grid's own type
    return fit_and_sample(
        f.model, f.param, value, training_set, n_generated=params.n_generated, seed=params.seed
    )


def _sample(families, model, value, training_set, params):
    return _fit_sample(families, model, value, training_set, params)[1]


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
                "model_a": ma,
                "pick_a": na,
                "model_b": mb,
                "pick_b": nb,
            }
        )
    columns = ["a", "b", "z", "p_value", "model_a", "pick_a", "model_b", "pick_b"]
    return pd.DataFrame(rows, columns=columns)


def _closer_first(contrasts: pd.DataFrame) -> pd.DataFrame:
    """Each pair with the model the combined z favours as A, and its one-sided p."""
    swap = contrasts["z"] > 0
    return pd.DataFrame(
        {
            "a": np.where(swap, contrasts["b"], contrasts["a"]),
            "b": np.where(swap, contrasts["a"], contrasts["b"]),
            "z": -contrasts["z"].abs(),
            "p_value": stats.norm.cdf(-contrasts["z"].abs()),
        }
    )


def contrasts_table(contrasts: pd.DataFrame) -> Table:
    """The relative tests as a table: the closer model A, B, combined z and p (A closer).

    Each pair is written with the model the combined z favours first, so z ≤ 0 and the
    one-sided p is at most ½; a p below :data:`P_FLOOR` reads "< 10⁻⁶" (the splits
    share digits, so the combined z is not exact that far out).
    """
    view = _closer_first(contrasts)
    view["p_text"] = [bounded_p_value(p, P_FLOOR, label="") for p in view["p_value"]]
    return Table(
        view,
        {
            "a": Column("model A (closer on average)"),
            "b": Column("model B"),
            "z": Column("combined z", kind="number"),
            "p_text": Column("p (A closer)", align="right"),
        },
    )


def relative_p_values(contrasts: pd.DataFrame) -> dict:
    """Family → p that its good (or best log-lik) pick is closer than its original pick.

    For :func:`densitylab.studies.picks.picks_claims`.
    """
    same = contrasts[
        (contrasts["model_a"] == contrasts["model_b"])
        & (contrasts["pick_b"] == "original protocol")
    ]
    return dict(zip(same["model_a"], same["p_value"], strict=True))


def relative_claims(contrasts: pd.DataFrame, alpha: float = ALPHA) -> dict:
    """Which contrasts the relative tests decide, and which they leave tied.

    A decided p-value within a factor of five of ``alpha`` is flagged: the combined z
    of correlated splits is too large in magnitude, so such a p is weak evidence.
    """
    decided, tied, near = [], [], []
    for row in _closer_first(contrasts).itertuples():
        p_text = bounded_p_value(row.p_value, P_FLOOR)
        if row.p_value < alpha:
            decided.append(f"{row.a} is closer than {row.b} ({p_text})")
            if row.p_value >= alpha / 5:
                near.append(f"{row.a} against {row.b}")
        else:
            tied.append(f"{row.a} and {row.b} (one-sided {p_text} that the first is closer)")
    parts = []
    if decided:
        parts.append(
            f"At the {percent(alpha, trim=True)} level, closer to the held-out digits: "
            f"{join(decided)}."
        )
    if tied:
        parts.append(f"The tests cannot tell apart {join(tied)}.")
    if near:
        parts.append(
            f"The p-value of {join(near)} lies near the {percent(alpha, trim=True)} level; "
            "as the splits share digits, the combined z is somewhat too large in magnitude "
            "(Methods), so read this one with caution."
        )
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


def samples_claims(samples: dict, split, params) -> dict:
    """What the sample grids show, in numbers: how many images a classifier reads as a digit.

    ``samples`` maps a grid's title to its images (real held-out digits among them, as the
    yardstick); the classifier of :func:`label_check` labels every image, and the share it
    labels confidently says how many look like a clear digit.
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


def witness_digits(picks, families, split, sigmas, params, n_show=12) -> SimpleNamespace:
    """Generated digits where the witness is largest, held-out digits where it is lowest.

    Also which mixture component drew each flagged generated digit (the most probable
    one), the weights of the components, and the true classes of the flagged held-out
    digits, for :func:`witness_claims`.
    """
    model = "GMM"
    name, value = _pick(picks, model, "good", "best log-lik")
    fitted, X_gen = _fit_sample(families, model, value, split, params)
    h = sigmas["median"]
    on_generated = witness(X_gen, split.heldout, X_gen, bandwidth=h)
    on_heldout = witness(X_gen, split.heldout, split.heldout, bandwidth=h)
    top = np.argsort(on_generated)[::-1][:n_show]
    bottom = np.argsort(on_heldout)[:n_show]
    log_joint = component_log_pdfs(X_gen[top], fitted.means_, fitted.precisions_cholesky_)
    components = np.argmax(log_joint + np.log(fitted.weights_), axis=1)
    label = f"{family(model)}, {name}: {setting(families[model].param, value)}"
    return SimpleNamespace(
        too_many=X_gen[top],
        too_few=split.heldout[bottom],
        values=(on_generated[top], on_heldout[bottom]),
        components=components,
        weights=np.asarray(fitted.weights_),
        too_few_classes=np.asarray(split.labels[1])[bottom],
        median_distance=float(np.median(pdist(split.heldout))),
        titles=(
            f"generated digits where {label} puts too much mass",
            "held-out digits where it puts too little",
        ),
        label=label,
    )


def witness_claims(flagged) -> dict:
    """The witness section's caption and claim: what the two rows show, in words."""
    high, low = flagged.values
    caption = (
        f"Top: the generated digits of the {flagged.label} with the largest witness values; "
        "bottom: the held-out digits with the most negative values (SE kernel, "
        "median-heuristic $\\sigma$)."
    )
    n_show = len(flagged.components)
    component, count = np.unique(flagged.components, return_counts=True)
    main = int(component[np.argmax(count)])
    n_main = int(count.max())
    weight, even = float(flagged.weights[main]), 1 / len(flagged.weights)
    spread = float(np.mean(pdist(flagged.too_many)))
    if n_main > n_show / 2:
        top = (
            f"{count_word(n_main).capitalize()} of the {number(n_show)} generated digits it "
            f"flags come from one component of the mixture, with weight {number(weight)} "
            f"({'more' if weight > even else 'no more'} than the {number(even)} of an even "
            "share), and look alike: they lie a mean distance of "
            f"{number(spread)} grey levels apart, against a median of "
            f"{number(flagged.median_distance)} between held-out digits. The mixture draws "
            "too many of that one kind of digit."
        )
    else:
        top = (
            f"The {number(n_show)} generated digits it flags come from "
            f"{count_word(len(component))} components of the mixture, "
            f"{count_word(n_main)} of them from the most frequent one (weight "
            f"{number(weight)}, against {number(even)} for an even share): the mixture "
            "over-produces a few kinds of digit rather than one."
        )
    classes, per_class = np.unique(flagged.too_few_classes, return_counts=True)
    order = np.argsort(-per_class, kind="stable")
    shown = [f"{count_word(int(per_class[i]))} {int(classes[i])}s" for i in order[:3]]
    bottom = (
        f"The held-out digits of the bottom row, the kinds it draws too rarely, are "
        f"{join(shown)}" + (" among others" if len(classes) > 3 else "") + " by their true labels."
    )
    claim = (
        f"The witness of the {flagged.label} reaches {number(high[0])} at a generated digit "
        f"and {number(low[0])} at a held-out one. {top} {bottom}"
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
