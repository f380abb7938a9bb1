"""``oracle.trials = {...}``: keras-tuner code may hand an oracle its finished trials.

The assigned trials replace the oracle's history (ranked, shown in results, counted towards
``max_trials``, replayed into the searcher), as keras-tuner's assignment replaces its dict. Only a
``COMPLETED`` trial with a score can be among the best; any other finished status is kept as a
failed trial. A running trial cannot be assigned: nothing would ever finish it.

When a store is behind the oracle (a tuner's project, or ``oracle._set_project_dir``) the trials
it does not hold yet are written to it as finished trials, so ``tuner.reload()`` and a later
``search`` see them; a trial it holds already must be assigned unchanged (a finished trial in the
store is never rewritten). The store keeps trials left out of the assignment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rung.errors import ConfigurationError
from rung.objective import MultiObjective, Objective
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import fail_type

if TYPE_CHECKING:
    from rung.storage import Storage
    from rung.trial import Trial

__all__ = ["assigned_records", "store_assigned"]


def assigned_records(trials: object, objective: Objective | MultiObjective,
                     known: Mapping[str, TrialRecord]) -> list[TrialRecord]:
    """The records for ``oracle.trials = trials`` (a dict of ``Trial`` by id), checked; a trial
    of ``oracle.trials`` left unchanged keeps its record (``known``, by id)."""
    from rung.trial import Trial

    if not isinstance(trials, Mapping):
        raise fail_type("oracle.trials", "a dict of kt.engine.trial.Trial objects by trial_id",
                        trials)
    records = []
    for key, trial in trials.items():
        if not isinstance(trial, Trial):
            raise fail_type(f"oracle.trials[{key!r}]", "a kt.engine.trial.Trial", trial)
        if str(key) != trial.trial_id:
            raise ConfigurationError(
                f"oracle.trials: the key {key!r} is not the trial's id {trial.trial_id!r}; "
                "assign {trial.trial_id: trial, ...}")
        same = known.get(trial.trial_id) is trial.record and not trial._overrides
        records.append(trial.record if same else _record(trial, objective))
    return records


def _record(trial: Trial, objective: Objective | MultiObjective) -> TrialRecord:
    status = trial.status
    if not status.is_finished:
        raise ConfigurationError(
            f"oracle.trials: trial {trial.trial_id!r} is {status.value}; only finished trials "
            "(COMPLETED, INVALID, FAILED, STOPPED) can be assigned")
    values = dict(trial.hyperparameters.values)
    metrics = _metrics(trial, objective)
    loss = objective.loss(metrics) if metrics and objective.has_value(metrics) else math.inf
    base = trial.record.replace(values=values, metrics=metrics)
    if status is TrialStatus.COMPLETED and math.isfinite(loss):
        return base.replace(status=TrialStatus.COMPLETED, loss=loss, error=None)
    message = trial.message or (
        f"assigned as {status.value}" if status is not TrialStatus.COMPLETED
        else "assigned as COMPLETED without a finite score")
    return base.replace(status=TrialStatus.FAILED, loss=None, error=str(message))


def _metrics(trial: Trial, objective: Objective | MultiObjective) -> dict[str, float]:
    """The trial's own metrics, with the objective's value set from a ``score`` given by hand."""
    metrics = {k: float(v) for k, v in trial.record.metrics.items()}
    if "score" in trial._overrides and trial.score is not None:
        if isinstance(objective, MultiObjective):
            raise ConfigurationError(
                f"oracle.trials: trial {trial.trial_id!r} has a score set by hand, but the "
                f"objective {objective.name!r} is computed from several metrics; set the "
                "trial's metrics instead (trial.metrics.update(name, value))")
        metrics[objective.name] = float(trial.score)
    return metrics


def store_assigned(storage: Storage, records: list[TrialRecord]) -> None:
    """Write the records ``storage`` lacks as finished trials (checked first, see the module)."""
    new = []
    for record in records:
        try:
            stored = storage.get_trial(record.trial_id)
        except KeyError:
            new.append(record)
            continue
        if (stored.status, stored.loss, stored.values) != (record.status, record.loss,
                                                           record.values):
            raise ConfigurationError(
                f"oracle.trials: trial {record.trial_id!r} is stored already with another "
                f"result (status {stored.status.value}, values {stored.values}); a finished "
                "trial cannot be changed. Assign it unchanged, or under a new trial_id")
    for record in new:
        running = record.replace(status=TrialStatus.RUNNING, metrics={}, loss=None, error=None)
        storage.create_trial(running)
        storage.finish_trial(record.trial_id, record.status, metrics=record.metrics,
                             loss=record.loss, error=record.error, values=record.values,
                             epochs_reached=record.epochs_reached)
