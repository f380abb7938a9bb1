from __future__ import annotations

import pytest

from rung.oracles import ASHAOracle, HyperbandOracle, SuccessiveHalvingOracle
from rung.oracles.bohb import BOHBOracle
from rung.report.plan import search_plan


@pytest.mark.parametrize("oracle", [
    HyperbandOracle(objective="val_loss", max_epochs=81, factor=3, hyperband_iterations=2),
    HyperbandOracle(objective="val_loss", max_epochs=10, factor=2),
    SuccessiveHalvingOracle(objective="val_loss", max_epochs=27, factor=3, bracket=2),
    BOHBOracle(objective="val_loss", max_epochs=27, factor=3),
    BOHBOracle(objective="val_loss", max_epochs=9, factor=3, full_budget_jobs=5),
])
def test_the_plan_from_settings_is_the_oracles_budget(oracle: HyperbandOracle) -> None:
    plan = search_plan(oracle.settings())
    budget = oracle.budget()
    assert plan.algorithm == type(oracle).__name__
    assert plan.brackets == budget.brackets
    assert (plan.jobs, plan.epochs, plan.iterations) == (budget.jobs, budget.epochs,
                                                         budget.iterations)
    assert plan.bracket(plan.brackets[0].s) == plan.brackets[0]
    assert plan.bracket(99) is None


def test_endless_hyperband_has_brackets_but_no_totals() -> None:
    oracle = HyperbandOracle(objective="val_loss", max_epochs=9, factor=3,
                             hyperband_iterations=None)
    plan = search_plan(oracle.settings())
    assert plan.iterations is None and plan.jobs is None and plan.epochs is None
    assert [b.s for b in plan.brackets] == [2, 1, 0] and plan.rung_epochs == (1, 3, 9)


def test_asha_has_rungs_but_no_brackets() -> None:
    promotion = search_plan(ASHAOracle(objective="val_loss", max_epochs=81, factor=3,
                                              min_epochs=3).settings())
    assert promotion.brackets == () and promotion.rung_epochs == (3, 9, 27, 81)
    assert promotion.jobs is None  # promotions depend on the order results arrive
    stopping = search_plan(ASHAOracle(objective="val_loss", max_epochs=9, factor=3,
                                             max_trials=7, mode="stopping").settings())
    assert stopping.jobs == 7


def test_single_fidelity_and_unknown_settings() -> None:
    plan = search_plan({"oracle": "RandomSearchOracle", "max_trials": 12, "epochs": 5})
    assert (plan.brackets, plan.jobs, plan.epochs) == ((), 12, 60)
    for settings in (None, {}, {"max_epochs": "x", "factor": 3}, {"max_epochs": 9, "factor": 1}):
        plan = search_plan(settings)
        assert plan.brackets == () and plan.jobs is None
