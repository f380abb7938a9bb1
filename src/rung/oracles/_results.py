"""The results side of an oracle: finished trials, the best ones, a trial by id."""

from __future__ import annotations

from rung.hyperparameters import HyperParameters
from rung.objective import MultiObjective, Objective
from rung.oracles._ranking import Ranking
from rung.oracles.suggestion import Suggestion
from rung.trial import Trial
from rung.trial_record import TrialRecord

__all__ = ["OracleResults"]


class OracleResults:
    """Read access to what a search found (a base of ``rung.oracles.Oracle``)."""

    hyperparameters: HyperParameters
    objective: Objective | MultiObjective
    _finished_trials: dict[str, TrialRecord]
    _pending: dict[str, Suggestion]
    _ranking: Ranking

    @property
    def trials(self) -> dict[str, Trial]:
        """Finished trials by id (read-only ``Trial`` objects, keras-tuner's ``oracle.trials``)."""
        return {k: self.make_trial(r) for k, r in self._finished_trials.items()}

    @property
    def records(self) -> list[TrialRecord]:
        """Finished trials as stored records, in the order they finished."""
        return list(self._finished_trials.values())

    def get_best_trials(self, num_trials: int = 1) -> list[Trial]:
        """The best completed trials, best first (ties: more epochs, then earlier).

        Kept ranked as results arrive, so this costs O(num_trials), not a sort of the history.
        """
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
        """A read-only ``Trial`` for a record (its values in this oracle's space)."""
        return Trial(record, self.hyperparameters.clone_with_values(record.values), self.objective)

    def get_trial(self, trial_id: str) -> Trial:
        """A finished or pending trial by id."""
        if trial_id in self._finished_trials:
            return self.make_trial(self._finished_trials[trial_id])
        if trial_id in self._pending:
            return self.make_trial(self._pending[trial_id].to_record())
        raise KeyError(f"unknown trial_id {trial_id!r}")
