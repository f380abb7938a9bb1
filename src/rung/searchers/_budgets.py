"""Which budget a per-budget model learns from: shared by the KDE and the GP searchers.

A multi-fidelity oracle (Hyperband, BOHB, ASHA) observes configurations after different numbers
of epochs. A model of them keeps each budget's results apart and models one budget: the largest
with enough results, unless its ranking of configurations is shown to disagree with the top
budget's (``RankAgreement``); inside ``for_budget(b)``, a lower budget only once it was shown to
agree with ``b``, except for a share ``unverified_weight`` of the proposals.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from rung.hyperparameters import values_key
from rung.searchers.agreement import RankAgreement
from rung.searchers.observation import Observation
from rung.trial_record import TrialStatus, creation_order
from rung.validation import check_fraction

__all__ = ["BudgetFocus", "FinalResults"]

_WITH_LOSS = (TrialStatus.COMPLETED, TrialStatus.PRUNED)


class BudgetFocus:
    """The budget a per-budget model uses, and the rank agreement between budgets it rests on.

    Args:
        min_agreement: the Kendall tau below which a lower budget's ranking misleads; None
            ignores the agreement (the largest budget with enough results, as BOHB does).
    """

    def __init__(self, min_agreement: float | None) -> None:
        self.min_agreement = min_agreement
        self.agreement = RankAgreement(threshold=min_agreement or 0.0)
        self.reference: int | None = None
        self.unverified_weight = 0.0

    def observe(self, observation: Observation) -> None:
        self.agreement.observe(observation)

    @contextmanager
    def for_budget(self, budget: int, unverified_weight: float = 0.0) -> Iterator[None]:
        """Proposals made inside are for configurations meant to reach ``budget``."""
        weight = check_fraction("for_budget unverified_weight", unverified_weight)
        previous = self.reference, self.unverified_weight
        self.reference, self.unverified_weight = int(budget), weight
        try:
            yield
        finally:
            self.reference, self.unverified_weight = previous

    def draw_reference(self, counts: Mapping[int, int], needed: int,
                       rng: np.random.Generator) -> int | None:
        """The reference budget of one proposal: ``for_budget``'s, or None (any budget that does
        not mislead) for a share ``unverified_weight`` of the proposals. One random draw, only
        where the two would model different budgets."""
        reference, weight = self.reference, self.unverified_weight
        if reference is not None and weight > 0.0:
            unverified = self.choose(counts, needed, None)
            if unverified != self.choose(counts, needed, reference) and (
                    weight >= 1.0 or rng.random() < weight):
                return None
        return reference

    def choose(self, counts: Mapping[int, int], needed: int, reference: int | None) -> int | None:
        """The largest budget with more than ``needed`` results (``counts``: results per budget)
        whose ranking does not mislead, or None; with a ``reference`` budget, a lower budget
        must have been shown to agree with it."""
        enough = sorted((b for b, n in counts.items() if n > needed), reverse=True)
        if self.min_agreement is None:
            return enough[0] if enough else None
        top = self.agreement.top_budget() if reference is None else reference
        for budget in enough:
            if top is None or budget >= top:
                return budget
            if reference is not None and self.agreement.agrees(budget, reference):
                return budget
            if reference is None and not self.agreement.misleads(budget, top):
                return budget
        return None


class FinalResults:
    """The final results of jobs, grouped by a budget, and which configurations a group has not
    seen yet: the memory of a model that learns from one budget at a time (``GPSearcher``).

    A configuration *awaits* a budget when it was first started after the newest result there
    and has no result there itself: in a bracket, the configurations proposed since the model's
    budget last grew, which may still reach it. A model can count them as pending, so that a
    bracket's proposals spread out even when they are evaluated one at a time at lower budgets.
    A configuration that failed (``FAILED``: it raised, or its objective was not finite) is kept
    apart, by values, in the order it first failed; ``failures(group)`` lists those with no result
    in a group, for a model that imputes them a loss there.

    A pure function of the jobs started and observed, so a resumed search rebuilds it.
    """

    def __init__(self) -> None:
        self.groups: dict[int, dict[str, tuple[dict[str, Any], float]]] = {}
        # values key of a failed configuration -> (order of its first failure, values)
        self.failed: dict[str, tuple[tuple[int, str], dict[str, Any]]] = {}
        self.running: dict[str, dict[str, Any]] = {}  # by trial id
        self._first: dict[str, tuple[tuple[int, str], dict[str, Any]]] = {}  # key -> (order, values)
        self._newest: dict[int, tuple[int, str]] = {}  # group -> order of its newest result
        self._keys: dict[int, set[str]] = {}  # group -> values keys with a result

    def seen(self, trial_id: str, values: Mapping[str, Any]) -> None:
        key, order = values_key(values), creation_order(trial_id)
        if key not in self._first or order < self._first[key][0]:
            self._first[key] = (order, dict(values))

    def start(self, trial_id: str, values: Mapping[str, Any]) -> None:
        self.running[trial_id] = dict(values)
        self.seen(trial_id, values)

    def add(self, observation: Observation, group: int) -> None:
        """A final observation (the job is over); a finite loss joins ``group``."""
        self.seen(observation.trial_id, observation.values)
        self.running.pop(observation.trial_id, None)
        if observation.status is TrialStatus.FAILED:
            key, order = values_key(observation.values), creation_order(observation.trial_id)
            if key not in self.failed or order < self.failed[key][0]:
                self.failed[key] = (order, dict(observation.values))
        if observation.status in _WITH_LOSS and observation.loss is not None \
                and math.isfinite(observation.loss):
            self.groups.setdefault(group, {})[observation.trial_id] = (
                dict(observation.values), float(observation.loss))
            order = creation_order(observation.trial_id)
            self._newest[group] = max(self._newest.get(group, order), order)
            self._keys.setdefault(group, set()).add(values_key(observation.values))

    def counts(self) -> dict[int, int]:
        return {group: len(results) for group, results in self.groups.items()}

    def varied(self, group: int) -> bool:
        """Whether the losses of ``group`` differ at all (a model of equal losses ranks nothing)."""
        losses = [loss for _, loss in self.groups.get(group, {}).values()]
        return bool(losses) and min(losses) < max(losses)

    def failures(self, group: int) -> list[tuple[str, dict[str, Any]]]:
        """The failed configurations with no result in ``group``: the trial id of each one's
        first failure and its values, in that order."""
        have = self._keys.get(group, set())
        return [(order[1], values) for key, (order, values) in
                sorted(self.failed.items(), key=lambda kv: kv[1][0]) if key not in have]

    def running_values(self) -> list[dict[str, Any]]:
        """The values of the running jobs, in the order they started."""
        return [self.running[t] for t in sorted(self.running, key=creation_order)]

    def awaiting(self, group: int,
                 limit: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The running configurations with no result in ``group``, and (at most ``limit``, the
        most recent) the others that await it (see the class)."""
        have = self._keys.get(group, set())
        running = [v for v in self.running_values() if values_key(v) not in have]
        keys = {values_key(v) for v in running}
        newest = self._newest.get(group, (0, ""))
        later = sorted((order, key) for key, (order, _) in self._first.items()
                       if order > newest and key not in have and key not in keys
                       and key not in self.failed)
        recent = later[-limit:] if limit > 0 else []
        return running, [self._first[key][1] for _, key in recent]
