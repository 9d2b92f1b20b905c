"""Smoke test of an installed densitylab wheel, in a venv holding only its runtime dependencies.

``scripts/wheel_check.py`` builds the wheel, installs it in a clean venv and runs this file
there (not from the source tree). It fits, scores and samples every model, computes an MMD²
between a generated and a held-out sample, and checks that no development tool is importable:
the runtime dependencies alone must carry the package. Every warning is an error. Uses only the
public API (``densitylab.models``, ``densitylab.mmd.mmd2_unbiased``) and scikit-learn's data.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import sysconfig
import warnings
from importlib.metadata import version
from pathlib import Path

#: Packages of the extras and of the development tools: none may be installed here.
NOT_INSTALLED = (
    "matplotlib",
    "myst_nb",
    "IPython",
    "ipykernel",
    "jupyter_core",
    "nbformat",
    "jupytext",
    "dask",
    "distributed",
    "pytest",
    "hypothesis",
)


def runtime_modules(package: Path) -> list[str]:
    """Every module of the package but the plotting and report ones (they need the extras)."""
    names = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if len(parts) > 1 and parts[1].startswith(("plotting", "report")):
            continue
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def main() -> None:
    warnings.simplefilter("error")
    import numpy as np
    from sklearn.datasets import load_digits, make_moons

    import densitylab
    from densitylab.mmd import mmd2_unbiased
    from densitylab.models import GMM, DensityForest, GaussianKDE, Histogram2D, SingleGaussian

    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    where = Path(densitylab.__file__).resolve()
    assert site in where.parents, f"densitylab imported from {where}, not the installed wheel"
    present = [name for name in NOT_INSTALLED if importlib.util.find_spec(name) is not None]
    assert not present, f"installed beside the wheel's runtime dependencies: {present}"
    for name in runtime_modules(where.parent):
        importlib.import_module(name)

    moons, _ = make_moons(1200, noise=0.1, random_state=0)
    train, test = moons[:800], moons[800:]
    digits = load_digits().data[:600] / 16.0
    models = [
        (Histogram2D(bins=20, random_state=0), train, test),
        (SingleGaussian(random_state=0), train, test),
        (GMM(n_components=5, random_state=0), train, test),
        (GaussianKDE(bandwidth=0.1, random_state=0), train, test),
        (DensityForest(n_trees=5, n_min=10, random_state=0), train, test),
        (GMM(n_components=4, random_state=0), digits[:400], digits[400:]),
        (GaussianKDE(bandwidth="scott", random_state=0), digits[:400], digits[400:]),
    ]
    for model, X, Y in models:
        model.fit(X)
        log_density = model.score_samples(Y)
        assert log_density.shape == (len(Y),) and not np.isnan(log_density).any()
        score = model.score(Y)
        generated = model.sample(400, random_state=1)
        assert generated.shape == (400, X.shape[1]) and np.isfinite(generated).all()
        np.testing.assert_array_equal(generated, model.sample(400, random_state=1))
        mmd2 = mmd2_unbiased(generated, Y)
        assert np.isfinite(mmd2)
        name = type(model).__name__
        print(f"  {name:>14} {X.shape[1]:>2}-D: score {score:9.3f}, MMD² {mmd2:.5f}")
    deps = ("numpy", "scipy", "scikit-learn", "pandas", "joblib", "threadpoolctl", "tqdm")
    print("  with", ", ".join(f"{name} {version(name)}" for name in deps), f"on {sys.version[:6]}")


if __name__ == "__main__":
    main()
