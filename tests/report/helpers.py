"""Hand-made snapshots for the report's pure functions."""

from __future__ import annotations

from typing import Any

from rung.report.snapshot import ObjectiveInfo, ParamSpec, Snapshot
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["job", "snapshot"]

HB_SETTINGS = {"oracle": "HyperbandOracle", "objective": {"name": "val_loss", "direction": "min"},
               "seed": 0, "max_epochs": 9, "factor": 3, "hyperband_iterations": 1}


def job(trial_id: str, *, bracket: int | None = 2, rung: int | None = 0, epochs: int = 1,
        initial_epoch: int = 0, parent_id: str | None = None, value: float | None = None,
        status: TrialStatus = TrialStatus.COMPLETED, iteration: int = 0,
        values: dict[str, Any] | None = None, finished_at: float | None = None,
        error: str | None = None) -> TrialRecord:
    metrics = {} if value is None else {"val_loss": value, "loss": value * 0.9}
    return TrialRecord(
        trial_id=trial_id, values=values or {"lr": 0.01}, status=status, epochs=epochs,
        initial_epoch=initial_epoch, parent_id=parent_id, bracket=bracket, rung=rung,
        iteration=iteration, metrics=metrics,
        loss=value if status is TrialStatus.COMPLETED else None,
        created_at=1000.0 + int(trial_id), error=error,
        finished_at=None if status is TrialStatus.RUNNING else (
            finished_at if finished_at is not None else 1000.5 + int(trial_id)),
        epochs_reached=None if status in (TrialStatus.RUNNING, TrialStatus.FAILED) else epochs)


def snapshot(*trials: TrialRecord, curves: dict[str, list[tuple[int, float | None]]] | None = None,
             settings: dict[str, Any] | None = None, space: tuple[ParamSpec, ...] = (),
             direction: str = "min") -> Snapshot:
    """A snapshot of ``trials``; without ``curves``, each job with a value reports it at every
    epoch it trained."""
    if curves is None:
        curves = {t.trial_id: [(e, t.metrics["val_loss"])
                               for e in range(t.initial_epoch + 1, t.epochs + 1)]
                  for t in trials if "val_loss" in t.metrics}
    return Snapshot(ObjectiveInfo("val_loss", direction), tuple(trials), curves,
                    settings if settings is not None else HB_SETTINGS, space)
