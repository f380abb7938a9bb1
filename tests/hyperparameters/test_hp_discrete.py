"""Choice, Boolean, Fixed, Condition and values_key."""

from __future__ import annotations

import json

import numpy as np
import pytest

import rung.hyperparameters as hpmod
from rung.hyperparameters import (
    Boolean,
    Choice,
    Condition,
    Fixed,
    Float,
    HyperParameter,
    Int,
    values_key,
)

FINITE = [
    Choice("c", ["relu", "tanh", "gelu"]),
    Choice("c", [1, 2.5, 4]),
    Choice("c", [True, False]),
    Choice("c", [0.1], default=0.1),
    Boolean("b"),
    Fixed("x", "adam"),
    Fixed("x", 3),
    Fixed("x", 2.5),
]


@pytest.mark.parametrize("hp", FINITE, ids=repr)
def test_unit_round_trip_and_bins(hp):
    grid = hp.grid_values()
    n = len(grid)
    for i, v in enumerate(grid):
        assert hp.to_unit(v) == pytest.approx((i + 0.5) / n)
        assert hp.from_unit(hp.to_unit(v)) == v
    assert hp.from_unit(0.0) == grid[0]
    assert hp.from_unit(1.0) == grid[-1]


@pytest.mark.parametrize("hp", FINITE, ids=repr)
def test_config_round_trip(hp):
    cfg = json.loads(json.dumps(hp.get_typed_config()))
    again = HyperParameter.from_config(cfg)
    assert type(again) is type(hp)
    assert again == hp
    assert again.get_config() == hp.get_config()
    assert type(hp)(**hp.get_config()) == hp  # keras-tuner: the config is the arguments


def test_choice_defaults_and_ordered():
    assert Choice("c", ["a", "b"]).default == "a"
    assert Choice("c", ["a", "b"], default="b").default == "b"
    assert Choice("c", ["a", "b"]).ordered is False
    assert Choice("c", [1, 2]).ordered is True
    assert Choice("c", [1, 2], ordered=False).ordered is False
    assert Choice("c", [True, False]).ordered is False


def test_choice_sampling_is_uniform_and_uses_rng_only():
    hp = Choice("c", ["a", "b", "c"])
    rng = np.random.default_rng(0)
    xs = [hp.random_sample(rng) for _ in range(3000)]
    assert min(xs.count(v) for v in "abc") > 900
    first = [hp.random_sample(np.random.default_rng(5)) for _ in range(3)]
    assert len(set(first)) == 1


def test_choice_bool_is_not_int():
    hp = Choice("c", [0, 1])
    with pytest.raises(ValueError, match="not one of"):
        hp.to_unit(True)
    assert Choice("c", [True, False]).to_unit(True) == 0.25


def test_choice_accepts_numpy_scalars_as_python_values():
    hp = Choice("c", [np.int64(4), np.float32(0.5)])
    assert [type(v) for v in hp.values] == [int, float]


def test_boolean():
    hp = Boolean("b")
    assert hp.default is False
    assert Boolean("b", default=True).default is True
    assert hp.grid_values() == [False, True]
    assert hp.from_unit(0.49) is False and hp.from_unit(0.5) is True
    rng = np.random.default_rng(0)
    xs = [hp.random_sample(rng) for _ in range(1000)]
    assert all(type(x) is bool for x in xs) and 400 < sum(xs) < 600


def test_fixed():
    hp = Fixed("opt", "sgd")
    assert hp.default == hp.value == "sgd"
    assert hp.random_sample(np.random.default_rng(0)) == "sgd"
    with pytest.raises(ValueError, match="not one of"):
        hp.to_unit("adam")


def test_condition():
    cond = Condition("model", ["cnn", "rnn"])
    assert cond.values == ("cnn", "rnn")
    assert Condition("model", "cnn").values == ("cnn",)
    assert cond.is_active({"model": "cnn"})
    assert not cond.is_active({"model": "mlp"})
    assert not cond.is_active({})
    assert Condition.from_config(cond.get_config()) == cond
    with pytest.raises(ValueError, match="must not be empty"):
        Condition("model", [])
    with pytest.raises(ValueError, match="parent_name"):
        Condition("", ["a"])


def test_values_key_is_canonical_and_type_exact():
    assert values_key({"b": 0.1, "a": 2}) == '{"a":2,"b":0.1}'
    assert values_key({"a": 2, "b": 0.1}) == values_key({"b": 0.1, "a": 2})
    assert values_key({"a": 1}) != values_key({"a": 1.0})
    assert values_key({"a": 1}) != values_key({"a": True})
    x = 0.1 + 0.2
    assert json.loads(values_key({"x": x}))["x"] == x  # floats are exact
    assert values_key({"a": np.int64(3), "f": np.float64(0.5)}) == '{"a":3,"f":0.5}'
    with pytest.raises(ValueError):
        values_key({"a": float("nan")})


def test_from_config_needs_a_known_class():
    with pytest.raises(ValueError, match="Unknown hyperparameter class 'Nope'"):
        HyperParameter.from_config({"class": "Nope", "name": "x"})
    with pytest.raises(ValueError, match="'class' key"):
        HyperParameter.from_config({"name": "x", "min_value": 0})
    with pytest.raises(ValueError, match="got a config of class 'Float'"):
        Int.from_config(Float("f", 0, 1).get_typed_config())


def test_public_all_is_complete():
    public = {
        name
        for name, obj in vars(hpmod).items()
        if not name.startswith("_") and getattr(obj, "__module__", "").startswith("rung.")
    }
    assert set(hpmod.__all__) == public
    for name in hpmod.__all__:
        assert getattr(hpmod, name).__doc__
