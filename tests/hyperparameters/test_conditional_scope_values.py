"""conditional_scope refuses parent values that can never occur (bad-input review, C4), checked
against the definitions of the parent the scope can apply to, and never against a definition
that overrode the one the code declared."""

from __future__ import annotations

import pytest

from rung.errors import SearchSpaceError
from rung.hyperparameters import HyperParameters


def test_a_value_not_among_a_choices_values_is_refused() -> None:
    hp = HyperParameters()
    hp.Choice("m", ["a", "b"])
    with pytest.raises(SearchSpaceError) as info, hp.conditional_scope("m", ["zzz"]):
        hp.Int("y", 1, 2)
    message = str(info.value)
    for fragment in ("'m'", "'zzz'", "['a', 'b']", "never"):
        assert fragment in message
    assert [p.name for p in hp.space] == ["m"]  # nothing declared inside


def test_one_bad_value_among_good_ones_is_refused() -> None:
    hp = HyperParameters()
    hp.Choice("m", ["a", "b"])
    with pytest.raises(SearchSpaceError, match=r"\['c'\]"):
        hp.Int("y", 1, 2, parent_name="m", parent_values=["a", "c"])


def test_boolean_and_fixed_parents_are_checked() -> None:
    hp = HyperParameters()
    hp.Boolean("dropout")
    hp.Fixed("opt", "adam")
    with pytest.raises(SearchSpaceError, match=r"\['yes'\] of parent 'dropout'.*\[False, True\]"):
        hp.Float("rate", 0.0, 0.5, parent_name="dropout", parent_values="yes")
    with pytest.raises(SearchSpaceError, match=r"\['sgd'\] of parent 'opt'.*\['adam'\]"):
        hp.Float("momentum", 0.0, 0.9, parent_name="opt", parent_values="sgd")


def test_values_equal_to_a_parent_value_are_accepted_as_is_active_matches_them() -> None:
    hp = HyperParameters()
    hp.Boolean("dropout", default=True)
    hp.Choice("n", [1, 2])
    assert hp.Float("rate", 0.0, 0.5, parent_name="dropout", parent_values=1) == 0.0
    assert hp.Int("k", 1, 3, parent_name="n", parent_values=[1.0]) == 1


def test_the_definition_the_scope_applies_to_decides() -> None:
    """``act`` has other values under ``model == "mlp"``: inside that scope only those can
    occur; outside any scope on ``model``, the values of every definition can."""
    hp = HyperParameters()
    hp.Choice("model", ["cnn", "mlp"])
    with hp.conditional_scope("model", "cnn"):
        hp.Choice("act", ["relu", "tanh"])
    with hp.conditional_scope("model", "mlp"):
        hp.Choice("act", ["sigmoid", "elu"])
        with hp.conditional_scope("act", "elu"):
            hp.Int("alpha", 1, 3)
        with pytest.raises(SearchSpaceError, match=r"\['relu'\] of parent 'act'.*\['sigmoid', 'elu'\]"), \
                hp.conditional_scope("act", "relu"):
            pass
    with hp.conditional_scope("act", ["relu", "elu"]):  # each occurs under one model
        hp.Int("units", 8, 64)
    with pytest.raises(SearchSpaceError, match=r"\['relu', 'tanh', 'sigmoid', 'elu'\]"), \
            hp.conditional_scope("act", "gelu"):
        pass


def test_a_value_of_a_definition_that_was_overridden_is_accepted() -> None:
    """A pin (``Fixed`` first), a tuner's ``hyperparameters=`` or "first definition wins" keep
    the model's own definition out of the space; its scopes still name its values."""
    pinned = HyperParameters()
    pinned.Fixed("version", "v1")
    assert pinned.Choice("version", ["v1", "v2"]) == "v1"
    with pinned.conditional_scope("version", "v2"):
        assert pinned.Int("depth", 1, 3) is None
    copied = pinned.copy()  # a trial's copy keeps what the build declared
    with copied.conditional_scope("version", "v2"):
        pass

    tuner_hp = HyperParameters()
    tuner_hp.Choice("version", ["v1"])
    tuner_hp._pin_definitions()  # what an oracle does with hyperparameters=
    tuner_hp.Choice("version", ["v1", "v2", "next"])
    with tuner_hp.conditional_scope("version", ["v2", "next"]):
        tuner_hp.Int("depth", 1, 3)

    caller = HyperParameters()
    caller.Choice("version", ["v1"])
    with caller._caller_definitions_win():
        caller.Choice("version", ["v1", "v2"])
        with caller.conditional_scope("version", "v2"):
            caller.Int("depth", 1, 3)
        with pytest.raises(SearchSpaceError, match="'v3'"), \
                caller.conditional_scope("version", "v3"):
            pass


def test_ranges_are_not_checked() -> None:
    hp = HyperParameters()
    hp.Int("layers", 1, 3)
    hp.Float("m", 0.0, 1.0)
    with hp.conditional_scope("layers", [2, 3]), hp.conditional_scope("m", 0.5):
        hp.Int("width", 1, 4)
