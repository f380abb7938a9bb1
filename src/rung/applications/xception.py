"""``HyperXception``: an Xception-style network of depthwise-separable residual blocks, tuned.

The search space is keras-tuner 1.4's: ``activation`` (``relu`` with batch normalisation, or
``selu``, self-normalising: Klambauer et al. 2017), the entry convolution
(``conv2d_num_filters``, ``kernel_size``, ``initial_strides``), the width and number of the
middle blocks (``sep_num_filters``, ``num_residual_blocks``; Chollet 2017, "Xception"),
``pooling``, and the classifier (``num_dense_layers``, ``dropout_rate``, ``dense_use_bn``,
``learning_rate``). ``keras.applications.Xception`` has a fixed shape, so the blocks are built
here from ``keras.layers``; no weights are loaded.
"""

from __future__ import annotations

from typing import Any

from rung.applications._common import ImageHyperModel, channel_axis, declared, model_input
from rung.hyperparameters import HyperParameters
from rung.integrations.keras._imports import import_keras

__all__ = ["HyperXception"]


class HyperXception(ImageHyperModel):
    """An Xception hypermodel for images; the model outputs class probabilities (one-hot labels).

    Args:
        include_top: end in the tuned classifier and compile the model; without it the model
            returns the pooled features and is not compiled.
        input_shape: the shape of one image, e.g. ``(32, 32, 3)``; or give ``input_tensor``.
        input_tensor: a ``keras.Input`` to build the model on.
        classes: the number of classes (required with ``include_top``).
        **kwargs: ``name`` and ``tunable``, as for ``rung.HyperModel``.

    Example::

        hypermodel = kt.applications.HyperXception(input_shape=(64, 64, 3), classes=5)
        tuner = kt.Hyperband(hypermodel, objective="val_accuracy", max_epochs=9)
    """

    def build(self, hp: HyperParameters) -> Any:
        keras = import_keras()
        layers = keras.layers
        activation = hp.Choice("activation", ["relu", "selu"])
        inputs, x = model_input(self.input_shape, self.input_tensor)
        filters = hp.Choice("conv2d_num_filters", [32, 64, 128], default=64)
        kernel = hp.Choice("kernel_size", [3, 5])
        strides = hp.Choice("initial_strides", [2])
        x = _unit(layers, layers.Conv2D(filters, kernel, strides=strides, padding="same",
                                        **_weights(activation)), x, activation)
        width = declared(hp.Int("sep_num_filters", 128, 768, step=128, default=256))
        for _ in range(declared(hp.Int("num_residual_blocks", 2, 8, default=4))):
            x = _residual(layers, x, width, activation, downsample=False)
        x = _residual(layers, x, 2 * width, activation, downsample=True)  # exit flow
        pooling = hp.Choice("pooling", ["avg", "flatten", "max"])
        pool = {"avg": layers.GlobalAveragePooling2D, "flatten": layers.Flatten,
                "max": layers.GlobalMaxPooling2D}[pooling]
        x = pool()(x)
        if not self.include_top:
            return keras.Model(inputs, x, name="Xception")
        dense_layers = declared(hp.Int("num_dense_layers", 1, 3))
        dropout = hp.Float("dropout_rate", 0.0, 0.6, step=0.1, default=0.5)
        batchnorm = hp.Choice("dense_use_bn", [True, False])
        for _ in range(dense_layers):  # hidden layers as wide as the output, as in keras-tuner
            x = _unit(layers, layers.Dense(self.classes, **_weights(activation, batchnorm)), x,
                      activation, batchnorm=batchnorm)
            if dropout:
                x = layers.Dropout(dropout)(x)
        outputs = layers.Dense(self.classes, activation="softmax")(x)
        model = keras.Model(inputs, outputs, name="Xception")
        learning_rate = hp.Choice("learning_rate", [1e-3, 1e-4, 1e-5])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                      loss="categorical_crossentropy", metrics=["accuracy"])
        return model


def _weights(activation: str, batchnorm: bool = True) -> dict[str, Any]:
    """selu layers carry their activation and LeCun-normal weights; a relu layer followed by
    batch normalisation has no bias (the normalisation's offset replaces it), one without keeps
    its bias."""
    if activation == "selu":
        return {"activation": "selu", "kernel_initializer": "lecun_normal"}
    return {"use_bias": not batchnorm}


def _unit(layers: Any, layer: Any, x: Any, activation: str, batchnorm: bool = True) -> Any:
    """``layer``, then (for relu) batch normalisation and the activation."""
    x = layer(x)
    if activation == "selu":
        return x
    if batchnorm:
        x = layers.BatchNormalization()(x)
    return layers.Activation("relu")(x)


def _separable(layers: Any, x: Any, width: int, activation: str) -> Any:
    weights = _weights(activation)
    if activation == "selu":
        weights = {"activation": "selu", "depthwise_initializer": "lecun_normal",
                   "pointwise_initializer": "lecun_normal"}
    return _unit(layers, layers.SeparableConv2D(width, 3, padding="same", **weights), x,
                 activation)


def _residual(layers: Any, x: Any, width: int, activation: str, downsample: bool) -> Any:
    """Two separable convolutions plus a shortcut (a 1x1 convolution when the shape changes)."""
    shortcut = x
    if downsample:
        shortcut = layers.Conv2D(width, 1, strides=2, padding="same")(x)
    elif x.shape[channel_axis()] != width:
        shortcut = layers.Conv2D(width, 1, padding="same")(x)
    y = _separable(layers, x, width, activation)
    y = _separable(layers, y, width, activation)
    if downsample:
        y = layers.MaxPooling2D(3, strides=2, padding="same")(y)
    return layers.add([y, shortcut])
