"""Lazy re-exports for a package ``__init__`` (PEP 562): each name is imported on first use.

``python -m rung status`` runs ``rung/__init__`` before the command: with every name imported
eagerly that was numpy, the tuners and the executors, a quarter of a second before the command
read anything (``benchmarks/scale.py``). Lazily, the command imports the storage and the plan
arithmetic it uses, and ``rung.Hyperband`` still works as before: the first access imports it.
Type checkers read the same names from the package's ``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``exports`` maps each name to the module that
    defines it (``"module"``, or ``"module:attribute"`` under another name); any other name that
    is a submodule of ``package`` is imported as one (what an eager ``__init__`` made visible)."""
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        where = exports.get(name)
        if where is not None:
            source, _, attribute = where.partition(":")
            value = getattr(importlib.import_module(source), attribute or name)
        elif not name.startswith("__") and importlib.util.find_spec(f"{package}.{name}"):
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(module, name, value)  # from now on a plain attribute
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(exports))

    return __getattr__, __dir__
