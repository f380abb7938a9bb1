"""conditional_scope warns when none of its parent values can occur (bad-input review, C4),
checked against the definitions of the parent the scope can apply to, and never against a
definition that overrode the one the code declared. A warning, not an error: a parent narrowed
for a run (a Choice reduced to Fixed) leaves valid blocks that never run, as keras-tuner allows."""

from __future__ import annotations

import warnings

import pytest

from rung.hyperparameters import HyperParameters


def test_a_scope_none_of_whose_values_can_occur_warns() -> None:
    hp = HyperParameters()
    hp.Choice("m", ["a", "b"])
    with pytest.warns(UserWarning) as caught, hp.conditional_scope("m", ["zzz"]):
        assert hp.Int("y", 1, 2) is None
    message = str(caught[0].message)
    for fragment in ("'m'", "['zzz']", "['a', 'b']", "never active"):
        assert fragment in message
    assert caught[0].filename == __file__  # points at the user's line


def test_a_scope_with_some_values_that_occur_is_silent() -> None:
    hp = HyperParameters()
    hp.Choice("n", [1, 2, 3])
    hp.Choice("opt", ["adam", "sgd"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(3):
            with hp.conditional_scope("n", list(range(i + 1, 5))):  # 4 never occurs: fine
                hp.Int(f"u{i}", 1, 3)
        hp.Int("y", 1, 2, parent_name="opt", parent_values=["sgd", "rmsprop"])


def test_boolean_and_fixed_parents_are_checked_and_a_narrowed_parent_is_valid() -> None:
    hp = HyperParameters()
    hp.Boolean("dropout")
    hp.Fixed("m", "cnn")  # a Choice narrowed for a debug run
    with pytest.warns(UserWarning, match=r"'dropout' \(Boolean\) takes none of the values "
                                         r"\['yes'\].*\[False, True\]"):
        hp.Float("rate", 0.0, 0.5, parent_name="dropout", parent_values="yes")
    with pytest.warns(UserWarning, match=r"'m' \(Fixed\).*\['mlp'\].*\['cnn'\]"), \
            hp.conditional_scope("m", "mlp"):
        assert hp.Int("layers", 1, 3) is None  # valid: the block just never runs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with hp.conditional_scope("m", ["mlp", "cnn"]):
            assert hp.Int("width", 1, 3) == 1


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
        with pytest.warns(UserWarning, match=r"\['relu'\] \(its values are \['sigmoid', 'elu'\]"), \
                hp.conditional_scope("act", "relu"):
            pass
    with hp.conditional_scope("act", ["relu", "elu"]):  # each occurs under one model
        hp.Int("units", 8, 64)
    with pytest.warns(UserWarning, match=r"\['relu', 'tanh', 'sigmoid', 'elu'\]"), \
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
        with pytest.warns(UserWarning, match="'v3'"), \
                caller.conditional_scope("version", "v3"):
            pass


def test_ranges_are_not_checked() -> None:
    hp = HyperParameters()
    hp.Int("layers", 1, 3)
    hp.Float("m", 0.0, 1.0)
    with hp.conditional_scope("layers", [2, 3]), hp.conditional_scope("m", 0.5):
        hp.Int("width", 1, 4)
