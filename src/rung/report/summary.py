"""The settings and budget of a search: what was planned, what was spent, what was found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.cli.status_text import search_lines
from rung.oracles.plan import jobs_planned
from rung.oracles.stored_plan import PLAN_KEY, budget_from_json
from rung.report.brackets import replaced_in
from rung.report.plan import SearchPlan
from rung.report.progress import Progress
from rung.report.snapshot import Snapshot
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["Summary", "flatten", "running_epochs", "summarise"]


@dataclass(frozen=True)
class Summary:
    """The page's header: the algorithm and ``settings`` (flattened ``key: value`` pairs),
    ``planned_jobs``/``planned_epochs`` (None when not planned in advance; a bracket BOHB ran
    as full-budget jobs, one of ``replaced``, counts as those jobs), the jobs per
    status, epochs spent, the best job, and the first and last time the project changed.

    ``epochs_spent`` counts what every job trained: a finished job's epochs (as the progress
    plot charges it) and the epochs a running job has reported so far (``epochs_running``), as
    ``rung status`` and the live progress of ``search()`` count them.

    ``search``: who is searching the project, in the lines ``rung status`` prints (its live
    driver; or jobs left running by a search that ended, ``interrupted``, and the driver lock a
    killed one left behind); empty when not read."""

    algorithm: str
    objective: str
    direction: str
    settings: tuple[tuple[str, str], ...]
    planned_jobs: int | None
    planned_epochs: int | None
    replaced: int  # planned brackets BOHB ran as full-budget jobs instead
    jobs: int
    by_status: tuple[tuple[str, int], ...]
    epochs_spent: int
    epochs_running: int
    best_trial: str | None
    best_value: float | None
    best_values: tuple[tuple[str, str], ...]
    started_at: float | None
    updated_at: float | None
    search: tuple[str, ...] = ()
    interrupted: bool = False
    search_warns: bool = False  # interrupted, or a dead driver's lock left behind
    objective_said: str = ""  # the objective in words ("loss (min)"), as ``rung status`` says it

    @property
    def running(self) -> int:
        return dict(self.by_status).get(TrialStatus.RUNNING.value, 0)


def flatten(settings: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``{"a": {"b": 1}}`` -> ``[("a.b", "1")]``; lists of dicts are numbered."""
    if isinstance(settings, dict):
        items: list[tuple[str, str]] = []
        for key, value in settings.items():
            items += flatten(value, f"{prefix}{key}.")
        return items
    if isinstance(settings, list) and any(isinstance(v, dict) for v in settings):
        items = []
        for i, value in enumerate(settings):
            items += flatten(value, f"{prefix}{i}.")
        return items
    return [(prefix.rstrip("."), "null" if settings is None else str(settings))]


def _settings_shown(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings less the plan a tuner stored with them (``rung.oracles.stored_plan``): the
    page shows that plan as the plan, not as settings."""
    if budget_from_json(settings.get(PLAN_KEY)) is None:
        return dict(settings)
    return {k: v for k, v in settings.items() if k != PLAN_KEY}


def running_epochs(snapshot: Snapshot) -> int:
    """The epochs running jobs have reported so far (each from its ``initial_epoch``)."""
    spent = 0
    for record in snapshot.trials:
        if record.status is TrialStatus.RUNNING:
            reports = snapshot.curves.get(record.trial_id)
            last = max((epoch for epoch, _ in reports), default=0) if reports else 0
            spent += max(0, last - record.initial_epoch)
    return spent


def _best(snapshot: Snapshot) -> TrialRecord | None:
    """The best completed job, ranked as the oracles (and ``rung status``, ``rung best``) rank:
    best value, then more epochs, then earlier; a pruned job, stopped early, is not a result."""
    sign = -1.0 if snapshot.objective.direction == "max" else 1.0
    ranked = [(sign * value, -record.epochs, index, record)
              for index, record in enumerate(snapshot.trials)
              if record.status is TrialStatus.COMPLETED
              and (value := snapshot.value(record)) is not None]
    return min(ranked, key=lambda item: item[:3])[3] if ranked else None


def summarise(snapshot: Snapshot, plan: SearchPlan, progress: Progress) -> Summary:
    """The summary of ``snapshot`` under ``plan``, with the epochs ``progress`` counted (the
    finished jobs') and those the running jobs reported."""
    counts = Counter(r.status.value for r in snapshot.trials)
    order = [s.value for s in (TrialStatus.COMPLETED, TrialStatus.PRUNED, TrialStatus.FAILED,
                               TrialStatus.RUNNING)]
    by_status = tuple((s, counts[s]) for s in order if counts[s]) + tuple(
        (s, n) for s, n in counts.items() if s not in order)
    best = _best(snapshot)
    best_value = None if best is None else snapshot.value(best)
    running = running_epochs(snapshot)
    replaced = replaced_in(snapshot)
    times = [t for r in snapshot.trials for t in (r.created_at, r.finished_at)
             if t is not None and t > 0]
    return Summary(
        algorithm=plan.algorithm,
        objective=snapshot.objective.name,
        direction=snapshot.objective.direction,
        settings=tuple(flatten(_settings_shown(snapshot.settings))),
        planned_jobs=None if plan.jobs is None else jobs_planned(plan.jobs, plan.brackets,
                                                                 replaced),
        planned_epochs=plan.epochs,
        replaced=len(replaced),
        jobs=len(snapshot.trials),
        by_status=by_status,
        epochs_spent=progress.epochs_spent + running,
        epochs_running=running,
        best_trial=None if best is None else best.trial_id,
        best_value=best_value,
        best_values=() if best is None else tuple((k, str(v)) for k, v in best.values.items()),
        started_at=min(times, default=None),
        updated_at=max(times, default=None),
        search=() if snapshot.search is None else tuple(search_lines(snapshot.search)),
        interrupted=snapshot.search is not None and snapshot.search.interrupted,
        search_warns=snapshot.search is not None and (
            snapshot.search.interrupted or snapshot.search.driver_gone is not None),
        objective_said=snapshot.objective.said,
    )
