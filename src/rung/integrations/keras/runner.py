"""How a Keras trial trains: build, continue from the parent, fit, checkpoint, score.

``run_keras_trial(tuner, trial, *fit_args, **fit_kwargs)`` is what ``rung.Tuner`` calls to train
a Keras ``hypermodel`` (``KerasTunerMixin.train_hypermodel``); ``tuner`` is such a tuner, whose
``keras`` options (``rung.integrations.keras.api.KerasOptions``) it reads. For each of
``tuner.keras.executions_per_trial`` executions it

1. releases the previous model's Keras state (``session.release_keras_state``: ``clear_session``
   without a full garbage collection; on jax, JAX's compilation caches every 10th time);
2. builds the model with the trial's hyperparameters (``optimizer``/``loss``/``metrics`` given to
   the tuner override the compiled ones; ``max_model_size`` fails oversized models);
3. for a promoted trial, restores the parent's last epoch: weights *and* optimizer state (in
   the ``distribution_strategy``'s scope, which the optimizer's variables must be made in);
4. calls ``hypermodel.fit(hp, model, *fit_args, **fit_kwargs)`` with a ``TrialCallback`` added and,
   when the oracle sets the trial's epochs (Hyperband), ``epochs``/``initial_epoch`` set to them;
   the user's callbacks are copies, a ``TensorBoard`` one writing into
   ``<log_dir>/<trial_id>/execution<i>`` with the trial's HParams (``tensorboard_logs``);
5. saves the last epoch's state into ``trial.checkpoint_dir`` for children to continue from.

The trial's metrics are those of the best epoch of the objective, averaged over executions.

Example::

    tuner = rung.Hyperband(build_model, objective="val_accuracy", max_epochs=27)
    tuner.search(x, y, validation_split=0.2)   # calls run_keras_trial for every job
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import math
import warnings
from collections.abc import Iterator
from typing import Any

from rung.errors import ConfigurationError, FailedTrialError, FatalTypeError, FatalValueError
from rung.hypermodel import get_hypermodel
from rung.hyperparameters import HyperParameters
from rung.hyperparameters.base import Condition
from rung.integrations.keras._imports import import_keras
from rung.integrations.keras.api import KerasOptions
from rung.integrations.keras.callback import TrialCallback
from rung.integrations.keras.checkpoint import load_inference_weights, restore_state, save_state
from rung.integrations.keras.results import fit_result_metrics
from rung.integrations.keras.session import release_keras_state
from rung.integrations.keras.tensorboard_logs import tensorboard_callbacks
from rung.validation import fail_type, nearest

__all__ = [
    "EpochsNotice",
    "build_model",
    "copy_callbacks",
    "explain_epochs",
    "load_model",
    "populate_initial_space",
    "release_keras_state",
    "run_keras_trial",
]

keras = import_keras()

MAX_DRY_BUILDS = 32


class EpochsNotice(UserWarning):
    """Warned once per tuner: ``search(epochs=...)`` does not set a job's length under Hyperband."""


def _scope(strategy: Any) -> Any:
    return strategy.scope() if strategy is not None else contextlib.nullcontext()


def _override_compile(options: KerasOptions, model: Any) -> None:
    if not (options.optimizer or options.loss or options.metrics):
        return
    compiled = getattr(model, "_compile_config", None)
    kwargs = dict(compiled.config) if compiled is not None else {}
    if options.optimizer:
        opt = options.optimizer
        # a fresh optimizer per model: an optimizer instance holds the state of one model
        kwargs["optimizer"] = opt if isinstance(opt, str) else keras.optimizers.deserialize(
            keras.optimizers.serialize(opt)
        )
    if options.loss:
        kwargs["loss"] = options.loss
    if options.metrics:
        kwargs["metrics"] = options.metrics
    model.compile(**kwargs)


def build_model(tuner: Any, hp: HyperParameters, check_size: bool = True) -> Any:
    """Build (and compile) the tuner's hypermodel for ``hp``."""
    hypermodel = get_hypermodel(tuner.hypermodel)
    options: KerasOptions = tuner.keras
    with _scope(options.distribution_strategy):
        model = hypermodel.build(hp)
        if not isinstance(model, keras.Model):
            raise FatalTypeError(
                "Expected the model-building function (or HyperModel.build) to return a "
                f"keras.Model; it must return a keras.Model, got {type(model).__name__} {model!r}"
            )
        _override_compile(options, model)
    if check_size and options.max_model_size and model.built:
        size = model.count_params()
        if size > options.max_model_size:
            raise FailedTrialError(
                f"Oversized model: {size} parameters > max_model_size={options.max_model_size}"
            )
    return model


def _explain_epochs(tuner: Any, trial: Any, fit_kwargs: dict[str, Any]) -> None:
    explain_epochs(tuner, fit_kwargs, getattr(tuner.oracle, "max_epochs", trial.epochs), 3)


def explain_epochs(tuner: Any, fit_kwargs: dict[str, Any], limit: Any, stacklevel: int) -> None:
    """Warn (``EpochsNotice``, once per tuner) that ``search(epochs=...)`` does not set a job's
    length. ``KerasTunerMixin.check_search_arguments`` calls it in the driver before the first
    job, so that worker processes do not each warn (on their own stderr, out of reach of the
    script's warning filters); a job that finds the tuner not yet warned (a custom oracle that
    sets epochs) warns from where it runs."""
    given = {k: fit_kwargs[k] for k in ("epochs", "initial_epoch") if k in fit_kwargs}
    if not given or tuner.epochs_explained:
        return
    tuner.epochs_explained = True  # once per tuner (KerasTunerMixin.epochs_explained)
    shown = ", ".join(f"{k}={v!r}" for k, v in given.items())
    warnings.warn(
        f"search({shown}) does not set how long a job trains: {type(tuner.oracle).__name__} "
        f"gives each job its epoch range (Keras' initial_epoch and epochs; promoted jobs continue "
        f"from their parent's last epoch), and no configuration trains more than "
        f"max_epochs={limit} epochs. The plan (printed before the search unless verbose=0; "
        "tuner.oracle.budget().describe()) lists every rung's epochs. Change max_epochs (and "
        "factor) to change it.",
        EpochsNotice,
        stacklevel=stacklevel,
    )


def copy_callbacks(callbacks: Any) -> list[Any]:
    """Fresh copies for each execution (as keras-tuner does): callbacks keep state."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"callbacks must be a list of keras callbacks, got {type(callbacks).__name__}")
    copies = []
    for callback in callbacks:
        if isinstance(callback, type):
            raise TypeError(
                f"callbacks must be callback objects, got the class {callback.__name__} in "
                f"callbacks={callbacks!r}; create one: {callback.__name__}(...)")
        try:
            copies.append(copy.deepcopy(callback))
        except Exception as exc:  # noqa: BLE001 - any failure to copy means the same
            raise FatalValueError(
                f"All callbacks used during a search should be deep-copyable: each execution of "
                f"each trial trains with its own copy, and copy.deepcopy({callback!r}) failed "
                f"({type(exc).__name__}: {exc}). Pass callback objects that can be copied (Keras' "
                "callbacks can), or create them inside HyperModel.fit."
            ) from exc
    return copies


def check_fit_arguments(fit_kwargs: dict[str, Any]) -> None:
    """Names ``keras.Model.fit`` does not take (a typo such as ``epoch=2``), and an ``epochs``
    that is no integer, refused before the first trial, when the hypermodel's ``fit`` is the
    default one (``model.fit(*args, **kwargs)``) that would pass them on; keras-tuner lets
    every trial fail on them instead."""
    accepted = inspect.signature(keras.Model.fit).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values()):
        unknown = sorted(set(fit_kwargs) - set(accepted) - {"self"})
        if unknown:
            given = ", ".join(f"{name}={_short(fit_kwargs[name])}" for name in unknown)
            hints = "; ".join(f"{name}=: did you mean {match}=?" for name in unknown
                              if (match := nearest(name, accepted)))
            raise ConfigurationError(
                f"search() got {given}, which keras.Model.fit does not take "
                f"(it takes {', '.join(n for n in accepted if n != 'self')})"
                + (f"; {hints}" if hints else ".")
                + " Arguments of search() other than its own go to fit.")
    epochs = fit_kwargs.get("epochs")
    if epochs is not None and (isinstance(epochs, bool) or not isinstance(epochs, int)):
        raise fail_type("epochs", "an integer (Keras' fit epochs)", epochs)


def _short(value: Any) -> str:
    """``repr(value)``, or ``<ndarray>`` when that is long (data passed by keyword)."""
    shown = repr(value)
    return shown if len(shown) <= 40 else f"<{type(value).__name__}>"


def run_keras_trial(tuner: Any, trial: Any, *fit_args: Any, **fit_kwargs: Any) -> list[Any]:
    """Train ``trial`` with the tuner's Keras hypermodel (see module doc).

    Returns what keras-tuner's ``Tuner.run_trial`` returns: one result per execution, as
    ``HyperModel.fit`` returned it (a ``History`` is copied without its model, so that the model
    can be freed; a ``None`` from a custom ``fit`` becomes the metrics its epochs reported).
    """
    hypermodel = get_hypermodel(tuner.hypermodel)
    objective = tuner.oracle.objective
    hp = trial.hyperparameters
    if trial.epochs is not None:
        _explain_epochs(tuner, trial, fit_kwargs)
        fit_kwargs = {**fit_kwargs, "epochs": trial.epochs, "initial_epoch": trial.initial_epoch}
    user_callbacks = fit_kwargs.pop("callbacks", None)
    results = []
    saved_loss = math.inf
    for execution in range(tuner.keras.executions_per_trial):
        release_keras_state()
        model = build_model(tuner, hp)
        if trial.parent_id is not None:  # in the strategy's scope: it may build the optimizer
            with _scope(tuner.keras.distribution_strategy):
                restore_state(model, trial.parent_checkpoint_dir)
        callback = TrialCallback(tuner, trial, objective)
        callbacks = tensorboard_callbacks(copy_callbacks(user_callbacks), trial, execution)
        kwargs = {**fit_kwargs, "callbacks": [*callbacks, callback]}
        result = hypermodel.fit(hp, model, *fit_args, **kwargs)
        metrics = fit_result_metrics(result, objective, callback)  # checks it, or fails early
        results.append(metrics if result is None else _detached(result))
        # children continue from the execution whose last epoch is best (the only one, usually)
        if execution == 0 or callback.last_loss < saved_loss:
            save_state(model, trial.checkpoint_dir, callback.best_weights_if_not_last(),
                       weights=callback.last_weights)
            saved_loss = callback.last_loss
        del model, callback, result
    release_keras_state()
    return results


def _detached(result: Any) -> Any:
    """A ``History`` holds its model: keep only the epochs and their metrics."""
    if not isinstance(result, keras.callbacks.History):
        return result
    copy_ = keras.callbacks.History()
    copy_.history = {name: list(values) for name, values in result.history.items()}
    copy_.epoch = list(getattr(result, "epoch", []))  # a History built by hand may have none
    return copy_


def load_model(tuner: Any, trial: Any) -> Any:
    """The trial's model, built for its hyperparameters, with the weights that gave its score."""
    model = build_model(tuner, trial.hyperparameters, check_size=False)
    with _scope(tuner.keras.distribution_strategy):  # an unbuilt model is built here
        load_inference_weights(model, tuner.checkpoints.directory(trial.trial_id, create=False))
    return model


def _record_scopes(hp: HyperParameters, opened: dict[Condition, None]) -> None:
    """Make ``hp`` remember every ``conditional_scope`` the build opens."""
    original = hp.conditional_scope

    @contextlib.contextmanager
    def conditional_scope(parent_name: str, parent_values: Any) -> Iterator[None]:
        with original(parent_name, parent_values):
            lookup = getattr(hp, "_lookup", lambda name: name)
            opened.setdefault(Condition(lookup(parent_name), parent_values))
            yield

    hp.conditional_scope = conditional_scope  # type: ignore[method-assign]


def populate_initial_space(tuner: Any) -> None:
    """Declare the hypermodel's hyperparameters before the first trial (dry builds).

    ``declare_hyperparameters`` runs once, then ``build`` with default values; while some
    ``conditional_scope`` was never active, ``build`` runs again with its parent set to a value
    that activates it (at most ``MAX_DRY_BUILDS`` builds). The models are discarded.
    """
    hypermodel = get_hypermodel(tuner.hypermodel)
    oracle = tuner.oracle
    hp = oracle.hyperparameters.copy()
    hypermodel.declare_hyperparameters(hp)
    oracle.update_space(hp)
    forced: dict[str, Any] = {}
    opened: dict[Condition, None] = {}  # ordered: the same builds in every process
    seen_active: set[Condition] = set()
    for _ in range(MAX_DRY_BUILDS):
        hp = oracle.hyperparameters.clone_with_values(forced)
        _record_scopes(hp, opened)
        with _scope(tuner.keras.distribution_strategy):
            hypermodel.build(hp)
        oracle.update_space(hp)
        active = hp.values
        scopes = [*opened, *(c for p in hp.space for c in p.conditions)]
        seen_active.update(c for c in scopes if c.is_active(active))
        never = [c for c in scopes if c not in seen_active]
        if not never:
            break
        condition = never[0]
        forced = {**forced, condition.parent_name: condition.values[0]}
        seen_active.add(condition)  # do not insist on a scope the build cannot reach
    release_keras_state()
