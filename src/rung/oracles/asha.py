"""ASHA: asynchronous successive halving (Li et al., MLSys 2020, Algorithm 2).

Rungs ``k = 0..K`` train to ``epochs_k = floor(max_epochs * eta**k / eta**K)`` epochs, with
``K = floor(log_eta(max_epochs / min_epochs))`` (the arithmetic of Hyperband's most aggressive
bracket, in exact integers). Nothing waits for a rung to fill:

* ``mode="promotion"`` (pause and resume): whenever a worker is free, promote the best
  configuration of the highest rung ``k < K`` that is in the top ``floor(n_k / eta)`` of its
  rung and not yet promoted — a new job that continues from its checkpoint, from ``epochs_k``
  to ``epochs_{k+1}`` — else start a new configuration at rung 0 (up to ``max_trials``).
  Once no new configuration can come (the space is exhausted or ``max_trials`` started), a
  rung whose jobs are all in and to which nothing more can be promoted holds its final set:
  successive halving completes on it, keeping ``max(1, floor(n_k / eta))`` as Hyperband does
  where the space ran out, so the best of a small space still reaches ``max_epochs``.
  A job that failed, or was told ``PRUNED`` before its milestone, joins no rung.
* ``mode="stopping"``: every configuration is one job trained to ``max_epochs``; at each rung
  milestone its report joins the rung, and it is stopped (``trial.report`` raises
  ``TrialPruned``) unless it is in the top ``ceil(n_k / eta)`` of the rung so far (the first
  arrivals always continue, so the best of each rung's final set always does). Reports reach
  the scheduler live in-process and with local worker processes; on Dask and Ray a job applies
  the rung cut-offs as they were when it was submitted (``stop_rule``), and in a reproducible
  search (``search(reproducible=True)``) those of when it was asked, kept in the state while it
  is pending so that a resumed search applies the same.

A rung must remember every result it received to rank new ones, so the state holds one
trial id and one loss per result per rung: it grows with the number of configurations (about
``max_trials * eta / (eta - 1)`` pairs), unlike Hyperband's, which is bounded by the live brackets.
It is saved as a ``PagedLog`` of the rungs' changes (``rung.oracles._asha_rung``): the state
written with each job adds its new entries to those stored, instead of every result again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.objective import ObjectiveLike
from rung.oracles._asha_rung import Rung, RungCutoffs, keep_of, rungs_from_state
from rung.oracles._define_by_run import with_pending_defaults
from rung.oracles._log import LOG_KEY, PagedLog
from rung.oracles.base import Oracle, Suggestion, unknown_values
from rung.oracles.schedule import Budget, asha_budget, milestones
from rung.oracles.stop import StopKind
from rung.trial_record import TrialRecord, TrialStatus
from rung.validation import check_choice, check_epochs, check_int, check_optional_int

__all__ = ["ASHAOracle", "Rung", "RungCutoffs"]

MODES = ("promotion", "stopping")
_UNBOUNDED = 2**62  # configurations still to come without max_trials: more than any rung holds


class ASHAOracle(Oracle):
    """Asynchronous successive halving, promotion or stopping variant.

    Li, Jamieson, Rostamizadeh, Gonina, Ben-tzur, Hardt, Recht, Talwalkar. "A System for Massively
    Parallel Hyperparameter Tuning", MLSys 2020 (Algorithm 2).

    Args:
        max_epochs: R, the epochs of the top rung.
        factor: eta, the reduction factor: a rung promotes (or lets continue) 1/eta of its results.
        min_epochs: r, the fewest epochs of rung 0: rungs are ``R / eta^k`` (rounded down),
            rung 0 the smallest of them that is at least ``min_epochs``
            (``max_epochs=100, factor=3, min_epochs=4``: 11, 33, 100).
        max_trials: how many configurations to start; None: no limit, new configurations
            until the space is exhausted or the search is stopped (``search(max_time=...,
            max_epochs_total=...)``, Ctrl-C), as ASHA is often run against a time budget.
        mode: ``"promotion"`` (pause at each rung, resume promoted configurations from their
            checkpoint) or ``"stopping"`` (one job per configuration, stopped early at a rung).
        **kwargs: ``objective``, ``hyperparameters``, ``searcher``, ``seed``... (see ``Oracle``).

    Example::

        oracle = ASHAOracle(objective="val_loss", max_epochs=81, factor=3, max_trials=200)
        if __name__ == "__main__":  # worker processes import this script again
            rung.Tuner(oracle, run_trial=train).search(workers=8)
    """

    bounded_state = False  # its rungs rank every result they received (module docstring)

    multi_fidelity = True

    def __init__(self, objective: ObjectiveLike = None, max_epochs: int = 100, factor: int = 3,
                 min_epochs: int = 1, max_trials: int | None = 100, seed: int | None = None,
                 hyperparameters: HyperParameters | None = None, mode: str = "promotion", **kwargs: Any) -> None:
        self.max_epochs = check_epochs("max_epochs", max_epochs)
        self.factor = check_int("factor", factor, 2)
        self.min_epochs = check_int("min_epochs", min_epochs, 1)
        self.max_trials = check_optional_int("max_trials", max_trials, 1,
                                             hint="None: no limit, until the search is stopped")
        if self.min_epochs > self.max_epochs:
            raise ConfigurationError(
                f"min_epochs must be <= max_epochs, got min_epochs={min_epochs}, "
                f"max_epochs={max_epochs}")
        self.mode = check_choice("mode", mode, MODES)
        super().__init__(objective=objective, hyperparameters=hyperparameters, seed=seed, **kwargs)
        self.milestones = milestones(self.max_epochs, self.factor, self.min_epochs)
        self._log = PagedLog()
        self._rungs = [Rung(k, self._log) for k in range(len(self.milestones))]
        self._loading_pages: list[Any] = []  # a state's log pages while load_state_dict runs
        self._started = 0
        self._exhausted = False
        self._reported: set[str] = set()  # pending jobs that reported a milestone (stopping)
        self._asked_cutoffs: dict[str, list[float]] = {}  # stopping: pending jobs' at their ask
        self._seen: set[str] = set()

    @property
    def stops_trials(self) -> bool:  # type: ignore[override]
        return self.mode == "stopping"

    def budget(self) -> Budget:
        return asha_budget(self.max_epochs, self.factor, self.min_epochs, self.mode,
                           self.max_trials)  # promotions depend on the order results arrive

    def _to_start(self) -> int:
        """How many new configurations may still start (``_UNBOUNDED`` without a limit)."""
        if self._exhausted:
            return 0
        if self.max_trials is None:
            return _UNBOUNDED
        return max(0, self.max_trials - self._started)  # max_trials may be lowered on resume

    def _settings(self) -> dict[str, Any]:
        return {"max_epochs": self.max_epochs, "factor": self.factor,
                "min_epochs": self.min_epochs, "mode": self.mode, "max_trials": self.max_trials}

    resumable_settings = frozenset({"seed", "max_trials"})

    # --- scheduling --------------------------------------------------------------------------
    def _next(self) -> Suggestion | None:
        promotion = self._promotion()
        if promotion is not None:
            return promotion
        if self._to_start():
            values = self.searcher.suggest(self.hyperparameters, self._rng, with_pending_defaults(
                self.hyperparameters, self._seen, (s.values for s in self._pending.values())))
            if values is not None:
                self._seen.add(values_key(values))
                self._started += 1
                epochs = self.milestones[0] if self.mode == "promotion" else self.max_epochs
                trial_id = self.new_trial_id()
                if self.mode == "stopping":
                    self._asked_cutoffs[trial_id] = self._cutoffs()
                return Suggestion(trial_id=trial_id, values=values, epochs=epochs, bracket=0,
                                  rung=0)
            if not all(s.values for s in self._pending.values()):
                # define-by-run: a job asked with {} has yet to tell what it declares, which
                # may open new configurations: wait for it (as Hyperband's rung 0 does)
                return None
            self._exhausted = True
            self._retire()
            promotion = self._promotion()  # the rungs' final sets may be known now
            if promotion is not None:
                return promotion
        if not self._pending:
            kind = StopKind.EXHAUSTED if self._exhausted else StopKind.MAX_TRIALS
            n = self._started  # more than max_trials where a resume lowered it
            ended = (self._exhausted_after() if self._exhausted else
                     f"{n} configuration{'' if n == 1 else 's'} started "
                     f"(max_trials={self.max_trials})")
            self.end_search(
                kind, f"{ended}; no promotion left" if self.mode == "promotion" else ended)
        return None

    def _promotion(self) -> Suggestion | None:
        """Promotion mode: promote the best candidate of the highest rung that has one (a
        rung's final set, once known, keeps ``max(1, floor(n / eta))``: ``_final``)."""
        if self.mode != "promotion":
            return None
        final = self._final()
        for k in range(len(self.milestones) - 2, -1, -1):
            parent = self._rungs[k].candidate(self.factor, final=final[k])
            if parent is not None:
                self._rungs[k].promote(parent)
                return Suggestion(
                    trial_id=self.new_trial_id(),
                    values=dict(self._finished_trials[parent].values),
                    epochs=self.milestones[k + 1], initial_epoch=self.milestones[k],
                    parent_id=parent, bracket=0, rung=k + 1)
        return None

    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        if unknown_values(record):  # a job lost before its space came back: {} is not used up
            self._seen.discard(values_key({}))
        else:
            self._seen.add(values_key(record.values))
        reported = suggestion.trial_id in self._reported
        self._reported.discard(suggestion.trial_id)
        self._asked_cutoffs.pop(suggestion.trial_id, None)
        if record.loss is None or (self.mode == "promotion"
                                   and not self.reached_planned_epochs(suggestion, record)):
            self._retire()  # failed, or pruned before its milestone: it joins no rung
            return
        if self.mode == "promotion":
            self._rungs[suggestion.rung or 0].add(suggestion.trial_id, record.loss)
            self._retire()
        elif record.status is TrialStatus.COMPLETED and not (
                reported and record.epochs_reached == self.max_epochs):
            # a job that trained to the end joins the top rung, unless its report of the last
            # epoch already put it there; a pruned job's result is its milestone's, recorded
            # when it reported there
            self._rungs[-1].add(suggestion.trial_id, record.loss)

    def _retire(self) -> None:
        """Promotion mode: retire the results no promotion can reach any more (``_bounds``)."""
        if self.mode == "promotion":
            self._bounds(retire=True)

    def _final(self) -> list[bool]:
        """Promotion mode: for each rung below the top, whether its set of results is final: no
        job of it is pending and nothing more can come from below (no new configuration: the
        space is exhausted or ``max_trials`` started; nothing left to promote from the rung
        below, itself final). Successive halving then completes on that set, as Hyperband does
        on a bracket the space could not fill."""
        return [bound == len(rung) for rung, bound in zip(self._rungs, self._bounds(), strict=False)]

    def _bounds(self, retire: bool = False) -> list[int]:
        """The most results each rung below the top will end with, ``bound_k``: those it has,
        its pending jobs, and what may still come from below (configurations not started yet
        for rung 0; results of rung ``k - 1`` that may still be promoted, and those still to
        come there). A result ranked ``keep_of(bound_k, eta)`` or worse is never promoted:
        ``retire`` retires them (the oracle does after every result, so the rungs' open results
        are up to date whenever it is called without)."""
        pending = [0] * len(self._rungs)
        for s in self._pending.values():
            pending[s.rung or 0] += 1
        to_come = self._to_start()  # new configurations
        bounds = []
        for k, rung in enumerate(self._rungs[:-1]):
            bound = len(rung) + pending[k] + to_come
            if retire:
                rung.retire(keep_of(bound, self.factor))
            bounds.append(bound)
            to_come = rung.promotable + (bound - len(rung))  # rung k+1's results still to come
        return bounds

    def _decide(self, trial_id: str, epoch: int, loss: float) -> bool:
        if self.mode != "stopping" or epoch not in self.milestones:
            return True
        if not math.isfinite(loss):
            return False
        k = self.milestones.index(epoch)
        self._reported.add(trial_id)
        better = self._rungs[k].add(trial_id, loss)
        if k == len(self.milestones) - 1:
            return True
        return better < math.ceil(len(self._rungs[k]) / self.factor)

    def stop_rule(self, trial_id: str, *, as_asked: bool = False
                  ) -> Callable[[int, Mapping[str, float]], bool] | None:
        if self.mode != "stopping":
            return None
        asked = self._asked_cutoffs.get(trial_id) if as_asked else None
        return RungCutoffs(self.objective, self.milestones[:-1],
                           tuple(self._cutoffs() if asked is None else asked))

    def _cutoffs(self) -> list[float]:
        return [r.cutoff(self.factor) for r in self._rungs[:-1]]

    def checkpoints_in_use(self) -> set[str]:
        """Parents of pending jobs, and every result of a rung below the top that was not
        promoted and may still be (not retired)."""
        used = self.pending_parents()
        if self.mode == "promotion":
            for rung in self._rungs[:-1]:
                used.update(rung.open)  # kept up to date: O(open results), not O(results)
        return used

    # --- persistence ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state[LOG_KEY] = self._log.pages()  # the rungs' changes: O(pages), no entry copied
        return state

    def _scheduler_state(self) -> dict[str, Any]:
        return {"started": self._started, "exhausted": self._exhausted,
                "reported": sorted(self._reported), "log_entries": len(self._log),
                # a rung with too few results has no cutoff yet (inf): None in JSON
                "asked_cutoffs": {k: [c if math.isfinite(c) else None for c in v]
                                  for k, v in self._asked_cutoffs.items()}}

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:
        self._started = int(state["started"])
        self._exhausted = bool(state["exhausted"])
        self._reported = set(state["reported"])
        self._asked_cutoffs = {k: [math.inf if c is None else float(c) for c in v]
                               for k, v in state.get("asked_cutoffs", {}).items()}
        self._log, self._rungs = rungs_from_state(state, self._loading_pages,
                                                  len(self.milestones))

    def load_state_dict(self, state: Mapping[str, Any], history: Iterable[TrialRecord] = (),
                        reports: Iterable[Any] = ()) -> None:
        self._loading_pages = state.get(LOG_KEY) or []
        try:
            super().load_state_dict(state, history, reports)
        finally:
            self._loading_pages = []
        self._seen = {values_key(r.values) for r in self._finished_trials.values()
                      if not unknown_values(r)}
        self._seen.update(values_key(s.values) for s in self._pending.values())
        if self.stop is not None and self._to_start():
            self.stop = None  # max_trials was raised: the search continues
