"""Sphinx extension: document constants that a package re-exports from a private module.

``densitylab.mmd`` exports ``KERNELS``, defined (and documented with a ``#:`` comment)
in ``densitylab.mmd._checks``. autodoc looks for ``#:`` comments only in the module it
documents (``densitylab/mmd/__init__.py``), finds none there, and silently drops the
constant from ``automodule :members:`` although it is in ``__all__``. This extension
lets ``automodule`` also read the comment in the submodule that defines the constant,
so the API reference lists every documented name of ``__all__``. A constant with no
``#:`` comment anywhere stays missing, and the book test says so. The same holds for
a module that re-exports a private sibling's constant (``densitylab.sweeps`` and
``PROGRESS_ENV`` from ``densitylab._progress``).
"""

from __future__ import annotations

import importlib
import pkgutil

from sphinx.errors import PycodeError
from sphinx.ext.autodoc import ModuleDocumenter
from sphinx.pycode import ModuleAnalyzer


def _modules_below(package) -> list:
    """``package`` itself and every module below it, private ones included."""
    modules = [package]
    for info in pkgutil.walk_packages(getattr(package, "__path__", []), package.__name__ + "."):
        modules.append(importlib.import_module(info.name))
    return modules


def defining_comment(module_name: str, name: str) -> list[str] | None:
    """The ``#:`` comment of ``name`` in the module below ``module_name`` that defines it."""
    package = importlib.import_module(module_name)
    value = getattr(package, name, None)
    # Below the module first (a package re-exporting its own submodule's constant), then
    # anywhere in the top-level package (a module re-exporting a private sibling's).
    top = importlib.import_module(module_name.split(".")[0])
    for module in _modules_below(package) + _modules_below(top):
        if getattr(module, name, None) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(module.__name__).find_attr_docs()
        except PycodeError:  # no source (a compiled module): no comment to find
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


class PackageDocumenter(ModuleDocumenter):
    """``automodule`` that finds the ``#:`` comments of re-exported constants."""

    def get_object_members(self, want_all):
        if self.analyzer is not None and self.__all__:
            # The analyzer's own table of ``#:`` comments, shared with every later
            # lookup of this module (member filtering, ``autodata``): completed in place.
            attr_docs = self.analyzer.find_attr_docs()
            for name in self.__all__:
                if ("", name) not in attr_docs:
                    comment = defining_comment(self.modname, name)
                    if comment:
                        attr_docs["", name] = comment
        return super().get_object_members(want_all)


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.add_autodocumenter(PackageDocumenter, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
