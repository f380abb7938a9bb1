"""A declaring method called with arguments it does not take (another library's keyword, a
missing bound) raises SearchSpaceTypeError, still a TypeError, naming the hyperparameter, the
keyword rung expects and the method's parameters; the search loop then stops at the first trial
(tests/tuner/test_bad_declaration.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from rung.errors import SearchSpaceTypeError
from rung.hyperparameters import HyperParameters

CASES: list[tuple[str, Callable[[HyperParameters], Any], tuple[str, ...]]] = [
    ("optuna-log", lambda hp: hp.Float("lr", 1e-4, 1e-1, log=True),
     ("hp.Float('lr', ...)", "'log'", "sampling='log' for log=", "sampling='linear'")),
    ("low-high", lambda hp: hp.Int("units", low=32, high=512),
     ("hp.Int('units', ...)", "min_value= for low=", "max_value= for high=")),
    ("choices", lambda hp: hp.Choice("act", choices=["relu", "tanh"]),
     ("hp.Choice('act', ...)", "values= for choices=")),
    ("name-as-keyword", lambda hp: hp.Boolean(name="bn", dflt=True),
     ("hp.Boolean('bn', ...)", "'dflt'", "default=False")),
    ("missing-bound", lambda hp: hp.Int("units", 32),
     ("hp.Int('units', ...)", "max_value", "min_value, max_value, step=None")),
    ("extra-positional", lambda hp: hp.Fixed("seed", 1, 2, 3, 4),
     ("hp.Fixed('seed', ...)", "positional", "name, value, parent_name=None")),
]


@pytest.mark.parametrize(("call", "said"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_a_call_that_does_not_bind_names_what_is_meant(call: Callable[[HyperParameters], Any],
                                                       said: tuple[str, ...]) -> None:
    hp = HyperParameters()
    with pytest.raises(SearchSpaceTypeError) as info:
        call(hp)
    assert isinstance(info.value, TypeError)  # what keras-tuner code may catch
    for part in said:
        assert part in str(info.value)
    assert hp.space == []  # nothing declared


def test_errors_raised_inside_a_declaration_keep_their_own_message() -> None:
    with pytest.raises(SearchSpaceTypeError, match="min_value") as info:
        HyperParameters().Int("units", "32", 512)
    assert "Did you mean" not in str(info.value) and "Its parameters" not in str(info.value)


def test_the_methods_keep_their_names_and_signatures() -> None:
    import inspect
    assert HyperParameters.Float.__name__ == "Float"
    assert list(inspect.signature(HyperParameters.Int).parameters)[:3] == [
        "self", "name", "min_value"]
