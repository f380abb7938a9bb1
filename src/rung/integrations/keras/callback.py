"""The Keras callback rung adds to every ``fit``: per-epoch reports, tuner hooks, best epoch.

At the end of each epoch it reports the epoch's logs with ``trial.report`` (1-based epoch, so
storage holds every learning curve), calls the tuner's keras-tuner hooks (``on_epoch_begin``,
``on_epoch_end``, ``on_batch_begin``, ``on_batch_end``), and remembers the best epoch of the
objective (keeping a copy of its weights in memory), and the weights at the end of the fit's last
epoch: ``on_train_end`` callbacks (``EarlyStopping(restore_best_weights=True)``) and an optimizer's
``use_ema`` finalisation replace the model's weights after that epoch was scored.

Example::

    callback = TrialCallback(tuner, trial, tuner.oracle.objective)
    model.fit(x, y, epochs=3, callbacks=[callback])
    callback.best_epoch, callback.best_metrics
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rung.integrations.keras._imports import import_keras
from rung.integrations.keras.results import metric_value

__all__ = ["TrialCallback", "loss_of"]

keras = import_keras()


def loss_of(objective: Any, metrics: dict[str, float]) -> float:
    """The objective as "lower is better", ``inf`` when it is missing or not finite."""
    try:
        loss = objective.loss(metrics)
    except (ValueError, KeyError):
        return math.inf
    return loss if math.isfinite(loss) else math.inf


def _floats(logs: dict[str, Any] | None) -> dict[str, float]:
    out = {}
    for name, value in (logs or {}).items():
        try:
            out[str(name)] = metric_value(value)
        except (TypeError, ValueError):
            continue
    return out


class TrialCallback(keras.callbacks.Callback):  # type: ignore[name-defined]
    """Reports epochs to a rung trial and forwards Keras events to the tuner's hooks."""

    def __init__(self, tuner: Any, trial: Any, objective: Any) -> None:
        super().__init__()
        self.tuner = tuner
        self.trial = trial
        self.objective = objective
        self.best_loss = math.inf
        self.best_epoch: int | None = None  # 1-based
        self.best_metrics: dict[str, float] | None = None
        self.best_weights: list[np.ndarray] | None = None
        # the weights at the end of the fit's last epoch: what fit leaves in the model may differ
        # (EarlyStopping(restore_best_weights=True), an optimizer's use_ema finalisation)
        self.last_weights: list[np.ndarray] | None = None
        self.last_epoch: int | None = None
        self.last_loss = math.inf

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_epoch_begin(self.trial, self.model, epoch, logs=logs)

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_batch_begin(self.trial, self.model, batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self.tuner.on_batch_end(self.trial, self.model, batch, logs=logs)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        metrics = _floats(logs)
        self.last_epoch = epoch + 1
        self.last_loss = loss_of(self.objective, metrics)
        improved = self.best_metrics is None or self.last_loss < self.best_loss
        planned = self.params.get("epochs") if self.params else None
        # the fit's last epoch (as planned, or stopped by a callback that came before this one)
        final = planned == epoch + 1 or bool(getattr(self.model, "stop_training", False))
        snapshot = self._copy_weights() if improved or final else None
        self.last_weights = snapshot if final else None
        if improved:
            self.best_loss, self.best_epoch, self.best_metrics = self.last_loss, epoch + 1, metrics
            self.best_weights = snapshot
        self.trial.report(epoch + 1, **metrics)  # may raise TrialPruned (stopping schedulers)
        self.tuner.on_epoch_end(self.trial, self.model, epoch, logs=logs)

    def _copy_weights(self) -> list[np.ndarray]:
        # a copy: on torch, get_weights() returns views of tensors that training updates in place
        return [np.array(w, copy=True) for w in self.model.get_weights()]

    def best_weights_if_not_last(self) -> list[np.ndarray] | None:
        """The best epoch's weights when it is not the last epoch trained, else None."""
        if self.best_epoch is None or self.best_epoch == self.last_epoch:
            return None
        return self.best_weights
