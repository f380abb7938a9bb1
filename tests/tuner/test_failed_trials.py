"""Configurations that fail on purpose (``rung.FailedTrialError``) and what stops a search.

A training function raises ``FailedTrialError`` for values it cannot train (too large a batch
for the memory, a combination the model refuses): the job fails at once, without retries.
Once a job of the project has completed, such failures say the configurations are bad, not
that the code is broken, so they do not stop the search however many come in a row. A function
that has never completed a job is still stopped after ``max_consecutive_failed_trials``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import rung
from rung.errors import TooManyFailedTrialsError
from rung.trial_record import TrialStatus


def _refusing(limit: float) -> Callable[[rung.Trial], float]:
    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        assert x is not None  # declared unconditionally
        if x > limit:
            raise rung.FailedTrialError(f"x={x} does not fit in memory")
        return (x - 0.3) ** 2

    return train


def _search(tmp_path: Path, limit: float) -> rung.RandomSearch:
    return rung.RandomSearch(run_trial=_refusing(limit), objective="loss", max_trials=20, seed=0,
                             directory=tmp_path, project_name="oom", verbose=0)


def test_failed_trial_errors_after_a_success_do_not_stop_the_search(tmp_path: Path) -> None:
    tuner = _search(tmp_path, limit=0.2)  # the default first trial (x=0.0) completes
    tuner.search()
    trials = tuner.storage.trials()
    assert len(trials) == 20  # max_trials reached: the search was not stopped
    statuses = [t.status for t in trials]
    assert statuses.count(TrialStatus.FAILED) >= 10
    assert any(statuses[i:i + 3] == [TrialStatus.FAILED] * 3 for i in range(len(statuses) - 2))
    assert tuner.get_best_hyperparameters(1)[0].values["x"] <= 0.2


def test_failed_trial_errors_without_any_success_still_stop_the_search(tmp_path: Path) -> None:
    tuner = _search(tmp_path, limit=-1.0)  # every configuration refused: a bug, not a range
    with pytest.raises(TooManyFailedTrialsError, match="3 trials failed in a row"):
        tuner.search()
    assert [t.status for t in tuner.storage.trials()] == [TrialStatus.FAILED] * 3


def test_errors_after_a_success_stop_the_search_and_say_how_to_go_on(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        assert x is not None
        if x > 0.2:
            raise MemoryError(f"x={x}")
        return x

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=20, seed=0,
                              directory=tmp_path, project_name="oom", verbose=0)
    with pytest.raises(TooManyFailedTrialsError) as caught:
        tuner.search()
    message = str(caught.value)
    assert "MemoryError" in message
    assert "raise rung.FailedTrialError" in message
    assert "max_consecutive_failed_trials" in message
