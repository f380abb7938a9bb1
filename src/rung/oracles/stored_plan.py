"""The plan a tuner stores with a project's settings, for the searches whose settings alone do
not give it (``rung.oracles.plan_from_settings``): an oracle of one's own (docs/architecture.md,
"Writing an oracle") whose ``budget()`` no settings arithmetic can rebuild.

When a search starts, the tuner stores its oracle's ``budget()`` under the settings key
:data:`PLAN_KEY` (``{"jobs": 10, "epochs": 36}``: its totals, the texts that say why there are
none, and its brackets' rungs where it has brackets), so that ``rung status`` and the HTML
report show the plan and the progress against it without importing the oracle's code. The
stored plan is not a setting: a resumed search is never compared on it (a raised ``max_trials``
changes it), and a project stored before it existed resumes as before. An oracle whose own
``settings()`` name :data:`PLAN_KEY` keeps it as its own: the tuner then stores no plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rung.oracles.schedule import BracketPlan, Budget, RungPlan

__all__ = ["PLAN_KEY", "budget_from_json", "budget_to_json", "settings_with_plan",
           "without_stored_plan"]

PLAN_KEY = "plan"


def budget_to_json(budget: Budget) -> dict[str, Any]:
    """``budget`` as JSON data (``budget_from_json`` reads it back). Its counts are stored as
    Python ints: an oracle's arithmetic may hand NumPy ones, which JSON does not take."""
    data: dict[str, Any] = {"jobs": int(budget.jobs), "epochs": _int(budget.epochs)}
    if budget.epochs_without_continuation is not None:
        data["epochs_without_continuation"] = int(budget.epochs_without_continuation)
    if budget.iterations != 1:
        data["iterations"] = _int(budget.iterations)
    for key in ("open_ended", "bounds"):
        if getattr(budget, key):
            data[key] = str(getattr(budget, key))
    if budget.brackets:
        data["brackets"] = [
            {"iteration": int(b.iteration), "s": int(b.s),
             "rungs": [[int(r.index), int(r.jobs), int(r.epochs), int(r.initial_epoch)]
                       for r in b.rungs]}
            for b in budget.brackets]
    return data


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _count(value: Any, minimum: int = 0) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _brackets(data: Any) -> tuple[BracketPlan, ...] | None:
    """The brackets of ``budget_to_json``'s output, or None where they are not its shape."""
    if not isinstance(data, list):
        return None
    brackets = []
    for b in data:
        if (not isinstance(b, Mapping) or not _count(b.get("iteration")) or not _count(b.get("s"))
                or not isinstance(b.get("rungs"), list) or not b["rungs"]):
            return None
        rungs = b["rungs"]
        if not all(isinstance(r, list) and len(r) == 4 and all(_count(v) for v in r)
                   for r in rungs):
            return None
        brackets.append(BracketPlan(b["iteration"], b["s"],
                                    tuple(RungPlan(*r) for r in rungs)))
    return tuple(brackets)


def budget_from_json(data: Any) -> Budget | None:
    """The ``Budget`` that ``budget_to_json`` wrote as ``data``; None where ``data`` is not
    that (an oracle's own setting of that name, a damaged project): a plan not known."""
    if not isinstance(data, Mapping) or not _count(data.get("jobs")):
        return None
    epochs, without = data.get("epochs"), data.get("epochs_without_continuation")
    iterations = data.get("iterations", 1)
    texts = [data.get("open_ended", ""), data.get("bounds", "")]
    brackets = _brackets(data.get("brackets", []))
    if (not (epochs is None or _count(epochs)) or not (without is None or _count(without))
            or not (iterations is None or _count(iterations, 1)) or brackets is None
            or not all(isinstance(t, str) for t in texts)):
        return None
    return Budget(jobs=data["jobs"], epochs=epochs, brackets=brackets,
                  epochs_without_continuation=without, iterations=iterations,
                  open_ended=texts[0], bounds=texts[1])


def without_stored_plan(stored: Mapping[str, Any],
                        own: Mapping[str, Any]) -> dict[str, Any]:
    """The ``stored`` settings less the plan a tuner stored with them, to compare with an
    oracle's ``own`` settings (``Oracle.settings()``); where ``own`` names :data:`PLAN_KEY`
    itself, the key is the oracle's setting and stays."""
    if PLAN_KEY in own:
        return dict(stored)
    return {k: v for k, v in stored.items() if k != PLAN_KEY}


def settings_with_plan(settings: Mapping[str, Any], own: Mapping[str, Any],
                       plan: Mapping[str, Any] | Budget | None) -> dict[str, Any]:
    """``settings`` with ``plan`` (a ``Budget``, or ``budget_to_json`` output) stored under
    :data:`PLAN_KEY`; None, or an oracle whose ``own`` settings name the key: unchanged."""
    out = dict(settings)
    if plan is None or PLAN_KEY in own:
        return out
    out[PLAN_KEY] = budget_to_json(plan) if isinstance(plan, Budget) else dict(plan)
    return out
