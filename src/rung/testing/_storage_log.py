"""``check_storage`` rules about an oracle state's log pages (the contract's "Logs")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rung.storage import Storage
from rung.testing._rules import raises
from rung.testing._storage_finish import record
from rung.trial_record import TrialStatus

__all__ = ["LOG_RULES"]

StorageFactory = Callable[[], Storage]


def _state(pages: list[list[Any]], n: int) -> dict[str, Any]:
    return {"n": n, "log_pages": pages}


def _rule_log_pages_come_back_whole_as_the_log_grows(factory: StorageFactory) -> None:
    storage = factory()
    pages: list[list[Any]] = [[["add", 0, "a", 0.5]]]
    storage.set_oracle_state(_state(pages, 1))
    assert storage.get_oracle_state() == _state(pages, 1)
    for n in range(2, 12):  # the last page grows, then new pages follow
        pages = [*pages[:-1], [*pages[-1], ["add", 0, f"t{n}", n / 10]]]
        if len(pages[-1]) == 3:
            pages.append([])
        storage.create_trial(record(f"t{n}"), oracle_state=_state(pages, n))
        assert storage.get_oracle_state() == _state(pages, n), f"after {n} entries"
    storage.finish_trial("t2", TrialStatus.COMPLETED, {"loss": 1.0}, loss=1.0,
                         oracle_state=_state([*pages, [["x"]]], 99))
    assert storage.get_oracle_state() == _state([*pages, [["x"]]], 99)


def _rule_a_log_that_does_not_extend_the_stored_one_replaces_it(factory: StorageFactory) -> None:
    storage = factory()
    long = [[["a", i, j] for j in range(3)] for i in range(5)]
    storage.set_oracle_state(_state(long, 1))
    other = [[["b", i, j] for j in range(3)] for i in range(6)]  # another search's, longer
    storage.set_oracle_state(_state(other, 2))
    assert storage.get_oracle_state() == _state(other, 2)
    shorter = other[:2]  # an older state of the same search (tuner.set_state)
    storage.set_oracle_state(_state(shorter, 3))
    assert storage.get_oracle_state() == _state(shorter, 3)
    storage.set_oracle_state({"n": 4})  # no log any more
    assert storage.get_oracle_state() == {"n": 4}
    storage.set_oracle_state(_state(long[:1], 5))
    assert storage.get_oracle_state() == _state(long[:1], 5)


def _rule_log_pages_are_copied_and_a_failed_write_keeps_them(factory: StorageFactory) -> None:
    storage = factory()
    pages: list[list[Any]] = [[["a", 1]], [["b", 2]]]
    storage.create_trial(record("t"), oracle_state=_state(pages, 1))
    pages[1].append(["changed by the caller"])
    got = storage.get_oracle_state()
    assert got == _state([[["a", 1]], [["b", 2]]], 1), got
    got["log_pages"][0].append(["changed by the reader"])
    with raises(ValueError, match="exists"):
        storage.create_trial(record("t"), oracle_state=_state([[["c", 3]]], 2))
    assert storage.get_oracle_state() == _state([[["a", 1]], [["b", 2]]], 1)


def _rule_the_log_key_is_reserved_for_pages(factory: StorageFactory) -> None:
    storage = factory()
    with raises(ValueError, match="log_pages"):
        storage.set_oracle_state({"log_pages": 3})
    with raises(ValueError, match="log_pages"):
        storage.set_oracle_state({"log_pages": [["a"], 3]})
    assert storage.get_oracle_state() is None


LOG_RULES = [
    _rule_log_pages_come_back_whole_as_the_log_grows,
    _rule_a_log_that_does_not_extend_the_stored_one_replaces_it,
    _rule_log_pages_are_copied_and_a_failed_write_keeps_them,
    _rule_the_log_key_is_reserved_for_pages,
]
