"""The built report: every page, figure and glued number, checked in the HTML and in a browser.

The tests marked ``book`` read ``_build/html``, which ``make book`` builds (CI runs
``make book`` before ``make test``). Without a built site they fail and say so:
a report that was never built is not a report that passed.

The browser tests drive Debian's chromium through Playwright (pytest-playwright's
``browser`` fixture, launched with ``executable_path``; no browser download).

The other tests check the book's sources and the execution-cache guard and need
no build. The checks themselves are unit-tested in ``test_site_checks.py``.
"""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from repo_scripts import load_script

from densitylab.studies import digits, moons

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"

# What a teaching chapter must hold (counted in the built HTML by check_site.site_summary):
# sphinx-exercise exercises, each with a solution, and one take-away box
# (``{admonition} Take-aways`` with ``:class: takeaways``) of a few bullet points.
TEACHING_PAGES = ["notebooks/moons_2d", "notebooks/digits_64d", "book/methods"]
EXERCISES_PER_CHAPTER = 3
TAKEAWAYS_MIN = 3
TAKEAWAYS_MAX = 5
# What each study shows: figures and the report's own tables (table.dl-table).
FIGURES_PER_STUDY = 3
REPORT_TABLES_PER_STUDY = 1

# The API reference: one automodule section per public module. A public module is a
# module of the package whose name has no leading underscore, except the facades that
# re-export names documented under their home module.
API_PAGE = "book/api"
API_FACADES = {"densitylab.experiments"}


check_site = load_script("check_site")
book_cache = load_script("book_cache")
readme_figure = load_script("readme_figure")

DOCNAMES = check_site.toc_docnames(ROOT)
NOTEBOOKS = [name for name in DOCNAMES if name.startswith("notebooks/")]
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+)`")
# A glued number in the report's style: a true minus sign and powers of ten as × 10⁻⁴.
# The parts of one quantity are bound by no-break spaces (U+00A0).
REPORT_NUMBER = re.compile(
    r"−?[0-9]+(?:\.[0-9]+)?(?:\u00a0×\u00a010⁻?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)?(?:\u00a0?%)?"
)


def public_modules() -> list[str]:
    """The modules of ``densitylab`` the API reference must document."""
    import densitylab

    names = [
        f"densitylab.{info.name}"
        for info in pkgutil.iter_modules(densitylab.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(set(names) - API_FACADES)


@pytest.fixture(scope="session")
def site() -> Path:
    if not (HTML / "index.html").is_file():
        pytest.fail(
            f"{HTML} holds no built report: run `make book` first "
            "(it creates .venv, executes the notebooks and builds the site).",
            pytrace=False,
        )
    return HTML


@pytest.fixture(scope="session")
def browser_views(site, browser):
    shots = site.parent / "screenshots"
    return check_site.browse(site, DOCNAMES, screenshots=shots, browser=browser)


@pytest.fixture(scope="session")
def summaries(site):
    return check_site.site_summary(site, DOCNAMES)


# ------------------------------------------------------------------ sources, no build


def test_toc_has_the_eight_chapters_in_order():
    assert DOCNAMES == [
        "book/intro",
        "book/methods",
        "notebooks/moons_2d",
        "notebooks/digits_64d",
        "book/original",
        "book/reproduce",
        "book/api",
        "book/bibliography",
    ]
    for name in DOCNAMES:
        suffix = ".ipynb" if name.startswith("notebooks/") else ".md"
        assert (ROOT / f"{name}{suffix}").is_file(), f"{name}{suffix} is missing"


@pytest.mark.book
@pytest.mark.parametrize("schema", [moons.PARAMETERS, digits.PARAMETERS], ids=lambda s: s.study)
def test_reproduce_shows_every_parameter_of_the_schema(site, schema):
    # The tables are glued from the schema by the notebooks: nothing is typed by hand.
    html = check_site.page_path(site, "book/reproduce").read_text(encoding="utf-8")
    tables = BeautifulSoup(html, "html.parser").select("table.dl-table")
    named = [
        [code.get_text() for code in table.select("tbody tr td:first-child code")]
        for table in tables
    ]
    assert schema.names in named, f"no table lists exactly the {schema.study} parameters"


def _glued_keys(notebook: Path) -> set[str]:
    """Names glued (``myst_nb.glue``) in the outputs of an executed notebook."""
    keys = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook:
                keys.add(scrapbook["name"])
    return keys


def test_intro_glues_only_keys_the_notebooks_define():
    roles = GLUE_ROLE.findall((ROOT / "book" / "intro.md").read_text())
    assert len(roles) >= 10, "the intro should show the headline numbers"
    for role in roles:
        path, key = role.split("::")
        # A role that names another page needs a format spec, or myst-nb misreads it.
        assert key.count(":") == 1, f"{role}: add a format spec, e.g. {role}:g"
        key = key.split(":")[0]
        assert key in _glued_keys(ROOT / "book" / path), f"{key} is not glued in {path}"


def _glued_values(notebook: Path) -> dict:
    """Glued plain-text values of an executed notebook, as Python literals where possible."""
    values = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            texts = [v for k, v in output.get("data", {}).items() if k.endswith("text/plain")]
            if name and texts:
                text = "".join(texts[0])
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def test_intro_pastes_plain_text_only():
    """{glue:text} carries plain text: a glued phrase with maths would show raw dollars."""
    for notebook in ("moons_2d", "digits_64d"):
        values = _glued_values(ROOT / "notebooks" / f"{notebook}.ipynb")
        for role in GLUE_ROLE.findall((ROOT / "book" / "intro.md").read_text()):
            path, key = role.split("::")
            if Path(path).stem == notebook:
                assert "$" not in str(values[key.split(":")[0]]), key


def test_readme_figure_is_the_committed_notebooks():
    makefile = (ROOT / "Makefile").read_text()
    notebook, key, copy = re.search(r"^README_FIGURE := (.*)$", makefile, re.MULTILINE)[1].split()
    assert f"]({copy})" in (ROOT / "README.md").read_text(), "the README must show the figure"
    assert (ROOT / copy).read_bytes() == readme_figure.glued_png(ROOT / notebook, key), (
        f"{copy} is not the figure of {notebook}: run `make notebooks`"
    )


def test_cache_guard_clears_on_any_input_change(tmp_path):
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    module = tmp_path / "src" / "pkg" / "m.py"
    module.write_text("x = 1\n")
    (tmp_path / "pyproject.toml").write_text("[project]\n")
    build = tmp_path / "_build"
    cache = build / book_cache.CACHE_NAME

    def fill():
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "entry").write_text("executed")

    digest = book_cache.inputs_digest(tmp_path, packages="numpy==1\n")
    assert book_cache.clear_if_stale(build, digest)  # no record yet: start clean
    fill()
    assert not book_cache.clear_if_stale(build, digest)
    assert (cache / "entry").exists(), "an unchanged package must keep the cache"

    module.write_text("x = 2\n")
    changed_src = book_cache.inputs_digest(tmp_path, packages="numpy==1\n")
    assert changed_src != digest
    assert book_cache.clear_if_stale(build, changed_src)
    assert not cache.exists(), "a changed src/ must clear the cache"

    fill()
    changed_pins = book_cache.inputs_digest(tmp_path, packages="numpy==2\n")
    assert changed_pins != changed_src
    assert book_cache.clear_if_stale(build, changed_pins)
    assert not cache.exists(), "changed installed packages must clear the cache"


def test_make_book_is_strict_and_guards_the_cache():
    makefile = (ROOT / "Makefile").read_text()
    flags = re.search(r"^BOOK_FLAGS := (.*)$", makefile, flags=re.MULTILINE).group(1).split()
    assert {"-W", "-n", "--keep-going", "--all"} <= set(flags)
    recipe = re.search(r"^book:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE).group(1)
    guard, build = recipe.splitlines()
    assert "scripts/book_cache.py" in guard, "the cache guard must run before the build"
    assert "jupyter-book build . $(BOOK_FLAGS)" in build


# ------------------------------------------------------------------ the API reference


def test_api_page_documents_every_public_module():
    """A new public module fails here until book/api.md has its automodule section."""
    text = (ROOT / f"{API_PAGE}.md").read_text()
    documented = re.findall(r"^\.\. automodule:: (\S+)$", text, flags=re.MULTILINE)
    missing = sorted(set(public_modules()) - set(documented))
    assert not missing, f"book/api.md has no automodule section for {missing}"
    for name in documented:  # a renamed module must not leave a stale section behind
        importlib.import_module(name)


@pytest.mark.book
@pytest.mark.parametrize("module", public_modules())
def test_api_page_shows_every_exported_name(site, module):
    """Every name of ``__all__`` is on the API page: a public name without docs fails."""
    exported = importlib.import_module(module).__all__
    shown = check_site.api_names(site, API_PAGE)
    missing = [name for name in exported if f"{module}.{name}" not in shown]
    assert not missing, f"{module}: not on the API page (no docstring or #: comment?): {missing}"


@pytest.mark.book
def test_api_entries_have_descriptions(site):
    assert check_site.undocumented_api_entries(site, API_PAGE) == []


# ------------------------------------------------------------------ the built site


@pytest.mark.book
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_has_no_problems(site, docname):
    assert check_site.static_problems(site, docname) == []


@pytest.mark.book
@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_study_pages_show_figures_and_tables(summaries, docname):
    page = summaries[docname]
    assert page.figures >= FIGURES_PER_STUDY, f"{docname} shows {page.figures} figures"
    assert page.report_tables >= REPORT_TABLES_PER_STUDY, (
        f"{docname} shows {page.report_tables} report tables (table.dl-table)"
    )


@pytest.mark.book
@pytest.mark.parametrize("docname", TEACHING_PAGES)
def test_teaching_page_has_exercises_solutions_and_takeaways(summaries, docname):
    page = summaries[docname]
    assert page.exercises >= EXERCISES_PER_CHAPTER, (
        f"{docname} has {page.exercises} exercises (div.exercise), "
        f"at least {EXERCISES_PER_CHAPTER} wanted"
    )
    assert page.solutions == page.exercises, (
        f"{docname}: {page.solutions} solutions for {page.exercises} exercises"
    )
    assert page.takeaway_boxes == 1, (
        f"{docname} has {page.takeaway_boxes} take-away boxes "
        "({admonition} Take-aways with :class: takeaways), one wanted"
    )
    assert TAKEAWAYS_MIN <= page.takeaways <= TAKEAWAYS_MAX, (
        f"{docname} has {page.takeaways} take-aways, {TAKEAWAYS_MIN} to {TAKEAWAYS_MAX} wanted"
    )


@pytest.mark.book
def test_intro_shows_every_glued_number(site):
    expected = len(GLUE_ROLE.findall((ROOT / "book" / "intro.md").read_text()))
    html = check_site.page_path(site, "book/intro").read_text(encoding="utf-8")
    pasted = re.findall(r'<span class="pasted-text">([^<]*)</span>', html)
    assert len(pasted) == expected
    assert all(p.strip() for p in pasted), pasted
    numbers = [p for p in pasted if not re.search(r"[a-z]{3}", p)]
    assert numbers, "the intro pastes no number"
    for number in numbers:
        assert REPORT_NUMBER.fullmatch(number), f"{number!r} is not in the report's number style"


def _bib_titles() -> dict[str, str]:
    """Title of every entry of references.bib, by key, without TeX braces."""
    text = (ROOT / "book" / "references.bib").read_text()
    entries = re.findall(r"@\w+\{([^,]+),(.*?)\n\}", text, flags=re.DOTALL)
    titles = {}
    for key, body in entries:
        title = re.search(r"\btitle\s*=\s*\{(.*?)\},\n", body, flags=re.DOTALL).group(1)
        titles[key.strip()] = re.sub(r"\s+", " ", title.replace("{", "").replace("}", ""))
    return titles


@pytest.mark.book
def test_mathjax_and_bibliography_are_built_in(site):
    tex_chtml = site / "_static" / "mathjax" / "tex-chtml.js"
    assert tex_chtml.is_file() and tex_chtml.stat().st_size > 100_000
    html = check_site.page_path(site, "book/bibliography").read_text(encoding="utf-8")
    listed = re.sub(r"\s+", " ", check_site.BeautifulSoup(html, "html.parser").get_text()).lower()
    cited = set()
    for page in (ROOT / "book").glob("*.md"):
        for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", page.read_text()):
            cited |= {key.strip() for key in group.split(",")}
    titles = _bib_titles()
    assert len(cited) >= 10 and cited <= set(titles)
    for key in sorted(cited):
        assert titles[key].lower() in listed, f"{key} is cited but not in the bibliography"


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_in_browser(browser_views, docname):
    views = browser_views[docname]
    assert [view.width for view in views] == list(check_site.WIDTHS)
    assert [p for view in views for p in view.problems()] == []
    for view in views:
        if docname in {"book/methods", "book/intro"} or docname in NOTEBOOKS:
            assert view.mjx_containers > 0, f"{docname}: no maths rendered on a page with maths"
        assert view.mjx_containers >= view.math_elements


# ------------------------------------------------------------------ the browser check itself

_BAD_PAGE = """
<p>Some text.</p><span class="math">\\(x\\)</span>
<img src="../_images/small.png" alt="a small picture blown up" style="width: 400px">
<div style="width: 2000px; background: #ccc">a box wider than any window</div>
<div style="overflow-x: auto">
  <pre style="width: 3000px">a long line that scrolls in its box</pre>
</div>
<script>
  console.error("boom");
  fetch("https://example.org/data.json").catch(() => {});
  setTimeout(() => { throw new Error("uncaught boom"); }, 0);
</script>
"""


@pytest.mark.slow
def test_browser_check_fails_a_bad_page(tmp_path, browser):
    from PIL import Image

    (tmp_path / "_images").mkdir()
    Image.effect_noise((200, 100), 64).save(tmp_path / "_images" / "small.png")
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text(
        f'<html><body><article class="bd-article">{_BAD_PAGE}</article></body></html>'
    )
    views = check_site.browse(
        tmp_path, ["book/page"], screenshots=tmp_path / "shots", browser=browser
    )["book/page"]
    assert [view.width for view in views] == [1280, 800]
    assert (tmp_path / "shots" / "book" / "page-800.png").is_file()
    problems = "\n".join(views[1].problems())
    for expected in (
        "book/page at 800px: console: console.error: boom",
        "console: uncaught: Error: uncaught boom",
        "request to another host: https://example.org/data.json",
        "1 of 1 maths elements not rendered",  # no MathJax on this page
        "image small.png is blurry: 200 px wide shown at 400 px",
        "page scrolls sideways",
        "div sticks out of the main column",
    ):
        assert expected in problems, expected
    assert "a long line that scrolls" not in problems  # inside a scrolling box: fine
