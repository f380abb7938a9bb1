"""How ``HyperParameters`` registers a definition: the rules for a name declared again.

``_retrieve`` is where every declaration lands (``rung.hyperparameters._declaring``, ``merge``,
``from_config``). A name has one definition under given conditions; what happens to another one
depends on the space's state, each set by the code that drives a search:

* a ``Fixed`` registered first, or a name pinned by ``_pin_definitions`` (an oracle's
  ``hyperparameters=``), stands: the later definition gets its value;
* inside ``_caller_definitions_win`` (a hypermodel's ``build``), a definition made before the
  build wins (keras-tuner's "first definition wins");
* after ``_close`` (a trial under ``allow_new_entries=False``), a new definition raises
  ``NewEntriesError``;
* otherwise another definition under the same conditions raises ``SearchSpaceError``.

A definition that lost to an earlier one in the first three cases is kept aside (``_shadowed``,
never searched): the code that declared it may open a ``conditional_scope`` on one of its values
(a model declares ``Choice("version", ["v1", "v2"])``, pinned to ``Fixed("version", "v1")``, and
scopes on ``"v2"``), and ``conditional_scope`` checks its values against every definition of the
parent, these included (``definitions_of``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from rung.errors import NewEntriesError, SearchSpaceConflictError, SearchSpaceError
from rung.hyperparameters.base import HyperParameter
from rung.hyperparameters.discrete import Fixed

__all__ = ["DefinitionRegistry"]

_Space = TypeVar("_Space", bound="DefinitionRegistry")


class DefinitionRegistry:
    """``_retrieve`` and the states that change its rules: pinned, caller-first, closed (a base
    of ``rung.hyperparameters.HyperParameters``)."""

    _space: list[HyperParameter]
    _by_name: dict[str, list[HyperParameter]]
    _values: dict[str, Any]
    _pinned: set[str]
    _shadowed: dict[str, list[HyperParameter]]  # definitions that lost to an earlier one
    _outer: frozenset[str] = frozenset()  # names defined before a build (_caller_definitions_win)
    _closed: bool = False  # a trial's space under allow_new_entries=False (see _close)
    _as_ran = False  # a finished trial's values, no defaults filled in (HyperParameters.as_ran)

    if TYPE_CHECKING:  # implemented by rung.hyperparameters.HyperParameters
        def is_active(self, hyperparameter: str | HyperParameter) -> bool: ...
        def _active_values(self) -> dict[str, Any]: ...

    def _close(self: _Space) -> _Space:
        """Refuse new entries from now on: declaring a hyperparameter this space lacks (a name
        not defined under the same conditions) raises ``NewEntriesError`` at the declaration, as
        a trial's space does under ``allow_new_entries=False``, so the training function stops
        before it trains with a value the search never chose. Returns ``self``."""
        self._closed = True
        return self

    def _pin_definitions(self) -> None:
        """Make the current definitions stand: a later declaration of one of these names with
        other arguments gets this definition's value instead of an error (keras-tuner's way to
        override part of a model's space with a tuner's ``hyperparameters=``)."""
        self._pinned = set(self._by_name)

    @contextlib.contextmanager
    def _caller_definitions_win(self) -> Iterator[None]:
        """While a hypermodel builds (``rung.HyperModel``): a definition made before the build
        (a plain ``HyperParameters`` handed to ``build``, or an earlier trial's space) wins over
        the build's own definition of that name under the same conditions, as keras-tuner's
        "first definition wins"; two different definitions inside one build stay an error."""
        saved = self._outer
        self._outer = saved | frozenset(self._by_name)
        try:
            yield
        finally:
            self._outer = saved

    def _retrieve(self, new: HyperParameter) -> Any:
        """Register ``new`` unless an equal entry exists; return the value, None if inactive.

        A name may be declared again under other conditions with another definition (as in
        keras-tuner: ``units`` under ``model == "cnn"`` and under ``model == "mlp"``); under the
        same conditions the definition must be the same.
        """
        if any(c.parent_name == new.name for c in new.conditions):
            raise SearchSpaceError(
                f"Hyperparameter {new.name!r} is declared under a condition on {new.name!r}: a "
                "hyperparameter cannot have the same name as its condition's parent."
            )
        existing = self._by_name.get(new.name, [])
        entry = next((e for e in existing if e.conditions == new.conditions), None)
        if existing and isinstance(existing[0], Fixed) and not isinstance(new, Fixed):
            entry = existing[0]
        elif existing and new.name in self._pinned and (entry is None or
                                                        not entry.same_definition(new)):
            entry = entry or existing[0]  # the tuner's definition overrides the model's
        elif (entry is not None and not entry.same_definition(new)
              and new.name not in self._outer):
            raise SearchSpaceConflictError(
                f"Hyperparameter {new.name!r} is already defined as {entry!r}; it cannot "
                f"be redefined as {new!r} under the same conditions. Use the same arguments, "
                "another name (for example inside hp.name_scope(...)), or a conditional_scope. "
                "A definition from an earlier run of the same project counts too: to change a "
                "range, start a new project (overwrite=True, or another project_name)."
            )
        if entry is not None and entry is not new and not (
                entry.conditions == new.conditions and entry.same_definition(new)):
            self._shadow(new)
        if entry is None and self._closed:
            raise NewEntriesError(
                f"`allow_new_entries` is `False`, but the trial declared {new!r}, which the "
                "search space lacks (not defined under these conditions); declare it in the "
                "`hyperparameters` given to the tuner or oracle, or pass allow_new_entries=True"
            )
        if entry is None:
            entry = new
            # The value held for another definition that is inactive is not this one's.
            stale = bool(existing) and not any(self.is_active(e) for e in existing)
            self._space.append(new)
            self._by_name.setdefault(new.name, []).append(new)
            if stale:
                self._values[new.name] = new.default
            self._values.setdefault(new.name, new.default)
        if self._as_ran and entry.name not in self._values:
            # a finished trial's values rebuilt by code that gained this name: from now on it
            # holds its default, as any name declared (keras-tuner records it the same way)
            self._values[entry.name] = entry.default
        active = self._active_values()
        if not all(c.is_active(active) for c in entry.conditions):
            return None
        value = self._values.get(entry.name, entry.default)
        if len(self._by_name[entry.name]) > 1 and not _accepts(entry, value):
            value = self._values[entry.name] = entry.default  # the value of another definition
        return value

    def _shadow(self, lost: HyperParameter) -> None:
        """Keep aside a definition that an earlier one overrode (see the module docstring)."""
        shadowed = self.__dict__.setdefault("_shadowed", {})  # absent from older pickles
        entries = shadowed.setdefault(lost.name, [])
        if lost not in entries:
            entries.append(lost)

    def definitions_of(self, name: str) -> list[HyperParameter]:
        """Every definition of ``name``: those of the space, then those that lost to them."""
        return [*self._by_name.get(name, ()), *self.__dict__.get("_shadowed", {}).get(name, ())]


def _accepts(hp: HyperParameter, value: Any) -> bool:
    """Whether ``value`` is one ``hp`` can take (its range or its values; steps not checked)."""
    low, high = getattr(hp, "min_value", None), getattr(hp, "max_value", None)
    if low is not None and high is not None:
        return isinstance(value, (int, float)) and low <= value <= high
    values = getattr(hp, "values", None)
    return values is None or value in values
