"""The progress a search shows: the numbers (``SearchProgress``), the plain lines for logs, the
live panel's content, and silence at ``verbose=0``."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import rung
from rung.oracles import HyperbandOracle, hyperband_plan
from rung.oracles.schedule import Budget
from rung.trial_record import TrialRecord, TrialStatus
from rung.tuner.display import Display
from rung.tuner.live import render, wants_live
from rung.tuner.progress import SearchProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def train(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=x + 1 / epoch)
    return {"loss": x + 1 / trial.epochs}


def plan_9_3() -> Budget:
    return HyperbandOracle(objective="loss", max_epochs=9, factor=3).budget()  # 22 jobs, 69 ep


def job(trial_id: str, s: int, rung_: int, start: int, end: int,
        status: TrialStatus = TrialStatus.COMPLETED) -> TrialRecord:
    return TrialRecord(trial_id, {}, status=status, bracket=s, rung=rung_, initial_epoch=start,
                       epochs=end)


def test_progress_counts_planned_epochs_and_estimates_from_this_call_only() -> None:
    clock = Clock()
    progress = SearchProgress(plan_9_3(), "loss", clock)
    progress.restore([job("a", 2, 0, 0, 1), job("b", 2, 0, 0, 1)])  # an earlier process's
    snap = progress.snapshot()
    assert (snap.jobs_done, snap.epochs_done, snap.remaining) == (2, 2, None)
    progress.started(job("c", 2, 0, 0, 1, TrialStatus.RUNNING))
    clock.now += 10.0
    progress.finished(job("c", 2, 0, 0, 1, TrialStatus.PRUNED), 0.5, "c")
    snap = progress.snapshot()
    # 1 epoch in 10 s in this call: the 66 epochs left take 660 s
    assert (snap.epochs_done, snap.epochs_planned, snap.remaining) == (3, 69, 660.0)
    assert snap.counts == {"COMPLETED": 2, "PRUNED": 1} and snap.rungs_done == {(0, 2, 0): 3}
    assert (snap.best, snap.best_trial) == (0.5, "c")
    assert snap.fraction == pytest.approx(3 / 69)


def test_running_jobs_count_the_epochs_they_reported() -> None:
    progress = SearchProgress(plan_9_3(), "loss", Clock())
    progress.started(job("d", 2, 1, 1, 3, TrialStatus.RUNNING))
    progress.reported("d", 2)
    progress.reported("unknown", 5)  # a job this display never saw start: ignored
    snap = progress.snapshot()
    assert snap.epochs_done == 1 and [(j.trial_id, j.epoch) for j in snap.running] == [("d", 2)]
    progress.finished(job("d", 2, 1, 1, 3))
    assert progress.snapshot().epochs_done == 2 and progress.snapshot().running == ()


def test_without_planned_epochs_jobs_are_the_unit_and_without_a_plan_no_estimate() -> None:
    clocks = Clock(), Clock()
    by_jobs = SearchProgress(Budget(jobs=4, epochs=None), "loss", clocks[0])
    unknown = SearchProgress(Budget(jobs=0, epochs=None), "loss", clocks[1])
    for progress, clock in zip((by_jobs, unknown), clocks, strict=True):
        progress.started(TrialRecord("a", {}))
        clock.now += 2.0
        progress.finished(TrialRecord("a", {}, status=TrialStatus.COMPLETED))
    assert (by_jobs.snapshot().fraction, by_jobs.snapshot().remaining) == (0.25, 6.0)
    assert (unknown.snapshot().fraction, unknown.snapshot().remaining) == (None, None)


def test_the_time_left_is_never_more_than_what_is_left_of_max_time() -> None:
    clocks = Clock(), Clock()
    planned = SearchProgress(plan_9_3(), "loss", clocks[0], max_time=300.0)
    open_ended = SearchProgress(Budget(jobs=0, epochs=None), "loss", clocks[1], max_time=300.0)
    assert open_ended.snapshot().remaining == 300.0  # no plan: max_time is the estimate
    for progress, clock in zip((planned, open_ended), clocks, strict=True):
        progress.started(job("a", 2, 0, 0, 1, TrialStatus.RUNNING))
        clock.now += 10.0
        progress.finished(job("a", 2, 0, 0, 1))
    # at 1 epoch per 10 s the 68 epochs left would take 680 s; max_time ends the call in 290
    assert planned.snapshot().remaining == open_ended.snapshot().remaining == 290.0
    clocks[0].now += 200.0  # 90 s left of max_time, less than the plan's estimate
    assert planned.snapshot().remaining == 90.0
    clocks[0].now += 95.0  # past max_time: running jobs end, no estimate is shown
    assert planned.snapshot().remaining is None


def test_a_search_with_max_time_shows_at_most_that_time_left(tmp_path: Path) -> None:
    clock = Clock()
    display = Display(1, stream=io.StringIO(), clock=clock)
    oracle = HyperbandOracle(objective="loss", max_epochs=9, factor=3)
    display.plan(oracle.budget(), tmp_path, oracle, max_time=120.0)
    try:
        assert display.progress is not None and display.progress.snapshot().remaining == 120.0
    finally:
        display.close()


def test_plain_lines_for_logs_one_per_job_with_progress(tmp_path: Path) -> None:
    stream = io.StringIO()
    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path, verbose=1)
    tuner.display = Display(1, stream, live=False, clock=Clock())
    tuner.search()
    lines = stream.getvalue().splitlines()
    jobs = [line for line in lines if line.startswith("[")]
    assert len(jobs) == 22
    assert jobs[0].startswith("[1/22] trial 00000 s=2 rung=0 epochs 0->1 completed loss=")
    assert jobs[0].endswith("| 1% of 69 epochs")  # the fake clock stands still: no estimate
    assert jobs[-1].startswith("[22/22]") and jobs[-1].endswith("| 100% of 69 epochs")
    assert lines[0].startswith("rung: HyperbandOracle on") and "planned: 22 jobs" in lines[1]
    assert lines[-2] == "search finished: all 3 brackets complete"


def test_a_job_stopped_early_says_how_far_it_trained(tmp_path: Path) -> None:
    """ASHA's stopping variant plans every job to max_epochs; a pruned job's line says the
    epoch it stopped at (``0->1 of 9``), a completed one its whole span."""
    stream = io.StringIO()
    oracle = rung.oracles.ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=12,
                                     mode="stopping", seed=0)
    tuner = rung.Tuner(oracle, run_trial=train, directory=tmp_path, project_name="a", verbose=1)
    tuner.display = Display(1, stream, live=False, clock=Clock())
    tuner.search()
    lines = {m.group(1): m.group(2) for m in re.finditer(
        r"trial (\d+) s=0 rung=0 epochs (\S+(?: of 9)?) (?:completed|pruned)", stream.getvalue())}
    stored = {r.trial_id: r for r in tuner.storage.trials()}
    assert lines.keys() == stored.keys()
    for trial_id, span in lines.items():
        reached = stored[trial_id].epochs_reached
        assert span == ("0->9" if reached == 9 else f"0->{reached} of 9")
    assert any(span.endswith(" of 9") for span in lines.values())


def test_verbose_0_prints_nothing_at_all(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path, verbose=0)
    tuner.search()
    assert capsys.readouterr() == ("", "")


def test_the_live_panel_shows_plan_best_brackets_and_running_jobs() -> None:
    from rich.console import Console

    progress = SearchProgress(plan_9_3(), "loss", Clock())
    for i in range(3):
        progress.finished(job(f"0000{i}", 2, 0, 0, 1), 0.25, "00001")
    progress.started(job("00003", 2, 0, 0, 1, TrialStatus.RUNNING))
    progress.started(job("00004", 2, 0, 0, 1, TrialStatus.RUNNING))
    progress.workers = 2
    console = Console(file=io.StringIO(), width=140, color_system=None)
    console.print(render(progress.snapshot(), plan_9_3()))
    text = console.file.getvalue()
    assert re.search(r"4%\s+epochs 3/69\s+jobs 3/22", text)
    assert "best loss=0.25 (trial 00001)" in text and "completed 3" in text
    assert "bracket s=2: rung 0 3/9  rung 1 0/3  rung 2 0/1" in text
    assert "running on 2 workers: 00003 s=2 rung 0 epoch 0/1  ·  00004 s=2 rung 0" in text


def test_a_live_search_draws_its_last_state_and_prints_job_lines(tmp_path: Path) -> None:
    stream = io.StringIO()
    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path)
    tuner.display = Display(1, stream, live=True, clock=Clock())
    tuner.search()
    out = stream.getvalue()
    assert "[22/22] trial 00021" in out  # the job lines scroll above the panel
    assert re.search(r"100%\s+epochs 69/69\s+jobs 22/22", out)  # its last state stays
    assert out.rstrip().splitlines()[-1].startswith("best trial ")  # the summary after it


def test_the_live_panel_only_on_a_terminal(monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("RUNG_PROGRESS", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert not wants_live(io.StringIO())  # a CI log, a file, a pipe
    monkeypatch.setenv("TERM", "xterm")
    assert wants_live(Terminal())
    monkeypatch.setenv("RUNG_PROGRESS", "plain")
    assert not wants_live(Terminal())


def test_the_plan_in_the_panel_is_the_schedule() -> None:
    assert [b.s for b in plan_9_3().brackets] == [b.s for b in hyperband_plan(9, 3)]


def test_a_search_whose_jobs_were_all_pruned_says_there_is_no_best(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def train(trial: rung.Trial) -> None:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        trial.report(1, loss=x)
        raise rung.TrialPruned()

    tuner = rung.RandomSearch(run_trial=train, objective="loss", max_trials=3, seed=0,
                              directory=tmp_path, project_name="p", verbose=1)
    tuner.search()
    assert {t.status for t in tuner.storage.trials()} == {TrialStatus.PRUNED}
    assert tuner.get_best_hyperparameters() == []
    out = capsys.readouterr()
    assert "no best trial: no job completed (every job with a result was pruned)" in (
        out.out + out.err)
