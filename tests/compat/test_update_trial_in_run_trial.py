"""``self.oracle.update_trial(...)`` inside a Tuner subclass's ``run_trial`` (issue 10.1).

Deprecated in keras-tuner 1.4 (it warns) but still common in scripts: the metrics reach the
running trial, and a ``run_trial`` returning ``None`` is scored by the best reported step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import rung as kt


class StepTuner(kt.Tuner):
    """Reports three steps per trial through the oracle and returns nothing."""

    def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> None:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for step, loss in enumerate([0.9, 0.1 + x, 0.5 + x]):
            self.oracle.update_trial(trial.trial_id, {"loss": loss, "x_seen": x}, step=step)


def _tuner(tmp_path: Path, tuner_class: type = StepTuner, trials: int = 3) -> Any:
    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("loss", "min"),
                                           max_trials=trials, seed=3)
    return tuner_class(oracle=oracle, directory=tmp_path, project_name="p", verbose=0)


def test_update_trial_reaches_the_running_trial_with_a_deprecation_warning(
        tmp_path: Path) -> None:
    tuner = _tuner(tmp_path)
    with pytest.deprecated_call(match="Please remove the call"):
        tuner.search()
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 3
    for trial in trials:
        x = trial.hyperparameters["x"]
        assert trial.score == pytest.approx(0.1 + x)   # the best step, not the last one
        assert trial.best_step == 1
        assert trial.metrics.get_best_value("x_seen") == pytest.approx(x)


def test_a_number_given_to_update_trial_is_the_objective(tmp_path: Path) -> None:
    class NumberTuner(kt.Tuner):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> None:
            x = trial.hyperparameters.Float("x", 0.0, 1.0)
            self.oracle.update_trial(trial.trial_id, x * 2)

    tuner = _tuner(tmp_path, NumberTuner, trials=2)
    with pytest.deprecated_call():
        tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.score == pytest.approx(best.hyperparameters["x"] * 2)
    assert best.best_step == 0


def test_a_returned_value_still_wins_over_the_reports(tmp_path: Path) -> None:
    class BothTuner(StepTuner):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            super().run_trial(trial)
            return 7.0

    tuner = _tuner(tmp_path, BothTuner, trials=1)
    with pytest.deprecated_call():
        tuner.search()
    assert [t.score for t in tuner.oracle.trials.values()] == [7.0]
