"""Training functions for the executor fault tests, importable by worker processes (module level).

The jobs the executor kit runs (``train``, ``stopping``...) live in ``rung.testing._jobs``.

``conftest.py`` puts this directory on ``sys.path`` (and on ``PYTHONPATH`` for Ray workers), so
pickles refer to them as ``rung_test_jobs.<name>``.
"""

from __future__ import annotations

import os
from pathlib import Path

import rung
from rung.testing._jobs import curve, stopping, train

__all__ = ["SubclassTuner", "curve", "declares_y", "device_seen", "exits_once", "hands_pid_then_blocks", "hang_once", "killed_once",
           "stopping", "threads_seen", "train",
           "with_options"]


def with_options(trial: rung.Trial, *args: object, **options: object) -> dict[str, float]:
    """Takes any search arguments (their checks happen before a job) and reports one epoch."""
    return {"loss": trial.hyperparameters.Float("x", 0.0, 1.0)}


def _first_run(flags: str, name: str) -> bool:
    """True exactly once per ``name``, whichever process asks (an O_EXCL flag file)."""
    try:
        fd = os.open(Path(flags) / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def device_seen(trial: rung.Trial, out: str) -> dict[str, float]:
    """Writes the ``CUDA_VISIBLE_DEVICES`` this worker process sees to ``out/<trial_id>.json``."""
    import json

    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    seen = {"pid": os.getpid(), "devices": os.environ.get("CUDA_VISIBLE_DEVICES")}
    (Path(out) / f"{trial.trial_id}.json").write_text(json.dumps(seen))
    return {"loss": x}


def threads_seen(trial: rung.Trial, out: str) -> dict[str, float]:
    """Writes the thread settings this worker process started with to ``out/<trial_id>.json``."""
    import json

    import torch

    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    seen = {"pid": os.getpid(), "omp": os.environ.get("OMP_NUM_THREADS"),
            "openblas": os.environ.get("OPENBLAS_NUM_THREADS"), "torch": torch.get_num_threads()}
    (Path(out) / f"{trial.trial_id}.json").write_text(json.dumps(seen))
    return {"loss": x}


def killed_once(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Trial 00003's first run hands its pid to the test through the FIFO ``pid.fifo``, then
    blocks (opening ``block.fifo``, which nobody writes) until the test kills its process."""
    if trial.trial_id == "00003" and _first_run(flags, "started"):
        with open(Path(flags) / "pid.fifo", "w") as fifo:
            fifo.write(str(os.getpid()))
        with open(Path(flags) / "block.fifo"):
            pass
    return train(trial)


def hands_pid_then_blocks(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Writes its process id into the FIFO ``flags/pid.fifo``, then blocks for good (opening
    ``flags/block.fifo``, which nobody writes): a job in a long epoch, or hung."""
    with open(Path(flags) / "pid.fifo", "w") as fifo:
        fifo.write(str(os.getpid()))
    with open(Path(flags) / "block.fifo"):
        pass
    return train(trial)


def hang_once(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Trial 00001's first run never returns (blocked on a FIFO nobody writes)."""
    if trial.trial_id == "00001" and _first_run(flags, "hung"):
        with open(Path(flags) / "block.fifo"):
            pass
    return train(trial)


def exits_once(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Trial 00002's first run calls ``sys.exit(3)``, as a script's argument parsing would."""
    import sys

    if trial.trial_id == "00002" and _first_run(flags, "exited"):
        sys.exit(3)
    return train(trial)


def declares_y(trial: rung.Trial, flags: str) -> dict[str, float]:
    """Declares ``x`` and ``y``, then writes ``flags/trained-<trial_id>`` before it trains."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    y = trial.hyperparameters.Int("y", 1, 5)
    (Path(flags) / f"trained-{trial.trial_id}").touch()
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, val_loss=x + y / epoch)
    return {"val_loss": x + y / trial.epochs}


class SubclassTuner(rung.Tuner):
    """keras-tuner style: ``run_trial`` overridden in a subclass (sent to workers whole)."""

    def run_trial(self, trial: rung.Trial, *args: object, **kwargs: object) -> dict[str, float]:
        return train(trial)
