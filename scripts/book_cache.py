"""Keep the book's notebook execution cache honest.

Jupyter Book caches executed notebooks in ``_build/.jupyter_cache`` and keys the
cache only on the notebooks' code cells: after a change to ``src/densitylab`` or
to an installed package, a cached notebook would still show the old numbers.
This script hashes everything else that decides the numbers — the package
sources, ``pyproject.toml``, the Python version and the installed packages —
and clears the execution cache when that hash differs from the one recorded at
the last clearing.

Usage (``make book`` runs it before every build)::

    python scripts/book_cache.py [BUILD_DIR]
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE_NAME = ".jupyter_cache"
DIGEST_NAME = ".inputs-digest"


def installed_packages() -> str:
    """``pip freeze`` of the running interpreter, without the editable project."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable", "--all"],
        check=True,
        capture_output=True,
        text=True,
    )
    return "".join(sorted(result.stdout.splitlines(keepends=True)))


def inputs_digest(root: Path = ROOT, packages: str | None = None) -> str:
    """SHA-256 of what the notebooks' numbers depend on besides their own cells."""
    digest = hashlib.sha256()
    files = sorted((root / "src").rglob("*.py")) + [root / "pyproject.toml"]
    for path in files:
        # The relative path is hashed too: renaming or moving a module counts.
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    digest.update(sys.version.encode())
    digest.update(installed_packages().encode() if packages is None else packages.encode())
    return digest.hexdigest()


def clear_if_stale(build_dir: Path, digest: str) -> bool:
    """Remove the execution cache unless it was filled under ``digest``.

    Returns True when the cache was cleared. The new digest is recorded right
    away: whatever the cache holds from now on was executed with these inputs.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    record = build_dir / DIGEST_NAME
    previous = record.read_text().strip() if record.exists() else None
    if previous == digest:
        return False
    shutil.rmtree(build_dir / CACHE_NAME, ignore_errors=True)
    record.write_text(digest + "\n")
    return True


def main(argv: list[str]) -> int:
    build_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "_build"
    if clear_if_stale(build_dir, inputs_digest()):
        print(
            "book_cache: src/, pyproject.toml or the installed packages changed "
            f"(or no record yet): cleared {build_dir / CACHE_NAME}; notebooks will execute."
        )
    else:
        print("book_cache: inputs unchanged, the notebook execution cache is kept.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
