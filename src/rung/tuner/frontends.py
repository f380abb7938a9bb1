"""The tuners users construct: ``Hyperband``, ``ASHA``, ``RandomSearch``, ``GridSearch``.

They share their leading arguments with keras-tuner's, so swapping one for another is a one-word
change, and each builds its oracle and hands everything else to ``Tuner`` (keras-tuner's Keras
arguments included, ``rung.integrations.keras.api``). Each takes
``searcher=``: a ``rung.searchers.Searcher`` or a name (``"random"``, ``"grid"``).
"""

from __future__ import annotations

from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.integrations.keras.api import KerasTunerMixin
from rung.oracles import (
    ASHAOracle,
    GridSearchOracle,
    HyperbandOracle,
    RandomSearchOracle,
    SingleFidelityOracle,
)
from rung.searchers import Searcher
from rung.tuner.base import BaseTuner

__all__ = ["ASHA", "GridSearch", "Hyperband", "RandomSearch", "Tuner"]


class Tuner(KerasTunerMixin, BaseTuner):
    """keras-tuner's ``Tuner``: ``rung.tuner.BaseTuner`` with keras-tuner's Keras side.

    ``Tuner(oracle, hypermodel=None, max_model_size=None, optimizer=None, loss=None,
    metrics=None, distribution_strategy=None, directory=".", project_name="untitled_project",
    logger=None, tuner_id=None, overwrite=False, executions_per_trial=1, **kwargs)``: the Keras
    arguments are ``rung.integrations.keras.api.KerasOptions``; ``run_trial``, ``storage``,
    ``max_retries_per_trial``, ``max_consecutive_failed_trials``, ``verbose`` and
    ``keep_checkpoints`` are ``BaseTuner``'s. Keras is imported only to train a Keras
    ``hypermodel`` or load its models.

    Example::

        tuner = rung.Tuner(rung.oracles.HyperbandOracle(objective="val_loss", max_epochs=27),
                           run_trial=train, directory="runs", project_name="demo")
        tuner.search()
    """


class Hyperband(Tuner):
    """Tune with Hyperband (Li et al., JMLR 2018); see ``rung.oracles.HyperbandOracle``.

    ``**kwargs``: ``run_trial=`` (a training function of any framework, in place of a Keras
    ``hypermodel``), ``directory``, ``project_name``, ``overwrite``, ... (see ``rung.Tuner``).

    Example::

        def train(trial):
            lr = trial.hyperparameters.Float("lr", 1e-4, 1e-1, sampling="log")
            state = trial.load_checkpoint()            # the parent's, or None
            for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
                ...
                trial.report(epoch, val_loss=loss)
            trial.save_checkpoint(state)

        tuner = rung.Hyperband(run_trial=train, objective="val_loss", max_epochs=27, factor=3,
                               directory="runs", project_name="demo")
        tuner.search()
    """

    def __init__(
        self,
        hypermodel: Any = None,
        objective: Any = None,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int | None = 1,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        parallel_brackets: bool = True,
        searcher: Searcher | str | None = None,
        **kwargs: Any,
    ) -> None:
        if "max_trials" in kwargs:
            raise ConfigurationError(
                f"{type(self).__name__} does not take max_trials (got {kwargs['max_trials']!r}): "
                "its budget follows from "
                "max_epochs, factor and hyperband_iterations (the plan is printed before the "
                "search starts)"
            )
        oracle = self._make_oracle(
            objective=objective, max_epochs=max_epochs, factor=factor,
            hyperband_iterations=hyperband_iterations, seed=seed,
            hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries, parallel_brackets=parallel_brackets,
            searcher=searcher,
        )
        super().__init__(
            oracle, hypermodel=hypermodel, max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, **kwargs,
        )

    def _make_oracle(self, **arguments: Any) -> HyperbandOracle:
        """The oracle, from Hyperband's arguments (``rung.BOHB`` adds its searcher's)."""
        return HyperbandOracle(**arguments)


class ASHA(Tuner):
    """Tune with ASHA, asynchronous successive halving (Li et al., MLSys 2020); see
    ``rung.oracles.ASHAOracle``. Made for many workers: no worker ever waits for a rung to fill.

    ``mode="promotion"`` pauses configurations at each rung and resumes the promoted ones from
    their checkpoint (the training function loads ``trial.load_checkpoint()`` as for Hyperband);
    ``mode="stopping"`` trains each configuration once to ``max_epochs`` and stops it early
    (``trial.report`` raises ``rung.TrialPruned``) when it falls out of the top ``1/factor``.

    ``max_trials`` configurations start (default 100); ``max_trials=None`` sets no limit: new
    ones start until the space is exhausted or the search is stopped, which suits a time
    budget, ``search(max_time=3600)`` (a rerun resumes and goes on).

    ``**kwargs``: ``run_trial=`` (a training function of any framework, in place of a Keras
    ``hypermodel``), ``directory``, ``project_name``, ``overwrite``, ... (see ``rung.Tuner``).

    Example::

        if __name__ == "__main__":  # worker processes import this script again
            tuner = rung.ASHA(run_trial=train, objective="val_loss", max_epochs=81, factor=3,
                              max_trials=300, directory="runs", project_name="asha")
            tuner.search(workers=8)
    """

    def __init__(
        self,
        hypermodel: Any = None,
        objective: Any = None,
        max_epochs: int = 100,
        factor: int = 3,
        min_epochs: int = 1,
        max_trials: int | None = 100,
        mode: str = "promotion",
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        searcher: Searcher | str | None = None,
        **kwargs: Any,
    ) -> None:
        oracle = ASHAOracle(
            objective=objective, max_epochs=max_epochs, factor=factor, min_epochs=min_epochs,
            max_trials=max_trials, mode=mode, seed=seed, hyperparameters=hyperparameters,
            tune_new_entries=tune_new_entries, allow_new_entries=allow_new_entries,
            searcher=searcher,
        )
        super().__init__(
            oracle, hypermodel=hypermodel, max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, **kwargs,
        )


class _SingleFidelity(Tuner):
    """A tuner on a single-fidelity oracle (``_oracle_class``): every trial trains in full."""

    _oracle_class: type[SingleFidelityOracle] = RandomSearchOracle

    def __init__(
        self,
        hypermodel: Any = None,
        objective: Any = None,
        max_trials: int | None = 10,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        searcher: Searcher | str | None = None,
        **kwargs: Any,
    ) -> None:
        oracle = self._oracle_class(
            objective=objective, max_trials=max_trials, seed=seed,
            hyperparameters=hyperparameters, tune_new_entries=tune_new_entries,
            allow_new_entries=allow_new_entries, searcher=searcher,
        )
        super().__init__(
            oracle, hypermodel=hypermodel, max_retries_per_trial=max_retries_per_trial,
            max_consecutive_failed_trials=max_consecutive_failed_trials, **kwargs,
        )


class RandomSearch(_SingleFidelity):
    """Tune with random search: ``max_trials`` independent random configurations (default 10).

    Bergstra & Bengio, JMLR 2012; see ``rung.oracles.RandomSearchOracle``. Arguments as
    ``rung.Hyperband`` less the Hyperband ones, plus ``max_trials``.

    ``**kwargs``: ``run_trial=`` (a training function of any framework, in place of a Keras
    ``hypermodel``), ``directory``, ``project_name``, ``overwrite``, ... (see ``rung.Tuner``).

    Example::

        def train(trial):
            alpha = trial.hyperparameters.Float("alpha", 1e-6, 1e-1, sampling="log")
            model = SGDClassifier(alpha=alpha).fit(x_train, y_train)
            return {"val_accuracy": model.score(x_val, y_val)}

        tuner = rung.RandomSearch(run_trial=train, objective="val_accuracy", max_trials=20,
                                  directory="runs", project_name="random")
        tuner.search()
    """

    _oracle_class = RandomSearchOracle


class GridSearch(_SingleFidelity):
    """Tune by trying every point of the grid (``max_trials=None``, the default) or the first
    ``max_trials``; see ``rung.oracles.GridSearchOracle`` (a ``Float`` without ``step`` takes
    ten values of its range).

    ``**kwargs``: ``run_trial=`` (a training function of any framework, in place of a Keras
    ``hypermodel``), ``directory``, ``project_name``, ``overwrite``, ... (see ``rung.Tuner``).

    Example::

        def train(trial):
            hp = trial.hyperparameters
            depth = hp.Int("depth", 2, 8, step=2)
            kind = hp.Choice("kind", ["gini", "entropy"])
            return {"val_accuracy": fit_and_validate(depth, kind)}

        tuner = rung.GridSearch(run_trial=train, objective="val_accuracy",
                                directory="runs", project_name="grid")
        tuner.search()    # the 8 points of the grid
    """

    _oracle_class = GridSearchOracle

    def __init__(
        self,
        hypermodel: Any = None,
        objective: Any = None,
        max_trials: int | None = None,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        tune_new_entries: bool = True,
        allow_new_entries: bool = True,
        max_retries_per_trial: int = 0,
        max_consecutive_failed_trials: int = 3,
        searcher: Searcher | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            hypermodel, objective, max_trials, seed, hyperparameters, tune_new_entries,
            allow_new_entries, max_retries_per_trial, max_consecutive_failed_trials,
            searcher=searcher, **kwargs,
        )
