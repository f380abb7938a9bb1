"""The plan a tuner stores with the settings where their arithmetic does not give the oracle's
``budget()`` (an oracle of one's own, a grid smaller than ``max_trials``; rung.oracles.stored_plan):
read back by ``plan_from_settings``, and never compared on resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import rung
from native_oracle_example import documented_oracle as short_then_long
from native_oracle_example import lr_space as space
from native_oracle_example import train
from rung.cli import main
from rung.errors import ProjectMismatchError
from rung.oracles import Budget, HyperbandOracle, RandomSearchOracle, plan_from_settings
from rung.oracles.plan import settings_give_plan
from rung.oracles.schedule import ASHA_OPEN_ENDED, bracket_plan
from rung.oracles.stored_plan import PLAN_KEY, budget_from_json, budget_to_json


def tuner(directory: Path, **kwargs: Any) -> rung.Tuner:
    oracle = short_then_long()(objective="loss", hyperparameters=space(), seed=0, **kwargs)
    return rung.Tuner(oracle, run_trial=train, directory=str(directory), project_name="p",
                      verbose=0)


@pytest.mark.parametrize("budget", [
    Budget(jobs=10, epochs=36),
    Budget(jobs=0, epochs=None),
    Budget(jobs=0, epochs=None, open_ended=ASHA_OPEN_ENDED),
    Budget(jobs=5, epochs=None, bounds="at most 45 epochs"),
    HyperbandOracle(objective="loss", max_epochs=27, factor=3, hyperband_iterations=2).budget(),
    Budget(jobs=0, epochs=None, brackets=(bracket_plan(9, 3, 1),), iterations=None),
], ids=lambda b: f"{b.jobs}-{b.epochs}-{len(b.brackets)}-{b.iterations}")
def test_a_budget_comes_back_from_its_json(budget: Budget) -> None:
    assert budget_from_json(json.loads(json.dumps(budget_to_json(budget)))) == budget


def test_numpy_counts_are_stored_as_ints() -> None:
    import numpy as np

    data = budget_to_json(Budget(jobs=np.int64(10), epochs=np.int64(36)))  # type: ignore[arg-type]
    assert json.dumps(data) == '{"jobs": 10, "epochs": 36}'


@pytest.mark.parametrize("data", [None, 10, "10 jobs", {}, {"jobs": "10"}, {"jobs": True},
                                  {"jobs": -1}, {"jobs": 3, "epochs": 2.5},
                                  {"jobs": 3, "iterations": 0}, {"jobs": 3, "bounds": 1},
                                  {"jobs": 3, "brackets": [{"s": 1, "rungs": []}]},
                                  {"jobs": 3, "brackets": [{"iteration": 0, "s": 1,
                                                            "rungs": [[0, 1, 2]]}]}])
def test_anything_else_is_no_plan(data: object) -> None:
    assert budget_from_json(data) is None
    settings = {"oracle": "Mine", "n": 3, PLAN_KEY: data}
    assert plan_from_settings(settings) == Budget(jobs=0, epochs=None)


def test_a_stored_plan_is_the_plan_and_the_arithmetic_gives_the_rest() -> None:
    for oracle in (HyperbandOracle(objective="loss", max_epochs=9, factor=3),
                   RandomSearchOracle(objective="loss", max_trials=4),
                   RandomSearchOracle(objective="loss", max_trials=None)):
        settings = oracle.settings()
        assert settings_give_plan(settings)
        stored = {**settings, PLAN_KEY: budget_to_json(Budget(jobs=3, epochs=None))}
        assert plan_from_settings(stored) == Budget(jobs=3, epochs=None)
    native = short_then_long()(objective="loss", hyperparameters=space()).settings()
    assert not settings_give_plan(native) and not settings_give_plan({})
    assert plan_from_settings(native) == Budget(jobs=0, epochs=None)
    assert plan_from_settings({**native, PLAN_KEY: {"jobs": 10, "epochs": 36}}) == Budget(
        jobs=10, epochs=36)


def test_settings_give_the_plan_only_where_it_is_the_oracles_budget() -> None:
    grid = rung.HyperParameters()
    grid.Choice("x", [1, 2, 3])
    small = rung.oracles.GridSearchOracle(objective="loss", max_trials=5, hyperparameters=grid)
    assert small.budget().jobs == 3  # the space holds 3 configurations, not max_trials=5
    assert settings_give_plan(small.settings())
    assert not settings_give_plan(small.settings(), small.budget())
    hyperband = HyperbandOracle(objective="loss", max_epochs=27, factor=3)
    assert settings_give_plan(hyperband.settings(), hyperband.budget())


def test_a_grid_smaller_than_max_trials_is_planned_as_the_grid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def choose(trial: rung.Trial) -> dict[str, float]:  # declares the space in its first trial
        return {"loss": float(trial.hyperparameters.Choice("x", [1, 2, 3]))}

    search = rung.GridSearch(run_trial=choose, objective="loss", max_trials=5,
                             directory=str(tmp_path), project_name="g", verbose=0)
    search.search()
    stored = search.storage.get_settings()
    assert stored is not None and stored[PLAN_KEY] == {"jobs": 3, "epochs": None}  # at its end
    assert plan_from_settings(stored) == search.oracle.budget() == Budget(jobs=3, epochs=None)
    search.storage.close()
    assert main(["status", str(tmp_path / "g")]) == 0  # it said "3 of 5 planned (60%)"
    assert "jobs: 3 of 3 planned (100%): 3 completed" in capsys.readouterr().out
    again = rung.GridSearch(run_trial=choose, objective="loss", max_trials=5,
                            directory=str(tmp_path), project_name="g", verbose=0)
    again.search()  # finished: runs nothing, keeps the plan
    assert again.storage.count_trials() == 3
    assert plan_from_settings(again.storage.get_settings()).jobs == 3
    again.storage.close()


def test_a_tuner_stores_a_native_oracles_plan_when_the_search_starts(tmp_path: Path) -> None:
    first = tuner(tmp_path)
    first.search(max_epochs_total=6)  # two first-stage jobs of 3 epochs
    stored = first.storage.get_settings()
    assert stored is not None and stored[PLAN_KEY] == {"jobs": 10, "epochs": 36}
    assert plan_from_settings(stored) == first.oracle.budget()
    assert {k: v for k, v in stored.items() if k != PLAN_KEY} == first.oracle.settings()
    first.storage.close()


def test_a_built_in_oracles_settings_carry_no_plan(tmp_path: Path) -> None:
    search = rung.Tuner(RandomSearchOracle(objective="loss", max_trials=2, seed=0, epochs=2,
                                           hyperparameters=space()),
                        run_trial=train, directory=str(tmp_path), project_name="p", verbose=0)
    search.search()
    assert search.storage.get_settings() == search.oracle.settings()
    search.storage.close()


def test_the_stored_plan_never_stops_a_resume(tmp_path: Path) -> None:
    class Resizable(short_then_long()):  # type: ignore[misc,valid-type]
        resumable_settings = frozenset({"seed", "n"})

    def resizable(n: int) -> rung.Tuner:
        oracle = Resizable(objective="loss", hyperparameters=space(), seed=0, n=n)
        return rung.Tuner(oracle, run_trial=train, directory=str(tmp_path), project_name="p",
                          verbose=0)

    first = resizable(4)
    first.search(max_epochs_total=6)
    assert first.storage.get_settings()[PLAN_KEY] == {"jobs": 6, "epochs": 24}
    first.storage.close()
    # a raised n changes the plan, which is no setting: the search resumes with its new plan
    again = resizable(6)
    assert again.storage.count_trials() == 2
    again.search()
    assert again.storage.count_trials() == 8
    assert again.storage.get_settings()[PLAN_KEY] == {"jobs": 8, "epochs": 30}
    # another setting that may not change is named alone, not the plan
    with pytest.raises(ProjectMismatchError, match=r"created with other settings \(keep: "
                                                   r"stored 2, now 3\)"):
        rung.Tuner(Resizable(objective="loss", hyperparameters=space(), seed=0, n=6, keep=3),
                   run_trial=train, directory=str(tmp_path), project_name="p", verbose=0)
    # a project stored before plans were (no plan in its settings) resumes as before
    settings = again.storage.get_settings()
    again.storage.set_settings({k: v for k, v in settings.items() if k != PLAN_KEY})
    again.storage.close()
    old = resizable(6)
    assert old.storage.get_settings() == old.oracle.settings()
    old.search()
    assert old.storage.count_trials() == 8
    assert old.storage.get_settings()[PLAN_KEY] == {"jobs": 8, "epochs": 30}
    old.storage.close()


def test_an_oracle_that_names_plan_as_its_own_setting_keeps_it(tmp_path: Path) -> None:
    class OwnPlan(short_then_long()):  # type: ignore[misc,valid-type]
        def _settings(self) -> dict[str, Any]:
            return {**super()._settings(), "plan": "two stages"}

    def make() -> rung.Tuner:
        return rung.Tuner(OwnPlan(objective="loss", hyperparameters=space(), seed=0),
                          run_trial=train, directory=str(tmp_path), project_name="p",
                          verbose=0)

    first = make()
    first.search(max_epochs_total=3)
    assert first.storage.get_settings()["plan"] == "two stages"
    first.storage.close()
    again = make()  # resumes: compared as a setting, as any other
    assert again.storage.get_settings() == again.oracle.settings()
    again.storage.close()
