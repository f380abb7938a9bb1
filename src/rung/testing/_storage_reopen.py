"""``check_storage(factory, reopen=...)``: what a storage committed survives the process.

A storage that keeps a project beyond the process (a file, a database server) is what makes a
killed search resume; the other rules use one object only, so a storage that never writes its
data out, or reads it back wrong, passes them. Given ``reopen(storage) -> Storage`` (a new object
on the same data, e.g. ``lambda old: MyStorage(old.path)``), these rules write a project with a
trial of every status, open it again without closing the first object (a ``kill -9`` closes
nothing), compare every read, and go on writing to the reopened one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from rung.storage import Storage
from rung.testing._rules import raises
from rung.testing._storage_finish import record
from rung.trial_record import TrialStatus

__all__ = ["REOPEN_RULES", "Reopen"]

StorageFactory = Callable[[], Storage]
Reopen = Callable[[Storage], Storage]

_PAGES = [[["add", 0, "r", 0.5], ["add", 0, "c", 0.25]], [["add", 1, "c", 0.2]]]


def _write_a_project(storage: Storage) -> None:
    """Settings, a state with log pages, and one trial of each status with reports and
    failures (NaN and infinite metrics among them)."""
    storage.set_settings({"objective": {"name": "loss", "direction": "min"}, "max_epochs": 9})
    storage.set_oracle_state({"version": 1, "n": 0, "log_pages": _PAGES[:1]})
    storage.create_trial(record("00001", values={"x": 0.5}, epochs=9, bracket=1, rung=0,
                                created_at=1.5), oracle_state={"n": 1, "log_pages": _PAGES[:1]})
    for trial_id, parent in (("00002", "00001"), ("00003", None), ("00004", None), ("r", None)):
        storage.create_trial(record(trial_id, epochs=9, initial_epoch=3 if parent else 0,
                                    parent_id=parent, iteration=2, created_at=2.0))
    for trial_id in ("00001", "00002", "00003", "00004", "r"):
        storage.report(trial_id, 4, {"loss": 0.5, "acc": math.nan})
        storage.report(trial_id, 5, {"loss": math.inf})
    storage.record_failure("00003", 1, "Traceback: boom")
    storage.record_failure("r", 1, "Traceback: lost worker")
    storage.finish_trial("00001", TrialStatus.COMPLETED, {"loss": 0.25, "acc": math.nan},
                         loss=0.25, finished_at=10.0, values={"x": 0.5, "declared": "relu"},
                         epochs_reached=9)
    storage.finish_trial("00002", TrialStatus.PRUNED, {"loss": 0.5}, loss=0.5, finished_at=11.0,
                         epochs_reached=5)
    storage.finish_trial("00003", TrialStatus.FAILED, {"loss": math.nan}, error="diverged",
                         finished_at=12.0)
    storage.finish_trial("00004", TrialStatus.COMPLETED, {"loss": 0.75}, loss=0.75,
                         finished_at=13.0, epochs_reached=6,
                         oracle_state={"n": 4, "log_pages": _PAGES})


def _snapshot(storage: Storage) -> dict[str, str]:
    """Every read, as text (``repr`` shows NaN, and a status that is not a TrialStatus); each
    trial's own reads first, so that a difference is named by the trial it is in."""
    reads: dict[str, Callable[[], Any]] = {}
    for trial in storage.trials():
        reads[f"get_trial({trial.trial_id!r})"] = partial(storage.get_trial, trial.trial_id)
        reads[f"epoch_metrics({trial.trial_id!r})"] = partial(storage.epoch_metrics,
                                                              trial.trial_id)
    reads.update({
        "get_settings()": storage.get_settings,
        "get_oracle_state()": storage.get_oracle_state,
        "trials()": storage.trials,
        "trials(COMPLETED)": lambda: storage.trials(TrialStatus.COMPLETED),
        "all_epoch_metrics()": lambda: list(storage.all_epoch_metrics()),
        "failures()": storage.failures,
        "count_trials()": storage.count_trials,
    })
    return {name: repr(read()) for name, read in reads.items()}


def _difference(got: str, expected: str) -> str:
    """Both texts around where they first differ."""
    at = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
              min(len(got), len(expected)))
    start = max(0, at - 120)

    def cut(text: str) -> str:
        return ("..." if start else "") + text[start:at + 120] + \
            ("..." if len(text) > at + 120 else "")

    return f"{cut(got)}, not {cut(expected)}"


def _compare(before: dict[str, str], after: dict[str, str], when: str) -> None:
    for name, text in before.items():
        assert name in after, f"{when}, trials() does not list the trial of {name} any more"
        assert after[name] == text, f"{when}, {name} is {_difference(after[name], text)}"
    extra = sorted(set(after) - set(before))
    assert not extra, f"{when}, the storage holds trials it was never given: {extra}"


def _rule_a_reopened_storage_holds_what_was_committed(
        factory: StorageFactory, reopen: Reopen) -> None:
    """Everything written comes back the same from a new object on the same data, opened while
    the first is still open (as after a kill) and again after closing it."""
    storage = factory()
    _write_a_project(storage)
    written = _snapshot(storage)
    _reopen_and_compare(storage, reopen, written, "reopened without closing the first (a kill)")
    storage.close()
    _reopen_and_compare(storage, reopen, written, "reopened after close()")


def _rule_a_reopened_storage_goes_on_with_the_project(
        factory: StorageFactory, reopen: Reopen) -> None:
    """A resumed search writes on: the running trial clears its reports, reports again and
    finishes; a new trial is created; finished trials stay finished and ids stay taken."""
    storage = factory()
    _write_a_project(storage)
    storage.close()
    resumed = _reopened(storage, reopen)
    try:
        resumed.clear_reports("r")
        resumed.report("r", 1, {"loss": 0.9})
        with raises(ValueError, match="exists"):
            resumed.create_trial(record("00001"))
        with raises(ValueError, match="finished"):
            resumed.report("00001", 9, {"loss": 0.1})
        resumed.create_trial(record("00005"), oracle_state={"n": 5, "log_pages": _PAGES})
        resumed.finish_trial("r", TrialStatus.COMPLETED, {"loss": 0.1}, loss=0.1,
                             oracle_state={"n": 6, "log_pages": [*_PAGES, [["add", 2, "r"]]]})
        written = _snapshot(resumed)
        assert resumed.epoch_metrics("r") == [(1, {"loss": 0.9})], resumed.epoch_metrics("r")
    finally:
        resumed.close()
    _reopen_and_compare(resumed, reopen, written,
                        "after writes to a reopened storage, reopened again")


def _reopen_and_compare(storage: Storage, reopen: Reopen, written: dict[str, str],
                        when: str) -> None:
    """A new object on ``storage``'s data reads back ``written``; it is closed afterwards."""
    again = _reopened(storage, reopen)
    try:
        _compare(written, _snapshot(again), when)
    finally:
        again.close()


def _reopened(storage: Storage, reopen: Reopen) -> Storage:
    again = reopen(storage)
    assert isinstance(again, Storage), f"reopen returned {type(again).__name__}, not a Storage"
    assert again is not storage, "reopen returned the same object: open a new one on its data"
    return again


REOPEN_RULES = [
    _rule_a_reopened_storage_holds_what_was_committed,
    _rule_a_reopened_storage_goes_on_with_the_project,
]
