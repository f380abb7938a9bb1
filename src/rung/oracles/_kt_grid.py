"""keras-tuner's grid order, for ``GridSearchOracle``.

The grid is walked like an odometer over the space in declaration order, the last
hyperparameter turning fastest; each hyperparameter's values are its default first, then its
other ``values`` in their order (a ``Float`` without ``step`` has ten values spread over its
range, ``Int.values`` and ``Float.values``). The first trial takes the defaults; each ended
trial hands its successor (the next combination of ITS values in the space as it is then) to the
next request. So hyperparameters declared while the search runs extend the grid from the trial
that declared them on, and a successor that reaches the next trial already placed in the order
is dropped: that part of the grid is covered. The trial ids in grid order are kept in a list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rung.hyperparameters import HyperParameters
from rung.hyperparameters.base import HyperParameter

__all__ = ["compare", "defaults", "next_combination"]


def _ordered_values(hp: HyperParameter) -> list[Any]:
    every: Any = hp.values  # type: ignore[attr-defined]  # each concrete type has its values
    values = [v for v in every if v != hp.default]
    return [hp.default, *values]


def _active(hp: HyperParameter, values: Mapping[str, Any]) -> bool:
    return all(c.is_active(values) for c in hp.conditions)


def defaults(space: HyperParameters) -> dict[str, Any]:
    """The first combination: every active hyperparameter at its default."""
    return _only_active(list(space.space), {})


def next_combination(space: HyperParameters, values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The combination after ``values`` (active values only), or None after the last one."""
    current = dict(values)
    entries = list(space.space)
    for hp in reversed(entries):
        if not _active(hp, current):
            continue
        options = _ordered_values(hp)
        value = current.get(hp.name, hp.default)
        if value in options and value != options[-1]:
            current[hp.name] = options[options.index(value) + 1]
            return _only_active(entries, current)
        current[hp.name] = hp.default
    return None


def _only_active(entries: list[HyperParameter], values: dict[str, Any]) -> dict[str, Any]:
    """The active values; a hyperparameter just activated (or whose value belongs to another
    definition of its name) starts from its default."""
    result: dict[str, Any] = {}
    for hp in entries:
        if hp.name not in result and _active(hp, values):
            value = values.get(hp.name, hp.default)
            result[hp.name] = value if value in _ordered_values(hp) else hp.default
    return result


def compare(space: HyperParameters, a: Mapping[str, Any], b: Mapping[str, Any]) -> int:
    """-1, 0 or 1 as ``a`` comes before, at or after ``b`` in the grid order."""
    for hp in space.space:
        if hp.name not in a:
            continue
        value_b = b.get(hp.name, hp.default)
        if a[hp.name] == value_b:
            continue
        options = _ordered_values(hp)
        index_a = options.index(a[hp.name]) if a[hp.name] in options else len(options)
        index_b = options.index(value_b) if value_b in options else len(options)
        return -1 if index_a < index_b else 1
    return 0
