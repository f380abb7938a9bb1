"""The values a hyperparameter takes as JSON scalars, and the canonical key of a configuration."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from rung.errors import SearchSpaceError, SearchSpaceTypeError

__all__ = ["JSONScalar", "plain_json", "to_json_scalar", "values_key"]

JSONScalar = None | bool | int | float | str
"""The values a hyperparameter can take (they must survive a JSON round trip)."""


def to_json_scalar(value: Any, what: str) -> JSONScalar:
    """Return ``value`` as a plain Python JSON scalar, or raise ``SearchSpaceError``.

    NumPy scalars are converted to their Python equivalent; NaN and infinities are refused.
    ``what`` names the value in the error message, e.g. ``"Choice 'act': values[2]"``.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SearchSpaceError(f"{what} must be a finite number, got {value!r}.")
        return value
    raise SearchSpaceTypeError(
        f"{what} must be a JSON scalar (None, bool, int, float or str), "
        f"got {value!r} of type {type(value).__name__}."
    )


def plain_json(value: Any) -> Any:
    """Convert NumPy scalars (and containers of them) into plain Python values for JSON."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    return value


def values_key(values: Mapping[str, Any]) -> str:
    """Return the canonical JSON text of a configuration, used to detect duplicates.

    Keys are sorted, there is no whitespace, and floats are written with ``repr`` (the shortest
    text that reads back to the same float), so ``1`` and ``1.0`` give different keys and two
    configurations get the same key exactly when their values are equal and of the same type.

    >>> values_key({"b": 0.1, "a": 2})
    '{"a":2,"b":0.1}'
    """
    if not all(type(v) in _PLAIN for v in values.values()):  # NumPy scalars and the like
        values = plain_json(values)
    return _KEY_ENCODER.encode(values)


_PLAIN = frozenset({str, int, float, bool, type(None)})
_KEY_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False)
