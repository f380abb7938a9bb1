"""The demo's model (``examples/demo.py``) tunes on whichever Keras backend is selected
(``make test`` runs this on torch, tensorflow and jax), with a small Hyperband."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import keras
import numpy as np
from sklearn.datasets import load_digits

import rung as kt

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def demo_module():
    spec = importlib.util.spec_from_file_location("rung_demo", DEMO)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_model_tunes_on_this_backend(tmp_path: Path) -> None:
    x, y = load_digits(return_X_y=True)
    x = (x[:600] / 16.0).astype("float32")
    y = y[:600]
    tuner = kt.Hyperband(demo_module().build_model, objective="val_accuracy", max_epochs=3,
                         factor=3, seed=0, directory=tmp_path, project_name="demo", verbose=0)
    tuner.search(x, y, validation_split=0.25, batch_size=32, verbose=0)
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.score > 0.5, (keras.backend.backend(), best.score)
    model = tuner.get_best_models(1)[0]
    _, accuracy = model.evaluate(x[450:], y[450:], verbose=0)
    assert np.isclose(accuracy, best.score, atol=1e-6), (accuracy, best.score)
