"""Small real projects for the report's tests: searches that take a second or two."""

from __future__ import annotations

import math
from pathlib import Path

import rung
from rung.errors import FailedTrialError
from rung.oracles import ASHAOracle

__all__ = ["asha_project", "hyperband_project", "train"]


def train(trial: rung.Trial) -> dict[str, float]:
    """A noisy-free quadratic whose loss falls with epochs; a large learning rate fails."""
    hp = trial.hyperparameters
    lr = hp.Float("learning_rate", 1e-4, 1.0, sampling="log")
    width = hp.Int("width", 8, 128, step=2, sampling="log")
    optimizer = hp.Choice("optimizer", ["sgd", "adam"])
    if lr > 0.5:
        raise FailedTrialError(f"diverged with learning_rate={lr:.3g}")
    state = trial.load_checkpoint() or {"weights": 1.0}
    quality = (math.log10(lr) + 2.0) ** 2 + (math.log2(width) - 5.0) ** 2 / 8
    quality += 0.3 if optimizer == "sgd" else 0.0
    val_loss = quality + state["weights"]
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        state["weights"] *= 0.7
        val_loss = quality + state["weights"]
        trial.report(epoch, val_loss=val_loss, loss=val_loss * 0.9)
    trial.save_checkpoint(state)
    return {"val_loss": val_loss, "loss": val_loss * 0.9}


def hyperband_project(directory: Path, max_epochs: int = 9, seed: int = 0) -> Path:
    """A finished Hyperband search (with failed jobs); returns the project directory."""
    tuner = rung.Hyperband(run_trial=train, objective="val_loss", max_epochs=max_epochs, factor=3,
                           seed=seed, directory=directory, project_name="hyperband", verbose=0,
                           max_consecutive_failed_trials=None)
    tuner.search()
    return Path(tuner.project_dir)


def asha_project(directory: Path) -> Path:
    """A finished ASHA search in its stopping variant: pruned jobs (and failed ones)."""
    oracle = ASHAOracle(objective="val_loss", max_epochs=9, factor=3, max_trials=14,
                        mode="stopping", seed=1)
    tuner = rung.Tuner(oracle, run_trial=train, directory=directory, project_name="asha",
                       verbose=0, max_consecutive_failed_trials=None)
    tuner.search()
    return Path(tuner.project_dir)
