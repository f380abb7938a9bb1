"""BOHB: Hyperband's brackets, with configurations proposed by the KDE searcher."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.objective import ObjectiveLike
from rung.oracles._brackets import Bracket
from rung.oracles.hyperband import HyperbandOracle
from rung.oracles.schedule import BracketPlan, RungPlan, bracket_plan
from rung.searchers import GPSearcher, KDESearcher, Observation, RankAgreement, Searcher
from rung.searchers.agreement import check_threshold
from rung.validation import check_fraction, check_optional_int

__all__ = ["BOHBOracle"]

_UNVERIFIED_WEIGHT = 0.2  # the default share of proposals from a budget not shown to agree


def _where_options_go(given: Any, changed: list[str]) -> str:
    """Where the KDE options given next to another ``searcher=`` belong."""
    if given == "gp":
        return "they apply to the KDE only: drop them, or pass searcher=GPSearcher(...) with its own"
    if isinstance(given, KDESearcher | GPSearcher):
        name = type(given).__name__
        own = [k for k in changed if hasattr(given, k)]
        foreign = [k for k in changed if k not in own]
        if own and foreign:
            return (f"{own} the searcher given has its own: pass them to it "
                    f"({name}({own[0]}=...)); {foreign} {name} has not: drop them")
        if own:
            return (f"the searcher given has its own: pass them to it ({name}({own[0]}=...)) or "
                    "drop them")
        return f"{name} has no such options: drop them"
    return ("they apply to the KDE only: pass them to it (searcher=KDESearcher("
            f"{changed[0]}=...)) or drop searcher=")


class BOHBOracle(HyperbandOracle):
    """BOHB: Hyperband whose new configurations come from ``rung.searchers.KDESearcher``.

    Falkner, Klein, Hutter. "BOHB: Robust and Efficient Hyperparameter Optimization at Scale",
    ICML 2018. The scheduling is Hyperband's (``HyperbandOracle``); the searcher models the
    results of every budget and proposes from the largest budget with enough of them.

    Where learning curves cross (a configuration bad after few epochs is best after
    ``max_epochs``), BOHB as published learns the misleading low-budget ranking. rung's
    departs from it in three ways, all driven by ``rung.searchers.RankAgreement`` (Kendall's
    tau between each budget's ranking and the top budget's, on configurations seen at both,
    from every epoch each job reports), and all off with ``min_agreement=None``:

    * the full-budget bracket (``s = 0``) runs second, right after the most aggressive one,
      and its configurations come from a model only of budgets shown to rank as
      ``max_epochs`` does (random until then), so the agreement of every budget with
      ``max_epochs`` is measured on unbiased configurations early;
    * the KDE skips a budget whose ranking disagrees with the top budget's (tau below
      ``min_agreement``), and models a budget not yet shown to agree with ``max_epochs``
      for only a share ``unverified_weight`` of its proposals (the others come from a
      budget shown to agree, or at random as in Hyperband): the first bracket, which
      starts before any configuration has reached ``max_epochs``, hedges between
      Hyperband and BOHB instead of betting on one-epoch rankings;
    * a bracket whose first rung's epochs disagree with ``max_epochs`` is not opened as
      planned: its epochs go to full-budget jobs instead (``plan.epochs // max_epochs`` of
      them), so the search never spends more epochs than ``budget()`` says, but may run fewer
      jobs.

    Args:
        max_epochs, factor, hyperband_iterations, parallel_brackets: as ``HyperbandOracle``.
        min_points, top_fraction, random_fraction, num_samples, bandwidth_factor,
            min_bandwidth: the KDE searcher's options (see ``KDESearcher``); or pass
            ``searcher=KDESearcher(...)`` (or any searcher) instead. ``searcher="gp"`` puts a
            Gaussian process in the KDE's place (``GPSearcher(per_budget=True)``, with
            ``random_fraction`` and ``min_agreement``): one budget modelled at a time, as the
            KDE; on continuous spaces it finds better configurations for the same epochs
            (docs/sample-efficiency.md).
        full_budget_jobs: how many configurations the least aggressive bracket (``s = 0``)
            trains to ``max_epochs`` with no early stopping; ``None``: Hyperband's
            ``s_max + 1``. Raising it makes the search robust where learning curves cross
            (a configuration that is bad early and best late is never halved away in that
            bracket, and the model's largest budget, ``max_epochs``, fills sooner), at the
            cost of ``max_epochs`` epochs per extra configuration.
        min_agreement: the smallest Kendall tau (between -1 and 1) at which a lower budget
            counts as ranking like a higher one (default 0.3, judged on at least 5
            configurations); None: BOHB as published.
        unverified_weight: the share of model-based proposals (0 to 1, default 0.2) that may
            use a budget not yet shown to agree with ``max_epochs``; 1 trusts every budget
            that is not shown to mislead, 0 none until shown to agree.
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
        min_agreement: float | None = 0.3,
        unverified_weight: float = _UNVERIFIED_WEIGHT,
        **kwargs: Any,
    ) -> None:
        check_threshold("BOHBOracle min_agreement", min_agreement, allow_none=True)
        options = {"min_points": min_points, "top_fraction": top_fraction,
                   "random_fraction": random_fraction, "num_samples": num_samples,
                   "bandwidth_factor": bandwidth_factor, "min_bandwidth": min_bandwidth}
        kde = KDESearcher(min_points, top_fraction, random_fraction, num_samples,
                          bandwidth_factor, min_bandwidth, min_agreement)
        given = searcher
        if searcher == "kde":  # the KDE built from the options above (min_agreement included)
            searcher = None
        if searcher == "gp":  # a GP in the KDE's place, with BOHB's random share and agreement
            searcher = GPSearcher(per_budget=True, random_fraction=random_fraction,
                                  min_agreement=kde.min_agreement)
            options.pop("random_fraction")
        if searcher is not None:
            changed = [k for k, v in options.items() if v != getattr(KDESearcher(), k)]
            if changed:
                raise ConfigurationError(
                    f"BOHBOracle got searcher={given!r} and the KDE options {changed}: "
                    f"{_where_options_go(given, changed)}")
            if unverified_weight != _UNVERIFIED_WEIGHT and not isinstance(searcher, KDESearcher | GPSearcher):
                raise ConfigurationError(
                    f"BOHBOracle got unverified_weight={unverified_weight!r} with "
                    f"searcher={given!r}: it weighs the budgets a model learns from, and only the "
                    "KDE and GP searchers model budgets; drop unverified_weight (or use "
                    "searcher='kde' or 'gp')")
        self.min_agreement = kde.min_agreement
        self.unverified_weight = check_fraction("BOHBOracle unverified_weight", unverified_weight)
        self._agreement = RankAgreement(threshold=self.min_agreement or 0.0)
        self.full_budget_jobs = check_optional_int(
            "full_budget_jobs", full_budget_jobs, 1, "None keeps Hyperband's s_max + 1")
        super().__init__(
            objective=objective, max_epochs=max_epochs, factor=factor,
            hyperband_iterations=hyperband_iterations, seed=seed,
            hyperparameters=hyperparameters, parallel_brackets=parallel_brackets,
            searcher=kde if searcher is None else searcher, **kwargs)

    def _make_cycle(self) -> list[BracketPlan]:
        cycle = super()._make_cycle()
        if self.full_budget_jobs is not None:
            last = bracket_plan(self.max_epochs, self.factor, 0)
            rung = RungPlan(index=0, jobs=self.full_budget_jobs, epochs=self.max_epochs,
                            initial_epoch=0)
            cycle = [*cycle[:-1], replace(last, rungs=(rung,))]
        if self.min_agreement is None or len(cycle) <= 2:
            return cycle
        # The full-budget bracket second: its configurations, trained to max_epochs with no
        # early stopping and proposed by no unverified low-budget model, measure how well
        # every lower budget ranks (RankAgreement) before the other brackets bet on it.
        return [cycle[0], cycle[-1], *cycle[1:-1]]

    # --- brackets where low budgets mislead -------------------------------------------------
    @property
    def _observes(self) -> bool:
        return True  # the rank agreement learns from every report, whatever the searcher

    def _observe(self, observation: Observation) -> None:
        self._agreement.observe(observation)
        super()._observe(observation)

    def _replay(self, observations: Iterable[Observation]) -> None:
        observations = list(observations)
        for item in observations:
            self._agreement.observe(item)
        super()._replay(observations)

    def _suggest(self, bracket: Bracket, exclude: set[str]) -> dict[str, Any] | None:
        if not isinstance(self.searcher, KDESearcher | GPSearcher):
            return super()._suggest(bracket, exclude)
        # the full-budget bracket trusts only budgets shown to agree with max_epochs; the
        # others, for a share unverified_weight of their proposals, any that does not mislead
        weight = 0.0 if bracket.s == 0 else self.unverified_weight
        with self.searcher.for_budget(self.max_epochs, unverified_weight=weight):
            return super()._suggest(bracket, exclude)

    def _open_bracket(self, iteration: int, plan: BracketPlan) -> Bracket:
        """Where the ranking after the bracket's first rung's epochs disagrees with the one at
        ``max_epochs`` (``RankAgreement.misleads``), the bracket's epochs go to full-budget
        jobs instead: as many as fit in them, no early stopping."""
        first = plan.rungs[0].epochs
        if self.min_agreement is None or plan.s == 0 or first >= self.max_epochs:
            return super()._open_bracket(iteration, plan)
        if not self._agreement.misleads(first, self.max_epochs):
            return super()._open_bracket(iteration, plan)
        return Bracket(iteration=iteration, s=0, target=plan.full_budget_jobs, replaces=plan.s)

    # projects stored before these two were saved resume without comparing them
    added_settings = HyperbandOracle.added_settings | {"min_agreement", "unverified_weight"}

    def _settings(self) -> dict[str, Any]:
        return {**super()._settings(), "full_budget_jobs": self.full_budget_jobs,
                "min_agreement": self.min_agreement, "unverified_weight": self.unverified_weight}

