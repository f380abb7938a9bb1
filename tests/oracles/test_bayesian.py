"""BayesianOptimizationOracle: keras-tuner's arguments, and a resumed search proposes exactly what
an uninterrupted one does."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

import rung
from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters
from rung.oracles import BayesianOptimizationOracle, Oracle
from rung.searchers import GPSearcher, RandomSearcher
from rung.storage import InMemoryStorage
from rung.trial_record import TrialRecord


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", -2.0, 2.0)
    hp.Int("n", 1, 64, sampling="log")
    hp.Choice("kind", ["a", "b", "c"])
    with hp.conditional_scope("kind", ["c"]):
        hp.Float("extra", 0.0, 1.0)
    return hp


def loss_of(values: dict[str, Any]) -> float:
    loss = (values["x"] - 0.3) ** 2 + (math.log2(values["n"]) - 3) ** 2 / 10
    return loss + {"a": 0.5, "b": 0.0, "c": values.get("extra", 0.0)}[values["kind"]]


def oracle(**kwargs: Any) -> BayesianOptimizationOracle:
    return BayesianOptimizationOracle(objective="loss", max_trials=30, num_initial_points=5,
                                      seed=4, hyperparameters=space(), **kwargs)


def drive(o: Oracle, jobs: int, finished: dict[str, TrialRecord], proposals: list[Any],
          running: list[Any] | None = None) -> None:
    """Run ``jobs`` jobs, two at a time (a job is pending when we stop), after the ``running``
    ones; the 7th fails."""
    running = list(running or [])
    done = 0
    while done < jobs:
        while len(running) < 2 and (s := o.ask()) is not None:
            proposals.append(s.values)
            running.append(s)
        if not running:
            return
        s = running.pop(0)
        if s.trial_id == "00006":
            finished[s.trial_id] = o.tell_failed(s.trial_id, "boom")
        else:
            finished[s.trial_id] = o.tell(s.trial_id, {"loss": loss_of(s.values)})
        done += 1


def test_resume_proposes_exactly_what_an_uninterrupted_search_does() -> None:
    straight: list[Any] = []
    drive(oracle(), 30, {}, straight)
    assert len(straight) == 30

    finished: dict[str, TrialRecord] = {}
    first: list[Any] = []
    interrupted = oracle()
    drive(interrupted, 14, finished, first)
    assert interrupted.pending  # a job was running when the search stopped
    state = json.loads(json.dumps(interrupted.state_dict()))
    assert "values" not in json.dumps(state["searcher"])  # no observations in the state
    resumed = oracle()
    resumed.load_state_dict(state, sorted(finished.values(), key=lambda r: r.trial_id), ())
    second: list[Any] = []
    pending = sorted(resumed.pending.values(), key=lambda s: s.trial_id)  # they run again
    drive(resumed, 30 - 14, finished, second, running=pending)
    assert first + second == straight
    assert len({json.dumps(v, sort_keys=True) for v in straight}) == 30


def test_keras_tuner_signature_and_settings() -> None:
    o = BayesianOptimizationOracle("loss", 12, 4, 1e-3, 2.0, 3, space(), False, False, 1, 5)
    assert (o.max_trials, o.seed, o.allow_new_entries, o.tune_new_entries) == (12, 3, False, False)
    assert (o.max_retries_per_trial, o.max_consecutive_failed_trials) == (1, 5)
    assert isinstance(o.searcher, GPSearcher)
    assert (o.searcher.num_initial_points, o.searcher.alpha, o.searcher.beta) == (4, 1e-3, 2.0)
    assert o.settings()["beta"] == 2.0 and o.settings()["num_initial_points"] == 4
    assert BayesianOptimizationOracle(searcher="gp", beta=1.5).searcher.beta == 1.5
    assert isinstance(BayesianOptimizationOracle(searcher="random").searcher, RandomSearcher)
    assert BayesianOptimizationOracle().budget().jobs == 10


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"alpha": -1.0}, ConfigurationError, "alpha"),
    ({"beta": "high"}, TypeError, "beta"),
    ({"num_initial_points": -1}, ConfigurationError, "num_initial_points"),
    ({"alpha": float("nan")}, ConfigurationError, "alpha"),
    ({"max_retries_per_trial": -1}, ConfigurationError, "max_retries_per_trial"),
    ({"max_consecutive_failed_trials": 0}, ConfigurationError, "max_consecutive_failed_trials"),
    ({"max_trials": 0}, ConfigurationError, "max_trials"),
    ({"max_trial": 3}, TypeError, r"BayesianOptimizationOracle got unknown argument\(s\) "
                                  r"max_trial=3 \(did you mean max_trials=\?\); it takes "),
])
def test_bad_arguments_are_named(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        BayesianOptimizationOracle(**kwargs)


def test_tuner_runs_a_training_function_and_resumes(tmp_path: Any) -> None:
    def train(trial: rung.Trial) -> float:
        return loss_of(trial.hyperparameters.values)

    def tuner(max_trials: int) -> rung.BayesianOptimization:
        return rung.BayesianOptimization(
            run_trial=train, objective="loss", max_trials=max_trials, num_initial_points=4,
            seed=0, hyperparameters=space(), directory=tmp_path, project_name="bo", verbose=0)

    first = tuner(8)
    first.search()
    assert len(first.oracle.trials) == 8
    second = tuner(12)  # the stored search goes on
    second.search()
    trials = second.oracle.trials
    assert len(trials) == 12
    assert second.get_best_hyperparameters()[0].values == min(
        (t.hyperparameters.values for t in trials.values()), key=loss_of)


def test_in_memory_search_improves_on_its_initial_points() -> None:
    tuner = rung.BayesianOptimization(run_trial=lambda t: loss_of(t.hyperparameters.values),
                                      objective="loss", max_trials=25, num_initial_points=5,
                                      seed=1, hyperparameters=space(),
                                      storage=InMemoryStorage(), verbose=0)
    tuner.search()
    losses = [r.loss for r in sorted(tuner.oracle.records, key=lambda r: r.trial_id)]
    assert min(losses[5:]) < min(losses[:5])
    assert min(losses) < 0.1


def test_gp_options_with_another_searcher_are_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"searcher='random' and \['beta'\]"):
        BayesianOptimizationOracle(objective="loss", searcher="random", beta=1.0)
    with pytest.raises(ConfigurationError, match=r"\['num_initial_points'\].*GPSearcher"):
        BayesianOptimizationOracle(objective="loss", searcher=GPSearcher(), num_initial_points=2)
    # "gp" names the Gaussian process the options describe
    oracle = BayesianOptimizationOracle(objective="loss", searcher="gp", beta=1.0)
    assert isinstance(oracle.searcher, GPSearcher) and oracle.searcher.beta == 1.0


def test_gp_options_next_to_a_gp_searcher_say_to_give_them_to_it() -> None:
    # before: "drop them, or pass searcher=GPSearcher(num_initial_points=...)", to someone who
    # had passed a GPSearcher
    with pytest.raises(ConfigurationError, match=r"pass them to the GPSearcher given "
                                                 r"\(GPSearcher\(num_initial_points=\.\.\.\)\)"):
        BayesianOptimizationOracle(objective="loss", searcher=GPSearcher(), num_initial_points=2)
    with pytest.raises(ConfigurationError, match=r"\['alpha'\].*: drop them, or pass "
                                                 r"searcher=GPSearcher\(alpha=\.\.\.\)"):
        BayesianOptimizationOracle(objective="loss", searcher=RandomSearcher(), alpha=0.1)
    oracle = BayesianOptimizationOracle(objective="loss", searcher="gp", beta=1.0)
    assert isinstance(oracle.searcher, GPSearcher) and oracle.searcher.beta == 1.0
