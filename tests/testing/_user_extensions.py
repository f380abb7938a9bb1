"""A user's own searcher and executor, written from docs/architecture.md and docs/scale-out.md
("Writing an executor"): the good ones the kits must pass. A module of its own, so that the
killed search of ``test_user_extensions`` imports the searcher in a subprocess."""

from __future__ import annotations

import concurrent.futures as cf
import math
from collections.abc import Container, Mapping
from typing import Any

import numpy as np

from rung.executors import Executor, JobResult, JobSpec, execute
from rung.hyperparameters import HyperParameters, values_key
from rung.searchers import Observation, RandomSearcher, Searcher
from rung.trial_record import TrialStatus


class PerturbBest(Searcher):
    """The example of docs/architecture.md, typed: half of the suggestions change one value of
    the best result at the largest budget."""

    def __init__(self) -> None:
        self.random = RandomSearcher()
        self.best: dict[int, tuple[float, dict[str, Any]]] = {}
        self.running: dict[str, str] = {}

    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        self.running[trial_id] = values_key(values)

    def observe(self, observation: Observation) -> None:
        if observation.status is not TrialStatus.RUNNING:
            self.running.pop(observation.trial_id, None)
        best_loss = self.best.get(observation.budget, (math.inf, {}))[0]
        if observation.loss is not None and observation.loss < best_loss:
            self.best[observation.budget] = (observation.loss, dict(observation.values))

    def _perturbs(self, rng: np.random.Generator) -> bool:
        return rng.random() < 0.5

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        if self.best and self._perturbs(rng):
            _, values = self.best[max(self.best)]
            changed = space.space[rng.integers(len(space.space))]
            candidate = space.clone_with_values(
                {**values, changed.name: changed.random_sample(rng)}).values
            key = values_key(candidate)
            if key not in exclude and key not in self.running.values():
                return candidate
        return self.random.suggest(space, rng, exclude, stream)


class CountingPerturb(PerturbBest):
    """Every third suggestion perturbs the best; it counts its suggestions in its state, the
    rest comes back through replay and on_start."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def _perturbs(self, rng: np.random.Generator) -> bool:
        self.asked += 1
        return self.asked % 3 == 0

    def state_dict(self) -> dict[str, Any]:
        return {"asked": self.asked}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.asked = int(state["asked"])


class Threads(Executor):
    slots = 2
    shares_filesystem = True

    def __init__(self) -> None:
        self.pool = cf.ThreadPoolExecutor(self.slots)
        self.futures: dict[cf.Future[JobResult], str] = {}

    def submit(self, spec: JobSpec) -> None:
        self.futures[self.pool.submit(execute, spec)] = spec.trial_id

    def wait(self, timeout: float | None = None) -> list[JobResult]:
        done, _ = cf.wait(self.futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        for future in done:
            del self.futures[future]
        return [future.result() for future in done]

    @property
    def in_flight(self) -> int:
        return len(self.futures)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)
