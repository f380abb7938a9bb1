from __future__ import annotations

from pathlib import Path

import pytest

import rung
from rung.report.snapshot import (
    ObjectiveInfo,
    ParamSpec,
    infer_space,
    read_snapshot,
    space_from_state,
)
from rung.storage import InMemoryStorage
from rung.trial_record import TrialStatus

from .helpers import job


def test_objective_from_settings_single_multi_and_missing() -> None:
    single = ObjectiveInfo.from_settings({"objective": {"name": "val_accuracy",
                                                        "direction": "max"}})
    assert (single.name, single.direction) == ("val_accuracy", "max")
    assert single.better(0.9, 0.8) and not single.better(0.8, 0.9)
    multi = ObjectiveInfo.from_settings({"objective": {"objectives": [
        {"name": "val_loss", "direction": "min"}, {"name": "val_acc", "direction": "max"}]}})
    assert (multi.name, multi.direction) == ("val_loss - val_acc", "min")  # what it minimises
    assert multi.value({"val_loss": 0.5, "val_acc": 0.75}) == pytest.approx(-0.25)
    missing = ObjectiveInfo.from_settings(None)  # none stored: the jobs' stored losses rank
    assert (missing.name, missing.direction, missing.stored) == ("loss", "min", True)
    one = ObjectiveInfo.from_settings({"objective": {"objectives": [
        {"name": "mae", "direction": "min"}]}})
    assert (one.name, one.parts) == ("mae", ())


@pytest.mark.parametrize("metrics", [{}, {"val_loss": float("nan")}, {"val_loss": "x"},
                                     {"val_loss": True}, {"val_loss": float("inf")}])
def test_value_is_none_without_a_finite_number(metrics: dict) -> None:
    assert ObjectiveInfo("val_loss", "min").value(metrics) is None


def test_space_from_a_saved_state() -> None:
    state = {"space": {"space": [
        {"class_name": "Float", "config": {"name": "lr", "sampling": "log"}},
        {"class_name": "Int", "config": {"name": "units", "sampling": "linear"}},
        {"class_name": "Choice", "config": {"name": "act", "values": ["relu", "tanh"]}},
        {"class_name": "Choice", "config": {"name": "batch", "values": [16, 32, 64],
                                            "ordered": True}},
        {"class_name": "Boolean", "config": {"name": "bn"}},
        {"class_name": "Fixed", "config": {"name": "k", "value": 3}},
        {"class_name": "Float", "config": {"name": "lr", "sampling": "linear"}},  # again
        {"class_name": "Unknown", "config": {"name": "odd"}},
    ]}}
    assert space_from_state(state) == (
        ParamSpec("lr", "numeric", log=True), ParamSpec("units", "numeric"),
        ParamSpec("act", "categorical", categories=("relu", "tanh")),
        ParamSpec("batch", "numeric"), ParamSpec("bn", "categorical", categories=(False, True)),
        ParamSpec("k", "categorical", categories=(3,)))
    assert space_from_state(None) == () and space_from_state({"space": "garbage"}) == ()


def test_infer_space_adds_undeclared_names() -> None:
    trials = [job("0", values={"a": 1, "b": "x", "tuner/epochs": 3}),
              job("1", values={"a": 2.5, "b": 4})]
    assert infer_space(trials, (ParamSpec("c", "numeric"),)) == (
        ParamSpec("c", "numeric"), ParamSpec("a", "numeric"),
        ParamSpec("b", "categorical", categories=("x", 4)))


def test_read_snapshot_reads_running_jobs_curves_and_errors(tmp_path: Path) -> None:
    storage = InMemoryStorage()
    storage.set_settings({"objective": {"name": "val_loss", "direction": "min"}})
    for record in (job("0", status=TrialStatus.RUNNING), job("1", status=TrialStatus.RUNNING)):
        storage.create_trial(record.replace(status=TrialStatus.RUNNING, metrics={}, loss=None,
                                            finished_at=None, epochs_reached=None))
    storage.report("0", 1, {"val_loss": 2.0})
    storage.report("1", 1, {"val_loss": 3.0})
    storage.finish_trial("1", TrialStatus.FAILED, error="Traceback\nValueError: boom")
    snap = read_snapshot(storage)
    assert snap.curves == {"0": [(1, 2.0)], "1": [(1, 3.0)]}
    assert snap.failures == {"1": "Traceback\nValueError: boom"}
    assert snap.value(snap.trials[0]) is None  # running: no result yet
    assert isinstance(rung.report.build_report(storage), rung.report.ReportData)
