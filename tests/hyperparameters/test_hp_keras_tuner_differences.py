"""keras-tuner 1.4.8 behaviours rung matches or corrects (docs/keras-tuner.md, "Where rung differs"
and "Hyperparameter details"), each found by running both side by side."""

from __future__ import annotations

import numpy as np
import pytest

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters import Boolean, Choice, Fixed, Float, HyperParameters, Int


def _conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("units", 8, 64)
    with hp.conditional_scope("model", "cnn"):
        hp.Int("filters", 16, 16)
        hp.Fixed("kernel", 3)
    return hp


# --- ensure_active_values (keras-tuner's public method, called by its oracles) ----------------
def test_ensure_active_values_forgets_inactive_values_and_fills_active_ones():
    hp = _conditional_space()
    hp.values["units"] = 32
    hp.values = {"model": "cnn", "units": 32}  # replaces every value: filters, kernel unset
    hp.ensure_active_values()
    assert dict(hp.values) == {"model": "cnn", "filters": 16, "kernel": 3}
    hp.values["model"] = "mlp"
    assert hp.Int("units", 8, 64) == 8  # the forgotten 32 does not come back


def test_ensure_active_values_draws_parents_first_and_takes_a_seed():
    hp = _conditional_space()
    hp.values = {}
    hp.ensure_active_values(seed=3)
    drawn = dict(hp.values)
    assert drawn["model"] in ("mlp", "cnn")
    assert set(drawn) == ({"model", "units"} if drawn["model"] == "mlp"
                          else {"model", "filters", "kernel"})
    again = _conditional_space()
    again.values = {}
    again.ensure_active_values(np.random.default_rng(3))
    assert dict(again.values) == drawn
    kept = _conditional_space()
    kept.values["units"] = 40
    kept.ensure_active_values()  # every active value is set: nothing drawn, nothing lost
    assert dict(kept.values) == {"model": "mlp", "units": 40}


# --- errors that name the call and the argument --------------------------------------------------
@pytest.mark.parametrize(("declare", "method"), [
    (lambda hp: hp.Int(5, 1, 3), "Int"),
    (lambda hp: hp.Float(None, 0, 1), "Float"),
    (lambda hp: hp.Choice(["a"], [1]), "Choice"),
    (lambda hp: hp.Boolean(None), "Boolean"),
    (lambda hp: hp.Fixed(1.5, 2), "Fixed"),
])
def test_a_name_that_is_not_a_str_names_the_declaring_method(declare, method):
    hp = HyperParameters()
    with pytest.raises(SearchSpaceTypeError, match=f"HyperParameters.{method}: name must be a "
                                                   "non-empty str, got .* of type"):
        declare(hp)
    assert hp.space == []


def test_a_parent_name_that_is_not_a_str_is_named_as_parent_name():
    hp = HyperParameters()
    hp.Boolean("p")
    with pytest.raises(SearchSpaceTypeError, match="parent_name must be .*got 5 of type int"):
        hp.Int("a", 1, 3, parent_name=5, parent_values=[1])
    with pytest.raises(SearchSpaceTypeError, match="parent_name .*got None of type NoneType"), \
            hp.conditional_scope(None, [True]):
        pass
    with pytest.raises(SearchSpaceError, match="parent_values must not be empty"):
        hp.Int("a", 1, 3, parent_name="p", parent_values=[])
    assert [p.name for p in hp.space] == ["p"]


@pytest.mark.parametrize("hp", [Int("a", 1, 5), Float("f", 0, 1), Float("g", 0, 1, step=0.5),
                                Choice("c", ["x", "y"]), Boolean("b"), Fixed("k", 2)], ids=repr)
@pytest.mark.parametrize("u", ["0.5", None, float("nan")])
def test_from_unit_names_a_value_that_is_not_a_number(hp, u):
    with pytest.raises(ValueError, match=r"u must be a number in \[0, 1\], got"):
        hp.prob_to_value(u)


# --- values keras-tuner accepts and rung refuses (first definition wins silently there) --------
def test_fixed_after_another_definition_under_the_same_conditions_is_an_error():
    hp = HyperParameters()
    hp.Int("a", 1, 10)
    with pytest.raises(SearchSpaceError, match="cannot be redefined as Fixed"):
        hp.Fixed("a", 3)  # keras-tuner returns 1, the Int's value
    pinned = HyperParameters()
    pinned.Fixed("a", 3)
    assert pinned.Int("a", 1, 10) == 3  # a Fixed declared first pins it, as in keras-tuner


# --- stepped grids reach max_value ----------------------------------------------------------------
def test_a_float_grid_that_reaches_max_up_to_rounding_holds_it():
    # keras-tuner 1.4.8 stops at 0.9 and at 0.5 (and lists 0.30000000000000004)
    assert Float("x", 0, 1, step=0.1).grid_values()[-1] == 1.0
    assert Float("x", 0.1, 0.7, step=0.2).grid_values() == [0.1, 0.3, 0.5, 0.7]
    assert list(Float("x", 0.1, 0.7, step=0.2).values) == [0.1, 0.3, 0.5, 0.7]


def test_a_stepped_reverse_log_grid_is_dense_near_max_value_as_keras_tuner():
    rev = Int("units", 1, 100, step=3, sampling="reverse_log")
    assert rev.grid_values() == [20, 74, 92, 98, 100]  # keras-tuner's values, sorted
    draws = {rev.random_sample(seed) for seed in range(60)}
    assert draws == {20, 74, 92, 98, 100}
    assert rev.to_unit(100) == pytest.approx(0.1) and rev.from_unit(0.0) == 100
    assert rev.to_unit(60) == pytest.approx(0.7)  # off the grid: the nearest bin (74)
    assert Float("m", 0.5, 0.999, step=1.5, sampling="reverse_log").grid_values() == [
        0.749, 0.999]
