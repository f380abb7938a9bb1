"""Objectives: which metric a search optimises, and in which direction.

Oracles only ever compare *losses*: :meth:`Objective.loss` turns the metrics a trial reported into a
single float where lower is better and where a non-finite result (NaN, +-inf) becomes ``inf``, so a
diverged trial is never the best one (the oracle records it as failed, see ``is_valid``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rung.errors import ArgumentTypeError, ConfigurationError
from rung.metric_names import infer_direction, unknown_direction
from rung.validation import nearest

__all__ = [
    "MultiObjective",
    "Objective",
    "ObjectiveLike",
    "create_objective",
    "infer_direction",
]

_DIRECTIONS = ("min", "max")

Metrics = float | Mapping[str, Any]


def _to_float(value: Any, objective: str) -> float:
    """``float(value)`` for numbers (Python, NumPy, 0-d arrays/tensors); TypeError otherwise."""
    if isinstance(value, (bool, str, bytes)) or not hasattr(value, "__float__"):
        raise TypeError(
            f"The value of objective {objective!r} must be a number; received {value!r} "
            f"of type {type(value).__name__}."
        )
    try:
        return float(value)
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"The value of objective {objective!r} must be a number; received {value!r}."
        ) from e


@dataclass(frozen=True)
class Objective:
    """A metric to minimise or maximise.

    Args:
        name: the metric's name, as the training function reports it (e.g. ``"val_loss"``).
        direction: ``"min"`` or ``"max"``.

    Example::

        obj = Objective("val_accuracy", direction="max")
        obj.loss({"val_accuracy": 0.9, "loss": 0.3})   # -0.9: lower is better
    """

    name: str
    direction: str

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            kind = ConfigurationError if isinstance(self.name, str) else ArgumentTypeError
            raise kind(
                f"Objective: `name` must be a non-empty string; received {self.name!r}."
            )
        if self.direction not in _DIRECTIONS:
            raise ConfigurationError(
                f"Objective {self.name!r}: `direction` must be 'min' or 'max'; "
                f"received {self.direction!r}."
            )

    def value(self, metrics: Metrics) -> float:
        """The raw objective value in ``metrics`` (a number, or a mapping holding ``name``).

        A bare number *is* the objective value, whatever the objective's name. A mapping without
        ``name`` raises ``ValueError`` listing the keys received.
        """
        if isinstance(metrics, Mapping):
            if self.name not in metrics:
                keys = sorted(map(str, metrics))
                close = nearest(self.name, keys)
                hint = f" (did you mean {close!r}?)" if close else ""
                raise ValueError(
                    f"Objective {self.name!r} is not among the metrics reported by the trial; "
                    f"received keys {keys}. Report {self.name!r}, or "
                    f"choose one of these keys as the objective{hint}."
                )
            return _to_float(metrics[self.name], self.name)
        return _to_float(metrics, self.name)

    def is_valid(self, metrics: Metrics) -> bool:
        """False when the objective value is NaN or infinite (the trial counts as failed)."""
        return math.isfinite(self.value(metrics))

    def loss(self, metrics: Metrics) -> float:
        """The value to minimise: ``value`` for "min", ``-value`` for "max"; ``inf`` if non-finite."""
        value = self.value(metrics)
        if not math.isfinite(value):
            return math.inf
        return value if self.direction == "min" else -value

    # --- keras-tuner's methods ---------------------------------------------------------------
    def has_value(self, logs: Mapping[str, Any]) -> bool:
        """True when ``logs`` (a metrics dict) holds this objective's metric."""
        return self.name in logs

    def get_value(self, logs: Mapping[str, Any]) -> Any:
        """The objective's value in ``logs``, as logged."""
        return logs[self.name]

    def better_than(self, a: float, b: float) -> bool:
        """True when value ``a`` is strictly better than ``b`` in this objective's direction."""
        return a < b if self.direction == "min" else a > b

    def __repr__(self) -> str:
        return f'Objective(name="{self.name}", direction="{self.direction}")'

    __str__ = __repr__

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "direction": self.direction}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Objective:
        return cls(name=config["name"], direction=config["direction"])


@dataclass(frozen=True, eq=False, repr=False)
class MultiObjective:
    """Several objectives folded into one loss, as keras-tuner does.

    The loss is ``sum(minimised values) - sum(maximised values)`` (no weighting); it is ``inf`` as
    soon as one value is NaN or infinite. Its ``name`` is ``"multi_objective"`` and its
    ``direction`` ``"min"``. Metrics must be a mapping holding every objective's name. Two
    multi-objectives are equal when they hold the same objectives, in any order (the sum does not
    depend on it). A name may appear twice with the same direction (it then counts twice, as in
    keras-tuner), not with both.

    Example::

        obj = MultiObjective([Objective("val_loss", "min"), Objective("val_auc", "max")])
        obj.loss({"val_loss": 0.5, "val_auc": 0.75})   # -0.25
    """

    objectives: tuple[Objective, ...]

    name = "multi_objective"
    direction = "min"

    def __init__(self, objectives: Sequence[Objective]) -> None:
        if isinstance(objectives, (str, Objective)) or not isinstance(objectives, Sequence):
            raise ArgumentTypeError(
                f"MultiObjective: `objectives` must be a sequence of Objective; "
                f"received {objectives!r}."
            )
        objectives = tuple(objectives)
        if not objectives:
            raise ConfigurationError("MultiObjective: `objectives` must not be empty.")
        for obj in objectives:
            if not isinstance(obj, Objective):
                raise ArgumentTypeError(
                    f"MultiObjective: every element of `objectives` must be an Objective; "
                    f"received {obj!r}. Use create_objective() to convert metric names."
                )
        directions: dict[str, set[str]] = {}
        for obj in objectives:
            directions.setdefault(obj.name, set()).add(obj.direction)
        clashes = sorted(name for name, seen in directions.items() if len(seen) > 1)
        if clashes:
            raise ConfigurationError(
                f"MultiObjective: an objective name must be unique or repeat the same direction; "
                f"{clashes} is both minimised and maximised."
            )
        object.__setattr__(self, "objectives", objectives)

    def _signed(self, metrics: Metrics) -> list[float]:
        """Each objective's value, negated for the maximised ones."""
        if not isinstance(metrics, Mapping):
            raise TypeError(
                f"A multi-objective search needs the trial to report a mapping with keys "
                f"{[obj.name for obj in self.objectives]}; received {metrics!r}."
            )
        return [
            obj.value(metrics) * (1 if obj.direction == "min" else -1) for obj in self.objectives
        ]

    def value(self, metrics: Metrics) -> float:
        """``sum(minimised) - sum(maximised)`` of the raw values (may be NaN or infinite)."""
        return sum(self._signed(metrics))

    def is_valid(self, metrics: Metrics) -> bool:
        """False when any objective value is NaN or infinite."""
        return all(math.isfinite(v) for v in self._signed(metrics))

    def loss(self, metrics: Metrics) -> float:
        """The value to minimise (``value``), or ``inf`` when any objective is non-finite."""
        signed = self._signed(metrics)
        if not all(math.isfinite(v) for v in signed):
            return math.inf
        return math.fsum(signed)

    # --- keras-tuner's methods ---------------------------------------------------------------
    def has_value(self, logs: Mapping[str, Any]) -> bool:
        """True when ``logs`` holds every objective's metric."""
        return all(obj.name in logs for obj in self.objectives)

    def get_value(self, logs: Mapping[str, Any]) -> float:
        """``sum(minimised) - sum(maximised)`` of the values in ``logs``."""
        return self.value(logs)

    def better_than(self, a: float, b: float) -> bool:
        """True when ``a`` is strictly lower than ``b`` (the combined value is minimised)."""
        return a < b

    def _key(self) -> list[tuple[str, str]]:
        return sorted((obj.name, obj.direction) for obj in self.objectives)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MultiObjective):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(tuple(self._key()))

    def __repr__(self) -> str:
        inner = ", ".join(repr(obj) for obj in self.objectives)
        return f'MultiObjective(name="{self.name}", direction="{self.direction}"): [{inner}]'

    __str__ = __repr__

    def get_config(self) -> dict[str, Any]:
        return {"objectives": [obj.get_config() for obj in self.objectives]}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MultiObjective:
        return cls([Objective.from_config(c) for c in config["objectives"]])


ObjectiveLike = None | str | Objective | MultiObjective | Sequence[str | Objective]


def _single(obj: Any) -> Objective:
    if isinstance(obj, Objective):
        return obj
    if isinstance(obj, str):
        direction = infer_direction(obj)
        if direction is None:
            raise ConfigurationError(unknown_direction(obj))
        return Objective(obj, direction)
    raise ArgumentTypeError(
        f"objective {obj!r} (of type {type(obj).__name__}) not understood, expected str or "
        f"Objective: each element of an `objective` list is a metric name or an Objective."
    )


_DIRECTION_WORDS = {"min", "max", "minimize", "maximize", "minimise", "maximise"}


def _refuse_name_and_direction(objective: list[Any] | tuple[Any, ...]) -> None:
    """``("val_acc", "max")`` reads as a metric and its direction (as Optuna's or Ray Tune's
    ``mode=``), but a list is several objectives: say so instead of failing on ``'max'``."""
    if (len(objective) == 2 and all(isinstance(o, str) for o in objective)
            and objective[1].lower() in _DIRECTION_WORDS):
        name, direction = objective
        short = "max" if direction.lower().startswith("max") else "min"
        raise ConfigurationError(
            f"objective={objective!r} is a list of two objectives, {name!r} and {direction!r}; "
            f"for one metric and its direction pass rung.Objective({name!r}, {short!r})")


def create_objective(objective: ObjectiveLike) -> Objective | MultiObjective:
    """Turn the ``objective`` argument of a tuner or oracle into an objective.

    - ``None``: ``Objective("default_objective", "min")``, as in keras-tuner; the training
      function must then return a number, or a dict with the key ``"default_objective"``.
    - a metric name: its direction is inferred (:func:`infer_direction`); ``ValueError`` if
      unknown.
    - an :class:`Objective` or :class:`MultiObjective`: returned as is.
    - a list or tuple of names/objectives: a :class:`MultiObjective` (one element: that objective).
    """
    if objective is None:
        return Objective("default_objective", "min")
    if isinstance(objective, (Objective, MultiObjective)):
        return objective
    if isinstance(objective, str):
        if not objective:
            raise ConfigurationError("`objective` must be a non-empty metric name; received ''.")
        return _single(objective)
    if isinstance(objective, (list, tuple)):
        if not objective:
            raise ConfigurationError(
                "`objective` must not be an empty list; pass a metric name, an Objective, "
                "or a list of them."
            )
        _refuse_name_and_direction(objective)
        objectives = [_single(o) for o in objective]
        return objectives[0] if len(objectives) == 1 else MultiObjective(objectives)
    raise ArgumentTypeError(
        f"`objective` must be None, a metric name, an Objective, or a list of them; "
        f"received {objective!r} of type {type(objective).__name__}."
    )
