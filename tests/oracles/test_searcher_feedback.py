"""What a searcher sees: every result at the budget it really reached, failures, pending jobs,
and the same history again (replayed, not saved) when a search resumes."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Container, Mapping
from typing import Any

import numpy as np
import pytest

import rung
from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import ASHAOracle, HyperbandOracle, Oracle, RandomSearchOracle
from rung.searchers import (
    SEARCHERS,
    KDESearcher,
    Observation,
    RandomSearcher,
    Searcher,
    get_searcher,
)
from rung.storage import InMemoryStorage
from rung.trial_record import TrialStatus


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    hp.Choice("c", ["a", "b"])
    return hp


class Recorder(RandomSearcher):
    """Random proposals; records every hook call."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Observation] = []
        self.started: list[tuple[str, int | None]] = []

    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        self.started.append((trial_id, budget))

    def observe(self, observation: Observation) -> None:
        self.seen.append(observation)


class NearBest(Searcher):
    """A stateful, model-based test searcher: proposes near the best final result seen so far,
    avoids the values of pending jobs, and keeps only a counter in its saved state (its model is
    rebuilt from the replayed history)."""

    def __init__(self) -> None:
        self.best: tuple[float, str, dict[str, Any]] | None = None
        self.pending: dict[str, dict[str, Any]] = {}
        self.suggested = 0

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        self.suggested += 1
        for _ in range(100):
            if self.best is None or rng.random() < 0.3:
                values = {"x": float(rng.random()), "c": str(rng.choice(["a", "b"]))}
            else:
                x = float(np.clip(self.best[2]["x"] + rng.normal(0, 0.05), 0, 1))
                values = {"x": x, "c": self.best[2]["c"]}
            if values_key(values) not in exclude and values not in self.pending.values():
                return values
        return None

    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        self.pending[trial_id] = dict(values)

    def observe(self, observation: Observation) -> None:
        if observation.final:
            self.pending.pop(observation.trial_id, None)
        if observation.loss is not None:
            key = (observation.loss, observation.trial_id, dict(observation.values))
            if self.best is None or key[:2] < self.best[:2]:
                self.best = key

    def state_dict(self) -> dict[str, Any]:
        return {"suggested": self.suggested}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.suggested = int(state["suggested"])


def loss_of(values: Mapping[str, Any], epochs: int | None) -> float:
    return (values["x"] - 0.7) ** 2 + (0.05 if values["c"] == "b" else 0.0) + 1 / (epochs or 1)


def test_asha_stopping_pruned_job_is_observed_at_the_epoch_it_reached() -> None:
    """The bug: a job stopped at its first milestone reached the searcher as if it had trained
    to max_epochs, and the oracle counted it COMPLETED while storage said PRUNED."""
    recorder = Recorder()
    tuner = rung.ASHA(run_trial=lambda trial: _train_reporting(trial), objective="loss",
                      max_epochs=9, factor=3, max_trials=12, mode="stopping", seed=0,
                      searcher=recorder, storage=InMemoryStorage(), verbose=0,
                      hyperparameters=space())
    tuner.search()
    stored = {r.trial_id: r for r in tuner.storage.trials()}
    pruned = [r for r in stored.values() if r.status is TrialStatus.PRUNED]
    assert pruned, "ASHA stopping pruned no job: the test shows nothing"
    finals = {o.trial_id: o for o in recorder.seen if o.final}
    for record in stored.values():
        oracle_record = tuner.oracle.get_trial(record.trial_id)
        assert oracle_record.status is record.status  # oracle and storage agree
        final = finals[record.trial_id]
        assert final.status is record.status
        reported = [e for e, _ in tuner.storage.epoch_metrics(record.trial_id)]
        assert final.budget == record.epochs_reached == reported[-1]
    for record in pruned:
        assert finals[record.trial_id].budget < 9
        assert finals[record.trial_id].budget in tuner.oracle.milestones


def _train_reporting(trial: rung.Trial) -> dict[str, float]:
    values = trial.hyperparameters.values
    loss = math.inf
    for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
        loss = loss_of(values, epoch)
        trial.report(epoch, loss=loss)
    return {"loss": loss}


@pytest.mark.parametrize("make", [
    lambda s: ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=9, seed=0,
                         mode="stopping", hyperparameters=space(), searcher=s),
    lambda s: HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                              hyperparameters=space(), searcher=s),
], ids=["asha-stopping", "hyperband"])
def test_every_report_reaches_the_searcher_at_its_own_budget(make: Any) -> None:
    recorder = Recorder()
    oracle: Oracle = make(recorder)
    while (s := oracle.ask()) is not None:
        assert recorder.started[-1] == (s.trial_id, s.epochs)  # pending before it runs
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            oracle.on_report(s.trial_id, epoch, {"loss": loss_of(s.values, epoch)})
        oracle.tell(s.trial_id, {"loss": loss_of(s.values, s.epochs)})
    reports = [o for o in recorder.seen if o.status is TrialStatus.RUNNING]
    assert reports and all(o.loss == loss_of(o.values, o.budget) for o in reports)
    assert {o.budget for o in reports} == set(range(1, 10))


def test_failed_jobs_are_observed() -> None:
    recorder = Recorder()
    oracle = RandomSearchOracle(objective="loss", max_trials=3, seed=0, hyperparameters=space(),
                                searcher=recorder)
    a, b, c = oracle.ask(), oracle.ask(), oracle.ask()
    assert [t for t, _ in recorder.started] == [a.trial_id, b.trial_id, c.trial_id]
    oracle.tell_failed(a.trial_id, "boom")
    oracle.tell(b.trial_id, {"loss": math.nan})
    record = oracle.tell(c.trial_id, {"loss": 0.5})
    assert [(o.trial_id, o.status, o.loss) for o in recorder.seen] == [
        (a.trial_id, TrialStatus.FAILED, None), (b.trial_id, TrialStatus.FAILED, None),
        (c.trial_id, TrialStatus.COMPLETED, 0.5)]
    assert record.status is TrialStatus.COMPLETED and record.loss == 0.5


class _Store:
    """What storage keeps, for driving an oracle by hand: finished records and reports."""

    def __init__(self) -> None:
        self.records: dict[str, Any] = {}
        self.reports: list[tuple[str, int, dict[str, float]]] = []


def _drive(oracle: Oracle, jobs: int, store: _Store, proposals: list[dict[str, Any]]) -> None:
    """Run ``jobs`` jobs two at a time (so a job is always pending when we stop)."""
    running: list[Any] = []
    done = 0
    while done < jobs:
        while len(running) < 2 and (s := oracle.ask()) is not None:
            proposals.append(s.values)
            running.append(s)
        if not running:
            return
        s = running.pop(0)
        for epoch in range(s.initial_epoch + 1, s.epochs + 1):
            metrics = {"loss": loss_of(s.values, epoch)}
            store.reports.append((s.trial_id, epoch, metrics))
            oracle.on_report(s.trial_id, epoch, metrics)
        store.records[s.trial_id] = oracle.tell(s.trial_id, {"loss": loss_of(s.values, s.epochs)})
        done += 1
    for s in running:  # still pending: a resumed search runs them again
        store.reports = [r for r in store.reports if r[0] != s.trial_id]


def _hyperband(searcher: Searcher) -> HyperbandOracle:
    return HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=3,
                           hyperband_iterations=None, hyperparameters=space(), searcher=searcher)


def test_searcher_state_stays_bounded_and_resume_proposes_the_same() -> None:
    sizes = {}
    for jobs in (10, 1000):
        oracle = _hyperband(NearBest())
        _drive(oracle, jobs, _Store(), [])
        sizes[jobs] = len(json.dumps(oracle.state_dict()["searcher"]))
    assert sizes[10] == sizes[1000] - 1  # "suggested": 9 -> 999: one more digit, nothing else

    straight: list[dict[str, Any]] = []
    _drive(_hyperband(NearBest()), 400, _Store(), straight)

    store, first = _Store(), []
    interrupted = _hyperband(NearBest())
    _drive(interrupted, 150, store, first)
    state = json.loads(json.dumps(interrupted.state_dict()))
    resumed = _hyperband(NearBest())
    history = sorted(store.records.values(), key=lambda r: r.trial_id)
    resumed.load_state_dict(state, history, store.reports)
    assert resumed.searcher.best == interrupted.searcher.best
    assert resumed.searcher.pending == interrupted.searcher.pending
    second: list[dict[str, Any]] = []
    pending = list(resumed.pending.values())
    for s in pending:  # the interrupted jobs run again first
        resumed.tell(s.trial_id, {"loss": loss_of(s.values, s.epochs)})
    _drive(resumed, 400 - 150 - len(pending), store, second)
    assert first + second == straight[:len(first) + len(second)]
    assert len(first + second) >= 390


def test_unknown_state_version_is_a_clear_error() -> None:
    oracle = _hyperband(RandomSearcher())
    state = oracle.state_dict()
    with pytest.raises(ConfigurationError, match=r"version must be one of \(1, 2, 3\), got 99"):
        _hyperband(RandomSearcher()).load_state_dict({**state, "version": 99})


def test_searcher_by_name_on_every_front_end() -> None:
    for tuner_class in (rung.Hyperband, rung.RandomSearch, rung.GridSearch, rung.ASHA, rung.BOHB,
                        rung.BayesianOptimization):
        tuner = tuner_class(run_trial=lambda t: 0.0, objective="loss", searcher="grid",
                            storage=InMemoryStorage(), verbose=0)
        assert type(tuner.oracle.searcher).__name__ == "GridSearcher"
    known = re.escape(f"searcher must be one of {sorted(SEARCHERS)}")
    with pytest.raises(ConfigurationError, match=known):
        rung.Hyperband(run_trial=lambda t: 0.0, objective="loss", searcher="bayes",
                       storage=InMemoryStorage())
    for given, meant in (("kdee", "kde"), ("TPE", "kde"), ("bayesian", "gp")):  # Optuna's, ...
        with pytest.raises(ConfigurationError, match=f"got '{given}'; did you mean '{meant}'"):
            get_searcher(given)
    with pytest.raises(ConfigurationError, match=r"got 'xyz'$"):
        get_searcher("xyz")
    with pytest.raises(TypeError, match="pass RandomSearcher\\(\\) \\(an instance\\)"):
        get_searcher(RandomSearcher)  # type: ignore[arg-type]


def test_many_hyperband_iterations_are_planned_per_bracket_not_per_iteration() -> None:
    oracle = HyperbandOracle(objective="loss", max_epochs=81, factor=3,
                             hyperband_iterations=10**6, hyperparameters=space())
    one = HyperbandOracle(objective="loss", max_epochs=81, factor=3, hyperparameters=space())
    budget = oracle.budget()
    assert len(budget.brackets) == 5  # one iteration's brackets, not five million
    assert budget.jobs == 10**6 * one.budget().jobs
    assert budget.epochs == 10**6 * one.budget().epochs
    assert "each of 1000000 iterations" in budget.describe()


def test_hyperband_without_end_runs_until_stopped_and_can_be_bounded_on_resume() -> None:
    oracle = _hyperband(RandomSearcher())
    _drive(oracle, 300, _Store(), [])
    assert not oracle.finished and oracle.budget().iterations is None
    assert "no end" in oracle.budget().describe()
    iterations = {s.iteration for s in oracle.pending.values()}
    assert max(iterations) >= 3  # several iterations ran: R=9, eta=3 is 25 jobs each



class _Kill(BaseException):
    """Stands for the process dying: nothing in rung catches it."""


@pytest.mark.parametrize("make_searcher", [NearBest, KDESearcher], ids=["near-best", "bohb-kde"])
def test_a_killed_search_on_sqlite_resumes_its_searcher_exactly(tmp_path: Any,
                                                                make_searcher: Any) -> None:
    """The same, end to end: a Hyperband search with the stateful searcher on a SQLite project,
    killed in the middle of a job, is rerun by a new tuner; every configuration it proposes,
    before and after the kill, is what an uninterrupted search proposes."""
    proposals: list[tuple[str, dict[str, Any]]] = []
    kill_at = [-1]  # the job (1-based) during which the process "dies"; -1: never

    def train(trial: rung.Trial) -> dict[str, float]:
        proposals.append((trial.trial_id, dict(trial.hyperparameters.values)))
        loss = math.inf
        for epoch in range(trial.initial_epoch + 1, trial.epochs + 1):
            loss = loss_of(trial.hyperparameters.values, epoch)
            trial.report(epoch, loss=loss)
            if len(proposals) == kill_at[0] and epoch == trial.epochs:
                raise _Kill  # after its reports were stored: they must not be replayed
        return {"loss": loss}

    def tuner(**kwargs: Any) -> rung.Hyperband:
        return rung.Hyperband(run_trial=train, objective="loss", max_epochs=9, factor=3, seed=5,
                              hyperband_iterations=3, hyperparameters=space(),
                              searcher=make_searcher(), verbose=0, **kwargs)

    tuner(storage=InMemoryStorage()).search()
    straight = list(proposals)
    proposals.clear()
    kill_at[0] = 37
    first = tuner(directory=tmp_path, project_name="p")
    with pytest.raises(_Kill):
        first.search()
    first.storage.close()
    assert proposals == straight[:kill_at[0]]
    kill_at[0] = -1
    resumed = tuner(directory=tmp_path, project_name="p")
    if isinstance(resumed.oracle.searcher, NearBest):
        assert resumed.oracle.searcher.best is not None  # rebuilt from the replayed history
    resumed.search()
    assert proposals == straight[:37] + straight[36:]  # the killed job runs again, then the rest
    assert len(straight) == resumed.oracle.budget().jobs


def test_trial_ids_past_99999_keep_their_creation_order_on_resume() -> None:
    def oracle() -> RandomSearchOracle:
        return RandomSearchOracle(objective="loss", max_trials=None, seed=1,
                                  hyperparameters=space(), searcher=Recorder())

    first = oracle()
    state = first.state_dict()
    state["next_id"] = 99_998  # as after 99,998 trials
    first.load_state_dict(state, [], [])
    started = [first.ask() for _ in range(3)]
    assert [s.trial_id for s in started] == ["99998", "99999", "100000"]

    resumed = oracle()
    resumed.load_state_dict(json.loads(json.dumps(first.state_dict())), [], [])
    # the running jobs reach the searcher in the order they started, not as sorted strings
    assert [t for t, _ in resumed.searcher.started] == ["99998", "99999", "100000"]


class _Scribbles(RandomSearcher):
    """Changes every dict it is given (a bug in a user's searcher)."""

    def on_start(self, trial_id: str, values: dict[str, Any], budget: int | None) -> None:
        values["lr"] = 123.0

    def observe(self, observation: Observation) -> None:
        observation.values["units"] = -1

    def replay(self, observations: Any) -> None:
        for item in observations:
            item.values["units"] = -2


@pytest.mark.parametrize("make", [
    lambda hp: HyperbandOracle(objective="loss", max_epochs=3, factor=3, seed=0,
                               hyperparameters=hp, searcher=_Scribbles()),
    lambda hp: ASHAOracle(objective="loss", max_epochs=3, max_trials=4, seed=0,
                          hyperparameters=hp, searcher=_Scribbles()),
])
def test_a_searcher_that_changes_what_it_is_given_cannot_change_the_search(make: Any) -> None:
    # the oracle hands a searcher copies: the stored trial keeps the values it trained with
    hp = HyperParameters()
    hp.Int("units", 16, 128, step=16)
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    oracle = make(hp)
    asked = {}
    for _ in range(3):
        s = oracle.ask()
        asked[s.trial_id] = dict(s.values)
        assert s.values["lr"] != 123.0
        oracle.on_report(s.trial_id, 1, {"loss": 0.5})
        oracle.tell(s.trial_id, {"loss": 1.0})
    state = json.loads(json.dumps(oracle.state_dict()))
    again = make(hp)
    again.load_state_dict(state, history=oracle.records)  # replayed to the searcher
    for oracle_ in (oracle, again):
        for trial_id, values in asked.items():
            assert oracle_.get_trial(trial_id).hyperparameters.values == values
