"""Every executor through the same assertions: in-process, local processes, Dask, Ray."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import rung_test_jobs as jobs

import rung
from rung.storage import InMemoryStorage
from rung.trial_record import TrialStatus

KINDS = ["inprocess", "processes", "dask", "ray"]


@pytest.fixture(scope="module", params=KINDS)
def where(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The ``search()`` arguments that select the executor."""
    if request.param == "processes":
        return {"workers": 2}
    if request.param == "dask":
        return {"executor": request.getfixturevalue("dask_client")}
    if request.param == "ray":
        request.getfixturevalue("ray_session")
        return {"executor": "ray"}
    return {}


def space() -> rung.HyperParameters:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


def hyperband(tmp_path: Path, run_trial: Any = jobs.train, **kwargs: Any) -> rung.Hyperband:
    args = {"run_trial": run_trial, "objective": "val_loss", "max_epochs": 9, "factor": 3,
            "seed": 0, "directory": tmp_path, "project_name": "p", "verbose": 0, **kwargs}
    return rung.Hyperband(**args)


def promoted_from_top_k(trials: list[rung.trial_record.TrialRecord], factor: int) -> bool:
    """Every promoted job's parent is in the top floor(n / eta) of its own rung and bracket."""
    by_rung: dict[tuple, list] = {}
    for t in trials:
        by_rung.setdefault((t.iteration, t.bracket, t.rung), []).append(t)
    for t in trials:
        if t.parent_id is None:
            continue
        parent = next(p for p in trials if p.trial_id == t.parent_id)
        peers = sorted((p for p in by_rung[(parent.iteration, parent.bracket, parent.rung)]
                        if p.loss is not None), key=lambda p: (p.loss, p.trial_id))
        keep = len(by_rung[(t.iteration, t.bracket, t.rung)])
        if parent.trial_id not in {p.trial_id for p in peers[:keep]}:
            return False
    return True


def test_hyperband_completes_with_the_planned_jobs_per_rung(tmp_path: Path, where: dict) -> None:
    reference = hyperband(tmp_path / "ref", storage=InMemoryStorage())
    reference.search()
    tuner = hyperband(tmp_path)
    tuner.search(**where)
    trials = tuner.storage.trials()
    assert all(t.status is TrialStatus.COMPLETED for t in trials)
    assert tuner.oracle.finished and not tuner.oracle.pending

    def per_rung(ts: list) -> Counter:
        return Counter((t.iteration, t.bracket, t.rung, t.initial_epoch, t.epochs) for t in ts)

    assert per_rung(trials) == per_rung(reference.storage.trials())
    assert promoted_from_top_k(trials, 3)
    for t in trials:  # every epoch reported, recorded by the driver
        epochs = [e for e, _ in tuner.storage.epoch_metrics(t.trial_id)]
        assert epochs == list(range(t.initial_epoch + 1, t.epochs + 1)), t.trial_id


def test_random_search_gives_the_sequential_results(tmp_path: Path, where: dict) -> None:
    def make(directory: Path) -> rung.RandomSearch:
        return rung.RandomSearch(run_trial=jobs.train, objective="val_loss", max_trials=8,
                                 seed=3, hyperparameters=space(), directory=directory,
                                 verbose=0)

    sequential = make(tmp_path / "seq")
    sequential.search()
    parallel = make(tmp_path / "par")
    parallel.search(**where)

    def results(tuner: rung.Tuner) -> set:
        return {(t.trial_id, t.values["x"], t.status, t.loss) for t in tuner.storage.trials()}

    assert results(parallel) == results(sequential)
    assert len(results(parallel)) == 8


def test_promoted_jobs_continue_from_the_parent_checkpoint(tmp_path: Path, where: dict) -> None:
    tuner = hyperband(tmp_path, run_trial=jobs.promoted_state)
    # Dask and Ray workers get checkpoints with the job: they must not train in the project
    travels = "executor" in where
    marker = str(tuner.project_dir.resolve()) if travels else "/nonexistent"
    tuner.search(marker, **where)
    trials = tuner.storage.trials()
    assert all(t.status is TrialStatus.COMPLETED for t in trials), tuner.storage.failures()
    for t in trials:
        if t.rung == max(x.rung for x in trials if x.bracket == t.bracket):
            state = tuner.checkpoints.load(t.trial_id)
            assert state["history"] == list(range(1, t.epochs + 1))  # one unbroken history
            native = tuner.checkpoints.directory(t.trial_id) / "native.txt"
            assert native.read_text() == f"{t.trial_id}:{t.epochs}"


def test_a_failing_attempt_is_recorded_and_retried(tmp_path: Path, where: dict) -> None:
    tuner = hyperband(tmp_path, run_trial=jobs.flaky, max_retries_per_trial=1)
    tuner.search(**where)
    t2 = tuner.storage.get_trial("00002")
    assert t2.status is TrialStatus.COMPLETED and t2.attempts == 1
    failures = tuner.storage.failures("00002")
    assert len(failures) == 1 and "RuntimeError: transient" in failures[0][2]
    assert all(t.status is TrialStatus.COMPLETED for t in tuner.storage.trials())


def test_asha_stopping_prunes_with_every_report_recorded(tmp_path: Path, where: dict) -> None:
    tuner = rung.ASHA(run_trial=jobs.stopping, objective="val_loss", max_epochs=9, factor=3,
                      max_trials=12, mode="stopping", seed=0, hyperparameters=space(),
                      directory=tmp_path, verbose=0)
    tuner.search(**where)
    trials = tuner.storage.trials()
    assert len(trials) == 12 and all(t.status.is_finished for t in trials)
    statuses = Counter(t.status for t in trials)
    assert statuses[TrialStatus.PRUNED] >= 1 and statuses[TrialStatus.COMPLETED] >= 1
    for t in trials:
        epochs = [e for e, _ in tuner.storage.epoch_metrics(t.trial_id)]
        assert epochs == list(range(1, len(epochs) + 1))
        if t.status is TrialStatus.PRUNED:
            assert epochs[-1] in (1, 3)  # stopped at a rung milestone
        else:
            assert epochs[-1] == 9


def test_asha_promotion_runs_to_the_end(tmp_path: Path, where: dict) -> None:
    tuner = rung.ASHA(run_trial=jobs.train, objective="val_loss", max_epochs=9, factor=3,
                      max_trials=12, seed=0, hyperparameters=space(), directory=tmp_path,
                      verbose=0)
    tuner.search(**where)
    trials = tuner.storage.trials()
    assert tuner.oracle.finished and all(t.status is TrialStatus.COMPLETED for t in trials)
    assert sum(t.rung == 0 for t in trials) == 12
    assert any(t.epochs == 9 for t in trials)
    for t in trials:
        if t.parent_id is not None:
            parent = tuner.storage.get_trial(t.parent_id)
            assert (parent.epochs, parent.rung + 1) == (t.initial_epoch, t.rung)
