"""Progress bars (tqdm) for long computations, and the one rule that says when they show.

``progress=None`` shows a bar only when standard error is a terminal, so book builds,
papermill runs and test runs stay silent; the environment variable
``DENSITYLAB_PROGRESS=0``/``1`` overrides that default, and ``progress=True``/``False``
overrides both. A bar that does not show is a disabled tqdm, which writes nothing.
"""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["PROGRESS_ENV", "progress_bar", "show_progress"]

#: The environment variable that overrides the progress default ("1" shows bars, "0" hides).
PROGRESS_ENV = "DENSITYLAB_PROGRESS"


def show_progress(progress) -> bool:
    """Whether to show a bar: ``progress`` if given, else the environment, else a terminal."""
    if progress is not None:
        return bool(progress)
    forced = os.environ.get(PROGRESS_ENV, "").strip()
    if forced in {"0", "1"}:
        return forced == "1"
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


def progress_bar(total: int, desc: str, unit: str, progress):
    """A tqdm bar over ``total`` steps; a widget in Jupyter, text on standard error elsewhere.

    ``tqdm.auto`` is imported only when the bar shows: in a Jupyter kernel without
    ipywidgets it warns on import (and falls back to the text bar), which must not
    reach a book build that asked for no progress.
    """
    if not show_progress(progress):
        from tqdm.std import tqdm

        return tqdm(total=total, disable=True)
    from tqdm.std import TqdmWarning

    with warnings.catch_warnings():
        # The warning says only that the text bar replaces the widget; it is what we want.
        warnings.simplefilter("ignore", TqdmWarning)
        from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)
