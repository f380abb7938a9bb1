"""A training function that returns None is scored by its reports; a curve that ends in NaN
(a diverged model) fails its job instead of being scored by an earlier, finite epoch."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import rung
from rung.executors.job import best_reported
from rung.objective import create_objective
from rung.trial_record import TrialStatus

NAN = math.nan


def _best(losses: list[float]) -> dict[str, float]:
    return best_reported([(e, {"loss": v}) for e, v in enumerate(losses, 1)],
                         create_objective("loss"))


def test_the_best_finite_epoch_scores_a_curve_that_ends_finite() -> None:
    assert _best([0.5, NAN, 0.7]) == {"loss": 0.5, "epoch": 1.0}
    assert _best([0.9, 0.2, 0.4]) == {"loss": 0.2, "epoch": 2.0}


def test_a_curve_that_ends_in_nan_or_inf_is_scored_by_its_last_epoch() -> None:
    ended = _best([1e-6, NAN, NAN])
    assert ended["epoch"] == 3.0 and math.isnan(ended["loss"])
    assert _best([0.3, math.inf]) == {"loss": math.inf, "epoch": 2.0}
    assert math.isnan(_best([NAN])["loss"])


def _train(trial: Any) -> None:
    lr = trial.hyperparameters.Float("lr", 0.0, 1.0)
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        if lr > 0.7:  # diverges: a superb first epoch, then NaN
            trial.report(epoch, loss=1e-6 if epoch == 1 else NAN)
        else:
            trial.report(epoch, loss=lr + 1.0 / epoch)
    return None


def test_a_diverged_configuration_is_never_promoted_nor_recommended(tmp_path: Path) -> None:
    tuner = rung.Hyperband(run_trial=_train, objective="loss", max_epochs=9, factor=3, seed=3,
                           directory=tmp_path, project_name="p", verbose=0,
                           max_consecutive_failed_trials=20)
    tuner.search()
    trials = tuner.storage.trials()
    diverged = {t.trial_id for t in trials if t.values["lr"] > 0.7 and t.epochs_reached > 1}
    assert diverged  # the seed draws some that train past epoch 1
    for t in trials:
        if t.trial_id in diverged:
            assert t.status is TrialStatus.FAILED, t
            assert "not a finite number" in (t.error or "")
        assert t.parent_id not in diverged  # never continued from a broken checkpoint
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.trial_id not in diverged and best.status == "COMPLETED"


def _lr_search(tmp_path: Path, divergent_from: float) -> Any:
    def train(trial: Any) -> None:
        lr = trial.hyperparameters.Float("lr", 1e-3, 1.0, sampling="log")
        for epoch in range(1, 4):
            trial.report(epoch, loss=0.5 if epoch == 1 or lr < divergent_from else NAN)

    return rung.RandomSearch(run_trial=train, objective="loss", max_trials=12, seed=0,
                             directory=tmp_path, project_name="lr", verbose=0)


def test_diverged_configurations_after_a_success_do_not_stop_the_search(tmp_path: Path) -> None:
    tuner = _lr_search(tmp_path, divergent_from=0.01)  # most of the log range diverges
    tuner.search()
    trials = tuner.storage.trials()
    assert len(trials) == 12
    assert sum(t.status is TrialStatus.FAILED for t in trials) >= 4
    assert tuner.get_best_hyperparameters(1)[0].values["lr"] < 0.01


def test_results_that_are_never_finite_still_stop_the_search(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(rung.errors.TooManyFailedTrialsError,
                       match="narrow the search space or raise max_consecutive_failed_trials"):
        _lr_search(tmp_path, divergent_from=0.0).search()  # every configuration: a bug
