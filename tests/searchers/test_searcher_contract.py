"""Every built-in searcher through ``rung.testing.check_searcher`` (the contract of
``rung.searchers.base.Searcher``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import rung.searchers
from rung.searchers import GPSearcher, GridSearcher, RandomSearcher, Searcher
from rung.testing import Rule, searcher_rules

FACTORIES: list[Callable[[], Searcher]] = [RandomSearcher, GridSearcher, GPSearcher]


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
