"""``keras_tuner.engine.hyperparameters.hp_types``: the classes of single hyperparameters."""

from __future__ import annotations

from rung.hyperparameters import Boolean, Choice, Fixed, Float, Int, deserialize, serialize

__all__ = ["ALL_CLASSES", "Boolean", "Choice", "Fixed", "Float", "Int", "deserialize", "serialize"]

ALL_CLASSES = {cls.__name__: cls for cls in (Fixed, Float, Int, Choice, Boolean)}
