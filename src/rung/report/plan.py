"""The plan of a stored search, computed from its settings alone (no user code imported).

A Hyperband search (and BOHB, and successive halving, one bracket) knows every bracket and rung
before it starts; :func:`plan_from_settings` rebuilds that plan from the settings a tuner saves
(``storage.get_settings()``) with the oracle's own schedule arithmetic, so the report can draw the
rungs still to be filled. ASHA's promotions and single-fidelity searches have rungs or a trial
count but no bracket plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from rung.oracles.schedule import BracketPlan, RungPlan, bracket_plan, integer_log

__all__ = ["SearchPlan", "plan_from_settings"]


@dataclass(frozen=True)
class SearchPlan:
    """What a stored search planned.

    ``brackets`` are one Hyperband iteration's brackets in run order (empty when the algorithm
    has none); ``iterations`` how many times they repeat (None: until stopped); ``jobs`` and
    ``epochs`` the planned totals (None where not known in advance); ``rung_epochs`` the epochs of
    each rung (ASHA's milestones, or the union of the brackets' rungs); ``stopping`` for ASHA's
    stopping variant, whose jobs each train one configuration until stopped at a rung.
    """

    algorithm: str
    brackets: tuple[BracketPlan, ...] = ()
    iterations: int | None = 1
    jobs: int | None = None
    epochs: int | None = None
    rung_epochs: tuple[int, ...] = ()
    stopping: bool = False  # ASHA's stopping variant: one job per configuration, stopped at a rung

    def rung_reached(self, epochs: int) -> int:
        """The highest rung whose epochs ``epochs`` reaches (0 below the first)."""
        return max(sum(1 for e in self.rung_epochs if e <= epochs) - 1, 0)

    def bracket(self, s: int) -> BracketPlan | None:
        return next((b for b in self.brackets if b.s == s), None)


def _int(settings: Mapping[str, Any], key: str, minimum: int) -> int | None:
    value = settings.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return None


def _hyperband(algorithm: str, settings: Mapping[str, Any], max_epochs: int,
               factor: int) -> SearchPlan:
    s_max = integer_log(max_epochs, factor)
    chosen = _int(settings, "bracket", 0)
    cycle: tuple[BracketPlan, ...]
    if chosen is not None and chosen <= s_max:
        cycle = (bracket_plan(max_epochs, factor, chosen),)
        iterations: int | None = 1
    else:
        cycle = tuple(bracket_plan(max_epochs, factor, s) for s in range(s_max, -1, -1))
        iterations = _int(settings, "hyperband_iterations", 1)
        if "full_budget_jobs" in settings:
            cycle = _bohb(cycle, _int(settings, "full_budget_jobs", 1), max_epochs)
    epochs = sorted({r.epochs for b in cycle for r in b.rungs})
    if iterations is None:
        return SearchPlan(algorithm, cycle, None, rung_epochs=tuple(epochs))
    return SearchPlan(algorithm, cycle, iterations, iterations * sum(b.jobs for b in cycle),
                      iterations * sum(b.epochs for b in cycle), tuple(epochs))


def _bohb(cycle: tuple[BracketPlan, ...], full_budget_jobs: int | None,
          max_epochs: int) -> tuple[BracketPlan, ...]:
    """BOHB's cycle: its own job count for the full-budget bracket, run second (its default
    ``min_agreement``; the setting is not stored, and BOHB may swap a bracket for a full-budget
    one while it runs, so for BOHB the plan is what it intends, not a promise)."""
    if full_budget_jobs is not None:
        rung = RungPlan(index=0, jobs=full_budget_jobs, epochs=max_epochs, initial_epoch=0)
        cycle = (*cycle[:-1], replace(cycle[-1], rungs=(rung,)))
    if len(cycle) <= 2:
        return cycle
    return (cycle[0], cycle[-1], *cycle[1:-1])


def _asha(algorithm: str, settings: Mapping[str, Any], max_epochs: int, factor: int) -> SearchPlan:
    min_epochs = min(_int(settings, "min_epochs", 1) or 1, max_epochs)
    top = integer_log(max_epochs // min_epochs, factor)
    milestones = tuple(max_epochs * factor**k // factor**top for k in range(top + 1))
    trials = _int(settings, "max_trials", 1)
    stopping = settings.get("mode") == "stopping"
    return SearchPlan(algorithm, (), 1, trials if stopping else None, None, milestones,
                      stopping)


def plan_from_settings(settings: Mapping[str, Any] | None) -> SearchPlan:
    """The plan of the search whose stored settings are ``settings`` (see the module docstring).

    Unknown or partial settings give a plan with nothing planned, never an error: a report must
    open any project.
    """
    settings = settings or {}
    algorithm = str(settings.get("oracle") or "unknown")
    max_epochs = _int(settings, "max_epochs", 1)
    factor = _int(settings, "factor", 2)
    if max_epochs is not None and factor is not None:
        if "mode" in settings or "min_epochs" in settings:
            return _asha(algorithm, settings, max_epochs, factor)
        return _hyperband(algorithm, settings, max_epochs, factor)
    trials = _int(settings, "max_trials", 1)
    per_trial = _int(settings, "epochs", 1)
    epochs = trials * per_trial if trials is not None and per_trial is not None else None
    return SearchPlan(algorithm, (), 1, trials, epochs, (per_trial,) if per_trial else ())
