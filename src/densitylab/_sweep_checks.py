"""Argument checks of :func:`densitylab.sweeps.run_sweep`: grids, kernels, samples, bandwidths."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from densitylab._random import canonical_key
from densitylab._validation import check_scalar_param
from densitylab.mmd import KERNELS

__all__ = ["check_bandwidths", "check_kernels", "check_samples", "check_values"]


def check_values(values) -> list:
    """The grid as a list, refusing duplicates (they would fake a standard error of 0)."""
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
        raise ValueError(f"values must be a non-empty list of settings, got {values!r}.")
    values = list(values)
    if not values:
        raise ValueError("values must hold at least one hyper-parameter value.")
    keys = [canonical_key(v) for v in values]
    if len(set(keys)) != len(keys):
        raise ValueError(f"values holds a setting twice: {values!r}; list each setting once.")
    return values


def check_kernels(kernels) -> tuple:
    """A kernel selection; a single name such as ``"se"`` is a selection of one."""
    kernels = (kernels,) if isinstance(kernels, str) else tuple(kernels)
    unknown = [k for k in kernels if k not in KERNELS]
    if not kernels or unknown or len(set(kernels)) != len(kernels):
        raise ValueError(
            f"kernels must be 'se', 'imq' or a selection of both without repeats, got {kernels!r}."
        )
    return kernels


def check_samples(samples: Mapping, what: str) -> dict:
    if not isinstance(samples, Mapping):
        raise ValueError(f"{what} must be a mapping of name to sample, got {samples!r}.")
    return {name: np.asarray(X, dtype=np.float64) for name, X in samples.items()}


def check_bandwidths(bandwidths, names) -> dict:
    """``{reference: {bandwidth name: h}}`` with every h finite and > 0."""
    if not isinstance(bandwidths, Mapping):
        raise ValueError(
            "bandwidths must map each reference to named bandwidths, e.g. "
            f"{{'test': {{'median': 0.8}}}}, got {bandwidths!r}."
        )
    checked = {}
    for name in names:
        named = bandwidths.get(name)
        if not isinstance(named, Mapping) or not named:
            raise ValueError(
                f"bandwidths[{name!r}] must map a name to each bandwidth, e.g. "
                f"{{'median': 0.8}}, got {named!r}."
            )
        checked[name] = {
            str(h_name): check_scalar_param(
                h, f"bandwidths[{name!r}][{h_name!r}]", minimum=0, exclusive=True
            )
            for h_name, h in named.items()
        }
    return checked
