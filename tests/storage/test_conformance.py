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
    return lambda: SQLiteStorage(tmp_path / f"rung-{next(counter)}.db", create=True)


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


def test_rungs_own_storages_name_an_unknown_id_with_unknown_trial_error(
        factory: Callable[[], Storage]) -> None:
    # the contract asks only for a KeyError (third-party storages); rung's raise its subclass,
    # as the oracle does, with the message shown unquoted
    from rung.errors import UnknownTrialError
    from rung.testing.storage import _UNKNOWN_ID_CALLS

    storage = factory()
    for method, call in _UNKNOWN_ID_CALLS.items():
        with pytest.raises(UnknownTrialError) as caught:
            call(storage)
        assert str(caught.value) == "no trial with trial_id 'nope' in this project", method


@pytest.mark.parametrize("rule", storage_rules(lambda old: SQLiteStorage(old.path))[
    len(storage_rules()):], ids=lambda rule: rule.name)
def test_sqlite_holds_a_project_across_a_reopen(tmp_path: Path, rule: Rule) -> None:
    """The rules that reopen a project (a killed search resumes from the file alone)."""
    counter = itertools.count()
    rule.check(lambda: SQLiteStorage(tmp_path / f"rung-{next(counter)}.db", create=True))
