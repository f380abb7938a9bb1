"""``Condition``: a hyperparameter is active only for some values of its parent (conditional
scopes, ``hp.conditional_scope``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters._json_values import JSONScalar, to_json_scalar

__all__ = ["Condition"]


@dataclass(frozen=True)
class Condition:
    """A hyperparameter is active only when ``parent_name``'s value is one of ``values``.

    ``values`` may be given as a single value or any iterable; it is stored as a tuple.
    """

    parent_name: str
    values: tuple[JSONScalar, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.parent_name, str):
            raise SearchSpaceTypeError(
                f"Condition: parent_name must be a non-empty str, got {self.parent_name!r} of "
                f"type {type(self.parent_name).__name__}."
            )
        if not self.parent_name:
            raise SearchSpaceError(
                f"Condition: parent_name must be a non-empty str, got {self.parent_name!r}."
            )
        raw = self.values
        items = list(raw) if isinstance(raw, Iterable) and not isinstance(raw, str) else [raw]
        if not items:
            raise SearchSpaceError(
                f"Condition on {self.parent_name!r}: parent_values must not be empty."
            )
        cleaned = tuple(
            to_json_scalar(v, f"Condition on {self.parent_name!r}: parent_values[{i}]")
            for i, v in enumerate(items)
        )
        object.__setattr__(self, "values", cleaned)

    def is_active(self, values: Mapping[str, Any]) -> bool:
        """Whether the parent is present in ``values`` (active values) with an accepted value."""
        if self.parent_name not in values:
            return False
        return values[self.parent_name] in self.values

    def get_config(self) -> dict[str, Any]:
        """A JSON-serialisable dict in keras-tuner's form, ``{"class_name": "Parent", "config":
        {"name": ..., "values": [...]}}``, so that keras-tuner reads a space rung saved."""
        return {"class_name": "Parent",
                "config": {"name": self.parent_name, "values": list(self.values)}}

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Condition:
        """Rebuild a condition from :meth:`get_config` output (keras-tuner's form), from
        keras-tuner's ``Parent.get_config()`` (``{"name": ..., "values": [...]}``) or from
        rung's older ``{"parent_name": ..., "values": [...]}``."""
        if "config" in config:
            config = config["config"]
        name = config["name"] if "name" in config else config["parent_name"]
        return cls(name, tuple(config["values"]))
