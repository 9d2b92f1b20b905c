"""Copy a glued figure out of an executed notebook, for the README.

The README shows one figure of the report. It must be a committed file (GitHub
shows the README without building the book), and it must be the figure of the
committed notebook, not an older one: ``make notebooks`` runs this script after
executing the notebooks, and ``tests/test_book.py`` checks that the two agree.

Usage::

    python scripts/readme_figure.py NOTEBOOK.ipynb GLUE_KEY OUT.png
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path


def glued_png(notebook: Path, key: str) -> bytes:
    """The PNG bytes glued under ``key`` in an executed notebook."""
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            if output.get("metadata", {}).get("scrapbook", {}).get("name") != key:
                continue
            data = output.get("data", {})
            # myst_nb.glue stores its mime bundle under the papermill "record" prefix.
            for mime in ("image/png", "application/papermill.record/image/png"):
                if mime in data:
                    return base64.b64decode(data[mime])
            raise ValueError(f"{key!r} in {notebook} holds no PNG image (only {sorted(data)})")
    raise KeyError(f"{notebook} glues no output named {key!r}; execute it first")


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    notebook, key, out = Path(argv[1]), argv[2], Path(argv[3])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(glued_png(notebook, key))
    print(f"{out}: figure {key!r} of {notebook}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
