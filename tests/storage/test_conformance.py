"""Every storage keeps the contract in ``rung/storage/base.py``'s docstring."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rung.storage import InMemoryStorage, SQLiteStorage, Storage, get_storage
from rung.trial_record import TrialRecord, TrialStatus

BACKENDS = ["memory", "sqlite"]


@pytest.fixture(params=BACKENDS)
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    store: Storage = (
        InMemoryStorage() if request.param == "memory" else SQLiteStorage(tmp_path / "rung.db", create=True)
    )
    yield store
    store.close()


def _record(trial_id: str, **kw: object) -> TrialRecord:
    fields: dict[str, object] = {"values": {"units": 32, "lr": 0.01, "act": "relu"}, "epochs": 3}
    fields.update(kw)
    return TrialRecord(trial_id, **fields)  # type: ignore[arg-type]


# --- settings and scheduler state ---------------------------------------------------------
def test_new_project_is_empty(storage: Storage) -> None:
    assert storage.get_settings() is None
    assert storage.get_oracle_state() is None
    assert storage.trials() == []
    assert storage.count_trials() == 0
    assert storage.failures() == []


def test_settings_and_oracle_state_round_trip(storage: Storage) -> None:
    settings = {"objective": {"name": "val_loss", "direction": "min"}, "algorithm": "hyperband"}
    state = {"brackets": [{"rung": 0, "ids": ["a", "b"]}], "rng": [1, 2, 3], "x": None}
    storage.set_settings(settings)
    storage.set_oracle_state(state)
    assert storage.get_settings() == settings
    assert storage.get_oracle_state() == state
    storage.set_oracle_state({"n": 2})
    assert storage.get_oracle_state() == {"n": 2}


def test_settings_are_copied(storage: Storage) -> None:
    settings = {"args": {"max_epochs": 9}}
    storage.set_settings(settings)
    settings["args"]["max_epochs"] = 1
    got = storage.get_settings()
    assert got == {"args": {"max_epochs": 9}}
    got["args"]["max_epochs"] = 2  # type: ignore[index]
    assert storage.get_settings() == {"args": {"max_epochs": 9}}
    state = {"ids": [1]}
    storage.set_oracle_state(state)
    state["ids"].append(2)
    storage.get_oracle_state()["ids"].append(3)  # type: ignore[index]
    assert storage.get_oracle_state() == {"ids": [1]}


# --- creating and reading trials ----------------------------------------------------------
def test_create_and_get_trial(storage: Storage) -> None:
    record = _record("t1", initial_epoch=1, parent_id="t0", bracket=2, rung=1, iteration=4,
                     created_at=123.5)  # fmt: skip
    storage.create_trial(record)
    assert storage.get_trial("t1") == record
    assert storage.get_trial("t1").status is TrialStatus.RUNNING


def test_trials_in_creation_order(storage: Storage) -> None:
    ids = ["z", "a", "m", "b10", "b2"]
    for trial_id in ids:
        storage.create_trial(_record(trial_id))
    assert [t.trial_id for t in storage.trials()] == ids
    storage.finish_trial("a", TrialStatus.COMPLETED, {"loss": 1.0}, loss=1.0)
    assert [t.trial_id for t in storage.trials()] == ids
    assert storage.count_trials() == 5


def test_duplicate_trial_id_raises_and_keeps_the_first(storage: Storage) -> None:
    storage.create_trial(_record("t", values={"a": 1}), oracle_state={"n": 1})
    with pytest.raises(ValueError, match="exists"):
        storage.create_trial(_record("t", values={"a": 2}), oracle_state={"n": 2})
    assert storage.get_trial("t").values == {"a": 1}
    assert storage.get_oracle_state() == {"n": 1}  # the failed call changed nothing
    assert storage.count_trials() == 1


def test_create_requires_a_running_record(storage: Storage) -> None:
    with pytest.raises(ValueError, match="RUNNING"):
        storage.create_trial(_record("t", status=TrialStatus.COMPLETED))
    with pytest.raises(TypeError, match="TrialRecord"):
        storage.create_trial({"trial_id": "t"})  # type: ignore[arg-type]
    assert storage.count_trials() == 0


def test_create_writes_oracle_state_with_the_trial(storage: Storage) -> None:
    storage.create_trial(_record("t"), oracle_state={"created": 1})
    assert storage.get_oracle_state() == {"created": 1}
    storage.create_trial(_record("u"))  # no state given: the last one stays
    assert storage.get_oracle_state() == {"created": 1}


def test_unserialisable_oracle_state_changes_nothing(storage: Storage) -> None:
    with pytest.raises(TypeError):
        storage.create_trial(_record("t"), oracle_state={"bad": object()})
    assert storage.count_trials() == 0
    storage.create_trial(_record("t"))
    with pytest.raises(TypeError):
        storage.finish_trial("t", TrialStatus.COMPLETED, loss=1.0, oracle_state={"bad": object()})
    assert storage.get_trial("t").status is TrialStatus.RUNNING
    assert storage.get_oracle_state() is None


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get_trial("nope"),
        lambda s: s.report("nope", 1, {"loss": 1.0}),
        lambda s: s.record_failure("nope", 1, "tb"),
        lambda s: s.finish_trial("nope", TrialStatus.COMPLETED, loss=1.0),
        lambda s: s.epoch_metrics("nope"),
        lambda s: s.failures("nope"),
    ],
    ids=["get_trial", "report", "record_failure", "finish_trial", "epoch_metrics", "failures"],
)
def test_unknown_trial_id_raises_key_error(storage: Storage, call) -> None:  # noqa: ANN001
    storage.create_trial(_record("t"))
    with pytest.raises(KeyError, match="nope"):
        call(storage)


# --- reports and failures -----------------------------------------------------------------
def test_epoch_metrics_in_report_order_with_nan_and_inf(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    storage.create_trial(_record("u"))
    assert storage.epoch_metrics("t") == []
    storage.report("t", 2, {"loss": 0.5, "acc": 0.9})
    storage.report("u", 1, {"loss": 9.0})
    storage.report("t", 1, {"loss": math.inf, "acc": -math.inf})
    storage.report("t", 3, {"loss": math.nan})
    got = storage.epoch_metrics("t")
    assert [epoch for epoch, _ in got] == [2, 1, 3]
    assert got[0][1] == {"loss": 0.5, "acc": 0.9}
    assert got[1][1] == {"loss": math.inf, "acc": -math.inf}
    assert math.isnan(got[2][1]["loss"])
    assert storage.epoch_metrics("u") == [(1, {"loss": 9.0})]


def test_report_to_a_finished_trial_raises(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    storage.finish_trial("t", TrialStatus.PRUNED)
    with pytest.raises(ValueError, match="finished"):
        storage.report("t", 1, {"loss": 1.0})
    assert storage.epoch_metrics("t") == []


def test_record_failure_bumps_attempts(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    storage.create_trial(_record("u"))
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
    with pytest.raises(ValueError, match="finished"):
        storage.record_failure("t", 3, "late")
    assert storage.get_trial("t").attempts == 2


# --- finishing ----------------------------------------------------------------------------
def test_finish_sets_fields_and_oracle_state(storage: Storage) -> None:
    record = _record("t", parent_id="p", bracket=1, rung=0, iteration=2, created_at=5.0)
    storage.create_trial(record, oracle_state={"n_finished": 0})
    storage.finish_trial(
        "t", TrialStatus.COMPLETED, {"val_loss": 0.25, "acc": 0.75}, loss=0.25,
        oracle_state={"n_finished": 1}, finished_at=10.0,
    )  # fmt: skip
    got = storage.get_trial("t")
    assert got == record.replace(
        status=TrialStatus.COMPLETED, metrics={"val_loss": 0.25, "acc": 0.75}, loss=0.25,
        finished_at=10.0,
    )  # fmt: skip
    assert storage.get_oracle_state() == {"n_finished": 1}


def test_finish_failed_keeps_nan_metrics_and_error(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    storage.finish_trial("t", TrialStatus.FAILED, {"loss": math.nan}, error="diverged")
    got = storage.get_trial("t")
    assert got.status is TrialStatus.FAILED
    assert math.isnan(got.metrics["loss"])
    assert got.loss is None and got.error == "diverged"
    assert got.finished_at is not None and got.finished_at > 0


def test_finish_with_inf_loss_round_trips(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    storage.finish_trial("t", TrialStatus.FAILED, loss=math.inf)
    assert storage.get_trial("t").loss == math.inf


def test_finish_rejects_running_status_and_nan_loss(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    with pytest.raises(ValueError, match="RUNNING"):
        storage.finish_trial("t", TrialStatus.RUNNING)
    with pytest.raises(ValueError, match="NaN"):
        storage.finish_trial("t", TrialStatus.COMPLETED, loss=math.nan)
    assert storage.get_trial("t").status is TrialStatus.RUNNING


def test_double_finish_raises_and_changes_nothing(storage: Storage) -> None:
    storage.create_trial(_record("t"))
    storage.finish_trial("t", TrialStatus.COMPLETED, {"m": 1.0}, loss=1.0, oracle_state={"k": 1})
    with pytest.raises(ValueError, match="already finished"):
        storage.finish_trial("t", TrialStatus.FAILED, {"m": 2.0}, oracle_state={"k": 2})
    got = storage.get_trial("t")
    assert (got.status, got.metrics, got.loss) == (TrialStatus.COMPLETED, {"m": 1.0}, 1.0)
    assert storage.get_oracle_state() == {"k": 1}


def test_status_filter(storage: Storage) -> None:
    for trial_id in "abcdef":
        storage.create_trial(_record(trial_id))
    storage.finish_trial("b", TrialStatus.COMPLETED, loss=1.0)
    storage.finish_trial("d", TrialStatus.FAILED)
    storage.finish_trial("e", TrialStatus.COMPLETED, loss=2.0)
    storage.finish_trial("f", TrialStatus.PRUNED)

    def ids(status: object) -> list[str]:
        return [t.trial_id for t in storage.trials(status)]  # type: ignore[arg-type]

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
    with pytest.raises(ValueError):
        storage.trials("DONE")  # type: ignore[arg-type]


# --- immutability -------------------------------------------------------------------------
def test_identity_fields_and_returned_objects_are_immutable(storage: Storage) -> None:
    values = {"units": 32, "layers": [1, 2]}
    storage.create_trial(_record("t", values=values))
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


def test_json_values_come_back_as_json(storage: Storage) -> None:
    storage.create_trial(_record("t", values={"shape": (3, 4), "flag": True, "none": None}))
    assert storage.get_trial("t").values == {"shape": [3, 4], "flag": True, "none": None}


def test_a_reader_thread_can_read_while_the_driver_writes(storage: Storage) -> None:
    errors: list[BaseException] = []
    done = threading.Event()

    def read() -> None:
        try:
            while not done.is_set():
                n = storage.count_trials()
                assert len(storage.trials()) >= n
                time.sleep(0.0002)  # a progress display polls; it does not spin on the GIL
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for i in range(50):
            storage.create_trial(_record(f"t{i}"))
            storage.report(f"t{i}", 1, {"loss": float(i)})
            storage.finish_trial(f"t{i}", TrialStatus.COMPLETED, loss=float(i))
    finally:
        done.set()
        reader.join()
    assert errors == []
    assert storage.count_trials(TrialStatus.COMPLETED) == 50


def test_context_manager_and_get_storage(storage: Storage) -> None:
    assert get_storage(storage) is storage
    with storage as entered:
        assert entered is storage


def test_clear_reports_forgets_the_epochs_of_a_running_trial_only(storage) -> None:
    from rung.trial_record import TrialRecord, TrialStatus

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
    with pytest.raises(ValueError, match="already finished"):
        storage.clear_reports("r2")
    with pytest.raises(KeyError):
        storage.clear_reports("nope")


def test_finish_trial_stores_the_values_the_trial_really_used(storage) -> None:
    from rung.trial_record import TrialRecord, TrialStatus

    storage.create_trial(TrialRecord(trial_id="v1", values={}))
    storage.create_trial(TrialRecord(trial_id="v2", values={"x": 1}))
    storage.finish_trial("v1", TrialStatus.COMPLETED, metrics={"loss": 1.0}, loss=1.0,
                         values={"x": 0, "act": "relu"})
    storage.finish_trial("v2", TrialStatus.FAILED, error="boom")
    assert storage.get_trial("v1").values == {"x": 0, "act": "relu"}
    assert storage.get_trial("v2").values == {"x": 1}  # not given: unchanged
