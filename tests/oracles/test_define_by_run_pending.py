"""Define-by-run: the first job, asked with ``{}`` before the space is known, trains the defaults
of what it declares. While it is still pending, no other job of its stream (its Hyperband
bracket, or the whole search) may be given the defaults as a new configuration, once the space
is known (``update_space``, as the tuner calls it for another job or a failed attempt)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import (
    ASHAOracle,
    BOHBOracle,
    GridSearchOracle,
    HyperbandOracle,
    Oracle,
    RandomSearchOracle,
    Suggestion,
)


def _space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("a", [1, 2, 3])
    hp.Boolean("b")
    return hp  # 6 configurations; the defaults are {"a": 1, "b": False}


DEFAULTS = values_key(_space().values)

ORACLES: dict[str, Callable[[], Oracle]] = {
    "hyperband": lambda: HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0),
    "hyperband-grid": lambda: HyperbandOracle(objective="loss", max_epochs=9, factor=3, seed=0,
                                              searcher="grid"),
    "bohb": lambda: BOHBOracle(objective="loss", max_epochs=9, factor=3, seed=0),
    "asha": lambda: ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=20, seed=0),
    "asha-stopping": lambda: ASHAOracle(objective="loss", max_epochs=9, factor=3,
                                        max_trials=20, seed=0, mode="stopping"),
    "random": lambda: RandomSearchOracle(objective="loss", max_trials=20, seed=0),
    "random-grid": lambda: RandomSearchOracle(objective="loss", max_trials=20, seed=0,
                                              searcher="grid"),
    "grid": lambda: GridSearchOracle(objective="loss", seed=0),  # keras-tuner's grid order
    "grid-random": lambda: GridSearchOracle(objective="loss", seed=0, searcher="random"),
}


def _stream(s: Suggestion) -> tuple[int, int | None]:
    return s.iteration, s.bracket


def _used(s: Suggestion) -> str:
    """What the job trains: the values it was given, the defaults for what it declares."""
    return values_key(_space().clone_with_values(s.values).values)


def _first_job_then_space(oracle: Oracle, ask_before: bool = True) -> Suggestion:
    first = oracle.ask()
    assert first is not None and first.values == {}
    if ask_before:  # another worker asks while nothing is known: only the first job runs {}
        assert oracle.ask() is None and not oracle.finished
    oracle.update_space(_space())  # e.g. a retried first attempt declared the space
    return first


def _run(oracle: Oracle, first: Suggestion) -> list[Suggestion]:
    """Ask and tell as free workers would, the first job last; the new configurations asked."""
    asked = []
    while not oracle.finished:
        s = oracle.ask()
        if s is None:
            if oracle.finished:  # ended at this ask
                break
            others = [t for t in oracle.pending if t != first.trial_id]
            job = oracle.pending[(others or [first.trial_id])[0]]
            values = _space().clone_with_values(job.values).values
            oracle.tell(job.trial_id, {"loss": values["a"] + 0.5 * values["b"]}, values=values)
        elif s.parent_id is None:
            asked.append(s)
    return asked


@pytest.mark.parametrize("ask_before", [False, True], ids=["space-first", "ask-first"])
@pytest.mark.parametrize("name", ORACLES)
def test_no_job_gets_the_defaults_a_pending_first_job_trains(name: str, ask_before: bool) -> None:
    oracle = ORACLES[name]()
    first = _first_job_then_space(oracle, ask_before)
    while (s := oracle.ask()) is not None:  # every other worker asks while the first job runs
        if s.parent_id is None and _stream(s) == _stream(first):
            assert _used(s) != DEFAULTS, f"{s.trial_id} got the first job's defaults"


@pytest.mark.parametrize("name", ORACLES)
def test_a_small_space_is_trained_once_per_stream(name: str) -> None:
    oracle = ORACLES[name]()
    first = _first_job_then_space(oracle)
    asked = [first, *_run(oracle, first)]
    for stream in {_stream(s) for s in asked}:
        used = [_used(s) for s in asked if _stream(s) == stream]
        assert len(used) == len(set(used)), f"stream {stream} trained a configuration twice"
    assert oracle.finished
    if isinstance(oracle, HyperbandOracle):  # brackets short of 6 configurations, not of 7
        assert "s=2 got 6 of 9" in str(oracle.stop_reason)
    elif not isinstance(oracle, GridSearchOracle) or oracle.searcher.name != "grid":
        assert "after 6 distinct configurations" in str(oracle.stop_reason)


@pytest.mark.parametrize("name", ORACLES)
def test_a_resumed_search_excludes_the_same(name: str) -> None:
    oracle = ORACLES[name]()
    first = _first_job_then_space(oracle, ask_before=False)
    before = [s for s in (oracle.ask() for _ in range(2)) if s is not None]  # two more workers
    resumed = ORACLES[name]()
    resumed.load_state_dict(json.loads(json.dumps(oracle.state_dict())), oracle.records)
    assert first.trial_id in resumed.pending
    went_on = [(s.trial_id, s.values) for s in _run(oracle, first)]
    again = _run(resumed, first)
    assert [(s.trial_id, s.values) for s in again] == went_on
    assert DEFAULTS not in [_used(s) for s in before + again if _stream(s) == _stream(first)]
    assert resumed.stop_reason == oracle.stop_reason


def test_random_search_gives_no_second_empty_job_while_the_first_runs() -> None:
    # with the space still empty, {} is the first job's configuration: another worker waits
    oracle = RandomSearchOracle(objective="loss", max_trials=5, seed=0)
    first = oracle.ask()
    assert first is not None and first.values == {}
    assert oracle.ask() is None and not oracle.finished
    # a first job lost before it declared anything: the next one is given {} again
    oracle.tell_failed(first.trial_id, "worker lost")
    second = oracle.ask()
    assert second is not None and second.values == {}


@pytest.mark.parametrize("mode", ["promotion", "stopping"])
def test_asha_asked_while_the_first_job_runs_goes_on_once_the_space_is_known(mode: str) -> None:
    oracle = ASHAOracle(objective="loss", max_epochs=9, factor=3, max_trials=20, seed=0,
                        mode=mode)
    first = _first_job_then_space(oracle)  # the second ask waited: the space was not known
    new = [s for s in (oracle.ask() for _ in range(3)) if s is not None]
    assert len(new) == 3 and all(s.parent_id is None for s in new)
    assert first.trial_id in oracle.pending and DEFAULTS not in {_used(s) for s in new}
