"""One run of a study in its notebook: the parameter table, the clock and the results files.

Both notebooks open a :class:`StudySession` after checking their parameters and close it
at the end, so what every study run does besides its science — glue its parameter table
for the reproduce chapter, write its two results tables, glue its run time — is written
once, here.
"""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd

from densitylab.parameters import Schema
from densitylab.studies.claims import parameters_table, runtime_text
from densitylab.sweep_result import SweepResult

__all__ = ["StudySession"]


class StudySession:
    """The bookkeeping of one study run: started when the parameters have been checked.

    Parameters
    ----------
    schema : densitylab.parameters.Schema
        The study's parameter schema; its ``study`` names the results files
        (``<study>.csv``, ``<study>_picks.csv``) and the glue keys' prefix.

    Examples
    --------
    >>> import pandas as pd
    >>> from densitylab.studies import moons
    >>> from densitylab.studies.session import StudySession
    >>> session = StudySession(moons.PARAMETERS)
    >>> session.prefix
    'moons'
    >>> session.runtime().endswith(" s")
    True
    """

    def __init__(self, schema: Schema):
        if not isinstance(schema, Schema):
            raise TypeError(f"schema must be a densitylab.parameters.Schema, got {schema!r}.")
        self.schema = schema
        self.prefix = schema.study.split("_")[0]
        self._started = time.perf_counter()
        from densitylab.report.glue import glue_table

        glue_table(f"{self.prefix}_parameters", parameters_table(schema))

    def write(self, sweeps: SweepResult, picks: pd.DataFrame, output_dir) -> None:
        """Write ``<study>.csv`` (one row per MMD² value, with its fit) and the picks."""
        folder = Path(output_dir)
        folder.mkdir(parents=True, exist_ok=True)
        sweeps.joined().to_csv(folder / f"{self.schema.study}.csv", index=False)
        picks.to_csv(folder / f"{self.schema.study}_picks.csv", index=False)

    def runtime(self) -> str:
        """The time since the session opened, as the text writes it."""
        return runtime_text(time.perf_counter() - self._started)

    def finish(self) -> None:
        """Glue the run time as ``<prefix>_runtime_total`` (nothing shown in the notebook)."""
        from densitylab.report.glue import glue_text

        glue_text(f"{self.prefix}_runtime_total", self.runtime())
