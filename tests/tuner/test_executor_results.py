"""A result the executor returns for a job that is not running (a custom executor's bug) is left
out with a warning: the search it belongs to goes on and counts each job once."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung
from rung.executors import InProcessExecutor
from rung.executors.base import JobResult
from rung.trial_record import TrialStatus


class _ReturnsTwice(InProcessExecutor):
    """Returns each result again with the next one (what ``check_executor`` reports)."""

    def __init__(self) -> None:
        super().__init__()
        self.again: list[JobResult] = []

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        results = super().wait(timeout)
        out, self.again = self.again + results, results[:1]
        return out


def test_a_result_returned_twice_is_left_out_with_a_warning(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        return trial.hyperparameters.Float("x", 0.0, 1.0)

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=4, seed=0,
                              directory=tmp_path, project_name="p", verbose=0)
    with pytest.warns(RuntimeWarning, match=r"_ReturnsTwice returned a result of trial "
                                            r"'0000\d' \(attempt 1\), which is not running"):
        tuner.search(executor=_ReturnsTwice())
    assert tuner.storage.count_trials(TrialStatus.COMPLETED) == 4
    assert len(tuner.oracle.trials) == 4
