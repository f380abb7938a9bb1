"""BOHB: Hyperband's brackets, with configurations proposed by the KDE searcher."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.objective import ObjectiveLike
from rung.oracles.hyperband import HyperbandOracle
from rung.oracles.schedule import BracketPlan, RungPlan, bracket_plan
from rung.searchers import KDESearcher, Searcher
from rung.validation import check_optional_int

__all__ = ["BOHBOracle"]


class BOHBOracle(HyperbandOracle):
    """BOHB: Hyperband whose new configurations come from ``rung.searchers.KDESearcher``.

    Falkner, Klein, Hutter. "BOHB: Robust and Efficient Hyperparameter Optimization at Scale",
    ICML 2018. The scheduling is Hyperband's (``HyperbandOracle``); the searcher models the
    results of every budget and proposes from the largest budget with enough of them.

    Args:
        max_epochs, factor, hyperband_iterations, parallel_brackets: as ``HyperbandOracle``.
        min_points, top_fraction, random_fraction, num_samples, bandwidth_factor,
            min_bandwidth: the KDE searcher's options (see ``KDESearcher``); or pass
            ``searcher=KDESearcher(...)`` (or any searcher) instead.
        full_budget_jobs: how many configurations the least aggressive bracket (``s = 0``)
            trains to ``max_epochs`` with no early stopping; ``None``: Hyperband's
            ``s_max + 1``. Raising it makes the search robust where learning curves cross
            (a configuration that is bad early and best late is never halved away in that
            bracket, and the model's largest budget, ``max_epochs``, fills sooner), at the
            cost of ``max_epochs`` epochs per extra configuration.
        **kwargs: ``objective``, ``hyperparameters``, ``seed``, ... (see ``Oracle``).

    Example::

        oracle = BOHBOracle(objective="val_loss", max_epochs=81, factor=3, hyperparameters=hp)
    """

    default_searcher = "kde"

    def __init__(
        self,
        objective: ObjectiveLike = None,
        max_epochs: int = 100,
        factor: int = 3,
        hyperband_iterations: int | None = 1,
        seed: int | None = None,
        hyperparameters: HyperParameters | None = None,
        parallel_brackets: bool = True,
        searcher: Searcher | str | None = None,
        min_points: int | None = None,
        top_fraction: float = 0.15,
        random_fraction: float = 1 / 3,
        num_samples: int = 64,
        bandwidth_factor: float = 3.0,
        min_bandwidth: float = 1e-3,
        full_budget_jobs: int | None = None,
        **kwargs: Any,
    ) -> None:
        options = {"min_points": min_points, "top_fraction": top_fraction,
                   "random_fraction": random_fraction, "num_samples": num_samples,
                   "bandwidth_factor": bandwidth_factor, "min_bandwidth": min_bandwidth}
        kde = KDESearcher(min_points, top_fraction, random_fraction, num_samples,
                          bandwidth_factor, min_bandwidth)
        if searcher is not None:
            changed = [k for k, v in options.items() if v != getattr(KDESearcher(), k)]
            if changed:
                raise ConfigurationError(
                    f"BOHBOracle got searcher={searcher!r} and the KDE options {changed}: "
                    f"pass the options to the searcher (searcher=KDESearcher({changed[0]}=...)) "
                    "or drop searcher=")
        self.full_budget_jobs = check_optional_int(
            "full_budget_jobs", full_budget_jobs, 1, "None keeps Hyperband's s_max + 1")
        super().__init__(
            objective=objective, max_epochs=max_epochs, factor=factor,
            hyperband_iterations=hyperband_iterations, seed=seed,
            hyperparameters=hyperparameters, parallel_brackets=parallel_brackets,
            searcher=kde if searcher is None else searcher, **kwargs)

    def _make_cycle(self) -> list[BracketPlan]:
        cycle = super()._make_cycle()
        if self.full_budget_jobs is None:
            return cycle
        last = bracket_plan(self.max_epochs, self.factor, 0)
        rung = RungPlan(index=0, jobs=self.full_budget_jobs, epochs=self.max_epochs,
                        initial_epoch=0)
        return [*cycle[:-1], replace(last, rungs=(rung,))]

    def _settings(self) -> dict[str, Any]:
        return {**super()._settings(), "full_budget_jobs": self.full_budget_jobs}
