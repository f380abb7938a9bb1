"""A training function that reports the objective per epoch but returns a dict without it: the
error that stops the search says the reports were replaced by the returned dict, rather than
only "Report 'val_loss'", which it did."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung
from rung.errors import ObjectiveNotReportedError


def _returns_other_metrics(trial: rung.Trial) -> dict[str, float]:
    lr = trial.hyperparameters.Float("lr", 1e-4, 1e-1)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, val_loss=lr / epoch, acc=1 - lr)
    return {"acc": 1 - lr}


def _reports_other_metrics(trial: rung.Trial) -> None:
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, acc=trial.hyperparameters.Float("lr", 1e-4, 1e-1))


def test_a_returned_dict_without_the_reported_objective_is_named_as_the_cause(
        tmp_path: Path) -> None:
    tuner = rung.Hyperband(run_trial=_returns_other_metrics, objective="val_loss", max_epochs=3,
                           factor=3, directory=tmp_path, project_name="r", verbose=0)
    with pytest.raises(ObjectiveNotReportedError, match=(
            r"Its trial.report calls did report 'val_loss', but a returned dict is the job's "
            r"result in their place: return None to take the best reported epoch, or put "
            r"'val_loss' in the returned dict")):
        tuner.search()


def test_an_objective_never_reported_gets_no_such_note(tmp_path: Path) -> None:
    tuner = rung.Hyperband(run_trial=_reports_other_metrics, objective="val_loss", max_epochs=3,
                           factor=3, directory=tmp_path, project_name="n", verbose=0)
    with pytest.raises(ObjectiveNotReportedError) as raised:
        tuner.search()
    assert "did report" not in str(raised.value)
