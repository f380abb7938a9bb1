"""A report made after ``run_trial`` returned (by a thread the training function started) is
refused away from the driver, as it is in the driver: it no longer reaches the worker's pipe,
which by then carries the answers and the jobs of other trials."""

from __future__ import annotations

import pytest

import rung
from rung.executors import execute
from rung.executors.base import JobSpec, Outcome
from rung.trial_record import TrialRecord

_kept: list[rung.Trial] = []


def _keeps_its_trial(trial: rung.Trial) -> float:
    trial.report(1, loss=0.5)
    _kept.append(trial)  # as a thread of the training function would: it outlives the call
    return 0.5


class _Channel:
    def __init__(self) -> None:
        self.reports: list[tuple[str, int, dict[str, float]]] = []

    def report(self, trial_id: str, epoch: int, metrics: dict[str, float]) -> bool:
        self.reports.append((trial_id, epoch, metrics))
        return True


def _spec() -> JobSpec:
    record = TrialRecord("00007", {}, initial_epoch=0, epochs=3)
    return JobSpec(record=record, attempt=1, function=_keeps_its_trial,
                   objective=rung.Objective("loss", "min"), live_decisions=True)


@pytest.mark.parametrize("live", [True, False], ids=["worker-process", "dask-or-ray"])
def test_a_report_after_run_trial_returned_is_refused_and_never_sent(live: bool) -> None:
    _kept.clear()
    channel = _Channel() if live else None
    result = execute(_spec(), channel=channel)
    assert result.outcome is Outcome.COMPLETED
    trial = _kept.pop()
    with pytest.raises(ValueError, match=r"trial '00007' is already finished.*after run_trial"):
        trial.report(2, loss=0.1)
    if channel is not None:
        assert channel.reports == [("00007", 1, {"loss": 0.5})]  # the late one never sent
    else:
        assert result.reports == [(1, {"loss": 0.5})]
