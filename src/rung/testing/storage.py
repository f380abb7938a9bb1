"""``check_storage``: the storage contract of ``rung.storage.base`` as named rules.

Each rule gets a fresh storage from the factory (for a file-backed storage, make the factory
return one on a new file each call, e.g. in ``tempfile.mkdtemp()``) and closes it afterwards.
The rules about reports and failures are in ``rung.testing._storage_reports``, those about
finishing trials in ``rung.testing._storage_finish``, those about an oracle state's log pages in
``rung.testing._storage_log``; with ``reopen=`` (a storage that outlives the process), those
that open a project again in ``rung.testing._storage_reopen``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from rung.storage import Storage, get_storage
from rung.testing._rules import Check, Rule, make_rules, raises, run_rules
from rung.testing._storage_finish import FINISH_RULES, record
from rung.testing._storage_log import LOG_RULES
from rung.testing._storage_reopen import REOPEN_RULES, Reopen
from rung.testing._storage_reports import REPORT_RULES
from rung.trial_record import TrialStatus

__all__ = ["check_storage", "storage_rules"]

StorageFactory = Callable[[], Storage]


def _fresh(factory: StorageFactory) -> Storage:
    storage = factory()
    assert isinstance(storage, Storage), f"the factory returned {type(storage).__name__}"
    return storage


# --- settings and scheduler state ---------------------------------------------------------
def _rule_new_project_is_empty(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    assert storage.get_settings() is None
    assert storage.get_oracle_state() is None
    assert storage.trials() == []
    assert storage.count_trials() == 0
    assert storage.failures() == []


def _rule_settings_and_oracle_state_round_trip(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    settings = {"objective": {"name": "val_loss", "direction": "min"}, "algorithm": "hyperband"}
    state = {"brackets": [{"rung": 0, "ids": ["a", "b"]}], "rng": [1, 2, 3], "x": None}
    storage.set_settings(settings)
    storage.set_oracle_state(state)
    assert storage.get_settings() == settings
    assert storage.get_oracle_state() == state
    storage.set_oracle_state({"n": 2})
    assert storage.get_oracle_state() == {"n": 2}
    storage.set_settings({**settings, "max_trials": 20})  # a resume that raised max_trials
    assert storage.get_settings() == {**settings, "max_trials": 20}


def _rule_settings_are_copied(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    settings: dict[str, Any] = {"args": {"max_epochs": 9}}
    storage.set_settings(settings)
    settings["args"]["max_epochs"] = 1
    got = storage.get_settings()
    assert got == {"args": {"max_epochs": 9}}, got
    got["args"]["max_epochs"] = 2
    assert storage.get_settings() == {"args": {"max_epochs": 9}}
    state: dict[str, Any] = {"ids": [1]}
    storage.set_oracle_state(state)
    state["ids"].append(2)
    stored = storage.get_oracle_state()
    assert stored is not None
    stored["ids"].append(3)
    assert storage.get_oracle_state() == {"ids": [1]}


# --- creating and reading trials ----------------------------------------------------------
def _rule_create_and_get_trial(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    created = record("t1", initial_epoch=1, parent_id="t0", bracket=2, rung=1, iteration=4,
                     created_at=123.5)  # fmt: skip
    storage.create_trial(created)
    assert storage.get_trial("t1") == created
    assert storage.get_trial("t1").status is TrialStatus.RUNNING


def _rule_trials_in_creation_order(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    ids = ["z", "a", "m", "b10", "b2"]
    for trial_id in ids:
        storage.create_trial(record(trial_id))
    assert [t.trial_id for t in storage.trials()] == ids
    storage.finish_trial("a", TrialStatus.COMPLETED, {"loss": 1.0}, loss=1.0)
    assert [t.trial_id for t in storage.trials()] == ids
    assert storage.count_trials() == 5


def _rule_duplicate_trial_id_raises_and_keeps_the_first(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    storage.create_trial(record("t", values={"a": 1}), oracle_state={"n": 1})
    with raises(ValueError, match="exists"):
        storage.create_trial(record("t", values={"a": 2}), oracle_state={"n": 2})
    assert storage.get_trial("t").values == {"a": 1}
    assert storage.get_oracle_state() == {"n": 1}, "the failed call changed the oracle state"
    assert storage.count_trials() == 1


def _rule_create_requires_a_running_record(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    with raises(ValueError, match="RUNNING"):
        storage.create_trial(record("t", status=TrialStatus.COMPLETED))
    with raises(TypeError, match="TrialRecord"):
        storage.create_trial({"trial_id": "t"})  # type: ignore[arg-type]
    assert storage.count_trials() == 0


def _rule_create_writes_oracle_state_with_the_trial(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    storage.create_trial(record("t"), oracle_state={"created": 1})
    assert storage.get_oracle_state() == {"created": 1}
    storage.create_trial(record("u"))  # no state given: the last one stays
    assert storage.get_oracle_state() == {"created": 1}


def _rule_create_is_atomic(factory: StorageFactory) -> None:
    """A create_trial that fails (its oracle state is not JSON) leaves nothing behind."""
    storage = _fresh(factory)
    with raises(TypeError):
        storage.create_trial(record("t"), oracle_state={"bad": object()})
    assert storage.count_trials() == 0, "the trial was created although its state failed"
    assert storage.get_oracle_state() is None


def _rule_finish_is_atomic(factory: StorageFactory) -> None:
    """A finish_trial that fails (its oracle state is not JSON) changes neither trial nor state."""
    storage = _fresh(factory)
    storage.create_trial(record("t"))
    with raises(TypeError):
        storage.finish_trial("t", TrialStatus.COMPLETED, {"loss": 1.0}, loss=1.0,
                             oracle_state={"bad": object()})  # fmt: skip
    got = storage.get_trial("t")
    assert got.status is TrialStatus.RUNNING, f"the trial was finished: {got!r}"
    assert (got.metrics, got.loss) == ({}, None), f"the metrics were written: {got!r}"
    assert storage.get_oracle_state() is None


_UNKNOWN_ID_CALLS: dict[str, Callable[[Storage], object]] = {
    "get_trial": lambda s: s.get_trial("nope"),
    "report": lambda s: s.report("nope", 1, {"loss": 1.0}),
    "record_failure": lambda s: s.record_failure("nope", 1, "tb"),
    "finish_trial": lambda s: s.finish_trial("nope", TrialStatus.COMPLETED, loss=1.0),
    "epoch_metrics": lambda s: s.epoch_metrics("nope"),
    "failures": lambda s: s.failures("nope"),
    "clear_reports": lambda s: s.clear_reports("nope"),
}


def _rule_unknown_trial_id_raises_key_error(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    storage.create_trial(record("t"))
    for method, call in _UNKNOWN_ID_CALLS.items():
        try:
            with raises(KeyError, match="nope"):
                call(storage)
        except AssertionError as exc:
            raise AssertionError(f"{method}('nope'): {exc}") from exc


# --- reading while writing, and the storage protocol ------------------------------------
def _rule_a_reader_thread_can_read_while_the_driver_writes(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                n = storage.count_trials()
                assert len(storage.trials()) >= n
                time.sleep(0.0002)  # a progress display polls; it does not spin on the GIL
        except BaseException as exc:  # reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(50):
            storage.create_trial(record(f"t{i}"))
            storage.report(f"t{i}", 1, {"loss": float(i)})
            storage.finish_trial(f"t{i}", TrialStatus.COMPLETED, loss=float(i))
    finally:
        done.set()
        reader.join()
    assert errors == [], f"the reader thread failed: {errors!r}"
    assert storage.count_trials(TrialStatus.COMPLETED) == 50


def _rule_context_manager_and_get_storage(factory: StorageFactory) -> None:
    storage = _fresh(factory)
    assert get_storage(storage) is storage
    with storage as entered:
        assert entered is storage


def _close(storage: Any) -> None:
    if isinstance(storage, Storage):
        storage.close()


_RULES = make_rules("check_storage", [
    _rule_new_project_is_empty,
    _rule_settings_and_oracle_state_round_trip,
    _rule_settings_are_copied,
    _rule_create_and_get_trial,
    _rule_trials_in_creation_order,
    _rule_duplicate_trial_id_raises_and_keeps_the_first,
    _rule_create_requires_a_running_record,
    _rule_create_writes_oracle_state_with_the_trial,
    _rule_create_is_atomic,
    _rule_finish_is_atomic,
    _rule_unknown_trial_id_raises_key_error,
    *REPORT_RULES,
    *FINISH_RULES,
    *LOG_RULES,
    _rule_a_reader_thread_can_read_while_the_driver_writes,
    _rule_context_manager_and_get_storage,
], cleanup=_close)


def _bound(check: Callable[[StorageFactory, Reopen], None], reopen: Reopen) -> Check:
    def rule(factory: StorageFactory) -> None:
        check(factory, reopen)

    rule.__name__, rule.__doc__ = check.__name__, check.__doc__
    return rule


def storage_rules(reopen: Reopen | None = None) -> list[Rule]:
    """The ``(name, check)`` rules of :func:`check_storage`, e.g. to parametrise a test over;
    with ``reopen``, the rules that reopen a project too (see :func:`check_storage`)."""
    if reopen is None:
        return list(_RULES)
    if not callable(reopen):
        raise TypeError("check_storage: reopen must be a callable that takes a storage and "
                        "returns a new one on the same data (lambda old: MyStorage(old.path)); "
                        f"got {type(reopen).__name__} {reopen!r}")
    return [*_RULES, *make_rules("check_storage", [_bound(check, reopen) for check in
                                                   REOPEN_RULES], cleanup=_close)]


def check_storage(factory: StorageFactory, reopen: Reopen | None = None) -> None:
    """Check that the storages ``factory()`` makes keep the contract of ``rung.storage.base``.

    Every rule gets a fresh, empty storage from ``factory`` (a zero-argument callable) and closes
    it when done. Raises ``AssertionError`` naming the first broken rule.

    ``reopen(storage) -> Storage``: for a storage that keeps a project beyond the process (a file,
    a server), a new object on the same data. Without it nothing checks that what a storage
    committed comes back after a kill (the resume of a search): with it, a project holding a
    trial of every status is written, reopened (while the first object is still open, and after
    closing it) and compared read for read, then written on (``rung.testing._storage_reopen``).

    Example::

        check_storage(lambda: MyStorage(tempfile.mkdtemp()), reopen=lambda old: MyStorage(old.path))
    """
    run_rules(storage_rules(reopen), factory)
