"""``search(epochs=...)`` under Hyperband is explained once (``EpochsNotice``), in the script's
process, pointing at the ``search`` call, also when jobs run in worker processes: there the
notice used to be raised by each worker (on its own stderr, out of reach of ``pytest.warns`` and of
the script's warning filters) and never in the driver."""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rung  # noqa: E402
from rung.integrations.keras import EpochsNotice  # noqa: E402


def build(hp: rung.HyperParameters) -> keras.Model:
    """Module level: worker processes import it by name."""
    model = keras.Sequential([
        keras.layers.Input((4,)),
        keras.layers.Dense(hp.Int("units", 2, 8), activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


@pytest.mark.parametrize("workers", [1, 2])
def test_the_notice_is_raised_once_in_the_driver(tmp_path, data, capfd, workers: int) -> None:
    tuner = rung.Hyperband(build, objective="val_loss", max_epochs=3, factor=3, seed=0,
                           directory=tmp_path, project_name="p", verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.search(*data, epochs=50, validation_split=0.25, verbose=0, workers=workers)
    notices = [w for w in caught if issubclass(w.category, EpochsNotice)]
    assert len(notices) == 1
    assert "max_epochs=3" in str(notices[0].message)
    assert notices[0].filename == __file__  # the user's search(...) line
    assert "EpochsNotice" not in capfd.readouterr().err  # no worker printed one
    assert len(tuner.oracle.trials) == tuner.oracle.budget().jobs


def test_without_epochs_there_is_no_notice(tmp_path, data) -> None:
    tuner = rung.Hyperband(build, objective="val_loss", max_epochs=3, factor=3, seed=0,
                           directory=tmp_path, project_name="p", verbose=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tuner.search(*data, validation_split=0.25, verbose=0)
    assert not [w for w in caught if issubclass(w.category, EpochsNotice)]
