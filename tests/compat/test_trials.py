"""Trials as keras-tuner exposes them (issue 10.2): ``trial.metrics``, ``best_step``,
``summary()``, ``TrialStatus`` (NaN objective -> INVALID, never best) and ``Objective``'s methods."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

import rung as kt
from rung.engine import metrics_tracking
from rung.engine import trial as trial_module


def test_metrics_tracker_methods() -> None:
    tracker = metrics_tracking.MetricsTracker()
    tracker.register("val_acc", "max")
    assert tracker.exists("val_acc") and not tracker.exists("loss")
    with pytest.raises(ValueError, match="already exists"):
        tracker.register("val_acc")
    with pytest.raises(ValueError, match="`direction` should be one of"):
        tracker.register("x", direction="up")
    for step, value in enumerate([0.5, 0.75, 0.25]):
        tracker.update("val_acc", value, step=step)
    assert tracker.update("val_acc", 1.0, step=1)  # a second execution at step 1: best changed
    assert tracker.get_best_value("val_acc") == 0.875 and tracker.get_best_step("val_acc") == 1
    assert tracker.get_last_value("val_acc") == 0.25
    assert [o.value for o in tracker.get_history("val_acc")] == [[0.5], [0.75, 1.0], [0.25]]
    stats = tracker.get_statistics("val_acc")
    assert stats["min"] == 0.25 and stats["max"] == 0.875 and stats["median"] == 0.5
    tracker.update("loss", 3.0)  # registered on first use, direction inferred
    assert tracker.get_direction("loss") == "min"
    assert metrics_tracking.MetricsTracker.from_config(tracker.get_config()).get_config() == \
        tracker.get_config()
    with pytest.raises(ValueError, match="Unknown metric"):
        tracker.get_history("nope")


def test_nan_never_best() -> None:
    history = metrics_tracking.MetricHistory("min")
    history.update(math.nan, step=0)
    assert history.get_best_value() is None and history.get_statistics() == {}
    history.update(2.0, step=1)
    assert history.get_best_step() == 1


def _search(tmp_path: Path, result: Any, trials: int = 4) -> Any:
    def train(trial: kt.Trial) -> Any:
        return result(trial.hyperparameters.Float("x", 0.0, 1.0))

    tuner = kt.RandomSearch(run_trial=train, objective="val_loss", max_trials=trials, seed=0,
                            directory=tmp_path, verbose=0, max_consecutive_failed_trials=10)
    tuner.search()
    return tuner


def test_trials_have_a_metrics_tracker_and_a_0_based_best_step(tmp_path: Path) -> None:
    def curve(x: float) -> dict[str, float]:
        return {"val_loss": x, "loss": 2 * x, "epoch": 3.0}  # the 3rd epoch was the best

    tuner = _search(tmp_path, curve)
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.best_step == 2
    assert best.metrics.get_best_value("val_loss") == best.score
    assert best.metrics.get_best_step("loss") == 2
    assert best.metrics.get_direction("val_loss") == "min"
    assert set(best.metrics.metrics) == {"val_loss", "loss"}


def test_nan_objective_is_invalid_and_never_best(tmp_path: Path) -> None:
    tuner = _search(tmp_path, lambda x: {"val_loss": math.nan if x < 0.5 else x}, trials=6)
    statuses = {t.trial_id: t.status for t in tuner.oracle.trials.values()}
    assert kt.TrialStatus.INVALID in statuses.values()
    assert kt.TrialStatus.COMPLETED in statuses.values()
    assert all(s in (kt.TrialStatus.INVALID, kt.TrialStatus.COMPLETED) for s in statuses.values())
    best = tuner.oracle.get_best_trials(6)
    assert best and all(t.status == "COMPLETED" and t.score >= 0.5 for t in best)


def test_trial_status_members_compare_as_strings() -> None:
    names = {"RUNNING", "IDLE", "INVALID", "STOPPED", "COMPLETED", "FAILED"}
    assert names <= {s.value for s in trial_module.TrialStatus}
    assert all(getattr(kt.TrialStatus, n) == n for n in names)


def test_summary_prints_values_score_and_error(capsys: pytest.CaptureFixture[str]) -> None:
    hp = kt.HyperParameters()
    hp.Int("units", 1, 8, default=4)
    trial = trial_module.Trial(hp, trial_id="3", status=kt.TrialStatus.FAILED,
                               message="Traceback ...\nValueError: boom\n")
    assert trial.summary() is None
    out = capsys.readouterr().out
    assert "Trial 3 summary" in out and "units: 4" in out and "ValueError: boom" in out
    trial.score, trial.best_step = 0.25, 5
    trial.summary()
    assert "Score: 0.25" in capsys.readouterr().out
    assert trial.best_step == 5 and trial.status == "FAILED"
    keyword = trial_module.Trial(hyperparameters=hp, trial_id="4")
    assert keyword.status == kt.TrialStatus.RUNNING and keyword.score is None


def test_objective_methods() -> None:
    accuracy = kt.Objective("val_accuracy", "max")
    assert accuracy.better_than(0.9, 0.8) and not accuracy.better_than(0.8, 0.8)
    assert kt.Objective("loss", "min").better_than(0.1, 0.2)
    logs = {"val_accuracy": 0.75, "loss": 0.5}
    assert accuracy.has_value(logs) and not accuracy.has_value({"loss": 1.0})
    assert accuracy.get_value(logs) == 0.75
    both = kt.MultiObjective([accuracy, kt.Objective("loss", "min")])
    assert both.has_value(logs) and both.get_value(logs) == pytest.approx(-0.25)
    assert both.better_than(-0.3, -0.25)
    assert str(accuracy) == 'Objective(name="val_accuracy", direction="max")'


def test_get_state_is_keras_tuners_dict(tmp_path) -> None:
    import rung as kt

    def train(trial):
        return {"loss": trial.hyperparameters.Float("x", 0.0, 1.0)}

    tuner = kt.RandomSearch(run_trial=train, objective="loss", max_trials=2, seed=0,
                            directory=tmp_path, project_name="p", verbose=0)
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    state = best.get_state()
    assert set(state) == {"trial_id", "hyperparameters", "metrics", "score", "best_step",
                          "status", "message"}
    assert state["trial_id"] == best.trial_id and state["score"] == best.score
    assert kt.HyperParameters.from_config(state["hyperparameters"]).values == {
        "x": best.hyperparameters["x"]}
    assert state["status"] == "COMPLETED" and state["best_step"] == 0


def test_values_hold_every_hyperparameter_known_when_the_trial_was_proposed(tmp_path: Path) -> None:
    """As keras-tuner's: a trial's values cover the space known when it was proposed, also a
    name its own loop never reached (``u_2`` with ``n == 1``); no ``tuner/*`` entries."""

    def run_trial(trial: Any) -> float:
        hp = trial.hyperparameters
        return float(sum(hp.Int(f"u_{i}", 1, 5) for i in range(hp.Int("n", 1, 3))))

    tuner = kt.RandomSearch(run_trial=run_trial, objective="loss", max_trials=12, seed=0,
                            directory=tmp_path, project_name="values", verbose=0)
    tuner.search()
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.trial_id)
    first = next(i for i, t in enumerate(trials) if "u_2" in t.hyperparameters.values)
    later = trials[first + 1:]
    assert all("u_2" in t.hyperparameters.values for t in later)
    assert any(t.hyperparameters.values["n"] < 3 for t in later)  # u_2 unused, still recorded
    assert not any(k.startswith("tuner/") for t in trials for k in t.hyperparameters.values)
