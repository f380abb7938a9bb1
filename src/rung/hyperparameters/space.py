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

import json
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import numpy as np

from rung.errors import SearchSpaceTypeError
from rung.hyperparameters._declaring import DeclaringMethods
from rung.hyperparameters._registry import DefinitionRegistry
from rung.hyperparameters.base import Condition, HyperParameter, plain_json
from rung.hyperparameters.compat import hyperparameter_from_config
from rung.hyperparameters.discrete import Fixed
from rung.hyperparameters.values_view import ValuesView
from rung.validation import format_message

__all__ = ["HyperParameters"]


class HyperParameters(DeclaringMethods, DefinitionRegistry):
    """A search space (the declared hyperparameters) and one value per hyperparameter.

    The declaring methods (``Int``, ``Float``, ``Choice``, ``Boolean``, ``Fixed``),
    ``name_scope`` and ``conditional_scope`` come from ``rung.hyperparameters._declaring``; the
    rules for a name declared again (``_retrieve``, pins, ``_close``) from
    ``rung.hyperparameters._registry``.

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

    def __init__(self) -> None:
        self._space: list[HyperParameter] = []
        self._by_name: dict[str, list[HyperParameter]] = {}
        self._values: dict[str, Any] = {}
        self._scopes: list[str] = []
        self._conditions: list[Condition] = []
        self._pinned: set[str] = set()  # names whose definition stands (see _pin_definitions)
        self._shadowed: dict[str, list[HyperParameter]] = {}  # definitions that lost (_registry)

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
        if not isinstance(values, Mapping):
            raise SearchSpaceTypeError(format_message(
                "HyperParameters.values", "a dict of values by name", values,
                "e.g. hp.values = {'units': 32}"))
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

    def ensure_active_values(self, seed: np.random.Generator | int | None = None) -> None:
        """keras-tuner's: forget the values of inactive hyperparameters, and give each active one
        that has no value (after ``hp.values = {...}``) a random one, drawn with ``seed`` (a
        generator, an int, or None: fresh entropy, as keras-tuner). Parents come first, so a
        child is judged by its parent's value, drawn or not."""
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        active: dict[str, Any] = {}
        for p in self._space:
            if p.name not in active and all(c.is_active(active) for c in p.conditions):
                if p.name not in self._values:
                    self._values[p.name] = p.random_sample(rng)
                active[p.name] = self._values[p.name]
        for name in [n for n in self._values if n in self._by_name and n not in active]:
            del self._values[name]

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
        new._shadowed = {name: list(lost) for name, lost in self.__dict__.get(
            "_shadowed", {}).items()}
        new._closed = self._closed
        new._as_ran = self._as_ran
        return new

    def as_ran(self, values: Mapping[str, Any]) -> HyperParameters:
        """A copy with the same space whose ``values`` are exactly ``values``: a finished
        trial's. A hyperparameter it never had (one a later version of the code declares) stays
        out of ``values`` instead of showing its default, as the trial never used it."""
        new = self.copy()
        new._values = dict(values)
        new._as_ran = True
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
        existing entries and their values are kept, another definition of the same name under
        the same conditions included (keras-tuner skips those), and only new names or conditions
        are added.
        """
        expected = "a HyperParameters or a list of HyperParameter objects"
        if not isinstance(hps, (HyperParameters, Iterable)) or isinstance(hps, (str, Mapping)):
            raise SearchSpaceTypeError(format_message("merge: hps", expected, hps))
        incoming = hps._space if isinstance(hps, HyperParameters) else list(hps)
        other_values = hps._values if isinstance(hps, HyperParameters) else {}
        for i, p in enumerate(incoming):
            if not isinstance(p, HyperParameter):
                raise SearchSpaceTypeError(
                    f"merge: expected HyperParameter objects, got hps[{i}]={p!r} of type "
                    f"{type(p).__name__}.")
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
            if not overwrite and same is not None:
                continue  # kept as it is (a Fixed pin stands for every condition)
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
        expected = "a dict, the output of HyperParameters.get_config()"
        if not isinstance(config, Mapping):
            raise SearchSpaceTypeError(format_message("HyperParameters.from_config: config",
                                                      expected, config))
        space, values = config.get("space", ()), config.get("values", {})
        if not isinstance(space, (list, tuple)):
            raise SearchSpaceTypeError(format_message(
                "HyperParameters.from_config: config['space']", "a list of hyperparameter "
                "configs", space))
        if not isinstance(values, Mapping):
            raise SearchSpaceTypeError(format_message(
                "HyperParameters.from_config: config['values']", "a dict of values by name",
                values))
        hp = cls()
        for item in space:
            hp._retrieve(hyperparameter_from_config(item))
        hp._values.update(values)
        hp._pinned = set(config.get("pinned", ()))
        return hp

    def to_json(self) -> str:
        """:meth:`get_config` as JSON text (exact round trip through :meth:`from_json`)."""
        return json.dumps(self.get_config(), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> HyperParameters:
        """Rebuild from :meth:`to_json` output."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise SearchSpaceTypeError(format_message(
                "HyperParameters.from_json: text", "a str, the output of to_json()", text))
        config = json.loads(text)
        if not isinstance(config, dict):
            raise SearchSpaceTypeError(format_message(
                "HyperParameters.from_json: text", "the JSON text of an object, the output of "
                "to_json()", text))
        return cls.from_config(config)

    def __repr__(self) -> str:
        return f"HyperParameters(space={self._space!r}, values={self._active_values()!r})"

    # --- internals -----------------------------------------------------------------------------
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
            if self._as_ran and p.name not in self._values:
                continue  # not a value of the trial (see as_ran)
            if p.name not in active and all(c.is_active(active) for c in p.conditions):
                active[p.name] = self._values.get(p.name, p.default)
        for name, value in self._values.items():
            if name not in self._by_name:
                active[name] = value
        return active

