"""Progress bars: tqdm when asked or at a terminal, and not a byte otherwise.

Book builds and papermill runs have no terminal on stderr, so they must stay silent
unless ``DENSITYLAB_PROGRESS=1`` asks; ``progress=True``/``False`` overrides both.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

from densitylab import _progress
from densitylab.mmd import mmd_permutation_test


class _Terminal:
    """A stand-in for stderr that says it is a terminal."""

    def isatty(self):
        return True


@pytest.mark.parametrize(
    ("progress", "env", "tty", "shown"),
    [
        (None, None, False, False),  # a book build, a papermill run, pytest
        (None, None, True, True),  # a terminal
        (None, "0", True, False),
        (None, "1", False, True),
        (True, "0", False, True),
        (False, "1", True, False),
    ],
)
def test_the_rule_for_showing_progress(monkeypatch, progress, env, tty, shown):
    if env is None:
        monkeypatch.delenv(_progress.PROGRESS_ENV, raising=False)
    else:
        monkeypatch.setenv(_progress.PROGRESS_ENV, env)
    if tty:
        monkeypatch.setattr(sys, "stderr", _Terminal())
    assert _progress.show_progress(progress) is shown


def test_a_closed_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv(_progress.PROGRESS_ENV, raising=False)
    monkeypatch.setattr(sys, "stderr", None)
    assert _progress.show_progress(None) is False


def _samples():
    rng = np.random.default_rng(0)
    return rng.normal(size=(60, 2)), rng.normal(size=(50, 2))


def test_permutation_test_shows_a_bar_only_when_asked(capsys, monkeypatch):
    X, Y = _samples()
    monkeypatch.setattr("densitylab.mmd._permutation._PERMUTATION_BUDGET", 7 * 110)
    quiet = mmd_permutation_test(X, Y, n_permutations=30, random_state=0, progress=False)
    assert capsys.readouterr() == ("", "")
    shown = mmd_permutation_test(X, Y, n_permutations=30, random_state=0, progress=True)
    err = capsys.readouterr().err
    # Row blocks of 1 row, chunks of 7 labellings: 5 chunks of 110 blocks.
    assert re.search(r"MMD permutations: 100%.*\| 550/550 \[", err)
    np.testing.assert_array_equal(shown.null_statistics, quiet.null_statistics)
    monkeypatch.delenv(_progress.PROGRESS_ENV, raising=False)
    mmd_permutation_test(X, Y, n_permutations=30, random_state=0)
    assert capsys.readouterr() == ("", "")
