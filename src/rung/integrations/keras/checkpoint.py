"""Keras checkpoints of a trial: the last epoch's weights *and* optimizer state, for continuation.

Files in a trial's ``checkpoint_dir``:

* ``keras_state.npz`` — every model weight (trainable and not) and every optimizer variable
  (iteration count, learning rate, momenta, ...) at the end of the trial's last epoch. A promoted
  trial restores it and continues exactly where its parent stopped.
* ``keras_best.npz`` — the model weights at the best epoch of the objective, written only when
  that epoch is not the last (what ``get_best_models`` loads, so the model matches the score).
* ``keras_build.json`` — ``model.get_build_config()``, to create the weights of a model that
  ``build(hp)`` returns unbuilt (a ``Sequential`` without ``Input``).

Plain ``.npz`` arrays are used rather than a ``.keras`` archive: no custom objects to deserialize,
and saving or loading a small model takes about a millisecond. Files are replaced atomically.

Example::

    save_state(model, trial.checkpoint_dir)            # end of the parent's fit
    restore_state(model, trial.parent_checkpoint_dir)  # start of the promoted trial
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rung.checkpoints import write_atomically
from rung.errors import CheckpointMissingError

__all__ = [
    "BEST_FILE",
    "BUILD_FILE",
    "STATE_FILE",
    "CheckpointMismatchError",
    "load_inference_weights",
    "restore_state",
    "save_state",
]

STATE_FILE = "keras_state.npz"
BEST_FILE = "keras_best.npz"
BUILD_FILE = "keras_build.json"


class CheckpointMismatchError(ValueError):
    """A checkpoint does not fit the model built for the trial (another architecture)."""


def _atomic_savez(path: Path, arrays: dict[str, np.ndarray]) -> None:
    write_atomically(path, lambda fh: np.savez(fh, **arrays), ".npz")  # type: ignore[arg-type]


def save_state(model: Any, directory: Path, best_weights: Sequence[np.ndarray] | None = None,
               weights: Sequence[np.ndarray] | None = None) -> None:
    """Write the model's weights and optimizer variables (and the best-epoch weights if given).

    ``weights`` replaces the model's current weights (the last epoch's, when a callback changed
    them after it)."""
    directory.mkdir(parents=True, exist_ok=True)
    if weights is None:
        weights = model.get_weights()
    arrays = {f"w{i}": np.asarray(w) for i, w in enumerate(weights)}
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        store: dict[str, Any] = {}
        optimizer.save_own_variables(store)
        arrays.update({f"o{k}": np.asarray(v) for k, v in store.items()})
    _atomic_savez(directory / STATE_FILE, arrays)
    best = directory / BEST_FILE
    if best_weights is not None:
        _atomic_savez(best, {f"w{i}": w for i, w in enumerate(best_weights)})
    elif best.exists():  # a retried attempt must not leave an older best behind
        best.unlink()
    build = getattr(model, "get_build_config", lambda: None)()
    if build:
        (directory / BUILD_FILE).write_text(json.dumps(build, default=list))


def _ensure_built(model: Any, directory: Path) -> None:
    if getattr(model, "built", True) and model.weights:
        return
    path = directory / BUILD_FILE
    if not path.exists():
        raise CheckpointMismatchError(
            f"the model returned by build(hp) has no weights yet and {path} is missing; "
            "give the model an Input layer so its weights exist when it is built"
        )
    model.build_from_config(json.loads(path.read_text()))


def _weights(data: Any, kind: str) -> list[np.ndarray]:
    count = sum(1 for k in data.files if k.startswith(kind) and k[1:].isdigit())
    return [data[f"{kind}{i}"] for i in range(count)]


def _set_weights(model: Any, weights: list[np.ndarray], path: Path) -> None:
    current = model.weights
    shapes = [tuple(v.shape) for v in current]
    saved = [tuple(w.shape) for w in weights]
    if shapes != saved:
        raise CheckpointMismatchError(
            f"checkpoint {path} holds {len(saved)} weights of shapes {saved[:6]}..., but the model "
            f"built for this trial has {len(shapes)} of shapes {shapes[:6]}...: build(hp) must "
            "create the same architecture for the same hyperparameter values. If the code changed "
            "since the trial ran (a layer, or a hyperparameter it never had, now taking its "
            "default), its checkpoint no longer fits: restore that code, or start a new project"
        )
    model.set_weights(weights)


def restore_state(model: Any, directory: Path) -> None:
    """Load weights and optimizer variables written by ``save_state`` (the parent's last epoch)."""
    path = directory / STATE_FILE
    if not path.exists():
        raise FileNotFoundError(
            f"the parent's checkpoint {path} is missing; its trial directory was deleted or the "
            "parent did not finish (pass overwrite=True to start the search again)"
        )
    _ensure_built(model, directory)
    with np.load(path) as data:
        _set_weights(model, _weights(data, "w"), path)
        saved = _weights(data, "o")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not saved:
        return
    if not optimizer.built:
        optimizer.build(model.trainable_variables)
    if len(saved) != len(optimizer.variables):
        raise CheckpointMismatchError(
            f"checkpoint {path} holds {len(saved)} optimizer variables but the optimizer of the "
            f"model built for this trial ({type(optimizer).__name__}) has "
            f"{len(optimizer.variables)}: use the same optimizer for the same hyperparameters"
        )
    optimizer.load_own_variables({str(i): v for i, v in enumerate(saved)})


def load_inference_weights(model: Any, directory: Path) -> None:
    """Load the weights that gave the trial's score (best epoch, else the last)."""
    best = directory / BEST_FILE
    path = best if best.exists() else directory / STATE_FILE
    if not path.exists():
        raise CheckpointMissingError(
            f"no Keras checkpoint in {directory}: the trial did not finish, or it was not trained "
            "by rung's Keras integration"
        )
    _ensure_built(model, directory)
    with np.load(path) as data:
        _set_weights(model, _weights(data, "w"), path)
