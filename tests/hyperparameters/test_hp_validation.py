"""Every definition error is a SearchSpaceError naming the hyperparameter and the bad value."""

from __future__ import annotations

import pytest

from rung.errors import SearchSpaceError
from rung.hyperparameters import Boolean, Choice, Fixed, Float, HyperParameters, Int

CASES = [
    (lambda: Int("units", 10, 5), ["'units'", "min_value 10", "max_value 5"]),
    (lambda: Float("lr", 1.0, 0.5), ["'lr'", "min_value 1.0", "max_value 0.5"]),
    (lambda: Float("lr", 0.0, 1.0, sampling="log"), ["'lr'", "sampling='log'", "min_value=0.0"]),
    (lambda: Int("u", -1, 8, sampling="reverse_log"), ["'u'", "reverse_log", "min_value=-1"]),
    (lambda: Int("u", 1, 8, step=0), ["'u'", "step=0", "> 0"]),
    (lambda: Float("d", 0, 1, step=-0.1), ["'d'", "step=-0.1", "> 0"]),
    (lambda: Int("u", 1, 8, step=1, sampling="log"), ["'u'", "step=1", "multiplier"]),
    (lambda: Float("d", 0.1, 1, step=0.5, sampling="log"), ["'d'", "step=0.5", "multiplier"]),
    (lambda: Int("u", 1, 8, sampling="exp"), ["'u'", "sampling='exp'", "linear"]),
    (lambda: Int("u", 1, 8, default=9), ["'u'", "default=9", "range"]),
    (lambda: Float("d", 0, 1, default=-0.5), ["'d'", "default=-0.5", "range"]),
    (lambda: Int("u", 1.5, 8), ["'u'", "min_value", "1.5", "int"]),
    (lambda: Int("u", 1, "8"), ["'u'", "max_value", "'8'"]),
    (lambda: Int("u", True, 8), ["'u'", "min_value", "True"]),
    (lambda: Float("d", 0, float("inf")), ["'d'", "max_value", "inf"]),
    (lambda: Choice("act", []), ["'act'", "empty"]),
    (lambda: Choice("act", "relu"), ["'act'", "list", "'relu'"]),
    (lambda: Choice("act", ["relu", 1]), ["'act'", "mix", "int", "str"]),
    (lambda: Choice("act", [True, 1]), ["'act'", "mix", "bool", "int"]),
    (lambda: Choice("act", ["a", None]), ["'act'", "values[1]", "None"]),
    (lambda: Choice("act", ["a", ["b"]]), ["'act'", "values[1]", "['b']"]),
    (lambda: Choice("act", ["a", "a"]), ["'act'", "'a'", "more than once"]),
    (lambda: Choice("act", ["a", "b"], default="c"), ["'act'", "default='c'", "['a', 'b']"]),
    (lambda: Choice("act", ["a", "b"], ordered=True), ["'act'", "ordered=True", "numeric"]),
    (lambda: Choice("n", [1.0, float("nan")]), ["'n'", "values[1]", "nan"]),
    (lambda: Boolean("flag", default="yes"), ["'flag'", "default", "'yes'"]),
    (lambda: Fixed("opt", object), ["'opt'", "value", "JSON scalar"]),
    (lambda: Int(3, 1, 2), ["name", "3"]),
    (lambda: Choice("", ["a"]), ["name", "''"]),
]


@pytest.mark.parametrize(("make", "fragments"), CASES)
def test_invalid_definitions(make, fragments):
    with pytest.raises(SearchSpaceError) as info:
        make()
    assert isinstance(info.value, ValueError)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_container_methods_raise_the_same_errors():
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError, match="'units'.*min_value 10"):
        hp.Int("units", 10, 5)
    with pytest.raises(SearchSpaceError, match="default='c'"):
        hp.Choice("act", ["a", "b"], default="c")
    with pytest.raises(SearchSpaceError, match="name must be a non-empty str, got 7"):
        hp.Float(7, 0, 1)
    assert hp.space == [] and dict(hp.values) == {}


@pytest.mark.parametrize(
    ("first", "second", "fragment"),
    [
        (lambda hp: hp.Int("x", 1, 10), lambda hp: hp.Int("x", 1, 11), "max_value: 11"),
        (lambda hp: hp.Int("x", 1, 10), lambda hp: hp.Float("x", 1, 10), "Float("),
        (
            lambda hp: hp.Int("x", 1, 16, step=2, sampling="log"),
            lambda hp: hp.Int("x", 1, 16, step=2),
            "sampling: linear",
        ),
        (lambda hp: hp.Choice("x", ["a", "b"]), lambda hp: hp.Choice("x", ["a"]), "['a']"),
        (lambda hp: hp.Choice("x", [1, 2]), lambda hp: hp.Choice("x", [1.0, 2.0]), "[1.0, 2.0]"),
        (lambda hp: hp.Boolean("x"), lambda hp: hp.Boolean("x", default=True), "default: True"),
        (lambda hp: hp.Fixed("x", 1), lambda hp: hp.Fixed("x", 2), "value: 2"),
    ],
)
def test_conflicting_redefinition(first, second, fragment):
    hp = HyperParameters()
    first(hp)
    before = hp.get_config()
    with pytest.raises(SearchSpaceError) as info:
        second(hp)
    message = str(info.value)
    assert "'x'" in message and "already defined as" in message and fragment in message
    assert hp.get_config() == before


def test_parent_arguments_must_come_together():
    hp = HyperParameters()
    hp.Boolean("b")
    with pytest.raises(SearchSpaceError, match="parent_values=None"):
        hp.Int("x", 1, 2, parent_name="b")
    with pytest.raises(SearchSpaceError, match="parent_name=None"):
        hp.Int("x", 1, 2, parent_values=[True])


def test_conditional_scope_needs_a_defined_parent():
    hp = HyperParameters()
    with (
        pytest.raises(SearchSpaceError, match="'missing' is not defined"),
        hp.conditional_scope("missing", ["a"]),
    ):
        pass
    with pytest.raises(SearchSpaceError, match="'missing' is not defined"):
        hp.Int("x", 1, 2, parent_name="missing", parent_values=[1])
    assert hp.space == []


def test_name_scope_name_must_be_a_str():
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError, match="got None"), hp.name_scope(None):
        pass


@pytest.mark.parametrize(
    ("kind", "args"),
    [("Int", (0, 5, 10, "linear")), ("Float", (0.0, 0.5, 1.0, "linear")),
     ("Int", (1, 5, 10, "log")), ("Float", (1.0, 2.0, 3.0, "log"))],
)
def test_a_step_that_does_not_fit_in_the_range_is_rejected(kind, args):
    lo, hi, step, sampling = args
    hp = HyperParameters()
    with pytest.raises(SearchSpaceError, match=r"step=.* does not fit in .*the only value would be"):
        getattr(hp, kind)("x", lo, hi, step=step, sampling=sampling)


def test_a_step_that_fits_but_misses_max_is_allowed_like_keras_tuner_docs():
    hp = HyperParameters()
    hp.Int("units", 6, 13, step=3)
    assert hp.space[0].grid_values() == [6, 9, 12]
