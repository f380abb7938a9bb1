"""Argument checks: one vocabulary, one message style, one exception type per kind of mistake.

Every public constructor and function checks its arguments here, before any work starts.

* A value of the wrong **type** raises :class:`rung.errors.ArgumentTypeError` (a ``TypeError``).
* A value of the right type but out of range, or not among the options, raises
  :class:`rung.errors.ConfigurationError` (a ``ValueError``).

The message always reads ``"<name> must be <what is expected>, got <value>"``, followed by a hint
where one helps, e.g. ``"max_epochs must be an integer >= 1, got 0"``.
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
import operator
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from rung.errors import ArgumentTypeError, ConfigurationError

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "check_bool",
    "check_choice",
    "check_epochs",
    "check_fraction",
    "check_instance",
    "check_int",
    "check_number",
    "check_optional_int",
    "fail_type",
    "fail_value",
    "format_message",
    "nearest",
    "unknown_arguments",
]

T = TypeVar("T")

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
"""The integers the project's SQLite stores (and NumPy samples): ``Int`` bounds, epoch counts."""


def format_message(name: str, expected: str, value: object, hint: str = "") -> str:
    """The message ``"<name> must be <expected>, got <value>[; hint]"``, for an error of another
    type than this module's (a ``rung.errors.SearchSpaceTypeError``, say)."""
    text = f"{name} must be {expected}, got {_shown(value)}"
    if not isinstance(value, (bool, int, float, str, type(None))):
        text += f" ({type(value).__name__})"
    return f"{text}; {hint}" if hint else text


def _shown(value: object, width: int = 80) -> str:
    """``repr(value)``, cut to ``width`` characters (a str, often a path, to three times that)."""
    shown = repr(value)
    width = 3 * width if isinstance(value, str) else width
    return shown[:width - 3] + "..." if len(shown) > width else shown


def fail_type(name: str, expected: str, value: object, hint: str = "") -> ArgumentTypeError:
    """The error for a value of the wrong type (to ``raise``)."""
    return ArgumentTypeError(format_message(name, expected, value, hint))


def fail_value(name: str, expected: str, value: object, hint: str = "") -> ConfigurationError:
    """The error for a value of the right type that is not allowed (to ``raise``)."""
    return ConfigurationError(format_message(name, expected, value, hint))


def nearest(name: str, names: Collection[str]) -> str | None:
    """The one of ``names`` closest to a misspelt ``name`` (``epoch`` -> ``epochs``), or None."""
    found = difflib.get_close_matches(name, list(names), n=1)
    return found[0] if found else None


def unknown_arguments(cls: type, unknown: Mapping[str, Any], exclude: Collection[str] = (),
                      lead: str = "") -> ArgumentTypeError:
    """The error (to ``raise``) for keyword arguments ``unknown`` that no ``__init__`` of ``cls``
    takes: it names ``cls`` (not the base class whose ``**kwargs`` caught them), the nearest
    argument for each (``max_epoch=`` -> ``max_epochs=``) and every argument ``cls`` takes, those
    of its bases' ``__init__`` included, less ``exclude`` (what ``cls`` fills in itself, such as
    a tuner's ``oracle``), each with the value it was given. ``lead`` starts the message."""
    known = sorted({name for klass in cls.__mro__ if "__init__" in vars(klass)
                    for name, p in inspect.signature(vars(klass)["__init__"]).parameters.items()
                    if name != "self" and name not in exclude
                    and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)})
    hints = [f"{name}={_shown(unknown[name], 40)}"
             + (f" (did you mean {near}=?)" if (near := nearest(name, known)) else "")
             for name in sorted(unknown)]
    return ArgumentTypeError(f"{lead}{cls.__name__} got unknown argument(s) {', '.join(hints)}; "
                             f"it takes {', '.join(known)}")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int(name: str, value: object, minimum: int | None = None,
              maximum: int | None = None, hint: str = "") -> int:
    """``value`` as an ``int`` in ``[minimum, maximum]`` (either bound may be None).

    >>> check_int("factor", 3, 2)
    3
    """
    expected = "an integer"
    if minimum is not None and maximum is not None:
        expected += f" in [{minimum}, {maximum}]"
    elif minimum is not None:
        expected += f" >= {minimum}"
    elif maximum is not None:
        expected += f" <= {maximum}"
    if not _is_int(value):
        raise fail_type(name, expected, value, hint)
    number = operator.index(value)  # type: ignore[arg-type]  # an Integral has __index__
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise fail_value(name, expected, value, hint)
    return number


def check_epochs(name: str, value: object) -> int:
    """``value`` as a number of epochs, an integer in ``[1, 2**63 - 1]``."""
    number = check_int(name, value, 1)
    if number > INT64_MAX:
        raise fail_value(name, "an integer <= 2**63 - 1, the largest number of epochs a project "
                         "stores", value)
    return number


def check_optional_int(name: str, value: object, minimum: int | None = None,
                       hint: str = "") -> int | None:
    """Like :func:`check_int`, but ``None`` passes through (meaning "no limit")."""
    if value is None:
        return None
    expected = "None or an integer" + (f" >= {minimum}" if minimum is not None else "")
    if not _is_int(value):
        raise fail_type(name, expected, value, hint)
    number = operator.index(value)  # type: ignore[arg-type]  # an Integral has __index__
    if minimum is not None and number < minimum:
        raise fail_value(name, expected, value, hint)
    return number


def check_number(name: str, value: object, minimum: float | None = None, *,
                 exclusive_minimum: bool = False, finite: bool = True,
                 allow_none: bool = False, hint: str = "",
                 expected: str | None = None) -> float | None:
    """``value`` as a ``float`` (``None`` passes through when ``allow_none``); ``expected``
    replaces the generated description of what is allowed (for a range with a maximum)."""
    if value is None and allow_none:
        return None
    if expected is None:
        expected = ("None or " if allow_none else "") + (
            "a finite number" if finite else "a number")
        if minimum is not None:
            expected += f" {'>' if exclusive_minimum else '>='} {minimum:g}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail_type(name, expected, value, hint)
    number = float(value)
    if (finite and not math.isfinite(number)) or math.isnan(number):
        raise fail_value(name, expected, value, hint)
    if minimum is not None and (number <= minimum if exclusive_minimum else number < minimum):
        raise fail_value(name, expected, value, hint)
    return number


def check_fraction(name: str, value: object, open_ends: bool = False) -> float:
    """``value`` as a ``float`` between 0 and 1 (strictly, with ``open_ends``)."""
    expected = "a number strictly between 0 and 1" if open_ends else "a number between 0 and 1"
    number = check_number(name, value, 0.0, expected=expected)
    assert number is not None
    if number > 1.0 or (open_ends and number in (0.0, 1.0)):
        raise fail_value(name, expected, value)
    return number


def check_bool(name: str, value: object, hint: str = "") -> bool:
    """``value`` if it is a ``bool`` (``numpy.bool_`` too); 0/1 and strings are refused."""
    if isinstance(value, bool) or _is_numpy_bool(value):
        return bool(value)
    raise fail_type(name, "True or False", value, hint)


def _is_numpy_bool(value: object) -> bool:
    """``isinstance(value, numpy.bool_)`` without importing numpy (``rung status`` runs without
    it); numpy 2 names the type ``bool``, numpy 1 ``bool_``."""
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_")


def check_choice(name: str, value: T, options: Collection[Any], hint: str = "") -> T:
    """``value`` if it is one of ``options``."""
    if value in options:
        return value
    shown = ", ".join(repr(o) for o in options)
    raise fail_value(name, f"one of {shown}", value, hint)


def check_instance(name: str, value: object, kinds: type | tuple[type, ...], expected: str,
                   hint: str = "") -> Any:
    """``value`` if it is an instance of ``kinds`` (``expected`` says it in words)."""
    if isinstance(value, kinds):
        return value
    raise fail_type(name, expected, value, hint)
