"""The digits study: parameters, stratified splits, model families, and the label check.

Each repeat is one stratified split of scikit-learn's 1797 digits into training and
held-out digits; every family is fitted on every split's training part and judged
against both parts (the original protocol compared with the training digits). The
MMD² uses two named bandwidths: the median heuristic of the first split's training
digits (``"median"``) and the original study's ``σ = 1`` (``"original"``).
"""

from __future__ import annotations

import math

from sklearn.ensemble import RandomForestClassifier

from densitylab.data import load_digits_split
from densitylab.mmd import median_heuristic
from densitylab.models import GMM, DensityForest, GaussianKDE
from densitylab.parameters import Parameter, Schema, grid_at_most
from densitylab.seeding import TrainingSet, derive_seed
from densitylab.studies.moons import Family
from densitylab.studies.study_parameters import RUN_PARAMETERS, family_grids, sample_size

__all__ = [
    "N_CLASSES",
    "N_DIGITS",
    "ORIGINAL_BANDWIDTH",
    "PARAMETERS",
    "REG_COVAR",
    "classifier",
    "families",
    "mmd_bandwidths",
    "splits",
]

#: Images in scikit-learn's ``load_digits``, and their classes.
N_DIGITS, N_CLASSES = 1797, 10
#: The MMD kernel bandwidth σ the original study used for the digits.
ORIGINAL_BANDWIDTH = 1.0
#: Variance floor in grey levels² for the GMM's and the forest's Gaussians. The pixels are
#: integers, and a variance well below that of rounding (1/12) describes the rounding.
REG_COVAR = 0.1
# Least digits of each class on each side of a split (stratification needs some).
_MIN_PER_CLASS = 5


def _split_leaves_every_class(values: dict) -> None:
    n_heldout = math.ceil(values["test_fraction"] * N_DIGITS)
    least = _MIN_PER_CLASS * N_CLASSES
    if not least <= n_heldout <= N_DIGITS - least:
        raise ValueError(
            f"test_fraction must leave at least {least} digits on each side of the split "
            f"(between {least / N_DIGITS:.3f} and {1 - least / N_DIGITS:.3f}), "
            f"got {values['test_fraction']!r}."
        )


# K components need at least K training digits.
_components_fit_the_training_digits = grid_at_most(
    "gmm_components",
    lambda values: N_DIGITS - math.ceil(values["test_fraction"] * N_DIGITS),
    "training digits",
    "lower K or test_fraction",
)


PARAMETERS = Schema(
    "digits_64d",
    [
        Parameter("seed", "seed", 0, "master seed: the splits, every fit, sample and classifier"),
        Parameter("test_fraction", "share", 0.25, "share of the digits held out, by class"),
        Parameter(
            "repeats", "count", 3, "stratified splits, each fitted anew", minimum=2, maximum=20
        ),
        sample_size("digits"),
        *family_grids(
            [1, 2, 3, 5, 10, 20, 50, 70, 100],
            [0.01, 0.1, 0.5, 1, 1.5, 1.75, 2, 2.1, 2.2, 2.5, 3, 4],
            [5, 10, 12, 15, 20, 50, 100, 200],
            most_components=1000,
            bandwidth_range=(1e-3, 100),
            most_per_leaf=N_DIGITS,
            bandwidth_unit="grey levels",
        ),
        Parameter(
            "forest_trees", "count", 10, "density forest: number of trees", minimum=1, maximum=200
        ),
        *RUN_PARAMETERS,
    ],
    relations=[_split_leaves_every_class, _components_fit_the_training_digits],
)


def splits(params) -> list[TrainingSet]:
    """One training set per repeat: a stratified split, judged against both of its parts.

    Each set carries its held-out digits and the references ``"train"`` (its own
    training digits, the original protocol) and ``"heldout"``; its labels are kept
    in ``labels`` for the classifier.

    Examples
    --------
    >>> from densitylab.studies import digits
    >>> params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults())
    >>> sets = digits.splits(params)
    >>> len(sets), sets[0].X.shape, sets[0].heldout.shape
    (3, (1347, 64), (450, 64))
    """
    sets = []
    for r in range(params.repeats):
        split = load_digits_split(
            params.test_fraction, random_state=derive_seed(params.seed, "split", r)
        )
        sets.append(
            TrainingSet(
                n_train=len(split.X_train),
                repeat=r,
                X=split.X_train,
                heldout=split.X_test,
                references={"train": split.X_train, "heldout": split.X_test},
                labels=(split.y_train, split.y_test),
            )
        )
    return sets


def families(params) -> dict[str, Family]:
    """The three model families of the study, by class name, with their grids.

    Examples
    --------
    >>> from densitylab.studies import digits
    >>> params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults())
    >>> list(digits.families(params))
    ['GMM', 'GaussianKDE', 'DensityForest']
    """
    return {
        "GMM": Family(GMM(reg_covar=REG_COVAR), "n_components", params.gmm_components),
        "GaussianKDE": Family(GaussianKDE(), "bandwidth", params.kde_bandwidths),
        "DensityForest": Family(
            DensityForest(n_trees=params.forest_trees, reg_covar=REG_COVAR),
            "n_min",
            params.forest_n_min,
        ),
    }


def mmd_bandwidths(sets, params) -> dict[str, float]:
    """σ for the MMD²: the first split's training digits' median heuristic, and σ = 1.

    One σ for every model and split, so that all MMD² values are on one scale.

    Examples
    --------
    >>> from densitylab.studies import digits
    >>> params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults() | {"repeats": 2})
    >>> sigmas = digits.mmd_bandwidths(digits.splits(params), params)
    >>> round(sigmas["median"]), sigmas["original"]
    (35, 1.0)
    """
    X = sets[0].X
    h = median_heuristic(X, max_n=len(X), random_state=derive_seed(params.seed, "sigma"))
    return {"median": h, "original": ORIGINAL_BANDWIDTH}


def classifier(training_set: TrainingSet, params) -> RandomForestClassifier:
    """The random forest that labels generated digits, trained on one split's training digits.

    Examples
    --------
    >>> from densitylab.studies import digits
    >>> params = digits.PARAMETERS.validate(digits.PARAMETERS.defaults() | {"repeats": 2})
    >>> split = digits.splits(params)[0]
    >>> clf = digits.classifier(split, params)
    >>> bool((clf.predict(split.heldout) == split.labels[1]).mean() > 0.9)
    True
    """
    seed = int(derive_seed(params.seed, "classifier").generate_state(1)[0])
    model = RandomForestClassifier(n_estimators=200, random_state=seed, n_jobs=params.n_jobs)
    return model.fit(training_set.X, training_set.labels[0])
