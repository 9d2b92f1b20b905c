"""Diagnostics that catch what MMD² misses.

* :func:`heldout_loglik` — mean log density of held-out data under a fitted model,
  the criterion maximum likelihood itself would use;
* :func:`copy_check` — do generated points sit closer to the training points than
  fresh data do? A model that memorises its training set (a KDE with a tiny
  bandwidth, a mixture with one component per point) can score a small MMD² while
  producing little that is new;
* :func:`data_copying_test` — the data-copying test C_T of Meehan, Chaudhuri &
  Dasgupta (2020): the same comparison as a Mann-Whitney Z-score per k-means cell of
  the training set, ≪ 0 for copying and ≫ 0 for samples farther from the data than
  new data;
* label balance, label comparison against a control, and balanced batches, for the
  digits study.
"""

from densitylab.diagnostics._copying import CopyCheck, copy_check
from densitylab.diagnostics._data_copying import DataCopyingResult, data_copying_test
from densitylab.diagnostics._label_comparison import LabelComparison, compare_labels
from densitylab.diagnostics._labels import (
    BalancedBatch,
    LabelBalance,
    balanced_batch,
    label_balance,
    predicted_label_balance,
)
from densitylab.diagnostics._likelihood import heldout_loglik

__all__ = [
    "BalancedBatch",
    "CopyCheck",
    "DataCopyingResult",
    "LabelBalance",
    "LabelComparison",
    "balanced_batch",
    "compare_labels",
    "copy_check",
    "data_copying_test",
    "heldout_loglik",
    "label_balance",
    "predicted_label_balance",
]
