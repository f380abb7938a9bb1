"""Faults in the user's training code: exceptions, NaN/inf metrics, damaged checkpoints.

Each ends in a recorded, explained outcome (the trial's status and the error stored with it), a
search that finishes, and an intact project (``integrity_check``, every other result kept).
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pytest
from fault_project import (
    assert_intact,
    dies_at_epoch_3,
    first_job_dies,
    hyperband,
    killed_once,
    loss_of,
    plain_train,
)

import rung
from rung.trial_record import TrialStatus


def test_an_exception_in_run_trial_fails_that_trial_with_its_traceback(tmp_path: Path) -> None:
    def train(trial: rung.Trial) -> float:
        if trial.trial_id == "00002":
            raise RuntimeError("boom in run_trial")
        return plain_train(trial)

    tuner = hyperband(tmp_path, train, max_retries_per_trial=1)
    tuner.search()
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    failed = [t for t in trials if t.status is TrialStatus.FAILED]
    assert [t.trial_id for t in failed] == ["00002"]
    assert "RuntimeError: boom in run_trial" in failed[0].error
    attempts = tuner.storage.failures("00002")
    assert [a[1] for a in attempts] == [1, 2]  # retried once, then failed for good
    assert all("Traceback" in a[2] and "boom in run_trial" in a[2] for a in attempts)
    assert all(t.status is TrialStatus.COMPLETED for t in trials if t.trial_id != "00002")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_result_fails_its_trial_and_is_never_best(tmp_path: Path,
                                                               bad: float) -> None:
    def train(trial: rung.Trial) -> float:
        value = plain_train(trial)
        return bad if trial.trial_id == "00001" else value

    tuner = hyperband(tmp_path, train)
    tuner.search()
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    bad_trial = tuner.storage.get_trial("00001")
    assert bad_trial.status is TrialStatus.FAILED
    assert "not a finite number" in bad_trial.error
    assert all(t.status is TrialStatus.COMPLETED for t in trials if t.trial_id != "00001")
    assert tuner.get_best_hyperparameters(1)[0].values != bad_trial.values or len(trials) == 1
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.trial_id != "00001" and math.isfinite(best.score)


def test_nan_reported_mid_training_is_stored_and_the_stopping_scheduler_goes_on(
        tmp_path: Path) -> None:
    """The first job of a define-by-run search is stopped at its NaN epoch: it fails (a NaN
    result), and the search goes on (it used to end there: the stopped job had not taught the
    oracle the space)."""
    def train(trial: rung.Trial) -> float:
        x = trial.hyperparameters.Float("x", 0.0, 1.0)
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            loss = math.nan if trial.trial_id == "00000" and epoch < 3 else loss_of(x, epoch)
            trial.report(epoch, loss=loss)
        return loss_of(x, trial.epochs)

    tuner = rung.ASHA(run_trial=train, objective="loss", max_epochs=9, factor=3, max_trials=8,
                      mode="stopping", seed=0, directory=tmp_path, project_name="p", verbose=0)
    tuner.search()
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    assert len(trials) == 8 and all(t.status.is_finished for t in trials)
    first = tuner.storage.epoch_metrics("00000")
    assert first and math.isnan(first[0][1]["loss"])  # kept as reported, not dropped
    assert trials[0].status is TrialStatus.FAILED and trials[0].epochs_reached == 1
    assert "objective is not a finite number" in (trials[0].error or "")
    assert all(t.status in (TrialStatus.COMPLETED, TrialStatus.PRUNED) for t in trials[1:])
    assert math.isfinite(tuner.oracle.get_best_trials(1)[0].score)


def _damage(path: Path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:20])
    elif how == "garbage":
        path.write_bytes(b"\x00not a checkpoint\xff" * 8)
    elif how == "deleted":
        path.unlink()
    else:  # the trial's whole directory
        shutil.rmtree(path.parent)


@pytest.mark.parametrize(("how", "error"), [
    ("truncated", "CheckpointCorruptError: the checkpoint of trial {parent} .* does not match its "
                  "checksum: it was truncated or overwritten"),
    ("garbage", "CheckpointCorruptError: the checkpoint of trial {parent} .* is not a rung "
                "checkpoint: it was replaced or damaged"),
    ("deleted", "CheckpointMissingError: the checkpoint of trial {parent} is gone: the trial saved "
                "one, but .* was deleted since"),
])
def test_a_damaged_checkpoint_fails_the_job_that_continues_it_with_the_cause(
        tmp_path: Path, how: str, error: str) -> None:
    damaged: list[str] = []

    def train(trial: rung.Trial) -> float:
        if trial.parent_id is not None and not damaged:  # the first continuation
            _damage(tmp_path / "p" / "trials" / trial.parent_id / "checkpoint.pkl", how)
            damaged.append(trial.trial_id)
        return plain_train(trial)

    tuner = hyperband(tmp_path, train)
    tuner.search()
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    child = tuner.storage.get_trial(damaged[0])
    assert child.status is TrialStatus.FAILED
    assert child.error is not None
    assert re.search(error.format(parent=child.parent_id), child.error, re.S), child.error
    others = [t for t in trials if t.trial_id != child.trial_id]
    assert all(t.status is TrialStatus.COMPLETED for t in others)


def test_a_deleted_checkpoint_directory_warns_and_the_job_starts_from_scratch(
        tmp_path: Path) -> None:
    damaged: list[str] = []
    warned: list[str] = []

    def train(trial: rung.Trial) -> float:
        if trial.parent_id is not None and not damaged:
            _damage(tmp_path / "p" / "trials" / trial.parent_id / "checkpoint.pkl", "directory")
            damaged.append(trial.trial_id)
            with pytest.warns(RuntimeWarning, match="left no checkpoint") as record:
                assert trial.load_checkpoint() is None
            warned.append(str(record[0].message))
        return plain_train(trial)

    tuner = hyperband(tmp_path, train)
    tuner.search()
    assert_intact(tmp_path / "p" / "rung.db", {})
    parent = tuner.storage.get_trial(damaged[0]).parent_id
    assert warned and f"trial {damaged[0]} continues trial {parent}" in warned[0]
    assert tuner.storage.get_trial(damaged[0]).status is TrialStatus.COMPLETED


@pytest.mark.parametrize("retries", [0, 1])
def test_a_worker_killed_mid_job_is_recorded_and_nothing_else_is_touched(
        tmp_path: Path, retries: int) -> None:
    flag = str(tmp_path / "killed")
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    tuner = hyperband(tmp_path, killed_once, hyperparameters=hp, max_retries_per_trial=retries)
    tuner.search(flag, workers=2)
    trials = assert_intact(tmp_path / "p" / "rung.db", {})
    (attempt,) = tuner.storage.failures("00003")
    assert "worker died (signal 9)" in attempt[2]
    victim = tuner.storage.get_trial("00003")
    if retries:
        assert victim.status is TrialStatus.COMPLETED
        assert [e for e, _ in tuner.storage.epoch_metrics("00003")] == list(
            range(1, victim.epochs + 1))  # the retry's epochs, each once
    else:
        assert victim.status is TrialStatus.FAILED and "signal 9" in (victim.error or "")
        # it trained to its last report, not to its planned end (which status would count)
        reported = [e for e, _ in tuner.storage.epoch_metrics("00003")]
        assert reported and victim.epochs_reached == reported[-1]
    assert all(t.status is TrialStatus.COMPLETED for t in trials if t.trial_id != "00003")


@pytest.mark.parametrize("scheduler", ["hyperband", "asha-promotion", "asha-stopping"])
def test_the_first_jobs_worker_dying_before_the_space_is_known_costs_only_that_job(
        tmp_path: Path, scheduler: str) -> None:
    """Define-by-run: the space is declared in the training function and learned from the first
    job's result. That job's worker dies, so the driver still knows no hyperparameter; the
    search goes on and runs its whole plan (before: Hyperband ended early, saying the space
    'ran out of distinct configurations'; ASHA stopped after its 1 failed trial)."""
    if scheduler == "hyperband":
        tuner: rung.Tuner = hyperband(tmp_path, first_job_dies)
        planned = tuner.oracle.budget().jobs
    else:
        tuner = rung.ASHA(run_trial=first_job_dies, objective="loss", max_epochs=9,
                          max_trials=6, mode=scheduler.split("-")[1], seed=0,
                          directory=tmp_path, project_name="p", verbose=0)
    tuner.search(workers=2)
    trials = tuner.storage.trials()
    assert tuner.storage.get_trial("00000").status is TrialStatus.FAILED
    assert all(t.status is not TrialStatus.FAILED for t in trials if t.trial_id != "00000")
    assert tuner.oracle.stop is not None and "ran out" not in tuner.oracle.stop.message
    if scheduler == "hyperband":
        assert len(trials) == planned
    else:  # every configuration ASHA was to start, the lost one included
        assert len({t.trial_id for t in trials if t.parent_id is None}) == 6


def test_a_job_killed_mid_way_counts_the_epochs_it_trained_not_its_plan(tmp_path: Path) -> None:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    from rung.oracles import RandomSearchOracle

    oracle = RandomSearchOracle(objective="loss", max_trials=2, epochs=9, seed=0,
                                hyperparameters=hp)  # 9 epochs a job, nothing stops it early
    tuner = rung.Tuner(oracle, run_trial=dies_at_epoch_3, directory=tmp_path,
                       project_name="p", verbose=0)
    tuner.search(workers=2)
    victim = tuner.storage.get_trial("00000")
    assert victim.status is TrialStatus.FAILED and victim.epochs == 9
    assert victim.epochs_reached == 2  # before: None, which status counted as all 9
    other = tuner.storage.get_trial("00001")
    assert tuner.storage.tally().epochs_trained == 2 + (other.epochs if other.epochs_reached is None else other.epochs_reached)
