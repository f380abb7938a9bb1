"""``HyperResNet``: a ResNet whose version, depth and training settings are tuned.

The search space is keras-tuner 1.4's: ``version`` (``"v1"``, He et al. 2015, "Deep Residual
Learning for Image Recognition"; ``"v2"``, pre-activation blocks, He et al. 2016, "Identity
Mappings in Deep Residual Networks"; ``"next"``, grouped convolutions, Xie et al. 2017, ResNeXt),
the number of blocks of the third and fourth stages (``conv3_depth``, ``conv4_depth``),
``pooling``, ``optimizer`` and ``learning_rate``. ``keras.applications`` builds ResNets of three
fixed depths only, so the stages are assembled here from ``keras.layers``; no weights are loaded.
"""

from __future__ import annotations

from typing import Any

from rung.applications._common import ImageHyperModel, channel_axis, model_input
from rung.hyperparameters import HyperParameters
from rung.integrations.keras._imports import import_keras

__all__ = ["HyperResNet"]

_GROUPS = 32  # ResNeXt's cardinality
_BN_EPSILON = 1.001e-5


class HyperResNet(ImageHyperModel):
    """A ResNet hypermodel for images; the model outputs class probabilities (one-hot labels).

    Args:
        include_top: end in a softmax classifier and compile the model; without it the model
            returns the pooled features and is not compiled.
        input_shape: the shape of one image, e.g. ``(32, 32, 3)``; or give ``input_tensor``.
        input_tensor: a ``keras.Input`` to build the model on.
        classes: the number of classes (required with ``include_top``).
        **kwargs: ``name`` and ``tunable``, as for ``rung.HyperModel``.

    Example::

        tuner = kt.RandomSearch(kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=10),
                                objective="val_accuracy", max_trials=10)
    """

    def build(self, hp: HyperParameters) -> Any:
        keras = import_keras()
        version = hp.Choice("version", ["v1", "v2", "next"], default="v2")
        depths = (3, hp.Choice("conv3_depth", [4, 8]), hp.Choice("conv4_depth", [6, 23, 36]), 3)
        inputs, x = model_input(self.input_shape, self.input_tensor)
        x = _stem(keras.layers, x, version)
        widths = (128, 256, 512, 1024) if version == "next" else (64, 128, 256, 512)
        for stage, (width, blocks) in enumerate(zip(widths, depths, strict=True)):
            for index in range(blocks):
                stride = 2 if stage > 0 and index == 0 else 1
                x = _block(keras.layers, x, version, width, stride, project=index == 0,
                           name=f"stage{stage + 2}_block{index + 1}")
        if version == "v2":  # pre-activation blocks leave the last normalisation to the top
            x = keras.layers.BatchNormalization(axis=channel_axis(), epsilon=_BN_EPSILON,
                                                name="post_bn")(x)
            x = keras.layers.Activation("relu", name="post_relu")(x)
        pooling = hp.Choice("pooling", ["avg", "max"], default="avg")
        pool = (keras.layers.GlobalAveragePooling2D if pooling == "avg"
                else keras.layers.GlobalMaxPooling2D)
        x = pool(name=f"{pooling}_pool")(x)
        if not self.include_top:
            return keras.Model(inputs, x, name="ResNet")
        outputs = keras.layers.Dense(self.classes, activation="softmax", name="probs")(x)
        model = keras.Model(inputs, outputs, name="ResNet")
        optimizer = keras.optimizers.get(
            hp.Choice("optimizer", ["adam", "rmsprop", "sgd"], default="adam"))
        optimizer.learning_rate = hp.Choice("learning_rate", [0.1, 0.01, 0.001], default=0.01)
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
        return model


def _norm_relu(layers: Any, x: Any, name: str) -> Any:
    x = layers.BatchNormalization(axis=channel_axis(), epsilon=_BN_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def _stem(layers: Any, x: Any, version: str) -> Any:
    """7x7/2 convolution and 3x3/2 max pooling (v2 normalises after the blocks instead)."""
    x = layers.ZeroPadding2D(3, name="stem_pad")(x)
    x = layers.Conv2D(64, 7, strides=2, use_bias=version != "next", name="stem_conv")(x)
    if version != "v2":
        x = _norm_relu(layers, x, "stem")
    x = layers.ZeroPadding2D(1, name="pool_pad")(x)
    return layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)


def _block(layers: Any, x: Any, version: str, width: int, stride: int, project: bool,
           name: str) -> Any:
    """A bottleneck block: 1x1 reduce, 3x3 (grouped for ResNeXt), 1x1 expand, plus shortcut.

    The first block of a stage projects the shortcut (1x1 convolution, with the stage's stride).
    """
    out = 2 * width if version == "next" else 4 * width
    groups = _GROUPS if version == "next" else 1
    bias = version == "v1"
    entry = _norm_relu(layers, x, f"{name}_pre") if version == "v2" else x
    shortcut = x
    if project:
        shortcut = layers.Conv2D(out, 1, strides=stride, use_bias=bias, name=f"{name}_proj")(entry)
        if version != "v2":
            shortcut = layers.BatchNormalization(axis=channel_axis(), epsilon=_BN_EPSILON,
                                                 name=f"{name}_proj_bn")(shortcut)
    y = layers.Conv2D(width, 1, use_bias=bias, name=f"{name}_reduce")(entry)
    y = _norm_relu(layers, y, f"{name}_reduce")
    y = layers.Conv2D(width, 3, strides=stride, padding="same", groups=groups, use_bias=bias,
                      name=f"{name}_conv")(y)
    y = _norm_relu(layers, y, f"{name}_conv")
    y = layers.Conv2D(out, 1, use_bias=bias, name=f"{name}_expand")(y)
    if version == "v2":
        return layers.Add(name=f"{name}_add")([shortcut, y])
    y = layers.BatchNormalization(axis=channel_axis(), epsilon=_BN_EPSILON,
                                  name=f"{name}_expand_bn")(y)
    y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)
