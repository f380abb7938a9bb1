"""``HyperParameters``: a define-by-run search space together with the current values.

The same object serves two purposes, as in keras-tuner. A model-building function *declares* the
space by calling ``hp.Int(...)``, ``hp.Choice(...)``, ... and uses the returned value; the oracle
*fills* values in (``clone_with_values``) before calling the function again.

Rules:

* A name has one definition. Calling a method again with the same arguments returns the current
  value; other arguments raise :class:`~rung.errors.SearchSpaceError`. The same definition may be
  registered again under other conditions (the hyperparameter is active when any entry is).
* A ``Fixed`` registered first overrides a later definition of the same name (pinning).
* A hyperparameter is *active* when every condition holds against the active values; parents are
  always defined before their children. Inactive hyperparameters return ``None`` from the
  declaring call, are absent from ``values``, and ``get`` raises ``ValueError`` for them.
* ``values`` is a live mapping of the active values in definition order, followed by values set
  for names that are not in the space (e.g. ``"tuner/epochs"``); ``hp.values[name] = v`` sets a
  value, and ``hp.values = {...}`` replaces them all.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any, cast

from rung.errors import NewEntriesError, SearchSpaceError
from rung.hyperparameters.base import Condition, HyperParameter, JSONScalar, plain_json
from rung.hyperparameters.compat import hyperparameter_from_config
from rung.hyperparameters.discrete import Boolean, Choice, Fixed
from rung.hyperparameters.numeric import Float, Int
from rung.hyperparameters.values_view import ValuesView

__all__ = ["HyperParameters"]


class HyperParameters:
    """A search space (the declared hyperparameters) and one value per hyperparameter.

    Example:
        >>> hp = HyperParameters()
        >>> hp.Choice("model", ["mlp", "cnn"])
        'mlp'
        >>> with hp.conditional_scope("model", ["cnn"]):
        ...     hp.Int("filters", 16, 64, step=16) is None
        True
        >>> hp.values
        {'model': 'mlp'}
    """

    _outer: frozenset[str] = frozenset()  # names defined before a build (_caller_definitions_win)
    _closed: bool = False  # a trial's space under allow_new_entries=False (see _close)

    def __init__(self) -> None:
        self._space: list[HyperParameter] = []
        self._by_name: dict[str, list[HyperParameter]] = {}
        self._values: dict[str, Any] = {}
        self._scopes: list[str] = []
        self._conditions: list[Condition] = []
        self._pinned: set[str] = set()  # names whose definition stands (see _pin_definitions)

    # --- declaring ---------------------------------------------------------------------------
    def Int(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        min_value: int,
        max_value: int,
        step: int | None = None,
        sampling: str = "linear",
        default: int | None = None,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> int | None:
        """Declare an integer in ``[min_value, max_value]``; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            full = self._full_name(name)
            return cast("int | None", self._retrieve(
                Int(full, min_value, max_value, step, sampling, default, self._conditions)
            ))

    def Float(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        min_value: float,
        max_value: float,
        step: float | None = None,
        sampling: str = "linear",
        default: float | None = None,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> float | None:
        """Declare a float in ``[min_value, max_value]``; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            full = self._full_name(name)
            return cast("float | None", self._retrieve(
                Float(full, min_value, max_value, step, sampling, default, self._conditions)
            ))

    def Choice(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        values: Sequence[JSONScalar],
        ordered: bool | None = None,
        default: JSONScalar = None,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> Any:
        """Declare a choice among ``values``; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            full = self._full_name(name)
            return self._retrieve(Choice(full, values, ordered, default, self._conditions))

    def Boolean(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        default: bool = False,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> bool | None:
        """Declare a boolean; return its value (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            return cast("bool | None", self._retrieve(
                Boolean(self._full_name(name), default, self._conditions)))

    def Fixed(  # noqa: N802 - keras-tuner's public name
        self,
        name: str,
        value: JSONScalar,
        parent_name: str | None = None,
        parent_values: Any = None,
    ) -> Any:
        """Declare a value that is never tuned; return it (None if inactive)."""
        with self._maybe_conditional_scope(parent_name, parent_values):
            return self._retrieve(Fixed(self._full_name(name), value, self._conditions))

    # --- scopes ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def name_scope(self, name: str) -> Iterator[None]:
        """Prefix the names declared inside with ``name + "/"`` (nestable)."""
        if not isinstance(name, str) or not name:
            raise SearchSpaceError(f"name_scope: name must be a non-empty str, got {name!r}.")
        self._scopes.append(name)
        try:
            yield
        finally:
            self._scopes.pop()

    @contextlib.contextmanager
    def conditional_scope(self, parent_name: str, parent_values: Any) -> Iterator[None]:
        """Make the hyperparameters declared inside active only when ``parent_name`` has one of
        ``parent_values`` (a value or a list). Nestable: all enclosing conditions apply."""
        parent = self._lookup(parent_name)
        if parent not in self._by_name:
            raise SearchSpaceError(
                f"conditional_scope: parent hyperparameter {self._full_name(parent_name)!r} is "
                "not defined; declare it before opening a scope that depends on it."
            )
        self._conditions.append(Condition(parent, parent_values))
        try:
            yield
        finally:
            self._conditions.pop()

    @contextlib.contextmanager
    def _maybe_conditional_scope(
        self, parent_name: str | None, parent_values: Any
    ) -> Iterator[None]:
        if parent_name is None and parent_values is None:
            yield
            return
        if parent_name is None or parent_values is None:
            raise SearchSpaceError(
                "parent_name and parent_values must be given together, got "
                f"parent_name={parent_name!r}, parent_values={parent_values!r}."
            )
        with self.conditional_scope(parent_name, parent_values):
            yield

    # --- reading -----------------------------------------------------------------------------
    @property
    def space(self) -> list[HyperParameter]:
        """The declared hyperparameters, in declaration order (a new list)."""
        return list(self._space)

    @property
    def values(self) -> MutableMapping[str, Any]:
        """Live ``dict`` of the active values (``json.dumps`` works, as with keras-tuner's plain
        dict); ``hp.values[name] = v`` sets a value."""
        return ValuesView(self._active_values, self._set_value, self._reset_value)

    @values.setter
    def values(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def get(self, name: str) -> Any:
        """The value of an active hyperparameter.

        Raises:
            ValueError: ``name`` is declared but inactive.
            KeyError: ``name`` is unknown.
        """
        key = self._lookup(name)
        active = self._active_values()
        if key in active:
            return active[key]
        if key in self._by_name:
            raise ValueError(f"{key} is currently inactive.")
        raise KeyError(f"{key} does not exist.")

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._lookup(name) in self._active_values()

    def is_active(self, hyperparameter: str | HyperParameter) -> bool:
        """Whether a hyperparameter (object, or any entry of a name) is active."""
        active = self._active_values()
        if isinstance(hyperparameter, HyperParameter):
            return all(c.is_active(active) for c in hyperparameter.conditions)
        return self._lookup(str(hyperparameter)) in active

    # --- copying and combining -------------------------------------------------------------
    def copy(self) -> HyperParameters:
        """An independent copy (space and values; hyperparameter objects are immutable)."""
        new = type(self)()
        new._space = list(self._space)
        new._by_name = {name: list(entries) for name, entries in self._by_name.items()}
        new._values = dict(self._values)
        new._pinned = set(self._pinned)
        new._closed = self._closed
        return new

    def clone_with_values(self, values: Mapping[str, Any]) -> HyperParameters:
        """A copy with the same space and ``values`` (every other hyperparameter: its default)."""
        new = self.copy()
        new._values = {name: entries[0].default for name, entries in self._by_name.items()}
        new._values.update(values)
        return new

    def merge(
        self, hps: HyperParameters | Iterable[HyperParameter], overwrite: bool = True
    ) -> None:
        """Add the hyperparameters of ``hps`` (a ``HyperParameters`` or a list).

        With ``overwrite=True`` the incoming definitions (and, from a ``HyperParameters``, its
        values) replace existing ones of the same name and conditions; with ``overwrite=False``
        existing entries are kept and only new names or conditions are added (a conflicting
        definition under the same conditions raises).
        """
        incoming = hps._space if isinstance(hps, HyperParameters) else list(hps)
        other_values = hps._values if isinstance(hps, HyperParameters) else {}
        for p in incoming:
            if not isinstance(p, HyperParameter):
                raise SearchSpaceError(f"merge: expected HyperParameter objects, got {p!r}.")
            existing = self._by_name.get(p.name, [])
            is_new = not existing
            same = next((e for e in existing if e.conditions == p.conditions), None)
            if isinstance(existing[0] if existing else None, Fixed) and same is None:
                same = existing[0]  # a pin stands for every condition
            if overwrite and same is not None and not same.same_definition(p):
                self._space = [p.with_conditions(same.conditions) if e is same else e
                               for e in self._space]
                self._reindex()
                self._values[p.name] = p.default
            if not overwrite and existing and isinstance(existing[0], Fixed):
                continue
            self._retrieve(p)
            if p.name in other_values and (overwrite or is_new):
                self._values[p.name] = other_values[p.name]
        for name, value in other_values.items():
            if name not in (hps._by_name if isinstance(hps, HyperParameters) else ()) and (
                    overwrite or name not in self._values):
                self._values[name] = value

    def __eq__(self, other: object) -> bool:
        """The same definitions in the same order, and the same values (keras-tuner code
        compares a tuner's space with the one it was given: ``oracle.hyperparameters == hp``)."""
        if not isinstance(other, HyperParameters):
            return NotImplemented
        return self._space == other._space and self._values == other._values

    __hash__ = None  # type: ignore[assignment]  # mutable: compared by value

    # --- serialisation -------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """JSON dict with the ``space`` (hyperparameter configs) and every set ``values``."""
        config = {
            "space": [p.get_typed_config() for p in self._space],
            "values": plain_json(self._values),
        }
        if self._pinned:
            config["pinned"] = sorted(self._pinned)
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HyperParameters:
        """Rebuild from :meth:`get_config` output (keras-tuner's format is accepted too)."""
        hp = cls()
        for item in config.get("space", ()):
            hp._retrieve(hyperparameter_from_config(item))
        hp._values.update(config.get("values", {}))
        hp._pinned = set(config.get("pinned", ()))
        return hp

    def to_json(self) -> str:
        """:meth:`get_config` as JSON text (exact round trip through :meth:`from_json`)."""
        return json.dumps(self.get_config(), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> HyperParameters:
        """Rebuild from :meth:`to_json` output."""
        return cls.from_config(json.loads(text))

    def __repr__(self) -> str:
        return f"HyperParameters(space={self._space!r}, values={self._active_values()!r})"

    # --- internals -----------------------------------------------------------------------------
    def _close(self) -> HyperParameters:
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

    def _full_name(self, name: str) -> str:
        if not isinstance(name, str) or not name:
            raise SearchSpaceError(f"name must be a non-empty str, got {name!r}.")
        return "/".join([*self._scopes, name])

    def _lookup(self, name: str) -> str:
        """The scoped name if it is known, else ``name`` as given."""
        if not self._scopes or not isinstance(name, str):
            return name
        full = "/".join([*self._scopes, name])
        return full if (full in self._by_name or full in self._values) else name

    def _set_value(self, name: str, value: Any) -> None:
        self._values[name] = value

    def _reset_value(self, name: str) -> None:
        if name not in self._values:
            raise KeyError(name)
        if name in self._by_name:
            self._values[name] = self._by_name[name][0].default
        else:
            del self._values[name]

    def _reindex(self) -> None:
        self._by_name = {}
        for p in self._space:
            self._by_name.setdefault(p.name, []).append(p)

    def _active_values(self) -> dict[str, Any]:
        active: dict[str, Any] = {}
        for p in self._space:
            if p.name not in active and all(c.is_active(active) for c in p.conditions):
                active[p.name] = self._values.get(p.name, p.default)
        for name, value in self._values.items():
            if name not in self._by_name:
                active[name] = value
        return active

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
            raise SearchSpaceError(
                f"Hyperparameter {new.name!r} is already defined as {entry!r}; it cannot "
                f"be redefined as {new!r} under the same conditions. Use the same arguments, "
                "another name (for example inside hp.name_scope(...)), or a conditional_scope."
            )
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
        active = self._active_values()
        if not all(c.is_active(active) for c in entry.conditions):
            return None
        value = self._values.get(entry.name, entry.default)
        if len(self._by_name[entry.name]) > 1 and not _accepts(entry, value):
            value = self._values[entry.name] = entry.default  # the value of another definition
        return value


def _accepts(hp: HyperParameter, value: Any) -> bool:
    """Whether ``value`` is one ``hp`` can take (its range or its values; steps not checked)."""
    low, high = getattr(hp, "min_value", None), getattr(hp, "max_value", None)
    if low is not None and high is not None:
        return isinstance(value, (int, float)) and low <= value <= high
    values = getattr(hp, "values", None)
    return values is None or value in values
