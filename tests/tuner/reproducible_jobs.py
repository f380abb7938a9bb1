"""The training function and executor of ``test_reproducible.py``, importable by workers.

``train`` is plain Python: the loss of ``(x, c)`` after ``epoch`` epochs, with a checkpoint so
that promoted jobs continue from their parent's state; every job appends its trial id to
``flags/ends.log`` when it ends. Files in ``flags`` steer a job's first run (``_first_run``: once
per name, whichever process asks), by FIFOs, never by sleeping:

* ``gate-<A>.fifo``: job A waits, before training, until the driver has received the result of
  job ``gates[A]`` (:class:`GatedExecutor` opens the FIFO for writing then), so results reach
  the driver in an order the test chooses; the executor records that order (``arrived``);
* ``fail-<A>``: job A raises at its end (a failed attempt; the retry runs normally);
* ``kill.fifo``: job ``KILL_AT`` writes its pid there at its end and then blocks on
  ``block.fifo`` (nobody writes it) until the test kills the driver.
"""

from __future__ import annotations

import os
from pathlib import Path

import rung
from rung.executors import JobResult, ProcessExecutor

__all__ = ["ALGORITHMS", "KILL_AT", "GatedExecutor", "loss_of", "make_tuner", "train"]

KILL_AT = "00005"
ALGORITHMS = ("asha-promotion", "asha-stopping", "bohb")


def loss_of(values: dict, epoch: int) -> float:
    return (values["x"] - 0.3) ** 2 + (0.05 if values["c"] == "b" else 0.0) + 1.0 / epoch


def _first_run(flags: Path, name: str) -> bool:
    try:
        fd = os.open(flags / f"ran-{name}", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def _log(flags: Path, trial_id: str) -> None:
    fd = os.open(flags / "ends.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{trial_id}\n".encode())
    finally:
        os.close(fd)


def train(trial: rung.Trial, flags: str) -> dict[str, float]:
    folder = Path(flags)
    hp = trial.hyperparameters
    hp.Float("x", 0.0, 1.0)
    hp.Choice("c", ["a", "b"])
    me = trial.trial_id
    gate = folder / f"gate-{me}.fifo"
    if gate.exists() and _first_run(folder, f"wait-{me}"):
        with open(gate) as fifo:  # until the driver has the result of the job it waits for
            fifo.read()
    state = trial.load_checkpoint() or {"epochs_done": 0}
    if state["epochs_done"] != trial.initial_epoch:
        raise rung.FatalError(f"{me}: checkpoint at epoch {state['epochs_done']}, expected "
                              f"{trial.initial_epoch}")
    try:
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=loss_of(hp.values, epoch))
            state["epochs_done"] = epoch
    except rung.TrialPruned:
        _ended(folder, me)
        raise
    if (folder / f"fail-{me}").exists() and _first_run(folder, f"fail-{me}"):
        raise RuntimeError(f"{me}: a failed first attempt")
    trial.save_checkpoint(state)
    _ended(folder, me)
    return {"loss": loss_of(hp.values, trial.epochs or 0)}


def _ended(folder: Path, me: str) -> None:
    _log(folder, me)
    if me == KILL_AT and (folder / "kill.fifo").exists() and _first_run(folder, "kill"):
        with open(folder / "kill.fifo", "w") as fifo:  # the test is reading
            fifo.write(str(os.getpid()))
        with open(folder / "block.fifo"):  # nobody writes: blocked until the kill
            pass


class GatedExecutor(ProcessExecutor):
    """Local worker processes; when the result of a job in ``gates.values()`` arrives, the job
    waiting for it (its key) may start training. ``arrived``: trial ids in the order their
    results reached the driver."""

    def __init__(self, workers: int, flags: str | Path, gates: dict[str, str]) -> None:
        super().__init__(workers)
        self.flags = Path(flags)
        self.gates = gates
        self.arrived: list[str] = []

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        results = super().wait(timeout)
        for result in results:
            self.arrived.append(result.trial_id)
            for waiter, awaited in self.gates.items():
                gate = self.flags / f"gate-{waiter}.fifo"
                if awaited == result.trial_id and _first_run(self.flags, f"open-{waiter}"):
                    _write_to_reader(gate, awaited)  # the waiter, running, opens it to read
        return results


GATE_TIMEOUT = 120.0  # seconds the driver waits for a gated job to open its FIFO


def _write_to_reader(fifo: Path, text: str) -> None:
    """Write ``text`` into ``fifo`` once its reader has opened it. A plain ``open(fifo, "w")``
    blocks until a reader comes: if the waiting job died (a broken worker), the test suite would
    hang for ever; this fails the test after ``GATE_TIMEOUT`` instead."""
    import errno
    import time

    deadline = time.monotonic() + GATE_TIMEOUT
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:  # ENXIO: no reader yet
            if exc.errno != errno.ENXIO:
                raise
        if time.monotonic() > deadline:
            raise TimeoutError(f"no job opened {fifo} to read within {GATE_TIMEOUT:.0f} s: the "
                               "job waiting on it did not start, or died")
        time.sleep(0.05)  # polling for the reader (a FIFO signals no reader's arrival), bounded
    try:
        os.set_blocking(fd, True)
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def make_tuner(algorithm: str, directory: str | Path, project: str,
               **kwargs: object) -> rung.tuner.BaseTuner:
    """The searches of the tests: small, with the space declared up front (4 workers start at
    once), the same seed."""
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Choice("c", ["a", "b"])
    common: dict = dict(run_trial=train, objective="loss", max_epochs=9, seed=5,
                        hyperparameters=hp, directory=directory, project_name=project,
                        verbose=0, **kwargs)
    if algorithm == "bohb":
        return rung.BOHB(factor=3, hyperband_iterations=1, min_points=3, **common)
    mode = {"asha-promotion": "promotion", "asha-stopping": "stopping"}[algorithm]
    return rung.ASHA(factor=3, max_trials=16, mode=mode, **common)


if __name__ == "__main__":  # the killed driver of test_reproducible.py
    import sys

    directory, algorithm, flags = sys.argv[1:4]
    gated = GatedExecutor(4, flags, {KILL_AT: "00006"})
    try:
        make_tuner(algorithm, directory, "p").search(flags, executor=gated, reproducible=True)
    finally:
        gated.shutdown()
