"""A training function's return value of the wrong type is named as the user wrote it: a plain
function passed as ``run_trial=`` is told what such a function may return
(docs/training-functions.md, "Return values"); a subclass overriding ``Tuner.run_trial`` keeps
keras-tuner's wording."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import rung
from rung.errors import FatalTypeError

_RESULTS: dict[str, Any] = {
    "str": "0.5",
    "None": None,
    "list of text": ["a"],
    "tuple of numbers": (0.1, 0.5),  # `return loss, acc`: refused, not averaged to 0.3
    "list of numbers": [0.1, 0.5],
}


def _search(tmp_path: Path, result: Any) -> str:
    def train(trial: rung.Trial) -> Any:
        trial.hyperparameters.Float("x", 0.0, 1.0)
        return result

    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=3, factor=3,
                           hyperband_iterations=1, directory=tmp_path, project_name="p",
                           verbose=0)
    with pytest.raises(FatalTypeError) as info:
        tuner.search()
    return str(info.value)


@pytest.mark.parametrize("result", list(_RESULTS.values()), ids=list(_RESULTS))
def test_a_plain_function_is_told_what_it_may_return(tmp_path: Path, result: Any) -> None:
    message = _search(tmp_path, result)
    assert message.startswith("The training function train(trial) returned ")
    assert "a number (the objective 'loss'), a dict of metric numbers" in message
    assert "None after trial.report(epoch, ...) calls" in message
    assert "History" not in message and "run_trial()" not in message


def test_a_plain_function_returning_none_is_asked_whether_it_forgot(tmp_path: Path) -> None:
    message = _search(tmp_path, None)
    assert "returned None and reported no epoch. Did you forget to return the metrics?" in message


def test_a_plain_function_returning_a_model_in_its_dict(tmp_path: Path) -> None:
    message = _search(tmp_path, {"loss": 0.1, "model": object()})
    assert message.startswith("The training function train(trial) returned a dict whose value "
                              "for 'model' is not a number: object")
    assert "run_trial()" not in message


class _Custom(rung.RandomSearch):
    def run_trial(self, trial: rung.Trial, *args: Any, **kwargs: Any) -> Any:
        trial.hyperparameters.Float("x", 0.0, 1.0)
        return self.result


@pytest.mark.parametrize("result", ["0.5", None])
def test_a_subclass_keeps_keras_tuners_wording(tmp_path: Path, result: Any) -> None:
    tuner = _Custom(objective="loss", max_trials=1, directory=tmp_path, project_name="p",
                    verbose=0)
    tuner.result = result
    with pytest.raises(FatalTypeError, match=r"Tuner\.run_trial\(\)") as info:
        tuner.search()
    assert "keras" in str(info.value) and "training function" not in str(info.value)


_ONE_ELEMENT = {  # what trial.report(epoch, loss=...) takes, returned instead
    "numpy 1-element array in a dict": lambda x: {"loss": np.array([x])},
    "torch 1-element tensor in a dict": lambda x: {"loss": torch.tensor([x])},
    "numpy 1-element array": lambda x: np.array([x]),
    "torch 1-element tensor": lambda x: torch.tensor([x], dtype=torch.float64),
    "numpy float32": lambda x: np.float32(x),
}


@pytest.mark.parametrize("make", list(_ONE_ELEMENT.values()), ids=list(_ONE_ELEMENT))
def test_a_returned_metric_is_taken_as_trial_report_takes_it(tmp_path: Path, make: Any) -> None:
    def train(trial: rung.Trial) -> Any:
        return make(trial.hyperparameters.Float("x", 0.0, 1.0))

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=2, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    tuner.search()
    for trial in tuner.oracle.trials.values():
        assert trial.score == pytest.approx(trial.hyperparameters["x"], rel=1e-6)


@pytest.mark.parametrize("result", [{"loss": True}, np.bool_(True), {"loss": np.bool_(False)}],
                         ids=["bool in a dict", "numpy bool", "numpy bool in a dict"])
def test_a_returned_bool_is_no_metric_as_in_trial_report(tmp_path: Path, result: Any) -> None:
    message = _search(tmp_path, result)
    assert "bool" in message
