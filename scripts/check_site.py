"""Checks of the built report in ``_build/html``: the HTML itself and a real browser.

``tests/test_book.py`` runs these checks (``make test``, CI); run this script
directly for a readable report and screenshots::

    python scripts/check_site.py [HTML_DIR]

Static checks (:func:`static_problems`), per page of ``_toc.yml``:
the page exists; every image it shows exists, is non-empty and not blank;
no traceback, warning or stderr text in the notebook outputs; every glued
number was filled in; no unresolved reference (``??``); no script, style sheet,
image or frame loaded from another host.

Browser check (:func:`browse`): headless Chromium, driven through the Chrome
DevTools protocol (over tornado's websocket client), opens each page from a
local HTTP server on 127.0.0.1 with every other host unresolvable, waits for
MathJax, and records the ``mjx-container`` elements, TeX errors, console
errors and uncaught exceptions, failed or off-machine requests and a
screenshot.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from bs4 import BeautifulSoup
from PIL import Image, ImageStat

ROOT = Path(__file__).resolve().parents[1]
HTML_DIR = ROOT / "_build" / "html"

# Flags that keep headless Chromium quiet on a machine without network, as root.
CHROMIUM_FLAGS = (
    "--headless",
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
    # Every host but the local server is unresolvable: the page must not need one.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)
WINDOW = (1280, 1400)

# Text that must not appear in a rendered notebook output.
OUTPUT_PROBLEMS = re.compile(
    r"Traceback|Warning:|\w+Warning\b|\b\w*Error\b|\bException\b|\x1b\[|<ipython-input",
)
# What a notebook shows for a figure that was stored without any image.
MATPLOTLIB_REPR = re.compile(r"<(?:Figure|matplotlib\.figure\.Figure)[^>]*>")
# The repr of an object, not its value: what {glue:text} shows for a glued Markdown
# object or a NumPy scalar.
REPR_TEXT = re.compile(r"<[\w.]+ object|\bnp\.\w+\(|\barray\(")
# Sphinx prints "??" for a numbered reference it could not resolve.
UNRESOLVED = re.compile(r"\?\?")


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
    return soup.find("article") or soup


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


def static_problems(html_dir: Path, docname: str) -> list[str]:
    """Everything wrong with one built page that the HTML alone shows."""
    path = page_path(html_dir, docname)
    if not path.is_file():
        return [f"{docname}: page {path} is missing"]
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = _article(soup)
    problems: list[str] = []

    # Figures: every image of the content exists, decodes and is not blank.
    for img in article.find_all("img"):
        src = img.get("src", "")
        if src.startswith("data:"):
            continue
        if urlsplit(src).scheme:
            problems.append(f"{docname}: image from another host: {src}")
            continue
        target = (path.parent / unquote(urlsplit(src).path)).resolve()
        why = image_problem(target)
        if why:
            problems.append(f"{docname}: image {src}: {why}")

    # A figure shows a picture, not the text repr of a matplotlib Figure (which is all
    # a notebook stores when no image formatter is active).
    for figure in article.find_all("figure"):
        if figure.find(["img", "svg", "object"]) is None:
            caption = figure.find("figcaption")
            label = figure.get("id") or (caption.get_text()[:60] if caption else "?")
            problems.append(f"{docname}: figure {label!r} has no image")
    for match in MATPLOTLIB_REPR.finditer(article.get_text()):
        problems.append(f"{docname}: a figure is rendered as text: {match.group(0)!r}")

    # Notebook outputs: no traceback, warning or stderr stream.
    for output in article.select("div.cell_output"):
        for bad in output.select(".stderr, .traceback, .error"):
            problems.append(f"{docname}: stderr/traceback output: {bad.get_text()[:200]!r}")
        text = output.get_text()  # streams, text reprs and HTML tables alike
        match = OUTPUT_PROBLEMS.search(text)
        if match:
            start = max(match.start() - 80, 0)
            problems.append(f"{docname}: output text {text[start : match.end() + 120]!r}")

    # Glue: every pasted value is filled in and is a finite number or a word.
    for pasted in article.select(".pasted-text, .pasted-inline"):
        text = pasted.get_text().strip()
        if not text or text.lower() in {"nan", "inf", "-inf", "none"} or REPR_TEXT.search(text):
            problems.append(f"{docname}: glued value rendered as {text!r}")
    text = article.get_text()
    if "{glue" in text:
        problems.append(f"{docname}: an unprocessed glue role is in the text")
    # Code may legitimately contain "??"; prose and captions may not.
    for node in article.find_all(["p", "li", "td", "th", "figcaption", "span"]):
        if node.find_parent(["pre", "code"]) is None and UNRESOLVED.search(node.get_text()):
            problems.append(f"{docname}: unresolved reference in {node.get_text()[:120]!r}")
            break

    # Nothing is fetched from another host (the report is read offline).
    for tag, attr in (("script", "src"), ("link", "href"), ("iframe", "src")):
        for element in soup.find_all(tag):
            url = element.get(attr) or ""
            if tag == "link" and not {"stylesheet", "preload", "icon"} & set(
                element.get("rel") or []
            ):
                continue
            if urlsplit(url).scheme in {"http", "https"} or url.startswith("//"):
                problems.append(f"{docname}: <{tag}> loads {url}")

    # MathJax is served from the site itself.
    if article.select(".math") and not soup.find(
        "script", src=re.compile(r"_static/mathjax/tex-chtml\.js")
    ):
        problems.append(f"{docname}: has maths but does not load _static/mathjax/tex-chtml.js")
    return problems


# --------------------------------------------------------------------------- browser


def find_chromium() -> str | None:
    """Path of Debian's chromium (or another Chrome) or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that records (path, status) instead of logging."""

    requests: list[tuple[str, int]]

    def log_message(self, format, *args):
        pass

    def log_request(self, code="-", size="-"):
        self.requests.append((self.path, int(code) if str(code).isdigit() else 0))


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on 127.0.0.1 (a free port); yields (base_url, requests)."""
    requests: list[tuple[str, int]] = []
    handler = type("Handler", (_QuietHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class PageReport:
    """What the browser saw on one page."""

    docname: str
    url: str
    math_elements: int = 0
    mjx_containers: int = 0
    unrendered_math: int = 0
    tex_errors: int = 0
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None
    screenshot_stddev: float = 0.0
    title: str = ""

    def problems(self) -> list[str]:
        out = []
        if self.unrendered_math:
            out.append(
                f"{self.unrendered_math} of {self.math_elements} maths elements "
                "not rendered by MathJax"
            )
        if self.tex_errors:
            out.append(f"{self.tex_errors} TeX errors (mjx-merror)")
        out += [f"console: {msg}" for msg in self.console_errors]
        out += [f"failed request: {url}" for url in self.failed_requests]
        out += [f"request to another host: {url}" for url in self.external_requests]
        if self.screenshot_stddev < 5.0:
            out.append(f"screenshot looks blank (pixel stddev {self.screenshot_stddev:.2f})")
        return [f"{self.docname}: {p}" for p in out]


_MATH_PROBE = """
(async () => {
  const deadline = Date.now() + %d;
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await Promise.race([MathJax.startup.promise,
                        new Promise(r => setTimeout(r, deadline - Date.now()))]);
  }
  const maths = Array.from(document.querySelectorAll('article .math'));
  return JSON.stringify({
    math: maths.length,
    mjx: document.querySelectorAll('mjx-container').length,
    unrendered: maths.filter(m => !m.querySelector('mjx-container')).length,
    merror: document.querySelectorAll('mjx-merror').length,
    title: document.title,
  });
})()
"""


class _DevTools:
    """A minimal Chrome DevTools protocol client for one page target."""

    def __init__(self, connection):
        self._ws = connection
        self._next_id = 0
        self.events: list[dict] = []

    @classmethod
    async def connect(cls, ws_url: str):
        from tornado.websocket import websocket_connect

        return cls(await websocket_connect(ws_url, max_message_size=256 * 2**20))

    async def call(self, method: str, timeout: float = 60.0, **params):
        self._next_id += 1
        call_id = self._next_id
        await self._ws.write_message(
            json.dumps({"id": call_id, "method": method, "params": params})
        )
        deadline = time.monotonic() + timeout
        while True:
            message = await self._read(deadline, method)
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def wait_for(self, event: str, timeout: float):
        deadline = time.monotonic() + timeout
        for seen in self.events:
            if seen.get("method") == event:
                return seen
        while True:
            message = await self._read(deadline, event)
            if message.get("method") == event:
                return message

    async def _read(self, deadline: float, waiting_for: str) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"Chromium did not answer {waiting_for} in time")
        raw = await asyncio.wait_for(self._ws.read_message(), remaining)
        if raw is None:
            raise ConnectionError("Chromium closed the DevTools connection")
        message = json.loads(raw)
        if "method" in message:
            self.events.append(message)
        return message

    async def close(self, timeout: float = 5.0):
        """Close the websocket and wait until its socket is closed."""
        self._ws.close()
        with contextlib.suppress(asyncio.TimeoutError, ConnectionError):
            while await asyncio.wait_for(self._ws.read_message(), timeout) is not None:
                pass


def _devtools_endpoint(user_data_dir: Path, process, timeout: float = 30.0) -> int:
    port_file = user_data_dir / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with code {process.returncode}")
        if port_file.is_file():
            lines = port_file.read_text().split()
            if lines:
                return int(lines[0])
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


async def _visit(port: int, url: str, docname: str, shots: Path | None, math_ms: int):
    import urllib.request

    # A fresh tab per page: its events and console belong to this page only.
    with urllib.request.urlopen(
        urllib.request.Request(f"http://127.0.0.1:{port}/json/new?about:blank", method="PUT"),
        timeout=30,
    ) as response:
        target = json.load(response)
    tools = await _DevTools.connect(target["webSocketDebuggerUrl"])
    report = PageReport(docname=docname, url=url)
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            await tools.call(f"{domain}.enable")
        await tools.call(
            "Emulation.setDeviceMetricsOverride",
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        tools.events.clear()
        await tools.call("Page.navigate", url=url)
        await tools.wait_for("Page.loadEventFired", timeout=60)
        probe = await tools.call(
            "Runtime.evaluate",
            expression=_MATH_PROBE % math_ms,
            awaitPromise=True,
            returnByValue=True,
            timeout=math_ms / 1000 + 30,
        )
        seen = json.loads(probe["result"]["value"])
        report.math_elements = seen["math"]
        report.mjx_containers = seen["mjx"]
        report.unrendered_math = seen["unrendered"]
        report.tex_errors = seen["merror"]
        report.title = seen["title"]
        shot = await tools.call("Page.captureScreenshot", format="png")
        png = base64.b64decode(shot["data"])
        with Image.open(io.BytesIO(png)) as image:
            report.screenshot_stddev = ImageStat.Stat(image.convert("L")).stddev[0]
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            report.screenshot = shots / f"{docname.replace('/', '__')}.png"
            report.screenshot.write_bytes(png)
        # Let late console messages and requests arrive before reading the events.
        await tools.call("Runtime.evaluate", expression="1")
    finally:
        await tools.close()
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/json/close/{target['id']}", timeout=30
        ):
            pass

    origin = url.split("/", 3)[:3]
    for event in tools.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            args = " ".join(
                str(a.get("value", a.get("description", ""))) for a in params.get("args", [])
            )
            report.console_errors.append(f"console.{params['type']}: {args}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text")
            report.console_errors.append(f"uncaught: {text}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            if not entry.get("url", "").endswith("/favicon.ico"):
                report.console_errors.append(f"{entry.get('source')}: {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            request_url = params["request"]["url"]
            scheme = urlsplit(request_url).scheme
            if (
                scheme in {"http", "https", "ws", "wss"}
                and request_url.split("/", 3)[:3] != origin
            ):
                report.external_requests.append(request_url)
        elif method == "Network.responseReceived":
            response = params["response"]
            if response.get("status", 200) >= 400 and not response["url"].endswith("/favicon.ico"):
                report.failed_requests.append(f"{response['status']} {response['url']}")
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            report.failed_requests.append(
                f"{params.get('errorText')} (request {params['requestId']})"
            )
    return report


def _end_process_group(process: subprocess.Popen) -> None:
    """Terminate ``process`` and every process of its group (Chromium's helpers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # Helpers may outlive the browser for a moment; make sure none is left.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def browse(
    html_dir: Path,
    docnames: list[str],
    *,
    screenshots: Path | None = None,
    chromium: str | None = None,
    math_timeout_ms: int = 20000,
) -> dict[str, PageReport]:
    """Open every page in headless Chromium; return what was seen, by docname."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError(
            "chromium is not installed: run `make chromium` "
            "(apt-get update && apt-get install -y chromium)"
        )
    reports: dict[str, PageReport] = {}
    # Chromium's helper processes (and its crash handler, which detaches) can still be
    # writing to the profile when the browser itself has exited: the process group is
    # ended as a whole, and a profile file that appears during clean-up is left behind
    # in the temporary folder rather than failing the check.
    with (
        serve(html_dir) as (base, _),
        tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile,
    ):
        profile_dir = Path(profile)
        process = subprocess.Popen(
            [
                chromium,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile_dir}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"},
            start_new_session=True,
        )
        try:
            port = _devtools_endpoint(profile_dir, process)
            for docname in docnames:
                url = f"{base}{docname}.html"
                reports[docname] = asyncio.run(
                    _visit(port, url, docname, screenshots, math_timeout_ms)
                )
        finally:
            _end_process_group(process)
    return reports


def main(argv: list[str]) -> int:
    html_dir = Path(argv[1]) if len(argv) > 1 else HTML_DIR
    if not html_dir.is_dir():
        print(f"{html_dir} does not exist: run `make book` first.", file=sys.stderr)
        return 2
    docnames = toc_docnames()
    problems = [p for name in docnames for p in static_problems(html_dir, name)]
    shots = html_dir.parent / "screenshots"
    reports = browse(html_dir, docnames, screenshots=shots)
    for report in reports.values():
        print(
            f"{report.docname:24s} maths {report.math_elements:4d}  mjx-container "
            f"{report.mjx_containers:4d}  console errors {len(report.console_errors)}  "
            f"screenshot stddev {report.screenshot_stddev:5.1f}  {report.screenshot}"
        )
        problems += report.problems()
    for problem in problems:
        print("PROBLEM", problem)
    print(f"{len(docnames)} pages checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
