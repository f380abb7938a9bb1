"""``check_storage`` rules about what a running trial reports and the failures of its attempts."""

from __future__ import annotations

import math
from collections.abc import Callable

from rung.storage import Storage
from rung.testing._rules import raises
from rung.testing._storage_finish import record
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["REPORT_RULES"]

StorageFactory = Callable[[], Storage]


def _rule_epoch_metrics_in_report_order_with_nan_and_inf(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    storage.create_trial(record("u"))
    assert storage.epoch_metrics("t") == []
    storage.report("t", 2, {"loss": 0.5, "acc": 0.9})
    storage.report("u", 1, {"loss": 9.0})
    storage.report("t", 1, {"loss": math.inf, "acc": -math.inf})
    storage.report("t", 3, {"loss": math.nan})
    got = storage.epoch_metrics("t")
    assert [epoch for epoch, _ in got] == [2, 1, 3], (
        f"epochs reported 2, 1, 3 came back as {got}: epoch_metrics must keep report order")
    assert got[0][1] == {"loss": 0.5, "acc": 0.9}
    assert got[1][1] == {"loss": math.inf, "acc": -math.inf}
    assert list(got[2][1]) == ["loss"] and math.isnan(got[2][1]["loss"]), (
        f"epoch 3 reported {{'loss': nan}} came back as {got[2][1]}: a report is stored as given")
    assert storage.epoch_metrics("u") == [(1, {"loss": 9.0})]


def _rule_report_to_a_finished_trial_raises(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    storage.finish_trial("t", TrialStatus.PRUNED)
    with raises(ValueError, match="finished"):
        storage.report("t", 1, {"loss": 1.0})
    assert storage.epoch_metrics("t") == []


def _rule_record_failure_bumps_attempts(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    storage.create_trial(record("u"))
    storage.record_failure("t", 1, "Traceback: boom 1")
    storage.record_failure("u", 1, "Traceback: other")
    storage.record_failure("t", 2, "Traceback: boom 2")
    assert storage.get_trial("t").attempts == 2
    assert storage.get_trial("u").attempts == 1
    assert storage.get_trial("t").status is TrialStatus.RUNNING
    assert storage.failures("t") == [("t", 1, "Traceback: boom 1"), ("t", 2, "Traceback: boom 2")]
    assert storage.failures() == [
        ("t", 1, "Traceback: boom 1"),
        ("u", 1, "Traceback: other"),
        ("t", 2, "Traceback: boom 2"),
    ]
    storage.finish_trial("t", TrialStatus.FAILED, error="boom 2")
    with raises(ValueError, match="finished"):
        storage.record_failure("t", 3, "late")
    assert storage.get_trial("t").attempts == 2


def _rule_clear_reports_forgets_the_epochs_of_a_running_trial_only(
    factory: StorageFactory,
) -> None:
    storage = factory()
    storage.create_trial(TrialRecord(trial_id="r1", values={"x": 1}))
    storage.create_trial(TrialRecord(trial_id="r2", values={"x": 2}))
    storage.report("r1", 1, {"loss": 0.5})
    storage.report("r2", 1, {"loss": 0.7})
    storage.clear_reports("r1")
    assert storage.epoch_metrics("r1") == []
    assert storage.epoch_metrics("r2") == [(1, {"loss": 0.7})]
    storage.report("r1", 1, {"loss": 0.4})
    assert storage.epoch_metrics("r1") == [(1, {"loss": 0.4})]
    storage.finish_trial("r2", TrialStatus.COMPLETED, metrics={"loss": 0.7}, loss=0.7)
    with raises(ValueError, match="already finished"):
        storage.clear_reports("r2")
    assert storage.epoch_metrics("r2") == [(1, {"loss": 0.7})]


REPORT_RULES = [
    _rule_epoch_metrics_in_report_order_with_nan_and_inf,
    _rule_report_to_a_finished_trial_raises,
    _rule_record_failure_bumps_attempts,
    _rule_clear_reports_forgets_the_epochs_of_a_running_trial_only,
]
