"""Single-fidelity oracles: every trial trains the same number of epochs.

``RandomSearchOracle`` (Bergstra & Bengio, JMLR 2012) and ``GridSearchOracle`` differ only in their
searcher: this module is the scheduler, ``rung.searchers`` the strategy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import _kt_grid
from rung.oracles._define_by_run import with_pending_defaults
from rung.oracles.base import Oracle, Suggestion
from rung.oracles.schedule import Budget
from rung.oracles.stop import StopKind
from rung.searchers import GPSearcher, GridSearcher
from rung.searchers.grid import check_grid_sizes
from rung.trial_record import TrialRecord
from rung.validation import check_epochs, check_optional_int

__all__ = ["GridSearchOracle", "RandomSearchOracle", "SingleFidelityOracle"]


class SingleFidelityOracle(Oracle):
    """Runs up to ``max_trials`` distinct configurations, each for ``epochs`` epochs.

    Args:
        max_trials: how many trials to run (``None``: until the searcher is exhausted; only
            sensible for a finite searcher such as the grid). ``searcher="gp"``, or a
            ``GPSearcher`` given without a ``max_trials`` of its own, is told it, so its default
            random start takes at most half of it.
        epochs: epochs per trial, or ``None`` to leave it to the training function.
        **kwargs: see ``rung.oracles.Oracle``.
    """

    def __init__(self, max_trials: int | None = 10, epochs: int | None = None, **kwargs: Any) -> None:
        self._max_trials = check_optional_int("max_trials", max_trials, 1)
        self.epochs = check_optional_int("epochs", epochs, 1)
        if self.epochs is not None:
            check_epochs("epochs", self.epochs)
        super().__init__(**kwargs)
        # a GP without a max_trials of its own (by name, or an instance given without one) gets
        # the budget, and follows it when it is raised: else its default random start of up to
        # 10 trials could fill a short search
        self._tells_searcher = (isinstance(self.searcher, GPSearcher)
                                and self.searcher.max_trials is None)
        self._tell_searcher_max_trials()
        self._started = 0
        self._finished = 0
        self._seen: set[str] = set()

    @property
    def max_trials(self) -> int | None:
        """How many trials to run; raising it between searches (keras-tuner's
        ``tuner.oracle.max_trials = 20``) lets the next ``search()`` run the extra trials."""
        return self._max_trials

    @max_trials.setter
    def max_trials(self, value: int | None) -> None:
        self._max_trials = check_optional_int("max_trials", value, 1)
        if hasattr(self, "_tells_searcher"):  # not while __init__ sets it
            self._tell_searcher_max_trials()
            self._reopen_if_raised()

    def _tell_searcher_max_trials(self) -> None:
        """Hand ``max_trials`` to a GP this oracle built (its random start depends on it)."""
        if self._tells_searcher and isinstance(self.searcher, GPSearcher):
            self.searcher.max_trials = self._max_trials

    def _reopen_if_raised(self) -> None:
        """Clear a ``max_trials`` stop once ``max_trials`` is above the trials finished."""
        reached = self.stop is not None and self.stop.kind is StopKind.MAX_TRIALS
        if reached and (self._max_trials is None or self._finished < self._max_trials):
            self.stop = None  # max_trials was raised: the search continues

    def budget(self) -> Budget:
        if self.max_trials is None:
            return Budget(jobs=0, epochs=None, open_ended=(
                "max_trials=None: new configurations until search(max_time=..., "
                "max_epochs_total=...) or Ctrl-C stops it, or the search space runs out"))
        epochs = None if self.epochs is None else self.max_trials * self.epochs
        return Budget(jobs=self.max_trials, epochs=epochs)

    def _next(self) -> Suggestion | None:
        if self.max_trials is not None and self._started >= self.max_trials:
            if self._finished >= self.max_trials:
                self.end_search(StopKind.MAX_TRIALS, f"max_trials={self.max_trials} reached")
            return None
        if self._overrides_populate_space():  # a subclass's algorithm (keras-tuner's way)
            return self._next_populated()
        # define-by-run: a pending job asked with {} trains the defaults: not them again meanwhile
        values = self.searcher.suggest(self.hyperparameters, self._rng, with_pending_defaults(
            self.hyperparameters, self._seen, (s.values for s in self._pending.values())))
        if values is None and not self.hyperparameters.space and not any(
                r.loss is not None for r in self._finished_trials.values()) and all(
                s.values for s in self._pending.values()):
            # define-by-run: no trial has declared the space yet (they failed), and no job
            # asked with {} is still running (that one trains what {} is: wait for it)
            values = {}
        if values is None:
            if not self._pending:
                self.end_search(StopKind.EXHAUSTED, self._exhausted_after())
            return None
        self._seen.add(values_key(values))
        self._started += 1
        return Suggestion(trial_id=self.new_trial_id(), values=values, epochs=self.epochs)

    def _next_populated(self) -> Suggestion | None:
        """The next trial from a subclass's ``populate_space`` (which may call this oracle's
        own through ``super().populate_space(trial_id)``)."""
        trial_id = f"{self._next_id:05d}"  # taken once populate_space returns values
        status, values = self._ask_populate_space(trial_id)
        if values is not None:
            self.new_trial_id()
            self._seen.add(values_key(values))
            self._started += 1
            return Suggestion(trial_id=trial_id, values=values, epochs=self.epochs)
        if status == "STOPPED" or not self._pending:
            self.end_search(StopKind.EXHAUSTED, f"populate_space returned {status}")
        return None

    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        self._finished += 1
        self._seen.add(values_key(record.values))
        if self.max_trials is not None and self._finished >= self.max_trials:
            self.end_search(StopKind.MAX_TRIALS, f"max_trials={self.max_trials} reached")

    def checkpoints_in_use(self) -> set[str]:
        """Single-fidelity trials are final: no job continues from another."""
        return self.pending_parents()

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
        self._reopen_if_raised()
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
    """Grid search over every hyperparameter (``max_trials=None``: the whole grid), in
    keras-tuner's order (``rung.oracles._kt_grid``): defaults first, the last hyperparameter
    turning fastest, each ended trial opening its successor; hyperparameters declared during the
    search extend the grid from the trial that declared them on. While the running trials may
    still open values and none is free, a request waits (keras-tuner's ``IDLE``). A ``Float``
    without ``step`` takes ten values spread over its range (its ``values``) after its default.
    With another ``searcher`` that searcher decides, in its own order."""

    def __init__(self, max_trials: int | None = None, **kwargs: Any) -> None:
        super().__init__(max_trials=max_trials, **kwargs)
        self._order: list[str] = []  # trial ids in grid order
        self._expand: list[str] = []  # trials whose successor is still to be computed

    default_searcher = "grid"

    def _check_space(self, space: HyperParameters) -> None:
        """With its own grid order (the grid searcher, no ``populate_space`` of a subclass) a
        ``Float`` without ``step`` is fine: it takes ten values, but a hyperparameter with more
        values than a grid can list is not; another searcher decides."""
        if type(self.searcher) is GridSearcher and not self._overrides_populate_space():
            check_grid_sizes(space, type(self).__name__)
            return
        super()._check_space(space)

    def _kt_order(self) -> bool:
        """keras-tuner's order: with the grid searcher, unless a subclass's ``populate_space``
        decides, or the project was started before rung kept the order (then the searcher)."""
        started = bool(self._order or self._finished_trials or self._pending)
        return (type(self.searcher) is GridSearcher and not self._overrides_populate_space()
                and (bool(self._order) or not started))

    def _next(self) -> Suggestion | None:
        if not self._kt_order() or (
                self.max_trials is not None and self._started >= self.max_trials):
            return super()._next()
        trial_id = f"{self._next_id:05d}"
        values, after = self._grid_next()
        if values is None:
            if not self._pending:
                n = self._started
                self.end_search(StopKind.EXHAUSTED,
                                f"grid exhausted after {n} trial{'' if n == 1 else 's'}")
            return None
        self.new_trial_id()
        self._order.insert(0 if after is None else self._order.index(after) + 1, trial_id)
        self._seen.add(values_key(values))
        self._started += 1
        return Suggestion(trial_id=trial_id, values=values, epochs=self.epochs)

    def _grid_next(self) -> tuple[dict[str, Any] | None, str | None]:
        """The next values and the trial they follow in the order (None: the first trial)."""
        if not self._order:  # the first trial: the defaults; its successor comes next
            self._expand.append(f"{self._next_id:05d}")
            return _kt_grid.defaults(self.hyperparameters), None
        while self._expand:
            previous = self._expand.pop(0)
            values = _kt_grid.next_combination(self.hyperparameters, self._values_of(previous))
            if values is None:
                continue
            position = self._order.index(previous)
            if position + 1 < len(self._order):
                following = self._values_of(self._order[position + 1])
                if _kt_grid.compare(self.hyperparameters, values, following) >= 0:
                    continue  # the rest of this stretch of the grid is covered already
            return values, previous
        return None, None

    def _values_of(self, trial_id: str) -> dict[str, Any]:
        if trial_id in self._finished_trials:
            return dict(self._finished_trials[trial_id].values)
        return dict(self._pending[trial_id].values)

    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        super()._on_result(suggestion, record)
        if suggestion.trial_id in self._order and suggestion.trial_id not in self._expand:
            self._expand.append(suggestion.trial_id)

    def _scheduler_state(self) -> dict[str, Any]:
        return {**super()._scheduler_state(), "order": self._order, "expand": self._expand}

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:
        super()._load_scheduler_state(state)
        self._order = [str(t) for t in state.get("order", ())]
        self._expand = [str(t) for t in state.get("expand", ())]

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
            size = p.grid_size()  # counted, not listed
            if size is None:
                return None
            points *= size
            if points > limit:
                return None
        counter, seen = GridSearcher(), set[str]()
        rng = np.random.default_rng(0)
        while (point := counter.suggest(self.hyperparameters, rng, seen)) is not None:
            seen.add(values_key(point))
        return len(seen)
