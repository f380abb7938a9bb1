"""``ValuesView``: the live mapping behind ``HyperParameters.values``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

__all__ = ["ValuesView"]

_MISSING = object()


class ValuesView(dict):  # type: ignore[type-arg]
    """Live mapping of the active values of a ``HyperParameters``; assignment sets a value.

    It is a ``dict`` (keras-tuner's ``hp.values`` is one), so ``json.dumps(hp.values)`` and
    ``isinstance(hp.values, dict)`` work; every read re-reads the active values, so a view kept
    across changes stays current. ``copy()``, ``copy.deepcopy`` and pickling give a plain
    ``dict`` snapshot.

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
        super().__init__()
        self._active = active
        self._set_value = set_value
        self._reset_value = reset_value
        self._refresh()

    def _refresh(self) -> dict[str, Any]:
        """The active values now; also copied into the dict storage that C code reads."""
        current = self._active()
        dict.clear(self)
        dict.update(self, current)
        return current

    # --- reading ------------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Any:
        return self._refresh()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._refresh())

    def __reversed__(self) -> Iterator[str]:
        return reversed(self._refresh())

    def __len__(self) -> int:
        return len(self._refresh())

    def __contains__(self, name: object) -> bool:
        return name in self._refresh()

    def __eq__(self, other: object) -> bool:
        return self._refresh() == other

    def __ne__(self, other: object) -> bool:
        return self._refresh() != other

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        return self._refresh() | other

    def __ror__(self, other: Any) -> Any:
        return other | self._refresh()

    def get(self, name: str, default: Any = None) -> Any:
        return self._refresh().get(name, default)

    def keys(self) -> Any:
        return self._refresh().keys()

    def values(self) -> Any:
        return self._refresh().values()

    def items(self) -> Any:
        return self._refresh().items()

    def copy(self) -> dict[str, Any]:
        """A plain ``dict`` snapshot of the active values."""
        return self._refresh()

    def __reduce__(self) -> tuple[type[dict], tuple[dict[str, Any]]]:  # type: ignore[type-arg]
        return dict, (self._refresh(),)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        import copy

        return copy.deepcopy(self._refresh(), memo)

    def __repr__(self) -> str:
        return repr(self._refresh())

    # --- writing (through to the HyperParameters) ------------------------------------------------
    def __setitem__(self, name: str, value: Any) -> None:
        self._set_value(name, value)
        self._refresh()

    def __delitem__(self, name: str) -> None:
        self._reset_value(name)
        self._refresh()

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        pairs = other.items() if isinstance(other, Mapping) else other
        for name, value in [*pairs, *kwargs.items()]:
            self[name] = value

    def setdefault(self, name: str, default: Any = None) -> Any:
        current = self._refresh()
        if name in current:
            return current[name]
        self[name] = default
        return default

    def pop(self, name: str, default: Any = _MISSING) -> Any:
        current = self._refresh()
        if name not in current:
            if default is _MISSING:
                raise KeyError(name)
            return default
        del self[name]
        return current[name]

    def popitem(self) -> tuple[str, Any]:
        current = self._refresh()
        if not current:
            raise KeyError("popitem(): no values")
        name = next(reversed(current))
        del self[name]
        return name, current[name]

    def clear(self) -> None:
        for name in list(self._refresh()):
            del self[name]

    def __ior__(self, other: Iterable[Any]) -> ValuesView:  # type: ignore[override,misc]
        self.update(other)
        return self
