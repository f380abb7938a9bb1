"""keras-tuner's Keras side of ``rung.Tuner``, without importing Keras until it is used.

``rung.Tuner`` is ``KerasTunerMixin`` on top of the framework-free ``rung.tuner.BaseTuner``: the
mixin takes keras-tuner's Keras-only constructor arguments (kept in :class:`KerasOptions`),
trains a Keras ``hypermodel`` (``rung.integrations.keras.runner``), loads trained models, and
carries the hooks Keras calls during ``fit``. Plain-Python searches never import Keras.

Example::

    tuner = rung.Hyperband(build_model, objective="val_accuracy", max_epochs=27,
                           executions_per_trial=2)        # a KerasOptions argument
    tuner.search(x, y, validation_split=0.2)
    model = tuner.get_best_models(num_models=1)[0]      # built, weights loaded
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rung.trial import Trial
from rung.validation import check_instance, check_int, check_optional_int

__all__ = ["DistributionNotice", "KerasOptions", "KerasTunerMixin", "explain_distribution"]

# keras-tuner's chief/worker mode is on when these are set (its dist_utils.has_chief_oracle)
KERAS_TUNER_ORACLE_VARIABLES = ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT")


class DistributionNotice(UserWarning):
    """Warned by a tuner made while keras-tuner's chief/worker variables are set: rung does not
    distribute that way (one process searches; ``search(workers=N)`` spreads the trials)."""


def _caller_outside_rung() -> int:
    """``stacklevel`` of the first caller outside rung, seen from the function calling this
    (Python 3.11's ``warnings.warn`` has no ``skip_file_prefixes``)."""
    frame = sys._getframe(2)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("rung."):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def explain_distribution(environ: Mapping[str, str], tuner_id: str) -> None:
    """Warn (``DistributionNotice``) when ``environ`` holds keras-tuner's chief/worker
    variables: a script run unchanged as keras-tuner's chief and workers would otherwise have
    one process train every trial while the others stop with ``ProjectInUseError``."""
    found = [name for name in KERAS_TUNER_ORACLE_VARIABLES if name in environ]
    if not found:
        return
    warnings.warn(
        f"{' and '.join(found)} set: keras-tuner's chief/worker distribution (gRPC) is not "
        f"rung's. This process (tuner_id {tuner_id!r}) runs the whole search itself, training "
        "every trial; another process started on the same project stops with "
        "ProjectInUseError. Start one process and spread the trials with "
        "search(..., workers=N), or workers='gpu' for one worker per GPU (docs/scale-out.md).",
        DistributionNotice, stacklevel=_caller_outside_rung() + 1)


@dataclass(frozen=True)
class KerasOptions:
    """keras-tuner's arguments for Keras hypermodels (validated when made).

    Args:
        executions_per_trial: trainings of each model; its metrics are their average.
        max_model_size: a model with more parameters fails its trial (``FailedTrialError``).
        optimizer, loss, metrics: compile the built models with these instead.
        distribution_strategy: a ``tf.distribute`` strategy whose scope builds the models.
        tuner_id, logger: accepted for keras-tuner compatibility (``tuner_id`` names the tuner;
            by default ``KERASTUNER_TUNER_ID`` or ``"tuner0"``, as in keras-tuner).
    """

    executions_per_trial: int = 1
    max_model_size: int | None = None
    optimizer: Any = None
    loss: Any = None
    metrics: Any = None
    distribution_strategy: Any = None
    tuner_id: str = "tuner0"
    logger: Any = None

    def __post_init__(self) -> None:
        check_int("executions_per_trial", self.executions_per_trial, 1)
        check_optional_int("max_model_size", self.max_model_size, 1)
        check_instance("tuner_id", self.tuner_id, str, "a string")


def _option(name: str) -> property:
    return property(lambda self: getattr(self.keras, name),
                    doc=f"keras-tuner's ``{name}`` (see ``KerasOptions``).")


class KerasTunerMixin:
    """keras-tuner's Keras arguments and methods, mixed into ``rung.Tuner``.

    Arguments are keras-tuner's, in its order; the others (``run_trial``, ``storage``,
    ``verbose``...) go to ``rung.tuner.BaseTuner``. The hooks ``on_epoch_begin``,
    ``on_epoch_end``, ``on_batch_begin`` and ``on_batch_end`` are called from the Keras callback
    rung adds to ``fit`` (keras-tuner's order and arguments; ``epoch`` and ``batch`` are Keras'
    0-based indices); override them in a subclass.

    Attributes:
        keras: the :class:`KerasOptions`.
        epochs_explained: whether this tuner already warned that ``search(epochs=...)`` does
            not set a job's length (``rung.integrations.keras.EpochsNotice``, once per tuner).
    """

    hypermodel: Any
    oracle: Any
    storage: Any

    def __init__(
        self,
        oracle: Any,
        hypermodel: Any = None,
        max_model_size: int | None = None,
        optimizer: Any = None,
        loss: Any = None,
        metrics: Any = None,
        distribution_strategy: Any = None,
        directory: Any = ".",
        project_name: str | None = "untitled_project",
        logger: Any = None,
        tuner_id: str | None = None,
        overwrite: bool = False,
        executions_per_trial: int = 1,
        **kwargs: Any,
    ) -> None:
        if logger is not None:
            warnings.warn("The `logger` argument is deprecated (as in keras-tuner) and unused: "
                          "rung records every trial in its project", DeprecationWarning,
                          stacklevel=2)
        self.keras = KerasOptions(
            executions_per_trial=executions_per_trial, max_model_size=max_model_size,
            optimizer=optimizer, loss=loss, metrics=metrics,
            distribution_strategy=distribution_strategy,
            tuner_id=tuner_id or os.environ.get("KERASTUNER_TUNER_ID", "tuner0"), logger=logger,
        )
        explain_distribution(os.environ, self.keras.tuner_id)
        self.epochs_explained = False
        super().__init__(oracle, hypermodel, directory=directory,  # type: ignore[call-arg]
                         project_name=project_name, overwrite=overwrite, **kwargs)

    executions_per_trial = _option("executions_per_trial")
    max_model_size = _option("max_model_size")
    optimizer = _option("optimizer")
    loss = _option("loss")
    metrics = _option("metrics")
    distribution_strategy = _option("distribution_strategy")
    tuner_id = _option("tuner_id")
    logger = _option("logger")

    # --- the BaseTuner hooks this mixin fills in ---------------------------------------------
    def populate_search_space(self) -> None:
        """Declare a Keras hypermodel's hyperparameters before the first trial (dry builds)."""
        if self.hypermodel is None:
            return
        from rung.hypermodel import get_hypermodel

        self.hypermodel = get_hypermodel(self.hypermodel)
        if self.training_function is not None:  # type: ignore[attr-defined]
            return  # a run_trial function decides how the hypermodel is used
        from rung.integrations.keras.runner import populate_initial_space

        populate_initial_space(self)

    def check_search_arguments(self, fit_args: tuple[Any, ...],
                               fit_kwargs: dict[str, Any]) -> None:
        """``callbacks`` must be copyable objects (each execution trains with its own copies):
        checked before the search starts, a ``FatalValueError`` as in keras-tuner; with the
        default ``HyperModel.fit``, the other arguments must be ``keras.Model.fit``'s
        (``rung.integrations.keras.runner.check_fit_arguments``). Under a multi-fidelity oracle
        (Hyperband), ``epochs`` given here is explained once, in this process
        (``EpochsNotice``)."""
        from rung.tuner.base import BaseTuner

        trains_here = type(self).run_trial is BaseTuner.run_trial  # type: ignore[attr-defined]
        if trains_here and self.hypermodel is not None and self.training_function is None:  # type: ignore[attr-defined]
            from rung.hypermodel import HyperModel, get_hypermodel
            from rung.integrations.keras.runner import (
                check_fit_arguments,
                copy_callbacks,
                explain_epochs,
            )

            copy_callbacks(fit_kwargs.get("callbacks"))
            if type(get_hypermodel(self.hypermodel)).fit is HyperModel.fit:  # fit as Keras' own
                check_fit_arguments(fit_kwargs)
            if getattr(self.oracle, "multi_fidelity", False):  # here, not in each worker
                explain_epochs(self, fit_kwargs, getattr(self.oracle, "max_epochs", None), 4)

    def train_hypermodel(self, trial: Trial, *fit_args: Any, **fit_kwargs: Any) -> Any:
        """Train the Keras hypermodel for one job (``rung.integrations.keras.runner``)."""
        from rung.integrations.keras.runner import run_keras_trial

        return run_keras_trial(self, trial, *fit_args, **fit_kwargs)

    def load_model(self, trial: Any) -> Any:
        """The model of a finished ``trial``: built for its hyperparameters, with the weights of
        the epoch that gave its score, compiled, ready to ``predict`` or ``evaluate``. A tuner
        without a hypermodel (``run_trial=`` a training function) returns what the trial saved
        with ``trial.save_checkpoint``, without importing Keras."""
        check_instance("trial", trial, Trial, "a rung.Trial, e.g. one of "
                       "tuner.oracle.get_best_trials()")
        if self.hypermodel is None:
            return super().load_model(trial)  # type: ignore[misc]  # BaseTuner's (a mixin)
        from rung.integrations.keras.runner import load_model

        trial_dir = self.checkpoints.directory(trial.trial_id, create=False)  # type: ignore[attr-defined]
        if not trial_dir.is_dir():
            raise self.checkpoint_cleanup.missing_error(trial)  # type: ignore[attr-defined]
        return load_model(self, trial)

    def save_model(self, trial_id: str, model: Any, step: int = 0) -> None:
        """Save ``model`` as the checkpoint of trial ``trial_id``, for a ``run_trial`` that
        trains its own model: ``load_model`` and ``get_best_models`` then return it (a Keras
        hypermodel's: its weights, loaded into a model built for the trial's hyperparameters;
        without a hypermodel: the object itself, as ``trial.save_checkpoint(model)``).
        keras-tuner's signature; ``step`` is accepted and unused (the last save is kept)."""
        check_int("step", step, 0)
        if self.hypermodel is None:
            self.checkpoints.save(trial_id, model)  # type: ignore[attr-defined]
            return
        from rung.integrations.keras.checkpoint import save_state

        save_state(model, self.checkpoints.directory(trial_id))  # type: ignore[attr-defined]

    # --- hooks called during Keras fit (keras-tuner's signatures) ------------------------------
    def on_epoch_begin(self, trial: Any, model: Any, epoch: int, logs: Any = None) -> None:  # noqa: B027
        """Called at the start of each epoch of ``fit``."""

    def on_epoch_end(self, trial: Any, model: Any, epoch: int, logs: Any = None) -> None:  # noqa: B027
        """Called at the end of each epoch, after the epoch's ``logs`` were reported."""

    def on_batch_begin(self, trial: Any, model: Any, batch: int, logs: Any = None) -> None:  # noqa: B027
        """Called before each training batch."""

    def on_batch_end(self, trial: Any, model: Any, batch: int, logs: Any = None) -> None:  # noqa: B027
        """Called after each training batch."""
