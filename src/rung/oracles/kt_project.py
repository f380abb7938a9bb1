"""A project directory for an oracle driven by hand (keras-tuner's ``_set_project_dir``,
``save`` and ``reload``), kept in rung's SQLite store like a tuner's.

Once ``oracle._set_project_dir(directory, project_name)`` is called, every ``create_trial``,
``update_trial`` and ``end_trial`` is written to ``directory/project_name/rung.db`` with the
oracle's state, in one transaction, as a tuner would; ``reload()`` on a new oracle reads it back
and hands the trials that were running out again (to the tuner that asks first). Inside a tuner
the project is the tuner's (``tuner.save()``/``tuner.reload()``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rung.errors import ConfigurationError
from rung.trial_record import TrialRecord, TrialStatus

if TYPE_CHECKING:
    from rung.storage import Storage

__all__ = ["OracleProject"]

_FINISHED = (TrialStatus.COMPLETED, TrialStatus.FAILED, TrialStatus.PRUNED)


class OracleProject:
    """keras-tuner's project methods of an oracle (a base of ``KerasTunerOracleMethods``)."""

    if TYPE_CHECKING:
        _pending: dict[str, Any]

        def state_dict(self) -> dict[str, Any]: ...
        def load_state_dict(self, state: Any, history: Any = (), reports: Any = ()) -> None: ...
        def _kt(self) -> dict[str, Any]: ...
        def _live_trial(self, trial_id: str) -> Any: ...

    def _set_project_dir(self, directory: str | Path, project_name: str,
                         overwrite: bool = False) -> None:
        """Keep this oracle's trials and state in ``directory/project_name`` (see the module);
        ``project_name`` and ``overwrite`` as a tuner's (``rung.tuner.project``)."""
        from rung.storage import get_storage
        from rung.tuner.project import delete_for_overwrite, location
        from rung.validation import check_bool

        folder, name = location(directory, project_name)
        path = folder / name
        if check_bool("overwrite", overwrite):
            delete_for_overwrite(path)
        path.mkdir(parents=True, exist_ok=True)
        self.__dict__["_kt_storage"] = get_storage(path / "rung.db", create=True)

    def _project(self) -> Storage | None:
        return self.__dict__.get("_kt_storage")

    def _use_store(self, storage: Storage) -> None:
        """The store of the tuner this oracle runs in (only trials assigned by hand to
        ``oracle.trials`` are written there by the oracle itself; the tuner writes the rest)."""
        self.__dict__["_tuner_storage"] = storage

    def _store(self) -> Storage | None:
        """Where trials assigned to ``oracle.trials`` are written: the tuner's or the
        project's store, or None."""
        return self.__dict__.get("_tuner_storage") or self._project()

    def save(self) -> None:
        """Write the oracle's state to its project (``_set_project_dir``)."""
        self._require_project("save").set_oracle_state(self.state_dict())

    def reload(self) -> None:
        """Read the oracle's state and trials back from its project; the trials that were
        running are handed out again by ``create_trial``."""
        storage = self._require_project("reload")
        state = storage.get_oracle_state()
        if state is None:
            return
        self.load_state_dict(state, storage.trials(_FINISHED), storage.all_epoch_metrics())
        book = self._kt()
        book["ongoing"].clear()
        book["retries"] = sorted(self._pending)
        for trial_id in book["retries"]:
            book["trials"][trial_id] = self._live_trial(trial_id)
            book["reports"][trial_id] = []

    def _require_project(self, what: str) -> Storage:
        storage = self._project()
        if storage is None:
            raise ConfigurationError(
                f"oracle.{what}() needs a project: call oracle._set_project_dir(directory, "
                "project_name) first, or use the tuner's save()/reload() (a tuner keeps the "
                "oracle's state in its project)")
        return storage

    # --- what the hand-driving methods write ---------------------------------------------------
    def _stored_start(self, record: TrialRecord) -> None:
        storage = self._project()
        if storage is not None:
            storage.create_trial(record.replace(created_at=time.time()), self.state_dict())

    def _stored_report(self, trial_id: str, step: int, metrics: Mapping[str, float]) -> None:
        storage = self._project()
        if storage is not None:
            storage.report(trial_id, step, metrics)

    def _stored_end(self, record: TrialRecord) -> None:
        storage = self._project()
        if storage is not None:
            storage.finish_trial(
                record.trial_id, record.status, metrics=record.metrics or None, loss=record.loss,
                error=record.error, oracle_state=self.state_dict(), finished_at=time.time(),
                values=record.values, epochs_reached=record.epochs_reached)

    def __getstate__(self) -> dict[str, Any]:
        """Copies and pickles (a tuner sends its oracle to workers) leave the project behind."""
        state = self.__dict__.copy()
        state.pop("_kt_storage", None)
        state.pop("_tuner_storage", None)
        return state
