"""A project's jobs counted and summed: what ``rung status`` shows, without one record per job.

``Storage.tally()`` answers it. The default (``tally_records``) counts the records themselves; a
storage that can aggregate does it where the data lives (SQLite: a few ``GROUP BY`` queries, see
``rung.storage._sqlite_tally``), so a 100,000-job project never builds 100,000 records to be
counted. Both must agree exactly (``tests/storage/test_tally.py`` checks it on real projects).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["RungCount", "Tally", "epochs_trained", "last_epoch", "needs_reports", "ranked_results",
           "result_rank", "tally_records"]


class RungCount(NamedTuple):
    """The ``jobs`` of one rung of one bracket with one status, one epoch budget and one epoch
    reached (``reached``: the job's ``epochs_reached``, 0 where not stored, e.g. while it runs;
    ASHA's stopping variant stores every job in rung 0 and tells its rungs by this). A named
    tuple: an unbounded Hyperband on 100,000 jobs has some 15,000 of these to build and sort."""

    iteration: int
    bracket: int
    rung: int
    status: TrialStatus
    epochs: int
    reached: int
    jobs: int


@dataclass(frozen=True)
class Tally:
    """A project's jobs in aggregate.

    ``counts``: jobs by status (only statuses that occur, in the order of their first job).
    ``epochs_trained``: the epochs every job really trained (``epochs_trained`` of each: a
    running job's are the epochs it reported so far, also counted in ``epochs_running``).
    ``first_change``/``last_change``: the earliest and latest creation or finishing time of any
    job (None: no job). ``rungs``: the jobs that belong to a bracket's rung, grouped by
    (iteration, bracket, rung, status, epochs, reached), in that order. ``best_id``: the best
    completed job, ranked as the oracles rank: lowest loss, then more epochs, then earlier (None:
    no completed job with a loss).
    """

    counts: dict[TrialStatus, int]
    epochs_trained: int
    first_change: float | None
    last_change: float | None
    rungs: tuple[RungCount, ...]
    best_id: str | None
    epochs_running: int = 0


def needs_reports(record: TrialRecord) -> bool:
    """True when only ``record``'s reports say how far its job trained: it is running, or it
    finished with neither ``epochs_reached`` nor a planned length (``epochs`` 0: a
    single-fidelity job stored by a rung that did not yet keep the epoch it reached)."""
    return record.status is TrialStatus.RUNNING or (
        record.epochs_reached is None and not record.epochs)


def last_epoch(record: TrialRecord, reported: int | None = None) -> int:
    """The epoch ``record``'s job trained to: ``epochs_reached`` (else its planned ``epochs``)
    once finished; the last ``reported`` epoch (None: none) where ``needs_reports(record)``;
    never before ``initial_epoch``."""
    if needs_reports(record):
        end = reported or record.initial_epoch
    else:
        end = record.epochs_reached if record.epochs_reached is not None else record.epochs
    return max(end, record.initial_epoch)


def epochs_trained(record: TrialRecord, reported: int | None = None) -> int:
    """Epochs ``record``'s job trained: from ``initial_epoch`` to ``last_epoch``."""
    return last_epoch(record, reported) - record.initial_epoch


def result_rank(record: TrialRecord) -> tuple[float, int]:
    """The sort key of a completed job's result, as the oracles rank them: the lowest loss, then
    the more epochs; a stable sort or ``min`` of jobs in creation order keeps the earliest of
    ties. ``record.loss`` must not be None."""
    assert record.loss is not None
    return record.loss, -record.epochs


def ranked_results(records: Iterable[TrialRecord]) -> list[TrialRecord]:
    """The completed jobs of ``records`` (in creation order) that have a loss, best first
    (``result_rank``): what ``rung status``, ``rung best`` and the report call the best."""
    done = [r for r in records if r.loss is not None and r.status is TrialStatus.COMPLETED]
    return sorted(done, key=result_rank)


def tally_records(records: Iterable[TrialRecord], reported: Mapping[str, int | None]) -> Tally:
    """The tally of ``records`` (in creation order; ``values`` and ``metrics`` unused), where
    ``reported`` gives the last reported epoch of each job that ``needs_reports`` (missing or
    None: none yet)."""
    records = list(records)
    counts = Counter(r.status for r in records)
    spent = sum(epochs_trained(r, reported.get(r.trial_id)) for r in records)
    running = sum(epochs_trained(r, reported.get(r.trial_id)) for r in records
                  if r.status is TrialStatus.RUNNING)
    changes = [t for r in records for t in (r.created_at, r.finished_at) if t]
    rungs = Counter((r.iteration, r.bracket, r.rung, r.status, r.epochs, r.epochs_reached or 0)
                    for r in records if r.bracket is not None and r.rung is not None)
    done = (r for r in records if r.loss is not None and r.status is TrialStatus.COMPLETED)
    best = min(done, key=result_rank, default=None)  # ties: the earliest
    return Tally(counts=dict(counts), epochs_trained=spent,
                 first_change=min(changes, default=None), last_change=max(changes, default=None),
                 rungs=tuple(sorted(RungCount(*key, jobs=n) for key, n in rungs.items())),
                 best_id=None if best is None else best.trial_id, epochs_running=running)
