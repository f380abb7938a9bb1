"""The errors keras-tuner scripts match on, and hand-made results, as keras-tuner raises/reads them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import rung as kt


def build_model(hp: Any) -> keras.Model:
    model = keras.Sequential([keras.layers.Input((4,)),
                              keras.layers.Dense(hp.Int("units", 8, 16, step=8)),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _oracle() -> Any:
    return kt.oracles.RandomSearchOracle(objective="loss", max_trials=2, seed=0)


def test_argument_errors_carry_keras_tuners_wording(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Expected `oracle` argument to be an instance of `Oracle`"):
        kt.Tuner(oracle="invalid", hypermodel=build_model, directory=tmp_path)
    with pytest.raises(ValueError, match="`hypermodel` argument should be either"):
        kt.Tuner(oracle=_oracle(), hypermodel="build_model", directory=tmp_path)
    with pytest.raises(ValueError, match="Could not infer optimization direction"):
        kt.RandomSearch(build_model, objective="custom_metric", max_trials=2,
                        directory=tmp_path)


def test_an_oversized_model_ends_the_search_with_keras_tuners_words(tmp_path: Path) -> None:
    tuner = kt.Tuner(oracle=_oracle(), hypermodel=build_model, max_model_size=4,
                     directory=tmp_path, verbose=0)
    x, y = np.ones((8, 4)), np.ones((8, 1))
    with pytest.raises(RuntimeError, match="Oversized model"):
        tuner.search(x, y, epochs=1, verbose=0)


def test_a_build_function_returning_none_is_fatal(tmp_path: Path) -> None:
    tuner = kt.RandomSearch(hypermodel=lambda hp: None, objective="val_loss",
                            directory=tmp_path, verbose=0)
    with pytest.raises(kt.errors.FatalTypeError, match="Expected the model-building function"):
        tuner.search()


class HandMadeHistory(kt.HyperModel):
    """``fit`` returns a History made by hand, without ``epoch`` (keras-tuner's test models)."""

    def build(self, hp: Any) -> keras.Model:
        hp.Choice("mode", [0, 1])
        return build_model(hp)

    def fit(self, hp: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        history = keras.callbacks.History()
        history.history = {"loss": [5.0 + hp["mode"], 2.0 + hp["mode"], 4.0]}
        return history


def test_a_history_without_epochs_is_scored_by_its_best_value(tmp_path: Path) -> None:
    tuner = kt.Tuner(oracle=_oracle(), hypermodel=HandMadeHistory(), directory=tmp_path,
                     verbose=0)
    tuner.search()
    trials = list(tuner.oracle.trials.values())
    assert len(trials) == 2
    for trial in trials:
        assert trial.score == 2.0 + trial.hyperparameters["mode"]
        assert trial.best_step == 1


def test_a_tuner_with_nothing_to_train_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Received `hypermodel=None`"):
        kt.RandomSearch(max_trials=2, directory=tmp_path)

    class OwnTrial(kt.RandomSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            return trial.hyperparameters.Float("x", 0, 1)

    tuner = OwnTrial(objective="loss", max_trials=2, directory=tmp_path, verbose=0)
    tuner.search()
    assert len(tuner.oracle.trials) == 2


def test_a_build_function_is_wrapped_in_a_default_hypermodel(tmp_path: Path) -> None:
    tuner = kt.RandomSearch(build_model, objective="loss", max_trials=1, directory=tmp_path)
    assert type(tuner.hypermodel).__name__ == "DefaultHyperModel"


def test_unknown_arguments_and_the_deprecated_logger(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Unrecognized arguments"):
        kt.GridSearch(build_model, objective="loss", directory=tmp_path, unrecognized=3)
    with pytest.deprecated_call(match="logger"):
        kt.GridSearch(build_model, objective="loss", directory=tmp_path, logger=1)


def test_a_base_tuner_subclass_gets_its_build_function_as_a_hypermodel(tmp_path: Path) -> None:
    class MyTuner(kt.engine.base_tuner.BaseTuner):
        def run_trial(self, trial: Any, x: float) -> dict[str, float]:
            factor = self.hypermodel.build(trial.hyperparameters)
            return {"score": factor * x}

    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("score", "max"), max_trials=3)
    tuner = MyTuner(oracle=oracle, hypermodel=lambda hp: hp.Float("a", 0, 10),
                    directory=tmp_path, verbose=0)
    tuner.search(2.0)
    for trial in tuner.oracle.trials.values():
        assert trial.score == pytest.approx(2.0 * trial.hyperparameters["a"])


def test_run_trial_writes_its_own_files_in_get_trial_dir(tmp_path: Path) -> None:
    import pickle

    class FileTuner(kt.engine.base_tuner.BaseTuner):
        def run_trial(self, trial: Any) -> dict[str, float]:
            a = trial.hyperparameters.Float("a", 0, 10)
            with open(Path(self.get_trial_dir(trial.trial_id)) / "model.pickle", "wb") as f:
                pickle.dump({"a": a}, f)
            return {"score": a}

        def load_model(self, trial: Any) -> Any:
            with open(Path(self.get_trial_dir(trial.trial_id)) / "model.pickle", "rb") as f:
                return pickle.load(f)

    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("score", "max"), max_trials=2)
    tuner = FileTuner(oracle=oracle, directory=tmp_path, verbose=0)
    tuner.search()
    best = tuner.get_best_models(2)
    assert best[0]["a"] >= best[1]["a"]


def test_remaining_trials_of_a_grid_not_declared_yet_is_max_trials(tmp_path: Path) -> None:
    class MyTuner(kt.GridSearch):
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> float:
            return float(trial.hyperparameters.Int("n", 1, 3))

    tuner = MyTuner(objective="loss", directory=tmp_path, max_trials=200, verbose=0)
    assert tuner.remaining_trials == 200
    tuner.search()
    assert sorted(t.score for t in tuner.oracle.trials.values()) == [1.0, 2.0, 3.0]
