"""A value of the wrong type is a SearchSpaceTypeError (a TypeError, and a ValueError as before),
naming the argument and the value (bad-input review, finding E)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rung.errors import SearchSpaceError, SearchSpaceTypeError
from rung.hyperparameters import Boolean, Choice, Fixed, Float, HyperParameters, Int

TYPE_ERRORS: list[tuple[str, Callable[[], Any], tuple[str, ...]]] = [
    ("int-str-bound", lambda: Int("x", "1", 5), ("'x'", "min_value", "'1'", "int", "str")),
    ("int-float-bound", lambda: Int("x", 1.5, 5), ("'x'", "min_value", "1.5", "int")),
    ("int-bool-bound", lambda: Int("x", True, 5), ("'x'", "min_value", "True")),
    ("int-inf-bound", lambda: Int("x", 1, float("inf")), ("'x'", "max_value", "inf")),
    ("int-str-default", lambda: Int("x", 1, 5, default="3"), ("'x'", "default", "'3'")),
    ("int-sampling-int", lambda: Int("x", 1, 5, sampling=5), ("'x'", "sampling", "5", "str")),
    ("float-str-bound", lambda: Float("x", "0", 1), ("'x'", "min_value", "'0'", "number")),
    ("float-str-step", lambda: Float("x", 0, 1, step="0.1"), ("'x'", "step", "'0.1'")),
    ("boolean-str-default", lambda: Boolean("b", default="yes"), ("'b'", "default", "'yes'")),
    ("boolean-int-default", lambda: Boolean("b", default=1), ("'b'", "default", "1")),
    ("choice-int-values", lambda: Choice("x", 5), ("'x'", "values must be a list", "5")),
    ("choice-str-values", lambda: Choice("x", "abc"), ("'x'", "values must be a list", "'abc'")),
    ("choice-set-values", lambda: Choice("x", {1, 2}), ("'x'", "values must be a list",
                                                        "unordered", "set")),
    ("choice-dict-values", lambda: Choice("x", {"a": 1}), ("'x'", "values must be a list")),
    ("choice-ordered-str", lambda: Choice("x", [1, 2], ordered="yes"), ("'x'", "ordered",
                                                                       "'yes'")),
    ("fixed-list-value", lambda: Fixed("x", [1]), ("'x'", "value", "[1]", "JSON scalar")),
    ("name-int", lambda: Int(3, 1, 5), ("name", "3", "str")),
    ("declared-name-int", lambda: HyperParameters().Int(3, 1, 5), ("name", "3", "str")),
    ("name-scope-int", lambda: HyperParameters().name_scope(5).__enter__(),
     ("name_scope", "name", "5")),
    ("from-config-int", lambda: HyperParameters.from_config(5),
     ("from_config", "config", "5", "get_config")),
    ("from-config-space-int", lambda: HyperParameters.from_config({"space": 5}),
     ("config['space']", "5", "list")),
    ("from-config-item-int", lambda: HyperParameters.from_config({"space": [5]}),
     ("hyperparameter config", "5", "dict")),
    ("from-json-list", lambda: HyperParameters.from_json("[1]"),
     ("from_json", "text", "'[1]'", "object")),
    ("from-json-int", lambda: HyperParameters.from_json(5), ("from_json", "text", "5")),
    ("merge-int", lambda: HyperParameters().merge(5), ("merge", "hps", "5", "HyperParameters")),
    ("merge-str", lambda: HyperParameters().merge("abc"), ("merge", "hps", "'abc'")),
    ("merge-item", lambda: HyperParameters().merge([5]), ("merge", "HyperParameter", "5")),
]


def _set_values(value: Any) -> None:
    hp = HyperParameters()
    hp.Int("x", 1, 5)
    hp.values = value


@pytest.mark.parametrize(("make", "fragments"),
                         [pytest.param(m, f, id=i) for i, m, f in TYPE_ERRORS])
def test_a_value_of_the_wrong_type_is_a_type_error(make: Callable[[], Any],
                                                   fragments: tuple[str, ...]) -> None:
    with pytest.raises(SearchSpaceTypeError) as info:
        make()
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)
    missing = [f for f in fragments if f not in str(info.value)]
    assert not missing, f"{missing} not in {str(info.value)!r}"


def test_assigning_values_that_are_not_a_dict_is_a_type_error() -> None:
    with pytest.raises(SearchSpaceTypeError, match=r"HyperParameters.values must be a dict.*5"):
        _set_values(5)
    with pytest.raises(TypeError, match="HyperParameters.values"):
        _set_values([("x", 2)])
    _set_values({"x": 2})  # a dict is fine


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda: Fixed("x", None), "None"),  # documented as a ValueError, as in keras-tuner
    (lambda: Float("x", float("nan"), 1.0), "nan"),  # a float, but not a finite one
    (lambda: Int("x", 1, 5, sampling="exp"), "'exp'"),
    (lambda: Choice("x", []), "non-empty"),
])
def test_a_value_of_the_right_type_stays_a_value_error(make: Callable[[], Any],
                                                       fragment: str) -> None:
    with pytest.raises(SearchSpaceError, match=fragment) as info:
        make()
    assert not isinstance(info.value, TypeError)


def test_an_ordered_iterable_is_still_accepted_as_choice_values() -> None:
    assert Choice("x", (1, 2)).values == [1, 2]
    assert Choice("x", range(3)).values == [0, 1, 2]
    assert Choice("x", (v for v in "ab")).values == ["a", "b"]  # an iterator, read once


@pytest.mark.parametrize(("config", "missing"), [
    ({"class_name": "Int", "config": {"name": "a", "max_value": 3}}, "'min_value'"),
    ({"class_name": "Float", "config": {"name": "a"}}, "'min_value', 'max_value'"),
    ({"class_name": "Choice", "config": {"name": "a"}}, "'values'"),
])
def test_a_config_without_a_required_argument_names_what_it_lacks(config: dict[str, Any],
                                                                  missing: str) -> None:
    # not a TypeError about a private __init__: the config and the missing names
    with pytest.raises(SearchSpaceError, match=f"lacks {missing}") as info:
        HyperParameters.from_config({"space": [config], "values": {}})
    assert config["class_name"] + "(...) needs 'name'" in str(info.value)
