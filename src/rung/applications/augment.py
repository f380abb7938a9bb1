"""``HyperImageAugment``: which image augmentations to apply, and how strongly, tuned.

Four transforms (Keras preprocessing layers): ``rotate`` (``RandomRotation``), ``translate_x``
(horizontal ``RandomTranslation``), ``translate_y`` (vertical) and ``contrast``
(``RandomContrast``). Each gets a tuned ``factor_<name>`` in a range the constructor sets. With
``augment_layers=0`` every transform is applied in turn; otherwise a simplified RandAugment
(Cubuk et al. 2020, "RandAugment") stacks ``augment_layers`` (tuned) layers, each applying one
transform per image, drawn uniformly. Like any Keras augmentation, the model changes images only
in training; at inference it returns them unchanged.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from rung.applications._common import check_input, declared, model_input
from rung.hypermodel import HyperModel
from rung.hyperparameters import HyperParameters
from rung.integrations.keras._imports import import_keras
from rung.validation import fail_type, fail_value

__all__ = ["TRANSFORMS", "HyperImageAugment", "RandomTransformLayer", "make_transform"]

TRANSFORMS = ("rotate", "translate_x", "translate_y", "contrast")

keras = import_keras()
_Layer: Any = keras.layers.Layer  # a runtime base class (Keras ships no type information)


def make_transform(name: str, factor: float) -> Any:
    """The Keras layer for transform ``name`` at strength ``factor`` (a fraction in [0, 1])."""
    layers = keras.layers
    if name == "rotate":
        return layers.RandomRotation(factor)
    if name == "translate_x":  # x is the width: a horizontal shift
        return layers.RandomTranslation(height_factor=0.0, width_factor=factor)
    if name == "translate_y":
        return layers.RandomTranslation(height_factor=factor, width_factor=0.0)
    return layers.RandomContrast(factor)


@keras.saving.register_keras_serializable(package="rung")
class RandomTransformLayer(_Layer):
    """Applies one of ``transforms`` to each image in training, drawn uniformly per image.

    A transform whose factor is 0 leaves the images it is drawn for unchanged.
    """

    def __init__(self, transforms: Sequence[str], factors: Sequence[float], seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transforms = list(transforms)
        self.factors = [float(factor) for factor in factors]
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.layers = [make_transform(name, factor) if factor else None
                       for name, factor in zip(self.transforms, self.factors, strict=True)]

    def build(self, input_shape: Any) -> None:
        for layer in self.layers:
            if layer is not None:
                layer.build(input_shape)
        self.built = True

    def call(self, inputs: Any, training: bool = False) -> Any:
        if not training:
            return inputs
        ops = keras.ops
        count = len(self.transforms)
        drawn = keras.random.randint((ops.shape(inputs)[0], 1, 1, 1), 0, count,
                                     seed=self.seed_generator)
        x = inputs
        for index, layer in enumerate(self.layers):
            if layer is not None:
                x = ops.where(ops.equal(drawn, index), layer(x, training=True), x)
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "transforms": self.transforms, "factors": self.factors,
                "seed": self.seed}


class HyperImageAugment(HyperModel):
    """An image augmentation hypermodel: its model maps images to images of the same shape.

    Args:
        input_shape: the shape of one image, e.g. ``(32, 32, 3)`` (``None`` sizes allowed); or
            give ``input_tensor``.
        input_tensor: a ``keras.Input`` to build the model on.
        rotate, translate_x, translate_y, contrast: the range of each transform's factor: a
            number ``f`` (the range ``[0, f]``), a pair ``[low, high]``, or ``None`` to leave the
            transform out. Factors are fractions in ``[0, 1]`` (of a full turn for ``rotate``,
            of the width or height for the translations).
        augment_layers: ``0`` applies every transform in turn; an int ``n`` (the range
            ``[0, n]``) or a pair ``[low, high]`` tunes how many RandAugment layers are stacked.
        **kwargs: ``name`` and ``tunable``, as for ``rung.HyperModel``.

    Example::

        augment = kt.applications.HyperImageAugment(input_shape=(32, 32, 3), contrast=None)
        tuner = kt.RandomSearch(kt.applications.HyperEfficientNet(
            input_shape=(32, 32, 3), classes=10, augmentation_model=augment), ...)
    """

    def __init__(self, input_shape: tuple[int | None, ...] | None = None,
                 input_tensor: Any = None, rotate: Any = 0.5, translate_x: Any = 0.4,
                 translate_y: Any = 0.4, contrast: Any = 0.3, augment_layers: Any = 3,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.input_shape = check_input(input_shape, input_tensor)
        self.input_tensor = input_tensor
        ranges = {"rotate": rotate, "translate_x": translate_x, "translate_y": translate_y,
                  "contrast": contrast}
        self.transforms: list[tuple[str, tuple[float, float]]] = [
            (name, _range(name, given)) for name, given in ranges.items() if given]
        self.augment_layers = _layers_range(augment_layers) if augment_layers else None
        self.model_name = "image_rand_augment" if self.augment_layers else "image_augment"

    def build(self, hp: HyperParameters) -> Any:
        inputs, x = model_input(self.input_shape, self.input_tensor)
        if self.augment_layers is None:
            for name, (low, high) in self.transforms:
                factor = hp.Float(f"factor_{name}", low, high, step=0.05, default=low)
                if factor:
                    x = make_transform(name, factor)(x)
        else:
            low, high = self.augment_layers
            for _ in range(declared(hp.Int("augment_layers", low, high, default=low))):
                factors = [declared(hp.Float(f"factor_{name}", f_low, f_high, default=f_low))
                           for name, (f_low, f_high) in self.transforms]
                x = RandomTransformLayer([name for name, _ in self.transforms], factors)(x)
        return keras.Model(inputs, x, name=self.model_name)


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _range(name: str, given: Any) -> tuple[float, float]:
    """A transform's factor range from a number ``f`` (``[0, f]``) or a pair ``[low, high]``."""
    bounds = (0, given) if _is_number(given) else given
    if not isinstance(bounds, Sequence) or isinstance(bounds, str):
        raise fail_type(name, "int or float, a pair [low, high] of them, or None", given)
    if len(bounds) != 2:
        raise fail_value(name, "a number or a pair [low, high]", given,
                         "a range must not exceed 2 values")
    if not all(_is_number(bound) for bound in bounds):
        raise fail_type(name, "int or float, or a pair of them", given)
    low, high = bounds
    if not 0 <= low <= high <= 1:
        raise fail_value(name, "a factor range with 0 <= low <= high <= 1", given)
    return low, high


def _layers_range(given: Any) -> tuple[int, int]:
    """``augment_layers`` as ``(low, high)`` from ``n`` (``[0, n]``) or a pair."""
    bounds = (0, given) if not isinstance(given, Sequence) else tuple(given)
    if len(bounds) != 2 or not all(isinstance(b, int) and not isinstance(b, bool)
                                   for b in bounds):
        raise fail_type("augment_layers", "int, or a pair [low, high] of ints", given)
    low, high = bounds
    if not 0 <= low <= high:
        raise fail_value("augment_layers", "a range with 0 <= low <= high", given)
    return low, high
