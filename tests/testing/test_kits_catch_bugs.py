"""Each kit fails, naming the broken rule, on a deliberately broken implementation (and passes
on the same implementation without the bug, where that is not a built-in one)."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Container, Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from rung.executors import Executor, JobResult, JobSpec, execute
from rung.hyperparameters import HyperParameters
from rung.oracles import ASHAOracle, RandomSearchOracle
from rung.searchers import Observation, RandomSearcher, Searcher
from rung.storage import InMemoryStorage
from rung.testing import (
    check_executor,
    check_oracle,
    check_searcher,
    check_storage,
    oracle_rules,
    searcher_rules,
    storage_rules,
)
from rung.trial_record import TrialRecord, TrialStatus


# --- searchers ------------------------------------------------------------------------------
class OutsideTheSpace(RandomSearcher):
    """Proposes one more unit than an Int allows."""

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        values = super().suggest(space, rng, exclude, stream)
        if values is not None and "units" in values:
            values["units"] = 1000
        return values


class RepeatsExcluded(RandomSearcher):
    """Ignores ``exclude``: proposes configurations the stream already used."""

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        return super().suggest(space, rng, set(), stream)


class OwnGenerator(RandomSearcher):
    """Draws from a generator of its own, seeded once, instead of the ``rng`` it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.own = np.random.default_rng(123)

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        return super().suggest(space, self.own, exclude, stream)


def test_searcher_with_a_generator_of_its_own_fails() -> None:
    """It passes the single-stream resume rule (``exclude`` masks it) but not this one; in a
    resumed Hyperband its private generator restarts, and the search diverges."""
    rule = dict(searcher_rules())["randomness_comes_only_from_the_rng_given"]
    with pytest.raises(AssertionError, match="draw every random number from the rng argument"):
        rule(OwnGenerator)
    dict(searcher_rules())["resumed_searcher_continues_identically"](OwnGenerator)  # masked
    rule(RandomSearcher)  # the same searcher drawing from the rng it is given passes


def test_searcher_outside_the_space_fails() -> None:
    with pytest.raises(AssertionError, match=r"check_searcher rule 'suggestions_lie_inside_the_"
                                             r"space' failed for OutsideTheSpace: units=1000"):
        check_searcher(OutsideTheSpace)


def test_searcher_repeating_an_excluded_configuration_fails() -> None:
    with pytest.raises(AssertionError, match="'excluded_configurations_are_never_returned'"):
        check_searcher(RepeatsExcluded)


# --- storages -------------------------------------------------------------------------------
class LosesMetrics(InMemoryStorage):
    """Finishes trials without their final metrics."""

    def finish_trial(self, trial_id: str, status: TrialStatus, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("metrics", None)
        super().finish_trial(trial_id, status, None, *args[1:], **kwargs)


class NotAtomic(InMemoryStorage):
    """Finishes the trial first, then fails to serialise the scheduler state."""

    def finish_trial(self, trial_id: str, status: TrialStatus, metrics: Any = None,
                     loss: float | None = None, error: str | None = None,
                     oracle_state: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        super().finish_trial(trial_id, status, metrics, loss, error, **kwargs)
        if oracle_state is not None:
            self.set_oracle_state(json.loads(json.dumps(oracle_state)))


def test_storage_losing_a_finished_trials_metrics_fails() -> None:
    with pytest.raises(AssertionError, match="'finish_sets_fields_and_oracle_state' failed for "
                                             "LosesMetrics"):
        check_storage(LosesMetrics)


def test_storage_that_is_not_atomic_fails() -> None:
    rule = dict(storage_rules())["finish_is_atomic"]
    with pytest.raises(AssertionError, match="'finish_is_atomic' failed for NotAtomic: "
                                             "the trial was finished"):
        rule(NotAtomic)
    with pytest.raises(AssertionError, match="'finish_is_atomic'"):
        check_storage(NotAtomic)


# --- executors ------------------------------------------------------------------------------
class Sequential(Executor):
    """A correct executor outside the driver's Trial: each job runs when ``wait`` is called,
    its reports come back with its result."""

    shares_filesystem = True

    def __init__(self) -> None:
        self.queue: deque[JobSpec] = deque()

    def submit(self, spec: JobSpec) -> None:
        self.queue.append(spec)

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        return [self.run(self.queue.popleft())] if self.queue else []

    def run(self, spec: JobSpec) -> JobResult:
        return execute(spec)

    @property
    def in_flight(self) -> int:
        return len(self.queue)


class DropsReports(Sequential):
    def run(self, spec: JobSpec) -> JobResult:
        result = execute(spec)
        result.reports = result.reports[:-1]
        return result


class LosesResults(Sequential):
    def wait(self, timeout: float | None = None) -> list[JobResult]:
        results = super().wait(timeout)
        return [r for r in results if r.trial_id != "00003"]


def test_a_correct_executor_passes() -> None:
    check_executor(Sequential)


def test_executor_dropping_reports_fails() -> None:
    with pytest.raises(AssertionError, match=r"'hyperband_completes_with_the_planned_jobs_per_"
                                             r"rung' failed for DropsReports: .*reported epochs"):
        check_executor(DropsReports)


def test_executor_losing_a_result_fails() -> None:
    with pytest.raises(AssertionError, match="failed for LosesResults: .*a result was lost"):
        check_executor(LosesResults)


# --- oracles --------------------------------------------------------------------------------
def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0, step=0.05)
    hp.Choice("c", ["a", "b", "c"])
    return hp


class ForgetsAResult(RandomSearchOracle):
    """Loses the last finished trial when its state is loaded."""

    def load_state_dict(self, state: Mapping[str, Any], history: Iterable[TrialRecord] = (),
                        reports: Iterable[Any] = ()) -> None:
        super().load_state_dict(state, list(history)[:-1], reports)


class _PlannedBudget(Searcher):
    """Passes observations on with the planned epochs: the ASHA stopping bug of rung 0.1."""

    def __init__(self, inner: Searcher, planned: int) -> None:
        self.inner, self.planned = inner, planned

    def suggest(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        return self.inner.suggest(*args, **kwargs)

    def observe(self, observation: Observation) -> None:
        self.inner.observe(replace(observation, budget=self.planned))


class ObservesPlannedEpochs(ASHAOracle):
    def tell(self, trial_id: str, *args: Any, **kwargs: Any) -> TrialRecord:
        job, searcher = self.pending.get(trial_id), self.searcher
        if job is not None:
            self.searcher = _PlannedBudget(searcher, job.epochs or 0)
        try:
            return super().tell(trial_id, *args, **kwargs)
        finally:
            self.searcher = searcher


def test_oracle_losing_a_result_across_a_state_round_trip_fails() -> None:
    def factory() -> RandomSearchOracle:
        return ForgetsAResult(objective="loss", max_trials=20, seed=1, hyperparameters=space())

    with pytest.raises(AssertionError, match="'state_round_trip_continues_identically' failed "
                                             "for ForgetsAResult: lost a result"):
        check_oracle(factory)


def test_oracle_observing_the_planned_epochs_fails() -> None:
    def factory() -> ASHAOracle:
        return ObservesPlannedEpochs(objective="loss", max_epochs=9, factor=3, seed=1,
                                     max_trials=12, mode="stopping", hyperparameters=space())

    with pytest.raises(AssertionError, match=r"'searcher_observes_the_budget_reached' failed for "
                                             r"ObservesPlannedEpochs: trial \d+ \(PRUNED\) reached "
                                             r"epoch [13]; the searcher observed it at budget 9"):
        check_oracle(factory)


def test_an_oracle_with_a_growing_state_that_claims_a_bounded_one_fails() -> None:
    class ClaimsBounded(ASHAOracle):
        bounded_state = True

    def factory() -> ASHAOracle:
        return ClaimsBounded(objective="loss", max_epochs=27, factor=3, seed=1, max_trials=30,
                             hyperparameters=space())

    assert "state_is_bounded" in {rule.name for rule in oracle_rules(factory)}
    with pytest.raises(AssertionError, match="'state_is_bounded' failed for ClaimsBounded"):
        check_oracle(factory)


def test_a_factory_must_be_callable() -> None:
    with pytest.raises(TypeError, match="factory must be a zero-argument callable"):
        check_searcher(RandomSearcher())  # type: ignore[arg-type]


class HandsOutAnything(RandomSearchOracle):
    """A keras-tuner style ``populate_space`` that returns values the space cannot take."""

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        return {"status": "RUNNING", "values": {"x": 5.0, "junk": "a"}}


def _x_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0)
    return hp


def test_oracle_handing_out_values_outside_its_space_fails() -> None:
    with pytest.raises(AssertionError, match=r"'jobs_lie_inside_the_space' failed for "
                                             r"HandsOutAnything: job 00000 has \['junk'\]"):
        check_oracle(lambda: HandsOutAnything(objective="loss", max_trials=4, seed=0,
                                              hyperparameters=_x_space()))


def test_asha_stopping_state_is_json_with_its_first_job_in_flight() -> None:
    """Its cutoffs are infinite until a rung has results: they were saved as Infinity."""
    rule = dict(oracle_rules())["state_is_json_from_the_first_ask"]
    rule(lambda: ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=5, seed=0,
                            mode="stopping", hyperparameters=_x_space()))


def test_check_oracle_given_an_oracle_instead_of_a_factory_says_so() -> None:
    with pytest.raises(TypeError, match="factory must be a zero-argument callable"):
        check_oracle(RandomSearchOracle(objective="loss", max_trials=2))


class ExtraKey(RandomSearcher):
    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        values = super().suggest(space, rng, exclude, stream)
        return None if values is None else {**values, "bogus": 1}


class UnknownChoice(RandomSearcher):
    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        values = super().suggest(space, rng, exclude, stream)
        if values is not None and "optimizer" in values:
            values["optimizer"] = "sgd_x"
        return values


def test_searcher_kit_names_an_extra_key_and_a_value_no_choice_has() -> None:
    rule = dict(searcher_rules())["suggestions_lie_inside_the_space"]
    with pytest.raises(AssertionError, match=r"suggested \['bogus'\], which the space does not "
                                             r"have"):
        rule(ExtraKey)
    with pytest.raises(AssertionError, match=r"optimizer='sgd_x' is not a value of Choice"):
        rule(UnknownChoice)



class NumpyValues(RandomSearcher):
    """Proposes NumPy floats (a float subclass, inside the range): not plain Python values."""

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        values = super().suggest(space, rng, exclude, stream)
        return None if values is None else {
            k: np.float64(v) if isinstance(v, float) else v for k, v in values.items()}


class ForgetsItsState(RandomSearcher):
    """Saves a counter and ignores it on reload."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        self.asked += 1
        return super().suggest(space, rng, exclude, stream)

    def state_dict(self) -> dict[str, Any]:
        return {"asked": self.asked}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        pass


class KeepsEveryObservation(RandomSearcher):
    """Keeps every observation in its state, which grows with the search."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[float] = []

    def observe(self, observation: Any) -> None:
        self.seen.append(observation.loss)

    def state_dict(self) -> dict[str, Any]:
        return {"seen": self.seen}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.seen = list(state["seen"])


def test_searcher_kit_says_what_is_wrong_with_numpy_values_and_a_state_not_reloaded() -> None:
    rules = dict(searcher_rules())
    with pytest.raises(AssertionError, match=r"is a NumPy float64: suggest must return plain "
                                             r"Python values"):
        rules["suggestions_lie_inside_the_space"](NumpyValues)
    with pytest.raises(AssertionError, match=r"load_state_dict\(state\) then state_dict\(\) "
                                             r"differs: load_state_dict must restore"):
        rules["state_is_json_and_reloads"](ForgetsItsState)
    with pytest.raises(AssertionError, match=r"the state grew from \d+ characters after 10 jobs "
                                             r"to \d+ after 400"):
        rules["state_stays_bounded"](KeepsEveryObservation)


class LosesRefusedJobs(RandomSearchOracle):
    """Takes the job out of ``pending`` before its metrics are checked (rung's own bug, once)."""

    def tell(self, trial_id: str, metrics: Any, values: Any = None, **kwargs: Any) -> Any:
        job = self._pending_job(trial_id)
        del self._pending[trial_id]
        self.objective.loss(metrics)  # raises for a bad call: the job is gone
        self._pending[trial_id] = job
        return super().tell(trial_id, metrics, values, **kwargs)


def test_oracle_losing_a_job_to_a_refused_tell_fails() -> None:
    with pytest.raises(AssertionError, match=r"'a_refused_tell_leaves_the_job_pending' failed "
                                             r"for LosesRefusedJobs: tell\(\{'not_loss'"):
        check_oracle(lambda: LosesRefusedJobs(objective="loss", max_trials=4, seed=0,
                                              hyperparameters=_x_space()))
