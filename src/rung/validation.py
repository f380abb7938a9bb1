"""Argument checks shared by oracles and tuners: fail before any work, naming the argument,
the value received and what is expected."""

from __future__ import annotations

import numbers

from rung.errors import ConfigurationError

__all__ = ["check_int"]


def check_int(name: str, value: object, minimum: int) -> int:
    """``value`` as an ``int`` if it is an integer ``>= minimum``, else ``ConfigurationError``.

    >>> check_int("factor", 3, 2)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ConfigurationError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
