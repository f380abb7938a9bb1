"""Lazy imports of optional frameworks, with the install command in the error."""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["import_optional"]


def import_optional(module: str, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise ``ImportError`` saying which rung extra installs it.

    Example:
        >>> np = import_optional("numpy", "core", "rung")
        >>> np.__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"{purpose} needs {module.split('.')[0]!r}: pip install \"rung[{extra}]\" "
            f"(import failed with: {exc})"
        ) from exc
