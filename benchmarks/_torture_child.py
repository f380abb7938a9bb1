"""The search that ``benchmarks/torture.py`` kills and resumes: one driver process.

Run as ``python _torture_child.py DIRECTORY ALGORITHM WORKERS LOG MAX_EPOCHS WORK MODE`` (MODE:
``reproducible`` for ``search(reproducible=True)``, else ``async``). The training function is plain Python (a loop of arithmetic per epoch), continues from its parent's
checkpoint, and appends its trial id to ``LOG`` when it ends (completed or stopped), so the
harness can count how often each job ran to its end.
"""

from __future__ import annotations

import os
import sys

import rung

SEED = 11
EPOCHS = 3  # of a trial of a single-fidelity search (random, bayesian), which sets no epochs


def loss_of(x: float, c: str, epoch: int) -> float:
    return (x - 0.3) ** 2 + (0.05 if c == "b" else 0.0) + 1.0 / epoch


def train(trial: rung.Trial, log: str, work: int) -> dict[str, float]:
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    c = trial.hyperparameters.Choice("c", ["a", "b"])
    state = trial.load_checkpoint() or {"epochs_done": 0}
    if state["epochs_done"] != trial.initial_epoch:  # a continuation lost its parent's state
        raise rung.FatalError(f"checkpoint at epoch {state['epochs_done']}, expected "
                              f"{trial.initial_epoch}")
    try:
        for epoch in range(trial.initial_epoch + 1, (trial.epochs or EPOCHS) + 1):
            sum(i * i for i in range(work))  # the epoch's "training"
            trial.report(epoch, loss=loss_of(x, c, epoch))
            state["epochs_done"] = epoch
    except rung.TrialPruned:
        _log(log, trial.trial_id)
        raise
    trial.save_checkpoint(state)
    _log(log, trial.trial_id)
    return {"loss": loss_of(x, c, trial.epochs or EPOCHS)}


def _log(path: str, trial_id: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{trial_id}\n".encode())
    finally:
        os.close(fd)


def tuner(directory: str, algorithm: str, max_epochs: int) -> rung.tuner.base.BaseTuner:
    hp = rung.HyperParameters()  # declared up front: 4 workers start at once
    hp.Float("x", 0.0, 1.0)
    hp.Choice("c", ["a", "b"])
    common = dict(run_trial=train, objective="loss", max_epochs=max_epochs, seed=SEED,
                  hyperparameters=hp, directory=directory, project_name="p", verbose=1)
    if algorithm in ("random", "bayesian"):  # single fidelity: no max_epochs
        del common["max_epochs"]
        if algorithm == "random":
            return rung.RandomSearch(max_trials=2 * max_epochs, **common)
        return rung.BayesianOptimization(max_trials=2 * max_epochs, num_initial_points=4,
                                         **common)
    if algorithm == "sh":
        from rung.oracles import SuccessiveHalvingOracle
        from rung.tuner.base import BaseTuner

        oracle = SuccessiveHalvingOracle(objective="loss", max_epochs=max_epochs, factor=3,
                                         hyperband_iterations=2, seed=SEED, hyperparameters=hp)
        common = {k: v for k, v in common.items()
                  if k not in ("objective", "max_epochs", "seed", "hyperparameters")}
        return BaseTuner(oracle=oracle, **common)
    if algorithm == "hyperband":
        return rung.Hyperband(factor=3, hyperband_iterations=2, **common)
    if algorithm == "bohb":
        return rung.BOHB(factor=3, hyperband_iterations=2, min_points=4, **common)
    mode = {"asha-promotion": "promotion", "asha-stopping": "stopping"}[algorithm]
    return rung.ASHA(factor=3, max_trials=4 * max_epochs, mode=mode, **common)


if __name__ == "__main__":
    directory, algorithm, workers, log, max_epochs, work, mode = sys.argv[1:8]
    tuner(directory, algorithm, int(max_epochs)).search(
        log, int(work), workers=int(workers), reproducible=mode == "reproducible")
