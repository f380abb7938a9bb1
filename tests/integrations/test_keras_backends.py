"""What a Keras search needs on one backend only; each test runs where its backend is selected
(``make test`` runs this module with ``KERAS_BACKEND=tensorflow`` and ``jax`` too).

* tensorflow: with ``distribution_strategy``, the optimizer variables a promoted trial restores
  (and the weights of an unbuilt model ``get_best_models`` loads) are made in the strategy's
  scope; outside it TensorFlow refuses them, and every promoted trial failed.
* jax: JAX's compilation caches are cleared between trials (every ``JAX_CLEAR_EVERY``-th
  release), or they keep every trial's compiled steps (4-10 MB per trial on a small MLP).
"""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import rung  # noqa: E402
from rung.integrations.keras import session  # noqa: E402
from rung.oracles import SuccessiveHalvingOracle  # noqa: E402
from rung.trial import TrialStatus  # noqa: E402

BACKEND = keras.backend.backend()


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    x, y = load_digits(return_X_y=True)
    return (x[:200] / 16).astype("float32"), y[:200]


def build(hp: rung.HyperParameters) -> keras.Model:
    model = keras.Sequential([  # no Input: get_best_models builds it from its build config
        keras.layers.Dense(hp.Choice("units", [4, 8, 12]), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.distribute is TensorFlow's")
def test_promoted_trials_and_best_models_under_a_distribution_strategy(tmp_path, data) -> None:
    import tensorflow as tf

    x, y = data
    oracle = SuccessiveHalvingOracle(objective="accuracy", max_epochs=3, factor=3, bracket=1,
                                     seed=0)  # 3 configurations x 1 epoch, the best to 3
    tuner = rung.Tuner(oracle, hypermodel=build, distribution_strategy=tf.distribute.
                       MirroredStrategy(["/cpu:0"]), directory=tmp_path, project_name="p",
                       verbose=0)
    tuner.search(x, y, batch_size=50, verbose=0)

    trials = list(oracle.trials.values())
    assert [t.status for t in trials] == [TrialStatus.COMPLETED] * 4
    child = next(t for t in trials if t.parent_id is not None)
    model = tuner.load_model(child)
    assert model.optimizer.built is False  # loaded for inference: weights only
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy == pytest.approx(child.score, abs=0.05)  # its weights, not fresh ones


@pytest.mark.skipif(BACKEND != "jax", reason="JAX's compilation caches")
def test_jax_caches_are_cleared_between_trials(tmp_path, data, monkeypatch) -> None:
    import jax

    cleared: list[int] = []
    real = jax.clear_caches
    monkeypatch.setattr(jax, "clear_caches", lambda: (cleared.append(1), real())[1])
    monkeypatch.setattr(session, "JAX_CLEAR_EVERY", 2)
    monkeypatch.setattr(session, "_releases", 0)
    x, y = data
    tuner = rung.RandomSearch(build, objective="accuracy", max_trials=3, seed=0,
                              directory=tmp_path, verbose=0)
    tuner.search(x, y, epochs=1, batch_size=100, verbose=0)
    # one release after the dry builds, then two per trial (before the build, after the fit)
    assert session._releases == 7
    assert len(cleared) == 3
    assert len(tuner.oracle.get_best_trials(3)) == 3
    model = tuner.get_best_models(1)[0]  # still usable: it compiles its steps again
    assert np.isfinite(model.evaluate(x, y, verbose=0)[0])
