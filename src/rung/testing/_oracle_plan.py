"""``check_oracle`` rules on what an oracle declares of its plan: the epochs of ``budget()``
and whether it is ``multi_fidelity``."""

from __future__ import annotations

from collections.abc import Callable

from rung.oracles import Oracle
from rung.testing._oracle_drive import Drive

__all__ = ["PLAN_RULES"]


def _fresh(factory: Callable[[], Oracle]) -> Oracle:
    oracle = factory()
    assert isinstance(oracle, Oracle), f"the factory returned {type(oracle).__name__}"
    return oracle


def _rule_trains_no_more_epochs_than_the_budget_plans(factory: Callable[[], Oracle]) -> None:
    """Where ``budget().epochs`` is known, the epochs the jobs train (a continued job pays only
    those beyond its ``initial_epoch``) stay within it, and every job says how long it trains."""
    oracle = _fresh(factory)
    planned = oracle.budget().epochs
    if planned is None:
        return
    jobs = Drive(oracle).run().jobs
    unbounded = [j.trial_id for j in jobs if j.epochs is None]
    assert not unbounded, (
        f"the budget plans {planned} epochs, but jobs {unbounded[:5]} have epochs=None")
    trained = sum(j.epochs - j.initial_epoch for j in jobs if j.epochs is not None)
    assert trained <= planned, (
        f"{len(jobs)} jobs trained {trained} epochs, beyond the {planned} the budget plans")


def _rule_single_fidelity_jobs_train_alike(factory: Callable[[], Oracle]) -> None:
    """An oracle that does not declare ``multi_fidelity = True`` hands out jobs that all train
    the same epochs from scratch: its searcher models one budget (``GPSearcher`` is told so)."""
    oracle = _fresh(factory)
    if oracle.multi_fidelity:
        return
    jobs = Drive(oracle).run().jobs
    lengths = sorted({-1 if j.epochs is None else j.epochs for j in jobs})
    continued = [j.trial_id for j in jobs if j.initial_epoch or j.parent_id is not None]
    assert len(lengths) <= 1 and not continued, (
        f"jobs of {['None' if n < 0 else n for n in lengths]} epochs"
        + (f", jobs {continued[:5]} continuing another's" if continued else "")
        + f", but {type(oracle).__name__} does not declare multi_fidelity = True")


PLAN_RULES = [_rule_trains_no_more_epochs_than_the_budget_plans,
              _rule_single_fidelity_jobs_train_alike]
