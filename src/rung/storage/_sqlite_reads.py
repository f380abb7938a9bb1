"""The read-only queries of :class:`~rung.storage.SQLiteStorage` (a mixin): trials, reports,
failures, counts and the tally, and the integrity check. None of them writes; each holds the
storage's lock while it reads.

Reading 100,000 trials is what opening a large project costs, so the rows become records
positionally and their JSON columns are decoded in two calls (``_records``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from rung.errors import UnknownTrialError
from rung.storage import _sqlite_tally
from rung.storage._common import normalise_statuses
from rung.storage._sqlite_errors import unknown_status
from rung.storage._sqlite_schema import ALL_REPORTS, METRIC_HISTORY
from rung.storage.base import Storage
from rung.storage.tally import Tally
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["SQLiteReads"]

_STATUS = {status.value: status for status in TrialStatus}
_decode = json.JSONDecoder().raw_decode  # rung wrote the text: no whitespace around to strip


def _record(row: tuple[Any, ...]) -> TrialRecord:
    # positional, a dict for the status and raw_decode: opening a 100,000-job project decodes
    # 100,000 of these (benchmarks/scale.py), about a third faster than keywords and json.loads
    try:
        status = _STATUS[row[2]]
    except KeyError:
        raise unknown_status(row[2]) from None
    return TrialRecord(row[0], _decode(row[1])[0], status, row[3], row[4], row[5],
                       row[6], row[7], row[8], _decode(row[9])[0], row[10], row[11], row[12],
                       row[13], row[14], row[15])


def _records(rows: list[tuple[Any, ...]]) -> list[TrialRecord]:
    """``_record`` of many rows: their JSON columns decoded in two calls, not two per row (a
    third less time for the 100,000 rows of a large project, ``benchmarks/scale.py``)."""
    if not rows:
        return []
    values = json.loads("[" + ",".join([row[1] for row in rows]) + "]")
    metrics = json.loads("[" + ",".join([row[9] for row in rows]) + "]")
    try:
        return [TrialRecord(row[0], v, _STATUS[row[2]], row[3], row[4], row[5], row[6], row[7],
                            row[8], m, row[10], row[11], row[12], row[13], row[14], row[15])
                for row, v, m in zip(rows, values, metrics, strict=True)]
    except KeyError as exc:  # outside the loop: no cost per row
        raise unknown_status(exc.args[0]) from None


class SQLiteReads(Storage):
    """What :class:`~rung.storage.SQLiteStorage` answers without writing (see the module); the
    rest of the contract (the writes) is the storage's own."""

    _lock: threading.RLock
    _conn: sqlite3.Connection
    _columns: str  # the trials' columns as this file holds them (an old file lacks one)

    def get_trial(self, trial_id: str) -> TrialRecord:
        with self._lock:
            row = self._conn.execute(
                f"SELECT {self._columns} FROM trials WHERE trial_id = ?", (trial_id,)
            ).fetchone()
        if row is None:
            raise UnknownTrialError(f"no trial with trial_id {trial_id!r} in this project")
        return _record(row)

    @staticmethod
    def _where(status: TrialStatus | Sequence[TrialStatus] | None) -> tuple[str, tuple[str, ...]]:
        wanted = normalise_statuses(status)
        if wanted is None:
            return "", ()
        # the status index pays for the few RUNNING jobs; for finished ones (most of a project)
        # it costs a sort by seq, where a scan in seq order needs none: "+status" skips it
        column = "status" if set(wanted) <= {TrialStatus.RUNNING} else "+status"
        return (f" WHERE {column} IN ({', '.join('?' * len(wanted))})",
                tuple(s.value for s in wanted))

    def trials(
        self, status: TrialStatus | Sequence[TrialStatus] | None = None
    ) -> list[TrialRecord]:
        where, args = self._where(status)
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {self._columns} FROM trials{where} ORDER BY seq", args
            ).fetchall()
        return _records(rows)

    def trial_outlines(self) -> list[TrialRecord]:
        # the two JSON columns are most of the decoding time of a 100,000-job project
        columns = self._columns.replace("values_json", "NULL").replace("metrics_json", "NULL")
        with self._lock:
            rows = self._conn.execute(f"SELECT {columns} FROM trials ORDER BY seq").fetchall()
        return [TrialRecord(row[0], {}, _STATUS[row[2]], row[3], row[4], row[5], row[6], row[7],
                            row[8], {}, row[10], row[11], row[12], row[13], row[14], row[15])
                for row in rows]  # positional: a third faster than keywords (see _record)

    def tally(self) -> Tally:
        reached = "epochs_reached" if "epochs_reached" in self._columns else "NULL"
        with self._lock:
            return _sqlite_tally.tally(self._conn, reached)

    def count_trials(self, status: TrialStatus | Sequence[TrialStatus] | None = None) -> int:
        where, args = self._where(status)
        with self._lock:
            count: int = self._conn.execute(
                f"SELECT COUNT(*) FROM trials{where}", args).fetchone()[0]
            return count

    def epoch_metrics(self, trial_id: str) -> list[tuple[int, dict[str, float]]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT epoch, metrics_json FROM epoch_metrics WHERE trial_id = ? ORDER BY seq",
                (trial_id,),
            ).fetchall()
            if not rows:
                self._require(trial_id)
        return [(epoch, json.loads(text)) for epoch, text in rows]

    def all_epoch_metrics(self) -> Iterator[tuple[str, int, dict[str, float]]]:
        # read on first use: a resumed search whose searcher replays no reports (random,
        # Hyperband) never reads them, which on a 100,000-job project is most of its opening time
        with self._lock:
            rows = self._conn.execute(ALL_REPORTS).fetchall()
        for trial_id, epoch, text in rows:
            yield trial_id, epoch, json.loads(text)

    def metric_history(self, name: str) -> list[tuple[str, int, Any]]:
        if '"' in name or "\\" in name:  # not expressible as a JSON path label: decode reports
            return super().metric_history(name)
        path = f'$."{name}"'
        with self._lock:
            rows = self._conn.execute(METRIC_HISTORY, (path,)).fetchall()
        return [(trial_id, epoch, value if whole is None else json.loads(whole).get(name))
                for trial_id, epoch, value, whole in rows]

    def failures(self, trial_id: str | None = None) -> list[tuple[str, int, str]]:
        query = "SELECT trial_id, attempt, error FROM failures"
        with self._lock:
            if trial_id is None:
                return self._conn.execute(f"{query} ORDER BY seq").fetchall()
            rows = self._conn.execute(
                f"{query} WHERE trial_id = ? ORDER BY seq", (trial_id,)
            ).fetchall()
            if not rows:
                self._require(trial_id)
        return rows

    def _require(self, trial_id: str) -> None:
        if (
            self._conn.execute("SELECT 1 FROM trials WHERE trial_id = ?", (trial_id,)).fetchone()
            is None
        ):
            raise UnknownTrialError(f"no trial with trial_id {trial_id!r} in this project")

    def integrity_check(self) -> str:
        """SQLite's ``PRAGMA integrity_check``: ``"ok"``, or the problems found, one per line."""
        with self._lock:
            rows = self._conn.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)
