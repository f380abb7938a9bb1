"""search(max_time=..., max_epochs_total=...): a clean stop at a job boundary, and resume extends."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung
import rung.tuner.budget as budget_module
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.trial_record import TrialStatus


def train(trial: rung.Trial) -> float:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=(x - 0.3) ** 2 + 1.0 / epoch)
    return (x - 0.3) ** 2 + 1.0 / trial.epochs


def endless(tmp_path: Path, **kwargs) -> rung.Hyperband:
    return rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                          hyperband_iterations=None, directory=tmp_path, project_name="p",
                          **kwargs)


def trained(tuner: rung.Tuner) -> int:
    return sum((t.epochs if t.epochs_reached is None else t.epochs_reached) - t.initial_epoch
               for t in tuner.storage.trials() if t.status.is_finished)


@pytest.mark.parametrize("workers", [1, 2])
def test_max_epochs_total_stops_an_endless_search_and_a_larger_value_extends_it(
    tmp_path: Path, workers: int, capsys
) -> None:
    tuner = endless(tmp_path)
    tuner.search(max_epochs_total=30, workers=workers)
    first = trained(tuner)
    assert 30 <= first < 30 + 9 * workers  # the jobs running at the limit finished
    assert all(t.status is TrialStatus.COMPLETED for t in tuner.storage.trials())
    out = capsys.readouterr().out
    assert f"search stopped: max_epochs_total=30 reached: the project has trained {first} " \
           "epochs. Run search again with a larger max_epochs_total to continue it" in out

    again = endless(tmp_path)
    again.search(max_epochs_total=30, workers=workers)  # nothing left of this budget
    assert trained(again) == first
    again.search(max_epochs_total=100, workers=workers)
    assert 100 <= trained(again) < 100 + 9 * workers
    assert not again.oracle.finished  # an endless plan is never finished: not an error


def test_max_time_counts_this_calls_time_and_rerunning_continues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    clock = [1000.0]
    monkeypatch.setattr(budget_module, "_clock", lambda: clock[0])

    def slow(trial: rung.Trial) -> float:
        clock[0] += 10.0  # every job takes 10 simulated seconds
        return train(trial)

    tuner = rung.Hyperband(
        run_trial=slow, objective="loss", max_epochs=9, factor=3, seed=0,
        hyperband_iterations=None, directory=tmp_path, project_name="p")
    tuner.search(max_time=35)
    assert tuner.storage.count_trials(TrialStatus.COMPLETED) == 4  # 0, 10, 20, 30 s: start
    assert "search stopped: max_time=35 s reached after 40.0 s. Run search again" in \
        capsys.readouterr().out
    tuner.search(max_time=15)  # a new call, a new clock: two more jobs
    assert tuner.storage.count_trials(TrialStatus.COMPLETED) == 6


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_time": 0}, ConfigurationError, "max_time must be None or a finite number > 0"),
        ({"max_time": "1h"}, ArgumentTypeError, "max_time must be"),
        ({"max_epochs_total": 0}, ConfigurationError, "max_epochs_total must be None or an integer >= 1"),
        ({"max_epochs_total": 2.5}, ArgumentTypeError, "max_epochs_total must be"),
    ],
)
def test_bad_budgets_are_refused_before_any_job(tmp_path: Path, kwargs: dict, error: type,
                                                message: str) -> None:
    calls: list[str] = []

    def spy(trial: rung.Trial) -> float:
        calls.append(trial.trial_id)
        return 1.0

    tuner = rung.RandomSearch(run_trial=spy, objective="loss", max_trials=2, directory=tmp_path,
                              verbose=0)
    with pytest.raises(error, match=message):
        tuner.search(**kwargs)
    assert calls == [] and tuner.storage.count_trials() == 0
