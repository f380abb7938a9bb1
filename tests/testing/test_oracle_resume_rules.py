"""``check_oracle``'s resume rules (saved and loaded at several points, several jobs in flight,
define-by-run) catch oracles that resume otherwise, which the single round trip of
``state_round_trip_continues_identically`` lets through; and built-in oracles that
``tests/oracles/test_conformance.py`` does not list keep them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from rung.hyperparameters import HyperParameters
from rung.oracles import (
    ASHAOracle,
    BOHBOracle,
    CustomOracle,
    HyperbandOracle,
    Oracle,
    RandomSearchOracle,
    Suggestion,
)
from rung.searchers import GPSearcher, Observation
from rung.testing import oracle_rules
from rung.trial_record import TrialRecord, TrialStatus

RULES = dict(oracle_rules())
ONE_ROUND_TRIP = RULES["state_round_trip_continues_identically"]
IN_FLIGHT = RULES["resume_with_jobs_in_flight_continues_identically"]
DEFINE_BY_RUN = RULES["define_by_run_resume_continues_identically"]


def space() -> HyperParameters:
    hp = HyperParameters()
    hp.Float("x", 0.0, 1.0, step=0.05)
    hp.Choice("c", ["a", "b", "c"])
    return hp


# --- broken oracles -------------------------------------------------------------------------
class KeepsTheLatestPending(RandomSearchOracle):
    """Saves only the job asked last, as if one job at a time could be in flight."""

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        return {**state, "pending": state["pending"][-1:]}


class CachesItsLoadedState(HyperbandOracle):
    """Returns the state it was loaded from ever after: a cache that nothing invalidates."""

    _loaded: dict[str, Any] | None = None

    def state_dict(self) -> dict[str, Any]:
        return super().state_dict() if self._loaded is None else self._loaded

    def load_state_dict(self, state: Mapping[str, Any], history: Iterable[TrialRecord] = (),
                        reports: Iterable[Any] = ()) -> None:
        super().load_state_dict(state, history, reports)
        self._loaded = dict(state)


class IgnoresReportsOfJobsItDidNotAsk(BOHBOracle):
    """Takes reports only for the jobs it handed out itself (a set that is not in its state),
    so the reports re-sent after a load never reach its searcher."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._asked: set[str] = set()

    def ask(self) -> Suggestion | None:
        s = super().ask()
        if s is not None:
            self._asked.add(s.trial_id)
        return s

    def on_report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> bool:
        return trial_id not in self._asked or super().on_report(trial_id, epoch, metrics)


class ObservesReportsAsAsked(BOHBOracle):
    """Passes the reports of a job asked with ``{}`` to its searcher at once, as ``{}``: a
    resume replays them with the values the job declared (rung's own bug, once)."""

    def on_report(self, trial_id: str, epoch: int, metrics: Mapping[str, float]) -> bool:
        s = self.pending.get(trial_id)
        if s is None or s.values:
            return super().on_report(trial_id, epoch, metrics)
        self._last_reports[trial_id] = epoch
        self._observe(Observation(trial_id=trial_id, values={}, budget=epoch,
                                  loss=float(metrics["loss"]), status=TrialStatus.RUNNING))
        return True


def hyperband_kwargs() -> dict[str, Any]:
    return {"objective": "loss", "max_epochs": 9, "factor": 3, "seed": 1,
            "hyperparameters": space()}


def test_an_oracle_saving_one_pending_job_of_several_fails() -> None:
    def factory() -> Oracle:
        return KeepsTheLatestPending(objective="loss", max_trials=20, seed=1,
                                     hyperparameters=space())

    ONE_ROUND_TRIP(factory)  # one job in flight: nothing is lost
    with pytest.raises(AssertionError, match=r"'resume_with_jobs_in_flight_continues_identically'"
                                             r" failed for KeepsTheLatestPending: pending after a "
                                             r"resume with 0 jobs told: \['00002'\], not "
                                             r"\['00000', '00001', '00002'\]"):
        IN_FLIGHT(factory)


def test_an_oracle_that_resumes_once_but_not_twice_fails() -> None:
    def factory() -> Oracle:
        return CachesItsLoadedState(**hyperband_kwargs())

    ONE_ROUND_TRIP(factory)
    with pytest.raises(AssertionError, match=r"'resume_with_jobs_in_flight_continues_identically'"
                                             r" failed for CachesItsLoadedState: pending after a "
                                             r"resume with 1 jobs told"):
        IN_FLIGHT(factory)


def test_an_oracle_ignoring_the_reports_sent_again_after_a_load_fails() -> None:
    def factory() -> Oracle:
        return IgnoresReportsOfJobsItDidNotAsk(**hyperband_kwargs())

    ONE_ROUND_TRIP(factory)  # its job in flight had reported nothing
    with pytest.raises(AssertionError, match=r"'resume_with_jobs_in_flight_continues_identically'"
                                             r" failed for IgnoresReportsOfJobsItDidNotAsk: the "
                                             r"resumed search handed out other jobs: job \d+, "
                                             r"after the resume with \d+ jobs told"):
        IN_FLIGHT(factory)


def test_an_oracle_observing_a_define_by_run_job_as_asked_fails() -> None:
    def factory() -> Oracle:
        return ObservesReportsAsAsked(**hyperband_kwargs())

    ONE_ROUND_TRIP(factory)
    IN_FLIGHT(factory)  # no job is asked with {} when the space is declared
    with pytest.raises(AssertionError, match=r"'define_by_run_resume_continues_identically' "
                                             r"failed for ObservesReportsAsAsked: the searcher .* "
                                             r"observed other results .*'00000', 1, 'RUNNING'"):
        DEFINE_BY_RUN(factory)


# --- built-in oracles with the options test_conformance.py does not run ------------------------
class PerturbBest(CustomOracle):
    """keras-tuner's way: half the time the best trial with one value redrawn, else random."""

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        best = self.get_best_trials(1)
        if best and self._rng.random() < 0.5:
            values = dict(best[0].hyperparameters.values)
            changed = self.hyperparameters.space[
                int(self._rng.integers(len(self.hyperparameters.space)))]
            values[changed.name] = changed.random_sample(self._rng)
            if not self._duplicate(values):
                return {"status": "RUNNING", "values": values}
        values = self._random_values()
        return {"status": "STOPPED"} if values is None else {"status": "RUNNING", "values": values}


def gp() -> GPSearcher:
    return GPSearcher(num_candidates=100, num_restarts=0, max_fit_points=50)


EXTRA: dict[str, Callable[[], Oracle]] = {
    "asha-gp": lambda: ASHAOracle(objective="loss", max_epochs=9, factor=3, seed=1,
                                  max_trials=15, hyperparameters=space(), searcher=gp()),
    "bohb-gp": lambda: BOHBOracle(searcher=gp(), **hyperband_kwargs()),
    "custom": lambda: PerturbBest(objective="loss", max_trials=12, seed=1,
                                  hyperparameters=space()),
}


@pytest.mark.parametrize("rule", [IN_FLIGHT, DEFINE_BY_RUN], ids=["in_flight", "define_by_run"])
@pytest.mark.parametrize("name", sorted(EXTRA))
def test_more_oracles_resume_with_jobs_in_flight(name: str, rule: Callable[..., None]) -> None:
    rule(EXTRA[name])
