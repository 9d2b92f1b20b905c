"""The built report: every page, figure and glued number, checked in the HTML and in a browser.

The tests marked ``book`` read ``_build/html``, which ``make book`` builds (CI runs
``make book`` before ``make test``). Without a built site they fail and say so:
a report that was never built is not a report that passed.

The other tests check the book's sources and the execution-cache guard and need
no build.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


check_site = _load_script("check_site")
book_cache = _load_script("book_cache")
readme_figure = _load_script("readme_figure")

DOCNAMES = check_site.toc_docnames(ROOT)
NOTEBOOKS = [name for name in DOCNAMES if name.startswith("notebooks/")]
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+)`")


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
def browser_reports(site, tmp_path_factory):
    if check_site.find_chromium() is None:
        pytest.fail(
            "chromium is not installed: run `make chromium` "
            "(apt-get update && apt-get install -y chromium).",
            pytrace=False,
        )
    shots = site.parent / "screenshots"
    return check_site.browse(site, DOCNAMES, screenshots=shots)


# ------------------------------------------------------------------ sources, no build


def test_toc_has_the_six_chapters_in_order():
    assert DOCNAMES == [
        "book/intro",
        "book/methods",
        "notebooks/moons_2d",
        "notebooks/digits_64d",
        "book/reproduce",
        "book/bibliography",
    ]
    for name in DOCNAMES:
        suffix = ".ipynb" if name.startswith("notebooks/") else ".md"
        assert (ROOT / f"{name}{suffix}").is_file(), f"{name}{suffix} is missing"


def _notebook_parameters(name: str) -> dict:
    """Names and default values of the notebook's cell tagged ``parameters`` (from the .py)."""
    text = (ROOT / "notebooks" / f"{name}.py").read_text()
    cells = re.split(r"^# %%", text, flags=re.MULTILINE)
    tagged = [c for c in cells if re.search(r"tags=\[[^\]]*\"parameters\"", c.split("\n")[0])]
    assert len(tagged) == 1, f"{name}.py must have exactly one cell tagged parameters"
    parameters = {}
    for node in ast.parse(tagged[0].split("\n", 1)[1]).body:
        assert isinstance(node, ast.Assign), f"{name}: parameters cell holds only assignments"
        parameters[node.targets[0].id] = ast.literal_eval(node.value)
    return parameters


def _documented_parameters(name: str) -> dict:
    """Names and defaults in the parameter table of reproduce.md for the notebook."""
    text = (ROOT / "book" / "reproduce.md").read_text()
    match = re.search(rf"<!-- parameters of {name} -->\n(.*?)\n\n", text, flags=re.DOTALL)
    assert match, f"reproduce.md has no parameter table for {name}"
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \| (.+) \|$", match.group(1), re.MULTILINE)
    assert all(meaning.strip() for _, _, meaning in rows), "every parameter needs a meaning"
    return {key: ast.literal_eval(default) for key, default, _ in rows}


@pytest.mark.parametrize("name", ["moons_2d", "digits_64d"])
def test_reproduce_lists_exactly_the_notebook_parameters(name):
    documented, actual = _documented_parameters(name), _notebook_parameters(name)
    # Same names, same order, same defaults.
    assert list(documented.items()) == list(actual.items())


def test_reproduce_code_example_runs(capsys):
    text = (ROOT / "book" / "reproduce.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert len(blocks) == 1
    exec(compile(blocks[0], "reproduce.md", "exec"), {})
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "GMM",
        "GaussianKDE",
        "KDE samples vs test data",
    ]


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


def test_intro_claims_hold_for_the_notebooks_numbers():
    """The intro's words around the glued numbers must stay true of those numbers."""
    digits = _glued_values(ROOT / "notebooks" / "digits_64d.ipynb")
    # "… % of that KDE's samples are near-copies …: memorisation wins."
    assert digits["digits_copy_share_best_train_kde"] >= 50
    # "the verdict depends on what the samples are compared with"
    train = (digits["digits_best_K_train"], digits["digits_best_bandwidth_train"])
    heldout = (digits["digits_best_K_heldout"], digits["digits_best_bandwidth_heldout"])
    assert train != heldout
    # "the SE kernel with h = 1 is zero between any two distinct digits": exp(-d²) < 1e-8
    assert digits["digits_min_d2"] > 8 * math.log(10)
    moons = _glued_values(ROOT / "notebooks" / "moons_2d.ipynb")
    # "the same model …": the noise level must be a positive spread.
    assert moons["moons_noise_level"] > 0


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


def _write_page(root: Path, body: str, head: str = "") -> None:
    (root / "book").mkdir(parents=True, exist_ok=True)
    html = f"<html><head>{head}</head><body><article>{body}</article></body></html>"
    (root / "book" / "page.html").write_text(html)


def test_site_checker_passes_a_clean_page(tmp_path):
    import numpy as np
    from PIL import Image

    (tmp_path / "_images").mkdir()
    noise = np.random.default_rng(0).integers(0, 255, size=(40, 40), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "_images" / "fig.png")
    _write_page(
        tmp_path,
        '<figure><img src="../_images/fig.png"/><figcaption>A figure</figcaption></figure>'
        '<p>Best <span class="pasted-text">20</span> bins.</p>'
        '<div class="cell_output"><pre>best bins per axis: 20</pre></div>',
        '<script src="../_static/doctools.js"></script>',
    )
    assert check_site.static_problems(tmp_path, "book/page") == []


def test_site_checker_flags_every_kind_of_problem(tmp_path):
    from PIL import Image

    (tmp_path / "_images").mkdir()
    Image.new("L", (40, 40), 255).save(tmp_path / "_images" / "blank.png")
    (tmp_path / "_images" / "empty.png").write_bytes(b"")
    _write_page(
        tmp_path,
        '<img src="../_images/blank.png"/><img src="../_images/empty.png"/>'
        '<img src="../_images/missing.png"/>'
        "<figure><pre>&lt;Figure size 640x480 with 1 Axes&gt;</pre></figure>"
        '<div class="cell_output"><pre>Traceback (most recent call last)</pre></div>'
        '<div class="cell_output"><pre>RuntimeWarning: divide by zero</pre></div>'
        '<div class="cell_output"><div class="output stderr">progress</div></div>'
        '<p><span class="pasted-text">nan</span> and '
        '<span class="pasted-text">&lt;IPython.core.display.Markdown object&gt;</span></p>'
        "<p>See Fig. ??</p>"
        '<span class="math">\\(x\\)</span>',
        '<script src="https://cdn.example.org/x.js"></script>',
    )
    problems = "\n".join(check_site.static_problems(tmp_path, "book/page"))
    for expected in (
        "blank.png: blank",
        "empty.png: empty file",
        "missing.png: missing",
        "has no image",
        "rendered as text",
        "Traceback",
        "RuntimeWarning",
        "stderr/traceback output",
        "rendered as 'nan'",
        "Markdown object",
        "unresolved reference",
        "loads https://cdn.example.org/x.js",
        "does not load _static/mathjax/tex-chtml.js",
    ):
        assert expected in problems, expected
    assert check_site.static_problems(tmp_path, "book/absent") == [
        f"book/absent: page {tmp_path / 'book' / 'absent.html'} is missing"
    ]


@pytest.mark.slow
def test_browser_check_sees_console_errors_and_unrendered_maths(tmp_path):
    if check_site.find_chromium() is None:
        pytest.fail("chromium is not installed: run `make chromium`.", pytrace=False)
    _write_page(
        tmp_path,
        '<p>Some text.</p><span class="math">\\(x\\)</span>'
        '<script>console.error("boom"); fetch("https://example.org/data.json");</script>',
    )
    report = check_site.browse(tmp_path, ["book/page"])["book/page"]
    problems = "\n".join(report.problems())
    assert "console.error: boom" in problems
    assert "request to another host: https://example.org/data.json" in problems
    assert "1 of 1 maths elements not rendered" in problems  # no MathJax on this page
    assert "screenshot looks blank" in problems  # one line of text on a white page


# ------------------------------------------------------------------ the built site


@pytest.mark.book
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_has_no_problems(site, docname):
    assert check_site.static_problems(site, docname) == []


@pytest.mark.book
@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_study_pages_show_figures(site, docname):
    html = check_site.page_path(site, docname).read_text(encoding="utf-8")
    figures = re.findall(r"<img [^>]*src=\"([^\"]+\.png)\"", html)
    assert len(figures) >= 3, f"{docname} shows {len(figures)} figures"


@pytest.mark.book
def test_intro_shows_every_glued_number(site):
    expected = len(GLUE_ROLE.findall((ROOT / "book" / "intro.md").read_text()))
    html = check_site.page_path(site, "book/intro").read_text(encoding="utf-8")
    pasted = re.findall(r'<span class="pasted-text">([^<]*)</span>', html)
    assert len(pasted) == expected
    numbers = [p for p in pasted if not re.search(r"[a-z]{3}", p)]
    assert len(numbers) >= 0.8 * expected, pasted
    for number in numbers:
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?", number), number


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
def test_page_in_browser(browser_reports, docname):
    report = browser_reports[docname]
    assert report.problems() == []
    if docname in {"book/methods", "book/intro"} or docname in NOTEBOOKS:
        assert report.mjx_containers > 0, "no maths rendered on a page with maths"
    assert report.mjx_containers >= report.math_elements
