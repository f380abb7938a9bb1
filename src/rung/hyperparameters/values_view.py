"""``ValuesView``: the live mapping behind ``HyperParameters.values``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

__all__ = ["ValuesView"]


class ValuesView(MutableMapping[str, Any]):
    """Live mapping of the active values of a ``HyperParameters``; assignment sets a value.

    Args:
        active: Returns a fresh dict of the active values, in definition order.
        set_value: Sets the value of a name (declared or not).
        reset_value: Returns a name to its default (or forgets an undeclared name); raises
            ``KeyError`` for a name that has no value.
    """

    def __init__(
        self,
        active: Callable[[], dict[str, Any]],
        set_value: Callable[[str, Any], None],
        reset_value: Callable[[str], None],
    ) -> None:
        self._active = active
        self._set_value = set_value
        self._reset_value = reset_value

    def __getitem__(self, name: str) -> Any:
        return self._active()[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._set_value(name, value)

    def __delitem__(self, name: str) -> None:
        self._reset_value(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._active())

    def __len__(self) -> int:
        return len(self._active())

    def copy(self) -> dict[str, Any]:
        """A plain ``dict`` snapshot of the active values."""
        return self._active()

    def __repr__(self) -> str:
        return repr(self._active())
