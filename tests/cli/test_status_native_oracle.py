"""``rung status`` of a search run by an oracle of one's own (docs/architecture.md, "Writing an
oracle"): the plan its tuner stored when the search started gives the progress, "N of M jobs",
as for a built-in oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rung
from native_oracle_example import documented_oracle, lr_space
from native_oracle_example import train as documented_train
from rung.cli import main
from rung.cli.status import project_status
from rung.storage import open_project


def short_then_long(**kwargs: Any) -> rung.oracles.Oracle:
    """The documented ``ShortThenLong``: 8 jobs of 3 epochs, then the best 2 go on to 9
    epochs: 10 jobs, 36 epochs."""
    return documented_oracle()(objective="loss", hyperparameters=lr_space(), seed=0, **kwargs)


def train(trial: rung.Trial) -> dict[str, float]:
    """The documented training function, except that job 00003 ends the search."""
    trial.hyperparameters.Float("lr", 1e-4, 1e-1, sampling="log")
    if trial.trial_id == "00003" and not trial.initial_epoch:
        raise rung.FatalError("the data went away")  # ends the search; the job stays running
    return documented_train(trial)


def status(capsys: pytest.CaptureFixture[str], project: Path) -> str:
    assert main(["status", str(project)]) == 0
    return capsys.readouterr().out


def test_status_shows_a_native_oracles_plan_and_progress(tmp_path: Path, capsys) -> None:
    tuner = rung.Tuner(short_then_long(), run_trial=train, directory=str(tmp_path),
                       project_name="p", verbose=0)
    with pytest.raises(rung.FatalError):
        tuner.search()
    tuner.storage.close()
    out = status(capsys, tmp_path / "p")
    assert "project " in out and ": ShortThenLong, objective loss min" in out
    assert "jobs: 4 of 10 planned (40%): 3 completed, 1 running\n" in out
    assert "epochs: 9 of 36 planned (25%)\n" in out
    with open_project(tmp_path / "p") as storage:
        found = project_status(storage)
    assert (found.jobs_planned, found.epochs_planned) == (10, 36)

    def resumed(trial: rung.Trial) -> dict[str, float]:
        return train(trial) if trial.trial_id != "00003" else {"loss": 5.0}

    again = rung.Tuner(short_then_long(), run_trial=resumed, directory=str(tmp_path),
                       project_name="p", verbose=0)
    again.search()
    again.storage.close()
    out = status(capsys, tmp_path / "p")
    assert "jobs: 10 of 10 planned (100%): 10 completed\n" in out
    assert "epochs: 36 of 36 planned (100%)\n" in out


def test_a_native_oracle_with_no_plan_shows_none(tmp_path: Path, capsys) -> None:
    class Unplanned(type(short_then_long())):  # type: ignore[misc]
        def budget(self) -> rung.oracles.Budget:
            return rung.oracles.Budget(jobs=0)

    tuner = rung.Tuner(Unplanned(objective="loss", n=2, keep=1), run_trial=lambda t: train(t),
                       directory=str(tmp_path), project_name="p", verbose=0)
    tuner.search()
    tuner.storage.close()
    out = status(capsys, tmp_path / "p")
    assert "jobs: 3: 3 completed\n" in out and "epochs: 12\n" in out
