"""A ``HyperParameters`` that declares a name before a hypermodel builds: its definition wins
(keras-tuner's "first definition wins"), as the keras-tuner applications' tests rely on."""

from __future__ import annotations

from typing import Any

import keras
import pytest

import rung as kt
from rung.engine import hyperparameters as hp_module


class MLP(kt.HyperModel):
    def build(self, hp: Any) -> keras.Model:
        model = keras.Sequential([
            keras.layers.Input((4,)),
            keras.layers.Dense(hp.Int("units", 8, 64, step=8), activation="relu"),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=hp.Choice("optimizer", ["adam", "sgd"]), loss="mse")
        return model


def test_the_callers_definition_wins() -> None:
    hp = hp_module.HyperParameters()
    hp.Choice("optimizer", ["sgd"])
    hp.Int("units", 2, 4, default=3)
    model = MLP().build(hp)
    assert hp.get("optimizer") == "sgd" and hp.get("units") == 3
    assert model.layers[0].units == 3
    assert [p.name for p in hp.space] == ["optimizer", "units"]  # nothing redefined


def test_hyper_image_augment_override() -> None:
    hp = hp_module.HyperParameters()
    hp.Fixed("factor_rotate", 0.9)
    hp.Choice("factor_translate_x", [0.8])
    kt.applications.HyperImageAugment(input_shape=(8, 8, 3), augment_layers=0).build(hp)
    assert hp.get("factor_rotate") == 0.9
    assert hp.get("factor_translate_x") == 0.8
    assert hp.get("factor_translate_y") == 0.0


def test_hyper_resnet_override() -> None:
    hp = hp_module.HyperParameters()
    hp.Choice("version", ["v1"])
    hp.Fixed("conv3_depth", 10)
    kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=2).build(hp)
    assert hp.get("version") == "v1"
    assert hp.get("conv3_depth") == 10
    assert hp.get("conv4_depth") == 6


def test_two_definitions_inside_one_build_stay_an_error() -> None:
    class Twice(kt.HyperModel):
        def build(self, hp: Any) -> int:
            return hp.Int("units", 1, 3) + hp.Int("units", 1, 5)

    with pytest.raises(ValueError, match="cannot be redefined"):
        Twice().build(kt.HyperParameters())
