"""The ask/tell contract every oracle follows.

An oracle decides *when* and *how long* each configuration trains; a searcher (``rung.searchers``)
decides *what* to try. Call order::

    oracle = SomeOracle(objective=..., hyperparameters=..., seed=...)
    oracle.budget()                      # the plan, before anything runs
    while not oracle.finished:
        s = oracle.ask()                 # a Suggestion, or None while waiting on pending results
        ...train s.values from s.initial_epoch to s.epochs...
        oracle.tell(s.trial_id, metrics) # or oracle.tell_failed(s.trial_id, error)

``state_dict()`` is JSON and bounded by what is live (open brackets, pending jobs, RNG), never by
the number of finished trials; those come back through ``load_state_dict(state, history)``.
Oracles never touch disk, processes or frameworks.
"""

from __future__ import annotations

import abc
import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.objective import ObjectiveLike, create_objective
from rung.oracles._define_by_run import OracleSpace
from rung.oracles._history import observation
from rung.oracles._jobs import OracleJobs, unknown_values
from rung.oracles._persistence import OraclePersistence
from rung.oracles._ranking import Ranking
from rung.oracles._reports import OracleReports
from rung.oracles._results import OracleResults
from rung.oracles._state import STATE_VERSION
from rung.oracles._tell_args import metrics_dict, pruned_at, values_dict
from rung.oracles.kt_methods import KerasTunerOracleMethods
from rung.oracles.schedule import Budget
from rung.oracles.stop import Stop
from rung.oracles.suggestion import Suggestion
from rung.searchers import GPSearcher, Observation, Searcher, get_searcher
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import (
    check_bool,
    check_choice,
    check_int,
    fail_type,
    fail_value,
    unknown_arguments,
)

__all__ = ["STATE_VERSION", "Oracle", "Suggestion", "unknown_values"]


def _own_values(observation: Observation) -> Observation:
    """``observation`` with a copy of its values, for a searcher to keep or change."""
    return dataclasses.replace(observation, values=dict(observation.values))


class Oracle(OracleJobs, OraclePersistence, KerasTunerOracleMethods, OracleResults, OracleReports,
             OracleSpace, abc.ABC):
    """Base class of oracles.

    Writing a scheduler of your own (docs/architecture.md, "Writing an oracle"): implement
    ``_next`` (the next job), ``_on_result`` (a job ended) and ``budget`` (the plan). Optional
    hooks: ``_decide`` (stop a running job at a report), ``_scheduler_state`` /
    ``_load_scheduler_state`` (what it keeps between jobs, as JSON), ``checkpoints_in_use``,
    ``_settings`` (what a resumed search must match). The hooks are underscored because only the
    base class calls them. What they may use: ``rng``, ``new_trial_id()``, ``end_search()``,
    ``pending``, ``pending_parents()``, ``reached_planned_epochs()``, ``searcher``,
    ``hyperparameters``, ``objective``, ``records`` and ``get_best_trials``;
    ``rung.testing.check_oracle`` checks the result. ``default_searcher`` names the searcher used
    when none is given.

    Args:
        objective: what to optimise: a name (direction inferred), a ``rung.Objective``, or a list.
        hyperparameters: the initial search space (more may be declared by trials: define-by-run).
        searcher: what to try: a ``rung.searchers.Searcher`` or a name (``"random"``,
            ``"grid"``); each oracle has a default (``default_searcher``).
        seed: seeds the oracle's only random number generator (its state is in ``state_dict``).
        tune_new_entries: tune hyperparameters that trials declare beyond ``hyperparameters``; if
            False they stay at their default.
        allow_new_entries: allow trials to declare hyperparameters beyond ``hyperparameters``.
        max_retries_per_trial, max_consecutive_failed_trials: keras-tuner's; a tuner built on
            this oracle uses them unless given its own (and ``end_trial`` applies them when the
            oracle is driven by hand, ``rung.oracles.kt_methods``).

    ``settings``, ``state_dict``, ``load_state_dict`` and ``adopt`` come from
    ``rung.oracles._persistence``; ``trials``, ``get_best_trials``, ``get_trial``... from
    ``rung.oracles._results``; keras-tuner's methods (``create_trial``, ``update_trial``,
    ``end_trial``, ``get_space``, ``get_state``...) from ``rung.oracles.kt_methods``;
    ``on_report`` (with ``_decide``, ``stop_rule``, ``stops_trials``: overriding ``_decide``
    sets it) from
    ``rung.oracles._reports``; ``update_space`` (with ``_check_space``) from
    ``rung.oracles._define_by_run``.
    """

    def __init__(
        self,
        objective: ObjectiveLike = None,
        hyperparameters: HyperParameters | None = None,
        searcher: Searcher | str | None = None,
        seed: int | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        **unknown: Any,
    ) -> None:
        if unknown:
            raise unknown_arguments(type(self), unknown)
        if hyperparameters is not None and not isinstance(hyperparameters, HyperParameters):
            raise fail_type("hyperparameters", "a rung.HyperParameters", hyperparameters)
        if seed is not None:
            seed = check_int("seed", seed, 0)
        self.objective = create_objective(objective)
        self.hyperparameters = hyperparameters.copy() if hyperparameters else HyperParameters()
        self.hyperparameters._pin_definitions()  # they override what the model declares
        self.searcher = get_searcher(searcher, self.default_searcher)
        self._check_space(self.hyperparameters)  # e.g. a grid of a continuous Float
        if isinstance(self.searcher, GPSearcher) and self.searcher.per_budget is None:
            self.searcher.per_budget = self.multi_fidelity  # results at several budgets
        self.seed = seed
        self.tune_new_entries = check_bool("tune_new_entries", tune_new_entries)
        self.allow_new_entries = check_bool("allow_new_entries", allow_new_entries)
        self.max_retries_per_trial = check_int("max_retries_per_trial", max_retries_per_trial, 0)
        self.max_consecutive_failed_trials = check_int(
            "max_consecutive_failed_trials", max_consecutive_failed_trials, 1)
        self._rng = np.random.default_rng(seed)
        self._next_id = 0
        self._pending: dict[str, Suggestion] = {}
        self._last_reports: dict[str, int] = {}
        self._reported_losses: dict[str, list[tuple[int, float]]] = {}  # see OracleReports.on_report
        self._finished_trials: dict[str, TrialRecord] = {}
        self._ranking = Ranking()
        self.stop: Stop | None = None

    default_searcher: ClassVar[str] = "random"
    multi_fidelity: ClassVar[bool] = False
    """True where jobs train for different numbers of epochs by design (brackets, rungs): a
    searcher that models one budget at a time (``GPSearcher(per_budget=None)``) is told so."""

    @property
    def _observes(self) -> bool:
        """The searcher learns from reports only if it overrides observe (saves work per epoch);
        read from the current searcher, which may be replaced (``rung.testing`` wraps it)."""
        return type(self.searcher).observe is not Searcher.observe

    # --- what subclasses implement --------------------------------------------------------
    @abc.abstractmethod
    def _next(self) -> Suggestion | None:
        """The next job, or None (waiting or done; call ``self.end_search(...)`` when done)."""

    @abc.abstractmethod
    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        """A job ended: ``record`` has its status, ``loss`` (None unless COMPLETED or PRUNED)
        and ``epochs_reached``."""

    @abc.abstractmethod
    def budget(self) -> Budget:
        """The planned jobs and epochs, before anything runs."""

    def _scheduler_state(self) -> dict[str, Any]:
        return {}

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:  # noqa: B027
        """Restore what ``_scheduler_state`` saved."""

    # --- the ask/tell interface ------------------------------------------------------------
    def ask(self) -> Suggestion | None:
        """The next job, or None when finished or waiting on pending results."""
        if self.stop is not None:
            return None
        suggestion = self._next()
        if suggestion is not None:
            self._check_new_job(suggestion)
            self._pending[suggestion.trial_id] = suggestion
            self.searcher.on_start(suggestion.trial_id, dict(suggestion.values),
                                   suggestion.epochs)  # a copy: the job's values are the oracle's
        return suggestion

    def _check_new_job(self, suggestion: Suggestion) -> None:
        """A subclass's ``_next`` returned a ``Suggestion`` with an id of its own making, or one
        in use: say so here, not as a failed ``int()`` deep in storage or a lost job."""
        trial_id = suggestion.trial_id
        used = trial_id in self._pending or trial_id in self._finished_trials
        if not isinstance(trial_id, str) or not trial_id.isdigit() or used:
            what = "is already in use" if used else "is not a trial id"
            raise ConfigurationError(
                f"{type(self).__name__}._next returned a job whose trial_id {trial_id!r} {what}: "
                "take each new job's id from self.new_trial_id()")

    def tell(
        self,
        trial_id: str,
        metrics: float | Mapping[str, float],
        values: Mapping[str, Any] | None = None,
        *,
        epochs_reached: int | None = None,
        status: TrialStatus = TrialStatus.COMPLETED,
    ) -> TrialRecord:
        """Report a finished job; returns its record as it will be stored.

        Args:
            metrics: the job's final metrics (a dict, or a float for the objective).
            values: the hyperparameter values the trial actually used (define-by-run code adds
                entries to the suggestion's).
            epochs_reached: the epoch the job really reached (default: its planned ``epochs``;
                for ``PRUNED``, the last epoch it reported through ``on_report``, or its
                ``initial_epoch`` where it reported none).
            status: ``COMPLETED``, or ``PRUNED`` for a job a stopping scheduler stopped at
                ``epochs_reached``.

        The record's ``status`` is FAILED (``loss`` None) when the objective is not a finite
        number; storage must keep exactly the record's status.
        """
        # "PRUNED" is a TrialStatus too: the record holds the member, never the bare text
        status = TrialStatus(check_choice("status", status, (
            TrialStatus.COMPLETED, TrialStatus.PRUNED), "use tell_failed for a failed job"))
        # every check comes before the job leaves `pending`: a bad call can be made again, right
        suggestion = self._pending_job(trial_id)
        if epochs_reached is not None:
            epochs_reached = check_int("epochs_reached", epochs_reached, 0)
            if suggestion.epochs is not None and not (
                    suggestion.initial_epoch <= epochs_reached <= suggestion.epochs):
                raise fail_value("epochs_reached", f"an epoch of job {trial_id}'s range, "
                                 f"{suggestion.initial_epoch} to {suggestion.epochs}",
                                 epochs_reached)
        told = metrics_dict(metrics, self.objective.name)
        loss = self.objective.loss(metrics)
        used = values_dict(values, suggestion)
        del self._pending[trial_id]
        last_report = self._last_reports.pop(trial_id, None)
        if epochs_reached is not None:
            reached: int | None = epochs_reached
        elif status is TrialStatus.PRUNED:  # stopped at its last report, not its planned end
            reached = pruned_at(suggestion, last_report)
        else:
            reached = suggestion.epochs
        finite = math.isfinite(loss)
        record = suggestion.to_record().replace(
            values=used,
            status=status if finite else TrialStatus.FAILED,
            metrics=told,
            loss=float(loss) if finite else None,
            epochs_reached=reached,
        )
        self._finished_trials[trial_id] = record
        self._ranking.add(record)
        self._observe_as_told(record, suggestion.values)
        self._observe(observation(record))
        self._on_result(suggestion, record)
        return record

    def tell_failed(
        self, trial_id: str, error: str = "", values: Mapping[str, Any] | None = None
    ) -> TrialRecord:
        """Report a job that failed for good (after retries); returns its record. ``error`` is
        the message stored with it (text: ``str(exc)`` or ``traceback.format_exc()``)."""
        if error is not None and not isinstance(error, str):
            raise fail_type("error", "the error message as text (str(exc), or "
                            "traceback.format_exc()), or ''", error)
        suggestion = self._pending_job(trial_id)
        used = values_dict(values, suggestion)
        del self._pending[trial_id]
        self._last_reports.pop(trial_id, None)
        record = suggestion.to_record().replace(
            status=TrialStatus.FAILED, error=error or None, values=used)
        self._finished_trials[trial_id] = record
        self._observe_as_told(record, suggestion.values)
        self._observe(observation(record))
        self._on_result(suggestion, record)
        return record

    # --- what the searcher sees (reports while a job runs: rung.oracles._reports) ---------
    def _observe(self, observation: Observation) -> None:
        """Hook: every observation (reports and final results) on its way to the searcher,
        with a copy of its values (they are the stored trial's: no searcher may change them)."""
        self.searcher.observe(_own_values(observation))

    def _replay(self, observations: Iterable[Observation]) -> None:
        """Hook: the stored history on resume, on its way to the searcher (``Searcher.replay``)."""
        self.searcher.replay([_own_values(item) for item in observations])
