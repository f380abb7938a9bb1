"""TensorBoard logs per trial and execution, with the trial's hyperparameters for HParams.

A ``keras.callbacks.TensorBoard(log_dir)`` passed to ``search`` would otherwise make every trial
and execution write into the same ``log_dir/train`` and ``log_dir/validation``, where TensorBoard
shows one run with overlapping curves. ``tensorboard_callbacks`` is given the callbacks of one
execution (copies already: ``runner.copy_callbacks``) and

1. points each ``TensorBoard`` among them at ``<log_dir>/<trial_id>/execution<i>`` (the layout
   keras-tuner uses; a promoted trial writes into its own trial id's folder);
2. when ``tensorboard.plugins.hparams`` can be imported, adds a callback that writes the trial's
   hyperparameter values into that folder for TensorBoard's HParams dashboard, grouped by trial
   id (the executions of a trial are one group). Without it, the logs are still split.

keras-tuner does both on the TensorFlow backend only; Keras 3's ``TensorBoard`` writes through
``tf.summary`` on every backend, so rung does it on every backend.

Example::

    callbacks = tensorboard_callbacks(copy_callbacks(user_callbacks), trial, execution=0)
    model.fit(x, y, callbacks=[*callbacks, trial_callback])
"""

from __future__ import annotations

import importlib
import numbers
import os
from typing import Any

from rung.integrations.keras._imports import import_keras

__all__ = ["hparams_values", "tensorboard_callbacks", "trial_log_dir"]

keras = import_keras()

HParamValue = bool | int | float | str


def trial_log_dir(log_dir: Any, trial_id: str, execution: int) -> str:
    """``<log_dir>/<trial_id>/execution<execution>``."""
    return os.path.join(str(log_dir), str(trial_id), f"execution{execution}")


def hparams_values(values: dict[str, Any]) -> dict[str, HParamValue]:
    """The values as the HParams API takes them: ``bool``, ``int``, ``float`` or ``str``.

    NumPy scalars become Python numbers; anything else (``None``, a tuple given to ``Fixed``)
    becomes its ``str``, which the dashboard shows as a categorical value.
    """
    converted: dict[str, HParamValue] = {}
    for name, value in values.items():
        if isinstance(value, (bool, str)):
            converted[name] = value
        elif hasattr(value, "dtype") and getattr(value, "shape", None) == ():
            converted[name] = value.item()  # a NumPy scalar: bool_, int64, float32, str_
        elif isinstance(value, numbers.Integral):
            converted[name] = int(value)
        elif isinstance(value, numbers.Real):
            converted[name] = float(value)
        else:
            converted[name] = str(value)
    return converted


def _hparams_api() -> Any | None:
    """TensorBoard's HParams API, or None where tensorboard (or the TensorFlow it needs) is not
    installed: the logs are still split, only the dashboard's table stays empty."""
    try:
        return importlib.import_module("tensorboard.plugins.hparams.api")
    except ImportError:
        return None


def tensorboard_callbacks(callbacks: list[Any], trial: Any, execution: int) -> list[Any]:
    """``callbacks`` with each ``TensorBoard`` writing into the trial's own folder, and an HParams
    callback next to each (see module doc). Changes the given copies, never the user's objects."""
    boards = [c for c in callbacks if isinstance(c, keras.callbacks.TensorBoard)]
    if not boards:
        return callbacks
    api = _hparams_api()
    values = hparams_values(trial.hyperparameters.values) if api is not None else {}
    extra = []
    for board in boards:
        board.log_dir = trial_log_dir(board.log_dir, trial.trial_id, execution)
        if api is not None:
            extra.append(api.KerasCallback(board.log_dir, values, trial_id=str(trial.trial_id)))
    return [*callbacks, *extra]
