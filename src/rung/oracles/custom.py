"""``CustomOracle``: keras-tuner's way to write your own algorithm (``rung.Oracle``).

Subclass it and override ``populate_space(trial_id)``; it returns ``{"status": ..., "values":
...}``:

* ``"RUNNING"`` with ``values`` (a dict of hyperparameter values): run that trial;
* ``"IDLE"``: nothing to propose until a running trial ends;
* ``"STOPPED"``: the search is over.

Inside any rung tuner it runs on the tuner's storage like the built-in oracles: every trial and
the oracle's state (``get_state()``, which a subclass may extend) are written in one transaction,
so a killed search resumes where it was. What ``populate_space`` may read: ``self.hyperparameters``
(the space), ``self.trials`` and ``self.get_best_trials(n)`` (finished trials), ``self.pending``
(running ones), ``self.seed``, and ``self._random_values()`` / ``self._duplicate(values)``, the
helpers keras-tuner oracles use; code copied from keras-tuner's own oracles may also draw with
``hp.random_sample(self._seed_state)`` and ``self._seed_state += 1`` (kept with the state).

Example::

    class Halving(rung.Oracle):
        def populate_space(self, trial_id):
            best = self.get_best_trials(1)
            if not best:
                return {"status": "RUNNING", "values": self._random_values()}
            x = best[0].hyperparameters["x"] / 2
            return {"status": "RUNNING", "values": {"x": x}}

    tuner = rung.Tuner(Halving(objective="loss", max_trials=10), run_trial=train)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.objective import ObjectiveLike
from rung.oracles._define_by_run import with_pending_defaults
from rung.oracles.base import Oracle
from rung.oracles.schedule import Budget
from rung.oracles.stop import StopKind
from rung.oracles.suggestion import Suggestion
from rung.trial import Trial
from rung.trial_record import TrialRecord
from rung.validation import check_optional_int

__all__ = ["CustomOracle"]


class CustomOracle(Oracle):
    """The base of oracles written keras-tuner's way (``rung.Oracle``; see the module docstring).

    Args:
        objective, hyperparameters, seed, tune_new_entries, allow_new_entries,
            max_retries_per_trial, max_consecutive_failed_trials: see ``rung.oracles.Oracle``.
        max_trials: how many trials to run (None: until ``populate_space`` returns STOPPED).
        **kwargs: ``searcher=`` (what ``_random_values`` samples with; random by default).
    """

    def __init__(
        self,
        objective: ObjectiveLike = None,
        max_trials: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        seed: int | None = None,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        **kwargs: Any,
    ) -> None:
        self.max_trials = check_optional_int("max_trials", max_trials, 1)
        for name, flag in (("tune_new_entries", tune_new_entries),
                           ("allow_new_entries", allow_new_entries)):
            if hyperparameters is None and flag is False:
                raise ConfigurationError(
                    f"{name}=False needs `hyperparameters`: without them the search space "
                    "would stay empty; pass the hyperparameters to tune")
        super().__init__(
            objective=objective, hyperparameters=hyperparameters, seed=seed,
            tune_new_entries=tune_new_entries, allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, **kwargs)
        self._started = 0
        self._finished = 0
        self._restoring: tuple[list[TrialRecord], list[Any]] | None = None
        # keras-tuner's per-draw seed, for code copied from its oracles
        # (hp.random_sample(self._seed_state); self._seed_state += 1); saved with the state
        self._seed_state = seed if seed is not None else int(self._rng.integers(1, 10_000))

    # --- what a subclass writes ----------------------------------------------------------------
    def populate_space(self, trial_id: str) -> Mapping[str, Any]:
        """The next trial: ``{"status": "RUNNING", "values": {...}}``, or ``{"status": "IDLE"}``
        / ``{"status": "STOPPED"}`` (see the module docstring)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override populate_space(trial_id) and return "
            "{'status': 'RUNNING', 'values': {...}} (or status 'IDLE' / 'STOPPED')")

    def _populate_space(self, trial_id: str) -> Mapping[str, Any]:
        """keras-tuner's old name of ``populate_space`` (deprecated)."""
        warnings.warn("_populate_space is deprecated; override populate_space",
                      DeprecationWarning, stacklevel=2)
        return self.populate_space(trial_id)

    def _score_trial(self, trial: Trial) -> None:
        """keras-tuner's old name of ``score_trial`` (deprecated)."""
        warnings.warn("_score_trial is deprecated; use score_trial", DeprecationWarning,
                      stacklevel=2)
        self.score_trial(trial)

    # --- helpers for populate_space --------------------------------------------------------------
    def _seen(self) -> set[str]:
        seen = {values_key(self.hyperparameters.clone_with_values(r.values).values)
                for r in self._finished_trials.values()}
        seen.update(values_key(s.values) for s in self._pending.values())
        return with_pending_defaults(self.hyperparameters, seen,
                                     (s.values for s in self._pending.values()))

    def _random_values(self) -> dict[str, Any] | None:
        """Values for every active hyperparameter, not tried yet (None when none is left)."""
        return self.searcher.suggest(self.hyperparameters, self._rng, self._seen())

    def _duplicate(self, values: Mapping[str, Any]) -> bool:
        """Whether ``values`` (completed with the defaults) were already tried or are running."""
        return values_key(self.hyperparameters.clone_with_values(dict(values)).values) \
            in self._seen()

    # --- the scheduler -----------------------------------------------------------------------------
    def _next(self) -> Suggestion | None:
        if self.max_trials is not None and self._started >= self.max_trials:
            if not self._pending:
                self.end_search(StopKind.MAX_TRIALS, f"max_trials={self.max_trials} reached")
            return None
        trial_id = f"{self._next_id:05d}"  # taken once populate_space returns values
        status, values = self._ask_populate_space(trial_id)
        if values is not None:
            self.new_trial_id()
            self._started += 1
            return Suggestion(trial_id=trial_id, values=values)
        if status == "STOPPED":
            self.end_search(StopKind.EXHAUSTED, "populate_space returned STOPPED")
        elif not self._pending:  # IDLE: nothing running could ever change its answer
            self.end_search(StopKind.EXHAUSTED,
                            "populate_space returned IDLE while no trial was running")
        return None

    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        self._finished += 1
        if self.max_trials is not None and self._finished >= self.max_trials:
            self.end_search(StopKind.MAX_TRIALS, f"max_trials={self.max_trials} reached")

    def budget(self) -> Budget:
        if self.max_trials is None:
            return Budget(jobs=0, epochs=None, open_ended=(
                "max_trials=None: trials until populate_space returns STOPPED, or "
                "search(max_time=..., max_epochs_total=...) or Ctrl-C stops it"))
        return Budget(jobs=self.max_trials, epochs=None)

    def checkpoints_in_use(self) -> set[str]:
        """Trials proposed by ``populate_space`` train from scratch: no job continues another."""
        return self.pending_parents()

    resumable_settings = frozenset({"seed", "max_trials"})

    def _settings(self) -> dict[str, Any]:
        return {"max_trials": self.max_trials}

    def _scheduler_state(self) -> dict[str, Any]:
        return {"started": self._started, "finished": self._finished,
                "seed_state": self._seed_state}

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:
        self._started = int(state["started"])
        self._finished = int(state["finished"])
        self._seed_state = int(state.get("seed_state", self._seed_state))  # older states lack it

    # --- state: a subclass's get_state / set_state are what storage keeps ------------------------
    def state_dict(self) -> dict[str, Any]:
        return self.get_state()

    def get_state(self) -> dict[str, Any]:
        """The oracle's state (JSON data). A subclass may add its own keys::

            def get_state(self):
                return {**super().get_state(), "best_x": self.best_x}
        """
        return super().state_dict()

    def load_state_dict(self, state: Mapping[str, Any], history: Iterable[TrialRecord] = (),
                        reports: Iterable[Any] = ()) -> None:
        self._restoring = (list(history), list(reports))
        try:
            self.set_state(state)
        finally:
            self._restoring = None

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Restore ``get_state()`` output (a subclass reads its own keys after ``super()``)."""
        history, reports = self._restoring or (list(self._finished_trials.values()), [])
        super().load_state_dict(state, history, reports)
        reached = self.stop is not None and self.stop.kind is StopKind.MAX_TRIALS
        if reached and (self.max_trials is None or self._finished < self.max_trials):
            self.stop = None  # max_trials was raised: the search continues
