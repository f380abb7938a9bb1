"""Conformance kits: check that a storage, executor, searcher or oracle keeps rung's contract.

Each ``check_*(factory)`` takes a zero-argument callable returning a fresh object, runs a list of
named rules on what it makes, and raises ``AssertionError`` naming the first broken rule. The
``*_rules()`` functions return the same rules as ``(name, check)`` pairs, so a test framework can
run (and report) each rule on its own. The kits do not depend on pytest.
"""

from __future__ import annotations

from rung.testing._rules import Rule
from rung.testing.executor import check_executor, executor_rules
from rung.testing.storage import check_storage, storage_rules

__all__ = [
    "Rule",
    "check_executor",
    "check_storage",
    "executor_rules",
    "storage_rules",
]
