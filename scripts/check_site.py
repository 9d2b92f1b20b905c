"""Checks of the built report in ``_build/html``: the HTML itself and a real browser.

``tests/test_book.py`` runs these checks (``make test``, CI); run this script
directly for a readable report, the page counts and screenshots::

    python scripts/check_site.py [HTML_DIR] [--no-browser]

Static checks (:func:`static_problems`), per page of ``_toc.yml``, on the HTML:

* figures: every image exists, decodes, is not blank, comes from this site and has
  an alt text that describes it (:data:`ALT_MIN_WORDS` words, not a file name);
* notebook outputs: no traceback, warning or stderr; no console text at all (a
  stream, a ``text/plain`` repr, a ``<pre>``) and no pandas DataFrame table: the
  report shows figures, glued numbers and its own ``dl-table`` tables;
* text: no ``repr`` (``<… object at 0x…>``, ``Figure(``, ``dtype:``), every glued
  value filled in, no unresolved reference (``??``), one number style
  (:data:`NUMBER_STYLE_PROBLEMS`), no code names in prose (:data:`RAW_NOTATION`),
  no bold sentences in the notebooks (:data:`BOLD_MAX_WORDS`);
* offline: no script, style sheet or frame from another host; MathJax from ``_static``;
* tables: a report table (``dl-table``) carries its caption above and outside its
  scrolling box, never as a ``<caption>`` that scrolls away with the table.

The typographic checks skip :data:`CODE_REFERENCE_PAGES` (the API reference shows
the code's own names and ASCII numbers) and ignore code everywhere
(:data:`NOT_PROSE`).

Counts (:func:`site_summary`): exercises, solutions, take-aways, tables, figures and
API entries per page, as an independent reader of the site would count them.

Browser check (:func:`browse`): Playwright drives Debian's chromium (no browser
download) through every page from a local HTTP server, at each width of
:data:`WIDTHS`, and records whether MathJax rendered every formula without TeX
errors, console errors and uncaught exceptions, requests to any host but 127.0.0.1
(aborted), figure sharpness (:data:`SHARPNESS`), horizontal overflow, tables
(:func:`table_problems`: none wider than its box at :data:`TABLE_FIT_WIDTH`, captions
left-aligned and never cut off when a table scrolls), and a full-page screenshot.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = ROOT / "_build" / "html"

# ------------------------------------------------------------------ what is checked

# Pages whose prose is code documentation: the API reference names parameters as the
# code spells them (``n_components``) and docstrings keep ASCII numbers (``1e-6``),
# which is what a reader types and what ``help()`` shows in a terminal.
CODE_REFERENCE_PAGES = ("book/api",)
# Pages built from notebooks (their narrative must not bold computed sentences).
NOTEBOOK_PREFIX = "notebooks/"

# The main column of a page in sphinx-book-theme, then fallbacks for plain pages
# (tried in this order: the first that matches is the page's content).
MAIN_SELECTORS = ("article.bd-article", "article", "main", "body")

# An alt text says what the figure shows: a few words, not the file it came from.
ALT_MIN_WORDS = 3
ALT_FILE_NAME = re.compile(r"\.(?:png|jpe?g|gif|svg|webp)\b|[0-9a-f]{32,}", re.IGNORECASE)

# Console text in a notebook output: a stream (print), a text/plain repr, any <pre>.
CONSOLE_OUTPUT = ".output.stream, .output.text_plain, pre"
# Text that must not appear in a rendered notebook output.
OUTPUT_PROBLEMS = re.compile(
    r"Traceback|Warning:|\w+Warning\b|\b\w*Error\b|\bException\b|\x1b\[|<ipython-input",
)
# What a notebook shows for a figure that was stored without any image.
MATPLOTLIB_REPR = re.compile(r"<(?:Figure|matplotlib\.figure\.Figure)[^>]*>")
# The repr of an object instead of its value, anywhere a reader can see it.
REPR_TEXT = re.compile(
    r"<[\w.]+ object(?: at 0x[0-9a-fA-F]+)?>|\bFigure\(|\bdtype:|\bnp\.\w+\(|\barray\(",
)
# Sphinx prints "??" for a numbered reference it could not resolve.
UNRESOLVED = re.compile(r"\?\?")

# Number styles other than the report's (−4.2 × 10⁻⁴ with a true minus sign), by name.
NUMBER_STYLE_PROBLEMS = {
    "e-notation": re.compile(r"\d*\.?\d[eE][+-]?\d+|(?<![\w.])[eE][+-]0\d+"),
    "centred-dot power": re.compile(r"(?:\d*\.?\d\s*)?·\s*10\S*"),
    "ASCII power": re.compile(r"\b10\s*(?:\^|\*\*)\s*[-−+]?\d+"),
    # A hyphen-minus used as a minus sign: "-0.3" but not "k-means", "2-D" or "1-2"
    # (nor the exponent of an ASCII power, reported above).
    "hyphen as minus": re.compile(r"(?<![\w\-−–^*])-\.?\d[\d.]*"),
}

# Code names that have a reader's word in the report (extend as the code grows):
# parameter names of the studies, columns of the results tables, attributes.
RAW_NOTATION = (
    "n_min",
    "n_components",
    "n_train",
    "n_test",
    "n_generated",
    "n_trees",
    "n_jobs",
    "reg_covar",
    "random_state",
    "train_sizes",
    "hist_bins",
    "gmm_components",
    "kde_bandwidths",
    "forest_n_min",
    "forest_trees",
    "test_fraction",
    "heldout_loglik",
    "heldout_zero_share",
    "copy_share",
    "copy_threshold",
    "copy_median_ratio",
    "ct_statistic",
    "bandwidth_name",
    "fit_seconds",
    "p_value",
    "mmd2",
)
RAW_NOTATION_PATTERN = re.compile(r"\b(?:" + "|".join(map(re.escape, RAW_NOTATION)) + r")\b")

# The narrative may bold a term; a bold run longer than this is a bold sentence.
BOLD_MAX_WORDS = 8

# Elements whose text is code, maths or machinery, not prose (typographic checks skip them).
NOT_PROSE = (
    "pre, code, kbd, samp, script, style, .cell_input, .math, mjx-container, "
    "div.highlight, dt.sig, .headerlink, .output.stream, .output.text_plain"
)
# The elements that hold a run of prose; the innermost ones are checked.
PROSE_BLOCKS = ("p", "li", "td", "th", "dd", "dt", "figcaption", "caption", "h1", "h2", "h3", "h4")

# Figure sharpness: a PNG must have at least this many pixels per displayed CSS pixel,
# so it is drawn from 2x data on a high-density screen (SVG images are exempt).
SHARPNESS = 1.9
# Viewport widths of the browser check: a laptop and a narrow window or tablet.
WIDTHS = (1280, 800)
VIEWPORT_HEIGHT = 900
# A screenshot whose grey levels vary less than this is blank.
BLANK_STDDEV = 5.0
# Screenshots are full-page up to this height: the API reference is about 55 000 px
# tall, and encoding it whole takes 20 s per width for a picture nobody scrolls.
SCREENSHOT_MAX_HEIGHT = 12_000

# Counted by site_summary: the markup of sphinx-exercise and of the take-away box.
EXERCISE_SELECTOR = "div.exercise.admonition"
SOLUTION_SELECTOR = "div.solution.admonition"
TAKEAWAY_SELECTOR = "div.admonition.takeaways"
REPORT_TABLE_SELECTOR = "table.dl-table"
API_ENTRY_SELECTOR = "dl.py"
# At this window width and wider every table fits its column without scrolling
# (the main column is 688 px there); narrower windows may scroll a table in its box.
TABLE_FIT_WIDTH = 1280
# Caption alignments that read as text does (a centred caption is cut mid-word when
# its table scrolls).
CAPTION_ALIGNMENTS = ("left", "start", "justify")


# ------------------------------------------------------------------ pages


def toc_docnames(root: Path = ROOT) -> list[str]:
    """Docnames of ``_toc.yml`` in reading order (root first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(Path(entry["file"]).with_suffix("")))
            walk(entry.get("sections"))
            for part in entry.get("chapters", []) or []:
                walk([part])

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return names


def page_path(html_dir: Path, docname: str) -> Path:
    return html_dir / f"{docname}.html"


def _article(soup: BeautifulSoup):
    """The page's own content, without the theme's navigation."""
    for selector in MAIN_SELECTORS:
        found = soup.select_one(selector)
        if found is not None:
            return found
    return soup


def _short(text: str, limit: int = 100) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _around(text: str, match: re.Match, width: int = 40) -> str:
    """The match with some context, for a message."""
    return _short(text[max(match.start() - width, 0) : match.end() + width], 2 * width + 20)


@dataclass
class Page:
    """One built page, parsed."""

    docname: str
    path: Path
    soup: BeautifulSoup
    article: object

    @classmethod
    def read(cls, html_dir: Path, docname: str) -> Page:
        path = page_path(html_dir, docname)
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        return cls(docname, path, soup, _article(soup))

    @property
    def is_notebook(self) -> bool:
        return self.docname.startswith(NOTEBOOK_PREFIX)

    @property
    def is_code_reference(self) -> bool:
        return self.docname in CODE_REFERENCE_PAGES


def prose_blocks(article) -> list[str]:
    """Text of the innermost prose elements of ``article``, code and maths removed."""
    copy = BeautifulSoup(str(article), "html.parser")
    for element in copy.select(NOT_PROSE):
        element.decompose()
    texts = []
    for block in copy.find_all(PROSE_BLOCKS):
        if block.find(PROSE_BLOCKS) is None:
            text = block.get_text()
            if text.strip():
                texts.append(text)
    return texts


# ------------------------------------------------------------------ static checks


def image_problem(path: Path) -> str | None:
    """Why an image file is unusable, or None when it is a non-blank picture."""
    if not path.is_file():
        return "missing"
    if path.stat().st_size == 0:
        return "empty file"
    if path.suffix.lower() == ".svg":
        text = path.read_text(errors="replace")
        return None if "<svg" in text else "not an SVG"
    try:
        with Image.open(path) as image:
            image.load()
            gray = image.convert("L")
    except Exception as exc:  # any decoding failure is the finding itself
        return f"cannot be decoded ({exc})"
    if max(gray.size) < 16:
        return f"too small ({gray.size[0]}x{gray.size[1]})"
    if ImageStat.Stat(gray).stddev[0] < 2.0:
        return "blank (uniform pixels)"
    return None


def check_images(page: Page) -> Iterator[str]:
    """Every image of the content exists, decodes, is not blank and is served here."""
    for img in page.article.find_all("img"):
        src = img.get("src", "")
        if src.startswith("data:"):
            continue
        if urlsplit(src).scheme or src.startswith("//"):
            yield f"image from another host: {src}"
            continue
        why = image_problem((page.path.parent / unquote(urlsplit(src).path)).resolve())
        if why:
            yield f"image {src}: {why}"


def alt_text_problem(alt: str | None) -> str | None:
    """Why an alt text does not describe its figure, or None when it does."""
    alt = (alt or "").strip()
    if not alt:
        return "has no alt text"
    if ALT_FILE_NAME.search(alt):
        return f"alt text is a file name or hash: {_short(alt, 60)!r}"
    if len(alt.split()) < ALT_MIN_WORDS:
        return f"alt text {alt!r} is shorter than {ALT_MIN_WORDS} words"
    return None


def check_alt_text(page: Page) -> Iterator[str]:
    for img in page.article.find_all("img"):
        why = alt_text_problem(img.get("alt"))
        if why:
            yield f"image {img.get('src', '?')}: {why}"


def check_figures(page: Page) -> Iterator[str]:
    """A figure shows a picture, not the text repr of a matplotlib Figure."""
    for figure in page.article.find_all("figure"):
        if figure.find(["img", "svg", "object"]) is None:
            caption = figure.find("figcaption")
            label = figure.get("id") or (_short(caption.get_text(), 60) if caption else "?")
            yield f"figure {label!r} has no image"
    for match in MATPLOTLIB_REPR.finditer(page.article.get_text()):
        yield f"a figure is rendered as text: {match.group(0)!r}"


def check_table_captions(page: Page) -> Iterator[str]:
    """A report table's caption sits outside its scrolling box (``Table(caption=…)``).

    A ``<caption>`` inside ``table.dl-table`` scrolls sideways with the table (the
    table is its own scrolling box, or sits in one), and is cut off on a narrow screen.
    """
    for table in page.article.select(REPORT_TABLE_SELECTOR):
        caption = table.find("caption", recursive=False)
        if caption is not None:
            label = table.get("id") or _short(caption.get_text(" ", strip=True), 60)
            yield (
                f"report table {label!r} has its caption inside the scrolling box: "
                "give it above the table (Table(caption=...) writes it outside)"
            )


def check_output_errors(page: Page) -> Iterator[str]:
    """No traceback, warning or stderr stream in a notebook output."""
    for output in page.article.select("div.cell_output"):
        for bad in output.select(".stderr, .traceback, .error"):
            yield f"stderr/traceback output: {_short(bad.get_text(), 200)!r}"
        text = output.get_text()  # streams, text reprs and HTML tables alike
        match = OUTPUT_PROBLEMS.search(text)
        if match:
            yield f"output text {_around(text, match, 80)!r}"


def check_console_output(page: Page) -> Iterator[str]:
    """No console text and no DataFrame: the report shows figures, prose and dl-tables."""
    for output in page.article.select("div.cell_output"):
        for element in output.select(CONSOLE_OUTPUT):
            if element.find_parent(class_="stderr") is None:  # reported as stderr already
                kind = "print/stream" if "stream" in (element.get("class") or []) else "text"
                yield f"console output ({kind}) in a notebook cell: {_short(element.get_text())!r}"
                break  # one message per output cell
    for table in page.article.select("table.dataframe"):
        header = [_short(th.get_text(), 20) for th in table.select("th")[:4]]
        yield f"pandas DataFrame shown as a table (columns {header}): use a dl-table"


def check_repr_text(page: Page) -> Iterator[str]:
    """No object repr in what a reader sees: prose, glued values and outputs."""
    texts = prose_blocks(page.article) + [
        output.get_text() for output in page.article.select("div.cell_output")
    ]
    for text in texts:
        for match in REPR_TEXT.finditer(text):
            yield f"repr text {match.group(0)!r} in {_around(text, match)!r}"


def check_glue(page: Page) -> Iterator[str]:
    """Every pasted value is filled in and is a finite number or a word."""
    for pasted in page.article.select(".pasted-text, .pasted-inline"):
        text = pasted.get_text().strip()
        if not text or text.lower() in {"nan", "inf", "-inf", "none"} or REPR_TEXT.search(text):
            yield f"glued value rendered as {text!r}"
    # Prose only: a docstring may name a role in code (``{glue:md}``) on purpose.
    for text in prose_blocks(page.article):
        if "{glue" in text:
            yield f"an unprocessed glue role is in the text: {_short(text)!r}"
            break


def check_unresolved_references(page: Page) -> Iterator[str]:
    """Code may contain "??"; prose and captions may not."""
    for node in page.article.find_all(["p", "li", "td", "th", "figcaption", "span"]):
        if node.find_parent(["pre", "code"]) is None and UNRESOLVED.search(node.get_text()):
            yield f"unresolved reference in {_short(node.get_text(), 120)!r}"
            return


def check_offline(page: Page) -> Iterator[str]:
    """Nothing is fetched from another host, and MathJax is served from the site."""
    for tag, attr in (("script", "src"), ("link", "href"), ("iframe", "src")):
        for element in page.soup.find_all(tag):
            url = element.get(attr) or ""
            if tag == "link" and not {"stylesheet", "preload", "icon"} & set(
                element.get("rel") or []
            ):
                continue
            if urlsplit(url).scheme in {"http", "https"} or url.startswith("//"):
                yield f"<{tag}> loads {url}"
    if page.article.select(".math") and not page.soup.find(
        "script", src=re.compile(r"_static/mathjax/tex-chtml\.js")
    ):
        yield "has maths but does not load _static/mathjax/tex-chtml.js"


def number_style_problems(text: str) -> Iterator[str]:
    for name, pattern in NUMBER_STYLE_PROBLEMS.items():
        for match in pattern.finditer(text):
            yield f"number style ({name}) {match.group(0)!r} in {_around(text, match)!r}"


def check_number_style(page: Page) -> Iterator[str]:
    """One number style in prose, captions and tables: −4.2 × 10⁻⁴, not 4.2e-04."""
    if page.is_code_reference:
        return
    for text in prose_blocks(page.article):
        yield from number_style_problems(text)


def _without_shown_outputs(article):
    """``article`` without the outputs of code cells whose code the page shows: a table a
    visible ``df.head()`` prints is headed by the data's own column names, as code is."""
    copy = BeautifulSoup(str(article), "html.parser")
    for output in copy.select("div.cell > div.cell_output"):
        if output.parent.select_one(":scope > div.cell_input") is not None:
            output.decompose()
    return copy


def check_raw_notation(page: Page) -> Iterator[str]:
    """Prose says "least points per leaf", not ``n_min`` (code names belong in code)."""
    if page.is_code_reference:
        return
    for text in prose_blocks(_without_shown_outputs(page.article)):
        for match in RAW_NOTATION_PATTERN.finditer(text):
            yield f"code name {match.group(0)!r} in prose: {_around(text, match)!r}"


def check_bold_sentences(page: Page) -> Iterator[str]:
    """A notebook may bold a term, not a (computed) sentence."""
    if not page.is_notebook:
        return
    for strong in page.article.find_all(["strong", "b"]):
        words = strong.get_text().split()
        if len(words) > BOLD_MAX_WORDS:
            yield f"bold run of {len(words)} words: {_short(strong.get_text(), 80)!r}"


STATIC_CHECKS = (
    check_images,
    check_alt_text,
    check_figures,
    check_table_captions,
    check_output_errors,
    check_console_output,
    check_repr_text,
    check_glue,
    check_unresolved_references,
    check_offline,
    check_number_style,
    check_raw_notation,
    check_bold_sentences,
)


def static_problems(html_dir: Path, docname: str) -> list[str]:
    """Everything wrong with one built page that the HTML alone shows."""
    path = page_path(html_dir, docname)
    if not path.is_file():
        return [f"{docname}: page {path} is missing"]
    page = Page.read(html_dir, docname)
    return [f"{docname}: {problem}" for check in STATIC_CHECKS for problem in check(page)]


# ------------------------------------------------------------------ counts


@dataclass
class PageSummary:
    """What an independent reader counts on one page."""

    docname: str
    exercises: int = 0
    solutions: int = 0
    takeaway_boxes: int = 0
    takeaways: int = 0  # bullet items of the take-away boxes
    report_tables: int = 0  # table.dl-table
    other_tables: int = 0  # any other table outside the API entries
    figures: int = 0  # <img> of the content
    captioned_figures: int = 0  # <figure> with a <figcaption>
    api_entries: int = 0  # dl.py: classes, functions, methods, data, …
    api_kinds: dict[str, int] = field(default_factory=dict)


def summarize_page(page: Page) -> PageSummary:
    article = page.article
    summary = PageSummary(page.docname)
    summary.exercises = len(article.select(EXERCISE_SELECTOR))
    summary.solutions = len(article.select(SOLUTION_SELECTOR))
    boxes = article.select(TAKEAWAY_SELECTOR)
    summary.takeaway_boxes = len(boxes)
    summary.takeaways = sum(
        len(ul.find_all("li", recursive=False))
        for box in boxes
        for ul in box.find_all(["ul", "ol"], recursive=False)
    )
    tables = article.find_all("table")
    summary.report_tables = len(article.select(REPORT_TABLE_SELECTOR))
    summary.other_tables = sum(
        1
        for table in tables
        if "dl-table" not in (table.get("class") or [])
        and table.find_parent("dl", class_="py") is None
    )
    summary.figures = len(article.find_all("img"))
    summary.captioned_figures = sum(
        1 for figure in article.find_all("figure") if figure.find("figcaption")
    )
    for entry in article.select(API_ENTRY_SELECTOR):
        kind = next((c for c in entry.get("class", []) if c != "py"), "other")
        summary.api_kinds[kind] = summary.api_kinds.get(kind, 0) + 1
    summary.api_entries = sum(summary.api_kinds.values())
    return summary


def site_summary(html_dir: Path, docnames: list[str] | None = None) -> dict[str, PageSummary]:
    """Per page: exercises, solutions, take-aways, tables, figures and API entries."""
    docnames = docnames if docnames is not None else toc_docnames()
    return {
        name: summarize_page(Page.read(html_dir, name))
        for name in docnames
        if page_path(html_dir, name).is_file()
    }


def api_names(html_dir: Path, docname: str = "book/api") -> set[str]:
    """Full names of the objects documented on the API page (``densitylab.mmd.KERNELS``)."""
    page = Page.read(html_dir, docname)
    return {dt["id"] for dt in page.article.select("dl.py > dt.sig[id]")}


def undocumented_api_entries(html_dir: Path, docname: str = "book/api") -> list[str]:
    """API entries whose description is empty (a name without a docstring)."""
    page = Page.read(html_dir, docname)
    empty = []
    for entry in page.article.select(API_ENTRY_SELECTOR):
        dt, dd = entry.find("dt", recursive=False), entry.find("dd", recursive=False)
        if dt is not None and (dd is None or not dd.get_text().strip()):
            empty.append(dt.get("id") or _short(dt.get_text(), 60))
    return empty


# ------------------------------------------------------------------ browser


def find_chromium() -> str | None:
    """Path of Debian's chromium (or another Chrome) or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Flags that keep headless Chromium quiet on a machine without network, as root
# (Playwright adds --headless and its own automation flags).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
    # Belt and braces beside the request routing: no other host even resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def launch_args(chromium: str | None = None) -> dict:
    """Arguments of ``BrowserType.launch`` for Debian's chromium (also for pytest-playwright)."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError(
            "chromium is not installed: run `make chromium` "
            "(apt-get update && apt-get install -y chromium)"
        )
    return {"executable_path": chromium, "args": list(CHROMIUM_ARGS)}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class PageView:
    """What the browser saw on one page at one viewport width."""

    docname: str
    width: int
    url: str = ""
    math_elements: int = 0
    mjx_containers: int = 0
    unrendered_math: int = 0
    tex_errors: int = 0
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    layout: dict = field(default_factory=dict)
    tables: list[dict] = field(default_factory=list)
    screenshot: Path | None = None
    screenshot_stddev: float = 0.0

    @property
    def column_width(self) -> float:
        """Width of the main column's content box, in CSS pixels."""
        return self.layout.get("column_content_width", 0.0)

    def problems(self) -> list[str]:
        out = []
        if self.unrendered_math:
            out.append(
                f"{self.unrendered_math} of {self.math_elements} maths elements "
                "not rendered by MathJax"
            )
        if self.tex_errors:
            out.append(f"{self.tex_errors} TeX errors (mjx-merror)")
        out += [f"console: {message}" for message in self.console_errors]
        out += [f"failed request: {url}" for url in self.failed_requests]
        out += [f"request to another host: {url}" for url in self.external_requests]
        out += sharpness_problems(self.images)
        out += overflow_problems(self.layout)
        out += table_problems(self.tables, self.width)
        if self.screenshot_stddev < BLANK_STDDEV:
            out.append(f"screenshot looks blank (pixel stddev {self.screenshot_stddev:.2f})")
        return [f"{self.docname} at {self.width}px: {problem}" for problem in out]


def sharpness_problems(images: list[dict]) -> list[str]:
    """PNG figures must carry :data:`SHARPNESS` pixels per displayed pixel (SVG exempt)."""
    out = []
    for image in images:
        src, natural, shown = image["src"], image["natural"], image["shown"]
        name = src.rsplit("/", 1)[-1]
        if urlsplit(src).path.lower().endswith(".svg") or src.startswith("data:image/svg"):
            continue
        if natural == 0:
            out.append(f"image {name} did not load")
        elif shown > 0 and natural < SHARPNESS * shown:
            out.append(
                f"image {name} is blurry: {natural} px wide shown at {shown} px "
                f"(needs ≥ {SHARPNESS} × {shown} = {SHARPNESS * shown:.0f} px)"
            )
    return out


def overflow_problems(layout: dict) -> list[str]:
    """No horizontal scrolling of the page and nothing wider than the main column."""
    out = []
    if not layout:
        return out
    if layout["scroll_width"] > layout["inner_width"]:
        out.append(
            f"page scrolls sideways: document {layout['scroll_width']} px wide "
            f"in a {layout['inner_width']} px window"
        )
    for element in layout["overflowing"]:
        out.append(
            f"{element['what']} sticks out of the main column "
            f"({element['left']}–{element['right']} px, column "
            f"{layout['column_left']}–{layout['column_right']} px): {element['text']!r}"
        )
    return out


def table_problems(tables: list[dict], width: int) -> list[str]:
    """Tables readable at ``width``: they fit at :data:`TABLE_FIT_WIDTH` and wider,
    and their captions are left-aligned and never cut off when the table scrolls.

    ``tables`` as the browser reports them (``_TABLES_JS``): ``label``, ``width`` (the
    table's natural width), ``box`` (the width of the box it is shown in),
    ``caption_align`` (None without a caption) and ``caption_clipped``.
    """
    out = []
    for table in tables:
        label = table["label"]
        if width >= TABLE_FIT_WIDTH and table["width"] > table["box"] + 1:
            out.append(
                f"table {label!r} is {table['width']} px wide in a {table['box']} px box: "
                "it scrolls sideways (smaller font, shorter headers, or split it)"
            )
        align = table.get("caption_align")
        if align is not None and align not in CAPTION_ALIGNMENTS:
            out.append(
                f"caption of table {label!r} is {align}-aligned: captions read left-aligned"
            )
        if table.get("caption_clipped"):
            out.append(f"caption of table {label!r} is cut off when the table scrolls sideways")
    return out


# Wait for MathJax's first typesetting (if MathJax loaded at all), then count formulas.
_MATH_JS = """
async ([selectors, timeoutMs]) => {
  const startup = window.MathJax && window.MathJax.startup && window.MathJax.startup.promise;
  if (startup) {
    await Promise.race([startup, new Promise(r => setTimeout(r, timeoutMs))]);
  }
  const main = selectors.map(s => document.querySelector(s)).find(Boolean);
  const maths = [...main.querySelectorAll('.math')];
  return {
    math: maths.length,
    mjx: document.querySelectorAll('mjx-container').length,
    unrendered: maths.filter(m => !m.querySelector('mjx-container')).length,
    merror: document.querySelectorAll('mjx-merror').length,
  };
}
"""

# Open what sphinx-togglebutton folds (solutions with :class: dropdown) and <details>.
_UNFOLD_JS = """
() => {
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(d => { d.open = true; });
}
"""

# Every image of the main column: its source, natural and displayed width.
_IMAGES_JS = """
(selectors) => {
  const main = selectors.map(s => document.querySelector(s)).find(Boolean);
  return [...main.querySelectorAll('img')].map(i => ({
    src: i.currentSrc || i.src, natural: i.naturalWidth, shown: i.clientWidth,
  }));
}
"""

# The page's width against the window, and the outermost elements of the main column
# that stick out of it without a scrolling box (overflow-x auto/scroll/hidden) around.
_LAYOUT_JS = """
(selectors) => {
  const main = selectors.map(s => document.querySelector(s)).find(Boolean);
  const box = main.getBoundingClientRect();
  const style = getComputedStyle(main);
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  const reported = [];
  for (const el of main.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right <= box.right + 1 && r.left >= box.left - 1) continue;
    if (clipped(el) || reported.some(p => p.contains(el))) continue;
    reported.push(el);
  }
  return {
    scroll_width: document.documentElement.scrollWidth,
    inner_width: window.innerWidth,
    column_left: Math.round(box.left),
    column_right: Math.round(box.right),
    column_content_width: main.clientWidth
      - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    overflowing: reported.slice(0, 10).map(el => {
      const r = el.getBoundingClientRect();
      const cls = el.className && el.className.baseVal === undefined ? el.className : '';
      return {
        what: el.tagName.toLowerCase() + (cls ? '.' + cls.trim().split(/\\s+/).join('.') : ''),
        left: Math.round(r.left), right: Math.round(r.right),
        text: (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
      };
    }),
  };
}
"""


# Every visible table of the main column: its natural width against the box it is
# shown in (its nearest scrolling ancestor, itself when it scrolls, else the column),
# and whether its caption (a <caption>, or the report's caption above its box) stays
# inside the visible part of its own box with the table scrolled fully left and right.
_TABLES_JS = """
(selectors) => {
  const main = selectors.map(s => document.querySelector(s)).find(Boolean);
  const scrolls = (el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
  const boxOf = (el) => {
    for (let a = el; a && a !== main; a = a.parentElement) if (scrolls(a)) return a;
    return main;
  };
  const inner = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    const left = r.left + el.clientLeft + (el === main ? parseFloat(s.paddingLeft) : 0);
    const right = left + el.clientWidth
      - (el === main ? parseFloat(s.paddingLeft) + parseFloat(s.paddingRight) : 0);
    return [left, right];
  };
  const out = [];
  for (const table of main.querySelectorAll('table')) {
    const rect = table.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    const box = boxOf(table);
    const [boxLeft, boxRight] = inner(box);
    const block = table.closest('.dl-table-block');
    const caption = table.querySelector(':scope > caption')
      || (block && block.querySelector('.dl-table-caption'));
    const naturalWidth = Math.round(Math.max(table.scrollWidth, rect.width));
    let clipped = false;
    if (caption) {
      const captionBox = boxOf(caption.parentElement === table ? table : caption);
      const start = box.scrollLeft;
      for (const x of [0, box.scrollWidth]) {
        box.scrollLeft = x;
        const [l, r] = inner(captionBox === table ? box : captionBox);
        const c = caption.getBoundingClientRect();
        if (c.width > 0 && (c.left < l - 1 || c.right > r + 1)) clipped = true;
      }
      box.scrollLeft = start;
    }
    const th = table.querySelector('th');
    const label = table.id
      || (caption && caption.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50))
      || (th ? th.textContent.trim().slice(0, 30) : 'table ' + (out.length + 1));
    out.push({
      label,
      width: naturalWidth,
      box: Math.round(boxRight - boxLeft),
      caption_align: caption ? getComputedStyle(caption).textAlign : null,
      caption_clipped: clipped,
    });
  }
  return out;
}
"""


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in {"http", "https", "ws", "wss"} or parts.hostname == "127.0.0.1"


def _screenshot(page, path: Path | None) -> tuple[Path | None, float]:
    """Full-page screenshot (at most :data:`SCREENSHOT_MAX_HEIGHT` tall) and its pixel spread."""
    width, height = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, SCREENSHOT_MAX_HEIGHT)}
    png = page.screenshot(full_page=True, clip=clip)
    with Image.open(io.BytesIO(png)) as image:
        stddev = ImageStat.Stat(image.convert("L")).stddev[0]
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    return path, stddev


def _view_page(context, url: str, view: PageView, shot: Path | None, math_ms: int) -> PageView:
    """Open ``url`` in a fresh tab of ``context`` and fill ``view`` with what it shows."""
    page = context.new_page()
    view.url = url

    def on_console(message):
        if message.type not in {"error", "assert"}:
            return
        source = (message.location or {}).get("url", "")
        if source.endswith("/favicon.ico") or not _is_local(source):
            return  # the browser's own favicon probe; an aborted request is reported below
        view.console_errors.append(f"console.{message.type}: {message.text}")

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            view.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request):
        if _is_local(request.url):
            view.failed_requests.append(f"{request.failure} {request.url}")

    def on_route(route):
        if _is_local(route.request.url):
            route.continue_()
        else:  # the report is read offline: record the request and refuse it
            view.external_requests.append(route.request.url)
            route.abort()

    page.route("**/*", on_route)
    page.on("console", on_console)
    page.on(
        "pageerror",
        lambda error: view.console_errors.append(f"uncaught: {error.name}: {error.message}"),
    )
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        seen = page.evaluate(_MATH_JS, [list(MAIN_SELECTORS), math_ms])
        view.math_elements, view.mjx_containers = seen["math"], seen["mjx"]
        view.unrendered_math, view.tex_errors = seen["unrendered"], seen["merror"]
        page.evaluate("document.fonts.ready.then(() => true)")
        # The screenshot shows the page as a reader first sees it; figures and layout
        # are then measured with every solution and dropdown open, so that what is
        # folded away is checked too.
        view.screenshot, view.screenshot_stddev = _screenshot(page, shot)
        page.evaluate(_UNFOLD_JS)
        view.images = page.evaluate(_IMAGES_JS, list(MAIN_SELECTORS))
        view.layout = page.evaluate(_LAYOUT_JS, list(MAIN_SELECTORS))
        view.tables = page.evaluate(_TABLES_JS, list(MAIN_SELECTORS))
        page.wait_for_timeout(100)  # let late console messages and requests arrive
    finally:
        page.close()
    return view


def screenshot_path(directory: Path, docname: str, width: int) -> Path:
    """``<directory>/<docname>-<width>.png``, e.g. ``screenshots/book/intro-1280.png``."""
    return directory / f"{docname}-{width}.png"


def browse(
    html_dir: Path,
    docnames: list[str],
    *,
    widths: tuple[int, ...] = WIDTHS,
    screenshots: Path | None = None,
    browser=None,
    math_timeout_ms: int = 20_000,
) -> dict[str, list[PageView]]:
    """Open every page at every width; return what was seen, by docname.

    ``browser`` is a Playwright ``Browser`` (e.g. pytest-playwright's fixture); without
    one, Debian's chromium is launched through Playwright and closed at the end.
    """
    with contextlib.ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(**launch_args())
            stack.callback(browser.close)
        base = stack.enter_context(serve(html_dir))
        views: dict[str, list[PageView]] = {name: [] for name in docnames}
        for width in widths:
            context = browser.new_context(
                viewport={"width": width, "height": VIEWPORT_HEIGHT}, device_scale_factor=1
            )
            try:
                for docname in docnames:
                    shot = screenshot_path(screenshots, docname, width) if screenshots else None
                    view = PageView(docname, width)
                    views[docname].append(
                        _view_page(context, f"{base}{docname}.html", view, shot, math_timeout_ms)
                    )
            finally:
                context.close()
    return views


# ------------------------------------------------------------------ command line


def _print_summary(summaries: dict[str, PageSummary]) -> None:
    print(
        f"{'page':24s} {'exerc':>5s} {'solut':>5s} {'take':>5s} {'dl-tab':>6s} "
        f"{'tables':>6s} {'imgs':>5s} {'api':>5s}"
    )
    for s in summaries.values():
        print(
            f"{s.docname:24s} {s.exercises:5d} {s.solutions:5d} {s.takeaways:5d} "
            f"{s.report_tables:6d} {s.other_tables:6d} {s.figures:5d} {s.api_entries:5d}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", nargs="?", type=Path, default=HTML_DIR)
    parser.add_argument("--no-browser", action="store_true", help="static checks only")
    options = parser.parse_args(argv)
    html_dir = options.html_dir
    if not html_dir.is_dir():
        print(f"{html_dir} does not exist: run `make book` first.", file=sys.stderr)
        return 2
    docnames = toc_docnames()
    problems = [p for name in docnames for p in static_problems(html_dir, name)]
    _print_summary(site_summary(html_dir, docnames))
    if not options.no_browser:
        start = time.monotonic()
        views = browse(html_dir, docnames, screenshots=html_dir.parent / "screenshots")
        for view in (v for per_page in views.values() for v in per_page):
            print(
                f"{view.docname:24s} {view.width:5d}px  column {view.column_width:5.0f}px  "
                f"maths {view.math_elements:4d}  mjx {view.mjx_containers:4d}  "
                f"images {len(view.images):2d}  screenshot {view.screenshot}"
            )
            problems += view.problems()
        print(f"browser check: {time.monotonic() - start:.1f} s")
    for problem in problems:
        print("PROBLEM", problem)
    print(f"{len(docnames)} pages checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
