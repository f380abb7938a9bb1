"""Playing the tuner's part for ``check_oracle``: ask, report epoch by epoch, tell; and a
recording proxy that sees every call the oracle makes to its searcher."""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rung.hyperparameters import HyperParameters, values_key
from rung.oracles import Oracle, Suggestion
from rung.searchers import Observation, Searcher
from rung.trial_record import TrialRecord, TrialStatus

__all__ = ["Drive", "RecordingSearcher", "loss_of"]

Outcome = Callable[[Suggestion], str]  # "ok", "nan", "failed" or "pruned"


def loss_of(values: Mapping[str, Any], epoch: int | None) -> float:
    """A learning curve over any values: better with epochs, different per configuration."""
    spread = (zlib.crc32(values_key(values).encode()) % 1000) / 10_000
    return spread + 1.0 / (epoch or 1)


@dataclass
class Drive:
    """Runs an oracle to its end (or ``stop_after`` jobs) as a tuner would, keeping what a
    storage would: the jobs handed out, the records told, the reports of every trial."""

    oracle: Oracle
    outcome: Outcome = lambda s: "ok"  # noqa: E731 - a default strategy
    reports: bool = True
    jobs: list[Suggestion] = field(default_factory=list)
    told: dict[str, TrialRecord] = field(default_factory=dict)
    reached: dict[str, int | None] = field(default_factory=dict)
    epoch_metrics: dict[str, list[tuple[int, dict[str, float]]]] = field(default_factory=dict)

    def run(self, stop_after: int | None = None) -> Drive:
        while (s := self.oracle.ask()) is not None:
            self.jobs.append(s)
            self.finish(s)
            if stop_after is not None and len(self.jobs) >= stop_after:
                break
        return self

    def finish(self, s: Suggestion) -> TrialRecord:
        """Train ``s`` (reporting each epoch when ``reports``) and tell the oracle its end."""
        kind = self.outcome(s)
        if kind == "failed":
            return self._told(s, self.oracle.tell_failed(s.trial_id, "boom"), s.initial_epoch)
        if kind == "nan":
            return self._told(s, self.oracle.tell(s.trial_id, {"loss": math.nan}), s.epochs)
        last = s.epochs or 1
        if kind == "pruned":
            last = s.initial_epoch + 1
        for epoch in range(s.initial_epoch + 1, last + 1) if self.reports else ():
            metrics = {"loss": loss_of(s.values, epoch)}
            self.epoch_metrics.setdefault(s.trial_id, []).append((epoch, metrics))
            if not self.oracle.on_report(s.trial_id, epoch, metrics):
                kind, last = "pruned", epoch  # a stopping oracle stopped it here
                break
        metrics = {"loss": loss_of(s.values, last)}
        if kind == "pruned":
            record = self.oracle.tell(s.trial_id, metrics, epochs_reached=last,
                                      status=TrialStatus.PRUNED)  # fmt: skip
            return self._told(s, record, last)
        return self._told(s, self.oracle.tell(s.trial_id, metrics), s.epochs)

    def _told(self, s: Suggestion, record: TrialRecord, reached: int | None) -> TrialRecord:
        self.told[s.trial_id] = record
        self.reached[s.trial_id] = reached
        return record

    def history(self) -> list[TrialRecord]:
        """Finished trials as a storage lists them (creation order: trial id)."""
        return [self.told[k] for k in sorted(self.told)]

    def stored_reports(self) -> list[tuple[str, int, dict[str, float]]]:
        """``Storage.all_epoch_metrics()``: finished trials by id, each by epoch."""
        return [(k, epoch, metrics) for k in sorted(self.told)
                for epoch, metrics in self.epoch_metrics.get(k, [])]


class RecordingSearcher(Searcher):
    """Passes every call on to ``inner`` and records the hooks' arguments."""

    def __init__(self, inner: Searcher) -> None:
        self.inner = inner
        self.observations: list[Observation] = []
        self.started: list[tuple[str, int | None]] = []

    def suggest(self, space: HyperParameters, rng: np.random.Generator,
                exclude: Container[str], stream: str = "") -> dict[str, Any] | None:
        return self.inner.suggest(space, rng, exclude, stream)

    def on_start(self, trial_id: str, values: Mapping[str, Any], budget: int | None) -> None:
        self.started.append((trial_id, budget))
        self.inner.on_start(trial_id, values, budget)

    def observe(self, observation: Observation) -> None:
        self.observations.append(observation)
        self.inner.observe(observation)

    def replay(self, observations: Iterable[Observation]) -> None:
        seen = list(observations)
        self.observations.extend(seen)
        self.inner.replay(seen)

    def close_stream(self, stream: str) -> None:
        self.inner.close_stream(stream)

    def state_dict(self) -> dict[str, Any]:
        return self.inner.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.inner.load_state_dict(state)
