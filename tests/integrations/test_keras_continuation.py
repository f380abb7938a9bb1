"""A promoted Keras trial continues exactly: 3 epochs + promotion to 9 == 9 epochs in one go.

keras-tuner reloads the parent's best-epoch weights and a fresh optimizer; rung restores the
parent's last epoch with the optimizer state (Adam's moments and iteration count), so the
promoted model ends with the same weights as an uninterrupted run (deterministic CPU run,
``shuffle=False``, the same seeded initial weights).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import rung  # noqa: E402
from rung.integrations.keras import restore_state  # noqa: E402
from rung.oracles import SuccessiveHalvingOracle  # noqa: E402

BATCH = 32


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return (x[:320] / 16).astype("float32"), y[:320]


def build(hp: rung.HyperParameters) -> keras.Model:
    keras.utils.set_random_seed(7)  # the same initial weights for the same configuration
    model = keras.Sequential([
        keras.layers.Input((64,)),
        keras.layers.Dense(hp.Choice("units", [8, 12, 16, 20, 24]), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _trained(hp: rung.HyperParameters, x: np.ndarray, y: np.ndarray, epochs: int) -> keras.Model:
    model = build(hp)
    model.fit(x, y, epochs=epochs, batch_size=BATCH, shuffle=False, verbose=0)
    return model


def test_promoted_trial_matches_uninterrupted_training(tmp_path, data) -> None:
    x, y = data
    oracle = SuccessiveHalvingOracle(objective="accuracy", max_epochs=9, factor=3, bracket=1,
                                     seed=0)  # rungs: 5 configurations x 3 epochs, best to 9
    tuner = rung.Tuner(oracle, hypermodel=build, directory=tmp_path, project_name="p", verbose=0)
    tuner.search(x, y, batch_size=BATCH, shuffle=False, verbose=0)

    promoted = [t for t in oracle.trials.values() if t.parent_id is not None]
    assert len(promoted) == 1
    child = promoted[0]
    assert (child.initial_epoch, child.epochs) == (3, 9)
    parent = oracle.trials[child.parent_id]
    assert parent.epochs == 3 and parent.hyperparameters.values == child.hyperparameters.values

    reference = _trained(child.hyperparameters, x, y, epochs=9)
    continued = build(child.hyperparameters)
    restore_state(continued, tuner.get_trial_dir(child.trial_id))
    for got, want in zip(continued.get_weights(), reference.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # the optimizer continued too: 9 epochs of steps, and the same Adam moments
    steps = 9 * int(np.ceil(len(x) / BATCH))
    assert int(continued.optimizer.iterations.numpy()) == steps
    for got, want in zip(continued.optimizer.variables, reference.optimizer.variables, strict=True):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)

    # control: the parent's weights with a fresh optimizer (keras-tuner's way) end elsewhere
    fresh = build(child.hyperparameters)
    fresh.set_weights(_trained(child.hyperparameters, x, y, epochs=3).get_weights())
    fresh.fit(x, y, epochs=9, initial_epoch=3, batch_size=BATCH, shuffle=False, verbose=0)
    gap = max(float(np.max(np.abs(a - b)))
              for a, b in zip(fresh.get_weights(), reference.get_weights(), strict=True))
    assert gap > 1e-3


def test_checkpoint_of_another_architecture_is_refused(tmp_path, data) -> None:
    x, y = data
    hp = rung.HyperParameters()
    hp.Choice("units", [8, 12, 16, 20, 24])
    model = _trained(hp, x, y, epochs=1)
    from rung.integrations.keras import save_state

    save_state(model, tmp_path)
    other = build(hp.clone_with_values({"units": 16}))
    with pytest.raises(ValueError, match="same architecture"):
        restore_state(other, tmp_path)


def test_search_verbose_goes_on_to_the_hypermodels_fit(tmp_path) -> None:
    seen: list[object] = []

    class Recording(rung.HyperModel):
        def build(self, hp: rung.HyperParameters) -> keras.Model:
            return build(hp)

        def fit(self, hp: rung.HyperParameters, model: keras.Model, *args, **kwargs) -> float:
            seen.append(kwargs.get("verbose", "missing"))
            return 0.5

    tuner = rung.RandomSearch(Recording(), objective="loss", max_trials=1, directory=tmp_path,
                              verbose=0)
    tuner.search(verbose=0)
    assert seen == [0]  # keras-tuner semantics: search(verbose=...) is also fit's verbose
