"""keras-tuner's oracle methods, used the way keras-tuner code drives an oracle by hand."""

from __future__ import annotations

import math

import pytest

import rung as kt
from rung.engine import trial as trial_module


def make_oracle(**kwargs: object) -> kt.oracles.RandomSearchOracle:
    hp = kt.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return kt.oracles.RandomSearchOracle(objective="val_loss", max_trials=3, hyperparameters=hp,
                                         seed=0, **kwargs)


def test_create_update_end(tmp_path) -> None:
    oracle = make_oracle()
    trial = oracle.create_trial("tuner0")
    assert trial.status == trial_module.TrialStatus.RUNNING
    assert oracle.create_trial("tuner0") is trial  # the same tuner gets its running trial
    assert oracle.ongoing_trials == {"tuner0": trial}
    for step, loss in enumerate([0.9, 0.4, 0.6]):
        status = oracle.update_trial(trial.trial_id, {"val_loss": loss, "loss": 1.0}, step=step)
        assert status == "RUNNING"
    oracle.score_trial(trial)
    oracle.end_trial(trial)
    ended = oracle.get_trial(trial.trial_id)
    assert ended.status == "COMPLETED"
    assert ended.score == 0.4  # the best step's value, as keras-tuner scores a trial
    assert oracle.get_best_trials()[0].trial_id == trial.trial_id
    assert oracle.ongoing_trials == {}
    assert oracle.remaining_trials() == 2


def test_the_search_space(tmp_path) -> None:
    oracle = make_oracle()
    space = oracle.get_space()
    assert [p.name for p in space.space] == ["x"]
    space.Int("units", 8, 64)
    assert [p.name for p in oracle.get_space().space] == ["x"]  # a copy
    oracle.update_space(space)
    assert [p.name for p in oracle.get_space().space] == ["x", "units"]


def test_the_objective_must_be_reported() -> None:
    oracle = make_oracle()
    trial = oracle.create_trial("a")
    with pytest.raises(ValueError, match="Objective value missing"):
        oracle.update_trial(trial.trial_id, {"unknown": 0.5})


def test_nan_is_never_best() -> None:
    oracle = make_oracle()
    for loss in (0.5, math.nan):
        trial = oracle.create_trial("a")
        oracle.update_trial(trial.trial_id, {"val_loss": loss})
        oracle.end_trial(trial)
    best = oracle.get_best_trials(2)
    assert [t.score for t in best] == [0.5]


def test_an_invalid_trial_is_retried_with_the_same_id() -> None:
    oracle = make_oracle(max_retries_per_trial=1)
    first = oracle.create_trial("a")
    oracle.end_trial(first.trial_id, "INVALID")
    retry = oracle.create_trial("b")
    assert retry.trial_id == first.trial_id
    oracle.end_trial(retry.trial_id, "INVALID")  # the retry is spent: it fails for good
    assert oracle.get_trial(first.trial_id).status == "FAILED"
    assert oracle.create_trial("a").trial_id != first.trial_id


def test_failed_is_final_and_too_many_failures_stop() -> None:
    oracle = make_oracle(max_retries_per_trial=3, max_consecutive_failed_trials=2)
    first = oracle.create_trial("a")
    oracle.end_trial(first.trial_id, "FAILED")
    assert oracle.create_trial("a").trial_id != first.trial_id
    with pytest.raises(RuntimeError, match="Number of consecutive failures"):
        oracle.end_trial(oracle.create_trial("a").trial_id, "FAILED")


def test_when_the_plan_is_done_create_trial_says_stopped() -> None:
    oracle = make_oracle()
    for _ in range(3):
        trial = oracle.create_trial("a")
        oracle.update_trial(trial.trial_id, {"val_loss": 0.1})
        oracle.end_trial(trial)
    assert oracle.create_trial("a").status == "STOPPED"
    assert oracle.remaining_trials() == 0


def test_hyperband_waits_idle_for_its_rung() -> None:
    hp = kt.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = kt.oracles.HyperbandOracle(objective="val_loss", max_epochs=3, factor=3,
                                        hyperparameters=hp, parallel_brackets=False)
    first = [oracle.create_trial(f"t{i}") for i in range(3)]  # the first rung: 3 trials
    assert oracle.create_trial("t3").status == "IDLE"  # the rung must end before promotion
    for trial in first:
        oracle.update_trial(trial.trial_id, {"val_loss": trial.hyperparameters["x"]}, step=1)
        oracle.end_trial(trial)
    promoted = oracle.create_trial("t3")
    assert promoted.status == "RUNNING" and promoted.parent_id is not None


def test_oracle_state_round_trip() -> None:
    oracle = make_oracle()
    trial = oracle.create_trial("a")
    oracle.update_trial(trial.trial_id, {"val_loss": 0.3})
    oracle.end_trial(trial)
    state = oracle.get_state()
    copy = make_oracle()
    copy.set_state(state)
    assert copy.get_state() == state
    assert copy.create_trial("a").hyperparameters.values == \
        oracle.create_trial("a").hyperparameters.values  # the same random stream


def test_a_custom_oracle_by_hand() -> None:
    class Counting(kt.Oracle):
        def populate_space(self, trial_id: str) -> dict:
            return {"status": trial_module.TrialStatus.RUNNING,
                    "values": {"x": len(self.trials)}}

    oracle = Counting(objective="val_loss", max_trials=2)
    for _ in range(2):
        trial = oracle.create_trial("a")
        oracle.update_trial(trial.trial_id, {"val_loss": 1.0})
        oracle.end_trial(trial)
    assert [t.hyperparameters["x"] for t in oracle.trials.values()] == [0, 1]
    assert oracle.create_trial("a").status == "STOPPED"
    with pytest.deprecated_call():
        assert oracle._populate_space("99")["values"] == {"x": 2}


def test_an_oracle_project_by_hand_resumes(tmp_path) -> None:
    """keras-tuner's ``_set_project_dir`` + ``reload``: every change is stored as it happens, and
    a new oracle hands the trial that was running out again."""
    oracle = make_oracle()
    oracle._set_project_dir(tmp_path, "by_hand")
    done = oracle.create_trial("a")
    oracle.update_trial(done.trial_id, {"val_loss": 0.2}, step=1)
    oracle.end_trial(done)
    running = oracle.create_trial("a")  # the process "dies" here

    again = make_oracle()
    again._set_project_dir(tmp_path, "by_hand")
    again.reload()
    assert list(again.trials) == [done.trial_id]
    assert again.get_trial(done.trial_id).score == 0.2
    resumed = again.create_trial("b")
    assert resumed.trial_id == running.trial_id
    assert resumed.hyperparameters.values == running.hyperparameters.values
    with kt.storage.get_storage(tmp_path / "by_hand") as storage:
        assert [t.trial_id for t in storage.trials()] == [done.trial_id, running.trial_id]
        assert storage.epoch_metrics(done.trial_id) == [(1, {"val_loss": 0.2})]


def test_save_and_reload_need_a_project() -> None:
    with pytest.raises(ValueError, match="_set_project_dir"):
        make_oracle().save()


def test_populate_space_of_a_built_in_oracle_proposes_without_starting() -> None:
    oracle = kt.oracles.BayesianOptimizationOracle(objective="val_loss", max_trials=5, seed=0)
    hp = kt.HyperParameters()
    hp.Int("units", 8, 64)
    oracle.hyperparameters = hp
    answer = oracle.populate_space("1")
    assert answer["status"] == "RUNNING" and 8 <= answer["values"]["units"] <= 64
    hp.Choice("activation", ["relu", "tanh"])
    assert "activation" in oracle.populate_space("2")["values"]
    assert oracle.pending == {}


def test_a_project_made_with_other_settings(tmp_path) -> None:
    def run_trial(trial: kt.Trial) -> float:
        return trial.hyperparameters.Float("x", 0, 1)

    kt.RandomSearch(run_trial=run_trial, objective="loss", max_trials=1, directory=tmp_path,
                    verbose=0).search()
    with pytest.raises(RuntimeError, match="pass `overwrite=True`"):  # as keras-tuner raises
        kt.BayesianOptimization(run_trial=run_trial, objective="loss", max_trials=1,
                                directory=tmp_path, verbose=0)
