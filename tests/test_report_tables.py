"""Report tables: typography in the cells, escaped deterministic HTML and Markdown, no index."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from densitylab.report.tables import MISSING_CELL, TABLE_CSS, Column, Table, subscript_parts

M, S = "\u2212", "\u00a0"


class _Cells(HTMLParser):
    """Rows of (tag, attributes, text) of an HTML table, and every tag seen."""

    def __init__(self):
        super().__init__()
        self.rows, self.tags, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in {"td", "th"}:
            self._cell = [tag, dict(attrs), ""]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        if tag in {"td", "th"}:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None


def parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


@pytest.fixture
def picks():
    return pd.DataFrame(
        {
            "model": ["GMM", "GaussianKDE", "SingleGaussian"],
            "param": ["n_components", "bandwidth", "reg_covar"],
            "value": [5, 0.05, 1e-6],
            "mmd2": [-7.7e-4, 4.2e-4, np.nan],
            "mmd2_se": [2.1e-4, 3e-5, np.nan],
            "n_train": [1000, 20000, 1000],
            "copy_share": [0.0, 0.0012, 0.5],
            "p": [0.0321, 3.1e-8, 0.999],
            "note": ["<b>bold</b> & co", "a | b", None],
        },
        index=[17, 3, 99],  # an index that must never appear
    )


COLUMNS = {
    "model": Column("model", "family"),
    "value": Column("setting", "setting"),
    "mmd2": Column("held-out MMD²", "number"),
    "n_train": Column("training points", "int"),
    "copy_share": Column("copies", "percent"),
    "p": Column("p", "p_value"),
    "note": Column("note"),
}


def test_cells_use_the_report_typography(picks):
    frame = Table(picks, COLUMNS).to_frame()
    assert list(frame.columns) == [c.header for c in COLUMNS.values()]
    assert list(frame.index) == [0, 1, 2]
    assert frame["model"].tolist() == ["GMM", "KDE", "single Gaussian"]
    assert frame["setting"].tolist() == [f"K{S}={S}5", f"h{S}={S}0.05", MISSING_CELL]
    assert frame["held-out MMD²"].tolist() == [
        f"{M}7.7{S}×{S}10⁻⁴",
        f"4.2{S}×{S}10⁻⁴",
        MISSING_CELL,
    ]
    assert frame["training points"].tolist() == ["1000", "20\u202f000", "1000"]
    assert frame["copies"].tolist() == [f"0{S}%", f"0.12{S}%", f"50{S}%"]
    assert frame["p"].tolist() == ["0.032", f"3.1{S}×{S}10⁻⁸", f">{S}0.99"]
    assert frame["note"].tolist() == ["<b>bold</b> & co", "a | b", MISSING_CELL]


def test_interval_column_reads_its_standard_errors(picks):
    table = Table(picks, {"mmd2": Column("MMD² ± se", "interval", se_column="mmd2_se")})
    assert table.to_frame()["MMD² ± se"].tolist() == [
        f"({M}7.7{S}±{S}2.1){S}×{S}10⁻⁴",
        f"(4.20{S}±{S}0.30){S}×{S}10⁻⁴",
        MISSING_CELL,
    ]


def test_html_is_a_plain_escaped_table_without_index(picks):
    html = Table(picks, COLUMNS)._repr_html_()
    parsed = parse(html)
    assert html.startswith('<div class="dl-table-scroll">\n<table class="dl-table">')
    assert parsed.tags.count("thead") == 1 and parsed.tags.count("tbody") == 1
    header, *rows = parsed.rows
    assert [text for _, _, text in header] == [c.header for c in COLUMNS.values()]
    assert len(rows) == 3 and all(len(row) == len(COLUMNS) for row in rows)
    assert all(tag == "th" and attrs["scope"] == "col" for tag, attrs, _ in header)
    assert all(tag == "td" for row in rows for tag, _, _ in row)  # no index cells
    # Escaped: the parser sees the text, not tags; no stray index value anywhere.
    assert rows[0][-1][2] == "<b>bold</b> & co" and "b" not in parsed.tags
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert ">17<" not in html and ">99<" not in html
    assert M in html and "-" not in re.sub(r"<[^>]*>", "", html).replace("held-out", "")


def test_numbers_align_right_and_text_left(picks):
    header, first, *_ = parse(Table(picks, COLUMNS)._repr_html_()).rows
    aligned = {
        h[2]: (h[1]["class"], cell[1]["style"]) for h, cell in zip(header, first, strict=True)
    }
    assert aligned["held-out MMD²"] == ("dl-num", "text-align: right")
    assert aligned["copies"] == ("dl-num", "text-align: right")
    assert aligned["model"] == ("dl-text", "text-align: left")
    assert Column("x", "number", align="center").alignment == "center"


def test_html_is_deterministic_and_has_no_generated_ids(picks):
    first = Table(picks, COLUMNS)._repr_html_()
    assert first == Table(picks.copy(), COLUMNS)._repr_html_()
    assert " id=" not in first
    labelled = Table(picks, COLUMNS, caption="Picks & more", label="tab-picks")._repr_html_()
    assert '<table class="dl-table" id="tab-picks">' in labelled


def test_html_caption_sits_above_and_outside_the_scrolling_box(picks):
    html = Table(picks, COLUMNS, caption="Picks & more", label="tab-picks")._repr_html_()
    lines = html.splitlines()
    assert lines[:3] == [
        '<div class="dl-table-block">',
        '<p class="dl-table-caption">Picks &amp; more</p>',
        '<div class="dl-table-scroll">',
    ]
    assert "<caption" not in html  # a <caption> would scroll away with the table
    assert lines[-2:] == ["</div>", "</div>"]
    assert html.count("<div") == html.count("</div>") == 2


def test_subscript_markup_in_headers():
    assert subscript_parts("C_T") == [("C", False), ("T", True)]
    assert subscript_parts("n_{min} = 5") == [("n", False), ("min", True), (" = 5", False)]
    # Underscores that are not the markup stay text: a word, a leading or doubled one.
    for text in ("n_train", "_T", "a _T", "x__T", "C_T2x"):
        assert subscript_parts(text) == [(text, False)], text
    frame = pd.DataFrame({"ct": [-0.45], "n": [5]})
    columns = {"ct": Column("C_T", "number"), "n": Column("n_{min} of a leaf", "int")}
    table = Table(frame, columns)
    assert "<th" in table._repr_html_() and ">C<sub>T</sub></th>" in table._repr_html_()
    assert ">n<sub>min</sub> of a leaf</th>" in table._repr_html_()
    assert table._repr_markdown_().splitlines()[0] == "| C{sub}`T` | n{sub}`min` of a leaf |"
    # Plain-text forms keep the markup as typed (braces dropped).
    assert list(table.to_frame().columns) == ["C_T", "n_min of a leaf"]
    with pytest.raises(ValueError, match="distinct headers"):
        Table(frame, {"ct": Column("n_{min}", "number"), "n": Column("n_min", "int")})


def test_subscripts_in_text_cells_only_when_asked():
    frame = pd.DataFrame({"e": ["C_T < −3 in n_train"]})
    plain = Table(frame, {"e": Column("evidence")})
    marked = Table(frame, {"e": Column("evidence", subscripts=True)})
    assert "C_T &lt; −3 in n_train</td>" in plain._repr_html_()
    assert "C<sub>T</sub> &lt; −3 in n_train</td>" in marked._repr_html_()
    assert r"C{sub}`T` \< −3 in n\_train |" in marked._repr_markdown_()
    assert marked.to_frame()["evidence"].tolist() == ["C_T < −3 in n_train"]
    with pytest.raises(ValueError, match="text columns only"):
        Column("C_T", "number", subscripts=True)


def test_text_form_is_one_line_never_a_dataframe_dump(picks):
    assert repr(Table(picks, COLUMNS)) == "Table: 3 rows × 7 columns"
    assert repr(Table(picks.head(1), {"p": Column("p")}, caption="Picks")) == (
        "Table: 1 row × 1 column (Picks)"
    )


def test_markdown_form_is_an_escaped_aligned_pipe_table(picks):
    markdown = Table(picks, {k: COLUMNS[k] for k in ("model", "mmd2", "note")})._repr_markdown_()
    lines = markdown.splitlines()
    assert lines[0] == r"| model | held\-out MMD² | note |"
    assert lines[1] == "| :--- | ---: | :--- |"
    assert lines[2] == rf"| GMM | {M}7\.7{S}×{S}10⁻⁴ | \<b\>bold\<\/b\> \& co |"
    assert lines[3].endswith(r"| a \| b |")
    assert lines[4] == f"| single Gaussian | {MISSING_CELL} | {MISSING_CELL} |"
    assert len(lines) == 5 and markdown.endswith("\n")


def test_bad_tables_are_refused_with_the_reason(picks):
    with pytest.raises(ValueError, match=r"no column \['missing'\]"):
        Table(picks, {"missing": Column("x")})
    with pytest.raises(ValueError, match="distinct headers"):
        Table(picks, {"mmd2": Column("x", "number"), "p": Column("x")})
    with pytest.raises(ValueError, match=r"no column \['param2'\]"):
        Table(picks, {"value": Column("s", "setting", param_column="param2")})
    with pytest.raises(TypeError, match="DataFrame"):
        Table(picks.to_dict(), COLUMNS)
    with pytest.raises(ValueError, match="kind must be one of"):
        Column("x", "money")
    with pytest.raises(ValueError, match="se_column"):
        Column("x", "interval")
    with pytest.raises(ValueError, match="digits"):
        Column("x", "number", digits=0)
    with pytest.raises(ValueError, match="share must lie"):  # a percentage, not a share
        Table(pd.DataFrame({"s": [12.0]}), {"s": Column("copies", "percent")})
    with pytest.raises(ValueError, match="not a whole number"):
        Table(pd.DataFrame({"n": [2.5]}), {"n": Column("n", "int")})


def test_css_styles_the_classes_the_html_uses():
    for selector in (
        ".dl-table-block",
        ".dl-table-caption",
        ".dl-table-scroll",
        "table.dl-table",
        ".dl-num",
        ".dl-text",
    ):
        assert selector in TABLE_CSS
    assert "overflow-x: auto" in TABLE_CSS
