"""The plain lines of a search in a CI log: failed and diverged jobs, a resumed or finished
project, and a search budget, each said once and counted against the plan."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import rung
from rung.tuner.display import Display


class Clock:
    """Advances one second per read: every job line has a time left."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def flaky(trial: rung.Trial) -> dict[str, float]:
    """Trials 00001 and 00005 raise; 00002 and 00006 end with a NaN objective."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    number = int(trial.trial_id)
    if number % 4 == 1:
        raise ValueError(f"no luck for {trial.trial_id}")
    last = trial.epochs or 1
    loss = float("nan") if number % 4 == 2 else x + 1 / last
    for epoch in range(trial.initial_epoch + 1, last + 1):
        trial.report(epoch, loss=loss)
    return {"loss": loss}


def train(trial: rung.Trial) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=x + 1 / epoch)
    return {"loss": x + 1 / trial.epochs}


def search(tmp_path: Path, function=train, **search_args) -> list[str]:
    tuner = rung.Hyperband(run_trial=function, objective="loss", max_epochs=9, factor=3, seed=0,
                           directory=tmp_path, project_name="p", max_consecutive_failed_trials=9)
    stream = io.StringIO()
    tuner.display = Display(1, stream, live=False, clock=Clock())
    tuner.search(**search_args)
    return stream.getvalue().splitlines()


def test_a_failed_job_has_one_line_counted_like_the_others(tmp_path: Path) -> None:
    lines = search(tmp_path, flaky)
    jobs = [line for line in lines if line.startswith("[")]
    assert [int(re.match(r"\[(\d+)/22\]", line).group(1)) for line in jobs] == list(  # type: ignore[union-attr]
        range(1, 23))  # no number skipped for the failed ones
    assert re.fullmatch(
        r"\[2/22\] trial 00001 s=2 rung=0 epochs 0->1 failed: ValueError: no luck for 00001 "
        r"\[x=0\.\d+\] \| 3% of 69 epochs, .* left", jobs[1]), jobs[1]
    assert not any("giving up" in line or "attempt" in line for line in lines)
    assert sum("00001" in line for line in lines) == 1


def test_a_diverged_job_shows_its_objective(tmp_path: Path) -> None:
    lines = search(tmp_path, flaky)
    assert any(line.startswith("[3/22] trial 00002 s=2 rung=0 epochs 0->1 invalid loss=nan ")
               for line in lines)


def test_a_job_given_up_after_retries_says_how_many_attempts(tmp_path: Path) -> None:
    tuner = rung.RandomSearch(run_trial=flaky, objective="loss", max_trials=2, seed=0,
                              directory=tmp_path, max_retries_per_trial=1)
    stream = io.StringIO()
    tuner.display = Display(1, stream, live=False, clock=Clock())
    tuner.search()
    lines = stream.getvalue().splitlines()
    assert ("trial 00001 attempt 1 failed: ValueError: no luck for 00001 (retrying)"
            in lines)
    assert any(re.fullmatch(r"\[2/2\] trial 00001 failed: ValueError: no luck for 00001 \(after "
                            r"2 attempts\) \[x=0\.\d+\] \| 100% of 2 jobs", line)
               for line in lines), lines


def test_a_resumed_search_says_how_much_was_done(tmp_path: Path) -> None:
    first = search(tmp_path, max_epochs_total=10)
    assert ("this search call starts no new job once the project has trained 10 epochs "
            "(max_epochs_total, counted over every run of the project: a larger one goes "
            "on)") in first
    done = sum(line.startswith("[") for line in first)
    second = search(tmp_path)
    resumed = [line for line in second if line.startswith("resuming:")]
    assert len(resumed) == 1 and re.fullmatch(
        rf"resuming: {done} of 22 jobs already finished \(\d+ of 69 epochs\)", resumed[0])
    assert second[-3].startswith("[22/22]") and second[-3].endswith("| 100% of 69 epochs")


def test_a_finished_search_run_again_says_nothing_is_left(tmp_path: Path) -> None:
    search(tmp_path)
    again = search(tmp_path)
    assert ("nothing left to run: 22 of 22 jobs already finished (69 of 69 epochs); "
            "overwrite=True starts a new search") in again
    assert not any(line.startswith("[") or "resuming" in line for line in again)


def test_an_interrupted_search_resumed_says_it_in_one_line(tmp_path: Path) -> None:
    calls: list[str] = []

    def interrupted_once(trial: rung.Trial) -> dict[str, float]:
        calls.append(trial.trial_id)
        if trial.trial_id == "00003" and calls.count("00003") == 1:
            raise KeyboardInterrupt  # Ctrl-C during the fourth job
        return train(trial)

    with pytest.raises(KeyboardInterrupt):
        search(tmp_path, interrupted_once)
    again = search(tmp_path, interrupted_once)
    assert [line for line in again if "resuming" in line or "re-running" in line] == [
        "resuming: 3 of 22 jobs already finished (3 of 69 epochs); re-running 1 job "
        "interrupted earlier"]
    assert any(line.startswith("[4/22] trial 00003 ") for line in again)


def test_a_job_line_says_what_it_trained(tmp_path: Path) -> None:
    # keras-tuner prints a trial's values; here the line of a job that starts a configuration
    # ends with them, and a promoted job names the trial it continues
    lines = [line for line in search(tmp_path) if line.startswith("[")]
    first = re.search(r"\[x=[0-9.e+-]+\] \|", lines[0])
    assert first is not None and lines[0].startswith("[1/22] trial 00000 s=2 rung=0 ")
    promoted = [line for line in lines if " rung=1 " in line]
    assert promoted and all(re.search(r" \[from 000\d\d\] \|", line) for line in promoted)
