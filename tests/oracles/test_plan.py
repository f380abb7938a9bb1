"""``plan_from_settings`` gives every built-in oracle's ``budget()`` from its stored settings."""

from __future__ import annotations

import json

import pytest

from rung.oracles import (
    ASHAOracle,
    BayesianOptimizationOracle,
    BOHBOracle,
    Budget,
    HyperbandOracle,
    Oracle,
    RandomSearchOracle,
    SuccessiveHalvingOracle,
    plan_from_settings,
)
from rung.oracles.plan import ReplacedBracket, replaced_brackets

ORACLES = [
    HyperbandOracle(objective="loss", max_epochs=27, factor=3),
    HyperbandOracle(objective="loss", max_epochs=81, factor=3, hyperband_iterations=2),
    HyperbandOracle(objective="loss", max_epochs=10, factor=2, hyperband_iterations=None),
    SuccessiveHalvingOracle(objective="loss", max_epochs=27, factor=3, bracket=1),
    BOHBOracle(objective="loss", max_epochs=27, factor=3, full_budget_jobs=7),
    BOHBOracle(objective="loss", max_epochs=9, factor=3),
    ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=12, mode="stopping"),
    ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=12),
    RandomSearchOracle(objective="loss", max_trials=5),
    RandomSearchOracle(objective="loss", max_trials=5, epochs=4),
    BayesianOptimizationOracle(objective="loss", max_trials=6),
]


def _by_s(budget: Budget) -> dict[int, object]:
    return {b.s: b.rungs for b in budget.brackets}  # BOHB may run s = 0 second


@pytest.mark.parametrize("oracle", ORACLES, ids=lambda o: type(o).__name__)
def test_the_plan_from_stored_settings_is_the_oracles_budget(oracle: Oracle) -> None:
    stored = json.loads(json.dumps(oracle.settings()))  # as a project keeps them
    plan, budget = plan_from_settings(stored), oracle.budget()
    assert (plan.jobs, plan.epochs, plan.iterations) == (budget.jobs, budget.epochs,
                                                         budget.iterations)
    assert plan.epochs_without_continuation == budget.epochs_without_continuation
    assert _by_s(plan) == _by_s(budget)


def test_a_subclass_gets_its_parents_plan() -> None:
    class Mine(HyperbandOracle):
        pass

    oracle = Mine(objective="loss", max_epochs=9, factor=3)
    assert plan_from_settings(oracle.settings()) == oracle.budget()


@pytest.mark.parametrize("settings", [None, {}, {"oracle": "Unknown"},
                                      {"max_epochs": "9", "factor": 3, "hyperband_iterations": 1}])
def test_missing_or_unknown_settings_give_an_unknown_plan(settings: object) -> None:
    plan = plan_from_settings(settings)  # type: ignore[arg-type]
    assert (plan.jobs, plan.epochs, plan.brackets) == (0, None, ())


def _stored(oracle: Oracle) -> dict:
    return json.loads(json.dumps(oracle.settings()))


BOHB_9 = BOHBOracle(objective="loss", max_epochs=9, factor=3)  # runs s=2, s=0, s=1; s=0: 3 jobs


def test_replaced_brackets_hand_bohbs_extra_full_budget_jobs_to_brackets_without_jobs() -> None:
    """Bracket s=1 (5x3 then 1x9: 21 epochs) runs as 21 // 9 = 2 full-budget jobs; s=2 (21
    epochs too) as 2; the jobs in bracket s=0 go, in run order, to the brackets missing."""
    settings = _stored(BOHB_9)
    assert replaced_brackets(settings, {(0, 2): 9, (0, 0): 5}) == [
        ReplacedBracket(iteration=0, s=1, jobs=2, started=2)]
    assert replaced_brackets(settings, {(0, 2): 9, (0, 0): 4}) == [
        ReplacedBracket(iteration=0, s=1, jobs=2, started=1)]  # its second job is to come
    assert replaced_brackets(settings, {(0, 2): 9, (0, 0): 3}) == []  # s=1 has not started
    assert replaced_brackets(settings, {(0, 2): 9, (0, 0): 3, (0, 1): 5}) == []
    # iteration 1 opens s=2 (the first bracket) as full-budget jobs, before s=0 starts
    assert replaced_brackets(settings, {(0, 2): 9, (0, 0): 3, (0, 1): 5, (1, 0): 1}) == [
        ReplacedBracket(iteration=1, s=2, jobs=2, started=1)]
    assert replaced_brackets(settings, {(1, 0): 2 + 3 + 2}) == [
        ReplacedBracket(1, 2, 2, 2), ReplacedBracket(1, 1, 2, 2)]


@pytest.mark.parametrize("settings", [
    _stored(HyperbandOracle(objective="loss", max_epochs=9, factor=3)),
    {**_stored(BOHB_9), "min_agreement": None},  # BOHB as published: every bracket as planned
    None,
], ids=["Hyperband", "BOHB as published", "no settings"])
def test_only_bohb_checking_agreement_replaces_brackets(settings: dict | None) -> None:
    assert replaced_brackets(settings, {(0, 0): 5}) == []


def test_oracle_api_misuse_is_named() -> None:
    """A misspelt argument names the oracle and the nearest argument; an ``epochs_reached``
    outside the job's range is refused (the job stays pending); a state saved by an oracle made
    with other settings is refused, one with only a resumable setting changed loads."""
    import pytest

    import rung
    from rung.errors import ArgumentTypeError, ConfigurationError

    with pytest.raises(ArgumentTypeError, match=r"HyperbandOracle got unknown argument\(s\) "
                                                r"max_epoch=9 \(did you mean max_epochs=\?\)"):
        rung.oracles.HyperbandOracle(objective="loss", max_epoch=9)
    oracle = rung.oracles.HyperbandOracle(objective="loss", max_epochs=9, seed=0)
    job = oracle.ask()
    assert job is not None
    with pytest.raises(ConfigurationError, match=r"epochs_reached must be an epoch of job 00000's "
                                                 r"range, 0 to 1, got 100"):
        oracle.tell(job.trial_id, {"loss": 1.0}, epochs_reached=100)
    assert job.trial_id in oracle.pending
    oracle.tell(job.trial_id, {"loss": 1.0})
    other = rung.oracles.HyperbandOracle(objective="loss", max_epochs=27, seed=0)
    with pytest.raises(ConfigurationError, match="max_epochs: state 9, this oracle 27"):
        other.load_state_dict(oracle.state_dict(), oracle.records)
    reseeded = rung.oracles.HyperbandOracle(objective="loss", max_epochs=9, seed=1)
    reseeded.load_state_dict(oracle.state_dict(), oracle.records)
    assert reseeded.ask() == oracle.ask()


def test_an_open_ended_single_fidelity_search_says_why_its_plan_has_no_end() -> None:
    """With max_trials=None the plan is not "known after the results" (ASHA's promotions):
    nothing ends it but the search's own limits, which the line names."""
    for oracle in (BayesianOptimizationOracle(objective="loss", max_trials=None),
                   RandomSearchOracle(objective="loss", max_trials=None)):
        head = oracle.budget().describe().splitlines()[0]
        assert head.startswith("planned: no end (max_trials=None") and "max_time" in head, head


@pytest.mark.parametrize(("mode", "expected"), [
    ("promotion", "planned: not known in advance (ASHA promotes as results arrive; "
                  "search(max_time=..., max_epochs_total=...) or Ctrl-C end it sooner): "
                  "20 configurations, rungs at 3, 9, 27 epochs: at most 60 jobs and 540 epochs"),
    ("stopping", "planned: 20 jobs; each stopped at a rung (3, 9, 27 epochs) or trained to 27: "
                 "at most 540 epochs"),
])
def test_asha_plans_say_their_rungs_and_upper_bounds(mode: str, expected: str) -> None:
    """ASHA's totals depend on the results, but its rungs and the most it can cost do not;
    the stored settings give the same plan (``rung status`` of the project)."""
    oracle = ASHAOracle(objective="loss", max_epochs=27, factor=3, min_epochs=2, mode=mode,
                        max_trials=20)
    assert oracle.budget().describe() == expected
    assert plan_from_settings(oracle.state_dict()["settings"]) == oracle.budget()
