"""ASHA with ``max_trials=None``: no limit on new configurations, as ASHA is run against a
time budget; the space (when finite) or the search's own budget ends it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import rung
from rung.errors import ArgumentTypeError, ConfigurationError
from rung.oracles import ASHAOracle, plan_from_settings


def space(choices: int | None = None) -> rung.HyperParameters:
    hp = rung.HyperParameters()
    if choices is None:
        hp.Float("x", 0.0, 1.0)
    else:
        hp.Choice("x", [i / choices for i in range(choices)])
    return hp


def loss(values: dict[str, float], epoch: int) -> float:
    return (values["x"] - 0.3) ** 2 + 1.0 / epoch


def drive(oracle: ASHAOracle, jobs: int) -> list[str]:
    """Ask and tell up to ``jobs`` jobs (one at a time); the trial ids handed out."""
    ids = []
    while len(ids) < jobs and (s := oracle.ask()) is not None:
        ids.append(s.trial_id)
        stopped = None
        for epoch in range(s.initial_epoch + 1, (s.epochs or 1) + 1):
            if not oracle.on_report(s.trial_id, epoch, {"loss": loss(s.values, epoch)}):
                stopped = epoch
                break
        end = stopped or s.epochs or 1
        oracle.tell(s.trial_id, {"loss": loss(s.values, end)}, epochs_reached=end,
                    status=rung.TrialStatus.PRUNED if stopped else rung.TrialStatus.COMPLETED)
    return ids


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
def test_without_max_trials_new_configurations_keep_coming(mode: str) -> None:
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=None, seed=0,
                        hyperparameters=space(), mode=mode)
    assert oracle.budget().describe().startswith("planned: no end (max_trials=None: ")
    assert len(drive(oracle, 400)) == 400 and not oracle.finished
    started = {json.dumps(t.hyperparameters.values) for t in oracle.trials.values()}
    assert len(started) > 100  # more configurations than the default max_trials
    if mode == "promotion":  # any result below the top may still be promoted: kept
        promoted = {r.parent_id for r in oracle.records if r.parent_id}
        below_top = {r.trial_id for r in oracle.records if r.epochs < 9} - promoted
        assert below_top <= oracle.checkpoints_in_use()
    resumed = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=None, seed=0,
                         hyperparameters=space(), mode=mode)
    twin = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=None, seed=0,
                      hyperparameters=space(), mode=mode)
    drive(twin, 400)
    resumed.load_state_dict(json.loads(json.dumps(oracle.state_dict())), oracle.records)
    assert drive(resumed, 50) == drive(twin, 50)  # and it resumes as it would have gone on


def test_a_finite_space_ends_it_with_the_best_configuration_at_max_epochs() -> None:
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=None, seed=0,
                        hyperparameters=space(choices=7))
    drive(oracle, 10_000)
    assert oracle.finished and "exhausted" in str(oracle.stop_reason)
    best = oracle.get_best_trials(1)[0]
    assert best.hyperparameters.values == {"x": 2 / 7} and best.record.epochs == 9


def test_a_tuner_without_max_trials_stops_at_its_budget_and_goes_on(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        values = {"x": trial.hyperparameters.Float("x", 0.0, 1.0)}
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            trial.report(epoch, loss=loss(values, epoch))
        return loss(values, trial.epochs)

    def tuner() -> rung.ASHA:
        return rung.ASHA(run_trial=train, objective="loss", max_epochs=9, factor=3,
                         max_trials=None, seed=0, directory=tmp_path, project_name="p",
                         verbose=0)

    first = tuner()
    first.search(max_epochs_total=150)
    jobs = first.storage.count_trials()
    assert jobs > 30 and not first.oracle.finished
    first.storage.close()
    again = tuner()
    again.search(max_epochs_total=300)  # goes on: more configurations, none repeated
    assert again.storage.count_trials() > jobs
    assert plan_from_settings(again.storage.get_settings()).describe().startswith(
        "planned: no end (max_trials=None: ")


@pytest.mark.parametrize(("value", "error"), [(0, ConfigurationError),
                                              ("10", ArgumentTypeError)])
def test_a_bad_max_trials_says_none_is_allowed(value: object, error: type) -> None:
    with pytest.raises(error, match=r"max_trials must be None or an integer >= 1"):
        ASHAOracle(objective="loss", max_trials=value)  # type: ignore[arg-type]
