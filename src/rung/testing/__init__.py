"""Conformance kits: check that a storage, executor, searcher or oracle keeps rung's contract.

Each ``check_*(factory)`` takes a zero-argument callable returning a fresh object, runs a list of
named rules on what it makes, and raises ``AssertionError`` naming the first broken rule, e.g.
``check_storage rule 'finish_is_atomic' failed for MyStorage: ...``. The ``*_rules()`` functions
return the same rules as ``(name, check)`` pairs, so that a test framework can run (and report)
each rule on its own. The kits do not depend on pytest.

Example (pytest)::

    @pytest.mark.parametrize("rule", searcher_rules(), ids=lambda rule: rule.name)
    def test_my_searcher(rule):
        rule.check(MySearcher)
"""

from __future__ import annotations

from rung.testing._rules import Rule
from rung.testing.executor import check_executor, executor_rules
from rung.testing.oracle import check_oracle, oracle_rules
from rung.testing.searcher import check_searcher, searcher_rules
from rung.testing.storage import check_storage, storage_rules

__all__ = [
    "Rule",
    "check_executor",
    "check_oracle",
    "check_searcher",
    "check_storage",
    "executor_rules",
    "oracle_rules",
    "searcher_rules",
    "storage_rules",
]
