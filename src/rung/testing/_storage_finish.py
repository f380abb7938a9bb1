"""``check_storage`` rules about finishing trials and about what a storage hands back."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from rung.storage import Storage
from rung.testing._rules import raises
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["FINISH_RULES", "record"]

StorageFactory = Callable[[], Storage]


def record(trial_id: str, **changes: Any) -> TrialRecord:
    """A RUNNING record with typical values; ``changes`` override its fields."""
    base = TrialRecord(trial_id, values={"units": 32, "lr": 0.01, "act": "relu"}, epochs=3)
    return base.replace(**changes)


def _rule_finish_sets_fields_and_oracle_state(factory: StorageFactory) -> None:
    storage = factory()
    created = record("t", parent_id="p", bracket=1, rung=0, iteration=2, created_at=5.0)
    storage.create_trial(created, oracle_state={"n_finished": 0})
    storage.finish_trial(
        "t", TrialStatus.COMPLETED, {"val_loss": 0.25, "acc": 0.75}, loss=0.25,
        oracle_state={"n_finished": 1}, finished_at=10.0,
    )  # fmt: skip
    got = storage.get_trial("t")
    expected = created.replace(
        status=TrialStatus.COMPLETED, metrics={"val_loss": 0.25, "acc": 0.75}, loss=0.25,
        finished_at=10.0,
    )  # fmt: skip
    assert got == expected, f"stored {got!r}, expected {expected!r}"
    assert storage.get_oracle_state() == {"n_finished": 1}
    for n, status in enumerate((TrialStatus.PRUNED, TrialStatus.FAILED), start=2):
        storage.create_trial(record(status.value))
        storage.finish_trial(status.value, status, oracle_state={"n_finished": n})
        state = storage.get_oracle_state()
        assert state == {"n_finished": n}, f"finished {status.value}, the state is {state}"
    storage.create_trial(record("u"))
    storage.finish_trial("u", TrialStatus.COMPLETED, {"val_loss": 0.5}, loss=0.5)
    state = storage.get_oracle_state()
    assert state == {"n_finished": 3}, (
        f"finish_trial without an oracle_state (as one given to oracle.trials is stored) must "
        f"leave the last state, {{'n_finished': 3}}; the state is {state}")


def _rule_finish_failed_keeps_nan_metrics_and_error(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    storage.finish_trial("t", TrialStatus.FAILED, {"loss": math.nan}, error="diverged")
    got = storage.get_trial("t")
    assert got.status is TrialStatus.FAILED
    assert math.isnan(got.metrics["loss"])
    assert got.loss is None and got.error == "diverged"
    assert got.finished_at is not None and got.finished_at > 0


def _rule_finish_with_inf_loss_round_trips(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    storage.finish_trial("t", TrialStatus.FAILED, loss=math.inf)
    assert storage.get_trial("t").loss == math.inf


def _rule_finish_rejects_running_status_and_nan_loss(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    with raises(ValueError, match="RUNNING"):
        storage.finish_trial("t", TrialStatus.RUNNING)
    with raises(ValueError, match="NaN"):
        storage.finish_trial("t", TrialStatus.COMPLETED, loss=math.nan)
    assert storage.get_trial("t").status is TrialStatus.RUNNING


def _rule_double_finish_raises_and_changes_nothing(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t"))
    storage.finish_trial("t", TrialStatus.COMPLETED, {"m": 1.0}, loss=1.0, oracle_state={"k": 1})
    with raises(ValueError, match="already finished"):
        storage.finish_trial("t", TrialStatus.FAILED, {"m": 2.0}, oracle_state={"k": 2})
    got = storage.get_trial("t")
    assert (got.status, got.metrics, got.loss) == (TrialStatus.COMPLETED, {"m": 1.0}, 1.0), got
    assert storage.get_oracle_state() == {"k": 1}


def _rule_finish_stores_the_values_the_trial_really_used(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(TrialRecord(trial_id="v1", values={}))
    storage.create_trial(TrialRecord(trial_id="v2", values={"x": 1}))
    storage.finish_trial("v1", TrialStatus.COMPLETED, metrics={"loss": 1.0}, loss=1.0,
                         values={"x": 0, "act": "relu"})  # fmt: skip
    storage.finish_trial("v2", TrialStatus.FAILED, error="boom")
    assert storage.get_trial("v1").values == {"x": 0, "act": "relu"}
    assert storage.get_trial("v2").values == {"x": 1}, "values not given: must stay unchanged"


def _rule_finish_stores_the_epoch_reached(factory: StorageFactory) -> None:
    """Whatever the status: a job that completed before its planned epochs is never promoted,
    after a resume too, only if its record keeps where it stopped."""
    storage = factory()
    storage.create_trial(record("p", epochs=9))
    storage.create_trial(record("c", epochs=9))
    storage.create_trial(record("s", epochs=9))
    storage.create_trial(record("f", epochs=9))
    storage.finish_trial("p", TrialStatus.PRUNED, {"loss": 0.5}, loss=0.5, epochs_reached=3)
    storage.finish_trial("c", TrialStatus.COMPLETED, {"loss": 0.4}, loss=0.4)
    storage.finish_trial("s", TrialStatus.COMPLETED, {"loss": 0.3}, loss=0.3, epochs_reached=6)
    storage.finish_trial("f", TrialStatus.FAILED, {"loss": math.nan}, epochs_reached=9)
    pruned = storage.get_trial("p")
    assert (pruned.status, pruned.epochs_reached) == (TrialStatus.PRUNED, 3), pruned
    assert storage.get_trial("c").epochs_reached is None, "epochs_reached not given: None"
    for trial_id, status, reached in (("s", TrialStatus.COMPLETED, 6),
                                      ("f", TrialStatus.FAILED, 9)):
        got = storage.get_trial(trial_id)
        assert (got.status, got.epochs_reached) == (status, reached), (
            f"finished {status.value} with epochs_reached={reached}, stored {got!r}")


def _rule_all_epoch_metrics_lists_finished_trials_in_order(factory: StorageFactory) -> None:
    storage = factory()
    for trial_id in ("b", "a", "r"):
        storage.create_trial(record(trial_id))
    storage.report("a", 1, {"loss": 0.9})
    storage.report("b", 1, {"loss": 0.8})
    storage.report("r", 1, {"loss": 0.7})  # r stays RUNNING: its epochs will come again
    storage.report("a", 2, {"loss": 0.6})
    storage.finish_trial("a", TrialStatus.COMPLETED, {"loss": 0.6}, loss=0.6)
    storage.finish_trial("b", TrialStatus.PRUNED, {"loss": 0.8}, loss=0.8, epochs_reached=1)
    got = list(storage.all_epoch_metrics())
    expected = [("b", 1, {"loss": 0.8}), ("a", 1, {"loss": 0.9}), ("a", 2, {"loss": 0.6})]
    assert got == expected, f"got {got}, expected {expected} (finished trials, creation order)"
    storage.create_trial(record("f"))
    storage.report("f", 1, {"loss": 0.5})
    storage.finish_trial("f", TrialStatus.FAILED, error="boom")  # a failed job's reports count
    expected.append(("f", 1, {"loss": 0.5}))
    got = list(storage.all_epoch_metrics())
    assert got == expected, f"got {got}, expected {expected} (a FAILED trial is finished too)"


def _rule_metric_history_reads_one_metric_of_every_report(factory: StorageFactory) -> None:
    storage = factory()
    for trial_id in ("b", "a", "r", 'q"'):
        storage.create_trial(record(trial_id))
    storage.report("a", 1, {"loss": 0.9, "acc": 0.1})
    storage.report("b", 1, {"acc": 0.2})
    storage.report("r", 1, {"loss": math.inf})  # a running trial's reports count too
    storage.report("a", 2, {"loss": math.nan, "acc": 0.3})
    storage.report('q"', 1, {'we"ird': 1.5})
    storage.finish_trial("a", TrialStatus.COMPLETED, {"loss": 0.6}, loss=0.6)
    got = {t: [row[1:] for row in storage.metric_history("loss") if row[0] == t]
           for t in ("a", "b", "r", 'q"')}  # each trial's rows in report order
    assert got["b"] == [(1, None)] and got["r"] == [(1, math.inf)], got
    assert got["a"][0] == (1, 0.9) and got["a"][1][0] == 2 and math.isnan(got["a"][1][1]), got
    assert got['q"'] == [(1, None)], got
    assert len(storage.metric_history("loss")) == 5
    assert [row[2] for row in storage.metric_history('we"ird') if row[0] == 'q"'] == [1.5]


def _rule_status_filter(factory: StorageFactory) -> None:
    storage = factory()
    for trial_id in "abcdef":
        storage.create_trial(record(trial_id))
    storage.finish_trial("b", TrialStatus.COMPLETED, loss=1.0)
    storage.finish_trial("d", TrialStatus.FAILED)
    storage.finish_trial("e", TrialStatus.COMPLETED, loss=2.0)
    storage.finish_trial("f", TrialStatus.PRUNED)

    def ids(status: Any) -> list[str]:
        return [t.trial_id for t in storage.trials(status)]

    assert ids(TrialStatus.COMPLETED) == ["b", "e"]
    assert ids(TrialStatus.RUNNING) == ["a", "c"]
    assert ids([TrialStatus.FAILED, TrialStatus.COMPLETED]) == ["b", "d", "e"]
    assert ids((TrialStatus.PRUNED,)) == ["f"]
    assert ids("FAILED") == ["d"]
    assert ids([]) == []
    assert ids(None) == list("abcdef")
    assert storage.count_trials(TrialStatus.COMPLETED) == 2
    assert storage.count_trials() == 6
    assert storage.count_trials([TrialStatus.RUNNING, TrialStatus.PRUNED]) == 3  # type: ignore[arg-type]
    with raises(ValueError):
        storage.trials("DONE")  # type: ignore[arg-type]


def _rule_identity_fields_and_returned_objects_are_immutable(factory: StorageFactory) -> None:
    storage = factory()
    values: dict[str, Any] = {"units": 32, "layers": [1, 2]}
    storage.create_trial(record("t", values=values))
    values["units"] = 64
    values["layers"].append(3)
    got = storage.get_trial("t")
    got.values["units"] = 128
    got.metrics["x"] = 1.0
    storage.trials()[0].values["layers"].append(4)
    assert storage.get_trial("t").values == {"units": 32, "layers": [1, 2]}
    assert storage.get_trial("t").metrics == {}

    metrics = {"loss": 1.0}
    storage.report("t", 1, metrics)
    metrics["loss"] = 2.0
    storage.epoch_metrics("t")[0][1]["loss"] = 3.0
    assert storage.epoch_metrics("t") == [(1, {"loss": 1.0})]

    final = {"loss": 0.5}
    storage.finish_trial("t", TrialStatus.COMPLETED, final, loss=0.5)
    final["loss"] = 9.0
    storage.get_trial("t").metrics["loss"] = 9.0
    assert storage.get_trial("t").metrics == {"loss": 0.5}
    storage.failures().append(("x", 1, "y"))
    assert storage.failures() == []


def _rule_json_values_come_back_as_json(factory: StorageFactory) -> None:
    storage = factory()
    storage.create_trial(record("t", values={"shape": (3, 4), "flag": True, "none": None}))
    got = storage.get_trial("t").values
    assert got == {"shape": [3, 4], "flag": True, "none": None}, got


FINISH_RULES = [
    _rule_finish_sets_fields_and_oracle_state,
    _rule_finish_failed_keeps_nan_metrics_and_error,
    _rule_finish_with_inf_loss_round_trips,
    _rule_finish_rejects_running_status_and_nan_loss,
    _rule_double_finish_raises_and_changes_nothing,
    _rule_finish_stores_the_values_the_trial_really_used,
    _rule_finish_stores_the_epoch_reached,
    _rule_all_epoch_metrics_lists_finished_trials_in_order,
    _rule_metric_history_reads_one_metric_of_every_report,
    _rule_status_filter,
    _rule_identity_fields_and_returned_objects_are_immutable,
    _rule_json_values_come_back_as_json,
]
