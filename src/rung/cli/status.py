"""``rung status``: where a project stands against its plan, from its storage alone.

``project_status`` computes the numbers (a pure function of the storage; tests check it without
printing); ``format_status`` lays them out as text, ``ProjectStatus.to_json`` as JSON.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rung.oracles.plan import ReplacedBracket, plan_from_settings, replaced_brackets
from rung.oracles.schedule import Budget, milestones
from rung.storage.base import Storage
from rung.storage.driver_lock import stale_reason, this_driver
from rung.storage.table import last_epochs, objective_config
from rung.storage.tally import RungCount
from rung.trial_record import TrialStatus

__all__ = ["ProjectStatus", "RungStatus", "format_status", "project_status"]

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
class ProjectStatus:
    """A project's state (see ``project_status``)."""

    oracle: str
    objective: dict[str, Any]
    counts: dict[str, int]  # jobs by status name
    jobs_planned: int  # 0: not known in advance
    epochs_spent: int
    epochs_planned: int | None
    best: dict[str, Any] | None  # trial_id, value, hyperparameters
    rungs: list[RungStatus] = field(default_factory=list)
    # planned brackets BOHB ran as full-budget jobs instead: their jobs are in rung 0 of
    # bracket s=0 of their iteration (whose ``planned`` counts them), their own rungs are absent
    replaced: list[ReplacedBracket] = field(default_factory=list)
    first_created: float | None = None
    last_change: float | None = None
    driver: str | None = None  # who holds the project's driver lock (a search writing it)
    driver_gone: str | None = None  # a driver lock left behind by a dead search, and why
    stopping: bool = False  # ASHA's stopping variant: ``rungs`` count each job where it stopped

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
            "epochs": last_epochs(storage, [record])[record.trial_id],
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
        counted = [c._replace(rung=_reached(stops, c.reached), epochs=stops[_reached(stops,
                   c.reached)]) for c in counted]
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
    driver, driver_gone = _driver(storage, now)
    if counts.get("RUNNING") and driver is not None:  # a search is running them now
        changes.append(time.time() if now is None else now)
    oracle = settings.get("oracle") or ("imported" if "imported" in settings else "unknown")
    rungs, replaced = _rungs(tally.rungs, plan, settings)
    return ProjectStatus(
        oracle=str(oracle), objective=objective, counts=counts, jobs_planned=plan.jobs,
        epochs_spent=tally.epochs_trained, epochs_planned=plan.epochs,
        best=_best(storage, tally.best_id, objective.get("name")),
        rungs=rungs, replaced=replaced,
        first_created=min(changes, default=None), last_change=max(changes, default=None),
        driver=driver, driver_gone=driver_gone, stopping=bool(_stopping_milestones(settings)))


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


def _of(done: int, planned: int | None) -> str:
    if not planned:
        return f"{done}"
    return f"{done} of {planned} planned ({done / planned:.0%})"


def _rung_line(r: RungStatus) -> str:
    parts = [f"{r.completed} completed"]
    parts += [f"{n} {name}" for name, n in (("pruned", r.pruned), ("failed", r.failed),
                                             ("running", r.running)) if n]
    filled = f"{r.started}/{r.planned}" if r.planned is not None else f"{r.started}"
    mark = " done" if r.planned is not None and r.started >= r.planned and not r.running else ""
    return f"    rung {r.rung} ({r.epochs:>4} epochs): {filled:>7} jobs{mark}  ({', '.join(parts)})"


def _bracket_lines(rungs: list[RungStatus], replaced: list[ReplacedBracket],
                   stopping: bool = False) -> list[str]:
    """Brackets in progress rung by rung; finished and not yet started ones counted. A bracket
    run as full-budget jobs is done with bracket s=0 of its iteration, which lists its jobs."""
    brackets: dict[tuple[int, int], list[RungStatus]] = {}
    for r in rungs:
        brackets.setdefault((r.iteration, r.bracket), []).append(r)
    guests: dict[int, list[ReplacedBracket]] = {}
    for b in replaced:
        guests.setdefault(b.iteration, []).append(b)
    lines, done, waiting = [], 0, 0
    for (iteration, s), members in brackets.items():
        hosted = guests.get(iteration, []) if s == 0 else []
        if all(r.planned is not None and r.started >= r.planned and not r.running
               for r in members):
            done += 1 + len(hosted)
        elif not any(r.started for r in members):
            waiting += 1
        else:
            extra = ", ".join(f"bracket s={b.s} ({b.jobs} jobs)" for b in hosted)
            extra = f", with full-budget jobs in place of {extra}" if extra else ""
            lines.append(f"  bracket s={s} (iteration {iteration}){extra}:")
            lines += [_rung_line(r) for r in members]
    if not brackets:
        return []
    if stopping:
        return ["jobs by the last rung each reached (ASHA stopping: one job per configuration):",
                *lines]
    if not any(r.planned is not None for r in rungs):  # ASHA: no rung has a planned size
        return ["jobs by rung (the plan fixes no rung sizes):", *lines]
    head = f"brackets: {done} of {len(brackets) + len(replaced)} done"
    head += f", {waiting} not started" if waiting else ""
    if replaced:
        head += (f"; {len(replaced)} run as full-budget jobs instead (BOHB: their first "
                 "rung's epochs ranked configurations unlike max_epochs)")
    return [head, *lines]


def format_status(status: ProjectStatus, path: str) -> str:
    """``status`` as the text ``rung status`` prints."""
    name = status.objective.get("name", "objective")
    direction = status.objective.get("direction", "")
    lines = [f"project {path}: {status.oracle}, objective {name} {direction}".rstrip()]
    by = ", ".join(f"{n} {s.lower()}" for s, n in sorted(status.counts.items()))
    lines.append(f"jobs: {_of(status.jobs, status.jobs_planned)}" + (f": {by}" if by else ""))
    if status.epochs_spent == 0 and status.epochs_planned is None:
        lines.append("epochs: none reported (no budget in epochs: each trial trains as long "
                     "as its code decides)")
    else:
        lines.append(f"epochs: {_of(status.epochs_spent, status.epochs_planned)}")
    if status.first_created is not None and status.last_change is not None:
        seconds = int(status.last_change - status.first_created)
        lines.append(f"time: {seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d} "
                     "from the first job to the last change")
    if status.best is None:
        lines.append("best: no completed job yet")
    else:
        best = status.best
        value = "-" if best["value"] is None else f"{best['value']:.6g}"
        after = f"after {best['epochs']} epochs " if best["epochs"] else ""
        lines.append(f"best: trial {best['trial_id']} {name}={value} {after}"
                     f"{best['hyperparameters']}")
    if status.driver is not None:
        lines.append(f"driver: {status.driver} (a live one is searching; a dead one is taken "
                     "over by the next search)")
    elif status.counts.get("RUNNING"):  # the search that ran them ended (Ctrl-C, FatalError)
        lines.append(f"interrupted: the {status.counts['RUNNING']} running job(s) belong to a "
                     "search that is no longer running; running it again re-runs them")
    if status.driver_gone is not None:
        lines.append(f"dead driver: {status.driver_gone} (killed, or its machine went down; the "
                     "next search takes the project over)")
    lines += _bracket_lines(status.rungs, status.replaced, status.stopping)
    return "\n".join(lines)
