"""``keras.callbacks.TensorBoard`` given to ``search``: one folder per trial and execution
(``<log_dir>/<trial_id>/execution<i>``, as keras-tuner), the trial's hyperparameters written for
TensorBoard's HParams dashboard, the user's callback left as it was.

Keras 3's ``TensorBoard`` writes through ``tf.summary`` on every backend, so these tests need
TensorFlow; the HParams summary needs the tensorboard package (installed in the dev environment,
where the tests assert it is written).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import rung  # noqa: E402
from rung.integrations.keras.tensorboard_logs import hparams_values  # noqa: E402

pytest.importorskip("tensorflow")  # Keras' TensorBoard callback writes with tf.summary

HPARAMS_API = "tensorboard.plugins.hparams.api"


def build(hp: rung.HyperParameters) -> keras.Model:
    """Module level: worker processes import it by name."""
    model = keras.Sequential([
        keras.layers.Input((4,)),
        keras.layers.Dense(hp.Int("units", 2, 8), activation="relu"),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(keras.optimizers.Adam(hp.Float("lr", 1e-3, 1e-2, sampling="log")),
                  "binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


def event_dirs(log_dir: Path) -> set[str]:
    """The folders (relative to ``log_dir``) that hold an event file."""
    return {os.path.relpath(root, log_dir) for root, _, files in os.walk(log_dir)
            if any(f.startswith("events.out.tfevents") for f in files)}


def events(folder: Path) -> list[Any]:
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

    return [event for path in sorted(folder.glob("events.out.tfevents*"))
            for event in EventFileLoader(str(path)).Load()]


def epoch_steps(folder: Path, tag: str = "epoch_loss") -> list[int]:
    return sorted(e.step for e in events(folder) for v in e.summary.value if v.tag == tag)


def session_start(folder: Path) -> tuple[str, dict[str, Any]]:
    """The HParams session written into ``folder``: its group name and hyperparameter values."""
    from tensorboard.plugins.hparams import metadata

    for event in events(folder):
        for value in event.summary.value:
            if value.tag == metadata.SESSION_START_INFO_TAG:
                info = metadata.parse_session_start_info_plugin_data(
                    value.metadata.plugin_data.content)
                values = {name: getattr(v, v.WhichOneof("kind")) for name, v in
                          info.hparams.items()}
                return info.group_name, values
    raise AssertionError(f"no HParams session start in {folder}")


def test_each_execution_of_each_trial_logs_into_its_own_folder_with_its_hparams(
        tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    pytest.importorskip(HPARAMS_API)
    board = keras.callbacks.TensorBoard(tmp_path / "tb")
    tuner = rung.RandomSearch(build, objective="val_accuracy", max_trials=2,
                              executions_per_trial=2, directory=tmp_path, project_name="p",
                              seed=1, verbose=0)
    tuner.search(*data, validation_split=0.25, epochs=2, verbose=0,
                 callbacks=[board, keras.callbacks.EarlyStopping("val_loss", patience=1)])

    trials = tuner.oracle.trials
    assert len(trials) == 2
    runs = {f"{t}/execution{i}" for t in trials for i in range(2)}
    assert event_dirs(tmp_path / "tb") == {
        *runs, *(f"{r}/train" for r in runs), *(f"{r}/validation" for r in runs)}
    assert board.log_dir == str(tmp_path / "tb")  # the user's object: copies were changed
    for trial_id, trial in trials.items():
        for run in (f"{trial_id}/execution0", f"{trial_id}/execution1"):
            group, values = session_start(tmp_path / "tb" / run)
            assert group == trial_id  # the executions of a trial are one group
            assert values == pytest.approx(trial.hyperparameters.values)
            assert isinstance(values["units"], float)  # protobuf numbers are floats
            assert epoch_steps(tmp_path / "tb" / run / "train") == [0, 1]


def test_without_tensorboard_the_logs_are_split_and_no_hparams_are_written(
        tmp_path: Path, data: tuple[np.ndarray, np.ndarray],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, HPARAMS_API, None)  # its import now raises ImportError
    tuner = rung.RandomSearch(build, objective="val_accuracy", max_trials=1, directory=tmp_path,
                              project_name="p", seed=1, verbose=0)
    tuner.search(*data, validation_split=0.25, epochs=1, verbose=0,
                 callbacks=[keras.callbacks.TensorBoard(str(tmp_path / "tb"))])
    assert event_dirs(tmp_path / "tb") == {"00000/execution0/train",
                                           "00000/execution0/validation"}


def test_promoted_trials_in_worker_processes_log_into_their_own_trial_folders(
        tmp_path: Path, data: tuple[np.ndarray, np.ndarray]) -> None:
    pytest.importorskip(HPARAMS_API)
    tuner = rung.Hyperband(build, objective="val_loss", max_epochs=3, factor=3, seed=0,
                           directory=tmp_path, project_name="p", verbose=0)
    tuner.search(*data, validation_split=0.25, verbose=0, workers=2,
                 callbacks=[keras.callbacks.TensorBoard(tmp_path / "tb")])

    trials = tuner.storage.trials()
    promoted = [t for t in trials if t.parent_id is not None]
    assert promoted and len(trials) == tuner.oracle.budget().jobs
    assert {p.split("/")[0] for p in event_dirs(tmp_path / "tb")} == {t.trial_id for t in trials}
    for trial in trials:
        run = tmp_path / "tb" / trial.trial_id / "execution0"
        # a continued trial's curve goes on from its parent's last epoch, in its own folder
        assert epoch_steps(run / "train") == list(range(trial.initial_epoch, trial.epochs))
        group, values = session_start(run)
        assert group == trial.trial_id
        assert values == pytest.approx(tuner.oracle.trials[trial.trial_id].hyperparameters.values)


def test_hparams_values_are_the_types_the_hparams_api_takes() -> None:
    converted = hparams_values({"a": np.int64(3), "b": np.float32(0.5), "c": np.bool_(True),
                                "d": True, "e": "relu", "f": None, "g": (1, 2), "h": 7})
    assert converted == {"a": 3, "b": 0.5, "c": True, "d": True, "e": "relu", "f": "None",
                         "g": "(1, 2)", "h": 7}
    assert [type(v) for v in converted.values()] == [int, float, bool, bool, str, str, str, int]
