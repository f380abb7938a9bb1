"""Lazy import of Keras 3, with the install command in the error."""

from __future__ import annotations

from types import ModuleType

from rung.optional import import_optional

__all__ = ["import_keras"]


def import_keras() -> ModuleType:
    """Keras 3, or ``ImportError`` saying ``pip install "rung[keras]"``.

    Example:
        >>> keras = import_keras()  # doctest: +SKIP
    """
    keras = import_optional("keras", "keras", "rung's Keras integration")
    version = getattr(keras, "__version__", "0")
    if int(version.split(".")[0]) < 3:
        raise ImportError(
            f'rung\'s Keras integration needs Keras >= 3, found keras {version}: '
            'pip install "rung[keras]"'
        )
    return keras
