"""The peers of ``scale.py``: Optuna and keras-tuner running its no-op training at a size they
reach in reasonable time, through their public APIs.

* **Optuna**: ``RandomSampler`` and ``HyperbandPruner(min_resource=1, max_resource=27,
  reduction_factor=3)`` on SQLite storage (``sqlite:///.../optuna.db``, in the same directory as
  rung's project). A trial is one configuration: it reports ``val_loss`` at every epoch up to 27
  and stops when ``trial.should_prune()`` says so (``raise optuna.TrialPruned()``). Optuna has
  no checkpoints: its trials load and save none (rung's jobs do, and rung's sweep deletes them).
* **keras-tuner**: its ``HyperbandOracle(max_epochs=27, factor=3)`` with a ``keras_tuner.Tuner``
  subclass whose ``run_trial`` does rung's training: it loads its parent's checkpoint (the trial
  named by ``tuner/trial_id``), computes ``val_loss`` for epochs ``tuner/initial_epoch + 1`` to
  ``tuner/epochs`` and saves a small checkpoint in its trial directory. A trial is one job, as in
  rung. keras-tuner stores a project as JSON files (one per trial and the oracle's) and takes no
  per-epoch reports from a custom ``run_trial``; it deletes no checkpoints.

Each returns the raw stamps (wall and CPU time after each job), for ``scale.py`` to print by
decile as it does rung's, and a ``waits`` function timing what a user waits for on the stored
study: opening it, the best trial and the summary table.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_EPOCHS, FACTOR = 27, 3
INSTALL_HINT = "pip install optuna keras-tuner (or: .venv/bin/pip install -e '.[bench]')"
Raw = dict[str, Any]


def _loss(lr: float, epoch: int) -> float:
    return abs(lr - 0.003) + 1.0 / epoch  # rung's training function in scale.py


def _raw() -> Raw:
    return {"stamps": [], "cpu": [], "epochs": 0}


def _tick(raw: Raw) -> None:
    raw["stamps"].append(time.perf_counter())
    raw["cpu"].append(time.process_time())


def _quiet(fn: Callable[[], object]) -> object:
    with contextlib.redirect_stdout(io.StringIO()):
        return fn()


# --- Optuna ---------------------------------------------------------------------------------
def optuna_search(directory: Path, trials: int) -> Raw:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{directory / 'optuna.db'}"
    raw = _raw()
    raw["url"], raw["path"] = url, directory / "optuna.db"

    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        trial.suggest_int("units", 16, 512, step=16)
        trial.suggest_categorical("activation", ["relu", "tanh", "gelu"])
        loss = 1.0
        try:
            for epoch in range(1, MAX_EPOCHS + 1):
                loss = _loss(lr, epoch)
                trial.report(loss, epoch)
                raw["epochs"] += 1
                if trial.should_prune():
                    raise optuna.TrialPruned()
        finally:
            _tick(raw)
        return loss

    study = optuna.create_study(  # not timed, as rung's tuner is built before its clock starts
        study_name="scale", storage=url, sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=MAX_EPOCHS,
                                              reduction_factor=FACTOR))
    raw["start"], raw["cpu_start"] = time.perf_counter(), time.process_time()
    study.optimize(objective, n_trials=trials)
    raw["elapsed"] = time.perf_counter() - raw["start"]
    return raw


def optuna_waits(raw: Raw, timed: Callable[[Callable[[], object]], tuple[float, float]],
                 subprocess_timed: Callable[[list[str]], tuple[float, float]],
                 ) -> dict[str, tuple[float, float]]:
    import optuna

    holder: dict[str, Any] = {}
    out = {"optuna.load_study(...) (open the study)":
           timed(lambda: holder.setdefault("s", optuna.load_study(study_name="scale",
                                                                  storage=raw["url"])))}
    study = holder["s"]
    out["study.trials_dataframe()"] = timed(study.trials_dataframe)
    out["study.best_trial"] = timed(lambda: study.best_trial)
    cli = Path(sys.executable).parent / "optuna"
    if cli.exists():
        out["optuna best-trial (CLI, subprocess)"] = subprocess_timed(
            [str(cli), "best-trial", "--study-name", "scale", "--storage", raw["url"]])
    return out


# --- keras-tuner ------------------------------------------------------------------------------
def _keras_tuner(directory: Path, iterations: int, raw: Raw | None, overwrite: bool) -> Any:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras_tuner

    class NoOpTraining(keras_tuner.Tuner):
        def run_trial(self, trial, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
            if raw is None:
                raise AssertionError("opening a project trains nothing")
            values = trial.hyperparameters.values
            lr, parent = values["lr"], values.get("tuner/trial_id")
            if parent:  # the parent's checkpoint, as rung's trial.load_checkpoint()
                json.loads((Path(self.get_trial_dir(parent)) / "checkpoint.json").read_text())
            loss = 1.0
            for epoch in range(values["tuner/initial_epoch"] + 1, values["tuner/epochs"] + 1):
                loss = _loss(lr, epoch)
                raw["epochs"] += 1
            mine = Path(self.get_trial_dir(trial.trial_id))
            mine.mkdir(parents=True, exist_ok=True)
            (mine / "checkpoint.json").write_text(
                json.dumps({"epoch": values["tuner/epochs"], "loss": loss}))
            _tick(raw)
            return {"val_loss": loss}

    hp = keras_tuner.HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Int("units", 16, 512, step=16)
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    oracle = keras_tuner.oracles.HyperbandOracle(
        objective="val_loss", max_epochs=MAX_EPOCHS, factor=FACTOR,
        hyperband_iterations=iterations, seed=0, hyperparameters=hp)
    return NoOpTraining(oracle=oracle, directory=str(directory), project_name="kt",
                        overwrite=overwrite)


def keras_tuner_search(directory: Path, jobs: int) -> Raw:
    """Whole Hyperband iterations, at least ``jobs`` jobs (keras-tuner's brackets: about 70 jobs
    an iteration at max_epochs=27, factor=3)."""
    raw = _raw()
    raw["directory"], raw["iterations"] = directory, max(1, math.ceil(jobs / 70))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tuner = _keras_tuner(directory, raw["iterations"], raw, overwrite=True)  # not timed
        raw["start"], raw["cpu_start"] = time.perf_counter(), time.process_time()
        _quiet(lambda: tuner.search(verbose=0))
    raw["elapsed"] = time.perf_counter() - raw["start"]
    return raw


def keras_tuner_waits(raw: Raw, timed: Callable[[Callable[[], object]], tuple[float, float]],
                      ) -> dict[str, tuple[float, float]]:
    holder: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {"keras-tuner Tuner(...) on it (open the project)": timed(
            lambda: holder.setdefault("t", _keras_tuner(raw["directory"], raw["iterations"],
                                                        None, overwrite=False)))}
        tuner = holder["t"]
        out["tuner.results_summary()"] = timed(tuner.results_summary)
        out["tuner.get_best_hyperparameters(10)"] = timed(
            lambda: tuner.get_best_hyperparameters(10))
    return out


def subprocess_cpu(command: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of a command run to its end, its output discarded."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
