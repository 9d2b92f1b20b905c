"""densitylab: fit, sample and judge classical density estimators.

Five estimators (:mod:`densitylab.models`), the unbiased squared Maximum Mean
Discrepancy (:mod:`densitylab.mmd`), data loaders (:mod:`densitylab.data`),
parameter sweeps (:mod:`densitylab.experiments`), diagnostics that catch what
MMD misses (:mod:`densitylab.diagnostics`) and plots (:mod:`densitylab.plotting`).
"""

__version__ = "0.1.0"
