"""End to end: a tiny Jupyter Book glues with densitylab.report and places every kind.

One notebook glues a number, a sentence with maths, a table and a figure; its markdown
places them as the report's pages do. The build runs with ``-W -n --keep-going`` (any
warning fails it), then the HTML is read: the exact strings, a numbered Sphinx table and
the HTML table, typeset maths, and an ``<img>`` with the alt text of ``:alt:`` whose PNG
is twice its displayed width.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

CODE = textwrap.dedent(
    """\
    import pandas as pd
    from densitylab.report.figures import new_figure
    from densitylab.report.glue import glue_all, glue_figure, glue_number, glue_table
    from densitylab.report.tables import Column, Table
    from densitylab.report.typography import setting

    fig, axes = new_figure(1, 2)
    axes[0, 0].plot([0, 1], [0, 1])
    axes[0, 0].set_xlabel("number of components $K$")
    glue_figure("tiny_fig", fig)
    glue_number("tiny_half", 0.5)
    df = pd.DataFrame(
        {"model": ["GMM", "GaussianKDE"], "mmd2": [-7.7e-4, 0.5], "note": ["<b>", "a|b"]}
    )
    columns = {
        "model": Column("model", "family"),
        "mmd2": Column("held-out MMD²", "number"),
        "note": Column("note"),
    }
    glue_table("tiny_table", Table(df, columns))
    glue_all("tiny", {"mmd": -7.7e-4, "best": "the GMM with " + setting("n_components", 5)})
    """
)

PAGE = textwrap.dedent(
    """\
    # Tiny

    MMD² is {glue:md}`tiny_mmd`, a half is {glue:text}`tiny_half`; best:
    {glue:md}`tiny_best:myst`.

    ```{glue:figure} tiny_fig
    :alt: A line rising from left to right.
    :name: fig-tiny

    A rising line.
    ```

    ````{table} The table as Markdown.
    :name: tab-tiny

    ```{glue:md} tiny_table
    :format: myst
    ```
    ````

    ```{glue:figure} tiny_table
    :name: fig-tiny-table

    The table as HTML.
    ```

    See {numref}`fig-tiny`, {numref}`tab-tiny` and {numref}`fig-tiny-table`.
    """
)

CONFIG = textwrap.dedent(
    """\
    title: tiny
    only_build_toc_files: true
    exclude_patterns: ["_build", ".*", "**/.*"]
    execute:
      execute_notebooks: force
      raise_on_error: true
      stderr_output: warn
    parse:
      myst_enable_extensions: [dollarmath, colon_fence]
    sphinx:
      config:
        numfig: true
    """
)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[str, Path]:
    book = tmp_path_factory.mktemp("tinybook")
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(PAGE),
            nbformat.v4.new_code_cell(CODE, metadata={"tags": ["remove-cell"]}),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    nbformat.write(notebook, book / "tiny.ipynb")
    (book / "_config.yml").write_text(CONFIG)
    (book / "_toc.yml").write_text("format: jb-book\nroot: tiny\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        str(JUPYTER_BOOK),
        "build",
        str(book),
        "--builder",
        "html",
        "-W",
        "-n",
        "--keep-going",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html_dir = book / "_build" / "html"
    return (html_dir / "tiny.html").read_text(), html_dir


@pytest.mark.slow
def test_glued_text_reads_as_formatted(page):
    html, _ = page
    assert "MMD² is −7.7\u00a0×\u00a010⁻⁴," in html
    assert '<span class="pasted-text">0.50</span>' in html  # not re-read as the float 0.5
    # The myst format typesets the maths of a glued sentence.
    assert r'the GMM with <span class="math notranslate nohighlight">\(K = 5\)</span>' in html


@pytest.mark.slow
def test_markdown_table_is_a_numbered_sphinx_table(page):
    html, _ = page
    match = re.search(r'<table class="table" id="tab-tiny">(.*?)</table>', html, re.S)
    assert match, "no Sphinx table for {table} + {glue:md}"
    table = match.group(1)
    assert '<span class="caption-number">Table 1 </span>' in table
    assert '<th class="head text-right"><p>held-out MMD²</p></th>' in table
    assert '<td class="text-right"><p>−7.7\u00a0×\u00a010⁻⁴</p></td>' in table
    assert "<p>&lt;b&gt;</p>" in table and "<p>a|b</p>" in table  # escaped, not parsed
    assert 'href="#tab-tiny"><span class="std std-numref">Table 1</span>' in html


@pytest.mark.slow
def test_html_table_is_placed_by_glue_figure(page):
    html, _ = page
    figure = re.search(
        r'<figure class="align-default" id="fig-tiny-table">(.*?)</figure>', html, re.S
    )
    assert figure and '<table class="dl-table">' in figure.group(1)
    assert "<td" in figure.group(1) and "The table as HTML." in figure.group(1)


@pytest.mark.slow
def test_figure_has_alt_text_and_a_png_twice_its_width(page):
    html, html_dir = page
    figure = re.search(r'<figure class="align-default" id="fig-tiny">(.*?)</figure>', html, re.S)
    img = re.search(r"<img ([^>]*)/>", figure.group(1)).group(1)
    assert 'alt="A line rising from left to right."' in img
    assert 'style="width: 672px;"' in img
    src = re.search(r'src="([^"]+)"', img).group(1)
    png = (html_dir / src).read_bytes()
    assert struct.unpack(">I", png[16:20])[0] == 2 * 672
