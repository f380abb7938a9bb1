"""Every built-in searcher through ``rung.testing.check_searcher`` (the contract of
``rung.searchers.base.Searcher``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import rung.searchers
from rung.searchers import GPSearcher, GridSearcher, KDESearcher, RandomSearcher, Searcher
from rung.testing import Rule, searcher_rules


def GPSearcher_cheap() -> GPSearcher:  # noqa: N802 - named after the class in the test ids
    """The GP searcher with a cheap acquisition search (the best of 100 candidates, no local
    optimisation: GPSearcher_per_budget has one): the contract is tested here (400 jobs in
    one rule), its proposals in tests/searchers/test_gp.py."""
    return GPSearcher(num_candidates=100, num_restarts=0, max_fit_points=50)


def GPSearcher_per_budget() -> GPSearcher:  # noqa: N802
    """As under BOHB (``BOHBOracle(searcher="gp")``): one budget at a time, a third random."""
    return GPSearcher(num_candidates=100, num_restarts=1, max_fit_points=50, per_budget=True,
                      random_fraction=1 / 3)


FACTORIES: list[Callable[[], Searcher]] = [
    RandomSearcher, GridSearcher, KDESearcher, GPSearcher_cheap, GPSearcher_per_budget]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("rule", searcher_rules(), ids=lambda rule: rule.name)
def test_searcher_rule(factory: Callable[[], Searcher], rule: Rule) -> None:
    rule.check(factory)


def test_public_all_is_complete() -> None:
    public = {
        name
        for name, obj in vars(rung.searchers).items()
        if isinstance(obj, type) and issubclass(obj, Searcher)
    }
    assert public <= set(rung.searchers.__all__)
