"""Build densitylab's sdist and wheel, check them, and smoke-test the wheel in clean venvs.

    python scripts/wheel_check.py [--against oldest|lock|newest ...] [--workdir DIR]

1. ``python -m build``: the sdist, then the wheel built from the sdist (so the sdist is complete);
2. ``twine check --strict`` of both;
3. their contents: the sdist holds the package, README.md and pyproject.toml, not the report
   (notebooks, book, tests); the wheel holds every module under src/densitylab and declares
   ranges, not pins;
4. for each ``--against`` (default: ``oldest``): a new venv, the wheel installed with its runtime
   dependencies only (no extras), then ``scripts/wheel_smoke.py`` run there. ``oldest`` installs
   the dependencies at requirements/oldest.txt's versions (the lowest the ranges allow), ``lock``
   at requirements/lock.txt's, ``newest`` at the newest the ranges allow on PyPI today.

Needs ``build``, ``twine`` and ``uv`` (all in the dev extra, so in .venv). Run by
``make wheel-check`` (oldest and newest) and by tests/test_packaging.py (oldest).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = {
    "oldest": ROOT / "requirements" / "oldest.txt",
    "lock": ROOT / "requirements" / "lock.txt",
    "newest": None,
}
#: The runtime dependencies: everything else (matplotlib, myst-nb, dask, ...) is in an extra.
RUNTIME = {"numpy", "scipy", "scikit-learn", "pandas", "joblib", "threadpoolctl", "tqdm"}
PINS = ("==", "===", "~=")
#: Top-level entries of the repository that belong to the report, not to the distribution.
NOT_IN_SDIST = ("notebooks", "book", "tests", "benchmarks", "scripts", "_config.yml", "_toc.yml")


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], check=True, **kwargs)


def uv() -> str:
    from uv import find_uv_bin  # the uv package of the running environment (dev extra)

    return find_uv_bin()


def build(dist: Path) -> tuple[Path, Path]:
    run(sys.executable, "-m", "build", "--installer", "uv", "--outdir", dist, ROOT)
    (sdist,), (wheel,) = sorted(dist.glob("*.tar.gz")), sorted(dist.glob("*.whl"))
    run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel)
    return sdist, wheel


def check_contents(sdist: Path, wheel: Path) -> None:
    with tarfile.open(sdist) as tar:
        top = {Path(name).parts[1] for name in tar.getnames() if len(Path(name).parts) > 1}
        sdist_files = {str(Path(*Path(name).parts[1:])) for name in tar.getnames()}
    for required in ("README.md", "pyproject.toml", "PKG-INFO", "src/densitylab/__init__.py"):
        assert required in sdist_files, f"the sdist lacks {required}"
    assert not top & set(NOT_IN_SDIST), f"the sdist carries the report: {top & set(NOT_IN_SDIST)}"
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = re.findall(r"^Requires-Dist: (.+)$", whl.read(metadata).decode(), re.M)
    sources = {str(p.relative_to(ROOT / "src")) for p in (ROOT / "src").rglob("*.py")}
    assert sources <= names, f"the wheel lacks {sorted(sources - names)}"
    assert {n.split("/")[0] for n in names} <= {"densitylab", metadata.split("/")[0]}
    requirements = [Requirement(r) for r in requires]
    pinned = [str(r) for r in requirements if any(s.operator in PINS for s in r.specifier)]
    assert not pinned, f"the wheel pins exact versions: {pinned}"
    runtime = {r.name for r in requirements if r.marker is None}
    assert runtime == RUNTIME, f"the wheel's runtime dependencies are {sorted(runtime)}"
    print(f"contents ok: {len(sdist_files)} files in the sdist, {len(names)} in the wheel")


def smoke(wheel: Path, against: str, workdir: Path) -> float:
    started = time.perf_counter()
    venv = workdir / f"venv-{against}"
    run(uv(), "venv", "--quiet", "--python", sys.executable, venv)
    python = venv / "bin" / "python"
    constraints = CONSTRAINTS[against]
    extra = ["--constraint", constraints] if constraints else []
    run(uv(), "pip", "install", "--quiet", "--python", python, wheel, *extra)
    print(f"smoke test of the wheel, dependencies at {against}:", flush=True)
    run(python, ROOT / "scripts" / "wheel_smoke.py", cwd=workdir)
    return time.perf_counter() - started


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", action="append", choices=sorted(CONSTRAINTS))
    parser.add_argument("--workdir", type=Path, help="default: a temporary directory")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="densitylab-wheel-") as tmp:
        workdir = (args.workdir or Path(tmp)).resolve()
        started = time.perf_counter()
        sdist, wheel = build(workdir / "dist")
        check_contents(sdist, wheel)
        print(f"wheel_check: build and checks took {time.perf_counter() - started:.0f} s")
        for against in args.against or ["oldest"]:
            seconds = smoke(wheel, against, workdir)
            print(f"wheel_check: install and smoke test at {against} took {seconds:.0f} s")


if __name__ == "__main__":
    main()
