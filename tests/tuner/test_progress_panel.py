"""The live panel in a real terminal's width: nothing wraps mid-figure at 80 or 60 columns, and
the panel drawn under a job's line counts that job (``rung.tuner.panel``, ``rung.tuner.live``)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import rung
from rung.oracles import HyperbandOracle
from rung.oracles.schedule import Budget
from rung.trial_record import TrialRecord, TrialStatus
from rung.tuner.display import Display
from rung.tuner.panel import render
from rung.tuner.progress import SearchProgress

pytest.importorskip("rich")


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plan_9_3() -> Budget:
    return HyperbandOracle(objective="loss", max_epochs=9, factor=3).budget()  # 22 jobs, 69 ep


def job(trial_id: str, rung_: int, start: int, end: int,
        status: TrialStatus = TrialStatus.COMPLETED) -> TrialRecord:
    return TrialRecord(trial_id, {}, status=status, bracket=2, rung=rung_, initial_epoch=start,
                       epochs=end)


def mid_search() -> SearchProgress:
    """9 of 69 epochs done in 9 s (2 jobs failed): about 0:01:00 left; 4 jobs running."""
    clock = Clock()
    progress = SearchProgress(plan_9_3(), "val_accuracy", clock)
    for i in range(9):
        progress.started(job(f"0000{i}", 0, 0, 1, TrialStatus.RUNNING))
        status = TrialStatus.FAILED if i < 2 else TrialStatus.COMPLETED
        progress.finished(job(f"0000{i}", 0, 0, 1, status), 0.97225, "00004")
    for i in range(4):
        progress.started(job(f"0001{i}", 1, 1, 3, TrialStatus.RUNNING))
    progress.workers = 4
    clock.now += 9.0
    return progress


def panel_lines(progress: SearchProgress, width: int) -> list[str]:
    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(render(progress.snapshot(), progress.budget))
    return console.file.getvalue().rstrip("\n").splitlines()


@pytest.mark.parametrize("width", [80, 60])
def test_no_figure_of_the_panel_is_cut_in_a_narrow_terminal(width: int) -> None:
    lines = panel_lines(mid_search(), width)
    assert all(len(line.rstrip()) <= width for line in lines)
    # every figure is whole on one line: the headline, the time left, each count and rung
    for figure in ("13%  epochs 9/69  jobs 9/22  0:00:09, about 0:01:00 left",
                   "best val_accuracy=0.97225 (trial 00004)", "completed 7", "failed 2",
                   "rung 0 9/9", "rung 1 0/3", "rung 2 0/1", "00013 s=2 rung 1 epoch 1/3"):
        assert any(figure in line for line in lines), (figure, lines)


def test_the_bar_shortens_then_goes_above_its_numbers() -> None:
    wide, medium, narrow = (panel_lines(mid_search(), w)[0] for w in (140, 80, 60))
    assert wide.startswith("━") and wide.index("13%") > 30  # the whole bar, 30 wide
    assert medium.index("13%") < 30 and medium.rstrip().endswith("0:01:00 left")
    assert "%" not in narrow and panel_lines(mid_search(), 60)[1].startswith(" 13%  epochs")


def test_a_line_of_pieces_breaks_between_pieces() -> None:
    lines = panel_lines(mid_search(), 44)
    assert "bracket s=2: rung 0 9/9  rung 1 0/3" in lines
    assert "rung 2 0/1" in lines
    assert "·  00011 s=2 rung 1 epoch 1/3" in lines  # one running job a line, each whole


def test_a_finished_plan_says_no_time_left() -> None:
    clock = Clock()
    progress = SearchProgress(Budget(jobs=2, epochs=None), "loss", clock)
    progress.finished(TrialRecord("a", {}, status=TrialStatus.COMPLETED), 1.0, "a")
    clock.now += 5.0
    assert "0:00:05 left" in panel_lines(progress, 100)[0]
    progress.finished(TrialRecord("b", {}, status=TrialStatus.COMPLETED), 1.0, "a")
    assert panel_lines(progress, 100)[0].rstrip().endswith("jobs 2/2  0:00:05")


def train(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=x + 1 / epoch)
    return {"loss": x + 1 / trial.epochs}


def test_the_panel_under_a_job_line_counts_that_job(tmp_path: Path, monkeypatch) -> None:
    """Jobs faster than the panel's refresh (4 a second): the panel drawn below each job's line
    is the state after that job, not the one of the last refresh ("jobs 0/22" under "[9/22]")."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = Terminal()
    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path)
    tuner.display = Display(1, stream, live=True, clock=Clock())
    tuner.search()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", stream.getvalue())
    parts = re.split(r"\[(\d+)/22\] trial ", text)[1:]
    assert len(parts) == 2 * 22
    for done, after in zip(parts[::2], parts[1::2], strict=True):
        assert re.search(r"jobs (\d+)/22", after).group(1) == done  # type: ignore[union-attr]
