"""A training function that declares a hyperparameter it cannot have (a range upside down, a
misspelt sampling, another library's keyword) stops the search at its first finished trial, when no trial has a result:
every trial would fail the same way. Once a trial has completed, such a failure is that
configuration's, and the search goes on."""

from __future__ import annotations

from pathlib import Path

import pytest
from declaration_jobs import bad_after_the_first, misspelt, optuna_keyword, upside_down

import rung
from rung.errors import SearchSpaceError
from rung.trial_record import TrialStatus


def _tuner(tmp_path: Path, function, **kwargs) -> rung.Tuner:
    return rung.RandomSearch(run_trial=function, objective="loss", max_trials=4, seed=0,
                             directory=tmp_path, project_name="p", verbose=0, **kwargs)


@pytest.mark.parametrize(("function", "said"), [
    (upside_down, "the min_value 0.1 is greater than the max_value 0.0001"),
    (misspelt, "sampling must be one of"),
    (optuna_keyword, "Did you mean sampling='log' for log=?"),
])
@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_trial_stops_the_search(tmp_path: Path, function, said: str,
                                          workers: int) -> None:
    tuner = _tuner(tmp_path, function, max_consecutive_failed_trials=3)
    with pytest.raises(SearchSpaceError, match="stopped after its first finished trial") as info:
        tuner.search(workers=workers)
    assert said in str(info.value) and "retry_failed=True" in str(info.value)
    failed = tuner.storage.trials(TrialStatus.FAILED)
    assert len(failed) == 1  # not max_consecutive_failed_trials of them
    assert said in (tuner.storage.get_trial(failed[0].trial_id).error or "")


def test_after_a_completed_trial_it_fails_only_its_own_trials(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, bad_after_the_first, max_consecutive_failed_trials=10)
    tuner.search()
    assert [t.status for t in tuner.storage.trials()] == [
        TrialStatus.COMPLETED] + [TrialStatus.FAILED] * 3
