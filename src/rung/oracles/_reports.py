"""Reports while a job runs: what the searcher sees of them, and whether a stopping scheduler
stops the job (a base of ``rung.oracles.Oracle``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rung.objective import MultiObjective, Objective
from rung.oracles._history import observation
from rung.oracles.suggestion import Suggestion
from rung.searchers.observation import Observation
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_int

__all__ = ["OracleReports"]


class OracleReports:
    """``on_report`` and its hooks: ``_decide`` (live) and ``stop_rule`` (applied by a worker)."""

    objective: Objective | MultiObjective
    _pending: dict[str, Suggestion]
    _last_reports: dict[str, int]  # pending job -> the last epoch it reported (``tell`` of PRUNED)
    _reported_losses: dict[str, list[tuple[int, float]]]  # pending job -> its (epoch, loss) reports

    if TYPE_CHECKING:
        @property
        def _observes(self) -> bool: ...
        def _observe(self, observation: Observation) -> None: ...

    stops_trials: bool = False
    """True for oracles whose ``on_report`` may stop a running job (ASHA ``mode="stopping"``).
    A subclass that overrides ``_decide`` and does not set it gets True (``__init_subclass__``):
    without it ``_decide`` would never be called."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = any("stops_trials" in vars(c) for c in cls.__mro__ if c is not OracleReports)
        if "_decide" in vars(cls) and not declared:
            cls.stops_trials = True

    def on_report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> bool:
        """A pending job reported ``metrics`` after ``epoch``: the searcher observes it (status
        RUNNING, budget ``epoch``) and ``_decide`` says whether the job goes on. Returns False to
        stop it (``trial.report`` then raises ``TrialPruned``).

        A resumed search replays a finished job's reports with the values it was told with
        (storage keeps those), so the searcher is brought to the same place live: the reports
        of a job asked with ``{}`` (define-by-run: nothing declared yet) are observed only at its
        ``tell``, with the values it declared (an observation of ``{}`` would count a
        configuration that never ran), and those of a job told with other values than it was
        asked with (it declared a hyperparameter the space lacked when it was asked) are
        observed again there, with the values it used (a searcher keeps the last observation of
        a trial at a budget)."""
        # numpy's integers too (saved as a JSON int); checked first, even for a job not pending
        epoch = check_int("epoch", epoch, 0, hint="the 1-based epoch the job just finished")
        suggestion = self._pending.get(trial_id)
        if suggestion is None:
            return True
        self._last_reports[trial_id] = epoch  # where a PRUNED tell stopped by default
        if not (self._observes or self.stops_trials):
            return True
        try:
            loss = self.objective.loss(metrics)
        except (KeyError, TypeError, ValueError):
            return True  # the objective is not among these metrics
        if self._observes and math.isfinite(loss):
            self._reported_losses.setdefault(trial_id, []).append((epoch, float(loss)))
            if suggestion.values:
                self._observe(observation(
                    suggestion.to_record().replace(loss=float(loss), epochs_reached=epoch)))
        return self._decide(trial_id, epoch, loss)

    def _observe_as_told(self, record: TrialRecord, asked: Mapping[str, object]) -> None:
        """The reports of ``record``'s job as RUNNING observations with the values it used,
        where they differ from those it was ``asked`` with (``{}`` included: then held back by
        ``on_report``): ``tell`` sends them before the final observation, in the order a resume
        replays them (``history_observations``)."""
        reports = self._reported_losses.pop(record.trial_id, ())
        if asked and dict(asked) == record.values:
            return  # observed live with these values already
        for epoch, loss in reports:
            self._observe(Observation(trial_id=record.trial_id, values=record.values,
                                      budget=epoch, loss=loss, status=TrialStatus.RUNNING))

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
