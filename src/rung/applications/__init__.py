"""Ready-made hypermodels for images, keras-tuner's ``kt.applications``: ``HyperResNet``,
``HyperXception``, ``HyperEfficientNet`` and ``HyperImageAugment``.

Each builds a compiled Keras model from its search space; no pretrained weights are downloaded.
Importing this package imports Keras.
"""

from __future__ import annotations

from rung.applications.augment import HyperImageAugment
from rung.applications.efficientnet import HyperEfficientNet
from rung.applications.resnet import HyperResNet
from rung.applications.xception import HyperXception

__all__ = ["HyperEfficientNet", "HyperImageAugment", "HyperResNet", "HyperXception"]
