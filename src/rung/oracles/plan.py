"""A search's plan from its stored settings alone: what ``rung status`` and reports compare
the stored trials against, without importing the code that ran the search.

The settings (``Oracle.settings()``, saved in every project) name the algorithm's arguments;
the plan follows from them with the schedule arithmetic of ``rung.oracles.schedule``. The
algorithm is recognised by the settings it stores, not by its class name, so a subclass of a
built-in oracle (a user's ``class MyHyperband(HyperbandOracle)``) gets its parent's plan:

=========================================  ===============================================
settings                                   plan
=========================================  ===============================================
``max_epochs, factor, hyperband_iterations``  Hyperband's brackets (``bracket``: successive
                                           halving's one; ``full_budget_jobs``: BOHB's
                                           bracket ``s = 0``, run second)
``mode, min_epochs`` (ASHA)                ``max_trials`` jobs (stopping), or unknown
                                           (promotion: promotions depend on the results);
                                           either way its rungs and upper bounds
``max_trials`` (random, grid, Bayesian,    ``max_trials`` jobs (of ``epochs`` each, when
custom oracles)                            set; ``max_trials=None``: unknown)
anything else (an oracle of one's own)     the plan the tuner stored with the settings when
                                           the search started (the oracle's ``budget()``,
                                           ``rung.oracles.stored_plan``), else unknown
                                           (``Budget(jobs=0, epochs=None)``)
=========================================  ===============================================

A tuner stores its oracle's ``budget()`` with the settings only where this arithmetic does not
give that very plan (``settings_give_plan(settings, budget)``): an oracle of one's own, one that
names ``max_trials`` but plans other jobs, a grid whose space holds fewer configurations than
``max_trials`` (``budget()`` counts them once the space is known: the tuner stores the plan again
when a search ends). A stored plan, where there is one, is the plan; the settings of rung's
other searches carry none, so the arithmetic gives theirs.

BOHB may open a bracket as full-budget jobs instead (when low budgets mislead), so its plan is
an upper bound on the epochs, as its ``budget()`` is. Those jobs are stored in bracket ``s = 0`` of
the same iteration, and the planned bracket never appears under its own number;
``replaced_brackets`` finds such brackets again from the jobs each bracket holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rung.oracles.schedule import (
    ASHA_OPEN_ENDED,
    BracketPlan,
    Budget,
    RungPlan,
    asha_budget,
    bracket_plan,
    integer_log,
)
from rung.oracles.stored_plan import PLAN_KEY, budget_from_json

__all__ = ["ReplacedBracket", "jobs_planned", "plan_from_settings", "replaced_brackets",
           "settings_give_plan"]


def _int(settings: Mapping[str, Any], key: str) -> int | None:
    value = settings.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _hyperband_cycle(settings: Mapping[str, Any], max_epochs: int,
                     factor: int) -> list[BracketPlan]:
    """One iteration's brackets, most aggressive first (``HyperbandOracle._make_cycle``)."""
    s_max = integer_log(max_epochs, factor)
    bracket = _int(settings, "bracket")
    if "bracket" in settings and bracket is not None and 0 <= bracket <= s_max:
        return [bracket_plan(max_epochs, factor, bracket)]
    cycle = [bracket_plan(max_epochs, factor, s) for s in range(s_max, -1, -1)]
    if "full_budget_jobs" not in settings:
        return cycle
    full = _int(settings, "full_budget_jobs")  # BOHB: its own number of full-budget jobs
    if full is not None and full >= 1:
        only = RungPlan(index=0, jobs=full, epochs=max_epochs, initial_epoch=0)
        cycle[-1] = replace(cycle[-1], rungs=(only,))
    if settings.get("min_agreement", 0.3) is None or len(cycle) <= 2:
        return cycle
    return [cycle[0], cycle[-1], *cycle[1:-1]]  # BOHB runs its full-budget bracket second


def _hyperband(settings: Mapping[str, Any], max_epochs: int, factor: int) -> Budget:
    cycle = _hyperband_cycle(settings, max_epochs, factor)
    iterations = _int(settings, "hyperband_iterations")
    times = iterations or 0
    return Budget(
        jobs=times * sum(p.jobs for p in cycle),
        epochs=times * sum(p.epochs for p in cycle),
        brackets=tuple(cycle),
        epochs_without_continuation=times * sum(r.jobs * r.epochs for p in cycle
                                                for r in p.rungs),
        iterations=iterations,
    )


def plan_from_settings(settings: Mapping[str, Any] | None) -> Budget:
    """The plan (``Budget``) of the search whose stored settings are ``settings``.

    The same as the oracle's ``budget()`` for rung's oracles (see the module docstring for how
    the algorithm is recognised), and for an oracle of one's own the ``budget()`` its tuner
    stored when the search started; ``Budget(jobs=0, epochs=None)`` where the plan is not known
    in advance, or the settings are missing (``None``) or not understood.

    Example::

        with rung.storage.open_project("runs/demo") as storage:
            plan = plan_from_settings(storage.get_settings())
        print(plan.jobs, plan.epochs)
    """
    if not settings:
        return Budget(jobs=0, epochs=None)
    plan = budget_from_json(settings.get(PLAN_KEY))
    if plan is None:
        plan = _arithmetic(settings)
    return plan if plan is not None else Budget(jobs=0, epochs=None)


def settings_give_plan(settings: Mapping[str, Any], budget: Budget | None = None) -> bool:
    """Whether ``settings`` alone give the search's plan (rung's oracles, and subclasses that
    keep their settings), and, given the oracle's ``budget``, give that one: where they do not,
    a tuner stores its oracle's ``budget()`` with them (``rung.oracles.stored_plan``)."""
    if not settings:
        return False
    plan = _arithmetic(settings)
    return plan is not None and (budget is None or plan == budget)


def _arithmetic(settings: Mapping[str, Any]) -> Budget | None:
    """The plan from the settings of a search the module docstring's table recognises; None
    for any other."""
    unknown = Budget(jobs=0, epochs=None)
    max_epochs, factor = _int(settings, "max_epochs"), _int(settings, "factor")
    max_trials = _int(settings, "max_trials")
    if "mode" in settings and "min_epochs" in settings:  # ASHA
        min_epochs = _int(settings, "min_epochs")
        if "max_trials" in settings and settings["max_trials"] is None:
            return Budget(jobs=0, epochs=None, open_ended=ASHA_OPEN_ENDED)
        if (max_trials is None or max_epochs is None or factor is None or min_epochs is None
                or not 1 <= min_epochs <= max_epochs or factor < 2):
            return unknown
        return asha_budget(max_epochs, factor, min_epochs, str(settings["mode"]), max_trials)
    if ("hyperband_iterations" in settings and max_epochs is not None and max_epochs >= 1
            and factor is not None and factor >= 2):
        return _hyperband(settings, max_epochs, factor)
    if max_trials is not None and max_trials >= 1:
        epochs = _int(settings, "epochs")
        return Budget(jobs=max_trials, epochs=None if epochs is None else max_trials * epochs)
    return unknown if "max_trials" in settings else None  # max_trials=None: no end planned


@dataclass(frozen=True)
class ReplacedBracket:
    """Bracket ``s`` of ``iteration``, planned but run as ``jobs`` full-budget jobs instead
    (``BOHBOracle``: its first rung's epochs ranked configurations unlike ``max_epochs``), of
    which ``started`` have started. Storage keeps them in bracket ``s = 0`` of the iteration."""

    iteration: int
    s: int
    jobs: int
    started: int


def replaced_brackets(settings: Mapping[str, Any] | None,
                      jobs: Mapping[tuple[int, int], int]) -> list[ReplacedBracket]:
    """The planned brackets of the search whose stored settings are ``settings`` that ran as
    full-budget jobs instead, given ``jobs``: the jobs stored in the first rung of each
    ``(iteration, s)`` bracket. Only BOHB does this (``min_agreement`` not None): for any other
    search the list is empty.

    Brackets open in run order (BOHB's: ``s_max``, ``0``, ``s_max - 1``, ..., ``1``), and each
    starts every job of its first rung before the next opens. So walking one iteration's brackets
    in that order hands the jobs stored in bracket ``s = 0`` to the planned ``s = 0`` bracket
    when the walk reaches it, and before and after it to each bracket with no job of its own: as
    many as BOHB runs in its place (as many full-budget jobs as its epochs pay for, at least one).
    A bracket left with none has not started.
    """
    if (not settings or "full_budget_jobs" not in settings
            or settings.get("min_agreement", 0.3) is None):
        return []
    cycle = plan_from_settings(settings).brackets
    full = next((b for b in cycle if b.s == 0), None)
    if full is None:
        return []
    found = []
    for iteration in sorted({i for i, s in jobs if s == 0}):
        left = jobs[(iteration, 0)]
        for bracket in cycle:
            if bracket.s == 0:
                left -= min(left, full.n)
            elif left > 0 and not jobs.get((iteration, bracket.s)):
                planned = bracket.full_budget_jobs  # as BOHBOracle._open_bracket runs
                found.append(ReplacedBracket(iteration, bracket.s, planned, min(left, planned)))
                left -= found[-1].started
    return found


def jobs_planned(jobs: int, brackets: Sequence[BracketPlan],
                 replaced: Sequence[ReplacedBracket]) -> int:
    """The plan's ``jobs`` (over one iteration's ``brackets``), each of the ``replaced`` brackets
    counted as the full-budget jobs BOHB runs in its place rather than its planned rungs' jobs:
    a search that ran everything has run this many jobs. (The epochs stay the plan's, as
    ``budget()`` says: an upper bound.)"""
    planned = {b.s: b.jobs for b in brackets}
    return jobs - sum(planned.get(b.s, 0) - b.jobs for b in replaced)
