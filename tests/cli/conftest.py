"""Real projects for the ``rung`` command's tests, each written by a small search."""

from __future__ import annotations

from pathlib import Path

import pytest

import rung

FAILING = "00003"


def train(trial: rung.Trial) -> dict[str, float]:
    """A learning curve that improves with epochs; trial 00003 fails without retries."""
    x = trial.hyperparameters.Float("x", 0.0, 1.0)
    trial.hyperparameters.Choice("kind", ["a", "b"])
    if trial.trial_id == FAILING:
        raise rung.FailedTrialError("boom: a configuration that cannot train")
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=(x - 0.3) ** 2 + 1 / epoch, accuracy=1 - x / epoch)
    return {"loss": (x - 0.3) ** 2 + 1 / trial.epochs, "accuracy": 1 - x / trial.epochs}


@pytest.fixture(scope="session")
def asha_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ASHA's stopping variant: completed, pruned and one failed job."""
    directory = tmp_path_factory.mktemp("cli")
    oracle = rung.oracles.ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=8,
                                     mode="stopping", seed=0)
    tuner = rung.Tuner(oracle, run_trial=train, directory=directory, project_name="asha",
                       verbose=0)
    tuner.search()
    statuses = {t.status for t in tuner.storage.trials()}
    assert statuses == {rung.TrialStatus.COMPLETED, rung.TrialStatus.PRUNED,
                        rung.TrialStatus.FAILED}, statuses  # what the tests rely on
    tuner.storage.close()
    return directory / "asha"


@pytest.fixture(scope="session")
def hyperband_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A finished Hyperband search (with its failed job) and the tuner's own best values."""
    directory = tmp_path_factory.mktemp("cli")
    tuner = rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=1,
                           directory=directory, project_name="hb", verbose=0,
                           max_consecutive_failed_trials=5)
    tuner.search()
    best = tuner.get_best_hyperparameters(1)[0].values
    tuner.storage.close()
    return directory / "hb", best
