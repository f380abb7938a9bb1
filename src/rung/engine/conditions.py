"""``keras_tuner.engine.conditions``: ``Condition`` and keras-tuner's spelling of it, ``Parent``.

``hp.conditional_scope(parent_name, parent_values)`` is how conditions are usually made; these
are for code that builds them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rung.hyperparameters import Condition

__all__ = ["Condition", "Parent"]

_TYPES = (bool, int, float, str)


class Parent(Condition):
    """Active when the hyperparameter ``name`` takes one of ``values`` (keras-tuner's name).

    Example::

        Parent("model", ["cnn"]).is_active({"model": "cnn"})   # True
    """

    def __init__(self, name: str, values: Any) -> None:
        items = list(values) if isinstance(values, Iterable) and not isinstance(values, str) \
            else [values]
        for value in items:
            if not isinstance(value, _TYPES):
                raise TypeError(
                    f"Can contain only int, float, str or bool values in the condition on "
                    f"{name!r}; received {value!r} of type {type(value).__name__}.")
        super().__init__(name, tuple(items))

    @property
    def name(self) -> str:
        """keras-tuner's name for ``parent_name``."""
        return self.parent_name

    def get_config(self) -> dict[str, Any]:
        """keras-tuner's ``Parent.get_config()``: ``{"name": ..., "values": [...]}``
        (``Parent.from_config`` reads it back; a hyperparameter's config wraps it as
        ``{"class_name": "Parent", "config": ...}``)."""
        return {"name": self.parent_name, "values": list(self.values)}
