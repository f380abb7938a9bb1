"""A training function that changes the working directory (``os.chdir(trial.checkpoint_dir)``,
so that a framework writes its files there) does not move the next job, nor the driver's script
after ``search``, into that directory, deleted by then."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import rung
from rung.executors import execute
from rung.executors.base import JobSpec, Outcome
from rung.trial_record import TrialRecord

_started_in: list[str] = []


def _moves_into_its_directory(trial: rung.Trial) -> float:
    _started_in.append(os.getcwd())
    os.chdir(trial.checkpoint_dir)
    Path("weights.txt").write_text("w")  # a framework's relative file, in the trial's directory
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    return x


def _moves_and_fails(trial: rung.Trial, where: str) -> float:
    os.chdir(where)
    raise RuntimeError("failed after a chdir")


@pytest.mark.parametrize("checkpoints_travel", [False, True], ids=["shared", "scratch"])
def test_execute_restores_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                checkpoints_travel: bool) -> None:
    monkeypatch.chdir(tmp_path)
    spec = JobSpec(record=TrialRecord("00000", {}, initial_epoch=0, epochs=1), attempt=1,
                   function=_moves_into_its_directory, objective=rung.Objective("loss", "min"),
                   checkpoint_root=None if checkpoints_travel else str(tmp_path / "trials"))
    result = execute(spec)
    assert result.outcome is Outcome.COMPLETED
    assert os.getcwd() == str(tmp_path)
    if checkpoints_travel:  # the scratch directory it moved into is gone; its file came back
        assert result.checkpoint == {"weights.txt": b"w"}
    else:
        assert (tmp_path / "trials" / "00000" / "weights.txt").exists()


def test_execute_restores_it_after_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    spec = JobSpec(record=TrialRecord("00000", {}), attempt=1, function=_moves_and_fails,
                   args=(str(tmp_path / "elsewhere"),), objective=rung.Objective("loss", "min"),
                   checkpoint_root=str(tmp_path / "trials"))
    assert execute(spec).outcome is Outcome.ERROR
    assert os.getcwd() == str(tmp_path)


def test_every_job_and_the_driver_keep_their_directory(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _started_in.clear()
    tuner = rung.Hyperband(run_trial=_moves_into_its_directory, objective="loss", max_epochs=9,
                           factor=3, seed=0, directory="runs", project_name="cwd",
                           keep_checkpoints=1, verbose=0)
    tuner.search()  # in the driver: keep_checkpoints=1 deletes the directories jobs moved into
    assert len(_started_in) == 22 and set(_started_in) == {str(tmp_path)}
    assert os.getcwd() == str(tmp_path)
    assert all(r.status is rung.TrialStatus.COMPLETED for r in tuner.storage.trials())
