"""Hyperparameter details keras-tuner code relies on (issue 10.11)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt
from rung.engine import hyperparameters as hp_module


def _build(hp: Any) -> keras.Model:
    model_type = hp.Choice("model", ["cnn", "mlp"])
    with hp.conditional_scope("model", "cnn"):
        cnn_units = hp.Int("units", 32, 64, step=32)
    with hp.conditional_scope("model", "mlp"):
        mlp_units = hp.Int("units", 2, 4)
    units = cnn_units if model_type == "cnn" else mlp_units
    model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(units),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_a_name_under_two_conditions_with_two_ranges(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = kt.RandomSearch(_build, objective="loss", max_trials=6, seed=2, directory=tmp_path,
                            verbose=0)
    tuner.search(x, y, epochs=1, verbose=0)
    assert capsys.readouterr().out == ""  # verbose=0 prints nothing at all
    seen = set()
    for trial in tuner.oracle.trials.values():
        values = trial.hyperparameters.values
        allowed = (32, 64) if values["model"] == "cnn" else (2, 3, 4)
        assert values["units"] in allowed
        seen.add(values["model"])
    assert seen == {"cnn", "mlp"}


def test_random_sample_takes_a_seed_or_nothing() -> None:
    for hp in (hp_module.Int("i", 0, 100), hp_module.Float("f", 0.0, 1.0),
               hp_module.Choice("c", ["a", "b", "c"]), hp_module.Boolean("b"),
               hp_module.Fixed("x", 3)):
        assert hp.random_sample(7) == hp.random_sample(7)
        assert hp.random_sample() is not None
        assert hp.random_sample(np.random.default_rng(1)) == hp.random_sample(1)


def test_values_of_choice_boolean_fixed() -> None:
    assert list(hp_module.Choice("c", [3, 1, 2]).values) == [3, 1, 2]
    assert list(hp_module.Boolean("b").values) == [True, False]
    assert list(hp_module.Fixed("f", "relu").values) == ["relu"]


@pytest.mark.parametrize("hp", [
    hp_module.Choice("c", [1, 2, 3], ordered=False, default=2),
    hp_module.Int("i", 2, 32, step=2, sampling="log"),
    hp_module.Float("f", 1e-4, 1e-1, sampling="log", default=1e-3),
    hp_module.Boolean("b", default=True),
    hp_module.Fixed("x", 0.5),
], ids=repr)
def test_config_round_trips(hp: Any) -> None:
    assert type(hp)(**hp.get_config()) == hp
    assert type(hp).from_config(hp.get_config()) == hp
    assert "class" not in hp.get_config()


def test_space_config_round_trip_keeps_conditions() -> None:
    hps = kt.HyperParameters()
    hps.Choice("model", ["cnn", "mlp"])
    with hps.conditional_scope("model", "mlp"):
        hps.Int("units", 2, 4)
    again = kt.HyperParameters.from_config(hps.get_config())
    assert again.space == hps.space and again.values == hps.values
    assert hps.get_config()["space"][0]["class_name"] == "Choice"


def test_value_to_prob_and_back() -> None:
    choice = hp_module.Choice("c", [0, 1, 2])
    assert choice.value_to_prob(0) == pytest.approx(1 / 6)
    assert choice.prob_to_value(1.0) == 2 and choice.prob_to_value(0.0) == 0


def test_serialize_and_deserialize() -> None:
    hps = kt.HyperParameters()
    hps.Float("lr", 1e-4, 1e-2, sampling="log")
    assert hp_module.deserialize(hp_module.serialize(hps)).space == hps.space
    choice = hp_module.Choice("c", ["a", "b"])
    assert hp_module.deserialize(hp_module.serialize(choice)) == choice
