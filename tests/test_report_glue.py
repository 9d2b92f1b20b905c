"""Glue: what the notebook stores is what myst-nb reads back, for text, tables and figures.

The glue functions run inside a real IPython shell and the published outputs are captured
as the kernel would send them; myst-nb's own readers (``extract_glue_data`` and
``format_plain_text``) then read them back. The book itself is built in
``test_report_book.py``.
"""

from __future__ import annotations

import base64
import dataclasses
import struct
import subprocess
import sys
from collections import namedtuple

import matplotlib

matplotlib.use("Agg")

import nbformat
import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from myst_nb.core.variables import format_plain_text
from myst_nb.ext.glue import GLUE_PREFIX, extract_glue_data

from densitylab.report.figures import FIGURE_WIDTH_PX, new_figure
from densitylab.report.glue import (
    glue_all,
    glue_figure,
    glue_interval,
    glue_number,
    glue_p,
    glue_percent,
    glue_table,
    glue_text,
)
from densitylab.report.tables import Column, Table

M, S = "\u2212", "\u00a0"


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """An IPython shell (as in a kernel) whose published outputs are returned by name."""
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    InteractiveShell.instance(config=config)
    captured = capture_output()
    outputs = captured.__enter__()

    def glued():
        """Name → the output as stored in a notebook (myst-nb's reader on one cell)."""
        cell = nbformat.v4.new_code_cell(
            outputs=[
                nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata)
                for o in outputs.outputs
            ]
        )
        notebook = nbformat.v4.new_notebook(cells=[cell])

        class Logger:
            def warning(self, message, **kwargs):
                raise AssertionError(message)

        return dict(extract_glue_data(notebook, [0], Logger()))

    yield glued
    captured.__exit__(None, None, None)
    InteractiveShell.clear_instance()


def test_text_is_markdown_for_glue_md_and_exact_for_glue_text(kernel):
    assert glue_text("s", "the GMM with $K = 5$") == "the GMM with $K = 5$"
    glue_number("half", 0.5)
    glue_number("tiny", -7.7e-4)
    data = kernel()
    assert data["s"]["data"]["text/markdown"] == "the GMM with $K = 5$"
    # {glue:text} literal-evaluates text/plain: "0.50" stays "0.50", not the float 0.5.
    assert format_plain_text(data["half"]["data"]["text/plain"], "") == "0.50"
    assert format_plain_text(data["tiny"]["data"]["text/plain"], "") == f"{M}7.7{S}×{S}10⁻⁴"
    assert set(data["half"]["data"]) == {"text/plain", "text/markdown"}


def test_numbers_shares_intervals_and_p_values_are_glued_as_formatted(kernel):
    assert glue_number("n", 20000) == "20\u202f000"
    assert glue_percent("share", 0.0012) == f"0.12{S}%"
    assert glue_interval("floor", 4.2e-4, 3e-5, digits=1) == f"(4.2{S}±{S}0.3){S}×{S}10⁻⁴"
    assert glue_p("p", 0.0321) == f"p{S}={S}0.032"
    data = kernel()
    for name, text in [("n", "20\u202f000"), ("share", f"0.12{S}%"), ("p", f"p{S}={S}0.032")]:
        assert data[name]["data"]["text/markdown"] == text


def test_nothing_reaches_the_page_when_glued(kernel):
    glue_number("x", 1.0)
    (output,) = kernel().values()
    assert output["metadata"]["scrapbook"] == {"name": "x", "mime_prefix": GLUE_PREFIX}


def test_bold_computed_sentences_are_refused(kernel):
    for text in ("**The KDE wins.**", "the __best__ model"):
        with pytest.raises(ValueError, match="bold"):
            glue_text("claim", text)
    with pytest.raises(TypeError, match="text must be a string"):
        glue_text("claim", 0.5)
    assert kernel() == {}


@pytest.mark.parametrize("name", ["", "1st", "moons-best", "a b", "x::y", None])
def test_keys_must_be_identifiers(kernel, name):
    with pytest.raises(ValueError, match="glue key"):
        glue_number(name, 1.0)


def test_table_is_glued_as_html_and_markdown_never_as_a_dataframe(kernel):
    df = pd.DataFrame({"mmd2": [-7.7e-4, 0.5]}, index=[7, 8])
    table = Table(df, {"mmd2": Column("MMD²", "number")})
    assert glue_table("tab", table) is table
    data = kernel()["tab"]["data"]
    assert data["text/html"] == table._repr_html_()
    assert data["text/markdown"] == table._repr_markdown_()
    assert data["text/plain"] == "Table: 2 rows × 1 column"
    with pytest.raises(TypeError, match="Table"):
        glue_table("df", df)


def test_figure_is_a_png_at_twice_its_displayed_width(kernel):
    fig, axes = new_figure(1, 2)
    axes[0, 0].plot([0, 1], [0, 1])
    glue_figure("fig", fig, alt="A rising line.")
    output = kernel()["fig"]
    png = base64.b64decode(output["data"]["image/png"])
    assert struct.unpack(">I", png[16:20])[0] == 2 * FIGURE_WIDTH_PX
    # myst-nb copies width (and height) from here onto the <img>; alt goes to nbconvert.
    assert output["metadata"]["image/png"] == {"width": FIGURE_WIDTH_PX, "alt": "A rising line."}
    with pytest.raises(TypeError, match="Figure"):
        glue_figure("fig2", png)


def test_glue_all_dispatches_on_type(kernel):
    fig, _ = new_figure()
    table = Table(pd.DataFrame({"n": [1]}), {"n": Column("n", "int")})
    keys = glue_all(
        "moons",
        {"n_test": 2000, "floor": 4.2e-4, "best": "the KDE", "tab": table, "fig": fig},
        digits=3,
    )
    assert keys == ["moons_n_test", "moons_floor", "moons_best", "moons_tab", "moons_fig"]
    data = {name: output["data"] for name, output in kernel().items()}
    assert data["moons_n_test"]["text/markdown"] == "2000"
    assert data["moons_floor"]["text/markdown"] == f"4.20{S}×{S}10⁻⁴"
    assert data["moons_best"]["text/markdown"] == "the KDE"
    assert "text/html" in data["moons_tab"] and "image/png" in data["moons_fig"]


def test_glue_all_takes_dataclasses_named_tuples_and_pairs(kernel):
    @dataclasses.dataclass
    class Claims:
        best: str
        share: float

    Pair = namedtuple("Pair", "a b")
    assert glue_all("c", Claims("the GMM", 0.25)) == ["c_best", "c_share"]
    assert glue_all("t", Pair(1, 2)) == ["t_a", "t_b"]
    assert glue_all("p", [("x", 1), ("y", "two")]) == ["p_x", "p_y"]
    assert kernel()["c_share"]["data"]["text/markdown"] == "0.25"


def test_glue_all_refuses_before_gluing_anything(kernel):
    with pytest.raises(ValueError, match=r"same key twice: \['p_x'\]"):
        glue_all("p", [("x", 1), ("x", 2)])
    for bad in (None, True, [1, 2]):
        with pytest.raises(TypeError, match=r"values\['bad'\]"):
            glue_all("p", {"ok": 1.0, "bad": bad})
    with pytest.raises(ValueError, match="glue key"):
        glue_all("p", {"not ok": 1.0})
    with pytest.raises(ValueError, match="glue key"):
        glue_all("2p", {"x": 1.0})
    with pytest.raises(TypeError, match="mapping, a dataclass"):
        glue_all("p", 3)
    assert kernel() == {}  # "ok" was never glued


def test_outside_a_kernel_nothing_is_published(capsys, monkeypatch):
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: pytest.fail("published"))
    assert InteractiveShell.initialized() is False
    assert glue_number("x", 0.5) == "0.50"
    assert capsys.readouterr().out == ""


def test_glue_module_imports_myst_nb_only_to_publish():
    code = "import sys, densitylab.report.glue\nprint('myst_nb' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
