"""The trial table: one row per job, with its place in the search, its result and its values.

Cells are JSON values (str, int, float or None): the page sorts and pages the rows itself, so a
project of 10,000 jobs is one compact array, not 10,000 table rows for the browser to lay out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from rung.report.params import label
from rung.report.snapshot import Snapshot
from rung.storage.table import duration
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["Column", "TrialTable", "trial_table"]

_MAX_METRICS = 8  # other final metrics shown; the rest would only widen the table
_MAX_ERROR = 160


@dataclass(frozen=True)
class Column:
    """``key`` names the column in the data, ``label`` heads it; ``numeric`` sorts by number."""

    key: str
    label: str
    numeric: bool


@dataclass(frozen=True)
class TrialTable:
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return label(value)


def _error(record: TrialRecord, snapshot: Snapshot) -> str | None:
    text = record.error or snapshot.failures.get(record.trial_id)
    if not text:
        return None
    lines = [line for line in text.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else text  # a traceback's last line says what went wrong
    return last[:_MAX_ERROR]


def _reached(record: TrialRecord, snapshot: Snapshot) -> int:
    """The last epoch a job trained: the epoch it reached, else (a failed job) the last it
    reported, else its planned end (a running job)."""
    if record.epochs_reached is not None:
        return record.epochs_reached
    if record.status is TrialStatus.FAILED:
        reports = snapshot.curves.get(record.trial_id)
        return reports[-1][0] if reports else record.initial_epoch
    return record.epochs


def trial_table(snapshot: Snapshot) -> TrialTable:
    """Rows in creation order: id, status, iteration, bracket, rung, parent, the epochs it
    trained from and to, objective, every hyperparameter, up to eight other final metrics, seconds,
    attempts and the last line of the error."""
    names = [s.name for s in snapshot.space]
    metrics: dict[str, None] = {}
    for record in snapshot.trials:
        for key in record.metrics:
            its_column = key == snapshot.objective.name and not snapshot.objective.stored
            if not its_column and len(metrics) < _MAX_METRICS:  # the objective has its own
                metrics[key] = None
    columns = [Column("trial", "trial", False), Column("status", "status", False),
               Column("iteration", "iteration", True), Column("bracket", "bracket", True),
               Column("rung", "rung", True), Column("parent", "parent", False),
               Column("from", "from epoch", True), Column("to", "to epoch", True),
               Column("objective", "stored loss" if snapshot.objective.stored
                      else snapshot.objective.name, True)]
    columns += [Column(f"hp:{n}", n, s.kind == "numeric") for n, s in
                zip(names, snapshot.space, strict=True)]
    columns += [Column(f"m:{m}", m, True) for m in metrics]
    columns += [Column("seconds", "seconds", True), Column("attempts", "attempts", True),
                Column("error", "error", False)]
    rows = []
    for r in snapshot.trials:
        took = duration(r)  # None: running, or no creation time (a keras-tuner import)
        seconds = None if took is None else round(took, 3)
        reached = _reached(r, snapshot)
        row = [r.trial_id, r.status.value, r.iteration, r.bracket, r.rung, r.parent_id,
               r.initial_epoch, reached, _cell(snapshot.value(r))]
        row += [_cell(r.values.get(n)) for n in names]
        row += [_cell(r.metrics.get(m)) for m in metrics]
        row += [seconds, r.attempts, _error(r, snapshot)]
        rows.append(tuple(row))
    return TrialTable(tuple(columns), tuple(rows))
