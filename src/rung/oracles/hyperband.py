"""Hyperband and successive halving (Li et al., JMLR 2018; Jamieson & Talwalkar, AISTATS 2016).

Each bracket is a run of synchronous successive halving: rung ``i`` trains its configurations to
``epochs_i``; when every job of the rung has finished, the ``jobs_{i+1}`` best (by the objective;
failed jobs never, nor jobs told ``PRUNED`` before ``epochs_i``, whose checkpoints never got there)
are promoted and continue from their own checkpoint to ``epochs_{i+1}``.
Brackets run most aggressive first. While a bracket waits on pending jobs of its rung, the next
bracket starts (``parallel_brackets=True``), so every worker stays busy; with one worker the order is
exactly Li et al.'s. The arithmetic is in ``rung.oracles.schedule``; successive halving (one
bracket) is ``rung.oracles.successive_halving``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from rung.hyperparameters import HyperParameters, values_key
from rung.objective import ObjectiveLike
from rung.oracles._brackets import Bracket, Entry, ShortBracket
from rung.oracles._define_by_run import with_pending_defaults
from rung.oracles.base import Oracle, Suggestion, unknown_values
from rung.oracles.schedule import BracketPlan, Budget, bracket_plan, integer_log
from rung.oracles.stop import StopKind
from rung.trial_record import TrialRecord
from rung.validation import check_bool, check_epochs, check_int, check_optional_int

__all__ = ["HyperbandOracle"]


class HyperbandOracle(Oracle):
    """Hyperband: successive-halving brackets from most to least aggressive.

    Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar. "Hyperband: A Novel Bandit-Based Approach to
    Hyperparameter Optimization", JMLR 18(185), 2018.

    Args:
        max_epochs: R, the most epochs one configuration trains (the last rung of every bracket).
        factor: eta, the halving rate: each rung keeps 1/eta of the configurations (>= 2).
        hyperband_iterations: how many times the whole set of brackets runs; ``None``: until
            stopped (by ``search(max_time=..., max_epochs_total=...)`` or Ctrl-C). Each iteration
            repeats the same brackets, so planning costs O(brackets) however many there are. A
            resumed search may raise it to go on.
        parallel_brackets: start the next bracket while the current one waits on pending jobs.
        **kwargs: ``objective``, ``hyperparameters``, ``searcher``, ``seed``, ... (see ``Oracle``).

    Example::

        oracle = HyperbandOracle(objective=Objective("loss", "min"), max_epochs=27, factor=3,
                                 hyperparameters=hp, seed=0)
        while (s := oracle.ask()) is not None:
            oracle.tell(s.trial_id, {"loss": train(s.values, s.initial_epoch, s.epochs)})
    """

    multi_fidelity = True

    def __init__(
        self,
        objective: ObjectiveLike = None,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int | None = 1,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        parallel_brackets: bool = True,
        **kwargs: Any,
    ) -> None:
        self.max_epochs = check_epochs("max_epochs", max_epochs)
        self.factor = check_int("factor", factor, 2, hint="each rung keeps 1/factor of the trials "
                                "for factor times the epochs (keras-tuner: factor needs to be "
                                "an int larger than 1)")
        self.hyperband_iterations = check_optional_int(
            "hyperband_iterations", hyperband_iterations, 1,
            "None runs until stopped (search(max_time=..., max_epochs_total=...))")
        self.parallel_brackets = check_bool("parallel_brackets", parallel_brackets)
        super().__init__(objective=objective, hyperparameters=hyperparameters, seed=seed, **kwargs)
        self.s_max = integer_log(self.max_epochs, self.factor)
        self._cycle = self._make_cycle()  # the brackets of one iteration, in run order
        self._by_s = {plan.s: plan for plan in self._cycle}
        self._next_bracket = 0  # how many brackets were opened (iteration * len(cycle) + index)
        self._live: list[Bracket] = []
        self._owner: dict[str, str] = {}  # pending trial id -> bracket key
        self._exclude: dict[str, set[str]] = {}  # cache of Bracket.exclude as sets
        self._short: list[ShortBracket] = []  # brackets that got fewer configurations

    def _make_cycle(self) -> list[BracketPlan]:
        return [bracket_plan(self.max_epochs, self.factor, s) for s in range(self.s_max, -1, -1)]

    @property
    def _total_brackets(self) -> int | None:
        if self.hyperband_iterations is None:
            return None
        return self.hyperband_iterations * len(self._cycle)

    def budget(self) -> Budget:
        """The plan: one iteration's brackets, times ``hyperband_iterations`` (``jobs`` and
        ``epochs`` are 0, "not known in advance", when it is None)."""
        times = self.hyperband_iterations or 0
        return Budget(
            jobs=times * sum(p.jobs for p in self._cycle),
            epochs=times * sum(p.epochs for p in self._cycle),
            brackets=tuple(self._cycle),
            epochs_without_continuation=times * sum(
                r.jobs * r.epochs for p in self._cycle for r in p.rungs),
            iterations=self.hyperband_iterations,
        )

    resumable_settings = frozenset({"seed", "hyperband_iterations"})

    def _settings(self) -> dict[str, Any]:
        return {
            "max_epochs": self.max_epochs,
            "factor": self.factor,
            "hyperband_iterations": self.hyperband_iterations,
        }

    def _plan(self, bracket: Bracket) -> BracketPlan:
        return self._by_s[bracket.s]

    # --- scheduling --------------------------------------------------------------------------
    def _next(self) -> Suggestion | None:
        waiting = False  # a bracket waits for its running jobs (see _from_bracket)
        for bracket in self._live:
            suggestion = self._from_bracket(bracket)
            if suggestion is not None:
                return suggestion
            waiting = waiting or self._waits_for_space(bracket)
        self._live = [b for b in self._live if not b.finished]
        while (not waiting and self._more_brackets()
               and (self.parallel_brackets or not self._live)):
            iteration, index = divmod(self._next_bracket, len(self._cycle))
            self._next_bracket += 1
            bracket = self._open_bracket(iteration, self._cycle[index])
            self._live.append(bracket)
            suggestion = self._from_bracket(bracket)
            if suggestion is not None:
                return suggestion
            waiting = self._waits_for_space(bracket)
            self._live = [b for b in self._live if not b.finished]
        if not self._live and not self._more_brackets():
            self.end_search(StopKind.PLAN_COMPLETE, self._completion_reason())
        return None

    @staticmethod
    def _waits_for_space(bracket: Bracket) -> bool:
        """Rung 0 has fewer configurations than planned and jobs of it still run: as in
        keras-tuner, no new bracket starts (``IDLE``) until they end, since they may declare
        hyperparameters that open new configurations; then the bracket goes on with what it
        got (see ``docs/keras-tuner.md``, small search spaces)."""
        return (bracket.rung == 0 and not bracket.finished
                and len(bracket.entries) < bracket.target
                and any(not e.done for e in bracket.entries))

    def _suggest(self, bracket: Bracket, exclude: set[str]) -> dict[str, Any] | None:
        """Hook: a new configuration for the first rung of ``bracket``."""
        return self.searcher.suggest(self.hyperparameters, self._rng, exclude, stream=bracket.key)

    def _open_bracket(self, iteration: int, plan: BracketPlan) -> Bracket:
        """Hook: the bracket that starts where the plan has ``plan`` (BOHB may train the same
        epochs with full-budget jobs instead)."""
        return Bracket(iteration=iteration, s=plan.s, target=plan.n)

    def _more_brackets(self) -> bool:
        total = self._total_brackets
        return total is None or self._next_bracket < total

    def _completion_reason(self) -> str:
        total = self._total_brackets
        reason = "1 bracket complete" if total == 1 else f"all {total} brackets complete"
        if self._short:
            cut = ", ".join(f"s={b.s} got {b.got} of {b.planned}" for b in self._short)
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
            # a job of this rung asked with {} trains the defaults: not them again meanwhile
            values = self._suggest(bracket, with_pending_defaults(
                self.hyperparameters, exclude, self._pending_values(bracket)))
            if values is None:
                if self._waits_for_space(bracket):  # its running jobs may still declare
                    return None  # hyperparameters that open new configurations: wait (IDLE)
                self._short.append(
                    ShortBracket(bracket.iteration, bracket.s, len(bracket.entries), plan.n))
                bracket.target = len(bracket.entries)
                self._maybe_advance(bracket)
                return self._from_bracket(bracket) if bracket.rung > 0 else None
            bracket.exclude.append(values_key(values))
            exclude.add(bracket.exclude[-1])
            entry = Entry(trial_id=self.new_trial_id(), values=values)
        elif bracket.rung > 0 and bracket.queue:
            parent = bracket.queue.pop(0)
            entry = Entry(trial_id=self.new_trial_id(), values=parent.values,
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

    def _pending_values(self, bracket: Bracket) -> Iterator[dict[str, Any]]:
        """The values of ``bracket``'s pending jobs."""
        return (s.values for t, s in self._pending.items() if self._owner.get(t) == bracket.key)

    def _on_result(self, suggestion: Suggestion, record: TrialRecord) -> None:
        key = self._owner.pop(suggestion.trial_id)
        bracket = next(b for b in self._live if b.key == key)
        for entry in bracket.entries:
            if entry.trial_id == suggestion.trial_id:
                # a job pruned before the rung's epochs is never promoted, like a failed one
                entry.done = True
                promotable = self.reached_planned_epochs(suggestion, record)
                entry.loss = record.loss if promotable else None
                # define-by-run: a promoted job continues with the values the trial really used,
                # and the rung does not draw them again (the first job was given `{}`)
                entry.values = dict(record.values)
                if bracket.rung == 0 and unknown_values(record):  # lost before its space
                    self._drop_exclude(bracket, values_key({}))  # came back: ask for {} again
                elif bracket.rung == 0:
                    self._add_exclude(bracket, values_key(entry.values))
                break
        self._maybe_advance(bracket)

    def _drop_exclude(self, bracket: Bracket, key: str) -> None:
        if key in bracket.exclude:
            bracket.exclude.remove(key)
        self._exclude.get(bracket.key, set()).discard(key)

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
            bracket.exclude = []  # only rung 0 draws configurations: keep the state small
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
        used = self.pending_parents()
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
            "short": [b.to_json() for b in self._short],
        }

    def _load_scheduler_state(self, state: Mapping[str, Any]) -> None:
        self._next_bracket = int(state["next_bracket"])
        self._live = [Bracket.from_json(b) for b in state["live"]]
        self._owner = dict(state["owner"])
        self._short = [ShortBracket.from_json(b) for b in state["short"]]

    def load_state_dict(self, state: Mapping[str, Any], history: Iterable[TrialRecord] = (),
                        reports: Iterable[Any] = ()) -> None:
        super().load_state_dict(state, history, reports)
        if self.stop is not None and self.stop.kind is StopKind.PLAN_COMPLETE \
                and self._more_brackets():
            self.stop = None  # hyperband_iterations was raised: the search goes on
