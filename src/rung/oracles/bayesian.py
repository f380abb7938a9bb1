"""keras-tuner's ``BayesianOptimizationOracle``: single-fidelity trials proposed by a Gaussian
process (``rung.searchers.GPSearcher``)."""

from __future__ import annotations

from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.objective import ObjectiveLike
from rung.oracles.single import SingleFidelityOracle
from rung.searchers import GPSearcher, Searcher
from rung.validation import unknown_arguments

__all__ = ["BayesianOptimizationOracle"]


class BayesianOptimizationOracle(SingleFidelityOracle):
    """Bayesian optimisation: ``max_trials`` trials, each proposed by a Gaussian process fitted to
    the results so far, with an upper-confidence-bound acquisition (see ``GPSearcher``).

    Srinivas et al., "Gaussian Process Optimization in the Bandit Setting", ICML 2010.

    Same arguments as keras-tuner's; unlike keras-tuner's, the Gaussian process handles integer,
    log-scaled, categorical and conditional hyperparameters as such, and its cost per trial stays
    low as results accumulate.

    Args:
        objective: what to optimise (see ``rung.oracles.Oracle``).
        max_trials: how many trials to run.
        num_initial_points: random trials before the model is used (None: three times the number
            of hyperparameters, at least 3, at most 10 and at most half of ``max_trials``;
            keras-tuner's has no upper limit; 0: the model from the first result on, where
            keras-tuner takes 0 as None).
        alpha: the noise added to the kernel's diagonal (0: noise-free results; a jitter of
            1e-8 keeps the fit numerically safe).
        beta: the exploration weight of the acquisition (``mean - beta * std`` is minimised).
        seed: seeds every random draw, the model's included.
        hyperparameters, allow_new_entries, tune_new_entries: see ``rung.oracles.Oracle``.
        max_retries_per_trial, max_consecutive_failed_trials: see ``rung.oracles.Oracle``.
        searcher: another searcher instead of the Gaussian process (``"gp"`` or None: the
            Gaussian process of the options above; with any other, changing
            ``num_initial_points``, ``alpha`` or ``beta`` is a ``ConfigurationError``).
        epochs: epochs per trial, or None to leave it to the training function.

    Example::

        hp = rung.HyperParameters()
        hp.Float("lr", 1e-4, 1e-1, sampling="log")
        hp.Int("units", 16, 256)
        oracle = BayesianOptimizationOracle(objective="val_loss", max_trials=30, seed=0,
                                            hyperparameters=hp)
        while (s := oracle.ask()) is not None:
            oracle.tell(s.trial_id, {"val_loss": train(**s.values)})
    """

    default_searcher = "gp"

    def __init__(
        self,
        objective: ObjectiveLike = None,
        max_trials: int | None = 10,
        num_initial_points: int | None = None,
        alpha: float = 1e-4,
        beta: float = 2.6,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        allow_new_entries: bool = True,
        tune_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        searcher: Searcher | str | None = None,
        epochs: int | None = None,
        **unknown: Any,
    ) -> None:
        if unknown:  # a misspelt argument: the nearest one and the list, not a bare TypeError
            raise unknown_arguments(type(self), unknown)
        # without a max_trials of its own: the oracle gives it its own, and follows it when raised
        gp = GPSearcher(num_initial_points=num_initial_points, alpha=alpha, beta=beta)
        if searcher is not None and searcher != "gp":
            default = GPSearcher()
            changed = [name for name, value in (("num_initial_points", gp.num_initial_points),
                                                ("alpha", gp.alpha), ("beta", gp.beta))
                       if value != getattr(default, name)]
            if changed:
                where = (f"pass them to the GPSearcher given (GPSearcher({changed[0]}=...)) or "
                         "drop them" if isinstance(searcher, GPSearcher) else
                         f"drop them, or pass searcher=GPSearcher({changed[0]}=...)")
                raise ConfigurationError(
                    f"BayesianOptimizationOracle got searcher={searcher!r} and {changed}: they "
                    f"apply to its own Gaussian process only: {where}")
        self.num_initial_points = gp.num_initial_points
        self.alpha = gp.alpha
        self.beta = gp.beta
        super().__init__(
            objective=objective, max_trials=max_trials, epochs=epochs, seed=seed,
            hyperparameters=hyperparameters, allow_new_entries=allow_new_entries,
            tune_new_entries=tune_new_entries, max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials,
            searcher=gp if searcher is None or searcher == "gp" else searcher,
        )

    def _settings(self) -> dict[str, Any]:
        return {**super()._settings(), "num_initial_points": self.num_initial_points,
                "alpha": self.alpha, "beta": self.beta}
