"""The storage contract.

A storage holds one project: its settings, every trial, the per-epoch metrics each trial reported,
the failures (with tracebacks) of every attempt, and the scheduler's JSON state.

Rules every implementation keeps (``rung.testing.check_storage`` checks them):

* **One change, one transaction.** Each public mutating method is atomic: after a crash either all
  of it is visible or none. ``create_trial`` and ``finish_trial`` take the scheduler state that the
  change produced and write it in the same transaction, so the trials and the scheduler can never
  disagree after a kill.
* **Immutable identity.** A trial's ``trial_id``, ``epochs``, ``initial_epoch``, ``parent_id``,
  ``bracket``, ``rung`` and ``iteration`` never change once created. Only status, metrics, loss,
  attempts, error, ``finished_at`` and ``values`` (completed with what define-by-run code
  declared) do, and only through ``finish_trial``/``record_failure``.
* **Order.** ``trials()`` returns trials in creation order; ``epoch_metrics()`` in report order.
* **Idempotent finish.** Finishing a trial that is already finished raises ``ValueError``.
* **Processes.** Only the driver process writes. A storage shared between processes (SQLite)
  enforces it with a driver lock: ``acquire_driver`` before a search writes, ``heartbeat`` while
  it runs, ``release_driver`` at its end (see ``rung.storage.driver_lock``). Readers in other
  processes (a CLI, a report) never take it, and see committed data at any time (WAL mode).
* **Logs.** An oracle state may hold the part of it that grows with the search as a log of
  pages under the reserved key ``"log_pages"``: a list of lists of JSON entries, where a page
  never changes once the next one exists and the last one only grows (``rung.oracles._log``).
  A storage may keep the pages apart and write only the last one it holds and the new ones
  (``rung.storage._log_pages``), so the state written with each job costs O(1), not O(results);
  ``get_oracle_state`` returns the pages whole. Storing the state whole is correct too.
* **Settings.** ``settings`` is a JSON dict (objective, algorithm and its arguments) saved when
  a project starts and again when a resume changes what may change (a raised ``max_trials``):
  the last one saved is the one read; the tuner compares it on resume.
* **Refusals.** Bad calls change nothing and raise: ``create_trial`` of a record that is not a
  ``TrialRecord`` (``TypeError``) or not ``RUNNING`` (``ValueError`` saying so); any method given
  an unknown trial id, a ``KeyError`` naming it; ``report``, ``record_failure`` and
  ``clear_reports`` of a finished trial, a ``ValueError`` saying it is finished; ``finish_trial``
  with the status ``RUNNING`` or a NaN loss, a ``ValueError``; ``trials(status)`` takes a
  ``TrialStatus``, its name or a list of them, and an unknown name is a ``ValueError``; an oracle
  state whose ``"log_pages"`` is not a list of lists, a ``ValueError`` naming ``log_pages``.
* **Persistence.** A storage that keeps a project beyond the process gives it back whole to a
  new object on the same data, with or without ``close()`` first (a killed search resumes):
  ``check_storage(factory, reopen=lambda old: MyStorage(old.path))`` checks it.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rung.storage.driver_lock import DriverLock, TakenOver
from rung.storage.tally import Tally, needs_reports, tally_records
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["Storage"]


class Storage(abc.ABC):
    """Abstract project store; see the module docstring for the contract."""

    # --- project settings and scheduler state -------------------------------------------
    @abc.abstractmethod
    def get_settings(self) -> dict[str, Any] | None:
        """The project's settings, or ``None`` for a new project."""

    @abc.abstractmethod
    def set_settings(self, settings: Mapping[str, Any]) -> None:
        """Save the project's settings (JSON-serialisable)."""

    @abc.abstractmethod
    def get_oracle_state(self) -> dict[str, Any] | None:
        """The last saved scheduler state, or ``None``."""

    @abc.abstractmethod
    def set_oracle_state(self, state: Mapping[str, Any]) -> None:
        """Save the scheduler state on its own (e.g. when it changed without a trial change)."""

    # --- trials -------------------------------------------------------------------------
    @abc.abstractmethod
    def create_trial(self, record: TrialRecord, oracle_state: Mapping[str, Any] | None = None) -> None:
        """Insert a new RUNNING trial (and the scheduler state) in one transaction.

        Raises ``ValueError`` if ``trial_id`` exists already.
        """

    @abc.abstractmethod
    def report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> None:
        """Record the metrics of one epoch of a running trial."""

    @abc.abstractmethod
    def clear_reports(self, trial_id: str) -> None:
        """Forget the epochs a RUNNING trial reported: it is about to run again (a retry, or a
        job that was in flight when the process died), and its epochs will be reported anew."""

    @abc.abstractmethod
    def record_failure(self, trial_id: str, attempt: int, error: str) -> None:
        """Record one failed attempt (its traceback) and bump the trial's ``attempts``."""

    @abc.abstractmethod
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
        """Finish a trial (and save the scheduler state) in one transaction.

        ``values``, when given, replaces the stored hyperparameter values with the ones the trial
        really used: define-by-run code may declare entries the suggestion did not hold.
        ``epochs_reached`` is the epoch the job really reached (a pruned job stops early).
        """

    @abc.abstractmethod
    def get_trial(self, trial_id: str) -> TrialRecord:
        """The trial, or ``KeyError``."""

    @abc.abstractmethod
    def trials(self, status: TrialStatus | Sequence[TrialStatus] | None = None) -> list[TrialRecord]:
        """All trials (optionally of the given statuses), in creation order."""

    def trial_outlines(self) -> list[TrialRecord]:
        """All trials in creation order, where ``values`` and ``metrics`` may be left empty
        (``{}``): for a reader that counts and ranks jobs (``rung status``) and reads the few
        it shows with ``get_trial``. SQLite then decodes no JSON; this default is ``trials()``."""
        return self.trials()

    def tally(self) -> Tally:
        """The project's jobs counted and summed (``rung.storage.tally.Tally``): what ``rung
        status`` shows. This default counts ``trial_outlines()``; a storage that can aggregate
        where the data lives (SQLite) answers without building a record per job."""
        records = self.trial_outlines()
        return tally_records(records, self.last_reported_epochs(records))

    def last_reported_epochs(self, records: Sequence[TrialRecord]) -> dict[str, int | None]:
        """The last reported epoch (None: none) of each of ``records`` whose record does not say
        how far it trained (``rung.storage.tally.needs_reports``): the jobs in flight, and the
        jobs of a single-fidelity project stored by an older rung."""
        return {r.trial_id: max((e for e, _ in self.epoch_metrics(r.trial_id)), default=None)
                for r in records if needs_reports(r)}

    @abc.abstractmethod
    def epoch_metrics(self, trial_id: str) -> list[tuple[int, dict[str, float]]]:
        """``(epoch, metrics)`` pairs reported by a trial, in report order."""

    @abc.abstractmethod
    def all_epoch_metrics(self) -> Iterator[tuple[str, int, dict[str, float]]]:
        """``(trial_id, epoch, metrics)`` of every FINISHED trial, trial by trial in creation
        order, each trial's in report order (what a resumed searcher replays). A storage may
        read them only when the iterator is first used: a caller that needs none pays nothing."""

    def metric_history(self, name: str) -> list[tuple[str, int, Any]]:
        """``(trial_id, epoch, value)`` of metric ``name`` in every report of every trial (running
        ones too), each trial's rows in report order (the rows of different trials may
        interleave); ``value`` is None where a report lacks ``name``. What a report plots: a
        storage may answer it without decoding whole reports (SQLite does); this default reads
        them."""
        return [(record.trial_id, epoch, metrics.get(name)) for record in self.trials()
                for epoch, metrics in self.epoch_metrics(record.trial_id)]

    @abc.abstractmethod
    def failures(self, trial_id: str | None = None) -> list[tuple[str, int, str]]:
        """``(trial_id, attempt, error)`` of recorded failures, oldest first."""

    def count_trials(self, status: TrialStatus | None = None) -> int:
        return len(self.trials(status))

    # --- the driver lock (optional: a storage one process owns needs none) ----------------
    def acquire_driver(self) -> TakenOver | None:
        """Become the project's only writer; the stale lock taken over, or None. Raises
        ``ProjectInUseError`` when a live driver holds the project. The default: no lock."""
        return None

    def heartbeat(self) -> bool:
        """Show that the driver lives; False when the lock was lost. The default: True."""
        return True

    def release_driver(self) -> None:  # noqa: B027 - optional hook
        """Give the driver lock back. The default does nothing."""

    def driver_lock(self) -> DriverLock | None:
        """Who holds the driver lock (a read, never taking it). The default: None."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources. The default does nothing."""

    def __enter__(self) -> Storage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
