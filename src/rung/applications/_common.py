"""What the image hypermodels share: their input arguments, checked once, and the model's input.

keras-tuner's image hypermodels take ``input_shape`` or ``input_tensor`` (one is required) and,
when they end in a classifier, ``classes``. The checks run in the constructor, before any build.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from rung.hypermodel import HyperModel
from rung.integrations.keras._imports import import_keras
from rung.validation import check_bool, check_int, fail_type, fail_value

__all__ = ["ImageHyperModel", "channel_axis", "check_classes", "check_input", "declared",
           "model_input"]

T = TypeVar("T")


def check_input(input_shape: object, input_tensor: object) -> tuple[int | None, ...] | None:
    """``input_shape`` as a tuple; one of the two must be given."""
    if input_shape is None and input_tensor is None:
        raise fail_value("input_shape", "a shape tuple such as (32, 32, 3)", input_shape,
                         "you must specify input_shape or input_tensor (a keras.Input)")
    if input_shape is None:
        return None
    if not isinstance(input_shape, Sequence) or isinstance(input_shape, str) or not all(
            size is None or check_int("input_shape", size, minimum=1) for size in input_shape):
        raise fail_type("input_shape", "a tuple of positive ints (or None)", input_shape)
    return tuple(input_shape)


def check_classes(classes: object, include_top: object = True) -> int | None:
    """``classes`` as an int; required when the model ends in a classifier."""
    if classes is None:
        if check_bool("include_top", include_top):
            raise fail_value("classes", "the number of classes (an int >= 1)", classes,
                             "you must specify classes when include_top=True")
        return None
    return check_int("classes", classes, minimum=1)


def channel_axis() -> int:
    """The channel axis of images under Keras' ``image_data_format``."""
    return -1 if import_keras().backend.image_data_format() == "channels_last" else 1


def model_input(input_shape: tuple[int | None, ...] | None, input_tensor: Any) -> tuple[Any, Any]:
    """``(model inputs, first tensor)``: a fresh ``keras.Input`` per build, or the given tensor."""
    keras = import_keras()
    if input_tensor is not None:
        return keras.utils.get_source_inputs(input_tensor), input_tensor
    inputs = keras.Input(shape=input_shape)
    return inputs, inputs


def declared(value: T | None) -> T:
    """A value ``hp`` returned for a hyperparameter declared outside any conditional scope."""
    if value is None:
        raise AssertionError("a hyperparameter declared outside conditions is always active")
    return value


class ImageHyperModel(HyperModel):
    """What ``HyperResNet`` and ``HyperXception`` share: keras-tuner's image arguments, checked.

    Args:
        include_top: end in a classifier and compile the model; without it the model returns
            the pooled features and is not compiled.
        input_shape: the shape of one image, e.g. ``(32, 32, 3)``; or give ``input_tensor``.
        input_tensor: a ``keras.Input`` to build the model on.
        classes: the number of classes (required with ``include_top``).
        **kwargs: ``name`` and ``tunable``, as for ``rung.HyperModel``.
    """

    def __init__(self, include_top: bool = True, input_shape: tuple[int | None, ...] | None = None,
                 input_tensor: Any = None, classes: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.include_top = check_bool("include_top", include_top)
        self.classes = check_classes(classes, include_top)
        self.input_shape = check_input(input_shape, input_tensor)
        self.input_tensor = input_tensor
