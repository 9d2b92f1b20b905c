"""The two tidy tables a sweep returns: one row per fit, and one row per MMD² measurement.

A fit has facts of its own (held-out log-likelihood, copy checks, time) and several
MMD² values (one per reference sample, kernel and named bandwidth). Keeping the two
kinds of fact in two tables means no consumer ever has to de-duplicate per-fit facts
that a wide table would repeat on every MMD² row; :meth:`SweepResult.joined` gives
that wide table when a single file is wanted (the CSV a study writes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["FIT_COLUMNS", "FIT_KEYS", "MMD_COLUMNS", "SweepResult"]

#: Columns that identify one fit (the model, the swept value and the training set).
FIT_KEYS = ("model", "param", "value", "n_train", "repeat")

#: Columns of the ``fits`` table of :class:`SweepResult`, in order.
FIT_COLUMNS = (
    *FIT_KEYS,
    "n_generated",
    # Mean log density of the held-out sample, and the share of it at density exactly 0
    # (such points make the mean -inf).
    "heldout_loglik",
    "heldout_zero_share",
    # The nearest-neighbour copy check: share of generated points closer to the training
    # set than the q-quantile of held-out points, that threshold, and the median ratio.
    "copy_share",
    "copy_threshold",
    "copy_median_ratio",
    # The data-copying statistic C_T of Meehan et al. (2020): ≪ 0 copying, ≫ 0 over-dispersed.
    "ct_statistic",
    # Wall-clock time of fit plus sampling: the only column that varies between identical runs.
    "fit_seconds",
)

#: Columns of the ``mmd`` table of :class:`SweepResult`, in order (the fit, then its judges).
MMD_COLUMNS = (*FIT_KEYS, "reference", "kernel", "bandwidth_name", "bandwidth", "mmd2")


@dataclass(frozen=True)
class SweepResult:
    """The result of :func:`densitylab.sweeps.run_sweep`: two tidy tables.

    Attributes
    ----------
    fits : pandas.DataFrame
        One row per fit, columns :data:`FIT_COLUMNS`.
    mmd : pandas.DataFrame
        One row per fit × reference × kernel × named bandwidth, columns
        :data:`MMD_COLUMNS`; ``bandwidth_name`` is the name given in ``run_sweep``'s
        ``bandwidths`` (e.g. ``"median"``) and ``bandwidth`` the value ``h`` used.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.sweep_result import SweepResult
    >>> fits = pd.DataFrame({"model": ["GMM"], "param": ["n_components"], "value": [2],
    ...                      "n_train": [100], "repeat": [0], "heldout_loglik": [-1.2]})
    >>> mmd = pd.DataFrame({"model": ["GMM"] * 2, "param": ["n_components"] * 2,
    ...                     "value": [2, 2], "n_train": [100] * 2, "repeat": [0] * 2,
    ...                     "kernel": ["se", "imq"], "mmd2": [1e-3, 2e-3]})
    >>> SweepResult(fits, mmd).joined()[["kernel", "mmd2", "heldout_loglik"]]
      kernel   mmd2  heldout_loglik
    0     se  0.001            -1.2
    1    imq  0.002            -1.2
    """

    fits: pd.DataFrame
    mmd: pd.DataFrame

    def joined(self) -> pd.DataFrame:
        """One wide table: every MMD² row with the facts of its fit (the study's CSV)."""
        return self.mmd.merge(self.fits, on=list(FIT_KEYS), how="left", validate="many_to_one")

    @classmethod
    def concat(cls, results: Iterable[SweepResult]) -> SweepResult:
        """Several sweeps (e.g. one per model family) as one result, rows in the given order.

        Examples
        --------
        >>> import pandas as pd
        >>> from densitylab.sweep_result import SweepResult
        >>> a = SweepResult(pd.DataFrame({"value": [1]}), pd.DataFrame({"value": [1, 1]}))
        >>> b = SweepResult(pd.DataFrame({"value": [2]}), pd.DataFrame({"value": [2]}))
        >>> both = SweepResult.concat([a, b])
        >>> len(both.fits), len(both.mmd)
        (2, 3)
        """
        results = list(results)
        if not results:
            raise ValueError("results must hold at least one SweepResult to concatenate.")
        return cls(
            pd.concat([r.fits for r in results], ignore_index=True),
            pd.concat([r.mmd for r in results], ignore_index=True),
        )

    def equals(self, other: SweepResult, *, ignore_timing: bool = True) -> bool:
        """Whether two sweeps computed identical numbers (bit for bit).

        ``fit_seconds``, wall-clock time, is left out unless ``ignore_timing=False``.

        Examples
        --------
        >>> import pandas as pd
        >>> from densitylab.sweep_result import SweepResult
        >>> a = SweepResult(pd.DataFrame({"value": [1], "fit_seconds": [0.5]}),
        ...                 pd.DataFrame({"mmd2": [1e-3]}))
        >>> b = SweepResult(pd.DataFrame({"value": [1], "fit_seconds": [0.7]}),
        ...                 pd.DataFrame({"mmd2": [1e-3]}))
        >>> a.equals(b), a.equals(b, ignore_timing=False)
        (True, False)
        """
        if not isinstance(other, SweepResult):
            return False
        drop = ["fit_seconds"] if ignore_timing else []
        return self.fits.drop(columns=drop, errors="ignore").equals(
            other.fits.drop(columns=drop, errors="ignore")
        ) and self.mmd.equals(other.mmd)
