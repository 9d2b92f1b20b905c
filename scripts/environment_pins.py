"""Copy the lock's versions into environment.yml's ``name==version`` entries (run by make lock).

    python scripts/environment_pins.py [requirements/lock.txt] [environment.yml]

Only the versions change: the list of packages, their order and the comments stay as written.
A package of environment.yml that the lock lacks is an error. tests/test_packaging.py checks the
result (every pinned entry equal to the lock).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
ENTRY = re.compile(r"^(\s*-\s+)([A-Za-z0-9_.\-]+)==(\S+)\s*$")


def lock_versions(lock: Path) -> dict[str, str]:
    versions = {}
    for line in lock.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate():
                (spec,) = requirement.specifier
                versions[canonicalize_name(requirement.name)] = spec.version
    return versions


def main(lock: Path, environment: Path) -> None:
    versions = lock_versions(lock)
    lines, changed = [], []
    for line in environment.read_text().splitlines(keepends=True):
        match = ENTRY.match(line)
        if match:
            indent, name, old = match.groups()
            new = versions.get(canonicalize_name(name))
            if new is None:
                raise SystemExit(f"{environment}: {name} is not in {lock}")
            if new != old:
                changed.append(f"{name} {old} -> {new}")
            line = f"{indent}{name}=={new}\n"
        lines.append(line)
    environment.write_text("".join(lines))
    print(f"{environment.name}: " + (", ".join(changed) if changed else "already the lock's"))


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:]]
    main(*(args or [ROOT / "requirements" / "lock.txt", ROOT / "environment.yml"]))
