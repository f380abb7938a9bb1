"""keras-tuner's Keras-facing ``Tuner`` methods: best models, model loading, training hooks.

``Tuner`` inherits them. None imports Keras until it is used: they call
``rung.integrations.keras`` lazily, so plain-Python searches never need Keras.

Example::

    tuner = rung.Hyperband(build_model, objective="val_accuracy", max_epochs=27)
    tuner.search(x, y, validation_split=0.2)
    model = tuner.get_best_models(num_models=1)[0]      # built, weights loaded
    model.predict(x_test)
"""

from __future__ import annotations

from typing import Any

__all__ = ["KerasTunerMethods"]


class KerasTunerMethods:
    """Mixin of ``rung.Tuner`` with the methods keras-tuner users call on a Keras tuner.

    The hooks are called from the Keras callback rung adds to ``fit`` (keras-tuner's order and
    arguments); override them in a subclass. ``epoch`` and ``batch`` are Keras' 0-based indices.
    """

    hypermodel: Any
    oracle: Any
    storage: Any
    _keras_epochs_explained = False

    def _populate_initial_space(self) -> None:
        """Declare a Keras hypermodel's hyperparameters before the first trial (new projects)."""
        if self.hypermodel is None or self.storage.get_oracle_state() is not None:
            return
        from rung.hypermodel import get_hypermodel

        self.hypermodel = get_hypermodel(self.hypermodel)
        if getattr(self, "_run_trial_fn", None) is not None:
            return  # a custom run_trial decides how the hypermodel is used
        from rung.integrations.keras import populate_initial_space

        populate_initial_space(self)

    def load_model(self, trial: Any) -> Any:
        """The model of a finished ``trial``: built for its hyperparameters, with the weights of
        the epoch that gave its score, compiled, ready to ``predict`` or ``evaluate``."""
        from rung.integrations.keras import load_model

        if self.hypermodel is None:
            raise ValueError("load_model needs the tuner's hypermodel; this tuner has none")
        return load_model(self, trial)

    def get_best_models(self, num_models: int = 1) -> list[Any]:
        """The best ``num_models`` trained models, best first (see ``load_model``).

        Retraining the best hyperparameters on all the data is often better still; they come from
        ``get_best_hyperparameters``.
        """
        if isinstance(num_models, bool) or not isinstance(num_models, int) or num_models < 1:
            raise ValueError(f"num_models must be an integer >= 1, got {num_models!r}")
        return [self.load_model(t) for t in self.oracle.get_best_trials(num_models)]

    # --- hooks called during Keras fit (keras-tuner's signatures) ------------------------------
    def on_epoch_begin(self, trial: Any, model: Any, epoch: int, logs: Any = None) -> None:  # noqa: B027
        """Called at the start of each epoch of ``fit``."""

    def on_epoch_end(self, trial: Any, model: Any, epoch: int, logs: Any = None) -> None:  # noqa: B027
        """Called at the end of each epoch, after the epoch's ``logs`` were reported."""

    def on_batch_begin(self, trial: Any, model: Any, batch: int, logs: Any = None) -> None:  # noqa: B027
        """Called before each training batch."""

    def on_batch_end(self, trial: Any, model: Any, batch: int, logs: Any = None) -> None:  # noqa: B027
        """Called after each training batch."""
