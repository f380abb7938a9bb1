"""RankAgreement: Kendall's tau between budgets, on configurations seen at both."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.searchers import KDESearcher, Observation, RankAgreement
from rung.trial_record import TrialStatus


def _obs(trial_id: str, x: float, budget: int, loss: float | None,
         status: TrialStatus = TrialStatus.RUNNING) -> Observation:
    return Observation(trial_id=trial_id, values={"x": x}, budget=budget, loss=loss,
                       status=status)


def _feed(agreement: RankAgreement, curves: dict[float, dict[int, float]]) -> None:
    for x, curve in curves.items():
        for budget, loss in sorted(curve.items()):
            agreement.observe(_obs(f"t{x}", x, budget, loss))  # one trial per configuration


def test_tau_counts_configurations_seen_at_both_budgets() -> None:
    agreement = RankAgreement(min_pairs=3)
    # same order at 1 and 9, reversed at 27; x=0.9 never reached 27
    _feed(agreement, {0.1: {1: 0.1, 9: 0.1, 27: 0.9}, 0.2: {1: 0.2, 9: 0.2, 27: 0.8},
                      0.3: {1: 0.3, 9: 0.3, 27: 0.7}, 0.9: {1: 0.4, 9: 0.4}})
    assert agreement.tau(1, 9) == (pytest.approx(1.0), 4)
    assert agreement.tau(1, 27) == (pytest.approx(-1.0), 3)
    assert agreement.agrees(1, 9) and not agreement.misleads(1, 9)
    assert agreement.misleads(1, 27) and not agreement.agrees(1, 27)
    assert agreement.top_budget() == 27


def test_too_few_pairs_neither_misleads_nor_agrees() -> None:
    agreement = RankAgreement(min_pairs=5, threshold=0.3)
    _feed(agreement, {x: {1: x, 27: -x} for x in (0.1, 0.2, 0.3, 0.4)})
    assert agreement.tau(1, 27) == (pytest.approx(-1.0), 4)
    assert not agreement.misleads(1, 27) and not agreement.agrees(1, 27)
    _feed(agreement, {0.5: {1: 0.5, 27: -0.5}})
    assert agreement.misleads(1, 27)


def test_a_promoted_job_continues_its_parents_curve() -> None:
    """A child trial has another id but the same values: its reports extend the parent's."""
    agreement = RankAgreement(min_pairs=3)
    for i, x in enumerate((0.1, 0.2, 0.3)):
        agreement.observe(_obs(f"p{i}", x, 1, x, TrialStatus.COMPLETED))
        agreement.observe(_obs(f"c{i}", x, 3, 1 - x, TrialStatus.COMPLETED))
    assert agreement.tau(1, 3) == (pytest.approx(-1.0), 3)


def test_a_trial_observed_again_with_other_values_moves_its_points() -> None:
    """Define-by-run: a job reports with the values it was asked with, then at its tell the
    oracle observes its reports again with the values it used (a hyperparameter declared on
    the way): its points leave the old curve, as a resume replays them under the new values
    only. A parent's points under the old values stay where they are."""
    def obs(trial_id: str, values: dict[str, float], budget: int, loss: float) -> Observation:
        return Observation(trial_id=trial_id, values=values, budget=budget, loss=loss,
                           status=TrialStatus.RUNNING)

    live, replayed = RankAgreement(min_pairs=3), RankAgreement(min_pairs=3)
    for i, x in enumerate((0.1, 0.2, 0.3)):
        asked, used = {"x": x}, {"x": x, "units": 4}
        live.observe(obs(f"p{i}", asked, 1, x))  # a parent that declared nothing new
        replayed.observe(obs(f"p{i}", asked, 1, x))
        for budget in (2, 3):
            live.observe(obs(f"t{i}", asked, budget, budget * x))
        for budget in (2, 3):
            live.observe(obs(f"t{i}", used, budget, budget * x))  # observed again at the tell
            replayed.observe(obs(f"t{i}", used, budget, budget * x))
    assert live._losses == replayed._losses
    assert live.tau(1, 3) == replayed.tau(1, 3) == (pytest.approx(math.nan, nan_ok=True), 0)
    assert live.tau(2, 3) == (pytest.approx(1.0), 3)


def test_failed_jobs_and_constant_losses() -> None:
    agreement = RankAgreement(min_pairs=3)
    agreement.observe(_obs("f", 0.5, 3, None, TrialStatus.FAILED))
    _feed(agreement, {x: {1: x, 3: 1.0} for x in (0.1, 0.2, 0.3)})
    tau, n = agreement.tau(1, 3)
    assert n == 3 and math.isnan(tau)
    assert agreement.misleads(1, 3)  # a constant side is no agreement


def test_thresholds_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="threshold.*between -1 and 1.*got 2"):
        RankAgreement(threshold=2)
    with pytest.raises(ConfigurationError, match="min_pairs"):
        RankAgreement(min_pairs=1)
    with pytest.raises(ConfigurationError, match="min_agreement"):
        KDESearcher(min_agreement=-3)
    assert KDESearcher(min_agreement=None).min_agreement is None


def _kde_with_crossing_data(min_agreement: float | None) -> KDESearcher:
    """20 configurations at 1 epoch (best: small x), the first 6 also at 27 (best: large x)."""
    kde = KDESearcher(min_points=2, min_agreement=min_agreement)
    for i in range(20):
        x = i / 20
        kde.observe(_obs(f"a{i}", x, 1, x, TrialStatus.COMPLETED))
        if i < 6:
            kde.observe(_obs(f"b{i}", x, 27, 1 - x, TrialStatus.COMPLETED))
    return kde


def test_kde_skips_a_budget_that_ranks_against_the_top_one() -> None:
    # both budgets have enough results (> min_points); 1 epoch's ranking contradicts 27's
    assert _kde_with_crossing_data(None).model_budget(dims=1) == 27
    kde = _kde_with_crossing_data(0.3)
    assert kde.model_budget(dims=1) == 27
    kde.min_points = 6  # 27 has too few results now: 1 misleads, so no model (random)
    assert kde.model_budget(dims=1) is None
    plain = _kde_with_crossing_data(None)
    plain.min_points = 6
    assert plain.model_budget(dims=1) == 1  # without the check, BOHB models the misleading one


def test_kde_for_budget_needs_evidence_of_agreement() -> None:
    kde = KDESearcher(min_points=5)  # a budget is modelled from 6 results
    for i in range(10):
        kde.observe(_obs(f"a{i}", i / 10, 1, i / 10, TrialStatus.COMPLETED))
    assert kde.model_budget(dims=1) == 1  # nothing contradicts 1 epoch yet
    with kde.for_budget(27):
        assert kde.model_budget(dims=1) is None  # nothing shows it agrees with 27 either
    for i in range(5):
        kde.observe(_obs(f"b{i}", i / 10, 27, i / 10, TrialStatus.COMPLETED))
    with kde.for_budget(27):
        assert kde.model_budget(dims=1) == 1  # shown to agree (tau 1 on 5 pairs)
    kde.observe(_obs("b5", 0.5, 27, 0.5, TrialStatus.COMPLETED))
    with kde.for_budget(27):
        assert kde.model_budget(dims=1) == 27  # enough results at 27 itself


def _proposals_near_the_good_end(weight: float | None) -> int:
    """Of 300 proposals from 1-epoch results that favour x < 0.1 and have not been checked
    against 27 epochs, how many land at x < 0.1 (None: outside ``for_budget``)."""
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    kde = KDESearcher(min_points=5, random_fraction=0.0)
    for i in range(40):
        kde.observe(_obs(f"a{i}", i / 40, 1, i / 40, TrialStatus.COMPLETED))
    rng = np.random.default_rng(0)
    near = 0
    for _ in range(300):
        if weight is None:
            values = kde.suggest(hp, rng, set())
        else:
            with kde.for_budget(27, unverified_weight=weight):
                values = kde.suggest(hp, rng, set())
        assert values is not None
        near += values["x"] < 0.1
    return near


def test_for_budget_models_an_unverified_budget_for_a_share_of_the_proposals() -> None:
    # random proposals land at x < 0.1 a tenth of the time (about 30 of 300); the model of
    # the 1-epoch results, most of the time
    trusted, never, share = (_proposals_near_the_good_end(w) for w in (1.0, 0.0, 0.2))
    assert trusted > 200 and trusted == _proposals_near_the_good_end(None)
    assert never < 50
    assert never + 30 < share < trusted - 100  # about 0.2 * trusted + 0.8 * never
    with (pytest.raises(ConfigurationError, match="unverified_weight.*between 0 and 1"),
          KDESearcher().for_budget(27, unverified_weight=1.5)):
        pass
