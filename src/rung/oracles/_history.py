"""Turning stored trials and reports into the ``Observation`` stream a searcher replays."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping

from rung.objective import MultiObjective, Objective
from rung.searchers.observation import Observation
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["history_observations", "observation"]


def observation(record: TrialRecord) -> Observation:
    """The searcher's view of ``record``: a final result, or (status RUNNING) a report."""
    if record.epochs_reached is not None:
        budget = record.epochs_reached
    elif record.status is TrialStatus.FAILED:
        budget = record.initial_epoch
    else:
        budget = record.epochs
    return Observation(trial_id=record.trial_id, values=record.values, budget=budget,
                       loss=record.loss, status=record.status)


def history_observations(
    records: Iterable[TrialRecord],
    reports: Iterable[tuple[str, int, Mapping[str, float]]],
    objective: Objective | MultiObjective,
) -> Iterator[Observation]:
    """Every stored result in replay order: trial by trial as in ``records``, each trial's
    intermediate reports (by epoch, finite losses only) before its final observation.

    ``reports`` must list trials in the same order as ``records`` (it is read once, in step);
    reports of trials not in ``records`` (jobs that will run again) are skipped.
    """
    records = list(records)
    wanted = {r.trial_id for r in records}
    pending_report: tuple[str, int, Mapping[str, float]] | None = None
    stream = iter(reports)
    for record in records:
        while True:
            if pending_report is None:
                pending_report = next(stream, None)
            if pending_report is None:
                break
            trial_id, epoch, metrics = pending_report
            if trial_id != record.trial_id and trial_id in wanted:
                break  # a later trial's reports: keep it for that trial
            pending_report = None
            if trial_id != record.trial_id:
                continue  # a trial that is not finished: its job runs again
            loss = _loss(objective, metrics)
            if loss is not None:
                yield Observation(trial_id=trial_id, values=record.values, budget=int(epoch),
                                  loss=loss, status=TrialStatus.RUNNING)
        yield observation(record)


def _loss(objective: Objective | MultiObjective, metrics: Mapping[str, float]) -> float | None:
    try:
        loss = objective.loss(metrics)
    except (KeyError, TypeError, ValueError):
        return None
    return float(loss) if math.isfinite(loss) else None
