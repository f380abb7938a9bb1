"""The results side of an oracle: finished trials, the best ones, a trial by id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rung.errors import UnknownTrialError
from rung.hyperparameters import HyperParameters
from rung.objective import MultiObjective, Objective
from rung.oracles._assigned import assigned_records, store_assigned
from rung.oracles._ranking import Ranking
from rung.oracles.suggestion import Suggestion
from rung.trial import Trial
from rung.trial_record import TrialRecord, creation_order
from rung.validation import check_int

if TYPE_CHECKING:
    from rung.storage import Storage

__all__ = ["OracleResults", "TrialsView"]


class OracleResults:
    """Read access to what a search found (a base of ``rung.oracles.Oracle``)."""

    hyperparameters: HyperParameters
    objective: Objective | MultiObjective
    _finished_trials: dict[str, TrialRecord]
    _pending: dict[str, Suggestion]
    _ranking: Ranking

    if TYPE_CHECKING:
        def adopt(self, history: Any, reports: Any = ()) -> None: ...
        def state_dict(self) -> dict[str, Any]: ...
        def _store(self) -> Storage | None: ...

    @property
    def trials(self) -> dict[str, Trial]:
        """Finished trials by id (``Trial`` objects, keras-tuner's ``oracle.trials``); setting an
        item, ``oracle.trials[trial.trial_id] = trial``, adds a finished trial (see below)."""
        return TrialsView(self, {k: self.make_trial(r) for k, r in self._finished_trials.items()})

    @trials.setter
    def trials(self, trials: Mapping[str, Trial]) -> None:
        """keras-tuner code may assign finished trials: they replace the oracle's history and
        are written to its store, if any (``rung.oracles._assigned``)."""
        known = self._finished_trials
        records = assigned_records(trials, self.objective, known)
        storage = self._store()
        if storage is not None:
            store_assigned(storage, [r for r in records if known.get(r.trial_id) is not r])
        self.adopt(records)
        if storage is not None:
            storage.set_oracle_state(self.state_dict())

    @property
    def records(self) -> list[TrialRecord]:
        """Finished trials as stored records, in the order they finished."""
        return list(self._finished_trials.values())

    def get_best_trials(self, num_trials: int = 1) -> list[Trial]:
        """The best completed trials, best first (ties: more epochs, then earlier).

        Kept ranked as results arrive, so this costs O(num_trials), not a sort of the history.
        """
        check_int("num_trials", num_trials, 0)
        return [self.make_trial(self._finished_trials[trial_id])
                for trial_id in self.best_trial_ids(num_trials)]

    def best_trial_ids(self, num_trials: int = 1) -> list[str]:
        """The ids of :meth:`get_best_trials`, without building a ``Trial`` for each (the
        checkpoint sweep asks after every job)."""
        return self._ranking.best(num_trials)

    def is_finished(self, trial_id: str) -> bool:
        """Whether ``trial_id`` is a trial of this search that finished (completed, pruned or
        failed); False for a pending or unknown id."""
        record = self._finished_trials.get(trial_id)
        return record is not None and record.status.is_finished

    def make_trial(self, record: TrialRecord) -> Trial:
        """A read-only ``Trial`` for a record (its values in this oracle's space; a finished
        trial's values exactly as it ran, ``HyperParameters.as_ran``)."""
        space = self.hyperparameters
        hp = (space.as_ran(record.values) if record.status.is_finished
              else space.clone_with_values(record.values))
        return Trial(record, hp, self.objective)

    def get_trial(self, trial_id: str) -> Trial:
        """A finished or pending trial by id."""
        if trial_id in self._finished_trials:
            return self.make_trial(self._finished_trials[trial_id])
        if trial_id in self._pending:
            return self.make_trial(self._pending[trial_id].to_record())
        known = sorted([*self._finished_trials, *self._pending], key=creation_order)
        shown = ", ".join(known[:3]) + (f" ... ({len(known)} in all)" if len(known) > 3 else "")
        raise UnknownTrialError(
            f"trial_id must be the id of a trial of this project, got {trial_id!r}; "
            + (f"its trials are {shown}" if known else "it has no trial yet"))


class TrialsView(dict):  # type: ignore[type-arg]
    """``oracle.trials``: a dict of ``Trial`` by id whose item assignment adds the trial to the
    oracle's history (keras-tuner code writes ``oracle.trials[trial.trial_id] = trial``)."""

    def __init__(self, oracle: OracleResults, trials: dict[str, Trial]) -> None:
        super().__init__(trials)
        self._oracle = oracle

    def __setitem__(self, key: str, trial: Trial) -> None:
        self._oracle.trials = {**self, key: trial}
        super().__setitem__(key, trial)
