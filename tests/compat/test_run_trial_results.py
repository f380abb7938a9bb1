"""Tuner subclasses with their own ``run_trial``, returning what keras-tuner accepts (issue 10.1).

Written as a keras-tuner user writes them: ``import rung as kt``, subclass ``kt.RandomSearch``
(or ``kt.Tuner``), override ``run_trial``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt
from rung.errors import FatalTypeError
from rung.metrics_tracking import MetricObservation


def _tuner(tmp_path: Path, run_trial: Any, objective: Any = "loss", trials: int = 3) -> Any:
    class MyTuner(kt.RandomSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
            return run_trial(trial)

    return MyTuner(objective=objective, max_trials=trials, seed=1, directory=tmp_path,
                   project_name="p", verbose=0)


def _history(values: list[float], first_epoch: int = 0) -> keras.callbacks.History:
    history = keras.callbacks.History()
    history.history = {"loss": values, "acc": [1.0 - v for v in values]}
    history.epoch = list(range(first_epoch, first_epoch + len(values)))
    return history


def _x(trial: Any) -> float:
    return trial.hyperparameters.Float("x", 0.0, 1.0)


@pytest.mark.parametrize("kind", [np.float32, np.float64, np.int64, float, int])
def test_a_number_numpy_scalars_included_is_the_objective(tmp_path: Path, kind: type) -> None:
    tuner = _tuner(tmp_path, lambda t: kind(_x(t) * 10))
    tuner.search()
    for trial in tuner.oracle.trials.values():
        assert trial.score == pytest.approx(float(kind(trial.hyperparameters["x"] * 10)))
        assert trial.best_step == 0  # keras-tuner: a number has no epochs


def test_a_history_scores_its_best_epoch(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, lambda t: _history([0.9, 0.2 + _x(t) / 10, 0.5]))
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.score == pytest.approx(0.2 + best.hyperparameters["x"] / 10)
    assert best.best_step == 1  # 0-based, as keras-tuner
    assert best.metrics.get_best_value("acc") == pytest.approx(1 - best.score)
    assert best.metrics.get_history("loss") == [MetricObservation(best.score, step=1)]


def test_a_list_is_one_result_per_execution_averaged(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, lambda t: [_x(t), _x(t) + 1.0, _x(t) + 2.0])
    tuner.search()
    for trial in tuner.oracle.trials.values():
        assert trial.score == pytest.approx(trial.hyperparameters["x"] + 1.0)

    histories = _tuner(tmp_path / "h", lambda t: [_history([0.5, 0.1, 0.3]),
                                                  _history([0.1, 0.6, 0.7, 0.8])])
    histories.search()
    trial = histories.oracle.get_best_trials(1)[0]
    assert trial.score == pytest.approx(0.1)
    assert trial.best_step == 0  # int(mean(1, 0)), keras-tuner's rule


def test_a_dict_of_metrics(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, lambda t: {"loss": _x(t), "other": np.float32(2.0)})
    tuner.search()
    trial = tuner.oracle.get_best_trials(1)[0]
    assert trial.metrics.get_last_value("other") == 2.0
    assert trial.score == min(t.score for t in tuner.oracle.trials.values())


def test_none_without_reported_metrics_is_fatal(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, lambda t: None)
    with pytest.raises(FatalTypeError, match="Did you forget to return the metrics"):
        tuner.search()
    assert len(tuner.storage.trials()) == 1  # the first trial stopped the search


def test_an_unsupported_type_is_fatal(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, lambda t: "0.5")
    with pytest.raises(TypeError, match=r"Tuner\.run_trial\(\) to be one of float, dict"):
        tuner.search()


@pytest.mark.parametrize("value", ["0.5", b"0.5"])
def test_a_number_written_as_text_in_a_dict_is_fatal(tmp_path: Path, value: object) -> None:
    # keras-tuner 1.4.8 parses it and completes the trial with score 0.5
    tuner = _tuner(tmp_path, lambda t: {"loss": value})
    with pytest.raises(FatalTypeError, match="value for 'loss' is not a number"):
        tuner.search()
    assert len(tuner.storage.trials()) == 1  # the first trial stopped the search


def test_without_an_objective_a_dict_needs_default_objective(tmp_path: Path) -> None:
    tuner = _tuner(tmp_path, lambda t: {"val_loss": _x(t)}, objective=None)
    with pytest.raises(FatalTypeError, match="to be a single float when `objective` is left"):
        tuner.search()
    fine = _tuner(tmp_path / "ok", lambda t: {"default_objective": _x(t)}, objective=None)
    fine.search()
    assert len(fine.oracle.trials) == 3


def _build(hp: Any) -> keras.Model:
    model = keras.Sequential([keras.layers.Input((4,)),
                              keras.layers.Dense(hp.Int("units", 2, 4), activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_super_run_trial_returns_a_history_per_execution(tmp_path: Path) -> None:
    seen: list[Any] = []

    class MyTuner(kt.RandomSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
            results = super().run_trial(trial, *args, **kwargs)
            seen.append(results)
            return results

    x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    tuner = MyTuner(_build, objective="loss", max_trials=1, executions_per_trial=2,
                    directory=tmp_path, verbose=0)
    tuner.search(x, y, epochs=2, verbose=0)
    [results] = seen
    assert len(results) == 2
    assert all(isinstance(r, keras.callbacks.History) and r.epoch == [0, 1] for r in results)
    trial = tuner.oracle.get_best_trials(1)[0]
    best = [min(r.history["loss"]) for r in results]
    assert trial.score == pytest.approx(sum(best) / 2, rel=1e-5)


def test_a_dict_with_the_metrics_of_a_list_objective_is_scored_by_their_sum(
        tmp_path: Path) -> None:
    # keras-tuner 1.4.8 fails every trial here: it looks for a key named "multi_objective"
    objective = ["val_loss", kt.Objective("val_accuracy", "max")]
    tuner = _tuner(tmp_path, lambda t: {"val_loss": _x(t), "val_accuracy": 1 - _x(t) ** 2},
                   objective=objective, trials=4)
    tuner.search()
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 4 and all(t.status == "COMPLETED" for t in trials)
    for trial in trials:
        x = trial.hyperparameters["x"]
        assert trial.score == pytest.approx(x - (1 - x * x))
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.score == min(t.score for t in trials)
