"""keras-tuner's "Getting started" guide, written as a user would with ``import rung as kt``."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rung as kt  # noqa: E402


def build_model(hp: kt.HyperParameters) -> keras.Model:
    model = keras.Sequential()
    model.add(keras.layers.Input((64,)))
    model.add(keras.layers.Dense(units=hp.Int("units", min_value=32, max_value=128, step=32),
                                 activation=hp.Choice("activation", ["relu", "tanh"])))
    if hp.Boolean("dropout"):
        model.add(keras.layers.Dropout(rate=0.25))
    model.add(keras.layers.Dense(10, activation="softmax"))
    learning_rate = hp.Float("lr", min_value=1e-3, max_value=1e-2, sampling="log")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_search_space_is_known_before_search(tmp_path, capsys) -> None:
    tuner = kt.RandomSearch(hypermodel=build_model, objective="val_accuracy", max_trials=3,
                            overwrite=True, directory=tmp_path, project_name="helloworld")
    tuner.search_space_summary()
    out = capsys.readouterr().out
    assert "Default search space size: 4" in out
    for name in ("units (Int)", "activation (Choice)", "dropout (Boolean)", "lr (Float)"):
        assert name in out


def test_random_search_then_best_models(tmp_path, digits, capsys) -> None:
    tuner = kt.RandomSearch(hypermodel=build_model, objective="val_accuracy", max_trials=3,
                            seed=1, overwrite=True, directory=tmp_path, project_name="hw")
    tuner.search(digits["x_train"], digits["y_train"], epochs=3,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)

    trials = tuner.oracle.trials
    assert len(trials) == 3 and tuner.remaining_trials == 0
    # three distinct configurations were tried, not three times the defaults
    assert len({tuple(sorted(t.hyperparameters.values.items())) for t in trials.values()}) == 3

    best_trial = tuner.oracle.get_best_trials(1)[0]
    assert best_trial.score == max(t.score for t in trials.values())
    assert best_trial.status == kt.TrialStatus.COMPLETED
    # the score is the best epoch's val_accuracy (keras-tuner's rule) and says which epoch
    curve = [m["val_accuracy"] for _, m in tuner.storage.epoch_metrics(best_trial.trial_id)]
    assert best_trial.score == pytest.approx(max(curve))
    assert best_trial.best_step == curve.index(max(curve))  # keras-tuner: 0-based

    models = tuner.get_best_models(num_models=2)
    assert len(models) == 2
    best_model = models[0]
    assert best_model.predict(digits["x_test"][:5], verbose=0).shape == (5, 10)
    # the loaded weights are those of the best epoch: evaluating reproduces the score
    _, val_acc = best_model.evaluate(digits["x_val"], digits["y_val"], verbose=0)
    assert val_acc == pytest.approx(best_trial.score, abs=1e-6)
    assert tuner.load_model(best_trial).count_params() == best_model.count_params()

    tuner.results_summary()
    out = capsys.readouterr().out
    assert "Results summary" in out and f"Trial {best_trial.trial_id} summary" in out
    assert str(tmp_path / "hw") in out
    # keras-tuner's lines: the objective alone on its line, the score in full
    assert '\nObjective(name="val_accuracy", direction="max")\n' in out
    assert f"\nScore: {best_trial.score}\n" in out

    # retrain with the best hyperparameters, as the guide does
    best_hps = tuner.get_best_hyperparameters(5)
    assert len(best_hps) == 3
    assert best_hps[0].values == best_trial.hyperparameters.values
    model = build_model(best_hps[0])
    model.fit(np.concatenate([digits["x_train"], digits["x_val"]]),
              np.concatenate([digits["y_train"], digits["y_val"]]), epochs=3, verbose=0)
    assert model.evaluate(digits["x_test"], digits["y_test"], verbose=0)[1] > 0.85


def test_executions_per_trial_average(tmp_path, digits) -> None:
    tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=1, seed=3,
                            executions_per_trial=2, directory=tmp_path, project_name="ex",
                            verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=2,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    trial = tuner.oracle.get_best_trials(1)[0]
    curves = [m["val_accuracy"] for _, m in tuner.storage.epoch_metrics(trial.trial_id)]
    assert len(curves) == 4  # two executions of two epochs, every epoch reported
    assert trial.score == pytest.approx((max(curves[:2]) + max(curves[2:])) / 2)


def test_custom_objective_and_hooks(tmp_path, digits) -> None:
    seen: list[tuple[str, int]] = []

    class Hooked(kt.RandomSearch):
        def on_epoch_begin(self, trial, model, epoch, logs=None):
            seen.append(("begin", epoch))

        def on_epoch_end(self, trial, model, epoch, logs=None):
            assert "val_loss" in logs
            seen.append(("end", epoch))

    tuner = Hooked(build_model, objective=kt.Objective("val_loss", direction="min"),
                   max_trials=2, directory=tmp_path, project_name="obj", verbose=0)
    tuner.search(digits["x_train"], digits["y_train"], epochs=2,
                 validation_data=(digits["x_val"], digits["y_val"]), verbose=0)
    assert seen == [("begin", 0), ("end", 0), ("begin", 1), ("end", 1)] * 2
    best = tuner.oracle.get_best_trials(2)
    assert best[0].score <= best[1].score  # minimised
