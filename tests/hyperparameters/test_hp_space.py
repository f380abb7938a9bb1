"""The HyperParameters container: define-by-run, scopes, values, copies and serialisation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rung.errors import SearchSpaceError
from rung.hyperparameters import Boolean, Choice, Condition, Fixed, Float, HyperParameters, Int


def _conditional_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn"])
    with hp.conditional_scope("model", "cnn"):
        hp.Int("filters", 16, 64, step=16)
        hp.Choice("pool", ["max", "avg"])
        with hp.conditional_scope("pool", ["avg"]):
            hp.Float("momentum", 0.1, 0.9)
    with hp.conditional_scope("model", ["mlp"]):
        hp.Int("units", 32, 128, step=32, default=64)
    hp.Float("lr", 1e-4, 1e-2, sampling="log")
    return hp


def test_methods_register_and_return_current_value():
    hp = HyperParameters()
    assert hp.Int("a", 1, 10) == 1
    assert hp.Float("f", 0.5, 1.0) == 0.5
    assert hp.Choice("c", ["x", "y"], default="y") == "y"
    assert hp.Boolean("b") is False
    assert hp.Fixed("k", "v") == "v"
    assert [p.name for p in hp.space] == ["a", "f", "c", "b", "k"]
    assert [type(p) for p in hp.space] == [Int, Float, Choice, Boolean, Fixed]
    hp.values["a"] = 7
    assert hp.Int("a", 1, 10) == 7  # same definition: returns the value, no new entry
    assert len(hp.space) == 5


def test_space_is_a_copy():
    hp = HyperParameters()
    hp.Int("a", 1, 2)
    hp.space.append(Int("z", 1, 2))
    assert [p.name for p in hp.space] == ["a"]


def test_values_are_active_only_in_definition_order():
    hp = _conditional_space()
    assert dict(hp.values) == {"model": "mlp", "units": 64, "lr": 1e-4}
    assert list(hp.values) == ["model", "units", "lr"]
    hp.values["model"] = "cnn"
    assert list(hp.values) == ["model", "filters", "pool", "lr"]
    hp.values["pool"] = "avg"
    assert hp.values == {"model": "cnn", "filters": 16, "pool": "avg", "momentum": 0.1, "lr": 1e-4}
    # the grandchild is inactive as soon as its grandparent is, whatever its parent's value
    hp.values["model"] = "mlp"
    assert "momentum" not in hp.values and "pool" not in hp.values


def test_inactive_declaration_returns_none():
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "cnn"])
    with hp.conditional_scope("model", ["cnn"]):
        assert hp.Int("filters", 16, 64) is None
        assert hp.Boolean("bn") is None
    assert hp.Int("units", 1, 4, parent_name="model", parent_values="mlp") == 1
    assert hp.is_active("units") and not hp.is_active("filters")
    assert not hp.is_active(hp.space[1]) and hp.is_active(hp.space[-1])
    assert hp.space[1].conditions == (Condition("model", ("cnn",)),)
    hp.values["model"] = "cnn"
    with hp.conditional_scope("model", ["cnn"]):
        assert hp.Int("filters", 16, 64) == 16


def test_nested_scopes_accumulate_conditions():
    hp = _conditional_space()
    momentum = next(p for p in hp.space if p.name == "momentum")
    assert momentum.conditions == (Condition("model", ("cnn",)), Condition("pool", ("avg",)))


def test_get_getitem_contains():
    hp = _conditional_space()
    assert hp.get("model") == hp["model"] == "mlp"
    assert "units" in hp and "filters" not in hp and "nope" not in hp
    with pytest.raises(ValueError, match="filters is currently inactive"):
        hp.get("filters")
    with pytest.raises(ValueError, match="inactive"):
        hp["filters"]
    with pytest.raises(KeyError, match="nope does not exist"):
        hp.get("nope")
    with pytest.raises(KeyError):
        hp["nope"]
    assert not hp.is_active("nope")


def test_name_scope_prefixes_and_nests():
    hp = HyperParameters()
    with hp.name_scope("block1"):
        hp.Int("units", 1, 4)
        with hp.name_scope("conv"):
            hp.Choice("act", ["relu", "tanh"])
            assert hp.get("act") == "relu"  # get resolves names inside the scope
        assert hp["units"] == 1
    assert [p.name for p in hp.space] == ["block1/units", "block1/conv/act"]
    assert hp.get("block1/conv/act") == "relu"
    with pytest.raises(KeyError):
        hp.get("units")


def test_name_scope_with_conditional_scope():
    hp = HyperParameters()
    hp.Boolean("use_block")
    with hp.name_scope("block"):
        hp.Choice("kind", ["a", "b"])
        with hp.conditional_scope("kind", "b"):  # scoped parent name
            hp.Int("depth", 1, 3)
        with hp.conditional_scope("use_block", [True]):  # unscoped parent still found
            hp.Int("width", 1, 3)
    by_name = {p.name: p for p in hp.space}
    assert by_name["block/depth"].conditions == (Condition("block/kind", ("b",)),)
    assert by_name["block/width"].conditions == (Condition("use_block", (True,)),)


def test_values_mapping_is_live_and_assignable():
    hp = HyperParameters()
    hp.Int("a", 1, 10)
    view = hp.values
    hp.values["a"] = 5
    assert view["a"] == 5 and hp.get("a") == 5
    hp.values["tuner/epochs"] = 3  # undeclared names are allowed (reserved tuner values)
    assert hp.get("tuner/epochs") == 3 and list(hp.values) == ["a", "tuner/epochs"]
    snapshot = hp.values.copy()
    assert type(snapshot) is dict
    hp.values["a"] = 6
    assert snapshot["a"] == 5
    del hp.values["a"]
    assert hp.get("a") == 1  # back to the default
    del hp.values["tuner/epochs"]
    assert "tuner/epochs" not in hp
    with pytest.raises(KeyError):
        del hp.values["tuner/epochs"]
    hp.values = {"a": 9}
    assert hp.values == {"a": 9}


def test_values_is_a_dict_like_keras_tuners() -> None:
    """keras-tuner's ``hp.values`` is a plain dict: scripts ``json.dump`` it and test
    ``isinstance(..., dict)``; rung's live view must support both."""
    hp = _conditional_space()
    view = hp.values
    assert isinstance(view, dict)
    assert json.loads(json.dumps(view)) == {"model": "mlp", "units": 64, "lr": 1e-4}
    view["model"] = "cnn"  # writes through, and the view stays live
    assert hp.get("model") == "cnn"
    assert json.loads(json.dumps(hp.values)) == dict(view) == {
        "model": "cnn", "filters": 16, "pool": "max", "lr": 1e-4}
    assert view != {"model": "mlp"} and list(view.items())[0] == ("model", "cnn")
    view.update(pool="avg")
    assert view.get("momentum") == 0.1 and view.setdefault("momentum", 0.5) == 0.1
    assert view.pop("pool") == "avg" and hp.get("pool") == "max"  # pop resets to the default
    assert type(json.loads(json.dumps({"best": hp.values}))["best"]) is dict
    import copy
    import pickle

    for clone in (copy.deepcopy(view), pickle.loads(pickle.dumps(view))):
        assert type(clone) is dict and clone == view  # a plain snapshot


def test_same_definition_under_other_conditions_adds_an_entry():
    hp = HyperParameters()
    hp.Choice("model", ["a", "b", "c"])
    with hp.conditional_scope("model", "a"):
        hp.Int("units", 1, 8)
    with hp.conditional_scope("model", "b"):
        hp.Int("units", 1, 8)
    assert [p.name for p in hp.space].count("units") == 2
    assert "units" in hp
    hp.values["model"] = "b"
    assert hp["units"] == 1
    hp.values["model"] = "c"
    assert "units" not in hp
    with hp.conditional_scope("model", "c"):  # another definition under other conditions
        assert hp.Int("units", 10, 20) == 10  # keras-tuner allows it; not the "b" entry's value
    assert [p.name for p in hp.space].count("units") == 3
    hp.values["units"] = 15
    hp.values["model"] = "a"
    assert hp.Int("units", 1, 8) == 1  # 15 is not one of this definition's values
    with (
        pytest.raises(SearchSpaceError, match="already defined"),
        hp.conditional_scope("model", "c"),
    ):
        hp.Int("units", 1, 9)  # the same conditions: a true redefinition


def test_fixed_first_pins_a_later_definition():
    hp = HyperParameters()
    hp.Fixed("lr", 1e-3)
    assert hp.Float("lr", 1e-5, 1e-1, sampling="log") == 1e-3
    assert [type(p) for p in hp.space] == [Fixed]


def test_copy_is_independent():
    hp = _conditional_space()
    other = hp.copy()
    other.values["model"] = "cnn"
    other.Boolean("extra")
    assert hp["model"] == "mlp" and "extra" not in hp and len(hp.space) == 6
    assert other.get_config()["space"][:6] == hp.get_config()["space"]


def test_clone_with_values():
    hp = _conditional_space()
    hp.values["lr"] = 5e-3
    clone = hp.clone_with_values({"model": "cnn", "filters": 48})
    assert clone.values == {"model": "cnn", "filters": 48, "pool": "max", "lr": 1e-4}
    assert clone.space == hp.space
    assert hp["model"] == "mlp" and hp["lr"] == 5e-3


def test_merge_adds_new_and_overwrites():
    base = HyperParameters()
    base.Int("a", 1, 10)
    base.values["a"] = 4
    other = HyperParameters()
    other.Int("a", 1, 20)
    other.Boolean("b")
    other.values["b"] = True
    other.values["tuner/epochs"] = 2

    kept = base.copy()
    kept.merge(other, overwrite=False)  # keras-tuner's meaning: existing entries stay as they are
    assert [repr(p) for p in kept.space] == [repr(base.space[0]), repr(other.space[1])]
    assert kept.values == {"a": 4, "b": True, "tuner/epochs": 2}

    base.merge(other)  # overwrite=True: other's definitions and values win
    assert [repr(p) for p in base.space] == [repr(p) for p in other.space]
    assert base.values == {"a": 1, "b": True, "tuner/epochs": 2}
    other.values["b"] = False
    assert base["b"] is True  # no shared state


def test_merge_without_overwrite_keeps_existing_values_and_takes_a_list():
    base = HyperParameters()
    base.Int("a", 1, 10)
    base.values["a"] = 4
    base.merge([Int("a", 1, 10), Choice("c", ["x", "y"])], overwrite=False)
    assert base.values == {"a": 4, "c": "x"}
    base.merge([Int("a", 1, 10)], overwrite=True)
    assert base.values["a"] == 4  # same definition: the value stays
    with pytest.raises(SearchSpaceError, match="expected HyperParameter objects"):
        base.merge(["a"])


def test_merge_without_overwrite_keeps_a_conflicting_definition_and_adds_other_conditions():
    base = HyperParameters()
    base.Choice("model", ["mlp", "cnn"])
    with base.conditional_scope("model", "mlp"):
        base.Int("units", 8, 64)
    base.values["units"] = 32
    incoming = [
        Int("units", 1, 4, conditions=[Condition("model", ("mlp",))]),  # same conditions
        Int("units", 100, 200, conditions=[Condition("model", ("cnn",))]),  # new conditions
        Choice("model", ["rnn"]),
    ]
    base.merge(incoming, overwrite=False)
    assert [repr(p) for p in base.definitions_of("units")] == [
        repr(base.space[1]), repr(incoming[1])]
    assert base.space[0].values == ["mlp", "cnn"]
    assert base.values == {"model": "mlp", "units": 32}
    base.values["model"] = "cnn"
    with base.conditional_scope("model", "cnn"):
        assert base.Int("units", 100, 200) == 100


def test_json_round_trip_is_exact():
    hp = _conditional_space()
    with hp.name_scope("opt"):
        hp.Float("wd", 0.0, 0.3, step=0.1)
        hp.Fixed("beta", 0.9)
        hp.Boolean("nesterov", default=True)
    hp.values["model"] = "cnn"
    hp.values["lr"] = 0.1 + 0.2  # float with a long repr
    hp.values["units"] = 96  # inactive values survive too
    text = hp.to_json()
    json.loads(text)
    again = HyperParameters.from_json(text)
    assert again.get_config() == hp.get_config()
    assert again.to_json() == text
    assert again.values == hp.values and again["lr"] == 0.1 + 0.2
    assert [p.conditions for p in again.space] == [p.conditions for p in hp.space]
    again.values["model"] = "mlp"
    assert again["units"] == 96


def test_config_with_numpy_values_is_json():
    hp = HyperParameters()
    hp.Int("a", 1, 10)
    hp.values["a"] = np.int64(3)
    assert json.loads(hp.to_json())["values"] == {"a": 3}


def test_reads_keras_tuner_config():
    config = {
        "space": [
            {
                "class_name": "Choice",
                "config": {
                    "name": "m",
                    "default": "a",
                    "conditions": [],
                    "values": ["a", "b"],
                    "ordered": False,
                },
            },
            {
                "class_name": "Int",
                "config": {
                    "name": "u",
                    "default": None,
                    "min_value": 1,
                    "max_value": 9,
                    "step": 2,
                    "sampling": "linear",
                    "conditions": [
                        {"class_name": "Parent", "config": {"name": "m", "values": ["b"]}}
                    ],
                },
            },
        ],
        "values": {"m": "b", "u": 5},
    }
    hp = HyperParameters.from_config(config)
    assert hp.values == {"m": "b", "u": 5}
    assert hp.space[1] == Int("u", 1, 9, step=2, conditions=[Condition("m", ["b"])])


def test_repr_shows_space_and_active_values():
    hp = HyperParameters()
    hp.Boolean("b")
    assert (
        repr(hp) == "HyperParameters(space=[Boolean(name: 'b', default: False)], values={'b': False})"
    )


def test_a_closed_space_gives_its_own_values_and_refuses_new_entries() -> None:
    """A trial's space under ``allow_new_entries=False``: a name defined under the same
    conditions (with any arguments: the definition standing is the space's) gets its value; any
    other declaration is a ``NewEntriesError`` at once, copies included."""
    from rung.errors import NewEntriesError

    space = HyperParameters()
    space.Choice("model", ["mlp", "cnn"])
    with space.conditional_scope("model", ["cnn"]):
        space.Int("filters", 8, 32, step=8)
    trial = space.clone_with_values({"model": "cnn", "filters": 24})._close()
    assert trial.Choice("model", ["mlp", "cnn"]) == "cnn"
    with trial.conditional_scope("model", ["cnn"]):
        assert trial.Int("filters", 8, 32, step=8) == 24
    with pytest.raises(NewEntriesError, match="'units'"):
        trial.Int("units", 8, 64)
    with pytest.raises(NewEntriesError, match="'filters'"):  # the same name, other conditions
        trial.Int("filters", 8, 32, step=8)
    with pytest.raises(NewEntriesError):
        trial.copy().Boolean("dropout")
    assert [p.name for p in trial.space] == ["model", "filters"]
    assert space.Boolean("dropout") is False  # the space itself stays open
