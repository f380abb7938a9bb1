"""Training functions for the executor tests, importable by worker processes (module level).

``conftest.py`` puts this directory on ``sys.path`` (and on ``PYTHONPATH`` for Ray workers), so
pickles refer to them as ``rung_test_jobs.<name>``.
"""

from __future__ import annotations

import os
from pathlib import Path

import rung

__all__ = ["SubclassTuner", "curve", "flaky", "hang_once", "killed_once", "promoted_state", "stopping", "train"]


def curve(values: dict, epoch: int) -> float:
    """A learning curve: better with epochs, best near x = 0.3."""
    return (values["x"] - 0.3) ** 2 + 1.0 / epoch


def train(trial: rung.Trial) -> dict[str, float]:
    """Hyperband-style training with a checkpointed history (continuation is checked)."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    state = trial.load_checkpoint() or {"done": 0, "history": [], "pids": []}
    if state["done"] != trial.initial_epoch:
        raise rung.FailedTrialError(f"resumed at {state['done']}, expected {trial.initial_epoch}")
    epochs = trial.epochs or 1
    for epoch in range(trial.initial_epoch + 1, epochs + 1):
        state["history"].append(epoch)
        state["done"] = epoch
        trial.report(epoch, val_loss=curve({"x": x}, epoch))
    state["pids"].append(os.getpid())
    (trial.checkpoint_dir / "native.txt").write_text(f"{trial.trial_id}:{epochs}")
    trial.save_checkpoint(state)
    return {"val_loss": curve({"x": x}, epochs)}


def promoted_state(trial: rung.Trial, marker: str) -> dict[str, float]:
    """Like ``train``, and checks that the project directory is not where the job trains when
    checkpoints travel (``marker`` is the driver's project directory)."""
    if str(trial.checkpoint_dir).startswith(marker):
        raise rung.FailedTrialError(f"trained in the driver's directory {trial.checkpoint_dir}")
    parent = trial.parent_checkpoint_dir
    if parent is not None and (parent / "native.txt").read_text().split(":")[0] != trial.parent_id:
        raise rung.FailedTrialError("the parent's native checkpoint file did not travel")
    return train(trial)


def flaky(trial: rung.Trial) -> dict[str, float]:
    """The first attempt of trial 00002 raises; its retry trains."""
    if trial.trial_id == "00002" and trial.record.attempts == 0:
        raise RuntimeError("transient")
    return train(trial)


def _first_run(flags: str, name: str) -> bool:
    """True exactly once per ``name``, whichever process asks (an O_EXCL flag file)."""
    try:
        fd = os.open(Path(flags) / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def killed_once(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Trial 00003's first run hands its pid to the test through the FIFO ``pid.fifo``, then
    blocks (opening ``block.fifo``, which nobody writes) until the test kills its process."""
    if trial.trial_id == "00003" and _first_run(flags, "started"):
        with open(Path(flags) / "pid.fifo", "w") as fifo:
            fifo.write(str(os.getpid()))
        with open(Path(flags) / "block.fifo"):
            pass
    return train(trial)


def hang_once(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Trial 00001's first run never returns (blocked on a FIFO nobody writes)."""
    if trial.trial_id == "00001" and _first_run(flags, "hung"):
        with open(Path(flags) / "block.fifo"):
            pass
    return train(trial)


def stopping(trial: rung.Trial) -> dict[str, float]:
    """Reports every epoch to ``trial.epochs``; a stopping scheduler may stop it."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, val_loss=curve({"x": x}, epoch))
    return {"val_loss": curve({"x": x}, trial.epochs)}


class SubclassTuner(rung.Tuner):
    """keras-tuner style: ``run_trial`` overridden in a subclass (sent to workers whole)."""

    def run_trial(self, trial: rung.Trial, *args: object, **kwargs: object) -> dict[str, float]:
        return train(trial)
