"""Reports while a job runs: what the searcher sees of them, and whether a stopping scheduler
stops the job (a base of ``rung.oracles.Oracle``)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rung.objective import MultiObjective, Objective
from rung.oracles._history import observation
from rung.oracles.suggestion import Suggestion

if TYPE_CHECKING:
    from rung.searchers import Observation

__all__ = ["OracleReports"]


class OracleReports:
    """``on_report`` and its hooks: ``_decide`` (live) and ``stop_rule`` (applied by a worker)."""

    objective: Objective | MultiObjective
    _pending: dict[str, Suggestion]
    _last_reports: dict[str, int]  # pending job -> the last epoch it reported (``tell`` of PRUNED)

    if TYPE_CHECKING:
        @property
        def _observes(self) -> bool: ...
        def _observe(self, observation: Observation) -> None: ...

    stops_trials: bool = False
    """True for oracles whose ``on_report`` may stop a running job (ASHA ``mode="stopping"``)."""

    def on_report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> bool:
        """A pending job reported ``metrics`` after ``epoch``: the searcher observes it (status
        RUNNING, budget ``epoch``) and ``_decide`` says whether the job goes on. Returns False to
        stop it (``trial.report`` then raises ``TrialPruned``)."""
        suggestion = self._pending.get(trial_id)
        if suggestion is None:
            return True
        if isinstance(epoch, numbers.Integral):  # numpy's too, saved as a JSON int
            self._last_reports[trial_id] = int(epoch)  # where a PRUNED tell stopped by default
        if not (self._observes or self.stops_trials):
            return True
        try:
            loss = self.objective.loss(metrics)
        except (KeyError, TypeError, ValueError):
            return True  # the objective is not among these metrics
        if self._observes and math.isfinite(loss):
            self._observe(observation(
                suggestion.to_record().replace(loss=float(loss), epochs_reached=epoch)))
        return self._decide(trial_id, epoch, loss)

    def _decide(self, trial_id: str, epoch: int, loss: float) -> bool:
        """Hook: keep the pending job going after it reported ``loss`` at ``epoch``?"""
        return True

    def stop_rule(self, trial_id: str, *, as_asked: bool = False
                  ) -> Callable[[int, Mapping[str, float]], bool] | None:
        """Hook: a picklable ``rule(epoch, metrics) -> keep_going`` that a worker without a live
        line to the driver (Dask, Ray) applies itself: the decisions ``on_report`` would make
        with the state as it is now, or (``as_asked``) as it was when the pending job was asked,
        kept in ``state_dict`` so that a resumed search gets the same rule (what a reproducible
        search, ``search(reproducible=True)``, uses). None (the default): never stop."""
        return None
