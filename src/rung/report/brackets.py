"""The bracket/rung picture: which configurations ran in each rung, and which were promoted.

Each bracket is a row of rungs, rung 0 (most configurations, fewest epochs) on the left. A rung
lists its jobs ranked best first (jobs with an objective value by value, then running, then
failed ones), with the planned number of jobs, so a bracket still running shows its empty slots.
A promoted job is one whose configuration a job of the next rung continues (its ``parent_id``).

A search of thousands of jobs has hundreds of brackets; the picture keeps ``max_brackets`` of
them (those holding the best results, and the most recent) and says so in ``note``.

A bracket BOHB ran as full-budget jobs instead (``rung.oracles.plan.replaced_brackets``) is not
drawn as waiting: its jobs are in bracket ``s = 0`` of its iteration, whose first rung plans them,
and ``note`` says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rung.oracles.plan import ReplacedBracket, replaced_brackets
from rung.report.plan import SearchPlan
from rung.report.snapshot import ObjectiveInfo, Snapshot
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["BracketJob", "BracketPicture", "BracketView", "RungCell", "bracket_picture",
           "replaced_in"]


@dataclass(frozen=True)
class BracketJob:
    """One job in a rung: ``promoted`` when a job of the next rung continues it."""

    trial_id: str
    status: str
    value: float | None
    promoted: bool
    parent_id: str | None


@dataclass(frozen=True)
class RungCell:
    """Rung ``index`` of a bracket: its ``epochs`` and ``planned`` job count (None: not planned
    in advance) and its ``jobs``, best first."""

    index: int
    epochs: int | None
    planned: int | None
    jobs: tuple[BracketJob, ...]


@dataclass(frozen=True)
class BracketView:
    """Bracket ``s`` of Hyperband iteration ``iteration`` (``s`` None: the search has no
    brackets, e.g. a random search); ``best`` its best objective value."""

    iteration: int
    s: int | None
    rungs: tuple[RungCell, ...]
    best: float | None

    @property
    def jobs(self) -> int:
        return sum(len(r.jobs) for r in self.rungs)


@dataclass(frozen=True)
class BracketPicture:
    """The brackets drawn (in the order they started), how many the project has, and a note
    saying which were kept when not all are shown."""

    brackets: tuple[BracketView, ...]
    total: int
    note: str = ""


def _rank_key(objective: ObjectiveInfo, job: BracketJob) -> tuple[int, float]:
    if job.value is not None:
        return (0, job.value if objective.direction == "min" else -job.value)
    order = {TrialStatus.RUNNING.value: 1, TrialStatus.PRUNED.value: 2}
    return (order.get(job.status, 3), 0.0)


def _best(objective: ObjectiveInfo, values: Iterable[float | None]) -> float | None:
    best: float | None = None
    for value in values:
        if value is not None and (best is None or objective.better(value, best)):
            best = value
    return best


def _view(snapshot: Snapshot, plan: SearchPlan, key: tuple[int, int | None],
          records: list[TrialRecord], continued: set[str], hosted: int = 0) -> BracketView:
    """The view of bracket ``key``; ``hosted``: full-budget jobs its first rung runs in place of
    other brackets (BOHB), planned on top of its own."""
    iteration, s = key
    planned = plan.bracket(s) if s is not None else None
    by_rung: dict[int, list[BracketJob]] = {}
    epochs: dict[int, int] = {}
    for record in records:
        index = record.rung or 0
        if plan.stopping:  # one job per configuration: it is in the last rung it reached
            index = plan.rung_reached(record.epochs_reached or 0)
        by_rung.setdefault(index, []).append(BracketJob(
            record.trial_id, record.status.value, snapshot.value(record),
            record.trial_id in continued, record.parent_id))
        epochs[index] = max(epochs.get(index, 0), record.epochs)
    indices = list(by_rung)
    if planned is not None:
        indices += [r.index for r in planned.rungs]
    elif s is not None:  # ASHA: its milestones
        indices += range(len(plan.rung_epochs))
    count = max(indices, default=0) + 1
    rungs = []
    for index in range(count):
        jobs = sorted(by_rung.get(index, ()), key=lambda j: _rank_key(snapshot.objective, j))
        rung_plan = planned.rungs[index] if planned and index < len(planned.rungs) else None
        rung_epochs = rung_plan.epochs if rung_plan else epochs.get(index)
        if (rung_plan is None and index < len(plan.rung_epochs)
                and (plan.stopping or rung_epochs is None)):
            rung_epochs = plan.rung_epochs[index]
        planned_jobs = None if rung_plan is None else (
            rung_plan.jobs + (hosted if index == 0 else 0))
        rungs.append(RungCell(index, rung_epochs or None, planned_jobs, tuple(jobs)))
    best = _best(snapshot.objective, (j.value for r in rungs for j in r.jobs))
    return BracketView(iteration, s, tuple(rungs), best)


def _choose(objective: ObjectiveInfo, views: list[BracketView],
            max_brackets: int) -> tuple[list[BracketView], str]:
    if len(views) <= max_brackets:
        return views, ""
    recent = max_brackets // 2
    sign = 1.0 if objective.direction == "min" else -1.0
    scored = [(i, sign * v.best) for i, v in enumerate(views[:-recent]) if v.best is not None]
    scored.sort(key=lambda item: item[1])
    best = {i for i, _ in scored[:max_brackets - recent]}
    keep = best | set(range(len(views) - recent, len(views)))
    kept = [v for i, v in enumerate(views) if i in keep]
    note = (f"showing {len(kept)} of {len(views)} brackets: the {len(best)} with the best "
            f"results and the {recent} most recent")
    return kept, note


def replaced_in(snapshot: Snapshot) -> list[ReplacedBracket]:
    """The planned brackets BOHB ran as full-budget jobs instead (``replaced_brackets``)."""
    return replaced_brackets(snapshot.settings, Counter(
        (r.iteration, r.bracket) for r in snapshot.trials if r.bracket is not None and r.rung == 0))


def bracket_picture(snapshot: Snapshot, plan: SearchPlan,
                    max_brackets: int = 24) -> BracketPicture:
    """The bracket picture of ``snapshot`` (see the module docstring).

    Brackets come in the order their first job was created, then the planned brackets that
    have not started; a job without a bracket (a single-fidelity search) falls in one bracket
    with ``s`` None per iteration.
    """
    groups: dict[tuple[int, int | None], list[TrialRecord]] = {}
    for record in snapshot.trials:
        groups.setdefault((record.iteration, record.bracket), []).append(record)
    continued = {r.parent_id for r in snapshot.trials if r.parent_id is not None}
    replaced = replaced_in(snapshot)
    hosted: Counter[tuple[int, int | None]] = Counter()
    for b in replaced:
        hosted[b.iteration, 0] += b.jobs
    started = [_view(snapshot, plan, key, records, continued, hosted.get(key, 0))
               for key, records in groups.items()]
    kept, note = _choose(snapshot.objective, started, max_brackets)
    waiting = []
    if plan.iterations is not None:  # the next brackets planned (one iteration's worth at most)
        gone = {(b.iteration, b.s) for b in replaced}
        keys = [(i, b.s) for i in range(plan.iterations) for b in plan.brackets
                if (i, b.s) not in groups and (i, b.s) not in gone]
        waiting = [_view(snapshot, plan, key, [], continued) for key in keys[:len(plan.brackets)]]
    views = kept + waiting
    note = " ".join(n for n in (note, _replaced_note(replaced)) if n)
    return BracketPicture(tuple(views), len(started) + len(waiting) + len(replaced), note)


def _replaced_note(replaced: list[ReplacedBracket]) -> str:
    if not replaced:
        return ""
    names = ", ".join(f"s={b.s} of iteration {b.iteration}" for b in replaced[:6])
    more = f" and {len(replaced) - 6} more" if len(replaced) > 6 else ""
    brackets = "brackets" if len(replaced) > 1 else "bracket"
    return (f"BOHB ran {brackets} {names}{more} as full-budget jobs instead (their first rung's "
            "epochs ranked configurations unlike max_epochs): their jobs are in bracket s=0 "
            "of their iteration.")
