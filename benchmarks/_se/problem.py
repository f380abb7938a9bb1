"""A benchmark problem and the bookkeeping of one optimiser run on it.

Budget unit: the epoch. A job that continues a configuration from ``initial_epoch`` to
``epochs`` pays ``epochs - initial_epoch``; a job that starts from scratch pays ``epochs``.

Regret convention (the same for every optimiser): after each job, the *incumbent* is the
configuration with the lowest observed loss among the observations at the highest fidelity
(epochs) observed so far in this run -- what a multi-fidelity method would recommend if stopped
there. The regret is the incumbent's true loss at full fidelity ``R`` (``Problem.final``, noise
free) minus the problem's optimum; a configuration observed only at low fidelity is thus scored
by what it would reach at ``R``, but it becomes the incumbent only by looking best at the top
fidelity reached. Single-fidelity methods (random search, GP-BO, TPE without pruning) observe
everything at ``R``: their incumbent is the best configuration they trained.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from _se.space import Param

__all__ = ["Problem", "Run"]

Values = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """``observe(values, epoch, rng)``: the loss a job reports after ``epoch`` epochs (noisy
    where the problem says so); ``final(values)``: the true loss at ``max_epochs``."""

    name: str
    space: tuple[Param, ...]
    max_epochs: int
    observe: Callable[[Values, int, np.random.Generator], float]
    final: Callable[[Values], float]
    optimum: float
    description: str = ""


@dataclass
class Run:
    """Epochs spent and the incumbent's regret after each job of one run."""

    problem: Problem
    budget: int
    seed: int
    spent: int = 0
    epochs: list[int] = field(default_factory=list)
    regrets: list[float] = field(default_factory=list)
    jobs: int = 0
    _top: int = 0
    _best: float = math.inf
    _regret: float = math.inf

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng([self.seed, 7919])  # noise, apart from the optimiser's

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.budget

    def observe(self, values: Values, epoch: int) -> float:
        """The loss after ``epoch`` epochs, without paying or recording (per-epoch reports)."""
        return float(self.problem.observe(values, epoch, self.rng))

    def pay(self, epochs: int) -> None:
        self.spent += epochs

    def record(self, values: Values, epoch: int, loss: float) -> None:
        """A job ended at ``epoch`` having observed ``loss``: update the incumbent."""
        self.jobs += 1
        if epoch > self._top or (epoch == self._top and loss < self._best):
            self._top, self._best = epoch, loss
            self._regret = max(0.0, float(self.problem.final(values)) - self.problem.optimum)
        self.epochs.append(self.spent)
        self.regrets.append(self._regret)

    def train(self, values: Values, initial_epoch: int, epochs: int) -> float:
        """One job: pay ``epochs - initial_epoch``, observe and record the loss at ``epochs``."""
        self.pay(epochs - initial_epoch)
        loss = self.observe(values, epochs)
        self.record(values, epochs, loss)
        return loss
