"""Ctrl-C reaches every process of the terminal's process group, workers still starting too.

The driver coordinates the shutdown (``rung.tuner.interrupt``); a worker must never act on the
terminal's SIGINT, not even while it imports the script, before its first line of
``worker_main`` runs. It used to die there with a ``KeyboardInterrupt`` traceback (or silently,
by SIGINT's default action, before Python's handler was installed), which failed its job.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import rung_test_jobs as jobs

import rung
from rung.executors import ProcessExecutor, _signals
from rung.executors.processes import _Worker
from rung.trial_record import TrialStatus


class _InterruptedAtStart(ProcessExecutor):
    """Sends SIGINT to each worker as soon as its process exists: during its interpreter's
    start-up and its imports, the moment a Ctrl-C pressed while a search starts reaches it."""

    def _spawn(self, slot: int) -> _Worker:
        worker = super()._spawn(slot)
        assert worker.process.pid is not None
        os.kill(worker.process.pid, signal.SIGINT)
        return worker


def test_a_worker_interrupted_while_it_starts_runs_its_jobs(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    tuner = rung.RandomSearch(run_trial=jobs.train, objective="val_loss", max_trials=3, seed=0,
                              directory=tmp_path, project_name="p", verbose=0,
                              max_retries_per_trial=0)
    executor = _InterruptedAtStart(2)
    try:
        tuner.search(executor=executor)
    finally:
        executor.shutdown()
    assert tuner.storage.failures() == []
    assert [t.status for t in tuner.storage.trials()] == [TrialStatus.COMPLETED] * 3
    assert "KeyboardInterrupt" not in capfd.readouterr().err


def test_a_started_worker_ignores_sigint_from_the_first_instruction() -> None:
    """The worker inherits SIGINT ignored (an ignored signal stays so across exec)."""
    executor = ProcessExecutor(1)
    try:
        worker = executor._spawn(0)
        status = Path(f"/proc/{worker.process.pid}/status")
        if not status.exists():
            pytest.skip("needs /proc to read the signal mask of a process")
        fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines()
                      if ":\t" in line)
        sigint = 1 << (signal.SIGINT - 1)
        assert (int(fields["SigBlk"], 16) | int(fields["SigIgn"], 16)) & sigint
    finally:
        executor.shutdown()


@pytest.fixture
def interactive_sigint() -> Iterator[None]:
    """SIGINT as Python sets it up in a terminal. A run started in the background (``nohup``,
    ``&`` in a script) inherits SIGINT ignored, and Python then leaves it so: the driver's
    Ctrl-C handling is what is under test, so it gets the terminal's handler whatever the
    test process started with."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("interactive_sigint")
def test_a_ctrl_c_pressed_while_a_worker_starts_still_reaches_the_driver() -> None:
    """Sent to the main thread, which blocks it meanwhile. (A Ctrl-C the kernel hands to
    another thread of the driver in those milliseconds is lost, as the docstring says: this
    test process has such threads, so a process-wide os.kill may not come back.)"""
    with pytest.raises(KeyboardInterrupt), _signals.children_ignore_stop_signals():
        # waits, blocked, while SIGINT is ignored
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
