"""``check_searcher``: the contract of ``rung.searchers.base.Searcher`` as named rules.

The kit plays the oracle (``rung.testing._drive``): it asks for configurations of a small mixed
space (Int, log Float, Choice, Boolean and a conditional scope), hands them out, and tells the
searcher intermediate reports, completed, pruned and failed results, in the documented order.
Every random draw comes from the ``numpy.random.Generator`` the kit passes in.

A searcher may refuse a space it cannot search (a grid searcher and a continuous ``Float``) by
raising ``rung.errors.ConfigurationError``; every other space of the kit has a finite grid.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from rung.errors import ConfigurationError
from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import Observation, Searcher
from rung.testing._drive import (
    FINITE_SIZE,
    Run,
    finite_space,
    mixed_space,
    tiny_space,
    value_in_space,
)
from rung.testing._rules import Rule, make_rules, run_rules
from rung.testing._searcher_args import ARGUMENTS_RULE, SHARED_STATE_RULE, first_difference
from rung.trial_record import TrialStatus

__all__ = ["check_searcher", "searcher_rules"]

SearcherFactory = Callable[[], Searcher]
_BOUNDED_SLACK = 128  # characters a state may gain between 10 and 400 jobs (counters)
_STREAMS = 4  # streams of 100 jobs in the bounded-state rule


def _fresh(factory: SearcherFactory) -> Searcher:
    searcher = factory()
    assert isinstance(searcher, Searcher), f"the factory returned {type(searcher).__name__}"
    return searcher


def _check_values(space: HyperParameters, values: dict[str, Any] | None) -> None:
    assert values is not None, "suggest returned None for a space far from exhausted"
    assert isinstance(values, dict), f"suggest returned {type(values).__name__}, not a dict"
    extra = set(values) - {hp.name for hp in space.space}
    assert not extra, f"suggested {sorted(extra)}, which the space does not have"
    for hp in space.space:  # the values first: a wrong Choice also changes what is active
        if hp.name in values and all(c.is_active(values) for c in hp.conditions):
            value = values[hp.name]
            assert not isinstance(value, np.generic), (
                f"{hp.name}={value!r} is a NumPy {type(value).__name__}: suggest must return "
                "plain Python values (float(x), int(x), bool(x), str(x)), which the project "
                "stores as JSON and the training function compares with ==")
            assert value_in_space(hp, value), f"{hp.name}={value!r} is not a value of {hp!r}"
    active = space.clone_with_values(values).values
    assert set(values) == set(active), (
        f"suggested {sorted(values)}, but the active hyperparameters are {sorted(active)}")
    json.dumps(values, allow_nan=False)  # stored as JSON


def _rule_suggestions_lie_inside_the_space(factory: SearcherFactory) -> None:
    """Every suggested value is one its hyperparameter can take (a continuous space may be
    refused with ConfigurationError)."""
    run = Run(_fresh(factory), np.random.default_rng(0))
    run.step(30)
    for values in run.suggestions:
        _check_values(run.space, values)
    continuous = Run(_fresh(factory), np.random.default_rng(1), mixed_space(continuous=True))
    try:
        continuous.step(30)
    except ConfigurationError:
        return  # the searcher cannot search continuous ranges, and says so
    for values in continuous.suggestions:
        _check_values(continuous.space, values)


def _rule_only_active_values_are_returned(factory: SearcherFactory) -> None:
    run = Run(_fresh(factory), np.random.default_rng(2), finite_space())
    run.step(FINITE_SIZE)
    for values in run.suggestions:
        assert values is not None, "suggest returned None before the space was exhausted"
        active = run.space.clone_with_values(values).values
        assert values == active, f"suggested {values}, whose active values are {active}"


def _rule_excluded_configurations_are_never_returned(factory: SearcherFactory) -> None:
    # a reference run learns what the searcher would propose first; the same draws must then
    # avoid those configurations once they are excluded
    reference = Run(_fresh(factory), np.random.default_rng(3))
    reference.step(5)
    excluded = {values_key(v) for v in reference.suggestions if v is not None}
    run = Run(_fresh(factory), np.random.default_rng(3), exclude=set(excluded))
    run.step(40)
    keys = [values_key(v) for v in run.suggestions if v is not None]
    assert not excluded & set(keys), f"returned excluded configurations {excluded & set(keys)}"
    assert len(keys) == len(set(keys)) == 40, (
        "a configuration came twice in one stream: return only configurations whose "
        "values_key(values) is not in exclude (the oracle adds each one it hands out)")


def _rule_same_seed_same_suggestions(factory: SearcherFactory) -> None:
    first, second = (Run(_fresh(factory), np.random.default_rng(4)) for _ in range(2))
    first.step(20)
    second.step(20)
    where = first_difference(first.suggestions, second.suggestions)
    assert first.suggestions == second.suggestions, (
        f"two fresh searchers given generators of the same seed proposed different "
        f"configurations ({where}): draw every random number from the rng argument of "
        "suggest (not from random, numpy.random, the clock or a generator of your own)")


def _rule_state_is_json_and_reloads(factory: SearcherFactory) -> None:
    """state_dict is a JSON object (no NaN), and a fresh searcher given it by load_state_dict
    reports the same state back."""
    run = Run(_fresh(factory), np.random.default_rng(5))
    run.start()  # a pending job
    run.step(12)
    state = run.searcher.state_dict()
    assert isinstance(state, dict), f"state_dict returned {type(state).__name__}"
    text = json.dumps(state, allow_nan=False)
    assert json.loads(text) == state, "state_dict does not survive a JSON round trip"
    fresh = _fresh(factory)
    fresh.load_state_dict(json.loads(text))
    assert fresh.state_dict() == state, (
        "load_state_dict(state) then state_dict() differs: load_state_dict must restore "
        "everything state_dict saves")


def _rule_resumed_searcher_continues_identically(factory: SearcherFactory) -> None:
    """state_dict, then load_state_dict + replay(history) + on_start(pending) in a fresh
    searcher: the next suggestions are those of the searcher that was never interrupted."""
    run = Run(_fresh(factory), np.random.default_rng(6))
    run.step(12)
    run.start()  # in flight when the process dies
    state = json.loads(json.dumps(run.searcher.state_dict()))
    resumed = run.resumed(_fresh(factory), state)
    before = len(run.suggestions)
    run.step(12)
    resumed.step(12)
    assert resumed.suggestions == run.suggestions[before:], (
        f"after a resume the searcher proposed {resumed.suggestions[:2]}..., "
        f"without one {run.suggestions[before:before + 2]}...: keep in state_dict what the "
        "replayed observations and on_start of the pending jobs cannot rebuild, and depend on "
        "nothing else (not on the clock, nor on changes made to what observe was given)")


def _rule_randomness_comes_only_from_the_rng_given(factory: SearcherFactory) -> None:
    """A suggestion depends on the searcher's state and the ``rng`` passed in, nothing else:
    a resumed searcher, given equal generators, suggests what the uninterrupted one does, on
    every stream and with nothing excluded. (A private generator passes the single-stream resume
    check above, where ``exclude`` masks it, but a resumed Hyperband, whose brackets draw from
    several streams, diverges.)"""
    run = Run(_fresh(factory), np.random.default_rng(11))
    run.step(6)
    state = json.loads(json.dumps(run.searcher.state_dict()))
    resumed = run.resumed(_fresh(factory), state).searcher
    for k, stream in enumerate(("0", "1", "0", "2")):
        expected = run.searcher.suggest(run.space, np.random.default_rng(100 + k), set(), stream)
        got = resumed.suggest(run.space, np.random.default_rng(100 + k), set(), stream)
        assert got == expected, (
            f"given the same generator, the resumed searcher suggested {got} where the "
            f"uninterrupted one suggested {expected} (stream {stream!r}): draw every random "
            "number from the rng argument of suggest, not from a generator of the searcher's "
            "own, and keep any other state in state_dict")


def _rule_state_stays_bounded(factory: SearcherFactory) -> None:
    """History comes back through replay: the state after 400 jobs is no bigger than after 10
    (up to a few characters of counters), so a state that keeps anything per job (40 times as
    many) fails. The jobs come from streams of 100, each closed when done, as Hyperband's
    brackets are; the last one stays open. (400, not more: a GP refits at every job.)"""
    run = Run(_fresh(factory), np.random.default_rng(7))
    run.step(10, stream="0")
    small = len(json.dumps(run.searcher.state_dict()))
    run.step(90, stream="0")
    for stream in range(1, _STREAMS):
        run.searcher.close_stream(str(stream - 1))
        run.exclude = set()  # ``exclude`` holds the configurations of one stream
        run.step(100, stream=str(stream))
    large = len(json.dumps(run.searcher.state_dict()))
    jobs = 100 * _STREAMS
    assert run.next_id == jobs, f"only {run.next_id} jobs of {jobs}: suggest gave up early"
    assert large <= small + _BOUNDED_SLACK, (
        f"the state grew from {small} characters after 10 jobs to {large} after {jobs}")


def _rule_finite_space_is_enumerated_then_exhausted(factory: SearcherFactory) -> None:
    """Each configuration of a finite space comes once; then suggest returns None (no error)."""
    for space, size in ((finite_space(), FINITE_SIZE), (tiny_space(), 4)):
        run = Run(_fresh(factory), np.random.default_rng(8), space)
        run.step(size + 1, stream="s")
        keys = [values_key(v) for v in run.suggestions[:size] if v is not None]
        assert len(set(keys)) == size, f"{len(set(keys))} distinct of {size} before exhaustion"
        assert run.suggestions[size:] == [None], (
            f"after all {size} configurations suggest gave {run.suggestions[size:]}, not None")
    full = {values_key({"a": a, "b": b}) for a in (1, 2) for b in (False, True)}
    got = _fresh(factory).suggest(tiny_space(), np.random.default_rng(9), full)
    assert got is None, f"every configuration excluded, yet suggest returned {got}"


def _rule_hooks_accept_the_contract_arguments(factory: SearcherFactory) -> None:
    searcher = _fresh(factory)
    space, rng = mixed_space(), np.random.default_rng(10)
    values = searcher.suggest(space, rng, set(), "a")
    assert values is not None
    searcher.on_start("00000", dict(values), 9)
    searcher.on_start("00001", dict(values), None)  # budget unknown (define-by-run epochs)
    for status, loss, budget in ((TrialStatus.RUNNING, 0.5, 1), (TrialStatus.COMPLETED, 0.4, 9),
                                 (TrialStatus.PRUNED, 0.7, 3), (TrialStatus.FAILED, None, 0)):
        searcher.observe(Observation(trial_id="00000", values=dict(values), budget=budget,
                                     loss=loss, status=status))  # fmt: skip
    replayed = (Observation(trial_id=f"1{i:04d}", values=dict(values), budget=1, loss=1.0,
                            status=TrialStatus.COMPLETED) for i in range(3))  # fmt: skip
    searcher.replay(replayed)  # any iterable, read once
    searcher.replay([])
    searcher.close_stream("a")
    searcher.close_stream("never used")
    again = searcher.suggest(space, rng, {values_key(values)}, "b")
    _check_values(space, again)


_RULES = make_rules("check_searcher", [
    _rule_suggestions_lie_inside_the_space,
    _rule_only_active_values_are_returned,
    ARGUMENTS_RULE,
    _rule_excluded_configurations_are_never_returned,
    _rule_same_seed_same_suggestions,
    SHARED_STATE_RULE,
    _rule_state_is_json_and_reloads,
    _rule_resumed_searcher_continues_identically,
    _rule_randomness_comes_only_from_the_rng_given,
    _rule_state_stays_bounded,
    _rule_finite_space_is_enumerated_then_exhausted,
    _rule_hooks_accept_the_contract_arguments,
])


def searcher_rules() -> list[Rule]:
    """The ``(name, check)`` rules of :func:`check_searcher`, e.g. to parametrise a test over."""
    return list(_RULES)


def check_searcher(factory: SearcherFactory) -> None:
    """Check that the searchers ``factory()`` makes keep the ``rung.searchers.Searcher`` contract.

    ``factory`` is a zero-argument callable returning a fresh searcher (a class with default
    arguments will do). Raises ``AssertionError`` naming the first broken rule.

    Example::

        check_searcher(lambda: MySearcher(top_fraction=0.2))
    """
    run_rules(_RULES, factory)
