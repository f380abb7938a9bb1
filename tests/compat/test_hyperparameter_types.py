"""keras-tuner's hyperparameter classes as scripts use them: ``hp_types``, ``values``, errors."""

from __future__ import annotations

from typing import Any

import pytest

import rung as kt
from rung.engine import hyperparameters as hp_module
from rung.engine.hyperparameters import hp_types
from rung.engine.hyperparameters.hyperparameter import HyperParameter


def test_hp_types_module_holds_the_classes() -> None:
    assert hp_types.Int is kt.engine.hyperparameters.Int
    assert set(hp_types.ALL_CLASSES) == {"Boolean", "Choice", "Fixed", "Float", "Int"}
    hp = hp_types.Int("units", 1, 10, default=3)
    again = hp_types.deserialize(hp_types.serialize(hp))
    assert repr(again) == repr(hp) and again.default == 3


def test_values_of_numeric_hyperparameters() -> None:
    assert list(hp_module.Int("n", 2, 8, 2).values) == [2, 4, 6, 8]
    assert list(hp_module.Int("n", 2, 8, 2, sampling="log").values) == [2, 4, 8]
    assert list(hp_module.Int("n", 2, 5).values) == [2, 3, 4, 5]
    assert list(hp_module.Float("x", 0.1, 100.0, 10, sampling="log").values) == [
        0.1, 1.0, 10.0, 100.0]
    spread = list(hp_module.Float("x", 2, 1024, sampling="log").values)
    assert len(spread) == 10 and spread == sorted(spread)
    assert all(2 <= v <= 1024 for v in spread)
    assert len(list(hp_module.Int("n", 2, 1024, sampling="log").values)) == 10


def test_reverse_log_with_a_step_maps_units_as_keras_tuner() -> None:
    hp = hp_module.Float("x", 0.01, 100, step=10, sampling="reverse_log")
    draws = {hp.random_sample(seed) for seed in range(40)}
    assert draws <= {0.01, 90.01, 99.01, 99.91, 100.0} and len(draws) > 2
    assert hp.value_to_prob(99.91) == pytest.approx(0.3)
    assert hp.prob_to_value(0.3) == pytest.approx(99.91)


def test_choice_type_errors_are_type_errors() -> None:
    with pytest.raises(TypeError, match="only one type"):
        hp_module.Choice("a", ["a", "b", 0])
    with pytest.raises(TypeError, match="only `int`, `float`, `str`, or `bool`"):
        hp_module.Choice("a", [{"a": 1}, {"a": 2}])


def test_fixed_needs_a_value() -> None:
    with pytest.raises(ValueError, match="value must be an int, float, str or bool"):
        hp_module.Fixed("fixed", None)


def test_numeric_argument_errors() -> None:
    with pytest.raises(ValueError, match="sampling must be one of"):
        hp_module.Int("j", 0, 10, sampling="invalid")
    with pytest.raises(ValueError, match="min_value 1 is greater than the max_value 0"):
        hp_module.Int("k", 1, 0)
    with pytest.raises(ValueError, match="does not support negative values"):
        hp_module.Int("k", -10, -1, sampling="log")
    with pytest.raises(ValueError, match=r"HyperParameters.Int\(name='k'\), expected step > 1"):
        hp_module.Int("k", 1, 10, step=1, sampling="log")
    assert hp_module.Int("k", 2, 4, sampling=None).sampling == "linear"


def test_the_base_class_can_be_instantiated() -> None:
    base = HyperParameter(name="base", default=0)
    assert base.get_config() == {"name": "base", "default": 0, "conditions": []}
    again = HyperParameter.from_config(base.get_config())
    assert (again.name, again.default, again.random_sample()) == ("base", 0, 0)


def test_a_name_under_other_conditions_takes_its_own_default() -> None:
    hp = kt.HyperParameters()
    hp.Choice("a", [1, 2, 3], default=2)
    first = hp.Int("b", 0, 10, parent_name="a", parent_values=1, default=5)
    second = hp.Int("b", 0, 100, parent_name="a", parent_values=2, default=4)
    assert (first, second) == (None, 4)
    assert hp.values == {"a": 2, "b": 4}


def test_a_hyperparameter_cannot_be_named_as_its_condition() -> None:
    hp = kt.HyperParameters()
    hp.Choice("a", [1, 2, 3], default=3)
    with (pytest.raises(ValueError, match="cannot have the same name"),
          hp.conditional_scope("a", [1, 3])):
        hp.Choice("a", [4, 5, 6], default=6)


def test_the_tuners_hyperparameters_override_the_models_definitions(tmp_path: Any) -> None:
    def build_model(hp: Any) -> float:
        return hp.Int("layers", 1, 3) + hp.Float("lr", 1e-4, 1e-2, sampling="log")

    hp = kt.HyperParameters()
    hp.Int("layers", 5, 7, default=6)   # other range than the model's: this one is tuned

    class Scored(kt.RandomSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            return build_model(trial.hyperparameters)

    tuner = Scored(objective="loss", hyperparameters=hp, max_trials=4, seed=2,
                   directory=tmp_path, verbose=0)
    tuner.search()
    layers = {t.hyperparameters["layers"] for t in tuner.oracle.trials.values()}
    assert layers <= {5, 6, 7} and len(layers) > 1
    assert [p for p in tuner.oracle.get_space().space if p.name == "layers"][0].max_value == 7


def test_repr_is_keras_tuners_text() -> None:
    assert "name: 'j'" in repr(hp_module.Int("j", 1, 10))
    assert repr(hp_module.Int("j", 1, 10)) == (
        "Int(name: 'j', min_value: 1, max_value: 10, step: 1, sampling: linear, default: 1)")
    again = hp_module.deserialize(hp_module.serialize(hp_module.Int("j", 1, 10)))
    assert repr(again) == repr(hp_module.Int("j", 1, 10))


def test_choice_values_is_a_list() -> None:
    choice = hp_module.Choice("lr", [0.01, 0.001, 0.0001])
    assert choice.values == [0.01, 0.001, 0.0001]  # keras-tuner code compares with a list
    choice.values.append(1.0)  # a copy: the hyperparameter is unchanged
    assert choice.values == [0.01, 0.001, 0.0001]
