"""ASHA once no new configuration can come (a small space exhausted, or ``max_trials`` started):
each rung's final set is known and successive halving completes on it, so the best
configuration still reaches ``max_epochs`` (as Hyperband and BOHB do on the same space)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

import rung
from rung.oracles import ASHAOracle
from rung.oracles._asha_rung import keep_of
from rung.storage import InMemoryStorage
from rung.trial_record import TrialStatus


def small_space(size: int, choice: bool) -> rung.HyperParameters:
    hp = rung.HyperParameters()
    if choice:
        hp.Choice("x", list(range(size)))
    else:
        hp.Int("x", 0, size - 1)
    return hp


def finish(oracle: ASHAOracle, s: rung.oracles.Suggestion) -> None:
    """Train ``s`` on curves that never cross (x=0 is the best at every epoch); stopping mode
    reports every epoch."""
    x = s.values["x"]
    for epoch in range(s.initial_epoch + 1, s.epochs + 1):
        if not oracle.on_report(s.trial_id, epoch, {"loss": x + 1 / epoch}):
            oracle.tell(s.trial_id, {"loss": x + 1 / epoch}, epochs_reached=epoch,
                        status=TrialStatus.PRUNED)
            return
    oracle.tell(s.trial_id, {"loss": x + 1 / s.epochs})


def drive(oracle: ASHAOracle, workers: int, seed: int = 0,
          after_each: Callable[[ASHAOracle, list[Any]], ASHAOracle] | None = None) -> list[Any]:
    """Run the search with ``workers`` jobs in flight, finished in a seeded random order; the
    jobs as (trial id, parent, rung, epochs, values). ``after_each(oracle, running)``, called
    after each finished job, may return another oracle to go on with (a resumed one)."""
    rnd = random.Random(seed)
    jobs, running = [], []
    while True:
        while len(running) < workers and (s := oracle.ask()) is not None:
            running.append(s)
            jobs.append((s.trial_id, s.parent_id, s.rung, s.epochs, s.values))
        if not running:
            assert oracle.finished
            return jobs
        finish(oracle, running.pop(rnd.randrange(len(running))))
        if after_each is not None:
            oracle = after_each(oracle, running)


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
@pytest.mark.parametrize("size", [1, 2, 5])
@pytest.mark.parametrize("choice", [False, True], ids=["int", "choice"])
@pytest.mark.parametrize("workers", [1, 3])
def test_an_exhausted_small_space_trains_its_best_to_max_epochs(
        mode: str, size: int, choice: bool, workers: int) -> None:
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=20, mode=mode,
                        seed=0, hyperparameters=small_space(size, choice))
    jobs = drive(oracle, workers)
    assert oracle.stop_reason.startswith(f"search space exhausted after {size} distinct configuration")
    assert max(epochs for *_, epochs, _ in jobs) == 9
    best = [r for r in oracle.records if r.values["x"] == 0 and r.status is TrialStatus.COMPLETED]
    assert max(r.epochs_reached for r in best) == 9
    assert oracle.get_best_trials(1)[0].hyperparameters.values == {"x": 0}
    if mode == "promotion":
        for k, rung_ in enumerate(oracle._rungs[:-1]):  # successive halving on each final set
            assert set(rung_.ids[:keep_of(len(rung_), 3)]) <= rung_.promoted, k
            assert len(oracle._rungs[k + 1]) == len(rung_.promoted)
        assert oracle.checkpoints_in_use() == set()


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
@pytest.mark.parametrize("max_trials", [1, 2, 4])
def test_max_trials_started_completes_the_rungs_of_an_endless_space(
        mode: str, max_trials: int) -> None:
    hp = rung.HyperParameters()
    hp.Float("x", 0.0, 1.0)
    oracle = ASHAOracle(objective="loss", max_epochs=27, factor=3, max_trials=max_trials,
                        mode=mode, seed=0, hyperparameters=hp)
    jobs = drive(oracle, workers=2)
    assert f"max_trials={max_trials}" in oracle.stop_reason
    best = oracle.get_best_trials(1)[0]
    assert max(epochs for *_, epochs, _ in jobs) == 27
    assert best.hyperparameters.values["x"] == min(v["x"] for *_, v in jobs)


def test_rungs_wait_for_their_pending_jobs_before_they_are_final() -> None:
    # two configurations, both running when the space runs out: neither is promoted (1 of 2
    # results is not yet a final set), then the better of the two goes on alone
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=20, seed=0,
                        hyperparameters=small_space(2, choice=False))
    a, b = oracle.ask(), oracle.ask()
    assert oracle.ask() is None and not oracle.finished  # exhausted, waiting on a and b
    worse, better = sorted((a, b), key=lambda s: -s.values["x"])
    oracle.tell(better.trial_id, better.values["x"] + 1.0)
    assert oracle.ask() is None  # rung 0 may still get the other result
    oracle.tell(worse.trial_id, worse.values["x"] + 1.0)
    up = oracle.ask()
    assert (up.parent_id, up.rung, up.epochs) == (better.trial_id, 1, 3)
    assert oracle.ask() is None
    oracle.tell(up.trial_id, 0.5)
    top = oracle.ask()
    assert (top.parent_id, top.rung, top.epochs) == (up.trial_id, 2, 9)
    oracle.tell(top.trial_id, 0.2)
    assert oracle.ask() is None and oracle.finished


@pytest.mark.parametrize("workers", [1, 3])
def test_a_resume_after_any_job_of_the_final_rungs_is_exact(workers: int) -> None:
    def make() -> ASHAOracle:
        return ASHAOracle(objective="loss", max_epochs=27, factor=3, max_trials=20, seed=0,
                          hyperparameters=small_space(7, choice=True), searcher="kde")

    def resume(oracle: ASHAOracle, running: list[Any]) -> ASHAOracle:
        state = json.loads(json.dumps(oracle.state_dict()))
        resumed = make()
        resumed.load_state_dict(state, oracle.records)
        assert resumed.checkpoints_in_use() == oracle.checkpoints_in_use()
        running[:] = [resumed.pending[s.trial_id] for s in running]
        return resumed

    reference = drive(make(), workers, seed=1)
    jobs = drive(make(), workers, seed=1, after_each=resume)
    assert jobs == reference and max(epochs for *_, epochs, _ in jobs) == 27


def _train(trial: rung.Trial) -> dict[str, float]:
    loss = {"adam": 0.1, "sgd": 0.5}[trial.hyperparameters.Choice("opt", ["adam", "sgd"])]
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        trial.report(epoch, loss=loss + 1 / epoch)
    return {"loss": loss + 1 / trial.epochs}


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
def test_a_define_by_run_choice_space_reaches_max_epochs(tmp_path, mode: str) -> None:
    tuner = rung.ASHA(run_trial=_train, objective="loss", max_epochs=9, factor=3, max_trials=20,
                      mode=mode, seed=0, directory=tmp_path, storage=InMemoryStorage(),
                      verbose=0)
    tuner.search()
    best = tuner.oracle.get_best_trials(1)[0]
    assert best.hyperparameters.values == {"opt": "adam"}
    assert tuner.storage.get_trial(best.trial_id).epochs_reached == 9
