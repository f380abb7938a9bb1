"""Helpers of the fault-injection tests (imported as ``fault_project``): a small Hyperband
project, a reference run, and the check that a project is intact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import rung
from rung.storage import SQLiteStorage
from rung.trial_record import TrialStatus

Snapshot = dict[str, tuple[TrialStatus, float | None]]


def loss_of(x: float, epoch: int) -> float:
    return (x - 0.3) ** 2 + 1.0 / epoch


def plain_train(trial: rung.Trial) -> float:
    """Trains with a checkpoint, as a real job would."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    state = trial.load_checkpoint() or {"epochs_done": 0}
    for epoch in range(state["epochs_done"] + 1, trial.epochs + 1):
        trial.report(epoch, loss=loss_of(x, epoch))
        state["epochs_done"] = epoch
    trial.save_checkpoint(state)
    return loss_of(x, trial.epochs)


def hyperband(directory: Path, train: Callable[..., Any] = plain_train,
              **kwargs: Any) -> rung.Hyperband:
    options: dict[str, Any] = {"objective": "loss", "max_epochs": 9, "factor": 3, "seed": 0,
                               "directory": directory, "project_name": "p", "verbose": 0}
    options.update(kwargs)
    return rung.Hyperband(run_trial=train, **options)


def snapshot(db: Path) -> Snapshot:
    """Every finished trial's status and loss."""
    with SQLiteStorage(db) as storage:
        return {t.trial_id: (t.status, t.loss) for t in storage.trials() if t.status.is_finished}


def assert_intact(db: Path, before: Snapshot) -> list[rung.trial_record.TrialRecord]:
    """The file passes ``integrity_check`` and every result of ``before`` is still stored as it
    was; returns the trials."""
    with SQLiteStorage(db) as storage:
        assert storage.integrity_check() == "ok"
        trials = storage.trials()
    now = {t.trial_id: (t.status, t.loss) for t in trials}
    lost = {k: v for k, v in before.items() if now.get(k) != v}
    assert not lost, lost
    return trials


def results(trials: list[rung.trial_record.TrialRecord]) -> list[tuple]:
    return [(t.trial_id, t.values, t.epochs, t.status, t.loss) for t in trials]


def reference(directory: Path, train: Callable[..., Any] = plain_train,
              **kwargs: Any) -> list[tuple]:
    """The trials of the same search run uninterrupted (in memory, checkpoints in
    ``directory``)."""
    tuner = hyperband(directory, train, storage=rung.storage.InMemoryStorage(), **kwargs)
    tuner.search()
    return results(tuner.storage.trials())


def killed_once(trial: rung.Trial, flag: str) -> float:
    """Trial 00003's worker process dies (SIGKILL, as the out-of-memory killer would) in its
    first attempt, once the job is half done; a job for worker processes (module level)."""
    import os
    import signal

    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=loss_of(x, epoch))
        if trial.trial_id == "00003" and not os.path.exists(flag):
            Path(flag).touch()
            os.kill(os.getpid(), signal.SIGKILL)
    return loss_of(x, trial.epochs)


def first_job_dies(trial: rung.Trial) -> float:
    """Trial 00000's worker process dies (SIGKILL) after declaring its hyperparameters, which
    therefore never reach the driver; the other jobs train as ``plain_train`` (module level)."""
    import os
    import signal

    trial.hyperparameters.Float("x", 0.0, 1.0)
    if trial.trial_id == "00000":
        os.kill(os.getpid(), signal.SIGKILL)
    return plain_train(trial)


def dies_at_epoch_3(trial: rung.Trial) -> float:
    """Trial 00000's worker process dies (SIGKILL) at epoch 3, after reporting epochs 1 and 2;
    the other jobs train as ``plain_train`` (module level)."""
    import os
    import signal

    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        if trial.trial_id == "00000" and epoch == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        trial.report(epoch, loss=loss_of(x, epoch))
    return loss_of(x, trial.epochs)
