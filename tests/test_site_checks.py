"""Each check of scripts/check_site.py, on small synthetic pages: it passes a good page
and fails a bad one, naming the page and the element.

These need neither a built book nor a browser (the browser checks are judged from the
numbers a browser reports, given here by hand), so they run in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from repo_scripts import load_script

check_site = load_script("check_site")


def write_page(root: Path, body: str, head: str = "", docname: str = "book/page") -> str:
    """A page whose content is ``body``, inside the theme's main column; returns its docname."""
    path = root / f"{docname}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    html = (
        f"<html><head>{head}</head><body><nav>Navigation 4.2e-04 n_min</nav>"
        f'<article class="bd-article">{body}</article></body></html>'
    )
    path.write_text(html, encoding="utf-8")
    return docname


def problems(root: Path, body: str, docname: str = "book/page", head: str = "") -> list[str]:
    return check_site.static_problems(root, write_page(root, body, head, docname))


def noise_png(path: Path, size=(40, 40)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(0).integers(0, 255, size=size[::-1], dtype=np.uint8)
    Image.fromarray(pixels).save(path)


GOOD_FIGURE = (
    '<figure><img src="../_images/fig.png" alt="MMD² against the number of bins"/>'
    "<figcaption>A figure</figcaption></figure>"
)


@pytest.fixture
def site(tmp_path) -> Path:
    noise_png(tmp_path / "_images" / "fig.png")
    return tmp_path


# ------------------------------------------------------------------ a clean page


def test_a_clean_page_passes(site):
    body = (
        GOOD_FIGURE + '<p>Best <span class="pasted-text">20</span> bins; MMD² differs by '
        '<span class="pasted-text">−4.2 × 10⁻⁴</span> on average (1–2 % of k-means runs, '
        "2-D data, 2025-01-02).</p>"
        '<div class="cell_output"><div class="output text_html">'
        '<table class="dl-table"><tr><th>model</th><th class="num">MMD²</th></tr>'
        '<tr><td>GMM</td><td class="num">−1.9 × 10⁻³</td></tr></table></div></div>'
        "<p>The least number of points per leaf, <code>n_min</code>, and "
        '<span class="math">\\(n_\\text{min} = -1\\)</span>.</p>'
        '<div class="highlight"><pre>x = 4.2e-04 - 1  # n_min</pre></div>'
        "<p>We <strong>measure</strong> the noise.</p>"
    )
    head = (
        '<script src="../_static/doctools.js"></script>'
        '<script src="../_static/mathjax/tex-chtml.js"></script>'
    )
    assert problems(site, body, "notebooks/page", head) == []


def test_a_missing_page_is_a_problem(tmp_path):
    assert check_site.static_problems(tmp_path, "book/absent") == [
        f"book/absent: page {tmp_path / 'book' / 'absent.html'} is missing"
    ]


def test_only_the_main_column_is_checked(site):
    # The navigation of write_page holds "4.2e-04" and "n_min": not the page's content.
    assert problems(site, "<p>Plain text.</p>") == []


# ------------------------------------------------------------------ figures


def test_blank_empty_and_missing_images_fail(tmp_path):
    (tmp_path / "_images").mkdir()
    Image.new("L", (40, 40), 255).save(tmp_path / "_images" / "blank.png")
    (tmp_path / "_images" / "empty.png").write_bytes(b"")
    alt = 'alt="a described figure here"'
    found = "\n".join(
        problems(
            tmp_path,
            f'<img src="../_images/blank.png" {alt}/><img src="../_images/empty.png" {alt}/>'
            f'<img src="../_images/missing.png" {alt}/>'
            f'<img src="https://example.org/x.png" {alt}/>',
        )
    )
    assert "book/page: image ../_images/blank.png: blank" in found
    assert "empty.png: empty file" in found
    assert "missing.png: missing" in found
    assert "image from another host: https://example.org/x.png" in found


@pytest.mark.parametrize(
    ("alt", "why"),
    [
        (None, "has no alt text"),
        ("", "has no alt text"),
        ("../_images/a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8.png", "file name or hash"),
        ("a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", "file name or hash"),
        ("moons_2d_models.png", "file name or hash"),
        ("Figure 3", "shorter than 3 words"),
    ],
)
def test_alt_text_must_describe_the_figure(site, alt, why):
    attribute = "" if alt is None else f' alt="{alt}"'
    found = problems(site, f'<img src="../_images/fig.png"{attribute}/>')
    assert len(found) == 1 and why in found[0] and "../_images/fig.png" in found[0], found


def test_alt_text_of_three_words_passes(site):
    assert problems(site, '<img src="../_images/fig.png" alt="Samples of five models"/>') == []


def test_figure_without_picture_fails(site):
    found = problems(
        site, "<figure id='fig-x'><pre>&lt;Figure size 640x480 with 1 Axes&gt;</pre></figure>"
    )
    assert any("figure 'fig-x' has no image" in p for p in found)
    assert any("a figure is rendered as text" in p for p in found)


# ------------------------------------------------------------------ notebook outputs


def _output(inner: str) -> str:
    return f'<div class="cell_output docutils container">{inner}</div>'


def test_print_output_fails(site):
    stream = _output(
        '<div class="output stream highlight-myst-ansi"><div class="highlight">'
        "<pre>best bins per axis: 20</pre></div></div>"
    )
    found = problems(site, stream, "notebooks/page")
    assert found == [
        "notebooks/page: console output (print/stream) in a notebook cell: "
        "'best bins per axis: 20'"
    ]


def test_text_repr_output_fails(site):
    found = problems(site, _output('<div class="output text_plain"><pre>20</pre></div>'))
    assert found == ["book/page: console output (text) in a notebook cell: '20'"]


def test_bare_pre_in_an_output_fails(site):
    found = problems(site, _output("<pre>model  mmd2</pre>"))
    assert len(found) == 1 and "console output" in found[0]


def test_dataframe_fails(site):
    table = (
        '<div class="output text_html"><table border="1" class="dataframe">'
        "<thead><tr><th></th><th>mean</th></tr></thead>"
        "<tbody><tr><th>0</th><td>0.25</td></tr></tbody></table></div>"
    )
    found = problems(site, _output(table))
    assert found == [
        "book/page: pandas DataFrame shown as a table (columns ['', 'mean', '0']): use a dl-table"
    ]


def test_report_table_in_an_output_passes(site):
    table = '<div class="output text_html"><table class="dl-table"><tr><td>1</td></tr></table>'
    assert problems(site, _output(table + "</div>")) == []


def test_traceback_warning_and_stderr_fail(site):
    found = "\n".join(
        problems(
            site,
            _output('<div class="output text_html"><p>Traceback (most recent call)</p></div>')
            + _output('<div class="output text_html"><p>RuntimeWarning: divide</p></div>')
            + _output('<div class="output stderr"><p>progress</p></div>'),
        )
    )
    assert "Traceback" in found
    assert "RuntimeWarning" in found
    assert "stderr/traceback output: 'progress'" in found


@pytest.mark.parametrize(
    "text",
    [
        "&lt;densitylab.models.GMM object at 0x7f3a2b1c&gt;",
        "Figure(640x480)",
        "Name: mmd2, dtype: float64",
        "np.float64(0.25)",
        "array([1, 2])",
    ],
)
def test_repr_text_in_prose_fails(site, text):
    found = problems(site, f"<p>The value is {text} here.</p>")
    assert any("repr text" in p for p in found), found


# ------------------------------------------------------------------ glue and references


def test_glue_problems_fail(site):
    found = "\n".join(
        problems(
            site,
            '<p><span class="pasted-text">nan</span> and '
            '<span class="pasted-text">&lt;IPython.core.display.Markdown object&gt;</span> '
            "and {glue:text}`x`</p>",
        )
    )
    assert "glued value rendered as 'nan'" in found
    assert "Markdown object" in found
    assert "unprocessed glue role" in found


def test_unresolved_reference_fails_in_prose_not_in_code(site):
    assert any("unresolved reference" in p for p in problems(site, "<p>See Fig. ??</p>"))
    assert problems(site, "<pre><code>x ?? y</code></pre>") == []


# ------------------------------------------------------------------ offline


def test_resources_from_other_hosts_fail(site):
    found = problems(
        site,
        "<p>Text.</p>",
        head='<script src="https://cdn.example.org/x.js"></script>'
        '<link rel="stylesheet" href="//cdn.example.org/x.css"/>',
    )
    assert any("<script> loads https://cdn.example.org/x.js" in p for p in found)
    assert any("<link> loads //cdn.example.org/x.css" in p for p in found)


def test_maths_without_local_mathjax_fails(site):
    found = problems(site, '<span class="math">\\(x\\)</span>')
    assert found == ["book/page: has maths but does not load _static/mathjax/tex-chtml.js"]


# ------------------------------------------------------------------ number style


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("MMD² is 4.2e-04 here", "e-notation"),
        ("MMD² is 4.2E-4 here", "e-notation"),
        ("a p-value of 1e-8", "e-notation"),
        ("MMD² is 4.2·10⁻⁴ here", "centred-dot power"),
        ("MMD² is 4.2 × 10^-4 here", "ASCII power"),
        ("MMD² is 4.2 × 10**-4 here", "ASCII power"),
        ("the log-likelihood is -110.3 nats", "hyphen as minus"),
        ("(-0.5 on average)", "hyphen as minus"),
    ],
)
def test_other_number_styles_fail(site, text, name):
    found = problems(site, f"<p>{text}</p>")
    assert len(found) == 1 and f"number style ({name})" in found[0], found


@pytest.mark.parametrize(
    "text",
    [
        "MMD² is −4.2 × 10⁻⁴ here",
        "k-means++ and 2-D data",
        "bins 10–80, from 2020-01-31",
        "a one-sided test, 1-NN distances",
        "pp. 723–773",
    ],
)
def test_the_report_number_style_passes(site, text):
    assert problems(site, f"<p>{text}</p>") == []


def test_number_style_applies_to_table_cells_and_captions(site):
    found = problems(
        site,
        '<table class="dl-table"><tr><td>-1.91</td></tr></table>'
        '<figure><img src="../_images/fig.png" alt="three words here"/>'
        "<figcaption>Lowest at 1.3e-04.</figcaption></figure>",
    )
    assert len(found) == 2, found


def test_number_style_ignores_code_and_maths(site):
    body = (
        "<p><code>tol=1e-3</code> and <span class='math'>\\(-1\\)</span></p>"
        '<div class="highlight"><pre>x = -4.2e-04</pre></div>'
    )
    assert problems(site, body, head='<script src="_static/mathjax/tex-chtml.js"></script>') == []


def test_the_api_reference_keeps_code_numbers_and_names(site):
    # Docstrings say "default=1e-6" and name parameters as the code does.
    body = "<dl class='py class'><dd><p><strong>n_min</strong> (int, default=1e-6)</p></dd></dl>"
    assert problems(site, body, "book/api") == []
    assert len(problems(site, body, "book/methods")) == 2


# ------------------------------------------------------------------ words


@pytest.mark.parametrize("name", ["n_min", "kde_bandwidths", "heldout_loglik", "copy_share"])
def test_code_names_in_prose_fail(site, name):
    found = problems(site, f"<p>The best {name} is 50.</p>")
    assert len(found) == 1 and f"code name '{name}' in prose" in found[0], found


def test_code_names_in_code_pass(site):
    assert problems(site, "<p>The best <code>n_min</code> is 50; a minimum n is fine.</p>") == []


def test_long_bold_run_fails_in_a_notebook(site):
    sentence = "The density forest with fifty points per leaf wins on MMD²"
    found = problems(site, f"<p><strong>{sentence}</strong>.</p>", "notebooks/page")
    assert found == [f"notebooks/page: bold run of 11 words: {sentence!r}"]


def test_bold_term_passes_and_other_pages_may_bold_a_lead_sentence(site):
    assert problems(site, "<p>A <strong>Gaussian mixture</strong>.</p>", "notebooks/page") == []
    lead = "<p><strong>In two dimensions, MMD² ranks the settings sensibly.</strong></p>"
    assert problems(site, lead, "book/intro") == []


# ------------------------------------------------------------------ counts


def test_site_summary_counts_the_teaching_markup(tmp_path):
    body = (
        '<div class="exercise admonition" id="ex-1"><p class="admonition-title">Exercise 1</p>'
        "</div>"
        '<div class="exercise admonition" id="ex-2"></div>'
        '<div class="solution dropdown admonition" id="s-1"></div>'
        '<div class="takeaways admonition"><p class="admonition-title">Take-aways</p>'
        "<ul><li><p>One</p><ul><li>nested, not counted</li></ul></li><li>Two</li>"
        "<li>Three</li></ul></div>"
        '<table class="dl-table"><tr><td>1</td></tr></table>'
        '<table class="dl-table"><tr><td>2</td></tr></table>'
        '<table class="table"><tr><td>3</td></tr></table>'
        '<figure><img src="a.png"/><figcaption>cap</figcaption></figure><img src="b.svg"/>'
        '<dl class="py class"><dt class="sig" id="pkg.A">A</dt><dd><p>A class.</p>'
        '<dl class="py method"><dt class="sig" id="pkg.A.fit">fit</dt><dd><p>Fit.</p>'
        "<table><tr><td>inside an API entry: not counted</td></tr></table></dd></dl></dd></dl>"
        '<dl class="py function"><dt class="sig" id="pkg.f">f</dt><dd></dd></dl>'
    )
    write_page(tmp_path, body, docname="notebooks/x")
    summary = check_site.site_summary(tmp_path, ["notebooks/x", "notebooks/absent"])
    assert list(summary) == ["notebooks/x"]
    page = summary["notebooks/x"]
    assert (page.exercises, page.solutions) == (2, 1)
    assert (page.takeaway_boxes, page.takeaways) == (1, 3)
    assert (page.report_tables, page.other_tables) == (2, 1)
    assert (page.figures, page.captioned_figures) == (2, 1)
    assert page.api_entries == 3
    assert page.api_kinds == {"class": 1, "method": 1, "function": 1}
    assert check_site.api_names(tmp_path, "notebooks/x") == {"pkg.A", "pkg.A.fit", "pkg.f"}
    assert check_site.undocumented_api_entries(tmp_path, "notebooks/x") == ["pkg.f"]


def test_toc_docnames_follow_the_toc(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nchapters:\n- file: book/a.md\n"
        "  sections:\n  - file: book/b\n- file: notebooks/c.ipynb\n"
    )
    assert check_site.toc_docnames(tmp_path) == ["book/intro", "book/a", "book/b", "notebooks/c"]


# ------------------------------------------------------------------ browser findings


def test_sharp_figures_pass_and_blurry_ones_fail():
    images = [
        {"src": "http://127.0.0.1:1/_images/sharp.png", "natural": 1400, "shown": 688},
        {"src": "http://127.0.0.1:1/_images/blurry.png", "natural": 731, "shown": 672},
        {"src": "http://127.0.0.1:1/_images/vector.svg", "natural": 300, "shown": 688},
        {"src": "http://127.0.0.1:1/_images/folded.png", "natural": 731, "shown": 0},
        {"src": "http://127.0.0.1:1/_images/broken.png", "natural": 0, "shown": 0},
    ]
    assert check_site.sharpness_problems(images) == [
        "image blurry.png is blurry: 731 px wide shown at 672 px (needs ≥ 1.9 × 672 = 1277 px)",
        "image broken.png did not load",
    ]


def _layout(**changes) -> dict:
    layout = {
        "scroll_width": 800,
        "inner_width": 800,
        "column_left": 0,
        "column_right": 800,
        "column_content_width": 736,
        "overflowing": [],
    }
    return {**layout, **changes}


def test_a_layout_that_fits_passes():
    assert check_site.overflow_problems(_layout()) == []


def test_sideways_scrolling_and_wide_elements_fail():
    wide = {"what": "table.dl-table", "left": 32, "right": 1100, "text": "model MMD²"}
    found = check_site.overflow_problems(_layout(scroll_width=1100, overflowing=[wide]))
    assert found == [
        "page scrolls sideways: document 1100 px wide in a 800 px window",
        "table.dl-table sticks out of the main column (32–1100 px, column 0–800 px): 'model MMD²'",
    ]


def test_page_view_names_page_and_width_in_every_problem():
    view = check_site.PageView(
        "book/methods",
        800,
        math_elements=3,
        unrendered_math=1,
        tex_errors=2,
        console_errors=["console.error: boom", "uncaught: Error: bad"],
        failed_requests=["404 http://127.0.0.1:1/_static/x.js"],
        external_requests=["https://cdn.example.org/mathjax.js"],
        images=[{"src": "a.png", "natural": 100, "shown": 100}],
        layout=_layout(scroll_width=900),
        screenshot_stddev=1.0,
    )
    found = view.problems()
    assert all(p.startswith("book/methods at 800px: ") for p in found)
    text = "\n".join(found)
    for expected in (
        "1 of 3 maths elements not rendered by MathJax",
        "2 TeX errors (mjx-merror)",
        "console: console.error: boom",
        "console: uncaught: Error: bad",
        "failed request: 404 http://127.0.0.1:1/_static/x.js",
        "request to another host: https://cdn.example.org/mathjax.js",
        "image a.png is blurry",
        "page scrolls sideways",
        "screenshot looks blank",
    ):
        assert expected in text, expected
    assert check_site.PageView("book/intro", 1280, screenshot_stddev=40.0).problems() == []


def test_launch_args_use_the_systems_chromium(monkeypatch):
    monkeypatch.setattr(check_site.shutil, "which", lambda name: f"/usr/bin/{name}")
    args = check_site.launch_args()
    assert args["executable_path"] == "/usr/bin/chromium"
    assert "--no-sandbox" in args["args"]
    monkeypatch.setattr(check_site.shutil, "which", lambda name: None)
    with pytest.raises(FileNotFoundError, match="make chromium"):
        check_site.launch_args()


def test_screenshots_are_named_by_page_and_width(tmp_path):
    path = check_site.screenshot_path(tmp_path, "notebooks/moons_2d", 800)
    assert path == tmp_path / "notebooks" / "moons_2d-800.png"


# ------------------------------------------------------------------ tables


def test_a_report_table_caption_inside_its_scrolling_box_fails(site):
    inside = (
        '<div class="dl-table-scroll"><table class="dl-table" id="tab-x">'
        "<caption>Picks of each family</caption><tr><td>1</td></tr></table></div>"
    )
    assert problems(site, inside) == [
        "book/page: report table 'tab-x' has its caption inside the scrolling box: "
        "give it above the table (Table(caption=...) writes it outside)"
    ]
    outside = (
        '<div class="dl-table-block"><p class="dl-table-caption">Picks of each family</p>'
        '<div class="dl-table-scroll"><table class="dl-table"><tr><td>1</td></tr></table>'
        "</div></div>"
    )
    assert problems(site, outside) == []


def test_report_tables_place_their_caption_where_the_check_wants_it(site):
    import pandas as pd

    from densitylab.report.tables import Column, Table

    table = Table(pd.DataFrame({"x": [1]}), {"x": Column("x", "int")}, caption="Picks")
    assert problems(site, table._repr_html_()) == []


def _table(**changes) -> dict:
    table = {
        "label": "tab-picks",
        "width": 680,
        "box": 688,
        "caption_align": "left",
        "caption_clipped": False,
    }
    return {**table, **changes}


def test_tables_that_fit_with_left_captions_pass():
    tables = [_table(), _table(label="h", caption_align=None, width=200)]
    assert check_site.table_problems(tables, 1280) == []
    # Narrower windows may scroll a table in its box, the caption staying in view.
    assert check_site.table_problems([_table(width=822, box=736)], 800) == []


def test_a_table_wider_than_its_box_at_1280_fails():
    assert check_site.table_problems([_table(width=822)], 1280) == [
        "table 'tab-picks' is 822 px wide in a 688 px box: it scrolls sideways "
        "(smaller font, shorter headers, or split it)"
    ]
    assert check_site.table_problems([_table(width=689)], 1280) == []  # rounding


def test_centred_or_cut_captions_fail_at_every_width():
    found = check_site.table_problems(
        [_table(caption_align="center", caption_clipped=True, width=700, box=736)], 800
    )
    assert found == [
        "caption of table 'tab-picks' is center-aligned: captions read left-aligned",
        "caption of table 'tab-picks' is cut off when the table scrolls sideways",
    ]


def test_page_view_reports_its_tables():
    view = check_site.PageView(
        "notebooks/digits_64d", 1280, tables=[_table(width=822)], screenshot_stddev=40.0
    )
    assert view.problems() == [
        "notebooks/digits_64d at 1280px: table 'tab-picks' is 822 px wide in a 688 px box: "
        "it scrolls sideways (smaller font, shorter headers, or split it)"
    ]


_WIDE_TABLE = """
<div class="pst-scrollable-table-container" style="overflow-x: auto">
<table id="tab-wide" style="width: 1100px">
<caption style="text-align: center">Table 1 A caption long enough to be cut in the middle
of a word when its table scrolls sideways in the column of the page.</caption>
<tr><th>family</th><td>1</td></tr></table></div>
<div style="overflow-x: auto"><table id="tab-narrow" style="width: 300px">
<caption style="text-align: left">Table 2 A short one.</caption>
<tr><th>family</th><td>2</td></tr></table></div>
"""


@pytest.mark.slow
def test_browser_check_measures_tables_on_a_bad_page(tmp_path, browser):
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text(
        '<html><body><article class="bd-article" style="width: 688px">'
        f"{_WIDE_TABLE}</article></body></html>"
    )
    views = check_site.browse(tmp_path, ["book/page"], browser=browser)["book/page"]
    wide, narrow = views[0].tables
    assert (wide["label"], wide["width"], wide["box"]) == ("tab-wide", 1100, 688)
    assert wide["caption_align"] == "center" and wide["caption_clipped"]
    assert (narrow["label"], narrow["caption_align"], narrow["caption_clipped"]) == (
        "tab-narrow",
        "left",
        False,
    )
    problems = "\n".join(views[0].problems())
    assert "table 'tab-wide' is 1100 px wide in a 688 px box" in problems
    assert "caption of table 'tab-wide' is center-aligned" in problems
    assert "caption of table 'tab-wide' is cut off" in problems
    assert "tab-narrow" not in problems


@pytest.mark.slow
def test_the_book_style_keeps_a_scrolling_tables_caption_in_view(tmp_path, browser):
    """book/_static/densitylab.css: the caption sticks to the box while the table scrolls."""
    (tmp_path / "book").mkdir()
    css = (Path(__file__).resolve().parents[1] / "book" / "_static" / "densitylab.css").read_text()
    table = _WIDE_TABLE.replace('style="text-align: center"', "")
    (tmp_path / "book" / "page.html").write_text(
        f"<html><head><style>{css}</style></head><body>"
        f'<article class="bd-article" style="width: 688px">{table}</article></body></html>'
    )
    views = check_site.browse(tmp_path, ["book/page"], widths=(800,), browser=browser)["book/page"]
    wide = views[0].tables[0]
    assert wide["width"] > wide["box"]  # it does scroll
    assert wide["caption_align"] in check_site.CAPTION_ALIGNMENTS
    assert not wide["caption_clipped"]


def _cell(output: str, *, shown: bool) -> str:
    code = '<div class="cell_input docutils container"><pre>mmd.head()</pre></div>'
    return (
        '<div class="cell docutils container">'
        + (code if shown else "")
        + f'<div class="cell_output docutils container">{output}</div></div>'
    )


def test_code_names_in_the_output_of_shown_code_pass(site):
    table = "<table><thead><tr><th>n_train</th><th>mmd2</th></tr></thead></table>"
    assert problems(site, _cell(table, shown=True)) == []
    # The same table under hidden code is report text: its headers must be words.
    found = problems(site, _cell(table, shown=False))
    assert any("code name 'n_train'" in p for p in found), found
