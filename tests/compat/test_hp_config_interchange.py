"""A search space saved by rung (``HyperParameters.get_config()``) is read by keras-tuner 1.4.8,
conditions included, and the other way round; ``Parent.get_config()`` is keras-tuner's."""

from __future__ import annotations

import json

import keras_tuner  # the bench extra installs keras-tuner 1.4.8 (make test)

import rung
from rung.engine.conditions import Parent


def _space(module):  # the same conditional space, declared with either library
    hp = module.HyperParameters()
    hp.Choice("model", ["a", "b"], default="b")
    with hp.conditional_scope("model", ["a"]):
        hp.Int("units", 1, 9, step=2)
    with hp.conditional_scope("model", ["b"]):
        hp.Float("rate", 0.1, 1.0, sampling="log")
    return hp


def test_keras_tuner_reads_a_conditional_space_rung_saved():
    config = json.loads(json.dumps(_space(rung).get_config()))
    loaded = keras_tuner.HyperParameters.from_config(config)
    assert [p.name for p in loaded.space] == ["model", "units", "rate"]
    assert loaded.is_active("rate") and not loaded.is_active("units")
    loaded.values["model"] = "a"
    assert loaded.is_active("units") and not loaded.is_active("rate")


def test_conditions_are_written_as_keras_tuner_writes_them():
    ours = _space(rung).get_config()["space"][1]["config"]["conditions"]
    theirs = _space(keras_tuner).get_config()["space"][1]["config"]["conditions"]
    assert ours == theirs == [{"class_name": "Parent",
                               "config": {"name": "model", "values": ["a"]}}]


def test_rung_reads_both_forms_of_a_condition():
    hp = rung.HyperParameters.from_config(json.loads(json.dumps(_space(keras_tuner).get_config())))
    assert hp.is_active("rate") and not hp.is_active("units")
    older = {"parent_name": "model", "values": ["a"]}  # what rung wrote before
    assert rung.engine.conditions.Condition.from_config(older).parent_name == "model"


def test_parent_config_round_trips_as_in_keras_tuner():
    parent = Parent("model", ["a", "b"])  # keras-tuner's Parent.get_config() gives this dict
    assert parent.get_config() == {"name": "model", "values": ["a", "b"]}
    assert Parent.from_config(parent.get_config()) == parent
