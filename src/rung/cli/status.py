"""``rung status``: where a project stands against its plan, from its storage alone.

``project_status`` computes the numbers (a pure function of the storage; tests check it without
printing); ``rung.cli.status_text.format_status`` lays them out as text,
``ProjectStatus.to_json`` as JSON.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rung.oracles.plan import (
    ReplacedBracket,
    jobs_planned,
    plan_from_settings,
    replaced_brackets,
)
from rung.oracles.schedule import Budget, milestones
from rung.storage.base import Storage
from rung.storage.driver_lock import stale_reason, this_driver
from rung.storage.table import last_epochs, objective_config
from rung.storage.tally import RungCount
from rung.trial_record import TrialStatus

__all__ = ["ProjectStatus", "RungStatus", "SearchState", "project_status", "search_state"]

_NAMES = {status: status.value.lower() for status in TrialStatus}


@dataclass(frozen=True)
class RungStatus:
    """One rung of one bracket: its jobs by status against the plan (``planned`` None: the
    plan does not say, e.g. ASHA)."""

    iteration: int
    bracket: int
    rung: int
    epochs: int
    planned: int | None
    completed: int = 0
    pruned: int = 0
    failed: int = 0
    running: int = 0

    @property
    def started(self) -> int:
        return self.completed + self.pruned + self.failed + self.running


@dataclass(frozen=True)
class SearchState:
    """Whether a search is writing the project now, from its driver lock: ``running`` jobs
    stored as running; ``driver`` the live search holding the lock, described (None: no live
    one); ``driver_gone`` a lock a dead search left behind (killed with SIGKILL, its machine
    down), who and why; ``last_error`` with no live driver, the last error recorded for a job
    left running (``"00002: FatalTypeError: ..."``). ``rung status`` and the HTML report both
    tell it (``rung.cli.status_text.search_lines``)."""

    running: int
    driver: str | None = None
    driver_gone: str | None = None
    last_error: str | None = None

    @property
    def interrupted(self) -> bool:
        """Jobs are stored as running, but no live search runs them (Ctrl-C, a FatalError, a
        driver killed): the next search re-runs them."""
        return bool(self.running) and self.driver is None


def search_state(storage: Storage, running: int, now: float | None = None) -> SearchState:
    """The :class:`SearchState` of ``storage``, whose ``running`` jobs are stored as running."""
    driver, gone = _driver(storage, now)
    error = None if driver is not None else _last_error(storage, running)
    return SearchState(running, driver, gone, error)


@dataclass(frozen=True)
class ProjectStatus:
    """A project's state (see ``project_status``)."""

    oracle: str
    objective: dict[str, Any]
    counts: dict[str, int]  # jobs by status name
    # None: not known in advance (ASHA's promotions); a bracket BOHB ran as full-budget jobs
    # counts as those jobs
    jobs_planned: int | None
    epochs_spent: int  # every job's trained epochs, a running job's reported ones included
    epochs_planned: int | None
    best: dict[str, Any] | None  # trial_id, value, epochs (None: none reported), hyperparameters
    rungs: list[RungStatus] = field(default_factory=list)
    # planned brackets BOHB ran as full-budget jobs instead: their jobs are in rung 0 of
    # bracket s=0 of their iteration (whose ``planned`` counts them), their own rungs are absent
    replaced: list[ReplacedBracket] = field(default_factory=list)
    first_created: float | None = None
    last_change: float | None = None
    driver: str | None = None  # who holds the project's driver lock (a search writing it)
    driver_gone: str | None = None  # a driver lock left behind by a dead search, and why
    # no live driver: the last error recorded for a job left running ("00002: FatalTypeError: ...")
    last_error: str | None = None
    stopping: bool = False  # ASHA's stopping variant: ``rungs`` count each job where it stopped
    epochs_running: int = 0  # of ``epochs_spent``, those running jobs have reported so far

    @property
    def jobs(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["jobs"] = self.jobs
        return data


def _best(storage: Storage, best_id: str | None, name: str | None) -> dict[str, Any] | None:
    """The best completed job (``Tally.best_id``), read whole."""
    if best_id is None:
        return None
    record = storage.get_trial(best_id)
    value = record.metrics.get(name) if name is not None else record.loss
    return {"trial_id": record.trial_id, "value": value,
            # None: a single-fidelity job that reported no epoch (as ``rung best`` says it)
            "epochs": last_epochs(storage, [record])[record.trial_id] or None,
            "hyperparameters": record.values}


def _rungs(counted: Sequence[RungCount], plan: Budget,
           settings: dict[str, Any]) -> tuple[list[RungStatus], list[ReplacedBracket]]:
    """Every planned rung (all brackets of every planned iteration), plus any rung the jobs
    reach outside the plan (ASHA, an unbounded Hyperband); and the brackets BOHB ran as
    full-budget jobs instead, whose jobs the rung 0 of bracket s=0 of their iteration holds."""
    tally: dict[tuple[int, int, int], dict[str, int]] = {}
    first_rungs: dict[tuple[int, int], int] = {}
    epochs: dict[tuple[int, int, int], int] = {}
    stops = _stopping_milestones(settings)
    if stops:  # one job per configuration, all in rung 0: each counts in the last rung it reached
        rungs = [_reached(stops, c.reached) for c in counted]
        counted = [c._replace(rung=k, epochs=stops[k]) for c, k in zip(counted, rungs, strict=True)]
        for iteration, bracket in {(c.iteration, c.bracket) for c in counted}:
            for k, milestone in enumerate(stops):  # every rung, reached or not
                epochs[(iteration, bracket, k)] = milestone
                tally.setdefault((iteration, bracket, k), {})
    for c in counted:
        key = (c.iteration, c.bracket, c.rung)
        names = tally.setdefault(key, {})
        name = _NAMES[c.status]
        names[name] = names.get(name, 0) + c.jobs
        epochs[key] = max(epochs.get(key, 0), c.epochs)
        if c.rung == 0:
            first = (c.iteration, c.bracket)
            first_rungs[first] = first_rungs.get(first, 0) + c.jobs
    planned: dict[tuple[int, int, int], tuple[int, int]] = {}
    iterations = plan.iterations if plan.iterations is not None else 1 + max(
        (k[0] for k in tally), default=0)
    for iteration in range(iterations if plan.brackets else 0):
        for bracket_plan in plan.brackets:
            for rung_plan in bracket_plan.rungs:
                planned[(iteration, bracket_plan.s, rung_plan.index)] = (rung_plan.jobs,
                                                                          rung_plan.epochs)
    replaced = replaced_brackets(settings, first_rungs)
    gone = {(b.iteration, b.s) for b in replaced}
    planned = {k: v for k, v in planned.items() if k[:2] not in gone}
    for gone_bracket in replaced:  # its jobs are planned in rung 0 of bracket s=0, where they run
        host = (gone_bracket.iteration, 0, 0)
        host_jobs, host_epochs = planned.get(host, (0, epochs.get(host, 0)))
        planned[host] = (host_jobs + gone_bracket.jobs, host_epochs)
    out = []
    for key in sorted(set(tally) | set(planned), key=lambda k: (k[0], -k[1], k[2])):
        jobs, rung_epochs = planned.get(key, (None, epochs.get(key, 0)))
        out.append(RungStatus(*key, epochs=rung_epochs, planned=jobs, **tally.get(key, {})))
    return out, replaced


def _stopping_milestones(settings: dict[str, Any]) -> tuple[int, ...]:
    """ASHA's milestones where ``settings`` are its stopping variant's, else ``()``."""
    max_epochs, factor = settings.get("max_epochs"), settings.get("factor")
    min_epochs = settings.get("min_epochs") or 1
    if (settings.get("mode") != "stopping" or not isinstance(max_epochs, int)
            or not isinstance(factor, int) or not isinstance(min_epochs, int) or factor < 2
            or not 1 <= min_epochs <= max_epochs):
        return ()
    return milestones(max_epochs, factor, min_epochs)


def _reached(stops: tuple[int, ...], epochs: int) -> int:
    """The highest of the rungs ``stops`` that ``epochs`` reaches (0 below the first)."""
    return max(sum(1 for e in stops if e <= epochs) - 1, 0)


def project_status(storage: Storage, now: float | None = None) -> ProjectStatus:
    """The state of the project in ``storage``: jobs by status, epochs spent against the plan
    (``rung.oracles.plan_from_settings``), the best job, and every rung's jobs. Computed from
    ``storage.tally()`` (aggregates: SQLite builds no record per job) and the best job alone."""
    settings = storage.get_settings() or {}
    tally = storage.tally()
    plan = plan_from_settings(settings)
    objective = objective_config(settings)
    counts = {status.value: n for status, n in tally.counts.items()}
    changes = [t for t in (tally.first_change, tally.last_change) if t is not None]
    search = search_state(storage, counts.get("RUNNING", 0), now)
    if search.running and search.driver is not None:  # a search is running them now
        changes.append(time.time() if now is None else now)
    oracle = settings.get("oracle") or ("imported" if "imported" in settings else "unknown")
    rungs, replaced = _rungs(tally.rungs, plan, settings)
    return ProjectStatus(
        oracle=str(oracle), objective=objective, counts=counts,
        jobs_planned=jobs_planned(plan.jobs, plan.brackets, replaced) if plan.jobs else None,
        epochs_spent=tally.epochs_trained, epochs_planned=plan.epochs,
        best=_best(storage, tally.best_id, objective.get("name")),
        rungs=rungs, replaced=replaced,
        first_created=min(changes, default=None), last_change=max(changes, default=None),
        driver=search.driver, driver_gone=search.driver_gone, last_error=search.last_error,
        stopping=bool(_stopping_milestones(settings)), epochs_running=tally.epochs_running)


def _last_error(storage: Storage, running: int) -> str | None:
    """The last line of the latest error recorded for a job left running (a ``FatalError``
    stores its traceback, then ends the search with the job running), as ``"<trial_id>:
    <line>"``; None when no running job has one."""
    if not running:
        return None
    found: list[tuple[str, int, str]] = []
    for record in storage.trials(TrialStatus.RUNNING):  # the jobs in flight: a few
        found += storage.failures(record.trial_id)[-1:]
    if not found:
        return None
    trial_id, _, error = found[-1]
    lines = [line for line in error.strip().splitlines() if line.strip()]
    return f"{trial_id}: {lines[-1].strip() if lines else error}"


def _driver(storage: Storage, now: float | None) -> tuple[str | None, str | None]:
    """The search holding the project's driver lock, described, or None (a storage without
    one, a project written before the lock existed, or a lock its driver left behind); and,
    for a lock left behind (a driver killed with SIGKILL), who left it and why it is dead."""
    read = getattr(storage, "driver_lock", None)
    if read is None:
        return None, None
    try:
        held = read()
    except sqlite3.Error:  # schema 2, opened read-only (never migrated): no lock table
        return None, None
    if held is None:
        return None, None
    now = time.time() if now is None else now
    gone = stale_reason(held, this_driver(now), now)
    if gone is not None:
        return None, f"{held.describe(now)}: {gone}"
    return str(held.describe(now)), None
