"""``HyperEfficientNet``: which EfficientNet (B0-B7), its pooling, dropout and learning rate.

The network is ``keras.applications``' EfficientNet (Tan & Le 2019), built with
``weights=None`` by default, so nothing downloads: every trial trains from scratch unless
``weights="imagenet"`` (or a weights file) is passed. Images are resized to the size each
version was designed for, as keras-tuner 1.4 does.
"""

from __future__ import annotations

from typing import Any

from rung.applications._common import check_classes, check_input, model_input
from rung.hypermodel import HyperModel
from rung.hyperparameters import HyperParameters
from rung.integrations.keras._imports import import_keras
from rung.validation import fail_type

__all__ = ["HyperEfficientNet"]

IMAGE_SIZES = {"B0": 224, "B1": 240, "B2": 260, "B3": 300, "B4": 380, "B5": 456, "B6": 528,
               "B7": 600}  # the resolution each version was scaled for (the paper's Table 1)


class HyperEfficientNet(HyperModel):
    """An EfficientNet hypermodel for images; the model outputs class probabilities (one-hot).

    Args:
        input_shape: the shape of one image, e.g. ``(32, 32, 3)``; or give ``input_tensor``.
        input_tensor: a ``keras.Input`` to build the model on.
        classes: the number of classes (required).
        augmentation_model: a ``keras.Model`` or a hypermodel (built with the same ``hp``)
            applied to the images first; its hyperparameters are tuned with the network's.
        weights: ``None`` (random initialisation, the default: nothing downloads),
            ``"imagenet"`` or the path of a weights file, passed to ``keras.applications``.
        **kwargs: ``name`` and ``tunable``, as for ``rung.HyperModel``.

    Override ``_compile(model, hp)`` to change the optimizer or loss (the default: SGD with
    momentum 0.1 and a tuned ``learning_rate``, categorical cross-entropy, accuracy).

    Example::

        hypermodel = kt.applications.HyperEfficientNet(input_shape=(32, 32, 3), classes=10)
        tuner = kt.RandomSearch(hypermodel, objective="val_accuracy", max_trials=8)
    """

    def __init__(self, input_shape: tuple[int | None, ...] | None = None,
                 input_tensor: Any = None, classes: int | None = None,
                 augmentation_model: Any = None, weights: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if augmentation_model is not None and not _is_layer(augmentation_model) and not callable(
                getattr(augmentation_model, "build", None)):
            raise fail_type("augmentation_model", "a keras.Model, a hypermodel or None",
                            augmentation_model)
        if weights is not None and not isinstance(weights, str):
            raise fail_type("weights", 'None, "imagenet" or the path of a weights file', weights)
        self.classes = check_classes(classes)
        self.input_shape = check_input(input_shape, input_tensor)
        self.input_tensor = input_tensor
        self.augmentation_model = augmentation_model
        self.weights = weights

    def build(self, hp: HyperParameters) -> Any:
        keras = import_keras()
        layers = keras.layers
        inputs, x = model_input(self.input_shape, self.input_tensor)
        if self.augmentation_model is not None:
            augment = self.augmentation_model
            x = (augment if _is_layer(augment) else augment.build(hp))(x)
        version = hp.Choice("version", list(IMAGE_SIZES), default="B0")
        size = IMAGE_SIZES[version]
        x = layers.Resizing(size, size, interpolation="bilinear")(x)
        network = getattr(keras.applications, f"EfficientNet{version}")(
            include_top=False, weights=self.weights, input_tensor=x)
        x = network.output
        pooling = hp.Choice("pooling", ["avg", "max"], default="avg")
        pool = layers.GlobalAveragePooling2D if pooling == "avg" else layers.GlobalMaxPooling2D
        x = pool(name=f"{pooling}_pool")(x)
        x = layers.Dropout(hp.Float("top_dropout_rate", 0.2, 0.8, step=0.2, default=0.2),
                           name="top_dropout")(x)
        outputs = layers.Dense(self.classes, activation="softmax", name="probs")(x)
        model = keras.Model(inputs, outputs, name="EfficientNet")
        self._compile(model, hp)
        return model

    def _compile(self, model: Any, hp: HyperParameters) -> None:
        """Compile ``model``; override to tune another optimizer or loss."""
        keras = import_keras()
        learning_rate = hp.Choice("learning_rate", [0.1, 0.01, 0.001], default=0.01)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.1),
                      loss="categorical_crossentropy", metrics=["accuracy"])


def _is_layer(value: object) -> bool:
    """A Keras layer or model (applied as it is), as opposed to a hypermodel (built first)."""
    return isinstance(value, import_keras().layers.Layer)
