"""Every public function that takes data names the argument when the data are malformed.

A ragged list (rows of different lengths) must not surface NumPy's "inhomogeneous
shape"; a missing sample must not be reported as a 0-D array to reshape. (The models'
``fit`` and ``score_samples`` are checked in test_models_common.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from densitylab.diagnostics import (
    balanced_batch,
    copy_check,
    heldout_loglik,
    label_balance,
    predicted_label_balance,
)
from densitylab.mmd import (
    kernel_matrix,
    mean_kernel,
    median_heuristic,
    mmd2_unbiased,
    mmd_permutation_test,
)
from densitylab.models import SingleGaussian

GOOD = np.random.default_rng(0).normal(size=(20, 2))
RAGGED = [[0.0, 1.0], [2.0], [3.0, 4.0]]


def _model():
    return SingleGaussian().fit(GOOD)


def _classifier():
    return DummyClassifier(strategy="constant", constant=1).fit(GOOD, np.ones(20, dtype=int))


# id → (call with the malformed argument in place, name of that argument)
CALLS = {
    "mmd2-X": (lambda A: mmd2_unbiased(A, GOOD, bandwidth=1.0), "X"),
    "mmd2-Y": (lambda A: mmd2_unbiased(GOOD, A, bandwidth=1.0), "Y"),
    "mean_kernel-X": (lambda A: mean_kernel(A, bandwidth=1.0), "X"),
    "mean_kernel-Y": (lambda A: mean_kernel(GOOD, A, bandwidth=1.0), "Y"),
    "kernel_matrix-X": (lambda A: kernel_matrix(A, bandwidth=1.0), "X"),
    "kernel_matrix-Y": (lambda A: kernel_matrix(GOOD, A, bandwidth=1.0), "Y"),
    "median-X": (lambda A: median_heuristic(A), "X"),
    "median-Y": (lambda A: median_heuristic(GOOD, A), "Y"),
    "permutation-X": (
        lambda A: mmd_permutation_test(A, GOOD, bandwidth=1.0, n_permutations=5),
        "X",
    ),
    "permutation-Y": (
        lambda A: mmd_permutation_test(GOOD, A, bandwidth=1.0, n_permutations=5),
        "Y",
    ),
    "copy-generated": (lambda A: copy_check(A, GOOD, GOOD), "X_generated"),
    "copy-train": (lambda A: copy_check(GOOD, A, GOOD), "X_train"),
    "copy-heldout": (lambda A: copy_check(GOOD, GOOD, A), "X_heldout"),
    "heldout_loglik": (lambda A: heldout_loglik(_model(), A), "X"),
    "balanced_batch": (lambda A: balanced_batch(A, [0, 1, 0], 1), "X"),
    "predicted_label_balance": (lambda A: predicted_label_balance(_classifier(), A), "X"),
}


@pytest.mark.parametrize(("call", "name"), CALLS.values(), ids=CALLS.keys())
def test_ragged_data_are_named_and_described(call, name):
    with pytest.raises(ValueError) as info:
        call(RAGGED)
    message = str(info.value)
    assert message.startswith(f"{name} must be a rectangular 2-D numeric array"), message
    assert "inhomogeneous" not in message


@pytest.mark.parametrize(("call", "name"), CALLS.values(), ids=CALLS.keys())
def test_non_numeric_data_are_named(call, name):
    with pytest.raises(ValueError, match=f"^{name} must be a rectangular 2-D numeric array"):
        call([["a", "b"], ["c", "d"], ["e", "f"]])


@pytest.mark.parametrize(
    "call",
    [
        lambda: mmd2_unbiased(GOOD, None),
        lambda: mmd_permutation_test(GOOD, None),
        lambda: copy_check(GOOD, GOOD, None),
    ],
    ids=["mmd2", "permutation", "copy_check"],
)
def test_a_missing_sample_is_named_not_reshaped(call):
    with pytest.raises(ValueError, match=r"must be an array of shape .* got None") as info:
        call()
    assert "reshape" not in str(info.value)


def test_ragged_labels_are_named():
    with pytest.raises(ValueError, match="labels must be a 1-D array of integer class indices"):
        label_balance([[0, 1], [2]])
