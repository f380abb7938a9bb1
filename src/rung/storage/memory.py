"""A storage that keeps the project in plain dicts, for tests and throw-away searches."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rung.errors import UnknownTrialError
from rung.storage._common import (
    check_finish,
    clone_json,
    normalise_record,
    normalise_statuses,
)
from rung.storage._log_pages import LOG_KEY, first_changed, page, split_log
from rung.storage.base import Storage
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["InMemoryStorage"]


class InMemoryStorage(Storage):
    """Keeps a project in memory; nothing survives the process.

    Every JSON value is copied on the way in and on the way out (through a JSON round trip, so it
    comes back exactly as :class:`~rung.storage.SQLiteStorage` would return it), so callers can
    never change stored state by mutating what they passed or got. Each mutating method checks
    and serialises everything before it changes anything, so a failing call changes nothing.

    Example::

        storage = InMemoryStorage()
        storage.create_trial(TrialRecord("t0", {"units": 32}), oracle_state={"n": 1})
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._settings: dict[str, Any] | None = None
        self._oracle_state: dict[str, Any] | None = None  # without its log's pages:
        self._log_pages: list[list[Any]] | None = None  # kept apart, shared with no caller
        self._trials: dict[str, TrialRecord] = {}  # insertion order is creation order
        self._epochs: dict[str, list[tuple[int, dict[str, float]]]] = {}
        self._failures: list[tuple[str, int, str]] = []

    # --- project settings and scheduler state -------------------------------------------
    def get_settings(self) -> dict[str, Any] | None:
        with self._lock:
            return None if self._settings is None else clone_json(self._settings)

    def set_settings(self, settings: Mapping[str, Any]) -> None:
        copy = clone_json(dict(settings))
        with self._lock:
            self._settings = copy

    def get_oracle_state(self) -> dict[str, Any] | None:
        with self._lock:
            if self._oracle_state is None:
                return None
            state: dict[str, Any] = clone_json(self._oracle_state)
            if self._log_pages is not None:
                state[LOG_KEY] = clone_json(self._log_pages)
            return state

    def set_oracle_state(self, state: Mapping[str, Any]) -> None:
        with self._lock:
            self._put_state(self._prepare_state(state))

    def _prepare_state(self, state: Mapping[str, Any]) -> tuple[dict[str, Any], Any]:
        """``state`` copied, its log's pages apart: only those that changed (storage contract,
        "Logs"), so a long ASHA search does not copy every result at each job."""
        rest, pages = split_log(state)
        if pages is None:
            return clone_json(rest), None
        held = self._log_pages or []
        start = first_changed(len(held), pages, lambda i: held[i] == pages[i])
        fresh = [clone_json(page(pages, i)) for i in range(start, len(pages))]
        return clone_json(rest), held[:start] + fresh

    def _put_state(self, prepared: tuple[dict[str, Any], Any]) -> None:
        self._oracle_state, self._log_pages = prepared

    # --- trials -------------------------------------------------------------------------
    def create_trial(
        self, record: TrialRecord, oracle_state: Mapping[str, Any] | None = None
    ) -> None:
        record = normalise_record(record)
        with self._lock:
            state = None if oracle_state is None else self._prepare_state(oracle_state)
            if record.trial_id in self._trials:
                raise ValueError(f"create_trial: trial {record.trial_id!r} exists already.")
            self._trials[record.trial_id] = record
            self._epochs[record.trial_id] = []
            if state is not None:
                self._put_state(state)

    def _running(self, method: str, trial_id: str) -> TrialRecord:
        record = self._get(trial_id)
        if record.status.is_finished:
            raise ValueError(
                f"{method}: trial {trial_id!r} is already finished ({record.status.value})."
            )
        return record

    def _get(self, trial_id: str) -> TrialRecord:
        try:
            return self._trials[trial_id]
        except KeyError:
            raise UnknownTrialError(f"no trial with trial_id {trial_id!r} in this project") from None

    def report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> None:
        entry = (int(epoch), clone_json(dict(metrics)))
        with self._lock:
            self._running("report", trial_id)
            self._epochs[trial_id].append(entry)

    def clear_reports(self, trial_id: str) -> None:
        with self._lock:
            self._running("clear_reports", trial_id)
            self._epochs[trial_id] = []

    def record_failure(self, trial_id: str, attempt: int, error: str) -> None:
        entry = (trial_id, int(attempt), str(error))
        with self._lock:
            record = self._running("record_failure", trial_id)
            self._failures.append(entry)
            self._trials[trial_id] = record.replace(attempts=record.attempts + 1)

    def finish_trial(
        self,
        trial_id: str,
        status: TrialStatus,
        metrics: Mapping[str, float] | None = None,
        loss: float | None = None,
        error: str | None = None,
        oracle_state: Mapping[str, Any] | None = None,
        finished_at: float | None = None,
        values: Mapping[str, Any] | None = None,
        epochs_reached: int | None = None,
    ) -> None:
        status, loss = check_finish(trial_id, status, loss)
        final = clone_json(dict(metrics or {}))
        used = None if values is None else clone_json(dict(values))
        finished_at = time.time() if finished_at is None else float(finished_at)
        with self._lock:
            state = None if oracle_state is None else self._prepare_state(oracle_state)
            record = self._running("finish_trial", trial_id)
            self._trials[trial_id] = record.replace(
                status=status, metrics=final, loss=loss, error=error, finished_at=finished_at,
                values=record.values if used is None else used,
                epochs_reached=None if epochs_reached is None else int(epochs_reached),
            )
            if state is not None:
                self._put_state(state)

    def get_trial(self, trial_id: str) -> TrialRecord:
        with self._lock:
            return self._copy(self._get(trial_id))

    def trials(
        self, status: TrialStatus | Sequence[TrialStatus] | None = None
    ) -> list[TrialRecord]:
        wanted = normalise_statuses(status)
        with self._lock:
            return [
                self._copy(r) for r in self._trials.values() if wanted is None or r.status in wanted
            ]

    def count_trials(self, status: TrialStatus | Sequence[TrialStatus] | None = None) -> int:
        wanted = normalise_statuses(status)
        with self._lock:
            if wanted is None:
                return len(self._trials)
            return sum(1 for r in self._trials.values() if r.status in wanted)

    def epoch_metrics(self, trial_id: str) -> list[tuple[int, dict[str, float]]]:
        with self._lock:
            self._get(trial_id)
            return [(epoch, clone_json(m)) for epoch, m in self._epochs[trial_id]]

    def all_epoch_metrics(self) -> Iterator[tuple[str, int, dict[str, float]]]:
        with self._lock:
            finished = [t for t, r in self._trials.items() if r.status is not TrialStatus.RUNNING]
            rows = [(t, e, clone_json(m)) for t in finished for e, m in self._epochs[t]]
        return iter(rows)

    def failures(self, trial_id: str | None = None) -> list[tuple[str, int, str]]:
        with self._lock:
            if trial_id is None:
                return list(self._failures)
            self._get(trial_id)
            return [f for f in self._failures if f[0] == trial_id]

    @staticmethod
    def _copy(record: TrialRecord) -> TrialRecord:
        return record.replace(values=clone_json(record.values), metrics=clone_json(record.metrics))
