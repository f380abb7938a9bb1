from __future__ import annotations

from rung.report.plan import search_plan
from rung.report.progress import best_by_epochs
from rung.report.snapshot import ParamSpec
from rung.report.summary import flatten, summarise
from rung.report.table import trial_table
from rung.trial_record import TrialStatus

from .helpers import HB_SETTINGS, job, snapshot


def _snap():
    return snapshot(
        job("0", value=2.0, values={"lr": 0.1, "act": "relu"}),
        job("1", status=TrialStatus.FAILED, values={"lr": 0.2, "act": "tanh"},
            error="Traceback (most recent call last):\n  ...\nValueError: diverged\n"),
        job("2", rung=1, epochs=3, initial_epoch=1, parent_id="0", value=1.5,
            values={"lr": 0.1, "act": "relu"}),
        job("3", status=TrialStatus.RUNNING, values={"lr": 0.3, "act": "relu"}),
        space=(ParamSpec("lr", "numeric"), ParamSpec("act", "categorical")))


def test_trial_table_columns_and_rows() -> None:
    table = trial_table(_snap())
    keys = [c.key for c in table.columns]
    assert keys == ["trial", "status", "iteration", "bracket", "rung", "parent", "from", "to",
                    "objective", "hp:lr", "hp:act", "m:loss", "seconds", "attempts", "error"]
    assert [c.numeric for c in table.columns][9:11] == [True, False]
    rows = {r[0]: dict(zip(keys, r, strict=True)) for r in table.rows}
    assert rows["2"]["parent"] == "0" and (rows["2"]["from"], rows["2"]["to"]) == (1, 3)
    assert rows["2"]["objective"] == 1.5 and rows["2"]["m:loss"] == 1.35
    assert rows["1"]["error"] == "ValueError: diverged" and rows["1"]["objective"] is None
    assert rows["1"]["to"] == 0  # failed before reporting an epoch
    assert rows["3"]["to"] == 1  # running: its planned end
    assert rows["3"]["seconds"] is None and rows["0"]["seconds"] == 0.5


def test_summary_counts_best_and_settings() -> None:
    snap = _snap()
    plan = search_plan(HB_SETTINGS)
    summary = summarise(snap, plan, best_by_epochs(snap, plan.epochs))
    assert summary.by_status == (("COMPLETED", 2), ("FAILED", 1), ("RUNNING", 1))
    assert (summary.best_trial, summary.best_value) == ("2", 1.5)
    assert summary.best_values == (("lr", "0.1"), ("act", "relu"))
    assert (summary.planned_jobs, summary.planned_epochs) == (plan.jobs, plan.epochs)
    assert summary.epochs_spent == 1 + 2 and summary.running == 1
    assert ("objective.name", "val_loss") in summary.settings
    assert (summary.started_at, summary.updated_at) == (1000.0, 1003.0)


def test_flatten() -> None:
    assert flatten({"a": {"b": 1, "c": None}, "d": [1, 2], "e": [{"f": 1}]}) == [
        ("a.b", "1"), ("a.c", "null"), ("d", "[1, 2]"), ("e.0.f", "1")]


def test_summary_counts_the_epochs_running_jobs_reported() -> None:
    """As ``rung status`` and the live progress count them: a running job's reports so far."""
    running = job("3", status=TrialStatus.RUNNING, epochs=9, initial_epoch=3)
    snap = snapshot(job("0", value=2.0), running, curves={"0": [(1, 2.0)], "3": [(4, 1.0),
                                                                                 (5, 0.9)]})
    plan = search_plan(HB_SETTINGS)
    summary = summarise(snap, plan, best_by_epochs(snap, plan.epochs))
    assert (summary.epochs_spent, summary.epochs_running) == (1 + 2, 2)


def test_summary_best_is_a_completed_job_ranked_as_rung_status_ranks() -> None:
    """Ties go to the job with more epochs, then the earlier one; a pruned job, stopped early,
    is no result, however good its last value (``rung status`` and ``rung best`` agree)."""
    snap = snapshot(
        job("0", value=1.0),
        job("1", rung=1, epochs=3, initial_epoch=1, parent_id="0", value=1.0),
        job("2", value=1.0),
        job("3", status=TrialStatus.PRUNED, value=0.5))
    plan = search_plan(HB_SETTINGS)
    summary = summarise(snap, plan, best_by_epochs(snap, plan.epochs))
    assert (summary.best_trial, summary.best_value) == ("1", 1.0)
    maximised = snapshot(job("0", value=1.0), job("1", value=2.0), job("2", value=2.0),
                         direction="max")
    assert summarise(maximised, plan, best_by_epochs(maximised, plan.epochs)).best_trial == "1"
