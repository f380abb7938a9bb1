"""Every storage keeps the contract in ``rung/storage/base.py``'s docstring (``rung.testing``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from rung.storage import InMemoryStorage, SQLiteStorage, Storage
from rung.testing import Rule, check_storage, storage_rules


@pytest.fixture(params=["memory", "sqlite"])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Storage]:
    if request.param == "memory":
        return InMemoryStorage
    counter = itertools.count()
    return lambda: SQLiteStorage(tmp_path / f"rung-{next(counter)}.db")


@pytest.mark.parametrize("rule", storage_rules(), ids=lambda rule: rule.name)
def test_storage_rule(factory: Callable[[], Storage], rule: Rule) -> None:
    rule.check(factory)


def test_check_storage_runs_every_rule(factory: Callable[[], Storage]) -> None:
    made: list[Storage] = []

    def counting() -> Storage:
        made.append(factory())
        return made[-1]

    check_storage(counting)
    assert len(made) >= len(storage_rules())  # each rule got a fresh storage
