"""``BayesianOptimization``: keras-tuner's Gaussian-process tuner, on rung's ``Tuner``."""

from __future__ import annotations

from typing import Any

from rung.hyperparameters import HyperParameters
from rung.objective import ObjectiveLike
from rung.oracles import BayesianOptimizationOracle
from rung.searchers import Searcher
from rung.tuner.frontends import Tuner

__all__ = ["BayesianOptimization"]


class BayesianOptimization(Tuner):
    """Tune with Bayesian optimisation: a Gaussian process proposes each of ``max_trials``
    trials (default 10); see ``rung.oracles.BayesianOptimizationOracle`` and
    ``rung.searchers.GPSearcher``.

    keras-tuner's signature: ``import rung as kt`` runs ``kt.BayesianOptimization(build_model,
    objective="val_accuracy", max_trials=20)`` unchanged. Integer, log-scaled, categorical and
    conditional hyperparameters are all modelled as such.

    Args:
        hypermodel: a Keras build function or ``rung.HyperModel`` (or use ``run_trial=``).
        objective: what to optimise.
        max_trials: how many trials to run.
        num_initial_points: random trials before the model is used (None: three times the number
            of hyperparameters, at least 3, at most 10 and at most half of ``max_trials``;
            keras-tuner's has no upper limit; 0: the model from the first result on, where
            keras-tuner takes 0 as None).
        alpha: the noise added to the kernel's diagonal (0: noise-free results; a jitter of
            1e-8 keeps the fit numerically safe).
        beta: the exploration weight of the upper confidence bound.
        seed, hyperparameters, tune_new_entries, allow_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials: as for ``rung.Hyperband``.
        searcher: another searcher instead of the Gaussian process.
        **kwargs: ``rung.Tuner``'s arguments (``directory``, ``project_name``, ``run_trial``...).

    Example::

        tuner = rung.BayesianOptimization(build_model, objective="val_accuracy", max_trials=20,
                                          directory="runs", project_name="bo")
        tuner.search(x, y, epochs=5, validation_data=(x_val, y_val))
    """

    def __init__(
        self,
        hypermodel: Any = None,
        objective: ObjectiveLike = None,
        max_trials: int | None = 10,
        num_initial_points: int | None = None,
        alpha: float = 1e-4,
        beta: float = 2.6,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        searcher: Searcher | str | None = None,
        **kwargs: Any,
    ) -> None:
        oracle = BayesianOptimizationOracle(
            objective=objective, max_trials=max_trials, num_initial_points=num_initial_points,
            alpha=alpha, beta=beta, seed=seed, hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries, allow_new_entries=allow_new_entries,
            max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, searcher=searcher,
        )
        super().__init__(
            oracle, hypermodel=hypermodel, max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, **kwargs,
        )
