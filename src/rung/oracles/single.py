"""Single-fidelity oracles: every trial trains the same number of epochs.

``RandomSearchOracle`` (Bergstra & Bengio, JMLR 2012) and ``GridSearchOracle`` differ only in their
searcher: this module is the scheduler, ``rung.searchers`` the strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from rung.hyperparameters import values_key
from rung.oracles.base import Oracle, Suggestion
from rung.oracles.schedule import Budget
from rung.oracles.stop import StopKind
from rung.searchers import GridSearcher
from rung.trial_record import TrialRecord
from rung.validation import check_optional_int

__all__ = ["GridSearchOracle", "RandomSearchOracle", "SingleFidelityOracle"]


class SingleFidelityOracle(Oracle):
    """Runs up to ``max_trials`` distinct configurations, each for ``epochs`` epochs.

    Args:
        max_trials: how many trials to run (``None``: until the searcher is exhausted; only
            sensible for a finite searcher such as the grid).
        epochs: epochs per trial, or ``None`` to leave it to the training function.
        **kwargs: see ``rung.oracles.Oracle``.
    """

    def __init__(self, max_trials: int | None = 10, epochs: int | None = None, **kwargs: Any) -> None:
        self.max_trials = check_optional_int("max_trials", max_trials, 1)
        self.epochs = check_optional_int("epochs", epochs, 1)
        super().__init__(**kwargs)
        self._started = 0
        self._finished = 0
        self._seen: set[str] = set()

    def budget(self) -> Budget:
        if self.max_trials is None:
            return Budget(jobs=0, epochs=None)
        epochs = None if self.epochs is None else self.max_trials * self.epochs
        return Budget(jobs=self.max_trials, epochs=epochs)

    def _next(self) -> Suggestion | None:
        if self.max_trials is not None and self._started >= self.max_trials:
            if self._finished >= self.max_trials:
                self._end(StopKind.MAX_TRIALS, f"max_trials={self.max_trials} reached")
            return None
        if self._overrides_populate_space():  # a subclass's algorithm (keras-tuner's way)
            return self._next_populated()
        values = self.searcher.suggest(self.hyperparameters, self._rng, self._seen)
        if values is None and not self.hyperparameters.space and not any(
                r.loss is not None for r in self._finished_trials.values()):
            values = {}  # define-by-run: no trial has declared the space yet (they failed)
        if values is None:
            if not self._pending:
                self._end(StopKind.EXHAUSTED,
                          f"search space exhausted after {len(self._seen)} distinct configurations")
            return None
        self._seen.add(values_key(values))
        self._started += 1
        return Suggestion(trial_id=self._new_trial_id(), values=values, epochs=self.epochs)

    def _next_populated(self) -> Suggestion | None:
        """The next trial from a subclass's ``populate_space`` (which may call this oracle's
        own through ``super().populate_space(trial_id)``)."""
        trial_id = self._new_trial_id()
        status, values = self._ask_populate_space(trial_id)
        if values is not None:
            self._seen.add(values_key(values))
            self._started += 1
            return Suggestion(trial_id=trial_id, values=values, epochs=self.epochs)
        self._next_id -= 1  # the id was not used
        if status == "STOPPED" or not self._pending:
            self._end(StopKind.EXHAUSTED, f"populate_space returned {status}")
        return None

    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        self._finished += 1
        self._seen.add(values_key(record.values))
        if self.max_trials is not None and self._finished >= self.max_trials:
            self._end(StopKind.MAX_TRIALS, f"max_trials={self.max_trials} reached")

    def checkpoints_in_use(self) -> set[str]:
        """Single-fidelity trials are final: no job continues from another."""
        return self._pending_parents()

    resumable_settings = frozenset({"seed", "max_trials"})

    def _settings(self) -> dict[str, Any]:
        return {"max_trials": self.max_trials, "epochs": self.epochs}

    def _scheduler_state(self) -> dict[str, Any]:
        return {"started": self._started, "finished": self._finished}

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:
        self._started = int(state["started"])
        self._finished = int(state["finished"])

    def adopt(self, history: Iterable[TrialRecord], reports: Iterable[Any] = ()) -> None:
        """Adopted trials count toward ``max_trials`` (see ``Oracle.adopt``)."""
        super().adopt(history, reports)
        self._started = self._finished = len(self._finished_trials)

    def load_state_dict(self, state: Mapping[str, Any], history: Iterable[TrialRecord] = (),
                        reports: Iterable[Any] = ()) -> None:
        super().load_state_dict(state, history, reports)
        reached = self.stop is not None and self.stop.kind is StopKind.MAX_TRIALS
        if reached and (self.max_trials is None or self._finished < self.max_trials):
            self.stop = None  # max_trials was raised: the search continues
        # the values a job was given, completed with the defaults it used for what it declared
        # itself (define-by-run), as `tell` recorded them before the search was stored
        self._seen = {
            values_key(self.hyperparameters.clone_with_values(r.values).values)
            for r in self._finished_trials.values()
        }
        self._seen.update(values_key(s.values) for s in self._pending.values())


class RandomSearchOracle(SingleFidelityOracle):
    """Random search: each trial samples every active hyperparameter independently.

    Bergstra & Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 2012.
    """

    default_searcher = "random"


class GridSearchOracle(SingleFidelityOracle):
    """Grid search over every finite hyperparameter (``max_trials=None``: the whole grid)."""

    def __init__(self, max_trials: int | None = None, **kwargs: Any) -> None:
        super().__init__(max_trials=max_trials, **kwargs)

    default_searcher = "grid"

    def budget(self) -> Budget:
        """``max_trials``, or the number of distinct grid points when that is fewer (counted
        with a throw-away searcher, so conditional entries are counted once), when known."""
        size = self.grid_size()
        if size is None:
            return super().budget()
        jobs = size if self.max_trials is None else min(size, self.max_trials)
        return Budget(jobs=jobs, epochs=None if self.epochs is None else jobs * self.epochs)

    def grid_size(self, limit: int = 100_000) -> int | None:
        """Distinct configurations of the current space, or None past ``limit``, when the
        space has a continuous entry (then the first trial reports the error), or when it is
        empty (nothing declared yet: trials declare it as they run)."""
        if not self.hyperparameters.space:
            return None
        points = 1
        for p in self.hyperparameters.space:
            values = p.grid_values()
            if values is None:
                return None
            points *= len(values)
            if points > limit:
                return None
        counter, seen = GridSearcher(), set[str]()
        rng = np.random.default_rng(0)
        while (point := counter.suggest(self.hyperparameters, rng, seen)) is not None:
            seen.add(values_key(point))
        return len(seen)
