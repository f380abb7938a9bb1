"""The plan of a stored search, computed from its settings alone (no user code imported).

A Hyperband search (and BOHB, and successive halving, one bracket) knows every bracket and rung
before it starts; :func:`search_plan` rebuilds that plan from the settings a tuner saves
(``storage.get_settings()``) with ``rung.oracles.plan_from_settings``, so the report can draw the
rungs still to be filled. ASHA's promotions and single-fidelity searches have rungs or a trial
count but no bracket plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.oracles.plan import plan_from_settings
from rung.oracles.schedule import BracketPlan, milestones

__all__ = ["SearchPlan", "search_plan"]


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


def _asha(algorithm: str, settings: Mapping[str, Any], max_epochs: int, factor: int) -> SearchPlan:
    min_epochs = min(_int(settings, "min_epochs", 1) or 1, max_epochs)
    rungs = milestones(max_epochs, factor, min_epochs)
    trials = _int(settings, "max_trials", 1)
    stopping = settings.get("mode") == "stopping"
    return SearchPlan(algorithm, (), 1, trials if stopping else None, None, rungs,
                      stopping)


def search_plan(settings: Mapping[str, Any] | None) -> SearchPlan:
    """The plan of the search whose stored settings are ``settings``: the brackets, jobs and
    epochs of ``rung.oracles.plan_from_settings``, with the rungs' epochs (and ASHA's
    milestones) the report draws.

    Unknown or partial settings give a plan with nothing planned, never an error: a report must
    open any project.
    """
    settings = settings or {}
    # named as `rung status` names it (a keras-tuner import stores no oracle)
    algorithm = str(settings.get("oracle") or ("imported" if "imported" in settings else "unknown"))
    max_epochs = _int(settings, "max_epochs", 1)
    factor = _int(settings, "factor", 2)
    if max_epochs is not None and factor is not None and (
            "mode" in settings or "min_epochs" in settings):
        return _asha(algorithm, settings, max_epochs, factor)
    budget = plan_from_settings(settings)
    if budget.brackets:
        epochs = tuple(sorted({r.epochs for b in budget.brackets for r in b.rungs}))
        if budget.iterations is None:
            return SearchPlan(algorithm, budget.brackets, None, rung_epochs=epochs)
        return SearchPlan(algorithm, budget.brackets, budget.iterations, budget.jobs,
                          budget.epochs, epochs)
    per_trial = _int(settings, "epochs", 1)
    return SearchPlan(algorithm, (), 1, budget.jobs or None, budget.epochs,
                      (per_trial,) if per_trial else ())
