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


def test_results_summary_lists_failed_trials_after_fewer_completed_ones(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """keras-tuner's summary fills up with failed trials, with their error, when fewer trials
    completed than it shows; the best hyperparameters stay the completed trials'."""
    tuner = rung.RandomSearch(run_trial=_refusing(0.2), objective="loss", max_trials=4, seed=0,
                              directory=tmp_path, project_name="oom", verbose=0)
    tuner.search()
    done = [t for t in tuner.oracle.trials.values() if t.status is TrialStatus.COMPLETED]
    failed = sorted(t.trial_id for t in tuner.oracle.trials.values()
                    if t.status is TrialStatus.FAILED)
    assert len(done) == 2 and len(failed) == 2
    capsys.readouterr()
    tuner.results_summary(3)
    out = capsys.readouterr().out
    shown = [line.split()[1] for line in out.splitlines() if line.endswith(" summary")
             and line.startswith("Trial ")]
    best = sorted(done, key=lambda t: t.score)
    assert shown == [best[0].trial_id, best[1].trial_id, failed[0]]  # completed ones first
    assert out.count("Status: FAILED") == 1  # with its traceback, as keras-tuner prints it
    assert out.count("rung.errors.FailedTrialError: x=") == 1
    tuner.results_summary(2)
    assert "FAILED" not in capsys.readouterr().out
    assert len(tuner.get_best_hyperparameters(3)) == 2
