"""``SQLiteStorage.tally()``: a project's jobs counted and summed by SQLite's aggregates.

Four queries, none returning a row per job: counts, epochs and times by status; the RUNNING jobs'
last reported epochs (a few: the jobs in flight); the jobs per rung; and the best job by one
ranked ``LIMIT 1`` query. On 100,000 jobs this is what keeps ``rung status`` well under a second
(``benchmarks/scale.py``): building one record per job was most of its time. Each query mirrors
``rung.storage.tally.tally_records``, the reference the tests compare it with.
"""

from __future__ import annotations

import sqlite3

from rung.storage._sqlite_errors import unknown_status
from rung.storage.tally import RungCount, Tally
from rung.trial_record import TrialStatus

__all__ = ["tally"]

_STATUS = {status.value: status for status in TrialStatus}

# "if t" in tally_records: a time of 0 (or NULL) is no time; MAX(0, ...) as epochs_trained. A job
# with neither epochs_reached nor planned epochs (needs_reports) ends at its last report: COALESCE
# evaluates lazily, so only such jobs (single-fidelity ones of an older rung) read their reports.
_BY_STATUS = (
    "SELECT status, COUNT(*), SUM(MAX(0, COALESCE({reached}, NULLIF(epochs, 0), "
    "(SELECT MAX(m.epoch) FROM epoch_metrics AS m WHERE m.trial_id = trials.trial_id), "
    "initial_epoch) - initial_epoch)), "
    "MIN(NULLIF(created_at, 0)), MAX(NULLIF(created_at, 0)), "
    "MIN(NULLIF(finished_at, 0)), MAX(NULLIF(finished_at, 0)) "
    "FROM trials GROUP BY status ORDER BY MIN(seq)"  # statuses as first met, as tally_records
)
_RUNNING = (
    "SELECT t.trial_id, t.initial_epoch, "
    "(SELECT MAX(m.epoch) FROM epoch_metrics AS m WHERE m.trial_id = t.trial_id) "
    "FROM trials AS t WHERE t.status = 'RUNNING'"
)
_RUNGS = (
    "SELECT iteration, bracket, rung, status, epochs, COALESCE({reached}, 0) AS r, "
    "COUNT(*) FROM trials WHERE bracket IS NOT NULL AND rung IS NOT NULL "
    "GROUP BY iteration, bracket, rung, status, epochs, r "
    "ORDER BY iteration, bracket, rung, status, epochs, r"  # RungCount's order: no sort in Python
)
# lowest loss, then more epochs, then earlier: the oracles' ranking (rung.oracles._ranking)
_BEST = (
    "SELECT trial_id FROM trials WHERE +status = 'COMPLETED' AND loss IS NOT NULL "
    "ORDER BY loss, epochs DESC, seq LIMIT 1"
)


def tally(conn: sqlite3.Connection, reached: str = "epochs_reached") -> Tally:
    """The ``Tally`` of the project on ``conn`` (``reached``: the column of the epoch a finished
    job reached, ``"NULL"`` on a file older than that column)."""
    counts: dict[TrialStatus, int] = {}
    spent = 0
    firsts: list[float] = []
    lasts: list[float] = []
    by_status = conn.execute(_BY_STATUS.format(reached=reached)).fetchall()
    for status, jobs, epochs, first_made, last_made, first_end, last_end in by_status:
        if status not in _STATUS:  # a damaged page: rung writes no other status
            raise unknown_status(status)
        counts[_STATUS[status]] = jobs
        if status != "RUNNING":  # a running job's epochs are those it reported (below)
            spent += epochs or 0
        firsts += [t for t in (first_made, first_end) if t is not None]
        lasts += [t for t in (last_made, last_end) if t is not None]
    running = 0
    for _, initial, reported in conn.execute(_RUNNING):
        running += max(0, (reported or initial) - initial)
    spent += running
    try:
        rungs = tuple([RungCount(iteration, bracket, rung, _STATUS[status], epochs, reached, jobs)
                       for iteration, bracket, rung, status, epochs, reached, jobs
                       in conn.execute(_RUNGS.format(reached=reached))])
    except KeyError as exc:  # a damaged page (the index and the table may disagree)
        raise unknown_status(exc.args[0]) from None
    best = conn.execute(_BEST).fetchone()
    return Tally(counts=counts, epochs_trained=spent, first_change=min(firsts, default=None),
                 last_change=max(lasts, default=None), rungs=rungs,
                 best_id=None if best is None else best[0], epochs_running=running)
