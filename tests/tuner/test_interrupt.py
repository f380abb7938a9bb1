"""Ctrl-C during search: one line, exit status 130, and a rerun completes every job."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import rung
from rung.tuner.interrupt import in_ipython, message, sigterm_interrupts

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    import rung

    def train(trial, started):
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        if trial.trial_id == "00003" and os.environ.get("BLOCK") == "1":
            open(started, "w").close()   # the test sends SIGINT once this file exists
            time.sleep(600)              # the job the user interrupts
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=(x - 0.3) ** 2 + 1.0 / epoch)
        return (x - 0.3) ** 2 + 1.0 / trial.epochs

    if __name__ == "__main__":
        tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=0,
                               directory=sys.argv[1], project_name="p", verbose=0)
        if os.environ.get("CATCH") == "1":  # keras-tuner scripts may catch Ctrl-C and go on
            try:
                tuner.search(sys.argv[2], workers=int(sys.argv[3]))
            except KeyboardInterrupt as stop:
                print("caught:", stop)
                print("best so far", sorted(tuner.get_best_hyperparameters(1)[0].values))
            sys.exit(0)
        tuner.search(sys.argv[2], workers=int(sys.argv[3]))
        print("searched", tuner.storage.count_trials(rung.TrialStatus.COMPLETED))
    """
)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_blocked(tmp_path: Path, workers: int, extra_env: dict[str, str] | None = None,
                   **popen: Any) -> tuple[subprocess.Popen[str], list[str], dict[str, str]]:
    """The script started with job 00003 blocking; returns once that job runs (the file it
    creates says so: no fixed sleep)."""
    script = tmp_path / "search.py"
    script.write_text(SCRIPT)
    started = tmp_path / "started"
    env = {**os.environ, "PYTHONPATH": str(Path(rung.__file__).parents[1]), "BLOCK": "1",
           **(extra_env or {})}
    args = [sys.executable, str(script), str(tmp_path), str(started), str(workers)]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)
    while not started.exists():
        assert proc.poll() is None, proc.communicate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.01)  # returns early if the script dies
    return proc, args, env


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_prints_one_line_exits_130_and_a_rerun_completes(
    tmp_path: Path, workers: int
) -> None:
    # Ctrl-C as at a terminal: a shell starts background jobs with SIGINT ignored, and a child
    # inherits that (the script would never see the signal when the suite runs under `cmd &`)
    proc, args, env = _start_blocked(tmp_path, workers, preexec_fn=_default_sigint)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("interrupted after ")
    assert lines[0].endswith("of 22 jobs; the project is saved: run the same script again to "
                             "resume")
    done = int(lines[0].split()[2])
    assert 3 - (workers - 1) <= done < 22  # jobs 00000..00002 ran (one may still run)

    env["BLOCK"] = "0"
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "searched 22" in rerun.stdout


def test_interruption_message_without_a_plan_and_outside_ipython() -> None:
    assert message(4, None).startswith("interrupted after 4 jobs;")
    assert not in_ipython()


def test_a_script_that_catches_keyboard_interrupt_goes_on(tmp_path: Path) -> None:
    """keras-tuner re-raises Ctrl-C as KeyboardInterrupt; a script that catches it around
    ``search`` (to print the best so far) keeps working: rung's ``SearchInterrupted`` is a
    ``KeyboardInterrupt`` too (and a ``SystemExit(130)`` for scripts that do not catch it)."""
    proc, _, _ = _start_blocked(tmp_path, 1, {"CATCH": "1"}, preexec_fn=_default_sigint)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, (out, err)
    assert "caught: interrupted after 3 of 22 jobs; the project is saved" in out
    assert "best so far ['x']" in out
    assert issubclass(rung.errors.SearchInterrupted, KeyboardInterrupt)
    assert rung.errors.SearchInterrupted("m").code == 130


@pytest.mark.parametrize(("workers", "group"), [(1, False), (2, False), (2, True)])
def test_sigterm_stops_the_search_as_ctrl_c_does_with_status_143(
        tmp_path: Path, workers: int, group: bool) -> None:
    """SIGTERM (``kill``; a batch system sends it to every process of the job, ``group``): one
    line, exit status 143, no failure recorded (the workers ignore it; the driver stops them),
    and the driver lock given back; a rerun completes the search. Before, the driver died at
    once without a word (status -15), leaving its lock to go stale."""
    proc, args, env = _start_blocked(tmp_path, workers, start_new_session=True)
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("terminated (SIGTERM) after "), err
    storage = rung.storage.SQLiteStorage(tmp_path / "p" / "rung.db")
    try:
        assert storage.failures() == []  # nothing was recorded as failed
        assert storage.driver_lock() is None  # given back: the next driver need not wait
    finally:
        storage.close()

    env["BLOCK"] = "0"
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "searched 22" in rerun.stdout


def test_a_sigterm_handler_of_the_programs_own_is_left_alone() -> None:
    def mine(signum: int, frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        with sigterm_interrupts():
            assert signal.getsignal(signal.SIGTERM) is mine
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with sigterm_interrupts():
            assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
