"""Run the benchmarks and print one table: ``python -m benchmarks [name ...]``."""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info


def _machine() -> str:
    blas = ", ".join(
        f"{info.get('internal_api')} {info.get('version')} ({info.get('num_threads')} threads)"
        for info in threadpool_info()
        if info.get("user_api") == "blas"
    )
    return (
        f"{platform.processor() or platform.machine()}, {len(os.sched_getaffinity(0))}"
        f" cores, Python {platform.python_version()}, NumPy {np.__version__}, BLAS: {blas}"
    )


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = [m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")]
    wanted = [f"bench_{a.removeprefix('bench_')}" for a in argv]
    names = [n for n in sorted(names) if not wanted or n in wanted]
    print(f"Machine: {_machine()}\n")
    print(f"| figure | ours | reference | ratio | target | met |\n|{'---|' * 6}")
    all_met = True
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        for fig in module.run():
            all_met &= fig.met
            print(
                f"| {fig.name} | {fig.ours} | {fig.reference} | {fig.ratio:.2f} | {fig.target} "
                f"| {'yes' if fig.met else 'NO'} |",
                flush=True,
            )
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
