"""Hyperband and successive halving (Li et al., JMLR 2018; Jamieson & Talwalkar, AISTATS 2016).

Each bracket is a run of synchronous successive halving: rung ``i`` trains its configurations to
``epochs_i``; when every job of the rung has finished, the ``jobs_{i+1}`` best (by the objective,
failed jobs never) are promoted and continue from their own checkpoint to ``epochs_{i+1}``.
Brackets run most aggressive first. While a bracket waits on pending jobs of its rung, the next
bracket starts (``parallel_brackets=True``), so every worker stays busy; with one worker the order is
exactly Li et al.'s. The arithmetic is in ``rung.oracles.schedule``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rung.hyperparameters import values_key
from rung.oracles.base import Oracle, Suggestion
from rung.oracles.schedule import BracketPlan, Budget, bracket_plan, integer_log
from rung.searchers import RandomSearcher, Searcher
from rung.validation import check_int

__all__ = ["HyperbandOracle", "SuccessiveHalvingOracle"]


@dataclass
class Entry:
    """A configuration in a rung: its job's trial id, values and result (``None``: pending)."""

    trial_id: str
    values: dict[str, Any]
    parent_id: str | None = None
    done: bool = False
    loss: float | None = None


@dataclass
class Bracket:
    """The live state of one bracket: the current rung, its jobs, and the promotions to start."""

    iteration: int
    s: int
    rung: int = 0
    target: int = 0  # jobs the current rung runs (the plan, less where the space ran out)
    base_size: int | None = None  # configurations rung 0 really got
    entries: list[Entry] = field(default_factory=list)  # started jobs of the current rung
    queue: list[Entry] = field(default_factory=list)  # promotions not yet started
    exclude: list[str] = field(default_factory=list)  # rung-0 configurations (de-duplication)
    finished: bool = False

    @property
    def key(self) -> str:
        return f"{self.iteration}/{self.s}"

    def to_json(self) -> dict[str, Any]:
        # by hand, not dataclasses.asdict: this runs twice per job and asdict deep-copies
        return {
            "iteration": self.iteration, "s": self.s, "rung": self.rung, "target": self.target,
            "base_size": self.base_size, "finished": self.finished, "exclude": self.exclude,
            "entries": [[e.trial_id, e.values, e.parent_id, e.done, e.loss] for e in self.entries],
            "queue": [[e.trial_id, e.values, e.parent_id, e.done, e.loss] for e in self.queue],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Bracket:
        d = dict(data)
        d["entries"] = [Entry(*e) for e in d["entries"]]
        d["queue"] = [Entry(*e) for e in d["queue"]]
        d["exclude"] = list(d["exclude"])
        return cls(**d)


class HyperbandOracle(Oracle):
    """Hyperband: successive-halving brackets from most to least aggressive.

    Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar. "Hyperband: A Novel Bandit-Based Approach to
    Hyperparameter Optimization", JMLR 18(185), 2018.

    Args:
        max_epochs: R, the most epochs one configuration trains (the last rung of every bracket).
        factor: eta, the halving rate: each rung keeps 1/eta of the configurations (>= 2).
        hyperband_iterations: how many times the whole set of brackets runs.
        parallel_brackets: start the next bracket while the current one waits on pending jobs.
        **kwargs: ``objective``, ``hyperparameters``, ``searcher``, ``seed``, ... (see ``Oracle``).

    Example::

        oracle = HyperbandOracle(objective=Objective("loss", "min"), max_epochs=27, factor=3,
                                 hyperparameters=hp, seed=0)
        while (s := oracle.ask()) is not None:
            oracle.tell(s.trial_id, {"loss": train(s.values, s.initial_epoch, s.epochs)})
    """

    def __init__(
        self,
        objective: Any = None,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int = 1,
        seed: int | None = None,
        hyperparameters: Any = None,
        parallel_brackets: bool = True,
        **kwargs: Any,
    ) -> None:
        self.max_epochs = check_int("max_epochs", max_epochs, 1)
        self.factor = check_int("factor", factor, 2)
        self.hyperband_iterations = check_int("hyperband_iterations", hyperband_iterations, 1)
        self.parallel_brackets = bool(parallel_brackets)
        super().__init__(objective=objective, hyperparameters=hyperparameters, seed=seed, **kwargs)
        self.s_max = integer_log(self.max_epochs, self.factor)
        self._plans = self._make_plans()
        self._next_bracket = 0  # index into self._plans of the next bracket to open
        self._live: list[Bracket] = []
        self._owner: dict[str, str] = {}  # pending trial id -> bracket key
        self._exclude: dict[str, set[str]] = {}  # cache of Bracket.exclude as sets
        self._short: list[list[int]] = []  # [iteration, s, got, planned] of brackets cut short

    def _make_plans(self) -> list[BracketPlan]:
        return [
            bracket_plan(self.max_epochs, self.factor, s, iteration)
            for iteration in range(self.hyperband_iterations)
            for s in range(self.s_max, -1, -1)
        ]

    def _default_searcher(self) -> Searcher:
        return RandomSearcher()

    def budget(self) -> Budget:
        return Budget(
            jobs=sum(p.jobs for p in self._plans),
            epochs=sum(p.epochs for p in self._plans),
            brackets=tuple(self._plans),
            epochs_without_continuation=sum(r.jobs * r.epochs for p in self._plans for r in p.rungs),
        )

    def _settings(self) -> dict[str, Any]:
        return {
            "max_epochs": self.max_epochs,
            "factor": self.factor,
            "hyperband_iterations": self.hyperband_iterations,
        }

    def _plan(self, bracket: Bracket) -> BracketPlan:
        return self._plans[bracket.iteration * (self.s_max + 1) + (self.s_max - bracket.s)]

    # --- scheduling --------------------------------------------------------------------------
    def _next(self) -> Suggestion | None:
        for bracket in self._live:
            suggestion = self._from_bracket(bracket)
            if suggestion is not None:
                return suggestion
        self._live = [b for b in self._live if not b.finished]
        while self._next_bracket < len(self._plans) and (self.parallel_brackets or not self._live):
            plan = self._plans[self._next_bracket]
            self._next_bracket += 1
            bracket = Bracket(iteration=plan.iteration, s=plan.s, target=plan.n)
            self._live.append(bracket)
            suggestion = self._from_bracket(bracket)
            if suggestion is not None:
                return suggestion
            self._live = [b for b in self._live if not b.finished]
        if not self._live and self._next_bracket >= len(self._plans):
            self.stop_reason = self.stop_reason or self._completion_reason()
        return None

    def _completion_reason(self) -> str:
        reason = f"all {len(self._plans)} brackets complete"
        if self._short:
            cut = ", ".join(f"s={s} got {got} of {planned}" for _, s, got, planned in self._short)
            reason += (
                f"; the search space ran out of distinct configurations, so brackets started "
                f"with fewer than planned ({cut})"
            )
        return reason

    def _from_bracket(self, bracket: Bracket) -> Suggestion | None:
        if bracket.finished:
            return None
        plan = self._plan(bracket)
        rung_plan = plan.rungs[bracket.rung]
        if bracket.rung == 0 and len(bracket.entries) < bracket.target:
            exclude = self._exclude.get(bracket.key)
            if exclude is None:
                exclude = self._exclude[bracket.key] = set(bracket.exclude)
            values = self.searcher.suggest(
                self.hyperparameters, self._rng, exclude, stream=bracket.key
            )
            if values is None:
                self._short.append([bracket.iteration, bracket.s, len(bracket.entries), plan.n])
                bracket.target = len(bracket.entries)
                self._maybe_advance(bracket)
                return None
            bracket.exclude.append(values_key(values))
            exclude.add(bracket.exclude[-1])
            entry = Entry(trial_id=self._new_trial_id(), values=values)
        elif bracket.rung > 0 and bracket.queue:
            parent = bracket.queue.pop(0)
            entry = Entry(trial_id=self._new_trial_id(), values=parent.values,
                          parent_id=parent.trial_id)
        else:
            return None
        bracket.entries.append(entry)
        self._owner[entry.trial_id] = bracket.key
        return Suggestion(
            trial_id=entry.trial_id, values=dict(entry.values), epochs=rung_plan.epochs,
            initial_epoch=rung_plan.initial_epoch, parent_id=entry.parent_id,
            bracket=bracket.s, rung=bracket.rung, iteration=bracket.iteration,
        )

    def _on_result(self, suggestion: Suggestion, loss: float | None) -> None:
        key = self._owner.pop(suggestion.trial_id)
        bracket = next(b for b in self._live if b.key == key)
        for entry in bracket.entries:
            if entry.trial_id == suggestion.trial_id:
                entry.done, entry.loss = True, loss
                # define-by-run: a promoted job continues with the values the trial really used,
                # and the rung does not draw them again (the first job was given `{}`)
                entry.values = dict(self._finished_trials[suggestion.trial_id].values)
                if bracket.rung == 0:
                    self._add_exclude(bracket, values_key(entry.values))
                break
        self._maybe_advance(bracket)

    def _add_exclude(self, bracket: Bracket, key: str) -> None:
        cache = self._exclude.get(bracket.key)
        if key in (cache if cache is not None else bracket.exclude):
            return
        bracket.exclude.append(key)
        if cache is not None:
            cache.add(key)

    def _maybe_advance(self, bracket: Bracket) -> None:
        """Close the current rung once all its jobs are in, promoting the top-k."""
        if len(bracket.entries) < bracket.target or bracket.queue:
            return
        if not all(e.done for e in bracket.entries):
            return
        if bracket.rung == 0:
            bracket.base_size = len(bracket.entries)
            self._exclude.pop(bracket.key, None)
            self.searcher.close_stream(bracket.key)
        plan = self._plan(bracket)
        if bracket.rung == plan.s or not bracket.entries:
            bracket.finished = True
            return
        nxt = bracket.rung + 1
        # Li et al.: keep floor(n / eta^i). Where the space ran out (fewer configurations than
        # planned), keep floor(got / eta^i) but at least one, so the best still reaches R.
        keep = plan.rungs[nxt].jobs
        if bracket.base_size is not None and bracket.base_size < plan.n:
            keep = min(keep, max(1, bracket.base_size // self.factor**nxt))
        order = {e.trial_id: i for i, e in enumerate(bracket.entries)}
        ranked = sorted(
            (e for e in bracket.entries if e.loss is not None),
            key=lambda e: (e.loss, order[e.trial_id]),
        )
        promoted = ranked[:keep]
        if not promoted:
            bracket.finished = True
            return
        bracket.rung = nxt
        bracket.entries = []
        bracket.queue = [Entry(trial_id=e.trial_id, values=e.values) for e in promoted]
        bracket.target = len(promoted)

    # --- checkpoints -------------------------------------------------------------------
    def checkpoints_in_use(self) -> set[str]:
        """Completed jobs of open rungs that are not the last (they may be promoted), promotions
        not yet started, and parents of jobs not yet finished. Everything else is final: jobs
        left behind when their rung closed, failed jobs, and the last rung of every bracket."""
        used = self._pending_parents()
        for bracket in self._live:
            if bracket.finished:
                continue
            used.update(e.trial_id for e in bracket.queue)
            used.update(e.parent_id for e in bracket.entries if e.parent_id and not e.done)
            if bracket.rung < self._plan(bracket).s:
                used.update(e.trial_id for e in bracket.entries if e.done and e.loss is not None)
        return used

    # --- persistence ---------------------------------------------------------------------
    def _scheduler_state(self) -> dict[str, Any]:
        return {
            "next_bracket": self._next_bracket,
            "live": [b.to_json() for b in self._live],
            "owner": dict(self._owner),
            "short": self._short,
        }

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:
        self._next_bracket = int(state["next_bracket"])
        self._live = [Bracket.from_json(b) for b in state["live"]]
        self._owner = dict(state["owner"])
        self._short = [list(x) for x in state["short"]]


class SuccessiveHalvingOracle(HyperbandOracle):
    """Successive halving: one Hyperband bracket, repeated ``hyperband_iterations`` times.

    Jamieson & Talwalkar, "Non-stochastic Best Arm Identification and Hyperparameter
    Optimization", AISTATS 2016; the bracket arithmetic of Li et al. (JMLR 2018).

    Args:
        bracket: which bracket ``s`` to run (default: ``s_max``, the most aggressive: ``R`` is
            reached after ``floor(log_eta R)`` halvings starting from ``R / eta^s`` epochs).
    """

    def __init__(self, *args: Any, bracket: int | None = None, **kwargs: Any) -> None:
        self._bracket_choice = bracket
        super().__init__(*args, **kwargs)

    def _make_plans(self) -> list[BracketPlan]:
        s = self.s_max if self._bracket_choice is None else self._bracket_choice
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= self.s_max:
            from rung.errors import ConfigurationError

            raise ConfigurationError(
                f"bracket must be an integer in [0, {self.s_max}] for max_epochs="
                f"{self.max_epochs}, factor={self.factor}; got {s!r}"
            )
        return [
            bracket_plan(self.max_epochs, self.factor, s, iteration)
            for iteration in range(self.hyperband_iterations)
        ]

    def _plan(self, bracket: Bracket) -> BracketPlan:
        return self._plans[bracket.iteration]

    def _settings(self) -> dict[str, Any]:
        return {**super()._settings(), "bracket": self._plans[0].s}
