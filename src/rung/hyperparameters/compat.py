"""Reading hyperparameter configs written by rung or by keras-tuner (``{class_name, config}``)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters.base import Condition, HyperParameter
from rung.hyperparameters.discrete import Boolean, Choice, Fixed
from rung.hyperparameters.numeric import Float, Int

__all__ = ["deserialize", "hyperparameter_from_config", "serialize"]

_KINDS: dict[str, type[HyperParameter]] = {
    cls.__name__: cls for cls in (Int, Float, Choice, Boolean, Fixed)
}


def hyperparameter_from_config(item: Mapping[str, Any]) -> HyperParameter:
    """Build a hyperparameter from rung's config or keras-tuner's ``{class_name, config}``."""
    if not isinstance(item, Mapping):
        raise SearchSpaceTypeError(
            f"A hyperparameter config must be a dict ({{'class_name': ..., 'config': {{...}}}}), "
            f"got {item!r} of type {type(item).__name__}."
        )
    if "class" in item:  # the format of an older rung
        return HyperParameter.from_config(item)
    kind = _KINDS.get(item.get("class_name", ""))
    if kind is None:
        raise SearchSpaceError(f"Cannot read hyperparameter config {dict(item)!r}.")
    config = dict(item.get("config", {}))
    conditions = [Condition.from_config(c) for c in config.pop("conditions", ())]
    accepted = inspect.signature(kind.__init__).parameters
    kwargs = {k: v for k, v in config.items() if k in accepted and k != "self"}
    required = [n for n, p in accepted.items() if n not in ("self", "conditions")
                and p.default is inspect.Parameter.empty]
    missing = [n for n in required if n not in kwargs]
    if missing:
        raise SearchSpaceError(
            f"Hyperparameter config {dict(item)!r} lacks {', '.join(map(repr, missing))}: "
            f"{kind.__name__}(...) needs {', '.join(map(repr, required))}.")
    return kind(conditions=conditions, **kwargs)


def serialize(obj: Any) -> dict[str, Any]:
    """keras-tuner's ``serialize``: ``{"class_name": kind, "config": obj.get_config()}`` of a
    hyperparameter or a ``HyperParameters``."""
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def deserialize(config: Mapping[str, Any]) -> Any:
    """The inverse of :func:`serialize` (keras-tuner's ``deserialize``)."""
    if config.get("class_name") == "HyperParameters":
        from rung.hyperparameters.space import HyperParameters

        return HyperParameters.from_config(config["config"])
    return hyperparameter_from_config(config)
