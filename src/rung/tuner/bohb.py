"""``rung.BOHB``: Hyperband with the KDE searcher (Falkner et al., ICML 2018)."""

from __future__ import annotations

from typing import Any

from rung.hyperparameters import HyperParameters
from rung.oracles import BOHBOracle
from rung.searchers import Searcher
from rung.tuner.frontends import Hyperband

__all__ = ["BOHB"]


class BOHB(Hyperband):
    """Tune with BOHB: Hyperband's brackets, configurations from a model of the results so far
    (``rung.searchers.KDESearcher``); see ``rung.oracles.BOHBOracle``.

    Arguments as ``rung.Hyperband``, plus the KDE searcher's options (``min_points``,
    ``top_fraction``, ``random_fraction``, ``num_samples``, ``bandwidth_factor``,
    ``min_bandwidth``), ``full_budget_jobs`` (configurations trained to ``max_epochs``
    without early stopping in each iteration; robust where learning curves cross),
    ``min_agreement`` and ``unverified_weight`` (how far low-budget rankings are trusted
    before they are shown to agree with ``max_epochs``; see ``rung.oracles.BOHBOracle``).
    ``searcher="gp"``: a Gaussian process in the KDE's place (one budget at a time, as the KDE).

    Example::

        if __name__ == "__main__":  # worker processes import this script again
            tuner = rung.BOHB(run_trial=train, objective="val_loss", max_epochs=81, factor=3,
                              directory="runs", project_name="bohb")
            tuner.search(workers=4)
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
        min_points: int | None = None,
        top_fraction: float = 0.15,
        random_fraction: float = 1 / 3,
        num_samples: int = 64,
        bandwidth_factor: float = 3.0,
        min_bandwidth: float = 1e-3,
        full_budget_jobs: int | None = None,
        min_agreement: float | None = 0.3,
        unverified_weight: float = 0.2,
        **kwargs: Any,
    ) -> None:
        self._bohb_options: dict[str, Any] = {
            "min_points": min_points, "top_fraction": top_fraction,
            "random_fraction": random_fraction, "num_samples": num_samples,
            "bandwidth_factor": bandwidth_factor, "min_bandwidth": min_bandwidth,
            "full_budget_jobs": full_budget_jobs, "min_agreement": min_agreement,
            "unverified_weight": unverified_weight,
        }
        super().__init__(
            hypermodel, objective, max_epochs, factor, hyperband_iterations, seed,
            hyperparameters, tune_new_entries, allow_new_entries, max_retries_per_trial,
            max_consecutive_failed_trials, parallel_brackets, searcher, **kwargs,
        )

    def _make_oracle(self, **arguments: Any) -> BOHBOracle:
        return BOHBOracle(**arguments, **self._bohb_options)
