"""Finite hyperparameters: ``Choice``, ``Boolean`` and ``Fixed``.

Each has a finite list of values; ``from_unit`` splits ``[0, 1]`` into equal-width bins, one per
value in list order, and ``to_unit`` returns the centre of a value's bin.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any

import numpy as np

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters._warp import clip_unit
from rung.hyperparameters.base import Condition, HyperParameter, JSONScalar, to_json_scalar

__all__ = ["Boolean", "Choice", "Fixed"]


def _bin_value(values: Sequence[JSONScalar], u: float) -> JSONScalar:
    u = clip_unit(u)
    return values[min(int(u * len(values)), len(values) - 1)]


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Real):
        return "number"
    return "str"


def _index(values: Sequence[Any], value: Any, where: str) -> int:
    """Position of ``value`` in ``values``, comparing type kinds too (``True`` is not ``1``)."""
    if isinstance(value, np.generic):
        value = value.item()
    for i, candidate in enumerate(values):
        if candidate == value and _kind(candidate) == _kind(value):
            return i
    raise ValueError(f"{where}: {value!r} is not one of the values {list(values)!r}.")


class Choice(HyperParameter):
    """One value out of a list of bool, numeric (int and float may mix) or str values.

    Args:
        name: The name.
        values: The non-empty list (or tuple, or other ordered iterable) of distinct values, all
            bools, all numbers or all strings. A str, a set or a dict is a
            ``SearchSpaceTypeError``: the values' order is their encoding's.
        ordered: Whether the values have a meaningful order; defaults to ``True`` for numbers
            and ``False`` otherwise (``True`` is only allowed for numbers).
        default: The default value; the first value unless given.

    Example:
        >>> Choice("act", ["relu", "tanh"]).grid_values()
        ['relu', 'tanh']
    """

    def __init__(
        self,
        name: str,
        values: Sequence[JSONScalar],
        ordered: bool | None = None,
        default: JSONScalar = None,
        conditions: Iterable[Condition] = (),
    ) -> None:
        super().__init__(name, conditions=conditions)
        where = f"Choice {name!r}"
        if isinstance(values, (str, bytes, Set, Mapping)) or not isinstance(values, Iterable):
            kind = "unordered " if isinstance(values, (Set, Mapping)) else ""
            raise SearchSpaceTypeError(
                f"{where}: values must be a list, got {values!r} ({kind}"
                f"{type(values).__name__}); e.g. hp.Choice({name!r}, [...])."
            )
        values = list(values)  # an iterator is read once
        for i, v in enumerate(values):
            if not isinstance(v, (bool, numbers.Real, str, np.generic)) or isinstance(v, bytes):
                raise SearchSpaceTypeError(
                    f"{where}: a Choice can contain only `int`, `float`, `str`, or `bool` "
                    f"values; values[{i}] is {v!r} of type {type(v).__name__}."
                )
        cleaned = [to_json_scalar(v, f"{where}: values[{i}]") for i, v in enumerate(values)]
        if not cleaned:
            raise SearchSpaceError(
                f"{where}: `values` must be provided as a non-empty list, got {list(values)!r}.")
        kinds = {_kind(v) for v in cleaned}
        if len(kinds) > 1:
            types = sorted({type(v).__name__ for v in cleaned})
            raise SearchSpaceTypeError(
                f"{where}: values {cleaned!r} mix types {types}; a Choice can contain only one "
                "type of value: all bool, all numbers (int/float) or all str."
            )
        for i, v in enumerate(cleaned):
            if _index(cleaned, v, where) != i:
                raise SearchSpaceError(f"{where}: values contain {v!r} more than once.")
        kind = kinds.pop()
        if ordered is None:
            ordered = kind == "number"
        if not isinstance(ordered, bool):
            raise SearchSpaceTypeError(
                f"{where}: ordered must be a bool or None, got {ordered!r} of type "
                f"{type(ordered).__name__}."
            )
        if ordered and kind != "number":
            raise SearchSpaceError(
                f"{where}: ordered must be `False` (or None) for non-numeric values; got "
                f"ordered=True with {kind} values {cleaned!r}."
            )
        self._values = tuple(cleaned)
        self._ordered = ordered
        if default is None:
            self._default = cleaned[0]
        else:
            try:
                self._default = cleaned[_index(cleaned, default, where)]
            except ValueError:
                raise SearchSpaceError(
                    f"{where}: the default value should be one of the values {cleaned!r}; got "
                    f"default={default!r}."
                ) from None

    @property
    def values(self) -> list[JSONScalar]:
        """The possible values, in the given order (a new list, as keras-tuner's)."""
        return list(self._values)

    @property
    def ordered(self) -> bool:
        """Whether the values are ordered."""
        return self._ordered

    @property
    def default(self) -> JSONScalar:
        """The default value (the first value unless given)."""
        return self._default

    def _definition(self) -> dict[str, Any]:
        return {"values": list(self._values), "ordered": self._ordered, "default": self._default}

    def _sample(self, rng: np.random.Generator) -> JSONScalar:
        """A value drawn uniformly."""
        return self._values[int(rng.integers(len(self._values)))]

    def to_unit(self, value: Any) -> float:
        """Centre of the value's bin."""
        return (_index(self._values, value, f"Choice {self.name!r}") + 0.5) / len(self._values)

    def from_unit(self, u: float) -> JSONScalar:
        """The value whose bin holds ``u``."""
        return _bin_value(self._values, u)

    def grid_values(self) -> list[JSONScalar]:
        """The values, in the given order."""
        return list(self._values)


class Boolean(HyperParameter):
    """``False`` or ``True``; the default is ``False`` unless given."""

    def __init__(
        self, name: str, default: bool = False, conditions: Iterable[Condition] = ()
    ) -> None:
        super().__init__(name, conditions=conditions)
        if isinstance(default, np.bool_):
            default = bool(default)
        if not isinstance(default, bool):
            raise SearchSpaceTypeError(
                f"Boolean {name!r}: default must be a Python boolean (True or False), got "
                f"{default!r} of type {type(default).__name__}.")
        self._default = default

    @property
    def default(self) -> bool:
        """The default value."""
        return bool(self._default)

    @property
    def values(self) -> tuple[bool, bool]:
        """``(True, False)``, in keras-tuner's order."""
        return (True, False)

    def _definition(self) -> dict[str, Any]:
        return {"default": self._default}

    def _sample(self, rng: np.random.Generator) -> bool:
        """``True`` or ``False`` with equal probability."""
        return bool(rng.integers(2))

    def to_unit(self, value: Any) -> float:
        """0.25 for ``False``, 0.75 for ``True``."""
        return (_index((False, True), value, f"Boolean {self.name!r}") + 0.5) / 2

    def from_unit(self, u: float) -> bool:
        """``False`` below 0.5, ``True`` from 0.5."""
        return bool(_bin_value((False, True), u))

    def grid_values(self) -> list[JSONScalar]:
        """``[False, True]``."""
        return [False, True]


class Fixed(HyperParameter):
    """A single value that is never tuned.

    A ``Fixed`` registered first overrides a later definition of the same name with any other
    kind (keras-tuner's way to pin a hyperparameter of a model-building function).
    """

    def __init__(self, name: str, value: JSONScalar, conditions: Iterable[Condition] = ()) -> None:
        super().__init__(name, conditions=conditions)
        if value is None:
            raise SearchSpaceError(
                f"Fixed {name!r}: value must be an int, float, str or bool, got None."
            )
        self._value = to_json_scalar(value, f"Fixed {name!r}: value")

    @property
    def value(self) -> JSONScalar:
        """The value."""
        return self._value

    @property
    def default(self) -> JSONScalar:
        """The value."""
        return self._value

    @property
    def values(self) -> tuple[JSONScalar]:
        """``(value,)``: the only value, as keras-tuner's ``Fixed.values``."""
        return (self._value,)

    def _definition(self) -> dict[str, Any]:
        return {"value": self._value}

    def _sample(self, rng: np.random.Generator) -> JSONScalar:
        """The value (``rng`` is not used)."""
        return self._value

    def to_unit(self, value: Any) -> float:
        """0.5 (the only value's bin centre)."""
        _index((self._value,), value, f"Fixed {self.name!r}")
        return 0.5

    def from_unit(self, u: float) -> JSONScalar:
        """The value."""
        return _bin_value((self._value,), u)

    def grid_values(self) -> list[JSONScalar]:
        """``[value]``."""
        return [self._value]
