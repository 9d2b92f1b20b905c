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

from densitylab.mmd import relative_mmd_test, witness
from densitylab.models._gaussians import component_log_pdfs
from densitylab.report.tables import Column, Table
from densitylab.report.typography import (
    count_word,
    family,
    join,
    number,
    percent,
    setting,
)
from densitylab.studies.claims import select
from densitylab.studies.picks import bounded_p_value
from densitylab.sweeps import fit_and_sample

__all__ = [
    "ALPHA",
    "contrasts_table",
    "pick_samples",
    "relative_claims",
    "relative_contrasts",
    "relative_p_values",
    "witness_claims",
    "witness_digits",
]

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
    samples = {}  # a setting's sample on a split is the sweep's own: refit it once

    def sample(model, value, r):
        if (model, value, r) not in samples:
            samples[model, value, r] = _sample(families, model, value, splits[r], params)
        return samples[model, value, r]

    rows = []
    for (ma, na, va), (mb, nb, vb) in pairs:
        z = []
        for r, split in enumerate(splits):
            result = relative_mmd_test(
                split.heldout, sample(ma, va, r), sample(mb, vb, r), bandwidth=sigmas["median"]
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


_PICK_PROSE = {
    "good": "the good {family} ({setting})",
    "bad": "the bad {family} ({setting})",
    "original protocol": "the {family} of the original protocol ({setting})",
    "best log-lik": "the {family} of best log-likelihood ({setting})",
}


def _prose(label: str) -> str:
    """A table label, "GMM, good: K = 70", as words: "the good GMM (K = 70)"."""
    name, rest = label.split(", ", 1)
    pick, where = rest.split(": ", 1)
    return _PICK_PROSE[pick].format(family=name, setting=where)


def relative_claims(contrasts: pd.DataFrame, alpha: float = ALPHA) -> dict:
    """Which contrasts the relative tests decide, and which they leave tied.

    A decided p-value within a factor of five of ``alpha`` is flagged: the combined z
    of correlated splits is too large in magnitude, so such a p is weak evidence.
    """
    decided, tied, near = [], [], []
    for row in _closer_first(contrasts).itertuples():
        p_text = bounded_p_value(row.p_value, P_FLOOR)
        a, b = _prose(row.a), _prose(row.b)
        if row.p_value < alpha:
            decided.append(f"{a} is closer than {b} ({p_text})")
            if row.p_value >= alpha / 5:
                near.append(f"{a} against {b}")
        else:
            tied.append(f"{a} and {b} (one-sided {p_text} that the first is closer)")
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
            f"{count_word(n_main)} of them from the one that supplies the most (its weight "
            f"is {number(weight)}; an even share would be {number(even)}): the mixture "
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
