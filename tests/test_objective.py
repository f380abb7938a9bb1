from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from rung.errors import ConfigurationError
from rung.objective import MultiObjective, Objective, create_objective


def test_a_neg_scorer_ranks_the_smaller_loss_first() -> None:
    objective = create_objective("neg_log_loss")
    # log loss 0.225 (a good model) against 2.28 (chance)
    assert objective.loss({"neg_log_loss": -0.225}) < objective.loss({"neg_log_loss": -2.28})


def test_objective_loss_directions() -> None:
    assert Objective("val_loss", "min").loss({"val_loss": 0.25, "acc": 1.0}) == 0.25
    assert Objective("val_acc", "max").loss({"val_acc": 0.75}) == -0.75
    assert Objective("val_acc", "max").value({"val_acc": 0.75}) == 0.75


def test_objective_accepts_bare_number_and_numpy() -> None:
    obj = Objective("val_loss", "min")
    assert obj.loss(0.5) == 0.5
    assert obj.loss(3) == 3.0
    assert obj.loss(np.float32(0.5)) == 0.5
    assert obj.loss({"val_loss": np.array(0.5)}) == 0.5
    assert isinstance(obj.loss(np.float32(0.5)), float)
    assert Objective("acc", "max").loss(0.5) == -0.5


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float32("nan")])
@pytest.mark.parametrize("direction", ["min", "max"])
def test_non_finite_is_inf_loss_and_invalid(bad: float, direction: str) -> None:
    obj = Objective("m", direction)
    assert obj.loss(bad) == math.inf
    assert obj.loss({"m": bad}) == math.inf
    assert not obj.is_valid({"m": bad})
    assert obj.is_valid({"m": 1.0})


def test_missing_key_lists_available_keys() -> None:
    obj = Objective("val_loss", "min")
    with pytest.raises(ValueError, match=r"'val_loss'.*\['acc', 'loss'\]"):
        obj.loss({"loss": 1.0, "acc": 0.5})
    with pytest.raises(ValueError, match="val_loss"):
        obj.is_valid({})


@pytest.mark.parametrize("bad", ["0.5", None, True, [0.5]])
def test_non_number_raises_type_error(bad: object) -> None:
    obj = Objective("m", "min")
    with pytest.raises(TypeError, match="'m'.*must be a number"):
        obj.loss({"m": bad})
    with pytest.raises(TypeError, match="must be a number"):
        obj.loss(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("direction", ["minimize", "MAX", "", None, "descending"])
def test_bad_direction(direction: object) -> None:
    with pytest.raises(ValueError, match=r"`direction` must be 'min' or 'max'") as info:
        Objective("val_loss", direction)  # type: ignore[arg-type]
    assert repr(direction) in str(info.value)
    assert "val_loss" in str(info.value)


@pytest.mark.parametrize("name", ["", None, 3])
def test_bad_name(name: object) -> None:
    with pytest.raises(ValueError, match="`name`"):
        Objective(name, "min")  # type: ignore[arg-type]


def test_objective_eq_repr_hash_frozen_config() -> None:
    obj = Objective("val_loss", "min")
    assert obj == Objective("val_loss", "min")
    assert obj != Objective("val_loss", "max")
    assert hash(obj) == hash(Objective("val_loss", "min"))
    assert repr(obj) == str(obj) == 'Objective(name="val_loss", direction="min")'
    with pytest.raises(AttributeError):
        obj.name = "x"  # type: ignore[misc]
    config = obj.get_config()
    assert config == {"name": "val_loss", "direction": "min"}
    assert Objective.from_config(config) == obj


def test_multi_objective_sum() -> None:
    obj = MultiObjective([Objective("val_loss", "min"), Objective("val_auc", "max")])
    assert obj.name == "multi_objective"
    assert obj.direction == "min"
    metrics = {"val_loss": 0.5, "val_auc": 0.75, "other": 9.0}
    assert obj.loss(metrics) == pytest.approx(-0.25)
    assert obj.value(metrics) == pytest.approx(-0.25)
    assert obj.is_valid(metrics)
    three = MultiObjective([Objective("a", "min"), Objective("b", "min"), Objective("c", "max")])
    assert three.loss({"a": 1.0, "b": 2.0, "c": 4.0}) == pytest.approx(-1.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_multi_objective_non_finite(bad: float) -> None:
    obj = MultiObjective([Objective("a", "min"), Objective("b", "max")])
    assert obj.loss({"a": bad, "b": 1.0}) == math.inf
    assert obj.loss({"a": 1.0, "b": bad}) == math.inf
    assert not obj.is_valid({"a": 1.0, "b": bad})
    # +inf and -inf must not cancel out
    assert obj.loss({"a": math.inf, "b": math.inf}) == math.inf


def test_multi_objective_errors() -> None:
    obj = MultiObjective([Objective("a", "min"), Objective("b", "max")])
    with pytest.raises(TypeError, match=r"mapping with keys \['a', 'b'\]"):
        obj.loss(0.5)
    with pytest.raises(ValueError, match="'b'"):
        obj.loss({"a": 1.0})
    with pytest.raises(ValueError, match="empty"):
        MultiObjective([])
    with pytest.raises(TypeError, match="Objective"):
        MultiObjective(["a", "b"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="sequence"):
        MultiObjective(Objective("a", "min"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"unique.*\['a'\] is both"):
        MultiObjective([Objective("a", "min"), Objective("a", "max")])


def test_multi_objective_eq_config() -> None:
    obj = MultiObjective([Objective("a", "min"), Objective("b", "max")])
    assert obj == MultiObjective((Objective("a", "min"), Objective("b", "max")))
    assert obj == MultiObjective([Objective("b", "max"), Objective("a", "min")])  # a sum
    assert hash(obj) == hash(MultiObjective([Objective("b", "max"), Objective("a", "min")]))
    assert obj != MultiObjective([Objective("a", "min"), Objective("b", "min")])
    assert isinstance(obj.objectives, tuple)
    assert 'Objective(name="a", direction="min")' in repr(obj)
    assert MultiObjective.from_config(obj.get_config()) == obj


def test_create_objective_none_is_default() -> None:
    obj = create_objective(None)
    assert obj == Objective("default_objective", "min")
    assert obj.loss(0.3) == 0.3
    assert obj.loss({"default_objective": 0.3}) == 0.3


def test_create_objective_from_name() -> None:
    assert create_objective("val_accuracy") == Objective("val_accuracy", "max")
    assert create_objective("val_loss") == Objective("val_loss", "min")
    assert create_objective("f1_score") == Objective("f1_score", "max")


def test_create_objective_unknown_name_says_how_to_fix() -> None:
    with pytest.raises(ValueError) as info:
        create_objective("my_metric")
    message = str(info.value)
    assert "Could not infer optimization direction ('min' or 'max') for objective='my_metric'" \
        in message
    assert "rung.Objective('my_metric', direction='max') (or 'min')" in message
    with pytest.raises(ValueError, match="non-empty"):
        create_objective("")


def test_create_objective_passthrough_and_lists() -> None:
    obj = Objective("custom", "max")
    assert create_objective(obj) is obj
    assert create_objective([obj]) is obj
    assert create_objective(("val_loss",)) == Objective("val_loss", "min")
    multi = create_objective(["val_loss", Objective("custom", "max")])
    assert multi == MultiObjective([Objective("val_loss", "min"), obj])
    assert create_objective(multi) is multi


@pytest.mark.parametrize("bad", [3, 0.5, {"val_loss": "min"}, True, b"loss"])
def test_create_objective_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="`objective` must be") as info:
        create_objective(bad)  # type: ignore[arg-type]
    assert repr(bad) in str(info.value)


def test_create_objective_list_errors() -> None:
    with pytest.raises(ValueError, match="empty"):
        create_objective([])
    with pytest.raises(TypeError, match="element"):
        create_objective(["val_loss", 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="Could not infer optimization direction"):
        create_objective(["val_loss", "foo"])


@pytest.mark.parametrize(("given", "hint"), [
    (("val_accuracy", "max"), "rung.Objective('val_accuracy', 'max')"),
    (["loss", "minimize"], "rung.Objective('loss', 'min')"),
    (("score", "Maximize"), "rung.Objective('score', 'max')"),
])
def test_a_name_and_a_direction_in_a_list_are_named_as_such(given: Any, hint: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(f"pass {hint}")):
        create_objective(given)


def test_a_misspelt_objective_name_gets_the_metric_it_resembles() -> None:
    with pytest.raises(ValueError, match=r"objective='val_los': it is not a known metric name; "
                                         r"did you mean 'val_loss'\?"):
        create_objective("val_los")
