"""The hyperparameter base class (conditions: ``condition``; JSON values and the canonical key
of a configuration: ``_json_values``; both re-exported here).

Every hyperparameter is an immutable description of a set of values:

* ``random_sample(rng)`` draws a value (all randomness comes from the given generator; an int
  seed or None also work, as in keras-tuner);
* ``to_unit(value)`` / ``from_unit(u)`` embed values into ``[0, 1]``: continuous kinds use the
  sampling's warp, discrete kinds split the interval into equal-width bins, one per grid value,
  and ``to_unit`` returns the centre of the value's bin, so ``from_unit(to_unit(v)) == v`` for
  every grid value;
* ``grid_values()`` lists the values in order, or returns ``None`` for a continuous range;
  ``grid_size()`` counts them without listing them (an ``Int`` may hold 2**64 values, and
  ``grid_values()`` refuses to list more than ``MAX_GRID_VALUES``);
* ``get_config()`` / ``from_config(config)`` round-trip through JSON; ``get_config()`` holds the
  constructor's arguments (``Choice(**choice.get_config())``), ``get_typed_config()`` adds the
  kind (``HyperParameter.from_config`` reads either that or an older ``"class"`` key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters._json_values import JSONScalar, plain_json, to_json_scalar, values_key
from rung.hyperparameters.condition import Condition

__all__ = [
    "MAX_GRID_VALUES",
    "Condition",
    "HyperParameter",
    "JSONScalar",
    "plain_json",
    "to_json_scalar",
    "values_key",
]

MAX_GRID_VALUES = 1_000_000
"""The most values ``grid_values()`` lists (about 40 MB of Python ints); a wider range is
sampled and modelled without being listed, and refused by grid search."""

_REGISTRY: dict[str, type[HyperParameter]] = {}


class HyperParameter:
    """Base class of every hyperparameter kind (``Int``, ``Float``, ``Choice``, ...).

    Instances are immutable. Subclasses implement :meth:`_sample`, :meth:`to_unit`,
    :meth:`from_unit`, :meth:`grid_values`, :meth:`_definition` (the arguments that define the
    set of values, without ``name`` and ``conditions``) and ``default``. The base class itself
    can be instantiated, as in keras-tuner: it holds one value, its ``default``.

    Args:
        name: The hyperparameter's full name (name scopes included).
        default: The default value (the base class's only value; subclasses set their own).
        conditions: The conditions under which it is active (all must hold).
    """

    def __init__(
        self, name: str, default: JSONScalar = None, conditions: Iterable[Condition] = ()
    ) -> None:
        if not isinstance(name, str):
            raise SearchSpaceTypeError(
                f"{type(self).__name__}: name must be a non-empty str, got {name!r} of type "
                f"{type(name).__name__}."
            )
        if not name:
            raise SearchSpaceError(
                f"{type(self).__name__}: name must be a non-empty str, got {name!r}."
            )
        self._name = name
        conds = []
        for cond in conditions:
            if isinstance(cond, Mapping):
                cond = Condition.from_config(cond)
            if not isinstance(cond, Condition):
                raise SearchSpaceTypeError(
                    f"{type(self).__name__} {name!r}: conditions must hold Condition objects, "
                    f"got {cond!r}."
                )
            conds.append(cond)
        self._conditions = tuple(conds)
        self._default: JSONScalar = to_json_scalar(default, f"HyperParameter {name!r}: default")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__] = cls

    # --- identity --------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The full name (name scopes included)."""
        return self._name

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The conditions that must all hold for this hyperparameter to be active."""
        return self._conditions

    @property
    def default(self) -> JSONScalar:
        """The value used when no other value was set."""
        return self._default

    # --- values ----------------------------------------------------------------------------
    def random_sample(self, seed: np.random.Generator | int | None = None) -> JSONScalar:
        """Draw a value: from the generator given, or a new one seeded with ``seed`` (an int;
        None: fresh entropy), as keras-tuner's ``random_sample(seed=None)``."""
        if seed is None or isinstance(seed, (int, np.integer)):
            return self._sample(np.random.default_rng(seed))
        return self._sample(seed)  # a generator (or anything with its methods)

    def _sample(self, rng: np.random.Generator) -> JSONScalar:
        """Draw a value using only ``rng`` (the base class: its default)."""
        return self.default

    def value_to_prob(self, value: Any) -> float:
        """keras-tuner's name for :meth:`to_unit`."""
        return self.to_unit(value)

    def prob_to_value(self, prob: float) -> JSONScalar:
        """keras-tuner's name for :meth:`from_unit`."""
        return self.from_unit(prob)

    def to_unit(self, value: Any) -> float:
        """Map ``value`` to ``[0, 1]``; the inverse of :meth:`from_unit` on grid values."""
        return 0.5

    def from_unit(self, u: float) -> JSONScalar:
        """Map ``u`` in ``[0, 1]`` (clipped) to a value."""
        return self.default

    def grid_values(self) -> list[JSONScalar] | None:
        """All values in order, or ``None`` when the range is continuous."""
        return [self.default]

    def grid_size(self) -> int | None:
        """How many values ``grid_values()`` lists (``None``: continuous), without listing
        them: what to ask before deciding how to search a hyperparameter."""
        values = self.grid_values()
        return None if values is None else len(values)

    def _definition(self) -> dict[str, Any]:
        """The defining arguments other than ``name`` and ``conditions`` (JSON values)."""
        return {"default": self.default}

    # --- configuration ---------------------------------------------------------------------
    def same_definition(self, other: HyperParameter) -> bool:
        """Whether ``other`` is the same kind with the same arguments (conditions ignored)."""
        return type(self) is type(other) and _dumps(self._definition()) == _dumps(
            other._definition()
        )

    def with_conditions(self, conditions: Iterable[Condition]) -> HyperParameter:
        """Return a copy of this hyperparameter with other conditions."""
        return type(self)(name=self.name, conditions=tuple(conditions), **self._definition())

    def get_config(self) -> dict[str, Any]:
        """Return a JSON dict of the constructor's arguments (``name``, the definition and
        ``conditions``): ``type(hp)(**hp.get_config())`` rebuilds it, as in keras-tuner.
        ``HyperParameters.get_config`` records the kind next to it."""
        return {
            "name": self.name,
            **self._definition(),
            "conditions": [Condition.get_config(c) for c in self.conditions],
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HyperParameter:
        """Rebuild a hyperparameter from :meth:`get_config` output.

        Called on the base class, the kind comes from a ``"class"`` key, or from keras-tuner's
        ``{"class_name": ..., "config": {...}}`` wrapping.
        """
        if "class_name" in config and "config" in config:
            config = {"class": config["class_name"], **config["config"]}
        kwargs = dict(config)
        class_name = kwargs.pop("class", None)
        target: type[HyperParameter] = cls
        if class_name is not None:
            if class_name not in _REGISTRY:
                raise SearchSpaceError(
                    f"Unknown hyperparameter class {class_name!r}; "
                    f"expected one of {sorted(_REGISTRY)}."
                )
            target = _REGISTRY[class_name]
            if not issubclass(target, cls):
                raise SearchSpaceError(
                    f"{cls.__name__}.from_config got a config of class {class_name!r}."
                )
        if target is HyperParameter and set(kwargs) - {"name", "default", "conditions"}:
            raise SearchSpaceError("HyperParameter.from_config needs a 'class' key in the config.")
        kwargs["conditions"] = tuple(Condition.from_config(c) for c in kwargs.get("conditions", ()))
        return target(**kwargs)

    def get_typed_config(self) -> dict[str, Any]:
        """``{"class_name": kind, "config": get_config()}``, keras-tuner's serialised form."""
        return {"class_name": type(self).__name__, "config": self.get_config()}

    # --- dunder ----------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HyperParameter):
            return NotImplemented
        return type(self) is type(other) and _dumps(self.get_config()) == _dumps(other.get_config())

    def __hash__(self) -> int:
        return hash(_dumps(self.get_typed_config()))

    def __repr__(self) -> str:
        """keras-tuner's text: ``Int(name: 'j', min_value: 1, ..., sampling: linear, ...)``."""
        args = [f"name: {self.name!r}"]
        args += [f"{key}: {value}" for key, value in self._definition().items()]
        if self.conditions:
            args.append(f"conditions: {list(self.conditions)!r}")
        return f"{type(self).__name__}({', '.join(args)})"


def _dumps(obj: Any) -> str:
    """Type-exact JSON text (``1``, ``1.0`` and ``true`` differ) used for comparisons."""
    return json.dumps(obj, sort_keys=True)
