"""``check_searcher`` rules on what a searcher may change: nothing the oracle hands it.

The oracle passes a searcher its own objects: the search space, the ``exclude`` set of a stream,
the values of a job (``on_start``), the ``Observation``s of its results (whose ``values`` are the
stored trial's), and it keeps the dict ``suggest`` returned as the job's values. A searcher that
changes any of them changes the search behind the oracle's back; these rules say which one.
It also may not share state between its instances (a mutable class attribute, a module global):
each fresh searcher must propose what the first one proposed, whatever the others did.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import numpy as np

from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import Observation, Searcher
from rung.testing._drive import Run, finite_space, loss_of, mixed_space
from rung.trial_record import TrialStatus

__all__ = ["ARGUMENTS_RULE", "SHARED_STATE_RULE", "first_difference"]

SearcherFactory = Callable[[], Searcher]
_FIX = "copy it first (dict(values), set(exclude), space.copy()) if you need a changed one"


def _fresh(factory: SearcherFactory) -> Searcher:
    searcher = factory()
    assert isinstance(searcher, Searcher), f"the factory returned {type(searcher).__name__}"
    return searcher


def _config(space: HyperParameters) -> str:
    return json.dumps(space.get_config(), sort_keys=True, default=repr)


def first_difference(first: list[Any], second: list[Any]) -> str:
    """Where two lists of suggestions part: the index and both items there."""
    at = next((n for n, (a, b) in enumerate(zip(first, second, strict=False)) if a != b),
              min(len(first), len(second)))

    def item(xs: list[Any]) -> str:
        return repr(xs[at]) if at < len(xs) else "nothing"
    return f"suggestion {at}: {item(first)} against {item(second)}"


def _unchanged(what: str, before: Any, after: Any) -> None:
    assert after == before, f"{what} changed from {before!r} to {after!r}: {_FIX}"


def _rule_arguments_are_left_unchanged(factory: SearcherFactory) -> None:
    """``suggest`` leaves the space and ``exclude`` as they were, ``on_start``, ``observe`` and
    ``replay`` leave the values and observations they are given, and a dict ``suggest`` returned
    (which the oracle keeps as the job's values) never changes afterwards."""
    searcher = _fresh(factory)
    space, rng = mixed_space(), np.random.default_rng(12)
    exclude: set[str] = set()
    returned: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for n in range(20):
        space_before, exclude_before = _config(space), set(exclude)
        values = searcher.suggest(space, rng, exclude, "")
        _unchanged("the space suggest was given (it belongs to the oracle)",
                   space_before, _config(space))
        _unchanged("the exclude set suggest was given", exclude_before, exclude)
        assert values is not None, "suggest returned None for a space far from exhausted"
        returned.append((values, copy.deepcopy(values)))
        exclude.add(values_key(values))
        trial_id = f"{n:05d}"
        given = dict(values)
        searcher.on_start(trial_id, given, 3)
        _unchanged(f"the values on_start({trial_id!r}, values, 3) was given", values, given)
        status = TrialStatus.FAILED if n % 7 == 6 else TrialStatus.COMPLETED
        for epoch in (1, 2, 3) if status is TrialStatus.COMPLETED else (3,):
            seen = Observation(trial_id=trial_id, values=dict(values), budget=epoch,
                               loss=None if status is TrialStatus.FAILED else
                               loss_of(values, epoch),
                               status=TrialStatus.RUNNING if epoch < 3 else status)  # fmt: skip
            searcher.observe(seen)
            _unchanged(f"observation.values of {trial_id} (the stored trial's own dict) in observe",
                       values, seen.values)
    replayed = [Observation(trial_id=f"9{n:04d}", values=dict(v), budget=3,
                            loss=loss_of(v, 3), status=TrialStatus.COMPLETED)
                for n, (v, _) in enumerate(returned[:5])]  # fmt: skip
    _fresh(factory).replay(iter(replayed))
    for observation, (values, _) in zip(replayed, returned, strict=False):
        _unchanged("observation.values in replay", values, observation.values)
    for values, snapshot in returned:
        assert values == snapshot, (
            f"a dict suggest returned changed afterwards, from {snapshot!r} to {values!r}: the "
            "oracle keeps it as the job's values; return a new dict each time and do not change "
            "it later")


def _rule_instances_share_no_state(factory: SearcherFactory) -> None:
    """A fresh searcher proposes what another fresh one did with the same draws, although a third
    instance was used in between (on other spaces, budgets and results)."""
    first = Run(_fresh(factory), np.random.default_rng(13))
    first.step(20)
    for space in (mixed_space(), finite_space()):
        other = Run(_fresh(factory), np.random.default_rng(14), space)
        for _ in range(20):
            trial_id = other.start(budget=27)
            if trial_id is None:
                break
            other.finish(trial_id, budget=27 if int(trial_id) % 2 else 1)
    second = Run(_fresh(factory), np.random.default_rng(13))
    second.step(20)
    where = first_difference(first.suggestions, second.suggestions)
    assert second.suggestions == first.suggestions, (
        "two fresh searchers given the same draws proposed different configurations once a "
        f"third instance had been used in between ({where}), so the instances share state (a "
        "mutable class attribute or a module-level variable) or draw from a global generator; "
        "create all state in __init__ (self.x = ...) and draw only from the rng argument")


ARGUMENTS_RULE = _rule_arguments_are_left_unchanged
SHARED_STATE_RULE = _rule_instances_share_no_state
