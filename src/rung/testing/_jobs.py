"""Training functions the executor kit runs: module level, so every worker can unpickle them.

They import only ``rung``, so a worker that can run a rung job can run them (a Ray or Dask worker
needs ``rung`` importable, as for any search).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from rung.errors import FailedTrialError
from rung.trial import Trial

__all__ = ["curve", "flaky", "promoted_state", "stopping", "train"]


def curve(values: Mapping[str, Any], epoch: int) -> float:
    """A learning curve: better with epochs, best near x = 0.3."""
    return float((values["x"] - 0.3) ** 2 + 1.0 / epoch)


def train(trial: Trial) -> dict[str, float]:
    """Hyperband-style training with a checkpointed history (continuation is checked)."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    state = trial.load_checkpoint() or {"done": 0, "history": [], "pids": []}
    if state["done"] != trial.initial_epoch:
        raise FailedTrialError(f"resumed at {state['done']}, expected {trial.initial_epoch}")
    epochs = trial.epochs or 1
    for epoch in range(trial.initial_epoch + 1, epochs + 1):
        state["history"].append(epoch)
        state["done"] = epoch
        trial.report(epoch, val_loss=curve({"x": x}, epoch))
    state["pids"].append(os.getpid())
    (trial.checkpoint_dir / "native.txt").write_text(f"{trial.trial_id}:{epochs}")
    trial.save_checkpoint(state)
    return {"val_loss": curve({"x": x}, epochs)}


def promoted_state(trial: Trial, marker: str) -> dict[str, float]:
    """Like ``train``, and checks that the job does not train in the project directory when
    checkpoints travel (``marker`` is the driver's project directory)."""
    if str(trial.checkpoint_dir).startswith(marker):
        raise FailedTrialError(f"trained in the driver's directory {trial.checkpoint_dir}")
    parent = trial.parent_checkpoint_dir
    if parent is not None and (parent / "native.txt").read_text().split(":")[0] != trial.parent_id:
        raise FailedTrialError("the parent's native checkpoint file did not travel")
    return train(trial)


def flaky(trial: Trial) -> dict[str, float]:
    """The first attempt of trial 00002 raises; its retry trains."""
    if trial.trial_id == "00002" and trial.record.attempts == 0:
        raise RuntimeError("transient")
    return train(trial)


def stopping(trial: Trial) -> dict[str, float]:
    """Reports every epoch to ``trial.epochs``; a stopping scheduler may stop it."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    epochs = trial.epochs or 1
    for epoch in range(trial.initial_epoch + 1, epochs + 1):
        trial.report(epoch, val_loss=curve({"x": x}, epoch))
    return {"val_loss": curve({"x": x}, epochs)}
