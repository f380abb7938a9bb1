"""Playing the oracle's part for ``check_searcher``: a test space, a loss, and the call order.

The kit drives a searcher as ``rung.searchers.base.Searcher`` says an oracle does: ``suggest``,
``on_start`` for the job handed out, intermediate reports and a final result through
``observe``; on resume ``load_state_dict``, ``replay`` of every stored result (by trial id, each
trial's reports by epoch before its final observation), then ``on_start`` for pending jobs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rung.hyperparameters import HyperParameter, HyperParameters, values_key
from rung.searchers import Observation, Searcher
from rung.trial_record import TrialStatus, creation_order

__all__ = ["Run", "finite_space", "loss_of", "mixed_space", "tiny_space", "value_in_space"]


def mixed_space(continuous: bool = False) -> HyperParameters:
    """Int, log Float, Choice, Boolean and a conditional scope. ``continuous=False`` gives every
    Float a step, so that a searcher needing a grid can search it too (960 configurations)."""
    hp = HyperParameters()
    hp.Int("units", 16, 128, step=16)
    hp.Float("lr", 1e-4, 1e-1, sampling="log", step=None if continuous else 10)
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    hp.Boolean("batch_norm")
    hp.Choice("optimizer", ["sgd", "adam"])
    with hp.conditional_scope("optimizer", ["sgd"]):
        hp.Float("momentum", 0.0, 0.9, step=None if continuous else 0.3)
    return hp


def finite_space() -> HyperParameters:
    """25 configurations, two of the hyperparameters conditional."""
    hp = HyperParameters()
    hp.Choice("optimizer", ["sgd", "adam"])
    with hp.conditional_scope("optimizer", ["sgd"]):
        hp.Float("momentum", 0.0, 0.9, step=0.3)
    hp.Int("layers", 1, 3)
    with hp.conditional_scope("layers", [2, 3]):
        hp.Boolean("residual")
    return hp


FINITE_SIZE = (4 + 1) * (1 + 2 * 2)  # (sgd x 4 momenta + adam) x (1 layer + 2 layers x residual)


def tiny_space() -> HyperParameters:
    hp = HyperParameters()
    hp.Choice("a", [1, 2])
    hp.Boolean("b")
    return hp


def loss_of(values: Mapping[str, Any], budget: int) -> float:
    """A deterministic loss: a smooth function of the values, better with budget."""
    total = 1.0 / max(budget, 1)
    for _, value in sorted(values.items()):
        if isinstance(value, bool):
            total += 0.1 * value
        elif isinstance(value, (int, float)):
            total += abs(math.log10(abs(float(value)) + 1e-3)) / 10
        else:
            total += 0.05 * (len(str(value)) % 3)
    return total


def value_in_space(hp: HyperParameter, value: Any) -> bool:
    """Whether ``value`` is one ``hp`` can take, judged by the hyperparameter's own mapping to
    ``[0, 1]``: a valid value comes back from ``from_unit(to_unit(value))`` (a grid value exactly;
    a continuous one within rounding), an invalid one raises or comes back changed."""
    if isinstance(value, np.generic):
        return False  # stored as JSON: plain Python values only
    try:
        back = hp.from_unit(hp.to_unit(value))
    except (TypeError, ValueError):
        return False
    if type(back) is not type(value) and not (isinstance(back, float) and type(value) is int):
        return False
    if hp.grid_values() is None and isinstance(back, float) and isinstance(value, (int, float)):
        return math.isclose(back, value, rel_tol=1e-9, abs_tol=1e-12)
    return bool(back == value)


@dataclass
class Run:
    """One simulated search: suggestions, the observations made, in order, and the pending jobs."""

    searcher: Searcher
    rng: np.random.Generator
    space: HyperParameters = field(default_factory=lambda: mixed_space())
    exclude: set[str] = field(default_factory=set)
    suggestions: list[dict[str, Any] | None] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 0

    def start(self, stream: str = "", budget: int = 3) -> str | None:
        """Suggest one configuration and hand it out as a job; its trial id, None if exhausted."""
        values = self.searcher.suggest(self.space, self.rng, self.exclude, stream)
        self.suggestions.append(values)
        if values is None:
            return None
        self.exclude.add(values_key(values))
        trial_id = f"{self.next_id:05d}"
        self.next_id += 1
        self.pending[trial_id] = values
        self.searcher.on_start(trial_id, dict(values), budget)
        return trial_id

    def finish(self, trial_id: str, budget: int = 3, status: TrialStatus = TrialStatus.COMPLETED,
               reports: bool = True) -> None:
        """Intermediate reports for epochs 1..budget-1 (when ``reports``), then the result."""
        values = self.pending.pop(trial_id)
        for epoch in range(1, budget if reports and status is not TrialStatus.FAILED else 1):
            self._observe(trial_id, values, epoch, loss_of(values, epoch), TrialStatus.RUNNING)
        loss = None if status is TrialStatus.FAILED else loss_of(values, budget)
        self._observe(trial_id, values, budget, loss, status)

    def _observe(self, trial_id: str, values: dict[str, Any], budget: int, loss: float | None,
                 status: TrialStatus) -> None:
        observation = Observation(trial_id=trial_id, values=dict(values), budget=budget,
                                  loss=loss, status=status)  # fmt: skip
        self.observations.append(observation)
        self.searcher.observe(observation)

    def step(self, jobs: int, stream: str = "") -> None:
        """``jobs`` sequential jobs; every fifth is pruned at epoch 1, every seventh fails."""
        for _ in range(jobs):
            trial_id = self.start(stream)
            if trial_id is None:
                return
            n = int(trial_id)
            if n % 7 == 6:
                self.finish(trial_id, budget=3, status=TrialStatus.FAILED)
            elif n % 5 == 4:
                self.finish(trial_id, budget=1, status=TrialStatus.PRUNED)
            else:
                self.finish(trial_id)

    def resumed(self, searcher: Searcher, state: Mapping[str, Any]) -> Run:
        """``searcher`` resumed as an oracle resumes it: state, replay, then pending jobs."""
        searcher.load_state_dict(state)
        searcher.replay(iter(list(self.observations)))
        for trial_id in sorted(self.pending, key=creation_order):
            searcher.on_start(trial_id, dict(self.pending[trial_id]), 3)
        rng = np.random.default_rng()
        rng.bit_generator.state = self.rng.bit_generator.state
        return Run(searcher, rng, self.space, set(self.exclude), [], list(self.observations),
                   dict(self.pending), self.next_id)
